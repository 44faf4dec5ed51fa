"""``flowcept.flowcept_api.db_api``: ``DBAPI``, the class of ``Flowcept.db``.

``DBAPI()`` opens the configured store, as Flowcept's does; ``Flowcept.db`` is one.
"""

from capture.persistence import DB as DBAPI

__all__ = ["DBAPI"]
