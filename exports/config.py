"""The ``exports`` settings section: the IRIs captured provenance gets in PROV documents."""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.core.config import section


@section("exports", env={"PROVGRAPH_INSTANCE_NAMESPACE": "instance_namespace"})
@dataclass
class ExportSettings:
    """``instance_namespace``: the namespace of captured nodes' IRIs (a task ``t1`` is
    ``<instance_namespace>t1``), written with ``instance_prefix``. The vocabulary namespace
    (``https://provgraph.dev/ns#``, prefix ``provgraph``) is fixed."""

    instance_namespace: str = "https://provgraph.dev/id/"
    instance_prefix: str = "pgid"
    chunk: int = 2000  # records read from the store per query


# Entries of a writer's caches of ids and IRIs as text. Small on purpose: a cache that
# only a big export fills (the 50k of before) is memory that grows with the export.
NAME_CACHE = 8192
