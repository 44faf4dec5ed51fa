"""Settings: built-in defaults, then a YAML file, then environment variables (which win).

The YAML file is ``$PROVGRAPH_SETTINGS`` or ``./provgraph.yaml`` when present; no file is
needed. Every value is checked against the type of its default, so a typo in a file is
reported with the file and the dotted key instead of surfacing later as a strange failure.

    >>> from capture.settings import get_settings
    >>> get_settings().hub.kind
    'file'
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from capture.errors import SettingsError

# A key is secret when one of its ``_``/``-``/``.`` separated words is one of these
# (``redis_password``, ``api_key``, ``AUTH_TOKEN``; not ``tokenizer`` or ``monkey``).
SECRET_KEY_PATTERN = re.compile(
    r"(^|[_\-.])(password|passwd|pass|pwd|secret|token|key|apikey|credentials?|auth)([_\-.]|$)",
    re.IGNORECASE,
)
REDACTED = "***"


@dataclass
class TelemetrySettings:
    enabled: bool = False
    cpu: bool = True
    mem: bool = True
    disk: bool = True
    network: bool = True
    process: bool = True
    gpu: bool = True


@dataclass
class InstrumentationSettings:
    enabled: bool = True
    replace_non_json_serializable: bool = True
    telemetry: TelemetrySettings = field(default_factory=TelemetrySettings)


@dataclass
class BufferSettings:
    max_batch: int = 1000
    flush_interval_s: float = 1.0
    max_queue: int = 100_000
    delete_previous_file: bool = True


@dataclass
class FileHubSettings:
    path: str = ""  # empty: <data_dir>/buffer.jsonl


@dataclass
class RedisHubSettings:
    url: str = "redis://127.0.0.1:6379/0"
    stream: str = "provgraph:messages"
    dead_letter_stream: str = "provgraph:dead-letter"
    group: str = "provgraph-keepers"
    spool_dir: str = ""  # empty: <data_dir>/spool
    max_stream_len: int = 0  # 0: no trimming
    connect_timeout_s: float = 2.0
    socket_timeout_s: float = 5.0
    retry_interval_s: float = 1.0


@dataclass
class HubSettings:
    kind: str = "file"
    file: FileHubSettings = field(default_factory=FileHubSettings)
    redis: RedisHubSettings = field(default_factory=RedisHubSettings)


@dataclass
class Neo4jSettings:
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str = "provgraph-dev-password"
    database: str = "neo4j"
    batch_size: int = 2000


@dataclass
class EmbeddedStoreSettings:
    path: str = ""  # empty: <data_dir>/embedded


@dataclass
class StoreSettings:
    kind: str = "embedded"
    neo4j: Neo4jSettings = field(default_factory=Neo4jSettings)
    embedded: EmbeddedStoreSettings = field(default_factory=EmbeddedStoreSettings)


@dataclass
class EntitySettings:
    """When a value becomes a shared, content-addressed entity (DESIGN.md section 4)."""

    min_shared_chars: int = 16
    min_shared_json_bytes: int = 16
    max_inline_bytes: int = 1024


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


@dataclass
class ServicesSettings:
    redis_port: int = 6379
    redis_password: str = ""
    neo4j_bolt_port: int = 7687
    neo4j_heap: str = "1536m"
    neo4j_pagecache: str = "512m"
    start_timeout_s: float = 180.0


@dataclass
class Settings:
    data_dir: str = "./provgraph-data"
    environment_id: str = ""
    instrumentation: InstrumentationSettings = field(default_factory=InstrumentationSettings)
    buffer: BufferSettings = field(default_factory=BufferSettings)
    hub: HubSettings = field(default_factory=HubSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    entities: EntitySettings = field(default_factory=EntitySettings)
    keeper: KeeperSettings = field(default_factory=KeeperSettings)
    services: ServicesSettings = field(default_factory=ServicesSettings)
    source: str = ""  # the settings file that was read, if any

    # Derived paths, kept here so every component agrees on them.
    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser()

    @property
    def buffer_file(self) -> Path:
        return Path(self.hub.file.path) if self.hub.file.path else self.data_path / "buffer.jsonl"

    @property
    def redis_spool_dir(self) -> Path:
        spool = self.hub.redis.spool_dir
        return Path(spool) if spool else self.data_path / "spool"

    @property
    def keeper_dir(self) -> Path:
        """Keeper state: the file hub's read offset, the file hub's dead letters."""
        return self.data_path / "keeper"

    @property
    def embedded_store_dir(self) -> Path:
        path = self.store.embedded.path
        return Path(path) if path else self.data_path / "embedded"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def redacted(self) -> dict[str, Any]:
        """The resolved settings with secrets (passwords, tokens, keys) replaced."""
        return redact(self.to_dict())


# Environment variable -> dotted settings key. Environment wins over the file.
ENV_VARS: dict[str, str] = {
    "PROVGRAPH_HUB": "hub.kind",
    "PROVGRAPH_REDIS_URL": "hub.redis.url",
    "PROVGRAPH_REDIS_STREAM": "hub.redis.stream",
    "PROVGRAPH_STORE": "store.kind",
    "PROVGRAPH_NEO4J_URI": "store.neo4j.uri",
    "PROVGRAPH_NEO4J_USER": "store.neo4j.user",
    "PROVGRAPH_NEO4J_PASSWORD": "store.neo4j.password",
    "PROVGRAPH_DATA_DIR": "data_dir",
    "PROVGRAPH_INSTRUMENTATION": "instrumentation.enabled",
    "PROVGRAPH_TELEMETRY": "instrumentation.telemetry.enabled",
    "PROVGRAPH_ENVIRONMENT_ID": "environment_id",
}

CHOICES: dict[str, tuple[str, ...]] = {
    "hub.kind": ("file", "redis", "memory"),
    "store.kind": ("embedded", "neo4j"),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def redact(value: Any) -> Any:
    """Copy of ``value`` with every secret-looking key's value replaced by ``***``.

    Also hides the password of URLs like ``redis://user:pw@host``.
    """
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and SECRET_KEY_PATTERN.search(key) and item not in (None, ""):
                out[key] = REDACTED
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str) and "://" in value and "@" in value:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1" + REDACTED + "@", value)
    return value


def _coerce(raw: Any, default: Any, key: str, origin: str) -> Any:
    """Convert ``raw`` to the type of ``default`` or raise a SettingsError naming the key."""
    expected = type(default)
    try:
        if expected is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(raw)
        if expected is int and not isinstance(raw, bool):
            return int(raw)
        if expected is float and not isinstance(raw, bool):
            return float(raw)
        if expected is str:
            if isinstance(raw, dict | list):
                raise ValueError(raw)
            return "" if raw is None else str(raw)
    except (TypeError, ValueError):
        pass
    raise SettingsError(
        f"{origin}: key '{key}' must be a {expected.__name__}, got {raw!r}"
    )


def _apply(target: Any, values: dict[str, Any], origin: str, prefix: str = "") -> None:
    if not isinstance(values, dict):
        raise SettingsError(f"{origin}: key '{prefix.rstrip('.') or '<root>'}' must be a mapping")
    known = {f.name: f for f in dataclasses.fields(target)}
    for name, raw in values.items():
        key = f"{prefix}{name}"
        if name not in known or name == "source":
            raise SettingsError(f"{origin}: unknown key '{key}'")
        current = getattr(target, name)
        if dataclasses.is_dataclass(current):
            _apply(current, raw, origin, prefix=f"{key}.")
            continue
        value = _coerce(raw, current, key, origin)
        if key in CHOICES and value not in CHOICES[key]:
            raise SettingsError(
                f"{origin}: key '{key}' must be one of {', '.join(CHOICES[key])}, got {value!r}"
            )
        setattr(target, name, value)


def _set_dotted(target: dict[str, Any], dotted: str, value: Any) -> None:
    node = target
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def settings_file_path(environ: dict[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    explicit = env.get("PROVGRAPH_SETTINGS")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SettingsError(f"{path}: PROVGRAPH_SETTINGS names a file that does not exist")
        return path
    local = Path("provgraph.yaml")
    return local if local.is_file() else None


def load_settings(
    path: str | Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Resolve settings: defaults, then ``path`` (or the discovered file), then environment."""
    env = dict(os.environ if environ is None else environ)
    settings = Settings()
    file_path = Path(path) if path is not None else settings_file_path(env)
    if file_path is not None:
        try:
            loaded = yaml.safe_load(file_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(f"{file_path}: cannot read settings file ({exc})") from exc
        except yaml.YAMLError as exc:
            raise SettingsError(f"{file_path}: not valid YAML ({exc})") from exc
        if loaded is not None:
            _apply(settings, loaded, str(file_path))
        settings.source = str(file_path)
    overrides: dict[str, Any] = {}
    for var, dotted in ENV_VARS.items():
        if var in env:
            _set_dotted(overrides, dotted, env[var])
    if overrides:
        _apply(settings, overrides, "environment")
    return settings


_lock = threading.Lock()
_current: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, resolved once on first use."""
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = load_settings()
    return _current


def set_settings(settings: Settings | None) -> None:
    """Replace the process-wide settings (``None``: resolve again on next use)."""
    global _current
    with _lock:
        _current = copy.deepcopy(settings) if settings is not None else None
