"""Aggregated telemetry of a run: what the tasks' start and end snapshots say together.

Snapshots are the capture layer's (``telemetry_at_start`` / ``telemetry_at_end``: cpu,
memory, disk, network, process, gpu); anything missing or malformed is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from exports.report.values import Stats, number_at, stats


@dataclass
class TelemetrySummary:
    tasks: int = 0  # tasks with at least one snapshot
    cpu_percent: Stats | None = None  # whole machine, at task ends
    memory_percent: Stats | None = None
    process_rss_max: float | None = None
    disk_read_bytes: float | None = None  # sums of per-task deltas (end - start)
    disk_write_bytes: float | None = None
    net_sent_bytes: float | None = None
    net_recv_bytes: float | None = None
    gpu_utilization: Stats | None = None
    # (time, cpu %, memory %) of every snapshot, in time order, for plots
    series: list[tuple[float, float | None, float | None]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.tasks > 0


_CPU = (("cpu", "percent_all"), ("cpu", "percent"))
_MEM = (("memory", "virtual", "percent"), ("memory", "percent"))
_RSS = (("process", "memory", "rss"),)
_DELTAS = {
    "disk_read_bytes": (("disk", "io_sum", "read_bytes"),),
    "disk_write_bytes": (("disk", "io_sum", "write_bytes"),),
    "net_sent_bytes": (("network", "netio_sum", "bytes_sent"),),
    "net_recv_bytes": (("network", "netio_sum", "bytes_recv"),),
}


def summarize(tasks: Iterable[Mapping[str, Any]]) -> TelemetrySummary:
    summary = TelemetrySummary()
    cpu: list[float] = []
    mem: list[float] = []
    gpu: list[float] = []
    rss: list[float] = []
    deltas: dict[str, list[float]] = {name: [] for name in _DELTAS}
    for task in tasks:
        start = task.get("telemetry_at_start")
        end = task.get("telemetry_at_end")
        start = start if isinstance(start, Mapping) else None
        end = end if isinstance(end, Mapping) else None
        if start is None and end is None:
            continue
        summary.tasks += 1
        for snapshot, when in ((start, task.get("started_at")), (end, task.get("ended_at"))):
            if snapshot is None or not isinstance(when, int | float):
                continue
            summary.series.append((float(when), number_at(snapshot, _CPU),
                                   number_at(snapshot, _MEM)))
        last = end or start
        assert last is not None
        for values, paths in ((cpu, _CPU), (mem, _MEM), (rss, _RSS)):
            found = number_at(last, paths)
            if found is not None:
                values.append(found)
        gpus = last.get("gpu")
        if isinstance(gpus, list):
            gpu.extend(float(g["gpu_utilization"]) for g in gpus
                       if isinstance(g, Mapping)
                       and isinstance(g.get("gpu_utilization"), int | float))
        if start is not None and end is not None:
            for name, paths in _DELTAS.items():
                before, after = number_at(start, paths), number_at(end, paths)
                if before is not None and after is not None and after >= before:
                    deltas[name].append(after - before)
    summary.series.sort(key=lambda point: point[0])
    summary.cpu_percent = stats(cpu)
    summary.memory_percent = stats(mem)
    summary.gpu_utilization = stats(gpu)
    summary.process_rss_max = max(rss) if rss else None
    for name, values in deltas.items():
        setattr(summary, name, sum(values) if values else None)
    return summary
