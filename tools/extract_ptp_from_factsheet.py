"""Regenerate ``esi_reference/data/ptp_edits.csv`` from the team's verified fact sheet.

The fact sheet (``../shared/reference/esi-facts-verified.md``, Target 3b) holds every NCCI practitioner
procedure-to-procedure edit of the Q3 2024 file (ccipra, effective 2024-07-01) in which one code is in the
ESI family. This script copies that table verbatim into the package's data file with a provenance header;
it is never hand-edited. For current edits, load the user's own quarterly CMS file instead
(``esi_reference.cms_files.load_ptp_file``).

Usage: python tools/extract_ptp_from_factsheet.py [path/to/esi-facts-verified.md]
"""

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "reference" / "esi-facts-verified.md"
OUT = ROOT / "esi_reference" / "data" / "ptp_edits.csv"
ROW = re.compile(r"^\| (\w{5}) \| (\w{5}) \| (\* \(active\)|\d{8}) \| ([019]) \| ([^|]+?) \|$")


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT
    text = src.read_text(encoding="utf-8")
    section = text.split("### 3b.", 1)[1].split("\n---", 1)[0]
    rows = []
    for line in section.splitlines():
        m = ROW.match(line.strip())
        if not m:
            continue
        col1, col2, deleted, modifier, rationale = m.groups()
        deletion = "" if deleted.startswith("*") else f"{deleted[:4]}-{deleted[4:6]}-{deleted[6:]}"
        rows.append([col1, col2, deletion, modifier, rationale.strip(), "CMS-PTP-PRAC-2024Q3"])
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["column1", "column2", "deletion_date", "modifier_indicator", "rationale", "sources"])
        w.writerows(rows)
    print(f"{len(rows)} edits -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
