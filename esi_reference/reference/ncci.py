"""NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE), with CMS's semantics.

The tables come from :func:`esi_reference.cmsdata.tables.tables_for`: the quarter installed with
``esi-ref data import`` that is in force on the date of service, else the shipped Q3 2024 practitioner
tables (``data/ptp_edits.csv``: every Q3 2024 edit in which one code belongs to the ESI family; MUE values
in the code catalogue). Every answer names the table it came from (``PtpEdit.table``, the MUE table's
label), so findings cite the table actually used.

CMS semantics (the PTP file's header and the NCCI Policy Manual, Chapter I, "Modifiers and Modifier
Indicators"; sources ``NCCI-PTP-FILE-LAYOUT`` and ``NCCI-MANUAL-CH1-MODIFIERS``):

* an edit applies to a date of service when effective date <= date of service <= deletion date;
* modifier indicator ``9`` (effective date = deletion date) means the edit never applied;
* indicator ``0``: the column-two code is never paid with the column-one code;
* indicator ``1``: an *NCCI-associated modifier* bypasses the edit when the clinical circumstances
  justify it: the anatomic modifiers (E1-E4, FA, F1-F9, TA, T1-T9, LT, RT, LC, LD, RC, LM, RI), the global
  surgery modifiers (24, 25, 57, 58, 78, 79) and 27, 59, 91, XE, XS, XP, XU. :func:`bypass_modifier` applies
  each where the manual gives it meaning: 24/25/57 (and 27) on an E/M code, 58/78/79 on a procedure, 91 on a
  laboratory test, an anatomic modifier only when the two lines name different sites, 59/X{EPSU} on any
  column-two code.

>>> [e.column2 for e in edits_between("62323", "77003")]
['77003']
>>> edits_between("62321", "62323")
()
>>> edits_between("64483", "0230T", "2021-01-01")
()
>>> e = edits_between("62323", "77003")[0]
>>> bypass_modifier(e, (), ("59",)), bypass_modifier(e, (), ("25",))
('59', None)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from esi_reference.cmsdata.tables import Layers as _Layers
from esi_reference.cmsdata.tables import (
    MueValue,
    PtpEdit,
    Table,
    Tables,
    resolved_once,
    shipped_tables,
    tables_for,
    tables_for_claim,
    tables_resolved_once,
    using_layers,
)
from esi_reference.files import MAX_TABLE_BYTES
from esi_reference.model.dates import parse_date

if TYPE_CHECKING:
    from esi_reference.reference.catalogue import Code

__all__ = [
    "MueValue",
    "PtpEdit",
    "Table",
    "Tables",
    "bypass_modifier",
    "edits_between",
    "edits_for",
    "load_mue_file",
    "load_ptp_file",
    "mue_for",
    "ptp_edits",
    "resolved_once",
    "tables_for",
    "tables_for_claim",
    "tables_resolved_once",
    "using_files",
    "using_tables",
]

PTP_VINTAGE = "2024Q3"
PTP_SOURCES = ("CMS-PTP-PRAC-2024Q3",)
MODIFIER_SOURCES = ("NCCI-MANUAL-CH1-MODIFIERS", "NCCI-PTP-FILE-LAYOUT")

#: NCCI-associated modifiers (NCCI Policy Manual, Chapter I, section E), by group.
ANATOMIC_MODIFIERS = frozenset(
    {"E1", "E2", "E3", "E4", "FA", "TA", "LT", "RT", "LC", "LD", "RC", "LM", "RI"}
    | {f"F{n}" for n in range(1, 10)}
    | {f"T{n}" for n in range(1, 10)}
)
GLOBAL_SURGERY_MODIFIERS = frozenset({"24", "25", "57", "58", "78", "79"})
OTHER_NCCI_MODIFIERS = frozenset({"27", "59", "91", "XE", "XS", "XP", "XU"})
NCCI_ASSOCIATED_MODIFIERS = ANATOMIC_MODIFIERS | GLOBAL_SURGERY_MODIFIERS | OTHER_NCCI_MODIFIERS
DISTINCT_SERVICE_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
EM_MODIFIERS = frozenset({"24", "25", "57", "27"})
PROCEDURE_MODIFIERS = frozenset({"58", "78", "79"})


def is_em(code: str) -> bool:
    """Evaluation and management codes (99202-99499), looked up one by one, never as one range row."""
    return len(code) == 5 and code.isdigit() and "99202" <= code <= "99499"


def is_lab(code: str) -> bool:
    return len(code) == 5 and code.isdigit() and "80047" <= code <= "89398"


def bypass_modifier(edit: PtpEdit, modifiers_1: Sequence[str], modifiers_2: Sequence[str]) -> str | None:
    """The NCCI-associated modifier that bypasses ``edit`` (indicator 1 only), or None.

    ``modifiers_1``/``modifiers_2`` are the modifiers of the column-one and column-two lines.
    """
    if edit.modifier_indicator != "1":
        return None
    code2 = edit.column2
    for m in modifiers_2:
        if m in DISTINCT_SERVICE_MODIFIERS:
            return m
        if m in EM_MODIFIERS and is_em(code2):
            return m
        if m in PROCEDURE_MODIFIERS and not is_em(code2):
            return m
        if m == "91" and is_lab(code2):
            return m
    sites_1 = {m for m in modifiers_1 if m in ANATOMIC_MODIFIERS}
    sites_2 = {m for m in modifiers_2 if m in ANATOMIC_MODIFIERS}
    if sites_2 and sites_1 and not sites_1 & sites_2:
        return sorted(sites_2)[0]
    return None


def _day(as_of: object) -> dt.date | None:
    return None if as_of is None else parse_date(as_of, "as_of")


def ptp_edits() -> tuple[PtpEdit, ...]:
    """The shipped PTP edits (Q3 2024)."""
    return shipped_tables()[0].edits


def active_ptp_edits(as_of: object = None) -> tuple[PtpEdit, ...]:
    """Every edit of the tables in use on ``as_of`` (each column-1 code from the layer that answers for it)."""
    tables = tables_for(_day(as_of))
    return tuple(
        e for layer in tables.ptp for e in layer.edits if next(t for t in tables.ptp if t.covers(e.column1)) is layer
    )


def edits_between(
    code_a: str, code_b: str, as_of: object = None, edits: tuple[PtpEdit, ...] | None = None
) -> tuple[PtpEdit, ...]:
    """Edits pairing the two codes (either column order), in force on ``as_of`` when given.

    ``edits``: a table to search instead of the tables in use (a linear scan).
    """
    day = _day(as_of)
    if edits is not None:
        pair = {code_a, code_b}
        found = tuple(e for e in edits if {e.column1, e.column2} == pair)
    else:
        found = tables_for(day).edits_between(code_a, code_b)
    return tuple(e for e in found if e.active_on(day)) if day is not None and found else found


def edits_for(code: str, as_of: object = None, edits: tuple[PtpEdit, ...] | None = None) -> tuple[PtpEdit, ...]:
    """Every edit in which ``code`` is column 1 or column 2 (of the tables in use, or of ``edits``)."""
    day = _day(as_of)
    found = (
        tuple(e for e in edits if code in (e.column1, e.column2))
        if edits is not None
        else tables_for(day).edits_for(code)
    )
    return tuple(e for e in found if e.active_on(day)) if day is not None else found


def mue_for(code: str | Code, as_of: object = None) -> tuple[int | None, str, str]:
    """(MUE units, adjudication indicator, table label) of a catalogue Code or code string."""
    text = code if isinstance(code, str) else code.code
    value, table = tables_for(_day(as_of)).mue_for(text)
    return (value.units, value.mai, table.label) if value else (None, "", table.label)


def table_token(as_of: object = None) -> tuple[object, ...]:
    """Identifies the tables in use (for caches of results that depend on them)."""
    return tables_for(_day(as_of)).token


def table_label(as_of: object = None) -> str:
    """The PTP table in use, for messages (``2024Q3 shipped (...)``)."""
    return tables_for(_day(as_of)).ptp[0].label


@contextmanager
def using_files(
    ptp_files: Sequence[str] | str | None = (),
    mue_files: Sequence[str] | str | None = (),
    max_bytes: int = MAX_TABLE_BYTES,
) -> Iterator[Tables]:
    """Check with CMS files given for this run (``--ptp-file``/``--mue-file``), layered over the tables in
    use: PTP parts combine, a partial file answers only for its codes (see :mod:`esi_reference.cmsdata.tables`)."""
    from esi_reference.cmsdata.importer import layers_from_files

    def listed(value: Sequence[str] | str | None) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value or ())

    with using_layers(layers_from_files(listed(ptp_files), listed(mue_files), max_bytes=max_bytes)) as tables:
        yield tables


@contextmanager
def using_tables(
    ptp: tuple[PtpEdit, ...] | None = None, mue: dict[str, MueValue] | None = None, label: str = "user file"
) -> Iterator[None]:
    """Check with tables given in memory, layered over the tables in use for the ``with`` block.

    A PTP tuple answers for the column-1 codes it holds (its first..last column-1 code); an MUE dict for
    the codes it lists.

    >>> with using_tables(ptp=(PtpEdit("62321", "62323", None, "0", "test"),), label="test table"):
    ...     [e.modifier_indicator for e in edits_between("62321", "62323")]
    ['0']
    >>> edits_between("62321", "62323")
    ()
    """
    start = dt.date(1996, 1, 1)
    ptp_layers: tuple[Table, ...] = ()
    mue_layers: tuple[Table, ...] = ()
    if ptp:
        tagged = tuple(
            PtpEdit(e.column1, e.column2, e.deletion_date, e.modifier_indicator, e.rationale, e.sources,
                    e.effective_date, label)
            for e in ptp
        )  # fmt: skip
        first, last = min(e.column1 for e in ptp), max(e.column1 for e in ptp)
        ptp_layers = (Table("ptp", "", start, (label,), "file", False, "in-memory table", edits=tagged,
                            ranges=((first, last),)),)  # fmt: skip
    if mue:
        mue_layers = (Table("mue", "", start, (label,), "file", False, "in-memory table", mue=dict(mue)),)
    with using_layers(_Layers(ptp_layers, mue_layers)):
        yield


def load_ptp_file(path: str | Path, max_bytes: int = MAX_TABLE_BYTES) -> tuple[PtpEdit, ...]:
    """The catalogue's edits of one CMS practitioner PTP file (CMS layout; see ``cmsdata.layouts``)."""
    from esi_reference.cmsdata.importer import layers_from_files

    return layers_from_files(ptp_files=(str(path),), max_bytes=max_bytes).ptp[0].edits


def load_mue_file(path: str | Path, max_bytes: int = MAX_TABLE_BYTES) -> dict[str, MueValue]:
    """The catalogue's values of one CMS practitioner MUE file (CMS layout)."""
    from esi_reference.cmsdata.importer import layers_from_files

    return layers_from_files(mue_files=(str(path),), max_bytes=max_bytes).mue[0].mue
