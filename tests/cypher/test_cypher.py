"""The Cypher statement files and their loader."""

from __future__ import annotations

import re

import pytest

import cypher

ALL = cypher.names()


def test_names_cover_the_three_folders() -> None:
    assert {name.split("/")[0] for name in ALL} >= {"schema", "ingest", "lineage"}
    for name in ("lineage/upstream_edges", "lineage/downstream_edges",
                 "ingest/merge_tasks", "schema/constraint_task_id"):
        assert name in ALL
    assert cypher.names("schema/") == [n for n in ALL if n.startswith("schema/")]


@pytest.mark.parametrize("name", ALL)
def test_every_file_loads_and_is_one_statement(name: str) -> None:
    text = cypher.load(name)
    assert text is cypher.load(name)  # cached
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    assert code.strip()
    assert ";" not in code  # one statement per file, no separators
    # parameterized, never formatted: no Python placeholders
    assert not re.search(r"\{\d+\}|\{[A-Za-z_]\w*\}|%s|%\(", code), name


@pytest.mark.parametrize("name", cypher.names("ingest/"))
def test_ingest_statements_unwind_rows(name: str) -> None:
    code = cypher.load(name)
    assert "UNWIND $rows AS row" in code
    # CREATE only where the write plan proved the node or edge new (keeper/stores/neo4j/plan.py)
    verb = "CREATE" if name.startswith("ingest/create_") else "MERGE"
    assert verb in code


@pytest.mark.parametrize("name", cypher.names("probe/"))
def test_probe_statements_are_reads_over_ids(name: str) -> None:
    code = "\n".join(line for line in cypher.load(name).splitlines()
                     if not line.lstrip().startswith("//"))
    assert "UNWIND $ids AS id" in code
    for verb in ("MERGE", "CREATE", "SET ", "DELETE", "REMOVE"):
        assert verb not in code


@pytest.mark.parametrize("name", cypher.names("lineage/"))
def test_lineage_statements_are_read_only_and_parameterized(name: str) -> None:
    code = cypher.load(name)
    assert "$" in code
    for verb in ("MERGE", "CREATE", "SET ", "DELETE", "REMOVE"):
        assert verb not in code


def test_schema_statements_are_idempotent() -> None:
    for name in cypher.names("schema/"):
        assert "IF NOT EXISTS" in cypher.load(name)


def test_task_merge_implements_terminal_rule() -> None:
    code = cypher.load("ingest/merge_tasks")
    assert "['FINISHED', 'ERROR']" in code and "IS NULL] | SET task[k]" in code


@pytest.mark.parametrize("name", ["nope", "ingest/nope", "../prov_model/mapping", "/etc/x", ""])
def test_unknown_names_raise(name: str) -> None:
    with pytest.raises(FileNotFoundError, match="no Cypher statement"):
        cypher.load(name)


def test_lineage_statements_project_the_summary_fields() -> None:
    import re

    from keeper.stores.lineage import SUMMARY_FIELDS

    seen = 0
    for name in cypher.names("lineage/"):
        text = cypher.load(name)
        for projection in re.findall(r"\w+ \{(\.[^}]*)\} AS summary", text):
            fields = tuple(f.strip().lstrip(".") for f in projection.split(","))
            assert fields == SUMMARY_FIELDS, name
            seen += 1
    # upstream_edges, downstream_edges, walk_upstream, walk_downstream, workflow_tasks,
    # entity_users
    assert seen == 6


def test_the_edge_import_template_is_filled_only_with_a_bare_relationship_type() -> None:
    text = cypher.fill("prov/import_edges", "WAS_DERIVED_FROM")
    assert "MERGE (src)-[r:WAS_DERIVED_FROM {rid: row.props.rid}]->(dst)" in text
    assert cypher.RELATIONSHIP_TYPE not in text
    for bad in ("USED]->(x) DETACH DELETE x //", "used", "", "A B", "A`"):
        with pytest.raises(ValueError, match="is not a relationship type"):
            cypher.fill("prov/import_edges", bad)
    with pytest.raises(ValueError, match="is not a template"):
        cypher.fill("lineage/upstream_edges", "USED")
