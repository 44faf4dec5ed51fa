"""Settings: built-in defaults, then a YAML file, then environment variables (which win).

Each component declares its own section where it lives, as a dataclass:

    @section("hub.redis", env={"PROVGRAPH_REDIS_URL": "url"})
    @dataclass
    class RedisHubSettings:
        url: str = "redis://127.0.0.1:6379/0"

and the distribution lists the class in the ``provgraph.settings`` entry-point group, so a
process that never imports the Redis hub still knows its section, its environment
variables and its defaults (a keeper reads the same ``hub.redis.url`` as the producers).
A section's field may name the registry its value is a kind of
(``field(metadata={"registry": "provgraph.hubs"})``): the value is then checked against
the kinds installed, not a fixed list.

The YAML file is ``$PROVGRAPH_SETTINGS`` or ``./provgraph.yaml`` when present; no file is
needed. Every value is checked against the type of its default, so a typo is reported
with the file and the dotted key instead of surfacing later as a strange failure.

    >>> from provgraph.core.config import get_settings
    >>> get_settings().hub.kind
    'file'
"""

from __future__ import annotations

import copy
import dataclasses
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from provgraph.core import registry
from provgraph.core.errors import SettingsError
from provgraph.core.redact import redact

T = TypeVar("T")

SECTION_ATTR = "__provgraph_section__"


@dataclass(frozen=True)
class SectionSpec:
    """Where a settings dataclass sits in the tree and how the environment sets it."""

    path: str  # dotted, e.g. "hub.redis"; "" is the root (data_dir, environment_id)
    cls: type
    env: Mapping[str, str]  # environment variable -> field name
    # root attribute -> (field of this section that overrides it, default name under data_dir)
    paths: Mapping[str, tuple[str, str]]


_declared: dict[str, SectionSpec] = {}
_declared_lock = threading.Lock()
_entry_points_loaded = False


def section(
    path: str,
    *,
    env: Mapping[str, str] | None = None,
    paths: Mapping[str, tuple[str, str]] | None = None,
) -> Callable[[type[T]], type[T]]:
    """Declare a dataclass as the settings section at ``path``.

    ``env`` maps environment variables to its fields. ``paths`` publishes locations under
    the data directory as attributes of the root settings: ``{"buffer_file": ("path",
    "buffer.jsonl")}`` makes ``settings.buffer_file`` this section's ``path`` when set, else
    ``<data_dir>/buffer.jsonl`` (``""`` as the field: never overridden).
    """

    def declare(cls: type[T]) -> type[T]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"settings section {path!r}: {cls.__name__} must be a dataclass")
        spec = SectionSpec(path, cls, dict(env or {}), dict(paths or {}))
        with _declared_lock:
            for other in _declared.values():
                if other.path == path or other.cls is cls:
                    continue
                clash = set(other.env) & set(spec.env)
                if clash:
                    raise SettingsError(
                        f"sections {other.path!r} and {path!r} both claim {sorted(clash)}"
                    )
            _declared[path] = spec
        setattr(cls, SECTION_ATTR, spec)
        return cls

    return declare


@section("", env={"PROVGRAPH_DATA_DIR": "data_dir", "PROVGRAPH_ENVIRONMENT_ID": "environment_id"})
@dataclass
class CoreSettings:
    """The root: where provgraph keeps its files, and a label for this environment."""

    data_dir: str = "./provgraph-data"
    environment_id: str = ""


def declared_sections() -> list[SectionSpec]:
    """Every section: the installed ones (entry points) and those declared in-process,
    parents before children."""
    global _entry_points_loaded
    if not _entry_points_loaded:
        for ep in registry.entry_points(registry.SETTINGS).values():
            registry.load_entry_point(ep, "settings section")  # runs its @section
        _entry_points_loaded = True
    with _declared_lock:
        specs = list(_declared.values())
    return sorted(specs, key=lambda s: (s.path.count(".") if s.path else -1, s.path))


class SectionGroup:
    """A node of the settings tree that only holds sections (``store`` without fields)."""

    def __repr__(self) -> str:
        return f"SectionGroup({sorted(vars(self))})"


class Settings:
    """The resolved settings: the root fields, then one attribute per section
    (``settings.hub.redis.url``), and the published data-dir paths (``settings.buffer_file``).

    ``settings.section(RedisHubSettings)`` gives a section with its static type.
    """

    def __init__(self, *, data_dir: str | None = None, environment_id: str | None = None
                 ) -> None:
        """The defaults of every declared section (``data_dir``/``environment_id`` given)."""
        self.data_dir = CoreSettings.data_dir if data_dir is None else data_dir
        self.environment_id = (CoreSettings.environment_id if environment_id is None
                               else environment_id)
        self.source = ""  # the settings file that was read, if any
        self._nodes: dict[str, Any] = {"": self}
        self._children: dict[str, list[str]] = {"": []}
        self._paths: dict[str, tuple[str, str, str]] = {}  # attr -> (section, field, default)
        for spec in declared_sections():
            if spec.path:
                self._attach(spec.path, spec.cls())
            for attr, (field_name, default) in spec.paths.items():
                self._paths[attr] = (spec.path, field_name, default)

    def _attach(self, path: str, node: Any) -> None:
        parent_path, _, leaf = path.rpartition(".")
        if parent_path not in self._nodes:
            self._attach(parent_path, SectionGroup())
        setattr(self._nodes[parent_path], leaf, node)
        self._nodes[path] = node
        self._children.setdefault(path, [])
        self._children[parent_path].append(leaf)

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not plain attributes: the data-dir paths.
        paths = self.__dict__.get("_paths", {})
        if name in paths:
            section_path, field_name, default = paths[name]
            configured = getattr(self._nodes[section_path], field_name) if field_name else ""
            return Path(configured).expanduser() if configured else self.data_path / default
        raise AttributeError(f"settings have no section or path {name!r}")

    def section(self, cls: type[T]) -> T:
        """The section declared by ``cls``."""
        spec: SectionSpec | None = getattr(cls, SECTION_ATTR, None)
        if spec is None or spec.path not in self._nodes:
            raise SettingsError(f"{cls.__name__} is not a declared settings section")
        node: T = self._nodes[spec.path]
        return node

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser()

    def node(self, path: str) -> Any:
        return self._nodes[path]

    def to_dict(self) -> dict[str, Any]:
        return {**self._node_dict(""), "source": self.source}

    def _node_dict(self, path: str) -> dict[str, Any]:
        node = self._nodes[path]
        out: dict[str, Any] = {}
        if path == "":
            out.update(data_dir=self.data_dir, environment_id=self.environment_id)
        elif dataclasses.is_dataclass(node):
            out.update(dataclasses.asdict(node))  # type: ignore[arg-type]
        for leaf in self._children[path]:
            out[leaf] = self._node_dict(f"{path}.{leaf}" if path else leaf)
        return out

    def redacted(self) -> dict[str, Any]:
        """The resolved settings with secrets (passwords, tokens, keys) replaced."""
        redacted: dict[str, Any] = redact(self.to_dict())
        return redacted

    def __repr__(self) -> str:
        return f"Settings(data_dir={self.data_dir!r}, source={self.source!r})"


# --- loading ------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


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
    raise SettingsError(f"{origin}: key '{key}' must be a {expected.__name__}, got {raw!r}")


def _check_kind(value: str, group: str, key: str, origin: str) -> None:
    known = registry.known_kinds(group)
    if value in known or registry.is_dotted_path(value):
        return
    raise SettingsError(
        f"{origin}: key '{key}' must be one of {', '.join(known) or '(none installed)'}, "
        f"or a dotted path like 'package.module:Class'; got {value!r}"
    )


def _apply(settings: Settings, path: str, values: Any, origin: str) -> None:
    """Set the fields (and child sections) of the node at ``path`` from ``values``."""
    label = path or "<root>"
    if not isinstance(values, dict):
        raise SettingsError(f"{origin}: key '{label}' must be a mapping")
    node = settings.node(path)
    children = settings._children[path]
    fields = {f.name: f for f in dataclasses.fields(node)} if dataclasses.is_dataclass(node) \
        else {}
    if path == "":
        fields = {f.name: f for f in dataclasses.fields(CoreSettings)}
    for name, raw in values.items():
        key = f"{path}.{name}" if path else str(name)
        if name in children:
            _apply(settings, key, raw, origin)
        elif name in fields:
            _set_field(node, fields[name], raw, key, origin)
        else:
            known = sorted([*fields, *children])
            raise SettingsError(
                f"{origin}: unknown key '{key}' (known here: {', '.join(known) or 'none'})"
            )


def _set_field(target: Any, spec: dataclasses.Field[Any], raw: Any, key: str,
               origin: str) -> None:
    current = getattr(target, spec.name)
    if dataclasses.is_dataclass(current):  # a nested dataclass field of a section
        if not isinstance(raw, dict):
            raise SettingsError(f"{origin}: key '{key}' must be a mapping")
        nested = {f.name: f for f in dataclasses.fields(current)}
        for name, item in raw.items():
            if name not in nested:
                raise SettingsError(f"{origin}: unknown key '{key}.{name}'")
            _set_field(current, nested[name], item, f"{key}.{name}", origin)
        return
    value = _coerce(raw, current, key, origin)
    group = spec.metadata.get("registry")
    if group:
        _check_kind(value, group, key, origin)
    setattr(target, spec.name, value)


def _set_dotted(target: dict[str, Any], dotted: str, value: Any) -> None:
    node = target
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def environment_variables() -> Iterator[tuple[str, str]]:
    """``(variable, dotted key)`` for every environment variable a section declares."""
    for spec in declared_sections():
        for var, field_name in spec.env.items():
            yield var, f"{spec.path}.{field_name}" if spec.path else field_name


def settings_file_path(environ: Mapping[str, str] | None = None) -> Path | None:
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
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
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
            if isinstance(loaded, dict) and "source" in loaded:
                raise SettingsError(f"{file_path}: unknown key 'source'")
            _apply(settings, "", loaded, str(file_path))
        settings.source = str(file_path)
    overrides: dict[str, Any] = {}
    for var, dotted in environment_variables():
        if var in env:
            _set_dotted(overrides, dotted, env[var])
    if overrides:
        _apply(settings, "", overrides, "environment")
    return settings


def apply_settings(settings: Settings, values: Mapping[str, Any], origin: str) -> None:
    """Set ``values`` (a nested mapping shaped like the settings file) on ``settings``,
    checked exactly like the file; errors name ``origin`` and the dotted key."""
    _apply(settings, "", dict(values), origin)


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


__all__ = [
    "CoreSettings",
    "SectionSpec",
    "Settings",
    "apply_settings",
    "field",
    "get_settings",
    "load_settings",
    "section",
    "set_settings",
]
