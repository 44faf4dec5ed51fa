"""exports: PROV documents out of the store and into it (formats register in ``base``).

    from exports import ExportScope, export, import_document
"""

from exports.api import ImportResult, export, import_document
from exports.source import ExportScope

__all__ = ["ExportScope", "ImportResult", "export", "import_document"]
