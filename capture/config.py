"""capture's settings sections: instrumentation (telemetry) and the batching buffer.

The hubs' sections are in :mod:`capture.hubs.config`; the loader is :mod:`provgraph.core.config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.core.config import section


@dataclass
class TelemetrySettings:
    enabled: bool = False
    cpu: bool = True
    mem: bool = True
    disk: bool = True
    network: bool = True
    process: bool = True
    gpu: bool = True


@section("instrumentation", env={
    "PROVGRAPH_INSTRUMENTATION": "enabled",
    "PROVGRAPH_TELEMETRY": "telemetry.enabled",
})
@dataclass
class InstrumentationSettings:
    enabled: bool = True
    replace_non_json_serializable: bool = True
    # A captured value whose JSON (raw size for arrays and bytes) is above this many bytes
    # is recorded as a summary (type, length or dtype and shape, size, sha256), not
    # copied (capture/serialize.py). 0: no cap.
    max_value_bytes: int = 256 * 1024
    # Lineage by identity (capture/handoff.py): how many objects that tasks produced are
    # remembered, so a later task that receives one depends on its producer. 0: off.
    passed_objects: int = 4096
    telemetry: TelemetrySettings = field(default_factory=TelemetrySettings)


@section("buffer")
@dataclass
class BufferSettings:
    max_batch: int = 1000
    flush_interval_s: float = 1.0
    max_queue: int = 100_000
    delete_previous_file: bool = True
    # Raw task ``data`` (bytes) stays in this process for ``get_buffer()``; past this many
    # bytes the oldest is let go (the graph keeps their hash, size and media type anyway).
    keep_data_bytes: int = 256 << 20
