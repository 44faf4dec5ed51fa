"""prov_model's settings section: when a value becomes a shared, content-addressed entity."""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.core.config import section


@section("entities")
@dataclass
class EntitySettings:
    """Thresholds of the entity identity rule (:mod:`prov_model.entities`)."""

    min_shared_chars: int = 16
    min_shared_json_bytes: int = 16
    max_inline_bytes: int = 1024
