"""Helpers for the audit tests: claim rows as dicts, written to a CSV or passed as a frame."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from esi_reference.audit import audit
from esi_reference.audit.columns import COLUMN_NAMES


def row(
    patient: str = "P1",
    claim: str = "C1",
    line: int = 1,
    day: str = "2025-03-04",
    code: str = "64483",
    modifiers: str = "",
    units: int | str = 1,
    dx: str = "M54.16",
    pos: str = "11",
    dose: str = "",
    payer: str = "",
    contractor: str = "",
) -> dict[str, str]:
    return {
        "patient_id": patient,
        "claim_id": claim,
        "line_number": str(line),
        "date_of_service": day,
        "place_of_service": pos,
        "code": code,
        "modifiers": modifiers,
        "units": str(units),
        "diagnosis_codes": dx,
        "rendering_provider": "1234567893",
        "drug_dose": dose,
        "payer": payer,
        "contractor": contractor,
    }


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMN_NAMES) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def run(rows: list[dict[str, str]]):
    return audit(io.StringIO(csv_text(rows)))


def found(result, rule_id: str) -> set[tuple[str, int]]:
    """(claim_id, line_number) pairs with a finding of ``rule_id``."""
    f = result.findings
    f = f[f["rule_id"] == rule_id]
    return {(str(c), int(n)) for c, n in zip(f["claim_id"], f["line_number"], strict=True)}


SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claims" / "sample_claims.csv"
