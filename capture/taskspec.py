"""What a decorated function records, computed once at decoration time.

``TaskSpec.used(args, kwargs)`` binds positional arguments to parameter names (defaults
applied, ``argparse.Namespace`` flattened, ``self``/``cls`` of methods left out) without
``inspect.Signature.bind`` on the hot path; ``TaskSpec.generated(result)`` names outputs
as the Flowcept documentation says.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from capture.serialize import head
from capture.sysinfo import hostname
from provgraph.core import wire
from provgraph.core.errors import ArgumentError

_HOSTNAME = hostname()

log = logging.getLogger(__name__)

ArgsHandler = Callable[..., dict[str, Any]]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def code_info(func: Callable[..., Any]) -> dict[str, Any]:
    """Module, qualified name and a hash of the source: the task's PROV plan."""
    target = inspect.unwrap(func)
    try:
        source = inspect.getsource(target)
        source_hash = hashlib.sha256(source.encode()).hexdigest()[:32]
    except (OSError, TypeError):
        code = getattr(target, "__code__", None)
        raw = code.co_code if code is not None else repr(target).encode()
        source_hash = hashlib.sha256(raw).hexdigest()[:32]
    return {
        "module": getattr(target, "__module__", None),
        "qualname": getattr(target, "__qualname__", getattr(target, "__name__", "?")),
        "source_hash": source_hash,
    }


def _check_names(output_names: Any) -> str | tuple[str, ...] | None:
    if output_names is None or isinstance(output_names, str):
        return output_names
    if isinstance(output_names, list | tuple) and all(isinstance(n, str) for n in output_names):
        return tuple(output_names)
    raise ArgumentError(
        f"output_names must be a str or a list of str, got {type(output_names).__name__}"
    )


def _check_optional(name: str, value: Any, kind: type | tuple[type, ...]) -> None:
    if value is not None and not isinstance(value, kind):
        kinds = (kind,) if isinstance(kind, type) else kind
        expected = " or ".join(k.__name__ for k in kinds)
        raise ArgumentError(f"{name} must be a {expected}, got {type(value).__name__}")


class TaskSpec:
    """Everything about a decorated function that does not change between calls."""

    __slots__ = (
        "activity_id",
        "agent_id",
        "args_handler",
        "arity",
        "bind_exact",
        "campaign_id",
        "code",
        "constants",
        "custom_metadata",
        "defaults",
        "fixed_ids",
        "head",
        "light_head",
        "light_heads",
        "names",
        "output_names",
        "plain_output",
        "simple",
        "skip_first",
        "source_agent_id",
        "subtype",
        "tags",
        "takes_override",
        "telemetry",
        "varargs",
        "workflow_id",
    )

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        output_names: str | Sequence[str] | None = None,
        tags: str | Sequence[str] | None = None,
        custom_metadata: dict[str, Any] | None = None,
        subtype: str | None = None,
        workflow_id: str | None = None,
        campaign_id: str | None = None,
        agent_id: str | None = None,
        source_agent_id: str | None = None,
        args_handler: ArgsHandler | None = None,
        telemetry: bool | None = None,
    ) -> None:
        if not callable(func):
            raise ArgumentError(f"the decorated object must be callable, got {type(func).__name__}")
        if args_handler is not None and not callable(args_handler):
            raise ArgumentError("args_handler must be callable")
        _check_optional("custom_metadata", custom_metadata, dict)
        _check_optional("tags", tags, (str, list, tuple))
        for name, value in (("subtype", subtype), ("workflow_id", workflow_id),
                            ("campaign_id", campaign_id)):
            _check_optional(name, value, str)
        self.output_names = _check_names(output_names)
        self.tags = [tags] if isinstance(tags, str) else (list(tags) if tags else None)
        self.custom_metadata = custom_metadata
        self.subtype = subtype
        self.workflow_id = workflow_id
        self.campaign_id = campaign_id
        self.agent_id = None if agent_id is None else str(agent_id)
        self.source_agent_id = None if source_agent_id is None else str(source_agent_id)
        self.args_handler = args_handler
        self.telemetry = telemetry
        self.activity_id = getattr(func, "__name__", type(func).__name__)
        self.code = code_info(func)
        # The ids of the function's code constants: a returned constant is the same object
        # as that constant anywhere else in its module, so it carries no lineage.
        code_object = getattr(inspect.unwrap(func), "__code__", None)
        self.constants: frozenset[int] = frozenset(
            id(c) for c in getattr(code_object, "co_consts", ()))
        self._read_signature(func)
        # The message fields that are the same for every call, encoded once (``head``: the
        # value of the message's first key, ``type``). The decorator's workflow_id and
        # campaign_id stay per call (a call may override them); custom_metadata too: it is
        # the caller's dict, recorded as it is at each call.
        fixed: dict[str, Any] = {
            wire.TYPE: wire.TASK,
            "activity_id": self.activity_id,
            "hostname": _HOSTNAME,
            "subtype": self.subtype,
            "tags": self.tags,
            "agent_id": self.agent_id,
            "source_agent_id": self.source_agent_id,
            "code": self.code,
        }
        self.head = head({k: v for k, v in fixed.items() if v is not None})
        ids = {"workflow_id": self.workflow_id, "campaign_id": self.campaign_id}
        self.fixed_ids = {k: v for k, v in ids.items() if v is not None}

    def _read_signature(self, func: Callable[..., Any]) -> None:
        try:
            params = list(inspect.signature(func).parameters.values())
        except (TypeError, ValueError):  # builtins without a signature
            params = []
        positional = [p for p in params if p.kind in _POSITIONAL]
        qualname = getattr(func, "__qualname__", "")
        self.skip_first = bool(
            positional and positional[0].name in ("self", "cls") and "." in qualname
        )
        self.names = tuple(p.name for p in positional)
        self.defaults = {
            p.name: p.default
            for p in params
            if p.default is not inspect.Parameter.empty
            and p.kind is not inspect.Parameter.VAR_KEYWORD
        }
        self.varargs = next(
            (p.name for p in params if p.kind is inspect.Parameter.VAR_POSITIONAL), None
        )
        accepts = {p.name for p in params} | (
            {"*"} if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params) else set()
        )
        # workflow_id=/campaign_id= passed at call time override the context; they are
        # handed on to the function only if it accepts them.
        self.takes_override = "*" in accepts or bool({"workflow_id", "campaign_id"} & accepts)
        # Calls with exactly the positional parameters bind through a generated function
        # returning a dict literal (several times faster than dict(zip(...))); a
        # keyword-only default (``def f(x, *, step=1)``, a partial's keywords) still
        # needs the slow path, which applies it.
        keyword_defaults = any(p.kind is inspect.Parameter.KEYWORD_ONLY
                               and p.default is not inspect.Parameter.empty for p in params)
        self.simple = not self.skip_first and self.args_handler is None \
            and not keyword_defaults
        self.bind_exact = _exact_binder(self.names)
        # ``arity`` = -1 makes the lightweight fast path fall back to ``used()``.
        self.arity = len(self.names) if self.simple else -1
        self.plain_output = self.output_names is None and self.args_handler is None
        # The lightweight message's fixed fields by workflow id, and the last one used as
        # (workflow, head): one tuple, so that a thread never pairs a workflow with
        # another's head.
        self.light_heads: dict[str, orjson.Fragment] = {}
        self.light_head: tuple[Any, orjson.Fragment | None] = (None, None)

    # --- per call ------------------------------------------------------------------------

    def used(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.simple and not kwargs and len(args) == len(self.names):
            used = self.bind_exact(args)
            for value in args:
                if type(value) is argparse.Namespace:
                    return _flatten_namespace(used)
            return used
        used = dict(self.defaults) if self.defaults else {}
        names = self.names
        if len(args) <= len(names):
            used.update(zip(names, args, strict=False))
        else:
            used.update(zip(names, args, strict=False))
            used[self.varargs or "args"] = list(args[len(names):])
        if kwargs:
            used.update(kwargs)
        if self.skip_first and names:
            used.pop(names[0], None)
        for value in used.values():
            if type(value) is argparse.Namespace:
                used = _flatten_namespace(used)
                break
        if self.args_handler is not None:
            return self._handled(used)
        return used

    def _handled(self, values: dict[str, Any]) -> dict[str, Any]:
        assert self.args_handler is not None
        try:
            handled = self.args_handler(**{str(k): v for k, v in values.items()})
        except Exception as exc:
            log.debug("args_handler of %s failed (%s); recording arguments as bound",
                      self.activity_id, exc)
            return values
        return handled if isinstance(handled, dict) else {"arg_0": handled}

    def generated(self, result: Any) -> dict[str, Any] | None:
        if result is None:
            return None
        names = self.output_names
        if type(result) is dict:
            named = result
        elif names is None:
            named = {"arg_0": result}
        elif type(names) is str:
            named = {names: result}
        elif isinstance(result, tuple | list) and len(result) == len(names):
            named = dict(zip(names, result, strict=True))
        elif len(names) == 1:
            named = {names[0]: result}
        else:
            named = {"arg_0": result}
        if self.args_handler is not None:
            return self._handled(named)
        return named


def _exact_binder(names: tuple[str, ...]) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    """``lambda args: {'x': args[0], 'y': args[1]}`` for these parameter names.

    The names come from ``inspect.signature`` (identifiers), and are inserted as ``repr``
    string literals, so the generated source holds no user-controlled code.
    """
    if not all(name.isidentifier() for name in names):
        return lambda args: dict(zip(names, args, strict=True))
    items = ", ".join(f"{name!r}: args[{i}]" for i, name in enumerate(names))
    binder: Callable[[tuple[Any, ...]], dict[str, Any]] = eval(f"lambda args: {{{items}}}")
    return binder


def _flatten_namespace(used: dict[str, Any]) -> dict[str, Any]:
    """Replace every Namespace value by its attributes (the Flowcept behaviour)."""
    flat: dict[str, Any] = {}
    for name, value in used.items():
        if type(value) is argparse.Namespace:
            flat.update(vars(value))
        else:
            flat[name] = value
    return flat
