"""The value-flow WAS_INFORMED_BY rule over a stored graph (what the embedded store runs)."""

from __future__ import annotations

from collections import defaultdict

from prov_model import GraphDelta, derive_informed_by, map_batch, value_flow_candidates
from tests.prov_model.helpers import LONG_A, LONG_B


class TinyStore:
    """A dict graph: enough of a store to run the rule."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = defaultdict(set)  # activity -> entities
        self.generated: dict[str, set[str]] = defaultdict(set)  # activity -> entities
        self.generators: dict[str, set[str]] = defaultdict(set)  # entity -> activities
        self.consumers: dict[str, set[str]] = defaultdict(set)  # entity -> activities
        self.tasks: set[str] = set()
        self.informed: set[tuple[str, str]] = set()

    def write(self, delta: GraphDelta) -> None:
        self.tasks |= {n.id for n in delta.nodes if n.labels[-1] == "Task"}
        for e in delta.edges:
            if e.type == "USED":
                self.used[e.src].add(e.dst)
                self.consumers[e.dst].add(e.src)
            elif e.type == "WAS_GENERATED_BY":
                self.generated[e.dst].add(e.src)
                self.generators[e.src].add(e.dst)
        consumers, producers = value_flow_candidates(delta)
        self.informed |= derive_informed_by(
            consumers,
            producers,
            used_entities=lambda t: self.used.get(t, set()),
            generated_entities=lambda t: self.generated.get(t, set()),
            generators=lambda e: self.generators.get(e, set()),
            consumers=lambda e: self.consumers.get(e, set()),
            is_task=self.tasks.__contains__,
            max_fanout=3,
        )


C = "a third long value for the diamond"
DIAMOND = [
    {"type": "task", "task_id": "t0", "generated": {"out": C}},
    {"type": "task", "task_id": "t1", "used": {"x": C}, "generated": {"y": LONG_A}},
    {"type": "task", "task_id": "t2", "used": {"x": C}, "generated": {"y": LONG_B}},
    {"type": "task", "task_id": "t3", "used": {"a": LONG_A, "b": LONG_B}},
]
EXPECTED = {("t1", "t0"), ("t2", "t0"), ("t3", "t1"), ("t3", "t2")}


def test_diamond_in_one_batch() -> None:
    store = TinyStore()
    store.write(map_batch(DIAMOND))
    assert store.informed == EXPECTED


def test_diamond_one_message_per_batch_in_any_order() -> None:
    for order in (DIAMOND, DIAMOND[::-1], [DIAMOND[3], DIAMOND[0], DIAMOND[2], DIAMOND[1]]):
        store = TinyStore()
        for msg in order:
            store.write(map_batch([msg]))
        assert store.informed == EXPECTED


def test_trivial_values_never_link() -> None:
    store = TinyStore()
    store.write(map_batch([
        {"type": "task", "task_id": "a", "generated": {"n": 3}},
        {"type": "task", "task_id": "b", "used": {"n": 3}},
    ]))
    assert store.informed == set()


def test_fanout_guard() -> None:
    store = TinyStore()
    producers = [{"type": "task", "task_id": f"p{i}", "generated": {"o": LONG_A}}
                 for i in range(4)]
    store.write(map_batch([*producers, {"type": "task", "task_id": "c", "used": {"i": LONG_A}}]))
    assert store.informed == set()  # 4 generators > max_fanout 3


def test_fanout_guard_is_order_independent() -> None:
    producers = [{"type": "task", "task_id": f"p{i}", "generated": {"o": LONG_A}}
                 for i in range(4)]
    consumer = {"type": "task", "task_id": "c", "used": {"i": LONG_A}}
    store = TinyStore()
    store.write(map_batch([consumer]))
    store.write(map_batch(producers))
    assert store.informed == set()


def test_many_consumers_of_one_producer_all_link() -> None:
    consumers = [{"type": "task", "task_id": f"c{i}", "used": {"i": LONG_A}} for i in range(5)]
    producer = {"type": "task", "task_id": "p", "generated": {"o": LONG_A}}
    for batches in ([[producer], consumers], [consumers, [producer]]):
        store = TinyStore()
        for batch_msgs in batches:
            store.write(map_batch(batch_msgs))
        assert store.informed == {(f"c{i}", "p") for i in range(5)}


def test_under_the_limit_links_every_pair() -> None:
    store = TinyStore()
    store.write(map_batch([
        {"type": "task", "task_id": "p0", "generated": {"o": LONG_A}},
        {"type": "task", "task_id": "p1", "generated": {"o": LONG_A}},
        {"type": "task", "task_id": "c0", "used": {"i": LONG_A}},
        {"type": "task", "task_id": "c1", "used": {"i": LONG_A}},
    ]))
    assert store.informed == {("c0", "p0"), ("c0", "p1"), ("c1", "p0"), ("c1", "p1")}
