"""Reading a workflow config: JSON, or Jsonnet through rjsonnet, plus overrides.

Jsonnet sees every environment variable as an external variable (``std.extVar('HOME')``),
as in Formed. Overrides are a JSON or Jsonnet object (inline, or a file) whose keys are
dotted paths into the config, e.g. ``{"steps.result.b": 5}``; the value replaces what is
at that path (a new key may be added at the end of a path; the rest must exist).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from provgraph.workflow.errors import WorkflowConfigError, optional

JSON_SUFFIXES = frozenset({".json"})
SCHEMA_KEY = "$schema"


def _ext_vars() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if "\x00" not in value}


def _jsonnet_error(where: str, exc: Exception) -> WorkflowConfigError:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    detail = "; ".join(lines[:2]) if lines else type(exc).__name__
    return WorkflowConfigError(f"{where}: {detail}")


def evaluate_jsonnet(path: Path | None = None, snippet: str | None = None,
                     name: str = "<overrides>") -> Any:
    """The JSON value of a Jsonnet file or snippet."""
    rjsonnet = optional("rjsonnet", "reading a Jsonnet config")
    try:
        if path is not None:
            text = rjsonnet.evaluate_file(str(path), ext_vars=_ext_vars(), preserve_order=True)
        else:
            text = rjsonnet.evaluate_snippet(name, snippet or "", ext_vars=_ext_vars(),
                                             preserve_order=True)
    except RuntimeError as exc:
        raise _jsonnet_error(str(path) if path is not None else name, exc) from None
    return orjson.loads(text)


def load_config(path: str | os.PathLike[str], overrides: str | Mapping[str, Any] | None = None
                ) -> dict[str, Any]:
    """The config at ``path`` as a dict (JSON for ``.json`` files, Jsonnet otherwise)."""
    config_path = Path(path)
    if not config_path.is_file():
        raise WorkflowConfigError(f"{config_path}: no such config file")
    if config_path.suffix in JSON_SUFFIXES:
        try:
            config = orjson.loads(config_path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise WorkflowConfigError(f"{config_path}: not valid JSON: {exc}") from None
    else:
        config = evaluate_jsonnet(config_path)
    if not isinstance(config, dict):
        raise WorkflowConfigError(f"{config_path}: the config must be an object with 'steps', "
                                  f"got {type(config).__name__}")
    config.pop(SCHEMA_KEY, None)
    if overrides:
        config = apply_overrides(config, parse_overrides(overrides))
    return config


def parse_overrides(overrides: str | Mapping[str, Any]) -> dict[str, Any]:
    """Overrides as a dict: a mapping as is, a file path's content, or inline JSON/Jsonnet."""
    if isinstance(overrides, Mapping):
        return dict(overrides)
    text = overrides
    name = "<overrides>"
    candidate = Path(overrides)
    if len(overrides) < 4096 and candidate.is_file():
        text, name = candidate.read_text(), str(candidate)
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        parsed = evaluate_jsonnet(snippet=text, name=name)
    if not isinstance(parsed, dict):
        raise WorkflowConfigError(f"{name}: overrides must be an object of dotted paths "
                                  f"to values, got {type(parsed).__name__}")
    return parsed


def apply_overrides(config: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` with each dotted path of ``overrides`` set to its value."""
    merged = copy.deepcopy(config)
    for dotted, value in overrides.items():
        parts = str(dotted).split(".")
        node: Any = merged
        for depth, part in enumerate(parts[:-1]):
            node = _child(node, part, ".".join(parts[: depth + 1]), dotted)
        last = parts[-1]
        if isinstance(node, dict):
            node[last] = copy.deepcopy(value)
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = copy.deepcopy(value)
        else:
            raise WorkflowConfigError(f"override {dotted!r}: {'.'.join(parts[:-1])!r} "
                                      "is not an object or list that holds it")
    return merged


def _child(node: Any, part: str, path: str, dotted: str) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    raise WorkflowConfigError(f"override {dotted!r}: the config has no {path!r}")
