"""A user's own ``keeper.py`` (or ``capture.py``, ``exports.py``...) beside their script
comes first on ``sys.path`` and hides provgraph's package of that name; the import then
fails far away ("'keeper' is not a package"). This names the file and what to do."""

from __future__ import annotations

import sys
from pathlib import Path

# provgraph's top-level packages (pyproject.toml's package list)
PACKAGES = ("capture", "keeper", "exports", "prov_model", "cypher", "provgraph")


def shadowing_file(module_name: str) -> Path | None:
    """The plain module that stands where provgraph's package ``module_name`` (or the
    package at its top) should be, else ``None``."""
    top = module_name.partition(".")[0]
    if top not in PACKAGES:
        return None
    module = sys.modules.get(top)
    if module is None or hasattr(module, "__path__"):  # a package: provgraph's own
        return None
    origin = getattr(module, "__file__", None)
    return Path(origin) if origin else None


def shadowing_message(module_name: str) -> str | None:
    """One line naming the file that shadows provgraph's package, and the fix."""
    found = shadowing_file(module_name)
    if found is None:
        return None
    top = module_name.partition(".")[0]
    return (f"{found} shadows provgraph's package {top!r}: rename your {found.name} "
            f"(and delete {found.parent / '__pycache__'} if present), or run from another "
            "directory")


__all__ = ["PACKAGES", "shadowing_file", "shadowing_message"]
