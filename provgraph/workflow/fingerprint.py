"""A step's fingerprint: what its result depends on, as one digest and as named parts.

Parts (each recorded in the provenance graph, so ``workflow why`` can name what changed):

* ``code``: the digest of the step's normalized source and of every helper it reaches
  (:mod:`provgraph.workflow.source`); with ``version=`` the version replaces all of it;
* ``args``: a digest per argument given in the config (``IGNORE`` arguments left out),
  references standing as ``{"$ref": path}``;
* ``upstream``: per reference, the upstream step's fingerprint when that step is cached
  and deterministic (a Merkle chain), else the content id of the value it produced this
  time, so a downstream step re-runs when a non-deterministic or non-cacheable upstream
  produced something else (Formed serves a stale hit there);
* ``format``: the declared result format.

The config name of a step is not part of it: renaming ``result`` to ``total`` keeps the
cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import orjson

from provgraph.workflow import build
from provgraph.workflow.graph import Dependency, WorkflowGraph, WorkflowStepInfo
from provgraph.workflow.source import CodeIdentity, code_identity, digest

BY_FINGERPRINT = "fingerprint"
BY_CONTENT = "content"
RUNTIME_TOKEN = "(known when it runs)"


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                        default=repr)


@dataclasses.dataclass(frozen=True)
class Upstream:
    """How one reference enters the fingerprint."""

    step: str
    field: str | None
    by: str  # BY_FINGERPRINT or BY_CONTENT
    token: str  # the upstream fingerprint (+ field) or the value's content id


@dataclasses.dataclass(frozen=True)
class FingerprintParts:
    code: str
    source: str | None
    version: str | None
    helpers: dict[str, str]
    args: dict[str, str]
    arg_values: dict[str, Any]
    ignored: list[str]
    upstream: dict[str, Upstream]
    format: str

    @property
    def fingerprint(self) -> str:
        return digest(_canonical({
            "code": self.code,
            "args": self.args,
            "upstream": {path: [u.by, u.token] for path, u in self.upstream.items()},
            "format": self.format,
        }))

    def to_record(self) -> dict[str, Any]:
        """The parts as recorded in a step task's ``custom_metadata``."""
        return {
            "fingerprint": self.fingerprint,
            "code": self.code,
            "source": self.source,
            "version": self.version,
            "helpers": self.helpers,
            "args": self.args,
            "arg_values": self.arg_values,
            "ignored": self.ignored,
            "upstream": {path: dataclasses.asdict(u) for path, u in self.upstream.items()},
            "format": self.format,
        }


def _code_part(info: WorkflowStepInfo, identity: CodeIdentity | None
               ) -> tuple[str, str | None, dict[str, str]]:
    if info.version is not None:
        return digest(f"version:{info.type}:{info.version}"), None, {}
    identity = identity or code_identity(info.step.function)
    return identity.digest, identity.source, identity.helpers


def _ref_token(path: tuple[str | int, ...], step: str, field: str | None) -> Any:
    return {"$ref": ".".join(str(p) for p in path)}


def compute(info: WorkflowStepInfo, upstream: Mapping[str, Upstream],
            identity: CodeIdentity | None = None) -> FingerprintParts:
    """The parts of ``info``'s fingerprint, given how each of its references enters it."""
    code, source, helpers = _code_part(info, identity)
    ignored = sorted(info.step.get_ignore_args() & set(info.config))
    args: dict[str, str] = {}
    arg_values: dict[str, Any] = {}
    for key, value in info.config.items():
        if key in ignored:
            continue
        tokenized = build.substitute_refs(value, _ref_token, (key,))
        encoded = _canonical(tokenized)
        args[key] = digest(encoded, 16)
        if len(encoded) <= 200:
            arg_values[key] = orjson.loads(encoded)
    used = {dep.key: upstream[dep.key] for dep in info.dependencies
            if dep.path[0] not in ignored}
    format_spec = info.step.format_spec
    fmt = format_spec if isinstance(format_spec, str) else info.step.format.identifier
    return FingerprintParts(code=code, source=source, version=info.version, helpers=helpers,
                            args=args, arg_values=arg_values, ignored=ignored, upstream=used,
                            format=fmt)


def passes_fingerprint(info: WorkflowStepInfo) -> bool:
    """Whether a downstream step folds in this step's fingerprint (it is cached and
    deterministic) rather than the content id of what it produced."""
    return info.should_be_cached and info.deterministic


def upstream_by_fingerprint(dep: Dependency, upstream_fingerprint: str) -> Upstream:
    token = upstream_fingerprint + (f"#{dep.field}" if dep.field else "")
    return Upstream(dep.step, dep.field, BY_FINGERPRINT, token)


class StaticFingerprints:
    """Fingerprints known before anything runs (``None`` for a step downstream of a step
    that is not cached and deterministic: its fingerprint needs that step's value)."""

    def __init__(self, graph: WorkflowGraph) -> None:
        self.graph = graph
        self.identities: dict[str, CodeIdentity] = {}
        self.parts: dict[str, FingerprintParts | None] = {}
        for info in graph:
            self.parts[info.name] = self._compute(info)

    def identity(self, info: WorkflowStepInfo) -> CodeIdentity:
        found = self.identities.get(info.type)
        if found is None:
            found = self.identities[info.type] = code_identity(info.step.function)
        return found

    def _compute(self, info: WorkflowStepInfo, partial: bool = False
                 ) -> FingerprintParts | None:
        upstream: dict[str, Upstream] = {}
        ignored = info.step.get_ignore_args()
        for dep in info.dependencies:
            if dep.path[0] in ignored:
                continue
            up = self.graph[dep.step]
            up_parts = self.parts.get(dep.step)
            if not passes_fingerprint(up) or up_parts is None:
                if not partial:
                    return None
                upstream[dep.key] = Upstream(dep.step, dep.field, BY_CONTENT, RUNTIME_TOKEN)
                continue
            upstream[dep.key] = upstream_by_fingerprint(dep, up_parts.fingerprint)
        return compute(info, upstream, None if info.version else self.identity(info))

    def partial(self, name: str) -> FingerprintParts:
        """The parts as far as they are known now (a value known only at run time stands
        as :data:`RUNTIME_TOKEN`)."""
        found = self.parts.get(name) or self._compute(self.graph[name], partial=True)
        assert found is not None
        return found

    def fingerprint(self, name: str) -> str | None:
        parts = self.parts.get(name)
        return parts.fingerprint if parts is not None else None

    def blocked_by(self, name: str) -> list[str]:
        """The upstream steps whose values decide ``name``'s fingerprint at run time."""
        found: list[str] = []
        for ancestor in self.graph.ancestors(name):
            info = self.graph[ancestor]
            if ancestor != name and not passes_fingerprint(info):
                found.append(ancestor)
        return found
