"""Recognise a CMS data file by its header and read the rows that concern the catalogue.

Layouts, as CMS publishes them (see the README's "Current CMS data"):

* **PTP edits** (``ccipra-v322r0-f1.TXT`` ... ``f4``): tab-delimited, CRLF, Latin-1; line 1 the AMA line
  padded with tabs, line 2 ``Column1/Column2 Edits``, lines 3-6 a header whose cells wrap over four lines;
  then seven cells per edit: column 1, column 2, ``*`` (in existence prior to 1996) or empty, effective date
  ``YYYYMMDD``, deletion date ``YYYYMMDD`` or ``*``, modifier indicator 0/1/9, rationale. The practitioner
  table comes in four parts; ``ccioph`` files are the outpatient hospital table (same columns).
* **MUE table** (``MCR_MUE_PractitionerServices_Eff_07-01-2026.csv``): CSV, Latin-1; the first record is one
  quoted cell holding the multi-paragraph AMA notice, then the header record whose first cell wraps
  (``"HCPCS/`` LF ``CPT Code"``), ``Practitioner Services MUE Values``, ``MUE Adjudication Indicator`` (cells
  like ``2 Date of Service Edit: Policy``), ``MUE Rationale``. Outpatient hospital and DME tables differ in
  the header text.
* **PPRRVU** (``PPRRVU26_JUL.csv``): see :mod:`.rvu`.

A UTF-16 file, an Excel workbook, a damaged zip or a file of any other layout raises :class:`LayoutError`
with one line naming the file and what was expected. A bad data row raises :class:`RowError` naming the
file, the physical line, the field and the expected value.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO

from esi_reference.cmsdata import rvu
from esi_reference.cmsdata.tables import HOSPITAL
from esi_reference.errors import EsiError
from esi_reference.reference import catalogue

ENCODING = "latin-1"
SNIFF_BYTES = 65536  # CMS's notices run to a few kB; the header follows them
PTP_FILE_PATTERN = re.compile(r"cci(pra|oph)[-_ ]?v(\d+)r(\d+)[-_ ]?f(\d)", re.I)
MUE_SETTINGS = {
    "PRACTITIONER SERVICES MUE VALUES": "practitioner",
    "OUTPATIENT HOSPITAL SERVICES MUE VALUES": HOSPITAL,
    "DME SUPPLIER SERVICES MUE VALUES": "DME supplier",
}
MUE_DATE_PATTERN = re.compile(r"Eff[_ -]?(\d\d)[-_](\d\d)[-_](\d{4})", re.I)
MAI_LABELS = {"1": "Line Edit", "2": "Date of Service Edit: Policy", "3": "Date of Service Edit: Clinical"}


class LayoutError(EsiError):
    """A file that is not a CMS table this tool reads (or not the one expected)."""


class RowError(EsiError):
    """A data row with a bad cell: ``file:line: field: expected ..., got ...``."""

    def __init__(self, file: str, line: int, field_name: str, expected: str, got: str) -> None:
        super().__init__(f"{file}:{line}: {field_name}: expected {expected}, got {got[:40]!r}", field_name)
        self.line = line


@dataclass(frozen=True)
class Kind:
    """What a file is: ``table`` ptp/mue/rvu, ``setting`` practitioner/outpatient hospital/DME supplier."""

    table: str
    setting: str
    medicaid: bool = False

    @property
    def usable(self) -> bool:
        """Medicare practitioner tables (and the PFS RVU file) are applied to claims, and the Medicare
        outpatient hospital PTP and MUE tables to hospital outpatient facility claims."""
        return self.setting in ("practitioner", HOSPITAL) and not self.medicaid

    @property
    def key(self) -> str:
        """The stored table's name: ``ptp``/``mue``/``rvu``, ``ptp-hospital``/``mue-hospital`` for the
        outpatient hospital tables."""
        return self.table if self.setting == "practitioner" else f"{self.table}-hospital"

    def describe(self) -> str:
        names = {"ptp": "NCCI PTP edits", "mue": "MUE table", "rvu": "PFS relative value file"}
        payer = "Medicaid" if self.medicaid else "Medicare"
        return f"{payer} {self.setting} {names[self.table]}"


@dataclass
class Source:
    """One input file (on disk or a zip member) and how to open it as bytes."""

    name: str  # the name shown to the user ("ccipra-v322r0-f1.TXT" or "ccipra.zip/ccipra-...-f1.TXT")
    opener: Callable[[], IO[bytes]]
    size: int

    @property
    def base(self) -> str:
        return self.name.rsplit("/", 1)[-1]


@dataclass
class Parsed:
    """The rows kept from one file, with counts (rows read, kept, skipped as bad)."""

    source: Source
    kind: Kind
    sha256: str = ""
    rows_read: int = 0
    rows_skipped: int = 0
    problems: list[str] = field(default_factory=list)
    ptp: list[tuple[str, ...]] = field(default_factory=list)
    mue: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    rvu: list[dict[str, str]] = field(default_factory=list)
    vintage: str = ""  # "2026Q3"
    effective: dt.date | None = None
    version: str = ""  # "v322r0" for PTP
    part: int = 0  # PTP part number (1-4), 0 when unknown
    first_code: str = ""  # PTP: smallest and largest column-1 code read (the part's range)
    last_code: str = ""

    @property
    def rows_kept(self) -> int:
        return len(self.ptp) + len(self.mue) + len(self.rvu)


# --------------------------------------------------------------------------- catalogue filter


def catalogue_codes() -> frozenset[str]:
    """Every catalogue code: the catalogue's own rows and the codes inside its ranges (99202-99215 ...)."""
    every = {c.code for c in catalogue.all_codes() if not c.is_range}
    for row in catalogue.all_codes():
        if row.is_range:
            low, high = row.code.split("-")
            if low.isdigit() and high.isdigit():
                every.update(f"{n:05d}" for n in range(int(low), int(high) + 1))
    return frozenset(every)


def esi_codes() -> frozenset[str]:
    return frozenset(c.code for c in catalogue.all_codes() if c.is_esi)


# --------------------------------------------------------------------------- recognition


def sniff(source: Source) -> Kind:
    """The kind of a file from its first bytes; LayoutError for anything this tool does not read."""
    with source.opener() as handle:
        head = handle.read(SNIFF_BYTES)
    name = source.base
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) > 3 and head[1:4:2] == b"\x00\x00"):
        raise LayoutError(f"{source.name}: UTF-16 text; expected the file as CMS publishes it (Latin-1 text)")
    if head[:4] == b"PK\x03\x04":
        raise LayoutError(
            f"{source.name}: an Excel workbook or zip inside a zip; expected CMS's text/CSV file "
            "(the .txt/.csv in the same download)"
        )
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise LayoutError(f"{source.name}: an old Excel (.xls) file; expected CMS's text/CSV file")
    if b"\x00" in head:
        raise LayoutError(f"{source.name}: binary data; expected a CMS PTP, MUE or PPRRVU text file")
    text = head.decode(ENCODING)
    upper = text.upper()
    medicaid = "MEDICAID" in upper or "MEDICAID" in name.upper()
    if "COLUMN1/COLUMN2" in upper.replace(" ", "") or re.search(r"COLUMN 1[\t,]\s*COLUMN 2", upper):
        m = PTP_FILE_PATTERN.search(name)
        setting = HOSPITAL if (m and m.group(1).lower() == "oph") else "practitioner"
        if not m and ("HOSPITAL" in upper or "OUTPATIENT" in name.upper()):
            setting = HOSPITAL
        return Kind("ptp", setting, medicaid)
    if "MUE VALUES" in upper and "HCPCS" in upper:
        for label, setting in MUE_SETTINGS.items():
            if label in " ".join(upper.split()):
                return Kind("mue", setting, medicaid)
        raise LayoutError(f"{source.name}: an MUE table of a setting this tool does not know")
    if "HCPCS,MOD,DESCRIPTION" in upper:
        return Kind("rvu", "practitioner", False)
    if "NATIONAL PHYSICIAN FEE SCHEDULE RELATIVE VALUE FILE" in upper:
        raise LayoutError(
            f"{source.name}: the fixed-width text copy of the PPRRVU file; expected the CSV copy (PPRRVU...csv)"
        )
    raise LayoutError(
        f"{source.name}: not a CMS table this tool reads; expected the NCCI PTP edits (ccipra ... .TXT), "
        "the MUE table (MCR_MUE_...csv) or the PFS relative value file (PPRRVU...csv)"
    )


def _text(source: Source, newline: str | None) -> io.TextIOWrapper:
    return io.TextIOWrapper(source.opener(), encoding=ENCODING, newline=newline)


def _iso(text: str, source: Source, line: int, field_name: str) -> str:
    """A CMS YYYYMMDD date cell as ISO text (validated)."""
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        raise RowError(source.name, line, field_name, "a date YYYYMMDD", text) from None


# --------------------------------------------------------------------------- PTP


CHUNK = 8 << 20
TAB = b"\t"


def _data_start(line: bytes) -> bool:
    """True for the first edit line (after CMS's notice, title and wrapped header)."""
    head = line[:5]
    return len(head) == 5 and line[5:6] in (b"\t", b",") and head.isalnum() and head.upper() != b"COLUM"


def code_trie(codes: Iterable[str]) -> bytes:
    """A regular expression (bytes) matching exactly ``codes``, shaped as a trie so that a line is
    rejected after one or two byte comparisons."""
    tree: dict[bytes, dict] = {}
    for code in sorted(codes):
        node = tree
        for ch in code.encode(ENCODING):
            node = node.setdefault(bytes([ch]), {})

    def emit(node: dict[bytes, dict]) -> bytes:
        parts = [re.escape(k) + emit(v) for k, v in sorted(node.items())]
        if not parts:
            return b""
        return parts[0] if len(parts) == 1 else b"(?:" + b"|".join(parts) + b")"

    return emit(tree)


@cache
def _candidate_lines() -> re.Pattern[bytes]:
    """A newline followed by a line whose column 1 or column 2 is a catalogue code."""
    trie = code_trie(catalogue_codes())
    return re.compile(rb"\n(?:" + trie + rb"\t|[^\t\n]{5}\t" + trie + rb"\t)")


def read_ptp(source: Source, kind: Kind, strict: bool = False) -> Parsed:
    """The PTP rows of one part that concern the catalogue (either code an ESI code, or both catalogued).

    Reads the file once, in binary chunks (hashing them on the way). Within a chunk a regular expression
    finds the lines about catalogue codes; only those are decoded and checked cell by cell. When a chunk's
    tab count is not six per line (a malformed line somewhere), the chunk is read line by line instead so
    that every malformed line is reported with its number. The part's column-1 range is its first and last
    edit (CMS sorts each part by column 1).
    """
    out = Parsed(source, kind)
    if m := PTP_FILE_PATTERN.search(source.base):
        out.version, out.part = f"v{m.group(2)}r{m.group(3)}", int(m.group(4))
    every = frozenset(c.encode() for c in catalogue_codes())
    esi = frozenset(c.encode() for c in esi_codes())
    pool: dict[str, str] = {}
    digest = hashlib.sha256()
    started = False
    line_base = 0  # physical lines before the current chunk's first line
    first_code = last_code = b""
    carry = b""

    def wanted(line: bytes) -> bool:
        c1, c2 = line[:5], line[6:11]
        return (c1 in every and (c2 in every or c1 in esi)) or c2 in esi

    def keep(line: bytes, number: int) -> None:
        cells = line.decode(ENCODING).rstrip("\r").split("\t")
        _keep_ptp(out, cells, number, pool, strict)

    with source.opener() as handle:
        while True:
            chunk = handle.read(CHUNK)
            digest.update(chunk)
            data = carry + chunk
            if chunk:
                cut = data.rfind(b"\n") + 1
                if not cut:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            elif not data:
                break
            offset = skipped = 0
            if not started:
                head = data.split(b"\n", 100)[:-1]
                start = next((i for i, line in enumerate(head) if _data_start(line)), -1)
                if start < 0:
                    line_base += data.count(b"\n")
                    if line_base > 100 or not chunk:
                        break
                    continue
                started, skipped = True, start
                offset = sum(len(line) + 1 for line in head[:start])
                if head[start][5:6] == b",":
                    return _read_ptp_csv(source, out, strict)
            body = data[offset:] if offset else data
            first_line = line_base + skipped + 1
            newlines = body.count(b"\n")
            lines = newlines + (0 if body.endswith(b"\n") else 1)
            line_base += skipped + newlines
            first_code = first_code or body[:4096].lstrip(b"\r\n")[:5]
            tail = body[-4096:].rstrip(b"\r\n")
            last_code = tail[tail.rfind(b"\n") + 1 :][:5] or last_code
            if body.count(b"\t") == 6 * lines:  # six tabs on every line: no blank or malformed line
                out.rows_read += lines
                text = b"\n" + body
                number, position = first_line, 0
                for match in _candidate_lines().finditer(text):
                    begin = match.start() + 1
                    number += text.count(b"\n", position, match.start())
                    position = match.start()
                    end = text.find(b"\n", begin)
                    line = text[begin : end if end >= 0 else len(text)]
                    if wanted(line):
                        keep(line, number)
            else:
                for i, line in enumerate(body.split(b"\n")):
                    if not line.strip():
                        continue
                    out.rows_read += 1
                    if line[5:6] != TAB or line[11:12] != TAB or wanted(line):
                        keep(line, first_line + i)
            if not chunk:
                break
    out.sha256 = digest.hexdigest()
    if not out.rows_read:
        raise LayoutError(f"{source.name}: a PTP header but no edit rows; expected seven tab-separated cells per edit")
    out.first_code, out.last_code = first_code.decode(ENCODING).upper(), last_code.decode(ENCODING).upper()
    return out


def _keep_ptp(out: Parsed, cells: list[str], line: int, pool: dict[str, str], strict: bool) -> None:
    try:
        out.ptp.append(_ptp_row(cells, out.source, line, pool))
    except RowError as exc:
        if strict:
            raise
        out.rows_skipped += 1
        if len(out.problems) < 20:
            out.problems.append(exc.message)


def _read_ptp_csv(source: Source, out: Parsed, strict: bool) -> Parsed:
    """A PTP table a user saved as CSV (from a spreadsheet): the same cells, comma-separated."""
    every = catalogue_codes()
    esi = esi_codes()
    pool: dict[str, str] = {}
    started = False
    low, high = "\uffff", ""
    with _text(source, "") as handle:
        reader = csv.reader(handle)
        for cells in reader:
            if not started:
                started = bool(cells) and _data_start(",".join(cells[:2]).encode(ENCODING))
                if not started:
                    continue
            if not any(c.strip() for c in cells):
                continue
            out.rows_read += 1
            padded = [*cells, "", ""]
            code1, code2 = padded[0].strip(), padded[1].strip()
            low, high = min(low, code1), max(high, code1)
            if code1 in esi or code2 in esi or (code1 in every and code2 in every) or len(cells) < 6:
                _keep_ptp(out, cells, reader.line_num, pool, strict)
    out.sha256 = ""
    out.first_code, out.last_code = low.upper(), high.upper()
    return out


def _ptp_row(cells: list[str], source: Source, line: int, pool: dict[str, str]) -> tuple[str, ...]:
    if len(cells) < 6:
        raise RowError(source.name, line, "row", "7 tab-separated cells", "\t".join(cells))
    code1, code2 = cells[0].strip().upper(), cells[1].strip().upper()
    for name, code in (("Column 1", code1), ("Column 2", code2)):
        if not catalogue.CODE_PATTERN.match(code):
            raise RowError(source.name, line, name, "a CPT/HCPCS code", code)
    pre = cells[2].strip()
    if pre not in ("", "*"):
        raise RowError(source.name, line, "prior to 1996", "* or empty", pre)
    effective = _iso(cells[3].strip(), source, line, "Effective Date")
    deletion_cell = cells[4].strip()
    deletion = "" if deletion_cell == "*" else _iso(deletion_cell, source, line, "Deletion Date")
    if deletion and deletion < effective:
        raise RowError(source.name, line, "Deletion Date", f"on or after the effective date {effective}", deletion_cell)
    modifier = cells[5].strip()
    if modifier not in ("0", "1", "9"):
        raise RowError(source.name, line, "Modifier", "0, 1 or 9", modifier)
    rationale = cells[6].strip() if len(cells) > 6 else ""
    rationale = pool.setdefault(rationale, rationale)
    return (code1, code2, pre, effective, deletion, modifier, rationale)


# --------------------------------------------------------------------------- MUE


def read_mue(source: Source, kind: Kind, strict: bool = False) -> Parsed:
    """The MUE rows of the catalogue's codes (every code, ranges expanded)."""
    every = catalogue_codes()
    out = Parsed(source, kind)
    if m := MUE_DATE_PATTERN.search(source.base):
        out.effective = dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        out.vintage = quarter_of(out.effective)
    with _text(source, "") as handle:
        reader = csv.reader(handle)
        started = False
        previous_end = 0
        for cells in reader:
            start_line, previous_end = previous_end + 1, reader.line_num
            if not started:
                if cells and cells[0].replace("\n", "").replace("\r", "").strip().upper().startswith("HCPCS"):
                    started = True
                continue
            if not any(c.strip() for c in cells):
                continue
            out.rows_read += 1
            code = cells[0].strip().upper()
            if code not in every:
                continue
            try:
                out.mue[code] = _mue_row(cells, source, start_line)
            except RowError as exc:
                if strict:
                    raise
                out.rows_skipped += 1
                if len(out.problems) < 20:
                    out.problems.append(exc.message)
    if not started:
        raise LayoutError(f"{source.name}: no 'HCPCS/CPT Code' header row; expected CMS's MUE table layout")
    return out


def _mue_row(cells: list[str], source: Source, line: int) -> tuple[int, str, str]:
    if len(cells) < 3:
        raise RowError(source.name, line, "row", "code, MUE value, adjudication indicator, rationale", ",".join(cells))
    units = cells[1].strip()
    if not units.isdigit():
        raise RowError(source.name, line, "MUE Values", "a whole number of units", units)
    mai = cells[2].strip()[:1]
    if mai not in MAI_LABELS:
        raise RowError(source.name, line, "MUE Adjudication Indicator", "1, 2 or 3 and its label", cells[2].strip())
    return (int(units), mai, cells[3].strip() if len(cells) > 3 else "")


# --------------------------------------------------------------------------- RVU


def read_rvu(source: Source, kind: Kind, strict: bool = False) -> Parsed:
    """The catalogue's rows of a PPRRVU CSV, in ``fees.FEE_COLUMNS`` (no descriptor)."""
    every = catalogue_codes()
    out = Parsed(source, kind)
    with _text(source, "") as handle:
        reader = csv.reader(handle)
        stack: list[list[str]] = []
        columns: dict[str, int] = {}
        for cells in reader:
            if cells and cells[0].strip().upper() == "HCPCS":
                stack.append(cells)
                break
            stack.append(cells)
        else:
            raise LayoutError(f"{source.name}: no 'HCPCS,MOD,DESCRIPTION' header line; expected CMS's PPRRVU CSV")
        title = rvu.read_title(stack)
        titles = [i for i, r in enumerate(stack[:-1]) if all(not c.strip() for c in r[3:])]
        header_start = titles[-1] + 1 if titles else 0
        columns = rvu.header_map(stack[header_start:])
        missing = [rvu.COLUMNS[k] for k in rvu.COLUMNS if k not in columns]
        if missing:
            raise LayoutError(f"{source.name}: PPRRVU header lacks {', '.join(missing)}; expected CMS's column names")
        if title is None:
            raise LayoutError(
                f"{source.name}: no '<year> National Physician Fee Schedule Relative Value File <month> Release' title"
            )
        out.vintage = title.quarter
        out.effective = dt.date(title.year, title.month, 1)
        rows = ((reader.line_num, cells) for cells in reader)
        for line, record in rvu.records(rows, columns):
            if not record["code"]:
                continue
            out.rows_read += 1
            if record["code"] not in every:
                continue
            try:
                out.rvu.append(_rvu_row(record, source, line))
            except RowError as exc:
                if strict:
                    raise
                out.rows_skipped += 1
                if len(out.problems) < 20:
                    out.problems.append(exc.message)
    return out


def _rvu_row(record: dict[str, str], source: Source, line: int) -> dict[str, str]:
    for name in rvu.DECIMAL_FIELDS:
        try:
            value = rvu.decimal(record[name])
        except ValueError:
            raise RowError(source.name, line, rvu.COLUMNS[name], "a decimal number", record[name]) from None
        if value < 0:
            raise RowError(source.name, line, rvu.COLUMNS[name], "a number >= 0", record[name])
        record[name] = str(value)
    if not record["status"]:
        raise RowError(source.name, line, "STATUS CODE", "a status code letter", "")
    return record


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


READERS = {"ptp": read_ptp, "mue": read_mue, "rvu": read_rvu}


def file_source(path: Path) -> Source:
    return Source(str(path), lambda: path.open("rb"), path.stat().st_size)


def read_file(path: Path | Source, strict: bool = False) -> Parsed:
    """Recognise and read one file (LayoutError / RowError on bad input)."""
    source = path if isinstance(path, Source) else file_source(Path(path))
    kind = sniff(source)
    return READERS[kind.table](source, kind, strict)


def read_rvu_file(path: Path) -> Parsed:
    """Read a PPRRVU CSV strictly (every bad row is an error); used to build the shipped fees."""
    parsed = read_file(path, strict=True)
    if parsed.kind.table != "rvu":
        raise LayoutError(f"{path}: a {parsed.kind.describe()}; expected a PPRRVU CSV")
    return parsed
