"""Write files in CMS's exact published layouts, with rows we choose: for tests, benchmarks and demos.

The layouts are CMS's (see :mod:`.layouts`); the rows are whatever the caller passes - no CMS data or
notice text is reproduced (the notice lines are placeholders of the same shape: a copyright line padded
with tabs, a multi-paragraph quoted notice with a registered-trademark sign in Latin-1).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = write_ptp_part(folder / "ccipra-v322r0-f1.TXT", [("62323", "77003", "", "20170101", "*", "1", "Test")])
>>> path.read_bytes().count(b"\\r\\n")
7
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

NOTICE = "CPT codes and descriptions only are copyright 2026 American Medical Association (placeholder)."
PTP_HEADER = (
    ("Column 1", "Column 2", "*=in existence", "Effective", "Deletion", "Modifier", "PTP Edit Rationale"),
    ("", "", "prior to 1996", "Date", "Date", "0=not allowed", ""),
    ("", "", "", "", "*=no data", "1=allowed", ""),
    ("", "", "", "", "", "9=not applicable", ""),
)
MUE_NOTICE = (
    "Placeholder notice, first paragraph: CPT\xae is a registered trademark (placeholder text).\n\n"
    "Second paragraph of the placeholder notice.\nThird line."
)
RVU_TITLE = "{year} National Physician Fee Schedule Relative Value File {month} Release"
RVU_HEADER = (
    ",,,,NOT USED,,,,,,,,,,,,,,,,,,,,,PHYSICIAN,,DIAGNOSTIC,PE USED,PE USED,MP USED",
    ",,,,FOR,,,NON-FAC,,FACILITY ,,,,,,,,,,,,,,,,SUPERVISION OF,,IMAGING,FOR OPPS,FOR OPPS,FOR OPPS",
    ",,,STATUS,MEDICARE ,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,INTRA,POST,MULT,BILAT,"
    "ASST,CO-,TEAM,ENDO,CONV,DIAGNOSTIC,CALCULATION,FAMILY,PAYMENT,PAYMENT,PAYMENT",
    "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,OP,OP,OP,"
    "PROC,SURG,SURG,SURG,SURG,BASE,FACTOR,PROCEDURES,FLAG,INDICATOR,AMOUNT,AMOUNT,AMOUNT",
)


def ptp_lines(rows: Iterable[Sequence[str]]) -> Iterable[str]:
    """The lines of one PTP part (without line endings): notice, title, wrapped header, one edit per line."""
    yield NOTICE + "\t" * 6
    yield "Column1/Column2 Edits" + "\t" * 6
    for cells in PTP_HEADER:
        yield "\t".join(cells)
    for row in rows:
        yield "\t".join(row)


def write_ptp_part(path: Path, rows: Iterable[Sequence[str]]) -> Path:
    """One PTP part as CMS ships it: tab-delimited, CRLF, Latin-1."""
    with path.open("w", encoding="latin-1", newline="\r\n") as handle:
        for line in ptp_lines(rows):
            handle.write(line + "\n")
    return path


def write_mue(path: Path, rows: Iterable[tuple[str, int, str, str]], setting: str = "Practitioner Services") -> Path:
    """An MUE table: quoted multi-line notice record, wrapped ``"HCPCS/`` LF ``CPT Code"`` header, CRLF."""
    labels = {"1": "1 Line Edit", "2": "2 Date of Service Edit: Policy", "3": "3 Date of Service Edit: Clinical"}
    with path.open("w", encoding="latin-1", newline="") as handle:
        handle.write(f'"{MUE_NOTICE}",,,\r\n')
        handle.write(f'"HCPCS/\nCPT Code",{setting} MUE Values,MUE Adjudication Indicator,MUE Rationale\r\n')
        for code, units, mai, rationale in rows:
            handle.write(f"{code},{units},{labels.get(mai, mai)},{rationale}\r\n")
    return path


def rvu_row(code: str, modifier: str = "", status: str = "A", work: str = "1.00", pe_nf: str = "2.00",
            pe_f: str = "0.50", mp: str = "0.10", glob: str = "000", mult: str = "2", bilat: str = "0",
            pctc: str = "0", cf: str = "32.3465") -> str:  # fmt: skip
    """One PPRRVU data line (the descriptor cell left empty: it is AMA text in the real file)."""
    total_nf = f"{float(work) + float(pe_nf) + float(mp):.2f}"
    total_f = f"{float(work) + float(pe_f) + float(mp):.2f}"
    head = [code, modifier, "", status, "", work, pe_nf, "", pe_f, "", mp, total_nf, total_f, pctc, glob]
    tail = [mult, bilat, "1", "0", "0", "", cf, "09", "0", "99", "0.00", "0.00", "0.00"]
    cells = [*head, "0.00", "0.00", "0.00", *tail]
    return ",".join(cells)


def write_rvu(path: Path, lines: Iterable[str], year: int = 2026, month: str = "July") -> Path:
    """A PPRRVU CSV: title lines, the five-line wrapped header, the data lines (CRLF)."""
    title = [
        ",," + RVU_TITLE.format(year=year, month=month) + "," * 28,
        ",," + NOTICE + "," * 28,
        ",, " + "," * 28,
        ",,RELEASED 05/01/" + str(year) + "," * 28,
        ",, , ," + "," * 23 + "NON-FACILITY,FACILITY,",
    ]
    with path.open("w", encoding="latin-1", newline="") as handle:
        for line in (*title, *RVU_HEADER, *lines):
            handle.write(line + "\r\n")
    return path


def zip_files(path: Path, files: Iterable[Path]) -> Path:
    """A zip holding ``files`` at its top level (as CMS's downloads do)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, file.name)
    return path
