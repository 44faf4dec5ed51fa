"""The ``tensorboard`` interceptor: each TensorBoard run in a log directory becomes a task.

    with Flowcept("tensorboard", tensorboard_log_dir="runs"):
        train()          # any writer: torch.utils.tensorboard, tensorboardX, tf.summary

A run is a directory under the log directory that holds event files
(``events.out.tfevents.*``), as TensorBoard itself counts runs. The watcher reads the
event files with TensorBoard's own record reader, picking up where it stopped on each
poll, and records the run again whenever it grew (same task id, so the keeper merges):

* ``used``: the hyperparameters of the hparams plugin (none is fine);
* ``generated``: each scalar series' last value (by step) under its tag,
  ``scalar_points`` (tag -> number of points), and the event file(s) as entities
  (``event_file``, then ``event_file_2``... when a run has several);
* ``started_at``/``ended_at``: the first and last event's wall time; status FINISHED.

A record that cannot be read (a file cut off mid-record, or corrupt) stops the reading of
that file there: while watching this is what a file still being written looks like, so
``Flowcept.stop()`` decides: it warns, naming the file, the byte offset and the events
kept, and every other run is recorded in full.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
from google.protobuf import json_format
from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.util import tensor_util

from capture import recorder
from capture.adapters.config import TensorboardAdapterSettings
from capture.adapters.watcher import Watcher
from provgraph.core import wire
from provgraph.core.config import get_settings
from provgraph.core.errors import ArgumentError

log = logging.getLogger(__name__)

ADAPTER_ID = "tensorboard"
EVENT_FILE_MARK = "tfevents"
RECORD_OVERHEAD = 16  # a TFRecord: length (8), its CRC (4), the data, the data's CRC (4)


@dataclass
class _EventFile:
    path: Path
    loader: RawEventFileLoader
    consumed: int = 0  # bytes of complete records read
    events: int = 0
    undecodable: int = 0


@dataclass
class _Run:
    name: str
    directory: Path
    files: dict[str, _EventFile] = field(default_factory=dict)
    hparams: dict[str, Any] = field(default_factory=dict)
    last: dict[str, tuple[int, float]] = field(default_factory=dict)  # tag -> (step, value)
    points: dict[str, int] = field(default_factory=dict)
    first_time: float | None = None
    last_time: float | None = None
    changed: bool = True


class TensorboardAdapter(Watcher):
    kind = "tensorboard"

    def __init__(self, *, workflow_id: str, campaign_id: str | None,
                 options: dict[str, Any]) -> None:
        super().__init__(workflow_id=workflow_id, campaign_id=campaign_id, options=options)
        cfg = get_settings().section(TensorboardAdapterSettings)
        log_dir = options.get("tensorboard_log_dir") or cfg.log_dir
        if not log_dir:
            raise ArgumentError("the tensorboard interceptor needs a log directory: "
                                "Flowcept(interceptors=['tensorboard'], tensorboard_log_dir=...)"
                                " or adapters.tensorboard.log_dir in the settings")
        if not isinstance(log_dir, str | os.PathLike):
            raise ArgumentError(f"tensorboard_log_dir must be a path, got "
                                f"{type(log_dir).__name__}")
        self.log_dir = Path(log_dir).expanduser().resolve()
        self.interval_s = cfg.watch_interval_s
        self.runs: dict[Path, _Run] = {}

    # --- polling ---------------------------------------------------------------------------

    def poll(self) -> None:
        if not self.log_dir.is_dir():
            return
        for directory, _dirs, names in os.walk(self.log_dir):
            event_files = sorted(n for n in names if EVENT_FILE_MARK in n)
            if not event_files:
                continue
            path = Path(directory)
            run = self.runs.get(path)
            if run is None:
                name = path.relative_to(self.log_dir).as_posix()
                run = self.runs[path] = _Run(name if name != "." else self.log_dir.name, path)
            for name in event_files:
                self._read(run, path / name)
        for run in self.runs.values():
            if run.changed:
                recorder.record(self._task(run))
                run.changed = False

    def _read(self, run: _Run, path: Path) -> None:
        event_file = run.files.get(path.name)
        if event_file is None:
            try:
                event_file = _EventFile(path, RawEventFileLoader(str(path)))
            except Exception as exc:  # vanished or unreadable: tried again next poll
                self.warn_once(f"the tensorboard interceptor cannot open {path}: {exc}")
                return
            run.files[path.name] = event_file
            run.changed = True
        for record in event_file.loader.Load():
            event_file.consumed += len(record) + RECORD_OVERHEAD
            try:
                event = event_pb2.Event.FromString(record)
            except Exception:  # a record whose CRCs hold but whose content is no Event
                event_file.undecodable += 1
                continue
            event_file.events += 1
            self._apply(run, event)
            run.changed = True

    def _apply(self, run: _Run, event: Any) -> None:
        wall = event.wall_time
        if wall:
            run.first_time = wall if run.first_time is None else min(run.first_time, wall)
            run.last_time = wall if run.last_time is None else max(run.last_time, wall)
        if not event.HasField("summary"):
            return
        for value in event.summary.value:
            plugin = value.metadata.plugin_data.plugin_name
            if plugin == hparams_metadata.PLUGIN_NAME:
                if value.tag == hparams_metadata.SESSION_START_INFO_TAG:
                    info = hparams_metadata.parse_session_start_info_plugin_data(
                        value.metadata.plugin_data.content)
                    run.hparams.update({k: _hparam(v) for k, v in sorted(info.hparams.items())})
                continue
            scalar = _scalar(value, plugin)
            if scalar is None:
                continue
            run.points[value.tag] = run.points.get(value.tag, 0) + 1
            last = run.last.get(value.tag)
            if last is None or event.step >= last[0]:
                run.last[value.tag] = (event.step, scalar)

    def finish(self) -> None:
        for run in self.runs.values():
            for event_file in run.files.values():
                self._check_complete(event_file)

    def _check_complete(self, event_file: _EventFile) -> None:
        try:
            size = event_file.path.stat().st_size
        except OSError:
            return
        if event_file.consumed < size:
            log.warning("tensorboard interceptor: %s is truncated or corrupt at byte %s of %s; "
                        "the %s event(s) before it are kept", event_file.path,
                        event_file.consumed, size, event_file.events)
        if event_file.undecodable:
            log.warning("tensorboard interceptor: %s records of %s are not events; skipped",
                        event_file.undecodable, event_file.path)

    # --- messages --------------------------------------------------------------------------

    def _task(self, run: _Run) -> dict[str, Any]:
        generated: dict[str, Any] = {tag: value for tag, (_step, value) in run.last.items()}
        if run.points:
            generated["scalar_points"] = dict(run.points)
        for index, name in enumerate(sorted(run.files)):
            key = "event_file" if index == 0 else f"event_file_{index + 1}"
            generated[key] = str(run.files[name].path)
        message: dict[str, Any] = {
            wire.TYPE: wire.TASK,
            "task_id": "tensorboard:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                       run.directory.as_uri())),
            "workflow_id": self.workflow_id,
            "activity_id": run.name,
            "subtype": "tensorboard_run",
            "adapter_id": ADAPTER_ID,
            "used": dict(run.hparams),
            "generated": generated,
            "status": wire.FINISHED,
            "custom_metadata": {"run": run.name, "log_dir": str(self.log_dir)},
        }
        if run.first_time is not None:
            message["started_at"] = run.first_time
            message["ended_at"] = run.last_time
        if self.campaign_id:
            message["campaign_id"] = self.campaign_id
        return message


def _scalar(value: Any, plugin: str) -> float | None:
    """A summary value's number: a TF1/tensorboardX ``simple_value``, or a scalars-plugin
    tensor of one element (TF2, torch, tensorboard's own writers)."""
    kind = value.WhichOneof("value")
    if kind == "simple_value":
        return _number(numpy.float32(value.simple_value))
    if kind == "tensor" and plugin == "scalars":
        array = tensor_util.make_ndarray(value.tensor)
        if array.size == 1:
            return _number(array.reshape(())[()])
    return None


def _number(value: Any) -> float:
    """A float32 as the decimal it was logged as (0.1, not 0.10000000149011612)."""
    if isinstance(value, numpy.float32 | numpy.float16):
        return float(str(value))
    return float(value)


def _hparam(value: Any) -> Any:
    """A hyperparameter (a ``google.protobuf.Value``) as a plain value."""
    kind = value.WhichOneof("kind")
    if kind in ("number_value", "string_value", "bool_value"):
        return getattr(value, kind)
    return json_format.MessageToDict(value)
