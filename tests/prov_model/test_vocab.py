"""The PROV vocabulary tables."""

from __future__ import annotations

from prov_model import vocab


def test_every_label_and_edge_has_a_prov_term() -> None:
    for labels in vocab.ALL_LABEL_SETS:
        assert vocab.prov_class(labels) in {"prov:Activity", "prov:Entity", "prov:Agent"}
    assert set(vocab.EDGE_TO_PROV) == set(vocab.EDGE_TYPES)
    assert vocab.EDGE_TO_PROV["WAS_PART_OF"] == "provone:wasPartOf"
    assert vocab.LABEL_TO_PROV["Plan"] == ("prov:Entity", "prov:Plan")
    for term in [*vocab.EDGE_TO_PROV.values(), *vocab.EDGE_PROP_TO_PROV.values()]:
        assert term.split(":")[0] in vocab.NAMESPACES


def test_namespaces() -> None:
    assert vocab.NAMESPACES["prov"] == "http://www.w3.org/ns/prov#"
    assert vocab.primary_label(vocab.TASK_LABELS) == "Task"
