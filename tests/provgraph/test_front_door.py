"""``import provgraph``: the front door, lazy, over what users came for."""

from __future__ import annotations

import subprocess
import sys

import pytest

import provgraph


def test_import_provgraph_loads_no_layer() -> None:
    program = ("import sys, provgraph\n"
               "print(provgraph.__version__)\n"
               "print(sorted(m for m in sys.modules\n"
               "             if m.split('.')[0] in {'capture', 'keeper', 'exports', 'prov_model',\n"
               "                                   'cypher', 'yaml', 'networkx', 'neo4j'}))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [provgraph.__version__, "[]"]


def test_the_flowcept_names_are_capture_s_own() -> None:
    import capture
    from provgraph import Flowcept, FlowceptLoop, FlowceptTask, flowcept_task

    assert Flowcept is capture.Flowcept and flowcept_task is capture.flowcept_task
    assert FlowceptTask is capture.FlowceptTask and FlowceptLoop is capture.FlowceptLoop


def test_every_public_name_resolves() -> None:
    from exports import import_document
    from keeper.lineage.api import upstream
    from provgraph import workflow

    assert all(getattr(provgraph, name) is not None for name in provgraph.__all__)
    assert set(dir(provgraph)) >= set(provgraph.__all__)
    assert provgraph.upstream is upstream and provgraph.import_document is import_document
    assert provgraph.workflow is workflow and callable(workflow.step)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Flowkept'"):
        _ = provgraph.Flowkept  # type: ignore[attr-defined]
