"""Producer throughput into Redis, and the Redis hub's own ceiling, in messages/s.

    .venv/bin/python benchmarks/redis_producer.py [--calls N] [--repeats R]
        [--batch-sizes 200,1000,5000] [--redis-url URL] [--json PATH]

Needs a Redis (``make services`` starts one on 127.0.0.1:6379). Three figures per batch
size (``buffer.max_batch``), each the median over the rounds (after a warm-up) with the
min-max over the rounds as a measure of noise:

1. **producer -> Redis** (target >= 100k messages/s, benchmarks/README.md): N task messages
   made by ``@flowcept_task`` calls of ``def f(x): return x + 1`` inside
   ``with Flowcept(..., start_persistence=False)`` with ``PROVGRAPH_HUB=redis`` on a
   private stream (deleted at the end), timed from the first call until every message is
   in the stream: N calls, then ``capture.recorder.flush()`` (returns once the hub's XADD
   of the last batch was answered) and an ``XLEN``. Outside the timer the stream is read
   back and its entries (one JSON array of messages each) decoded: exactly N task
   messages must be there.
2. **hub alone**: the same N messages, pre-encoded (the lines a file-hub run wrote), split
   in batches of the batch size and pushed through ``RedisHub.emit`` one batch after the
   other: the hub's ceiling without the decorator's cost. ``encode_batch`` alone (the
   join that builds each entry's payload) is timed too, to split the hub's time.
3. **Redis vs file hub**: the µs per task that the Redis hub adds over the file hub
   (JSONL in a temp dir), same decorated function, same N, same round: both runs come
   right after each other (their order alternates between rounds), each after a plain run
   of the same loop, which is shown as the baseline.

Redis runs on the same machine as the producer here, so the server's CPU time competes
with the producer's. A missed target is reported, never an error exit: benchmarks are not
tests. Without a reachable Redis only that is printed (exit 0).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The plain function and loop are those of capture_overhead.py (and its reference).
from figures import add_smoke, apply_smoke, write_figures
from flowcept_reference import plain, run_plain

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without an install too

import orjson  # noqa: E402
import redis  # noqa: E402

from capture import Flowcept, flowcept_task, recorder  # noqa: E402
from capture.hubs.redis_stream import RedisHub, decode_entry  # noqa: E402
from provgraph.core.config import Settings, load_settings  # noqa: E402
from provgraph.core.wire import encode_batch  # noqa: E402

TARGET_MSGS_PER_S = 100_000
DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_BATCH_SIZES = (200, 1000, 5000)
DEFAULT_BATCH = Settings().buffer.max_batch  # 1000


def make_settings(kind: str, workdir: Path, url: str, stream: str, max_batch: int) -> Settings:
    """Defaults with the hub, data dir and batch size of this benchmark.

    ``load_settings`` with an explicit environment and an empty settings file, so neither
    the caller's ``PROVGRAPH_*`` variables nor a ``./provgraph.yaml`` change the figures.
    """
    settings = load_settings(
        path=os.devnull,
        environ={
            "PROVGRAPH_HUB": kind,
            "PROVGRAPH_DATA_DIR": str(workdir),
            "PROVGRAPH_REDIS_URL": url,
            "PROVGRAPH_REDIS_STREAM": stream,
        },
    )
    settings.buffer.max_batch = max_batch
    settings.buffer.max_queue = max(settings.buffer.max_queue, max_batch)
    return settings


class Bench:
    """A temp data dir, a private stream, and the decorated function."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.workdir = Path(tempfile.mkdtemp(prefix="provgraph-redis-bench-"))
        self.stream = f"provgraph:bench:redis_producer:{os.getpid()}-{os.urandom(4).hex()}"
        self.client: Any = redis.Redis.from_url(url, socket_connect_timeout=2.0)
        self.func: Callable[[int], int] = flowcept_task(plain)

    def close(self) -> None:
        # Close the last recorder (and its hub) on a hub that needs nothing.
        recorder.configure(make_settings("memory", self.workdir, self.url, self.stream, 1000))
        try:
            self.client.delete(self.stream)
        finally:
            self.client.close()
            shutil.rmtree(self.workdir, ignore_errors=True)

    def settings(self, kind: str, max_batch: int) -> Settings:
        return make_settings(kind, self.workdir, self.url, self.stream, max_batch)

    # --- 1 and 3: the decorator, flush included -------------------------------------------

    def stream_messages(self) -> int:
        count = 0
        for _, fields in self.client.xrange(self.stream):
            count += sum(1 for m in decode_entry(fields) if m.get("type") == "task")
        return count

    def run_decorated(self, kind: str, max_batch: int, calls: int, warmup: int) -> float:
        """Seconds for ``calls`` decorated calls until all their messages are delivered."""
        settings = self.settings(kind, max_batch)
        recorder.configure(settings)
        func = self.func
        with Flowcept(workflow_name="redis_producer", start_persistence=False):
            for i in range(warmup):  # connection, worker thread, caches
                func(i)
            recorder.flush()
            if kind == "redis":
                self.client.delete(self.stream)
            elif settings.buffer_file.exists():
                os.truncate(settings.buffer_file, 0)  # O_APPEND writer: safe
            start = time.perf_counter()
            for i in range(calls):
                func(i)
            flushed = recorder.flush()
            if kind == "redis":
                self.client.xlen(self.stream)
            elapsed = time.perf_counter() - start
        if kind == "redis":
            delivered = self.stream_messages()
            hub = recorder.STATE.recorder.hub if recorder.STATE.recorder else None
            if isinstance(hub, RedisHub) and hub.spool.count():
                raise RuntimeError("the Redis hub spooled batches: Redis did not answer")
        else:
            delivered = len(task_lines(settings.buffer_file))
        if not flushed or delivered != calls:
            raise RuntimeError(f"{kind} hub delivered {delivered} messages for {calls} calls")
        return elapsed

    def encoded_messages(self, calls: int) -> list[bytes]:
        """``calls`` task messages as the decorator encodes them (a file-hub run's lines)."""
        settings = self.settings("file", DEFAULT_BATCH)
        recorder.configure(settings)
        with Flowcept(workflow_name="redis_producer", start_persistence=False):
            recorder.flush()
            os.truncate(settings.buffer_file, 0)
            for i in range(calls):
                self.func(i)
            recorder.flush()
        messages = task_lines(settings.buffer_file)
        if len(messages) != calls:
            raise RuntimeError(f"file hub wrote {len(messages)} messages for {calls} calls")
        return messages

    # --- 2: the hub alone -------------------------------------------------------------------

    def run_hub(self, hub: RedisHub, batches: list[list[bytes]]) -> float:
        """Seconds to ``emit`` every batch (each call returns once Redis answered)."""
        self.client.delete(self.stream)
        start = time.perf_counter()
        for batch in batches:
            hub.emit(batch)
        elapsed = time.perf_counter() - start
        entries = self.client.xlen(self.stream)
        if hub.spool.count() or entries != len(batches):
            raise RuntimeError(f"the hub wrote {entries} entries for {len(batches)} batches "
                               f"({hub.spool.count()} spooled)")
        return elapsed


def task_lines(path: Path) -> list[bytes]:
    """The task messages a file-hub run wrote, one line each: a run also writes its
    workflow message (and control messages), which are not calls."""
    return [line for line in path.read_bytes().split(b"\n")
            if line and orjson.loads(line).get("type") == "task"]


def run_encode(batches: list[list[bytes]]) -> float:
    start = time.perf_counter()
    for batch in batches:
        encode_batch(batch)
    return time.perf_counter() - start


# --- measuring and reporting ---------------------------------------------------------------

FIGURES = (
    "producer_msgs_per_s", "hub_msgs_per_s", "encode_msgs_per_s",
    "plain_us", "file_us", "redis_us", "redis_added_us",
)


def measure(
    bench: Bench, sizes: list[int], calls: int, repeats: int, warmup: int
) -> dict[int, dict[str, list[float]]]:
    rounds = {size: {key: [] for key in FIGURES} for size in sizes}
    encoded = bench.encoded_messages(calls)
    payload_mb = sum(len(m) for m in encoded) / 1e6
    print(f"  {len(encoded)} messages, {payload_mb / len(encoded) * 1e6:.0f} bytes each "
          f"on average ({payload_mb:.1f} MB per run)", flush=True)
    hub_batches = {size: [encoded[i:i + size] for i in range(0, calls, size)] for size in sizes}
    hubs = {
        size: RedisHub.from_settings(bench.settings("redis", size)) for size in sizes
    }
    try:
        for size in sizes:  # warm-up: connections, the stream's first allocation
            bench.run_hub(hubs[size], hub_batches[size][:max(1, warmup // size)])
        for round_no in range(1, repeats + 1):
            order = ("file", "redis") if round_no % 2 else ("redis", "file")
            for size in sizes:
                figures = rounds[size]
                per_call: dict[str, float] = {}
                bases = []
                for kind in order:
                    bases.append(run_plain(calls))
                    elapsed = bench.run_decorated(kind, size, calls, warmup)
                    per_call[kind] = elapsed / calls * 1e6
                    if kind == "redis":
                        figures["producer_msgs_per_s"].append(calls / elapsed)
                figures["plain_us"].append(statistics.median(bases) / calls * 1e6)
                figures["file_us"].append(per_call["file"])
                figures["redis_us"].append(per_call["redis"])
                figures["redis_added_us"].append(per_call["redis"] - per_call["file"])
                hub_s = bench.run_hub(hubs[size], hub_batches[size])
                figures["hub_msgs_per_s"].append(calls / hub_s)
                figures["encode_msgs_per_s"].append(calls / run_encode(hub_batches[size]))
            line = "; ".join(
                f"batch {size}: producer {rounds[size]['producer_msgs_per_s'][-1] / 1e3:.0f}k/s,"
                f" hub {rounds[size]['hub_msgs_per_s'][-1] / 1e3:.0f}k/s,"
                f" +{rounds[size]['redis_added_us'][-1]:.2f} µs"
                for size in sizes
            )
            print(f"  round {round_no}/{repeats}: {line}", flush=True)
    finally:
        for hub in hubs.values():
            hub.close()
    return rounds


def summarize(rounds: dict[int, dict[str, list[float]]]) -> dict[str, Any]:
    return {
        str(size): {
            **{key: statistics.median(values) for key, values in figures.items()},
            "rounds": figures,
        }
        for size, figures in rounds.items()
    }


def spread(figures: dict[str, Any], key: str, scale: float, digits: int) -> str:
    values = [v / scale for v in figures["rounds"][key]]
    return (f"{figures[key] / scale:.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def report(summary: dict[str, Any], default_size: int) -> dict[str, Any]:
    print()
    print("messages/s in thousands, median (min-max over the rounds); "
          f"target >= {TARGET_MSGS_PER_S // 1000}k messages/s")
    header = (f"{'batch':>6} {'producer -> Redis':>20} {'hub alone (emit)':>20} "
              f"{'encode_batch only':>22}  met")
    print(header)
    met = {}
    for size, figures in summary.items():
        ok = figures["producer_msgs_per_s"] >= TARGET_MSGS_PER_S
        met[size] = ok
        print(f"{size:>6} {spread(figures, 'producer_msgs_per_s', 1e3, 0):>20} "
              f"{spread(figures, 'hub_msgs_per_s', 1e3, 0):>20} "
              f"{spread(figures, 'encode_msgs_per_s', 1e3, 0):>22}  {'yes' if ok else 'NO'}")
    print()
    print("µs per task, flush included (loop included), median (min-max over the rounds)")
    print(f"{'batch':>6} {'plain loop':>18} {'file hub':>18} {'redis hub':>18} "
          f"{'redis - file':>18}")
    for size, figures in summary.items():
        print(f"{size:>6} {spread(figures, 'plain_us', 1, 3):>18} "
              f"{spread(figures, 'file_us', 1, 2):>18} {spread(figures, 'redis_us', 1, 2):>18} "
              f"{spread(figures, 'redis_added_us', 1, 2):>18}")
    key = str(default_size)
    if key in summary:
        figures = summary[key]
        print(f"\nat the default batch ({default_size}): producer -> Redis "
              f"{figures['producer_msgs_per_s'] / 1e3:.0f}k messages/s "
              f"({'meets' if met[key] else 'MISSES'} >= {TARGET_MSGS_PER_S // 1000}k), "
              f"hub ceiling {figures['hub_msgs_per_s'] / 1e3:.0f}k messages/s, Redis hub "
              f"{figures['redis_added_us']:+.2f} µs per task over the file hub")
    return {"target_msgs_per_s": TARGET_MSGS_PER_S, "met": met}


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("batch sizes must be integers >= 1")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Producer throughput into Redis (@flowcept_task messages, flush "
        "included), the Redis hub's own ceiling (RedisHub.emit of pre-encoded batches), "
        "and the µs per task the Redis hub adds over the file hub, per batch size."
    )
    parser.add_argument("--calls", type=int, default=100_000,
                        help="decorated calls (= messages) per run (100000)")
    parser.add_argument("--repeats", type=int, default=7, help="rounds; the median is kept (7)")
    parser.add_argument("--warmup", type=int, default=5_000,
                        help="calls before each timed run, not timed (5000)")
    parser.add_argument("--batch-sizes", type=parse_sizes,
                        default=list(DEFAULT_BATCH_SIZES), metavar="N,N,...",
                        help="buffer.max_batch values to measure (200,1000,5000; "
                        f"the default setting is {DEFAULT_BATCH})")
    parser.add_argument("--redis-url", default=os.environ.get("PROVGRAPH_REDIS_URL", DEFAULT_URL),
                        help=f"Redis to write to ($PROVGRAPH_REDIS_URL or {DEFAULT_URL})")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    add_smoke(parser)
    args = apply_smoke(parser.parse_args(argv), calls=2000, repeats=1, warmup=200,
                       batch_sizes=[DEFAULT_BATCH])
    if args.calls < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--calls and --repeats must be >= 1, --warmup >= 0")

    load = os.getloadavg()
    print(f"redis producer: {args.calls} messages x {args.repeats} rounds, batch sizes "
          f"{', '.join(map(str, args.batch_sizes))}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f}, Python {platform.python_version()}, "
          f"redis-py {redis.__version__}", flush=True)
    bench = Bench(args.redis_url)
    try:
        info = bench.client.info("server")
    except redis.RedisError as exc:
        print(f"no Redis at {args.redis_url} ({exc}); start one with: make services")
        bench.client.close()
        shutil.rmtree(bench.workdir, ignore_errors=True)
        return 0
    print(f"  Redis {info.get('redis_version')} at {args.redis_url}, stream {bench.stream}",
          flush=True)
    try:
        rounds = measure(bench, args.batch_sizes, args.calls, args.repeats, args.warmup)
    finally:
        bench.close()
    summary = summarize(rounds)
    comparison = report(summary, DEFAULT_BATCH)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")

    if args.json is not None:
        write_figures(
            args.json, "redis_producer",
            {"calls": args.calls, "repeats": args.repeats, "warmup": args.warmup,
             "default_batch": DEFAULT_BATCH},
            {"batch_sizes": summary, **comparison},
            machine={"load_average_start": load[0], "load_average_end": os.getloadavg()[0],
                     "redis_version": info.get("redis_version"), "redis_py": redis.__version__},
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
