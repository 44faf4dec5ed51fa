"""``flowcept.commons.vocabulary``: task and workflow statuses."""

from provgraph.core.wire import Status

__all__ = ["Status"]
