"""Reading, consolidating and deleting JSONL buffer files (``Flowcept.read_buffer_file``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import orjson

from capture.hubs.file import read_jsonl
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError, ProvgraphError
from provgraph.core.wire import user_messages

log = logging.getLogger(__name__)

NESTED_FIELDS = ("used", "generated", "custom_metadata")


def default_path() -> Path:
    return get_settings().buffer_file


def resolve(path: str | os.PathLike[str] | None) -> Path:
    if path is None:
        return default_path()
    if not isinstance(path, str | os.PathLike):
        raise ArgumentError(f"file_path must be a path string, got {type(path).__name__}")
    return Path(path)


def delete(path: str | os.PathLike[str] | None = None) -> bool:
    target = resolve(path)
    try:
        target.unlink()
    except FileNotFoundError:
        log.info("buffer file %s not found; nothing to delete", target)
        return False
    log.info("deleted buffer file %s", target)
    return True


def write(messages: list[dict[str, Any]], path: str | os.PathLike[str] | None) -> Path:
    target = resolve(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        for message in messages:
            handle.write(orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS))
            handle.write(b"\n")
    return target


def consolidate(base: Path, workflow_id: str | None, cleanup_files: bool) -> Path:
    """Merge ``base`` and its siblings ``<stem>_*<suffix>`` into ``<stem>_<workflow_id>``.

    With a ``workflow_id`` only that workflow's messages are kept in the result.
    """
    stem, suffix = base.stem, base.suffix or ".jsonl"
    target = base.with_name(f"{stem}_{workflow_id}{suffix}") if workflow_id else base
    sources = sorted(p for p in base.parent.glob(f"{stem}*{suffix}") if p != target)
    if base.exists() and base != target and base not in sources:
        sources.insert(0, base)
    messages: list[dict[str, Any]] = read_jsonl(target) if target.exists() else []
    for source in sources:
        messages.extend(read_jsonl(source))
    if workflow_id:
        messages = [m for m in messages if m.get("workflow_id") == workflow_id]
    write(messages, target)
    if cleanup_files:
        for source in sources:
            source.unlink(missing_ok=True)
    return target


def read(
    file_path: str | os.PathLike[str] | None = None,
    return_df: bool = False,
    normalize_df: bool = False,
    consolidate_files: bool = False,
    workflow_id: str | None = None,
    cleanup_files: bool = True,
) -> Any:
    path = resolve(file_path)
    if consolidate_files:
        path = consolidate(path, workflow_id, cleanup_files)
    if not path.exists():
        raise FileNotFoundError(f"buffer file {path} does not exist")
    try:
        messages = read_jsonl(path)
    except orjson.JSONDecodeError as exc:
        raise ProvgraphError(f"{path}: not a JSONL buffer file ({exc})") from exc
    messages = user_messages(messages)
    if not consolidate_files and workflow_id:
        messages = [m for m in messages if m.get("workflow_id") == workflow_id]
    return to_dataframe(messages, normalize_df) if return_df else messages


def to_dataframe(messages: list[dict[str, Any]], normalize: bool = False) -> Any:
    """A pandas DataFrame with dotted columns (``generated.loss``); ``normalize`` also
    gives the inner fields of used/generated/custom_metadata their own bare columns."""
    try:
        import pandas as pd
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "return_df=True needs pandas: pip install 'provgraph[df]'"
        ) from exc
    frame = pd.json_normalize(messages, sep=".")
    if normalize:
        renames: dict[str, str] = {}
        for column in frame.columns:
            head, _, rest = column.partition(".")
            if head in NESTED_FIELDS and rest and rest not in frame.columns:
                renames[column] = rest
        if len(set(renames.values())) == len(renames):
            frame = frame.rename(columns=renames)
    return frame
