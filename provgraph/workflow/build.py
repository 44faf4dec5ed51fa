"""Arguments from config values, built by colt from the step's type hints.

colt (the library Formed uses) turns ``{name: "Alice"}`` into ``AwesomeProcessor("Alice")``
for a parameter annotated ``AwesomeProcessor``, resolves ``{type: 'module.path:Name'}``
and the registration names of ``colt.Registrable`` classes. provgraph adds two things:

* its own extension points (formats, callbacks, caches, organizers, executors) are found
  by their registered kind (``{type: 'json'}`` or just ``'json'`` for a ``ResultFormat``);
* references: before anything runs each ``{type: 'ref'}`` stands for a placeholder of the
  upstream step's return type, so a wrong type is reported then; when the step runs it is
  the upstream value itself, never rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from provgraph.core.errors import ProvgraphError
from provgraph.core.registry import is_dotted_path, registry_for
from provgraph.workflow.errors import WorkflowConfigError, optional

TYPE_KEY = "type"
ARGS_KEY = "*"
REF_TYPE = "ref"
REF_KEY = "ref"

_PATH_PREFIX = re.compile(r"^\s*\[(?P<path>[^\]]*)\]\s*")
_SCALARS = (int, float, str, bool, bytes)
_CLASS_REPR = re.compile(r"<class '(?P<name>[\w.]+)'>")


def is_ref(value: Any) -> bool:
    """``{type: 'ref', ref: 'step'}`` or ``{type: 'ref', ref: 'step.field'}``."""
    return (isinstance(value, Mapping) and set(value) == {TYPE_KEY, REF_KEY}
            and value[TYPE_KEY] == REF_TYPE and isinstance(value[REF_KEY], str))


def parse_ref(ref: str) -> tuple[str, str | None]:
    """``'step.field'`` -> ``('step', 'field')``; ``'step'`` -> ``('step', None)``."""
    name, _, field = ref.partition(".")
    return name, field or None


def substitute_refs(value: Any, replace: Callable[[tuple[str | int, ...], str, str | None], Any],
                    path: tuple[str | int, ...] = ()) -> Any:
    """A copy of ``value`` with each reference replaced by ``replace(path, step, field)``."""
    if is_ref(value):
        return replace(path, *parse_ref(value[REF_KEY]))
    if isinstance(value, Mapping):
        return {k: substitute_refs(v, replace, (*path, k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [substitute_refs(v, replace, (*path, i)) for i, v in enumerate(value)]
    return value


def _kind_to_path(annotation: Any, config: Any) -> Any:
    """A registered kind of one of provgraph's extension points as a ``module:Class`` type."""
    # Each extension point declares its registry with its base class where it lives, so
    # this module needs none of them (they import it to build their own arguments).
    registry = registry_for(annotation) if isinstance(annotation, type) else None
    if registry is None:
        return config
    kind = config if isinstance(config, str) else (
        config.get(TYPE_KEY) if isinstance(config, Mapping) else None)
    if not isinstance(kind, str) or is_dotted_path(kind):
        return config
    cls = registry.get(kind)  # an unknown kind: the registry's error, naming the known
    dotted = f"{cls.__module__}:{cls.__qualname__}"
    if isinstance(config, str):
        return {TYPE_KEY: dotted}
    return {**config, TYPE_KEY: dotted}


def builder() -> Any:
    """A colt builder with provgraph's callbacks (``type`` names the class, ``*`` holds
    positional arguments, as in Formed)."""
    optional("colt", "building a workflow from a config")
    from colt import ConfigurationError
    from colt.builder import ColtBuilder
    from colt.callback import ColtCallback, SkipCallback

    class KindCallback(ColtCallback):
        def on_build(self, path: Any, config: Any, builder: Any, context: Any,
                     annotation: Any = None) -> Any:
            if isinstance(config, str | Mapping):
                try:
                    converted = _kind_to_path(annotation, config)
                except ProvgraphError as exc:
                    where = ".".join(str(p) for p in path)
                    raise ConfigurationError(f"[{where}] {exc}") from None
                if converted is not config:
                    return converted
            raise SkipCallback

    return ColtBuilder(typekey=TYPE_KEY, argskey=ARGS_KEY, callback=KindCallback())


def ref_placeholder(annotation: Any) -> Any:
    """A colt placeholder that stands for an upstream value of type ``annotation``."""
    optional("colt", "building a workflow from a config")
    from colt import Placeholder
    from colt.utils import issubtype

    class UpstreamPlaceholder(Placeholder):
        def match_type_hint(self, wanted: Any) -> bool:
            if self.type_hint is Any or self.type_hint is None or wanted is None:
                return True
            try:
                return bool(issubtype(self.type_hint, wanted))
            except Exception:  # a hint colt cannot compare: let it through
                return True

    return UpstreamPlaceholder(annotation)


def constructed(value: Any) -> Any:
    """A value colt must pass through as it is (an upstream result)."""
    from colt import Constructed

    return Constructed(value)


def _tidy(message: str) -> tuple[str | None, str]:
    first = next((line for line in message.splitlines() if line.strip()), message)
    match = _PATH_PREFIX.match(first)
    path = match.group("path") if match else None
    text = _PATH_PREFIX.sub("", first, count=1).replace(
        "Placeholder type mismatch:", "the referenced result does not fit:")
    return path or None, _CLASS_REPR.sub(lambda m: m.group("name"), text).strip().rstrip(".")


def check_argument(build: Any, step: str, key: str, value: Any, annotation: Any) -> None:
    """Whether ``value`` (references already placeholders) can build ``annotation``;
    raises a :class:`WorkflowConfigError` naming the step and the key."""
    from colt import ConfigurationError

    if annotation in _SCALARS and isinstance(value, Mapping | list):
        raise WorkflowConfigError(f"expected {annotation.__name__}, got "
                                  f"{'an object' if isinstance(value, Mapping) else 'a list'}",
                                  step=step, key=key)
    try:
        build.dry_run(value, annotation, path=(key,))
    except ConfigurationError as exc:
        path, text = _tidy(str(exc))
        raise WorkflowConfigError(text, step=step, key=path or key) from None
    except (TypeError, ValueError, AttributeError, ImportError) as exc:
        raise WorkflowConfigError(f"{type(exc).__name__}: {exc}", step=step, key=key) from None


def build_argument(build: Any, step: str | None, key: str, value: Any, annotation: Any) -> Any:
    """The argument object for ``value`` (references already replaced by upstream values)."""
    from colt import ConfigurationError

    try:
        return build(value, annotation)
    except ConfigurationError as exc:
        cause = exc.__cause__
        path, text = _tidy(str(exc))
        if cause is not None:
            text = f"{text} ({type(cause).__name__}: {cause})"
        raise WorkflowConfigError(text, step=step, key=path or key) from cause
