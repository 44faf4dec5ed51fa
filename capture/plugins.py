"""Late-bound services that live downstream of capture (keeper, exports).

Data flows one way: capture never imports keeper or exports. The few capture APIs that
answer with stored data (``Flowcept.db``, ``start_persistence``, ``generate_report``)
reach them by module name here, at call time, so the import graph stays one-way and
capture works alone when they are not installed.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from capture.errors import ProvgraphError

KEEPER_INPROCESS = "keeper.inprocess"
KEEPER_QUERY = "keeper.query"
REPORTS = "exports.report"


def load(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            raise ProvgraphError(
                f"{module} is not available in this installation ({exc})"
            ) from exc
        raise


def available(module: str) -> bool:
    try:
        load(module)
    except ProvgraphError:
        return False
    return True
