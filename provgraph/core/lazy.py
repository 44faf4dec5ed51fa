"""Names a package hands on, imported on first use (PEP 562), so that importing the
package itself stays cheap: ``provgraph`` and ``provgraph.workflow`` are such facades.

    __getattr__, __dir__ = lazy_names(__name__, globals(), {"Flowcept": "capture"})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from provgraph.core.shadowing import shadowing_message


def lazy_names(package: str, namespace: dict[str, Any], names: Mapping[str, str]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package``: each of ``names``
    (name -> the module that defines it) is imported when first read, then kept in
    ``namespace`` (the package's globals) so the next read costs nothing."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            imported = importlib.import_module(module)
            value = imported if module == f"{package}.{name}" else getattr(imported, name)
        except (ImportError, AttributeError) as exc:
            hint = shadowing_message(module)
            if hint:
                raise ImportError(hint) from exc
            raise
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __getattr__, __dir__


__all__ = ["lazy_names"]
