"""A seeded synthetic claim-line generator with a realistic mix, for tests and benchmarks.

The mix follows what a pain practice bills: mostly lumbar transforaminal and interlaminar sessions,
some cervical ones, bilateral transforaminal injections on one line with modifier 50, a steroid drug
line in the office setting, now and then a same-day visit with modifier 25. A share of sessions carries
a typical coding error (imaging billed on top, interlaminar code with 50, an add-on without its
primary, a deleted code, too many levels, two regions in one session, drug units that do not match the
dose, an NCCI pair), and some patients get more than four sessions in a region in a year.
``bad_row_rate`` adds rows the reader must reject (malformed date, unknown code, negative units,
missing value, too many fields).

The same seed always gives the same file:

>>> a = generate_rows(40, seed=7)
>>> a == generate_rows(40, seed=7), len(a) >= 40, a[0][:2]
(True, True, ('PT0000001', 'CL00000001'))
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from collections.abc import Iterator

from esi_reference.audit.columns import COLUMN_NAMES, DRUG_FACT_COLUMNS
from esi_reference.files import Outputs
from esi_reference.model.encounter import CONTRACTOR_LCDS

Line = tuple[str, ...]
_CONTRACTORS = ("", *CONTRACTOR_LCDS)

# (code, modifiers, units, drug_dose) templates; region: C = cervical/thoracic, L = lumbar/sacral.
_CLEAN_SESSIONS: tuple[tuple[int, str, tuple[tuple[str, str, int], ...]], ...] = (
    (30, "L", (("64483", "{side}", 1),)),
    (14, "L", (("64483", "{side}", 1), ("64484", "{side}", 1))),
    (12, "L", (("64483", "50", 1),)),
    (18, "L", (("62323", "", 1),)),
    (3, "L", (("62327", "", 1),)),
    (10, "C", (("62321", "", 1),)),
    (6, "C", (("64479", "{side}", 1),)),
    (2, "C", (("64479", "50", 1), ("64480", "50", 1))),
)
_ERRORS: tuple[tuple[int, str, tuple[tuple[str, str, int], ...]], ...] = (
    (14, "L", (("64483", "{side}", 1), ("77003", "", 1))),  # imaging billed on top
    (10, "L", (("62323", "50", 1),)),  # interlaminar never bilateral
    (6, "L", (("64484", "{side}", 1),)),  # add-on without its primary
    (8, "L", (("64483", "RT", 1), ("64483", "LT", 1))),  # bilateral on two lines (MUE)
    (5, "L", (("64483", "{side}", 1), ("64484", "{side}", 2))),  # three transforaminal levels
    (5, "X", (("62321", "", 1), ("64483", "{side}", 1))),  # two regions in one session
    (5, "L", (("62323", "", 1), ("64483", "{side}", 1))),  # NCCI pair, no modifier
    (4, "L", (("62323", "", 2),)),  # units above MUE
    (4, "L", (("0230T", "{side}", 1),)),  # deleted 2021-01-01
    (3, "C", (("62321", "", 1), ("72275", "", 1))),  # deleted 2022-01-01, imaging
    (3, "L", (("62322", "", 1), ("77003", "", 1))),  # unguided code + fluoroscopy
    (3, "L", (("62322", "", 1),)),  # unguided ESI: not covered
    (3, "A", (("64483", "{side}", 1),)),  # axial pain diagnosis: not covered
    (2, "L", (("99214", "", 1), ("64483", "{side}", 1))),  # same-day visit without 25
    (2, "L", (("64483", "{side}", 1), ("J2001", "", 1))),  # local anesthetic billed
)
# (code, units per dose, typical dose) for a steroid drug line in the office.
_DRUGS = (
    ("J3301", 10.0, 40.0),
    ("J3301", 10.0, 80.0),
    ("J1100", 1.0, 10.0),
    ("J0702", 1.0, 2.0),
    ("J1010", 1.0, 80.0),
    ("J1010", 1.0, 40.0),
)
_DX = {
    "L": ("M54.16", "M54.17", "M51.16", "M51.17", "M48.062", "M96.1"),
    "C": ("M54.12", "M50.121", "M50.122", "M54.13"),
    "X": ("M54.12 M54.16",),
    "A": ("M54.50", "M51.36"),
}
_POS = (("11", 45), ("22", 30), ("24", 25))
_SESSIONS_PER_PATIENT = ((1, 38), (2, 26), (3, 18), (4, 12), (5, 4), (6, 2))


#: The columns the generator writes: every column but the drug facts (its drug lines state a dose only).
GENERATED_COLUMNS = tuple(c for c in COLUMN_NAMES if c not in DRUG_FACT_COLUMNS)


def generate_rows(
    n_lines: int,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    error_rate: float = 0.12,
    bad_row_rate: float = 0.0,
    overlong_rows: bool = True,
) -> list[Line]:
    """At least ``n_lines`` claim lines (whole sessions), deterministic for a seed."""
    return list(iter_rows(n_lines, seed, start, days, error_rate, bad_row_rate, overlong_rows))


def iter_rows(
    n_lines: int,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    error_rate: float = 0.12,
    bad_row_rate: float = 0.0,
    overlong_rows: bool = True,
) -> Iterator[Line]:
    """Yield claim lines; see the module docstring. ``overlong_rows=False`` leaves out the rows with one
    field too many (pandas' default ``read_csv`` refuses such a file, so the benchmark omits them)."""
    rng = random.Random(seed)
    produced = 0
    patient = 0
    claim = 0
    clean_w = [t[0] for t in _CLEAN_SESSIONS]
    error_w = [t[0] for t in _ERRORS]
    n_w = [t[1] for t in _SESSIONS_PER_PATIENT]
    pos_w = [t[1] for t in _POS]
    while produced < n_lines:
        patient += 1
        pid = f"PT{patient:07d}"
        n_sessions = rng.choices(_SESSIONS_PER_PATIENT, weights=n_w)[0][0]
        home = "L" if rng.random() < 0.75 else "C"
        provider = f"{1000000000 + rng.randrange(200) * 7919:010d}"
        payer = "other" if rng.random() < 0.1 else "medicare"
        contractor = rng.choice(_CONTRACTORS) if payer == "medicare" else ""
        dates = sorted(rng.sample(range(days), min(n_sessions, days)))
        for offset in dates:
            day = start + dt.timedelta(days=offset)
            pos = rng.choices(_POS, weights=pos_w)[0][0]
            if rng.random() < error_rate:
                _, region, lines = rng.choices(_ERRORS, weights=error_w)[0]
            else:
                _, region, lines = rng.choices(_CLEAN_SESSIONS, weights=clean_w)[0]
                if region != home and rng.random() < 0.8:
                    candidates = [t for t in _CLEAN_SESSIONS if t[1] == home]
                    _, region, lines = rng.choice(candidates)
            side = rng.choice(("RT", "LT"))
            dx = rng.choice(_DX[region])
            claim += 1
            cid = f"CL{claim:08d}"
            out: list[list[str]] = []
            if pos == "11" and rng.random() < 0.15:
                out.append(["99214", "25", "1", dx, ""])
            for code, mods, units in lines:
                out.append([code, mods.format(side=side), str(units), dx, ""])
            if (pos == "11" and rng.random() < 0.8) or rng.random() < 0.01:
                drug, per_unit, dose = rng.choice(_DRUGS)
                if drug == "J1010" and day < dt.date(2024, 4, 1):
                    drug = "J1040"
                    per_unit = 80.0
                    dose = 80.0
                units = max(1, round(dose / per_unit))
                if rng.random() < 0.03:
                    units = int(dose)  # units = mg instead of mg / unit size
                out.append([drug, "", str(units), dx, f"{dose:g}"])
            for number, (code, mods, units_text, dxs, dose_text) in enumerate(out, start=1):
                row = [
                    pid,
                    cid,
                    str(number),
                    day.isoformat(),
                    pos,
                    code,
                    mods,
                    units_text,
                    dxs,
                    provider,
                    dose_text,
                    payer,
                    contractor,
                    "",  # claim_type: professional
                ]
                if bad_row_rate and rng.random() < bad_row_rate:
                    row = _break(rng, row, overlong_rows)
                yield tuple(row)  # type: ignore[misc]
                produced += 1


def _break(rng: random.Random, row: list[str], overlong: bool = True) -> list[str]:
    kind = rng.randrange(6 if overlong else 5)
    row = list(row)
    if kind == 0:
        row[3] = row[3][:5] + "13" + row[3][7:]  # month 13
    elif kind == 1:
        row[5] = "99999"  # not in the catalogue
    elif kind == 2:
        row[7] = "-1"  # negative units
    elif kind == 3:
        row[0] = ""  # missing patient id
    elif kind == 4:
        row[3] = row[3].replace("-", "/")  # 2025/03/04
    else:
        row = [*row, "extra"]  # one field too many
    return row


def write_claims(path: str | os.PathLike[str], n_lines: int, seed: int = 0, **kwargs: object) -> int:
    """Write a synthetic claims CSV (atomically); returns the number of data rows written."""
    count = 0
    with Outputs([path]) as outputs, outputs.open_text(path) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(GENERATED_COLUMNS)
        for row in iter_rows(n_lines, seed, **kwargs):  # type: ignore[arg-type]
            w.writerow(row)
            count += 1
    return count


#: A hand-written patient for the sample file: five lumbar sessions within 12 months (the fifth is over
#: the limit), with the first one exactly a year before the last so that the window boundary shows.
_SAMPLE_PATIENT = (
    (
        "PT9000001",
        "CL90000001",
        "1",
        "2025-01-15",
        "11",
        "64483",
        "LT",
        "1",
        "M54.16",
        "1234567893",
        "",
        "medicare",
        "",
    ),
    (
        "PT9000001",
        "CL90000002",
        "1",
        "2025-04-02",
        "11",
        "64483",
        "LT",
        "1",
        "M54.16",
        "1234567893",
        "",
        "medicare",
        "",
    ),
    ("PT9000001", "CL90000003", "1", "2025-07-09", "11", "62323", "", "1", "M54.16", "1234567893", "", "medicare", ""),
    (
        "PT9000001",
        "CL90000003",
        "2",
        "2025-07-09",
        "11",
        "J3301",
        "",
        "4",
        "M54.16",
        "1234567893",
        "40",
        "medicare",
        "",
    ),
    (
        "PT9000001",
        "CL90000004",
        "1",
        "2025-10-01",
        "11",
        "64483",
        "50",
        "1",
        "M54.16",
        "1234567893",
        "",
        "medicare",
        "",
    ),
    (
        "PT9000001",
        "CL90000005",
        "1",
        "2025-12-10",
        "11",
        "64483",
        "LT",
        "1",
        "M54.16",
        "1234567893",
        "",
        "medicare",
        "",
    ),
    (
        "PT9000001",
        "CL90000006",
        "1",
        "2026-01-15",
        "11",
        "64483",
        "LT",
        "1",
        "M54.16",
        "1234567893",
        "",
        "medicare",
        "",
    ),
)


def write_sample(path: str | os.PathLike[str]) -> int:
    """Write ``examples/claims/sample_claims.csv``: 80 generated lines (with some malformed rows) plus one
    patient over the session limit."""
    count = 0
    with Outputs([path]) as outputs, outputs.open_text(path) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(GENERATED_COLUMNS)
        sample_patient = ((*r, "") for r in _SAMPLE_PATIENT)  # claim_type: professional
        for row in (*iter_rows(80, seed=2025, bad_row_rate=0.06, error_rate=0.35), *sample_patient):
            w.writerow(row)
            count += 1
    return count
