"""How a step's result is written into a cache entry and read back.

``json`` holds JSON-compatible values and dataclasses (readable, diffable), ``pickle``
anything cloudpickle can hold; ``auto`` (the default) picks ``json`` when the value allows
it, else ``pickle``, and the entry remembers which one it used. A format is an extension
point like every other: a subclass with a ``kind`` (registered in
``provgraph.workflow.formats``), or a ``module:Class`` path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import orjson

from provgraph.core.errors import ArgumentError
from provgraph.core.registry import Registry
from provgraph.workflow import values
from provgraph.workflow.errors import WorkflowError, optional

T = TypeVar("T")

FORMATS_GROUP = "provgraph.workflow.formats"


class ResultFormat(Generic[T]):
    """Writes one result into an (empty) directory and reads it back."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        RESULT_FORMATS.register(cls.kind, cls)

    @property
    def identifier(self) -> str:
        """The name stored with an entry (a registered kind, else ``module:Class``)."""
        cls = type(self)
        return cls.kind or f"{cls.__module__}:{cls.__qualname__}"

    def write(self, artifact: T, directory: Path) -> None:
        raise NotImplementedError

    def read(self, directory: Path) -> T:
        raise NotImplementedError

    def resolve(self, artifact: Any) -> ResultFormat[Any]:
        """The concrete format for this value (``auto`` chooses; others are themselves)."""
        return self

    @classmethod
    def is_default_of(cls, obj: Any) -> bool:
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


RESULT_FORMATS: Registry[type[ResultFormat[Any]]] = Registry(
    "workflow format", FORMATS_GROUP, WorkflowError, base=ResultFormat)


class JsonFormat(ResultFormat[Any]):
    """``result.json``: JSON values, dataclasses and tuples (they come back as they were)."""

    kind = "json"
    FILENAME = "result.json"

    def write(self, artifact: Any, directory: Path) -> None:
        if not values.is_json_compatible(artifact):
            raise WorkflowError(f"the json format cannot hold a {type(artifact).__name__} "
                                "(use format='pickle' or leave the format to choose)")
        (directory / self.FILENAME).write_bytes(
            orjson.dumps(values.to_json(artifact), option=orjson.OPT_INDENT_2))

    def read(self, directory: Path) -> Any:
        return values.from_json(orjson.loads((directory / self.FILENAME).read_bytes()))

    @classmethod
    def is_default_of(cls, obj: Any) -> bool:
        return values.is_json_compatible(obj)


class PickleFormat(ResultFormat[Any]):
    """``artifact.pkl``: anything cloudpickle can serialize."""

    kind = "pickle"
    FILENAME = "artifact.pkl"

    def write(self, artifact: Any, directory: Path) -> None:
        (directory / self.FILENAME).write_bytes(values.pickle_bytes(artifact))

    def read(self, directory: Path) -> Any:
        cloudpickle = optional("cloudpickle", "reading a pickled step result")
        return cloudpickle.loads((directory / self.FILENAME).read_bytes())

    @classmethod
    def is_default_of(cls, obj: Any) -> bool:
        return True


class AutoFormat(ResultFormat[Any]):
    """``json`` when the value is JSON-compatible, else ``pickle``."""

    kind = "auto"

    def resolve(self, artifact: Any) -> ResultFormat[Any]:
        return JsonFormat() if JsonFormat.is_default_of(artifact) else PickleFormat()

    def write(self, artifact: Any, directory: Path) -> None:
        self.resolve(artifact).write(artifact, directory)

    def read(self, directory: Path) -> Any:
        concrete: ResultFormat[Any] = JsonFormat() if (directory / JsonFormat.FILENAME).exists() \
            else PickleFormat()
        return concrete.read(directory)


def resolve_format(spec: str | ResultFormat[Any] | type[ResultFormat[Any]] | None
                   ) -> ResultFormat[Any]:
    """A format from a step's ``format=``: ``None`` (auto), a name, a class or an instance."""
    if spec is None:
        return AutoFormat()
    if isinstance(spec, ResultFormat):
        return spec
    if isinstance(spec, type) and issubclass(spec, ResultFormat):
        return spec()
    if isinstance(spec, str):
        cls = RESULT_FORMATS.get(spec)
        if not (isinstance(cls, type) and issubclass(cls, ResultFormat)):
            raise WorkflowError(f"format {spec!r} is not a ResultFormat class")
        return cls()
    raise ArgumentError(f"format must be a name or a ResultFormat, got {type(spec).__name__}")
