"""The README's "Lineage: ask and see" Python example, as a user runs it (file hub,
embedded store, in-process keeper)."""

from __future__ import annotations

import networkx as nx

from capture import Flowcept, flowcept_task
from provgraph.core.config import Settings


@flowcept_task(output_names="dataset")
def load(path):  # type: ignore[no-untyped-def]
    return "rows from " + path + " " + "x" * 20


@flowcept_task(output_names="model")
def train(dataset, epochs=3):  # type: ignore[no-untyped-def]
    return {"weights": [0.1, 0.2]}


def test_readme_lineage_example(settings: Settings) -> None:
    with Flowcept(workflow_name="lineage_demo"):
        train(load("/data/train.csv"))
    db = Flowcept.db
    trained = db.task_query({"activity_id": "train"})[0]
    hits = db.upstream(trained["task_id"], depth=5)
    # within one distance hits are ordered by id, and task ids come from a process counter
    assert sorted((h["distance"], h["labels"][-1]) for h in hits) == [
        (1, "Entity"), (1, "Entity"), (1, "Task"), (2, "Entity")]
    assert [h["distance"] for h in hits] == sorted(h["distance"] for h in hits)
    assert sorted(r for h in hits for r in h["roles"]) == ["dataset", "epochs", "path"]
    graph = db.downstream("/data/train.csv", depth=3).to_networkx()
    assert isinstance(graph, nx.MultiDiGraph) and graph.number_of_nodes() == 5
    assert db.path(trained["task_id"], "/data/train.csv")["length"] == 2
    assert [t["activity_id"] for t in db.workflow_dag(trained["workflow_id"])["tasks"]] == [
        "load", "train"]
    assert db.impact_of_failures(trained["workflow_id"])["failed"] == []
    assert [u["activity_id"] for u in db.tasks_using("/data/train.csv")["used_by"]] == ["load"]
    assert db.workflow_links(trained["workflow_id"])["upstream"] == []
