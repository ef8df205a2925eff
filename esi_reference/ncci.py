"""NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE) as data.

The shipped PTP table (``data/ptp_edits.csv``) is every Q3 2024 practitioner edit (CMS ccipra file,
effective 2024-07-01) in which one code belongs to the ESI family, copied by
``tools/extract_ptp_from_factsheet.py``. MUE values live in the code catalogue (Q3 2024 practitioner
table). Both are *vintage* data: :func:`load_ptp_file` and :func:`load_mue_file` read a user's current
quarterly CMS files instead, and every function takes the table to use.

Modifier indicator: ``0`` the pair is never billable together; ``1`` billable only with a distinct-service
modifier (59, XE, XS, XP, XU) that the documentation supports; ``9`` not applicable. An edit with a
deletion date no longer applies to dates of service after that date.

>>> [e.column2 for e in edits_between("62323", "77003")]
['77003']
>>> edits_between("62321", "62323")
()
>>> edits_between("64483", "0230T", "2021-01-01")
()
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ._data import read_rows, split_ids
from .dates import optional_date, parse_date
from .errors import EsiError, InvalidField
from .files import MAX_TABLE_BYTES, check_input, csv_problem, encoding_problem

PTP_VINTAGE = "2024Q3"
PTP_SOURCES = ("CMS-PTP-PRAC-2024Q3",)


@dataclass(frozen=True)
class PtpEdit:
    column1: str
    column2: str
    deletion_date: dt.date | None
    modifier_indicator: str
    rationale: str
    sources: tuple[str, ...] = PTP_SOURCES

    def active_on(self, day: dt.date) -> bool:
        return self.deletion_date is None or day <= self.deletion_date

    @property
    def bypassable(self) -> bool:
        return self.modifier_indicator == "1"


@dataclass(frozen=True)
class MueValue:
    code: str
    units: int
    mai: str
    rationale: str


@cache
def ptp_edits() -> tuple[PtpEdit, ...]:
    """The shipped PTP edits (Q3 2024)."""
    return tuple(
        PtpEdit(
            r["column1"],
            r["column2"],
            optional_date(r["deletion_date"]),
            r["modifier_indicator"],
            r["rationale"],
            split_ids(r["sources"]),
        )
        for r in read_rows("ptp_edits.csv")
    )


_INDEXES: dict[int, tuple[tuple[PtpEdit, ...], dict[frozenset[str], tuple[PtpEdit, ...]]]] = {}


def _index(edits: tuple[PtpEdit, ...]) -> dict[frozenset[str], tuple[PtpEdit, ...]]:
    """Pair index of an edit table, built once per table object."""
    known = _INDEXES.get(id(edits))
    if known is not None and known[0] is edits:
        return known[1]
    out: dict[frozenset[str], list[PtpEdit]] = {}
    for e in edits:
        out.setdefault(frozenset((e.column1, e.column2)), []).append(e)
    index = {k: tuple(v) for k, v in out.items()}
    _INDEXES[id(edits)] = (edits, index)
    return index


_ACTIVE: dict[str, object] = {"ptp": None, "mue": None, "label": PTP_VINTAGE}


def active_ptp_edits() -> tuple[PtpEdit, ...]:
    """The PTP table in use: a user's file inside :func:`using_tables`, else the shipped Q3 2024 table."""
    return _ACTIVE["ptp"] or ptp_edits()  # type: ignore[return-value]


def mue_for(code: object) -> tuple[int | None, str, str]:
    """(MUE units, adjudication indicator, vintage) for a catalogue Code, honouring a loaded MUE file."""
    table = _ACTIVE["mue"]
    if isinstance(table, dict):
        value = table.get(code.code)  # type: ignore[attr-defined]
        return (value.units, value.mai, str(_ACTIVE["label"])) if value else (None, "", str(_ACTIVE["label"]))
    return code.mue, code.mue_mai, code.mue_vintage  # type: ignore[attr-defined]


def table_token() -> tuple[str, int]:
    """Identifies the tables in use (for caches of results that depend on them)."""
    return str(_ACTIVE["label"]), id(_ACTIVE["ptp"])


def table_label() -> str:
    """Vintage of the tables in use, for messages ("2024Q3" or the user's file name)."""
    return str(_ACTIVE["label"])


@contextmanager
def using_tables(
    ptp: tuple[PtpEdit, ...] | None = None, mue: dict[str, MueValue] | None = None, label: str = "user file"
) -> Iterator[None]:
    """Check with a user's current CMS tables instead of the shipped Q3 2024 ones, for the ``with`` block.

    >>> with using_tables(ptp=(PtpEdit("62321", "62323", None, "0", "test"),), label="test table"):
    ...     [e.modifier_indicator for e in edits_between("62321", "62323")]
    ['0']
    >>> edits_between("62321", "62323")
    ()
    """
    saved = dict(_ACTIVE)
    _ACTIVE.update(ptp=ptp or None, mue=mue or None, label=label if (ptp or mue) else PTP_VINTAGE)
    try:
        yield
    finally:
        _ACTIVE.update(saved)


def edits_between(
    code_a: str, code_b: str, as_of: object = None, edits: tuple[PtpEdit, ...] | None = None
) -> tuple[PtpEdit, ...]:
    """Edits pairing the two codes (either column order), active on ``as_of`` when given."""
    found = _index(edits if edits is not None else active_ptp_edits()).get(frozenset((code_a, code_b)), ())
    if found and as_of is not None:
        day = parse_date(as_of, "as_of")
        found = tuple(e for e in found if e.active_on(day))
    return found


def edits_for(code: str, as_of: object = None, edits: tuple[PtpEdit, ...] | None = None) -> tuple[PtpEdit, ...]:
    """Every edit in which ``code`` is column 1 or column 2."""
    day = parse_date(as_of, "as_of") if as_of is not None else None
    return tuple(
        e for e in (edits or ptp_edits()) if code in (e.column1, e.column2) and (day is None or e.active_on(day))
    )


def _read_table(path: str | Path, max_bytes: int) -> list[list[str]]:
    """The rows of a CMS table saved as CSV or tab-separated text (bytes that are not UTF-8 replaced: CMS
    rationale texts are sometimes Windows-1252); size, encoding and CSV problems are one EsiError."""
    file = check_input(path, "a CMS table saved as CSV or tab-separated text", max_bytes)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise EsiError(f"cannot read {path}: {exc.strerror}", "path") from exc
    problem = encoding_problem(data[:4096])
    if problem:
        raise EsiError(f"{path}: {problem}, expected a CMS table saved as CSV or tab-separated text", "encoding")
    text = data.decode("utf-8-sig", errors="replace")
    dialect = "excel-tab" if text.count("\t") > text.count(",") else "excel"
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    try:
        return [row for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise EsiError(f"{path}: line {reader.line_num}: {csv_problem(exc)}", "csv") from None


def load_ptp_file(path: str | Path, max_bytes: int = MAX_TABLE_BYTES) -> tuple[PtpEdit, ...]:
    """Read a CMS practitioner PTP file saved as CSV or tab-separated text.

    Expects the CMS columns in order: Column 1, Column 2, '*' (in existence prior to 1996), Effective Date,
    Deletion Date ('*' = none), Modifier indicator, PTP Edit Rationale. Header and notice lines (anything
    whose first two cells are not codes) are skipped; a malformed data row raises InvalidField naming its row.
    """
    edits = []
    for number, row in enumerate(_read_table(path, max_bytes), start=1):
        cells = [c.strip() for c in row]
        if len(cells) < 6 or not (len(cells[0]) == 5 and len(cells[1]) == 5 and cells[0][:4].isalnum()):
            continue
        deletion = cells[4]
        try:
            deleted = None if deletion in ("", "*") else dt.datetime.strptime(deletion, "%Y%m%d").date()
        except ValueError as exc:
            raise InvalidField(f"row {number}: deletion date", "YYYYMMDD or *", deletion) from exc
        if cells[5] not in ("0", "1", "9"):
            raise InvalidField(f"row {number}: modifier indicator", "0, 1 or 9", cells[5])
        edits.append(
            PtpEdit(
                cells[0].upper(),
                cells[1].upper(),
                deleted,
                cells[5],
                cells[6] if len(cells) > 6 else "",
                (f"user file {Path(path).name}",),
            )
        )
    if not edits:
        raise EsiError(f"{path}: no PTP edit rows found (expected CMS columns Column 1, Column 2, ...)", "path")
    return tuple(edits)


def load_mue_file(path: str | Path, max_bytes: int = MAX_TABLE_BYTES) -> dict[str, MueValue]:
    """Read a CMS practitioner MUE file saved as CSV: code, MUE value, adjudication indicator, rationale.

    The indicator cell may be the bare digit or CMS's text ("2 Date of Service Edit: Policy").
    """
    out = {}
    for number, row in enumerate(_read_table(path, max_bytes), start=1):
        cells = [c.strip() for c in row]
        if len(cells) < 3 or len(cells[0]) != 5 or not cells[1].isdigit():
            continue
        mai = cells[2][:1]
        if mai not in ("1", "2", "3"):
            raise InvalidField(f"row {number}: MUE adjudication indicator", "1, 2 or 3", cells[2])
        out[cells[0].upper()] = MueValue(cells[0].upper(), int(cells[1]), mai, cells[3] if len(cells) > 3 else "")
    if not out:
        raise EsiError(f"{path}: no MUE rows found (expected code, MUE value, adjudication indicator)", "path")
    return out
