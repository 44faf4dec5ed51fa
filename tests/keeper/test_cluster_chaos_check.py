"""What the chaos tests check of the graph: each task once, with its values and edges."""

from __future__ import annotations

from keeper.stores.neo4j import Neo4jStore


def expected_output(producer: int, i: int) -> str:
    return f"p{producer}|value {i:06d} of the chain"


def check_graph(store: Neo4jStore, producers: int, tasks: int) -> None:
    for p in range(producers):
        wf = {"wf": f"scale-wf-{p}"}
        rows = store.run_read(
            "MATCH (t:Task {workflow_id: $wf}) RETURN count(t) AS n, "
            "count(DISTINCT t.id) AS ids, collect(t.generated_json) AS outputs", wf, limit=1)[0]
        assert rows["n"] == rows["ids"] == tasks
        assert sorted(rows["outputs"]) == sorted(
            f'{{"out":"{expected_output(p, i)}"}}' for i in range(tasks))
        by_type: dict[str, int] = {}
        for pattern in ("(t:Task {workflow_id: $wf})-[r]->()",
                        "()-[r]->(t:Task {workflow_id: $wf})"):
            for edge in store.run_read(
                    f"MATCH {pattern} RETURN type(r) AS type, count(r) AS n, "
                    "count(DISTINCT [startNode(r).id, endNode(r).id, r.role]) AS distinct", wf):
                by_type[edge["type"]] = by_type.get(edge["type"], 0) + edge["n"]
                assert edge["n"] == edge["distinct"], f"duplicated {edge['type']} edges"
        assert by_type["USED"] == 2 * tasks
        assert by_type["WAS_GENERATED_BY"] == tasks
        assert by_type["WAS_INFORMED_BY"] == 2 * (tasks - 1)
        assert by_type["WAS_PART_OF"] == tasks
