"""Reader of the CMS National Physician Fee Schedule Relative Value File (``PPRRVUyy_MMM.csv``).

CMS ships the file in the quarterly RVU zip (``RVUyyA`` ... ``RVUyyD``) as CSV, fixed-width text and xlsx.
The CSV opens with title lines (the release name, the AMA and ADA notices, ``RELEASED mm/dd/yyyy``), then a
header whose cells wrap over five lines (``NON-FAC`` / ``PE RVU``, ``CONV`` / ``FACTOR`` ...), the last of
which starts ``HCPCS,MOD,DESCRIPTION``. One row per code and modifier (``26``/``TC``/``53`` rows beside the
global row). The DESCRIPTION column is AMA text and is never read into our data.

Columns are found by their (joined) header names, not by position, so a release that adds a column still
reads. Values kept: status code, work / PE (non-facility, facility) / MP RVUs, totals, NA indicators,
PC/TC, global days, multiple-procedure, bilateral, assistant, co- and team-surgery indicators, conversion
factor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Our field name -> the header cells CMS stacks above the column (joined with spaces, upper case).
COLUMNS = {
    "code": "HCPCS",
    "modifier": "MOD",
    "status": "STATUS CODE",
    "work_rvu": "WORK RVU",
    "nonfacility_pe_rvu": "NON-FAC PE RVU",
    "nonfacility_na": "NON-FAC NA INDICATOR",
    "facility_pe_rvu": "FACILITY PE RVU",
    "facility_na": "FACILITY NA INDICATOR",
    "mp_rvu": "MP RVU",
    "nonfacility_total_rvu": "NON-FACILITY TOTAL",
    "facility_total_rvu": "FACILITY TOTAL",
    "pctc_indicator": "PCTC IND",
    "global_days": "GLOB DAYS",
    "multiple_procedure_indicator": "MULT PROC",
    "bilateral_indicator": "BILAT SURG",
    "assistant_surgery_indicator": "ASST SURG",
    "co_surgery_indicator": "CO- SURG",
    "team_surgery_indicator": "TEAM SURG",
    "conversion_factor": "CONV FACTOR",
}
DECIMAL_FIELDS = (
    "work_rvu",
    "nonfacility_pe_rvu",
    "facility_pe_rvu",
    "mp_rvu",
    "nonfacility_total_rvu",
    "facility_total_rvu",
    "conversion_factor",
)
TITLE_PATTERN = re.compile(r"(\d{4}) National Physician Fee Schedule Relative Value File (\w+) Release", re.I)
RELEASED_PATTERN = re.compile(r"RELEASED (\d\d)/(\d\d)/(\d{4})")
MONTHS = {"JANUARY": 1, "APRIL": 4, "JULY": 7, "OCTOBER": 10}


@dataclass(frozen=True)
class RvuTitle:
    """What the title lines say: the payment year, the release month and the release date."""

    year: int
    month: int
    released: str  # ISO date or ""

    @property
    def quarter(self) -> str:
        return f"{self.year}Q{(self.month - 1) // 3 + 1}"


def header_map(stack: list[list[str]]) -> dict[str, int]:
    """Column index of each of our fields, from the header lines above the data (bottom line last)."""
    width = max(len(r) for r in stack)
    joined = [
        " ".join(c for c in (r[i].strip().upper() if i < len(r) else "" for r in stack) if c) for i in range(width)
    ]
    return {name: joined.index(label) for name, label in COLUMNS.items() if label in joined}


def read_title(lines: Iterable[list[str]]) -> RvuTitle | None:
    """Year and release month from the title lines (``2024 National ... File July Release``)."""
    year = month = 0
    released = ""
    for row in lines:
        text = " ".join(row)
        if m := TITLE_PATTERN.search(text):
            year, month = int(m.group(1)), MONTHS.get(m.group(2).upper(), 0)
        if m := RELEASED_PATTERN.search(text):
            released = f"{m.group(3)}-{m.group(1)}-{m.group(2)}"
    return RvuTitle(year, month, released) if year and month else None


def decimal(text: str) -> Decimal:
    """A decimal RVU/CF cell; raises ValueError (caught by the caller, which names the row)."""
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def records(rows: Iterator[tuple[int, list[str]]], columns: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical line, {field: cell}) for each data row after the header."""
    last = max(columns.values())
    for line, row in rows:
        if len(row) <= last:
            row = row + [""] * (last + 1 - len(row))
        yield line, {name: row[i].strip() for name, i in columns.items()}
