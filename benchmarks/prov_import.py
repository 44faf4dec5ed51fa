"""Time and peak memory of importing a large PROV-JSON into the embedded store, this tree
beside another version of provgraph in the same run.

    .venv/bin/python benchmarks/prov_import.py [--mb 50 200] [--smoke] [--before-src DIR]

A document of about the given size is generated (the shape of a captured store's export:
entities, activities and agents, then used / wasGeneratedBy / wasAssociatedWith /
wasDerivedFrom relations, about 2.3 records per node, attributes on every element, the
prefix block last as provgraph writes it). Each import runs in a fresh subprocess into an
empty embedded store in a temporary directory; the figure is its wall time and peak RSS
(``ru_maxrss``). ``--before-src DIR``: the source tree of the version to compare against
(e.g. ``git archive main | tar -x -C DIR``), run with ``PYTHONPATH=DIR`` in the same run.
``--smoke``: a 1 MB document, to check that the benchmark works.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
from exports import import_document
from keeper.stores.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[2])
start = time.perf_counter()
result = import_document(store, sys.argv[1])
seconds = time.perf_counter() - start
store.close()
print(json.dumps({"seconds": seconds, "rss_mib": resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss / 1024, "records": result.records,
    "nodes": result.nodes, "edges": result.edges}))
"""


def _write_group(out: IO[str], kind: str, items: Any, first: bool) -> None:
    out.write(("" if first else ",") + json.dumps(kind) + ":{")
    for n, (key, body) in enumerate(items):
        out.write(("," if n else "") + json.dumps(key) + ":" + json.dumps(body))
    out.write("}")


def generate(path: Path, megabytes: float) -> None:
    """A PROV-JSON document of about ``megabytes`` MB (written as it is generated)."""
    n = max(10, int(megabytes * 1e6 / 520))  # tasks: ~520 bytes of document each
    with path.open("w") as out:
        out.write("{")
        _write_group(out, "entity", ((f"ex:data/{i}.csv", {
            "prov:label": f"data {i}", "ex:size": {"$": str(i * 17), "type": "xsd:int"},
            "ex:checksum": f"{i * 2654435761 % 2**32:08x}"}) for i in range(n)), True)
        _write_group(out, "activity", ((f"ex:task/{i}", {
            "prov:startTime": "2024-05-01T10:00:00Z", "prov:endTime": "2024-05-01T10:00:05Z",
            "prov:type": "ex:Step"}) for i in range(n)), False)
        _write_group(out, "agent", ((f"ex:worker/{w}", {"prov:type": "prov:SoftwareAgent"})
                                    for w in range(max(1, n // 1000))), False)
        _write_group(out, "used", ((f"_:u{i}", {"prov:activity": f"ex:task/{i}",
                                                "prov:entity": f"ex:data/{(i * 7) % n}.csv"})
                                   for i in range(n)), False)
        _write_group(out, "wasGeneratedBy", ((f"_:g{i}", {
            "prov:entity": f"ex:data/{i}.csv", "prov:activity": f"ex:task/{i}",
            "prov:time": "2024-05-01T10:00:05Z"}) for i in range(n)), False)
        _write_group(out, "wasAssociatedWith", ((f"_:w{i}", {
            "prov:activity": f"ex:task/{i}", "prov:agent": f"ex:worker/{i % max(1, n // 1000)}"})
            for i in range(0, n, 3)), False)
        _write_group(out, "wasDerivedFrom", ((f"_:d{i}", {
            "prov:generatedEntity": f"ex:data/{i}.csv",
            "prov:usedEntity": f"ex:data/{(i * 7) % n}.csv"}) for i in range(0, n, 2)), False)
        out.write(',"prefix":{"ex":"http://example.org/run/"}}')


def run(path: Path, src: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    with tempfile.TemporaryDirectory() as store:
        done = subprocess.run([sys.executable, "-c", CHILD, str(path), store], env=env,
                              capture_output=True, text=True, check=False,
                              cwd=src or HERE)
    if done.returncode != 0:
        raise SystemExit(f"import of {path} failed: {done.stderr.strip()[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[50, 200])
    parser.add_argument("--smoke", action="store_true", help="one 1 MB document")
    parser.add_argument("--before-src", type=Path, help="source tree of the version before")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    sizes = [1.0] if args.smoke else args.mb
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for mb in sizes:
            path = Path(work) / f"doc-{mb:g}mb.json"
            generate(path, mb)
            size = path.stat().st_size / 1e6
            sides = [("before", args.before_src)] if args.before_src else []
            sides.append(("after", None))
            for side, src in sides:
                figures = run(path, src)
                rows.append({"side": side, "mb": round(size, 1), **figures})
                print(f"{size:7.1f} MB  {side:6}  {figures['seconds']:7.1f} s  "
                      f"{figures['rss_mib']:7.0f} MiB peak RSS  {figures['records']} records "
                      f"-> {figures['nodes']} nodes, {figures['edges']} edges", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
