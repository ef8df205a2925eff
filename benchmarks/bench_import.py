"""Benchmark: import a synthetic full CMS quarter, then check encounters with it installed.

Not a test: run ``python benchmarks/bench_import.py``. Writes, in CMS's layouts (see
``esi_reference.cmsdata.samples``), a quarter the size of CMS's: the practitioner PTP table in four parts
(2.8 million edits, CRLF, Latin-1, preamble and wrapped header), a 15,000-row practitioner MUE table and a
19,000-row PPRRVU file. Then

1. runs ``esi-ref data import FOLDER --into STORE`` in a child process and reports its wall time and peak
   resident memory (the child's ``ru_maxrss``); targets (issue 11): <= 10 s and <= 300 MB;
2. times ``check()`` over the example encounters with the shipped tables and with the installed quarter
   (median per encounter); target: no slower with the installed quarter.

Measured 2026-12-01 on the shared 2-core machine (load average 7-9 from other jobs): import 4.1 s wall,
peak RSS 75 MB, 2.8 M rows read, about 10,000 kept (773 kB installed); check 0.235 ms median with the
installed quarter vs 0.251 ms with the shipped tables (64 encounters).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench_check import forget_memos

from esi_reference import engine
from esi_reference.cmsdata import samples
from esi_reference.cmsdata.tables import refresh
from esi_reference.errors import EsiError
from esi_reference.model.encounter import parse_encounter
from esi_reference.reference.catalogue import all_codes

ROOT = Path(__file__).resolve().parents[1]
RATIONALES = (
    "Misuse of Column Two code with Column One code",
    "CPT Manual or CMS manual coding instruction",
    "Mutually exclusive procedures",
    "Standards of medical/surgical practice",
    "HCPCS/CPT procedure code definition",
)


def code_pool(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct five-digit codes (plus the catalogue's), sorted as CMS sorts column 1."""
    codes = {f"{rng.randrange(10000, 99999):05d}" for _ in range(n)}
    codes |= {c.code for c in all_codes() if not c.is_range}
    return sorted(codes)


def write_quarter(folder: Path, ptp_rows: int, mue_rows: int, rvu_rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    pool = code_pool(12000, rng)
    catalogue = [c.code for c in all_codes() if not c.is_range]
    per_column1 = max(1, ptp_rows // len(pool))
    parts = 4
    per_part = len(pool) // parts + 1
    written = 0
    tails = [
        (pre, "20170101", deleted, indicator, rationale)
        for pre in ("", "*")
        for deleted, indicators in (("*", "01"), ("20191231", "019"))
        for indicator in indicators
        for rationale in RATIONALES
    ]
    for part in range(parts):
        column1s = pool[part * per_part : (part + 1) * per_part]

        def rows(column1s: list[str] = column1s):
            nonlocal written
            for c1 in column1s:
                for k in range(per_column1 + (1 if c1 in catalogue else 0)):
                    if written >= ptp_rows:
                        return
                    c2 = rng.choice(catalogue) if k == 0 and rng.random() < 0.02 else rng.choice(pool)
                    written += 1
                    yield (c1, c2, *rng.choice(tails))

        samples.write_ptp_part(folder / f"ccipra-v322r0-f{part + 1}.TXT", rows())
    mue_codes = (catalogue + pool)[:mue_rows]
    samples.write_mue(
        folder / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv",
        [(c, rng.randrange(1, 5), rng.choice("123"), "Clinical: Data") for c in mue_codes],
    )
    rvu_codes = (catalogue + pool)[:rvu_rows]
    samples.write_rvu(folder / "PPRRVU26_JUL.csv", [samples.rvu_row(c) for c in rvu_codes])


def time_import(folder: Path, store: Path) -> tuple[float, float]:
    """(wall seconds, peak MB) of ``esi-ref data import`` in a child process."""
    script = (
        "import sys; from esi_reference.cli import main; "
        f"sys.exit(main(['data', 'import', {str(folder)!r}, '--into', {str(store)!r}]))"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb / 1024


def quarter_encounters(day: str) -> list:
    """The example encounters moved to a date of service in the synthetic quarter (those that stay valid)."""
    out = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        data = json.loads(path.read_text())
        data["date_of_service"] = day
        try:
            out.append(parse_encounter(data))
        except EsiError:
            continue  # an example whose other dates (prior sessions) must precede its date of service
    return out + [replace(e, claim=None) for e in out]


def median_check_ms(encounters: list, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        for enc in encounters:
            forget_memos(enc)
            start = time.perf_counter()
            engine.check(enc)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ptp-rows", type=int, default=2_800_000)
    parser.add_argument("--mue-rows", type=int, default=15_000)
    parser.add_argument("--rvu-rows", type=int, default=19_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder, store = Path(tmp) / "cms", Path(tmp) / "store"
        folder.mkdir()
        start = time.perf_counter()
        write_quarter(folder, args.ptp_rows, args.mue_rows, args.rvu_rows)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"wrote {args.ptp_rows:,} PTP rows in 4 parts, {size:.0f} MB, in {time.perf_counter() - start:.1f} s")
        wall, peak = time_import(folder, store)
        print(f"import: {wall:.2f} s wall, peak RSS {peak:.0f} MB (targets <= 10 s, <= 300 MB)")
        installed = sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 1e3
        print(f"installed dataset: {installed:.0f} kB")
        encounters = quarter_encounters("2026-08-03")
        os.environ["ESI_REFERENCE_DATA"] = str(Path(tmp) / "nothing")
        refresh()
        shipped = median_check_ms(encounters, args.repeat)
        os.environ["ESI_REFERENCE_DATA"] = str(store)
        refresh()
        assert engine.check(encounters[0]).tables.ptp[0].vintage == "2026Q3"
        with_store = median_check_ms(encounters, args.repeat)
        print(
            f"check ({len(encounters)} encounters dated 2026-08-03): median {shipped:.3f} ms with the shipped "
            f"tables, {with_store:.3f} ms with the installed 2026Q3 quarter"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
