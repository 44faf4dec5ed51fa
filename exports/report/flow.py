"""Which task of a workflow depends on which: the value-flow rule of ``prov_model.derive``
(t2 used a shared value t1 generated) plus declared ``dependencies``, computed from the
task dicts with the same entity ids the keeper gives.

It gives the reports the workflow's final tasks (nothing in the workflow depends on them)
and its dependency graph between activities.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prov_model.config import EntitySettings
from prov_model.derive import VALUE_FLOW_MAX_FANOUT
from prov_model.entities import CONTENT_ID_PREFIX, entity_node


@dataclass
class Flow:
    depends_on: dict[str, set[str]] = field(default_factory=dict)  # task -> tasks it needs
    produced_by: dict[str, list[str]] = field(default_factory=dict)  # shared entity -> tasks
    # entity id -> (role, value) as first seen, to name lineage hits
    values: dict[str, tuple[str, Any]] = field(default_factory=dict)

    def final_tasks(self, tasks: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Tasks that generated something and that no task of the workflow depends on."""
        needed = {dep for deps in self.depends_on.values() for dep in deps}
        return [t for t in tasks if t.get("generated") and t.get("task_id") not in needed]

    def activity_edges(self, activity_of: Mapping[str, str]) -> Counter[tuple[str, str]]:
        """(upstream activity, downstream activity) -> how many task pairs."""
        edges: Counter[tuple[str, str]] = Counter()
        for task, deps in self.depends_on.items():
            dst = activity_of.get(task)
            for dep in deps:
                src = activity_of.get(dep)
                if src is not None and dst is not None and src != dst:
                    edges[(src, dst)] += 1
        return edges


def task_flow(tasks: Sequence[Mapping[str, Any]], settings: EntitySettings) -> Flow:
    flow = Flow()
    used_by: dict[str, list[str]] = defaultdict(list)
    for task in tasks:
        task_id = str(task.get("task_id"))
        for field_name, sink in (("generated", flow.produced_by), ("used", used_by)):
            values = task.get(field_name)
            if not isinstance(values, Mapping):
                continue
            for role, value in values.items():
                entity = entity_node(value, f"{task_id}/{field_name}/{role}", settings).id
                flow.values.setdefault(entity, (str(role), value))
                if entity.startswith(CONTENT_ID_PREFIX):
                    sink.setdefault(entity, []).append(task_id)
        declared = task.get("dependencies")
        if isinstance(declared, list):
            flow.depends_on.setdefault(task_id, set()).update(
                str(d) for d in declared if isinstance(d, str) and d != task_id)
    for entity, consumers in used_by.items():
        producers = flow.produced_by.get(entity, ())
        if len(producers) > VALUE_FLOW_MAX_FANOUT:  # a constant, not lineage (derive.py)
            continue
        for producer in producers:
            for consumer in consumers:
                if consumer != producer:
                    flow.depends_on.setdefault(consumer, set()).add(producer)
    return flow
