"""``Flowcept.db`` against hostile filters: a clear ``ProvgraphError``, never a raw one."""

from __future__ import annotations

from typing import Any

import pytest

from capture import Flowcept, flowcept_task
from keeper.stores.base import Store
from provgraph.core.config import Settings
from provgraph.core.errors import ArgumentError


@pytest.mark.parametrize("key", [123, None, 1.5, ("used", "x"), ""])
def test_a_filter_key_that_is_not_a_field_name_is_a_clear_error(
    pipeline: tuple[Settings, Store], key: Any
) -> None:
    @flowcept_task
    def one(x):
        return x

    with Flowcept(workflow_name="filters"):
        one(1)
    for query in (Flowcept.db.task_query, Flowcept.db.workflow_query):
        with pytest.raises(ArgumentError, match="keys must be field names"):
            query({key: "x"})
    assert len(Flowcept.db.task_query({"activity_id": "one"})) == 1
