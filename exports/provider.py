"""The ``exports`` provider (entry-point group ``provgraph.providers``): what
``Flowcept.db.export`` calls."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from exports.api import export
from exports.source import ExportScope

if TYPE_CHECKING:
    from keeper.stores.base import Store


class Exports:
    """Implements ``export(store, format=..., workflow_id=..., campaign_id=..., path=...)``."""

    def export(self, store: Store, *, format: str = "json", workflow_id: str | None = None,
               campaign_id: str | None = None, path: str | os.PathLike[str] | None = None,
               current_workflow_id: str | None = None) -> str:
        """The document as text, or its path when ``path`` is given. Scope: the workflow,
        else the campaign, else the current workflow of this process, else the store."""
        scope = ExportScope.of(workflow_id=workflow_id, campaign_id=campaign_id)
        if scope.kind == "all" and current_workflow_id is not None:
            scope = ExportScope.workflow(current_workflow_id)
        if path is not None:
            export(store, scope, format, path)
            return os.fspath(path)
        data = export(store, scope, format) or b""
        return data.decode("utf-8")


EXPORTS = Exports()
