"""Write esi_reference/data/fees.csv: the catalogue's rows of a CMS PPRRVU CSV (no descriptor column).

Usage: python tools/extract_fees.py PATH/TO/PPRRVU24_JUL.csv

The shipped file was made from the verbatim CMS CSV ``PPRRVU24_JUL.csv`` (July 2024 release, released
2024-05-03; sha256 63e2b9617ccd91e8ad68d5f23a0ae26a106d0cdfdf6390631fbac7b7e0513df1), the source
``CMS-RVU-2024-07`` in sources.csv. The reader is the one ``esi-ref data import`` uses.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from esi_reference.cmsdata.fees import FEE_COLUMNS
from esi_reference.cmsdata.layouts import read_rvu_file

OUT = Path(__file__).resolve().parent.parent / "esi_reference" / "data" / "fees.csv"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    table = read_rvu_file(Path(argv[0]))
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FEE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(table.rvu, key=lambda r: (r["code"], r["modifier"])))
    print(f"{OUT}: {len(table.rvu)} rows of {table.vintage} ({table.source.base})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
