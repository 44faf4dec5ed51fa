"""OpenLineage run events per second through ``provgraph import`` into the embedded store.

    .venv/bin/python benchmarks/openlineage_ingest.py            # 20k runs (40k events)
    .venv/bin/python benchmarks/openlineage_ingest.py --smoke    # 500 runs, seconds

Events are made as the openlineage-python client serializes them (``Serde.to_dict`` of its
``RunEvent``): chains of runs, each reading the dataset the previous one wrote, START then
COMPLETE, with a parent run and a schema facet, written one per line as the client's file
transport writes them. Timed separately, in one process on a fresh store: reading and
checking every line (``read_events``), and mapping and writing them (``import_events``,
chunks of 2000, one transaction each). Prints events per second for each and end to end.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import orjson
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import parent_run, schema_dataset
from openlineage.client.serde import Serde
from openlineage.client.uuid import generate_new_uuid

from exports.openlineage.importer import import_events
from exports.openlineage.reader import read_events
from keeper.stores.embedded import EmbeddedStore


def make_events(path: Path, runs: int, chain: int = 10) -> int:
    schema = schema_dataset.SchemaDatasetFacet(fields=[
        schema_dataset.SchemaDatasetFacetFields(name=n, type="int") for n in ("id", "x", "y")])
    parent = parent_run.ParentRunFacet(run=parent_run.Run(runId=str(generate_new_uuid())),
                                       job=parent_run.Job(namespace="bench", name="nightly"))
    count = 0
    with path.open("wb") as out:
        for i in range(runs):
            link = i % chain
            ins = [InputDataset(namespace="s3://bench", name=f"c{i // chain}/d{link}.csv",
                                facets={"schema": schema})]
            outs = [OutputDataset(namespace="s3://bench", name=f"c{i // chain}/d{link + 1}.csv",
                                  facets={"schema": schema})]
            run = Run(runId=str(generate_new_uuid()), facets={"parent": parent})
            for state, second in ((RunState.START, 0), (RunState.COMPLETE, 5)):
                event = RunEvent(eventType=state, eventTime=f"2024-05-01T10:00:0{second}Z",
                                 run=run, job=Job(namespace="bench", name=f"step{link}"),
                                 inputs=ins, outputs=outs, producer="https://example.org/bench")
                out.write(orjson.dumps(Serde.to_dict(event)) + b"\n")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--smoke", action="store_true", help="500 runs: a quick check")
    args = parser.parse_args()
    runs = 500 if args.smoke else args.runs
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        count = make_events(path, runs)
        store = EmbeddedStore.open(Path(tmp) / "store")
        t0 = time.perf_counter()
        events = read_events(path)
        t1 = time.perf_counter()
        result = import_events(store, events)
        t2 = time.perf_counter()
        store.close()
    assert result.events == count
    print(f"{count} events ({runs} runs, START + COMPLETE)")
    print(f"  read + check : {count / (t1 - t0):>10,.0f} events/s  ({t1 - t0:.2f} s)")
    print(f"  map + write  : {count / (t2 - t1):>10,.0f} events/s  ({t2 - t1:.2f} s)")
    print(f"  end to end   : {count / (t2 - t0):>10,.0f} events/s  "
          f"({result.nodes} nodes, {result.edges} edges written)")


if __name__ == "__main__":
    main()
