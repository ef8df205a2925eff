"""check() and the claims audit agree on the NCCI and MUE findings with an installed CMS quarter and with
PTP files given for one run: same lines, same severities, same table cited."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from esi_reference.audit import audit
from esi_reference.audit.columns import COLUMN_NAMES
from esi_reference.cmsdata import importer
from esi_reference.cmsdata.tables import refresh
from esi_reference.engine import check
from esi_reference.model.encounter import parse_encounter
from esi_reference.reference import ncci

from .cms_rows import write_quarter

RULES = ("NCCI-PTP", "MUE-UNITS")

#: (date of service, claim lines as (code, modifiers, units)).
CASES = [
    ("2026-08-03", [("62323", "", 1), ("64493", "", 1)]),  # installed edit, indicator 0
    ("2017-02-15", [("62323", "", 1), ("64493", "", 1)]),  # before the edit's effective date
    ("2026-08-03", [("62323", "", 1), ("99213", "25", 1)]),  # E/M looked up by its own code, 25 bypasses
    ("2026-08-03", [("62323", "", 1), ("99213", "", 1)]),  # ... and without 25 it is denied
    ("2020-05-01", [("64483", "", 1), ("62322", "", 1)]),  # deleted 2019-12-31, re-added 2020-10-01
    ("2020-11-02", [("64483", "", 1), ("62322", "XS", 1)]),  # re-added, bypassed with XS
    ("2026-08-03", [("64483", "", 1), ("64493", "", 1)]),  # indicator 9: never applies
    ("2026-08-03", [("62323", "", 3)]),  # over the installed MUE of 2
    ("2026-08-03", [("62321", "", 2)]),  # not in the partial MUE file: the shipped MUE of 1
]


def _engine(day: str, lines) -> set[tuple[str, int, str]]:
    """check() on the claim-only encounter the audit's rows express (the clinical facts of a full encounter
    can mark a finding as the consequence of a coding error the claim alone cannot show)."""
    data = {
        "date_of_service": day,
        "place_of_service": "22",
        "diagnoses": ["M54.16"],
        "claim_only": True,
        "claim": [{"code": c, "modifiers": m.split(), "units": u, "diagnoses": ["M54.16"]} for c, m, u in lines],
    }
    report = check(parse_encounter(data))
    return {(f.rule_id, n, f.severity) for f in report.findings if f.rule_id in RULES for n in f.lines}


def _audit(day: str, lines) -> set[tuple[str, int, str]]:
    common = {"patient_id": "P1", "claim_id": "C1", "date_of_service": day, "place_of_service": "22"}
    common |= {"diagnosis_codes": "M54.16", "rendering_provider": "1234567893"}
    rows = [dict(common, line_number=str(n), code=c, modifiers=m, units=str(u)) for n, (c, m, u) in enumerate(lines, 1)]
    text = pd.DataFrame(rows, columns=list(COLUMN_NAMES), dtype=str).fillna("").to_csv(index=False)
    f = audit(io.StringIO(text)).findings
    f = f[f["rule_id"].isin(RULES)]
    return {(str(r), int(n), str(s)) for r, n, s in zip(f["rule_id"], f["line_number"], f["severity"], strict=True)}


@pytest.fixture
def installed(cms_folder: Path, data_dir: Path) -> Path:
    importer.install_files([cms_folder])
    refresh()
    return data_dir


@pytest.mark.parametrize(("day", "lines"), CASES)
def test_check_and_audit_agree_with_an_installed_quarter(installed: Path, day: str, lines) -> None:
    assert _engine(day, lines) == _audit(day, lines)


@pytest.mark.parametrize(("day", "lines"), CASES)
def test_check_and_audit_agree_with_files_for_one_run(tmp_path: Path, data_dir: Path, day: str, lines) -> None:
    parts = write_quarter(tmp_path / "parts", parts=(1, 2))
    with ncci.using_files([str(p) for p in parts]):
        assert _engine(day, lines) == _audit(day, lines)


def test_the_agreement_is_not_vacuous(installed: Path, tmp_path: Path) -> None:
    assert ("NCCI-PTP", 2, "error") in _engine(*CASES[0])
    assert _engine(*CASES[1]) == set()
    assert ("NCCI-PTP", 2, "info") in _engine(*CASES[2])
    assert ("MUE-UNITS", 1, "info") in _engine(*CASES[7])  # a consequence of CPT-SESSION-UNITS (3 units)
    parts = write_quarter(tmp_path / "parts", parts=(1, 2))
    with ncci.using_files([str(p) for p in parts]):
        assert _engine(*CASES[4]) == set()
        assert ("NCCI-PTP", 2, "info") in _engine(*CASES[5])
        assert ("NCCI-PTP", 1, "error") in _engine("2020-11-02", [("64483", "", 1), ("62322", "", 1)])
