"""Synthetic rows for files in CMS's exact layouts (codes, dates and indicators only) and a writer."""

from __future__ import annotations

from pathlib import Path

from esi_reference.cmsdata import samples

RATIONALE = "Mutually exclusive procedures"

#: Part 1 holds column-1 codes up to 62323, part 2 the rest (as CMS splits its table by column 1).
PART1 = [
    ("00100", "00200", "", "20170101", "*", "0", "Other codes: not kept"),
    ("62321", "62323", "", "20260101", "*", "0", RATIONALE),  # a new edit, effective 2026-01-01
    ("62323", "64483", "", "20170101", "*", "1", RATIONALE),
    ("62323", "64493", "", "20170401", "*", "0", "Effective 2017-04-01"),
    ("62323", "99213", "", "20170101", "*", "1", "Standards of medical/surgical practice"),
]
PART2 = [
    ("64483", "62322", "*", "19960101", "20191231", "1", "Deleted, then re-added"),
    ("64483", "62322", "", "20201001", "*", "1", "Deleted, then re-added"),
    ("64483", "64493", "", "20200101", "20200101", "9", "Never applied"),
    ("99999", "00100", "", "20170101", "*", "0", "Other codes: not kept"),
]
MUE_ROWS = [("62323", 2, "3", "Clinical: Data"), ("64483", 1, "2", "Anatomic Consideration")]


def write_quarter(folder: Path, parts: tuple[int, ...] = (1, 2, 3, 4), version: str = "v322r0") -> list[Path]:
    """PTP parts (3 and 4 hold only other codes), a practitioner MUE table without most ESI codes."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {1: PART1, 2: PART2, 3: [("A0021", "A0080", "", "20170101", "*", "0", "x")],
            4: [("J9999", "A0080", "", "20170101", "*", "0", "x")]}  # fmt: skip
    return [samples.write_ptp_part(folder / f"ccipra-{version}-f{n}.TXT", rows[n]) for n in parts]
