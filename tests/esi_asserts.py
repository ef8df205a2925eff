"""Shared test helpers: a valid base encounter and domain assertions (in the manner of holidays' common tests)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from esi_reference.engine import check
from esi_reference.model.encounter import Documentation, parse_encounter

FULL_DOC = dataclasses.asdict(Documentation.complete(pain_weeks=10, conservative_care_weeks=8))


def base_encounter(**overrides: Any) -> dict[str, Any]:
    """A clean lumbar interlaminar ESI in a hospital outpatient department, correctly billed."""
    data: dict[str, Any] = {
        "date_of_service": "2025-06-02",
        "place_of_service": "22",
        "payer": "medicare",
        "procedures": [
            {"approach": "interlaminar", "levels": ["L4-L5"], "guidance": "fluoroscopy", "contrast": "used"}
        ],
        "diagnoses": ["M54.16"],
        "documentation": dict(FULL_DOC),
        "claim": [{"code": "62323"}],
    }
    data.update(copy.deepcopy(overrides))
    return data


def findings(data: dict[str, Any], as_of: str | None = None) -> dict[str, str]:
    """rule id -> worst severity of its findings."""
    report = check(parse_encounter(data), as_of=as_of)
    out: dict[str, str] = {}
    for f in report.findings:
        if f.rule_id not in out or f.severity == "error":
            out[f.rule_id] = f.severity
    return out


def assert_finding(data: dict[str, Any], rule_id: str, severity: str | None = None, as_of: str | None = None) -> None:
    got = findings(data, as_of)
    assert rule_id in got, f"expected {rule_id}, got {got}"
    if severity:
        assert got[rule_id] == severity, f"{rule_id}: expected {severity}, got {got[rule_id]}"


def assert_no_finding(data: dict[str, Any], rule_id: str, as_of: str | None = None) -> None:
    got = findings(data, as_of)
    assert rule_id not in got, f"did not expect {rule_id}: {got}"


def assert_clean(data: dict[str, Any]) -> None:
    report = check(parse_encounter(data))
    assert report.is_clean and not report.warnings, report.text()
