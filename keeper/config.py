"""The keeper's settings section: how much it reads at once, how it waits and retries."""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.core.config import section


@section("keeper", paths={"keeper_dir": ("", "keeper")})
@dataclass
class KeeperSettings:
    # Hub entries per read, written in one transaction. A Redis entry is one captured
    # batch (up to buffer.max_batch messages); for the file hub, 500 lines count as one.
    # 4 x 1000 messages is near the best Neo4j transaction size (benchmarks/README.md).
    read_count: int = 4
    block_ms: int = 500  # how long a read waits for new entries
    # Pending entries of a keeper idle this long are claimed by another: keep it well
    # above the time one write takes, or live keepers redo each other's batches.
    claim_idle_s: float = 30.0
    retry_initial_s: float = 0.2  # store down: first backoff, doubled up to retry_max_s
    retry_max_s: float = 5.0
    progress_interval_s: float = 1.0
    # File hub: a line longer than this goes to the dead letters (its first bytes kept)
    # instead of being read whole; an incomplete last line left unchanged this long is the
    # torn tail of a producer that died mid-write, and goes to the dead letters too.
    max_line_bytes: int = 16 * 1024 * 1024
    torn_line_s: float = 10.0
