"""The ``workflow`` settings section: where cached steps keep their files, and the defaults
of the workflow settings file (``provgraph-workflow.yml`` or Formed's ``formed.yml``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.core.config import section

ORGANIZERS_GROUP = "provgraph.workflow.organizers"
EXECUTORS_GROUP = "provgraph.workflow.executors"


@section("workflow", env={"PROVGRAPH_WORKFLOW_DIR": "directory"},
         paths={"workflow_dir": ("directory", "workflow")})
@dataclass
class CachedStepSettings:
    directory: str = ""  # empty: <data_dir>/workflow (cache, executions, workspaces)
    organizer: str = field(default="filesystem", metadata={"registry": ORGANIZERS_GROUP})
    executor: str = field(default="default", metadata={"registry": EXECUTORS_GROUP})
    # Run a keeper in the process of `workflow run` (the embedded store is then queryable
    # at once); off when a keeper runs elsewhere (`provgraph keeper run`).
    start_persistence: bool = True
    # Flush a result's files to disk before its cache entry is marked complete (survives a
    # power cut; ~1 fsync per file). Off: entries stay atomic against crashes of the process.
    fsync: bool = True
