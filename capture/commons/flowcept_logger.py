"""``flowcept.commons.flowcept_logger``: ``FlowceptLogger()`` gives capture's logger.

As in Flowcept it is a singleton: every call answers the same :class:`logging.Logger`
(``capture``), configured like any other logger of your program.
"""

from __future__ import annotations

import logging


class FlowceptLogger:
    """``FlowceptLogger()`` returns the ``capture`` logger (a :class:`logging.Logger`)."""

    def __new__(cls) -> logging.Logger:  # type: ignore[misc]
        return logging.getLogger("capture")


__all__ = ["FlowceptLogger"]
