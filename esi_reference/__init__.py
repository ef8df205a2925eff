"""esi_reference: an open, executable reference for coding and billing epidural steroid injections.

The package holds code definitions, documentation requirements and billing rules as cited data plus
small rule functions. The rule core uses only the Python standard library, so the same code runs in
CPython and in the browser (Pyodide). pandas is imported only by the table exports and the audit.

>>> lookup("62321").region_family
'cervical_thoracic'
"""

from esi_reference.errors import EsiError, InvalidEncounter, InvalidField, UnknownCode, UnknownSource
from esi_reference.reference.catalogue import Code, codes, is_known, lookup, search
from esi_reference.reference.documentation import DocumentationItem, documentation_items
from esi_reference.reference.sources import Source, source, sources

__version__ = "0.1.0"

__all__ = [
    "Code",
    "DocumentationItem",
    "EsiError",
    "InvalidEncounter",
    "InvalidField",
    "Source",
    "UnknownCode",
    "UnknownSource",
    "codes",
    "documentation_items",
    "is_known",
    "lookup",
    "search",
    "source",
    "sources",
]
