"""exports: PROV documents out of the store and into it (formats register in ``base``).

    from exports import Scope, export, import_document
"""

from exports.api import ImportResult, export, import_document
from exports.source import Scope

__all__ = ["ImportResult", "Scope", "export", "import_document"]
