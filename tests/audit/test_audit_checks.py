"""Each vectorised check on small hand-made claim files: the finding, its rule id, its lines."""

from __future__ import annotations

import pytest
from audit_helpers import found, row, run

from esi_reference.audit import AUDIT_RULE_IDS
from esi_reference.rules import rule_by_id


def test_every_audit_rule_id_is_a_registered_rule_and_metadata_comes_from_it():
    result = run([row(code="62323", modifiers="50")])
    assert all(rule_by_id(r) for r in AUDIT_RULE_IDS)
    by_rule = result.summary.by_rule.set_index("rule_id")
    assert by_rule.at["CPT-IL-NOT-BILATERAL", "title"] == rule_by_id("CPT-IL-NOT-BILATERAL").title
    assert by_rule.at["MUE-UNITS", "sources"] == " ".join(rule_by_id("MUE-UNITS").sources)


def test_code_validity_by_date_of_service():
    result = run(
        [
            row(claim="A", day="2020-12-31", code="0230T"),
            row(claim="B", day="2021-01-01", code="0230T"),
            row(claim="C", patient="P2", day="2024-03-31", code="J1040", dose="80"),
            row(claim="D", patient="P2", day="2024-04-01", code="J1040", dose="80"),
        ]
    )
    assert found(result, "CPT-CODE-VALID") == {("B", 1)}
    assert found(result, "DRUG-CODE-DATE") == {("D", 1)}


def test_addon_needs_its_primary_on_the_same_date_for_the_same_patient():
    result = run(
        [
            row(claim="A", line=1, code="64483"),
            row(claim="A", line=2, code="64484"),
            row(claim="B", day="2025-03-05", code="64484"),
            row(claim="C", patient="P2", code="64484"),
        ]
    )
    assert found(result, "CPT-ADDON-PRIMARY") == {("B", 1), ("C", 1)}


def test_primary_on_another_claim_same_day_counts():
    result = run([row(claim="A", code="64483"), row(claim="B", code="64484")])
    assert found(result, "CPT-ADDON-PRIMARY") == set()


@pytest.mark.parametrize("mods", ["50", "RT", "LT", "LT 59"])
def test_interlaminar_never_bilateral(mods):
    result = run([row(code="62321", modifiers=mods, dx="M54.12")])
    assert found(result, "CPT-IL-NOT-BILATERAL") == {("C1", 1)}


def test_bilateral_on_two_lines_and_mue():
    result = run([row(line=1, code="64483", modifiers="RT"), row(line=2, code="64483", modifiers="LT")])
    assert found(result, "CPT-BILATERAL-ONE-LINE") == {("C1", 1), ("C1", 2)}
    assert found(result, "MUE-UNITS") == {("C1", 1), ("C1", 2)}
    severities = set(result.findings.loc[result.findings["rule_id"] == "MUE-UNITS", "severity"])
    assert severities == {"info"}  # 64483: MAI 2, but a consequence of the bilateral error (one root cause)
    clean = run([row(code="64483", modifiers="50")])
    assert len(clean.findings) == 0


def test_mue_over_a_per_session_code_is_a_consequence_of_session_units():
    result = run([row(code="62323", units=2)])
    assert found(result, "CPT-SESSION-UNITS") == {("C1", 1)}
    mue = result.findings[result.findings["rule_id"] == "MUE-UNITS"]
    assert mue["severity"].tolist() == ["info"]  # MAI 3, and a consequence of CPT-SESSION-UNITS


def test_imaging_included_and_unguided_code_with_guidance():
    result = run(
        [
            row(claim="A", line=1, code="62323"),
            row(claim="A", line=2, code="77003"),
            row(claim="B", patient="P2", line=1, code="62322"),
            row(claim="B", patient="P2", line=2, code="77003"),
        ]
    )
    assert found(result, "CPT-IMAGING-INCLUDED") == {("A", 2), ("B", 2)}
    assert found(result, "CPT-IMAGING-CODE") == {("B", 1)}
    assert found(result, "LCD-IMAGING-GUIDANCE") == set()
    alone = run([row(code="62322")])
    assert found(alone, "LCD-IMAGING-GUIDANCE") == {("C1", 1)}


def test_ptp_pair_modifier_bypass_and_deletion_date():
    result = run([row(claim="A", line=1, code="62323"), row(claim="A", line=2, code="64483", modifiers="RT")])
    assert found(result, "NCCI-PTP") == {("A", 1), ("A", 2)}
    bypassed = run([row(claim="A", line=1, code="62323"), row(claim="A", line=2, code="64483", modifiers="RT XS")])
    f = bypassed.findings[bypassed.findings["rule_id"] == "NCCI-PTP"]
    assert f[["line_number", "severity"]].values.tolist() == [[2, "info"]]
    never = run(
        [
            row(claim="A", line=1, code="62321", dx="M54.12"),
            row(claim="A", line=2, code="64480", modifiers="59", dx="M54.12"),
        ]
    )
    f = never.findings[never.findings["rule_id"] == "NCCI-PTP"]
    assert set(f["severity"]) == {"error"} and set(f["line_number"]) == {1, 2}  # modifier indicator 0


def test_em_without_25_and_local_anesthetic():
    result = run([row(line=1, code="99214"), row(line=2, code="64483"), row(line=3, code="J2001")])
    assert found(result, "NCCI-EM-SAME-DAY") == {("C1", 1)}
    assert found(result, "NCCI-LOCAL-ANESTHETIC") == {("C1", 3)}
    assert found(result, "NCCI-PTP") == set()  # J2001 pairs are left to NCCI-LOCAL-ANESTHETIC
    ok = run([row(line=1, code="99214", modifiers="25"), row(line=2, code="64483")])
    assert found(ok, "NCCI-EM-SAME-DAY") == set()


def test_drug_units_facility_and_contrast():
    result = run(
        [
            row(claim="A", line=1, code="64483"),
            row(claim="A", line=2, code="J3301", units=40, dose="40"),
            row(claim="B", patient="P2", line=1, code="64483"),
            row(claim="B", patient="P2", line=2, code="J3301", units=4, dose="40"),
            row(claim="C", patient="P3", line=1, code="64483", pos="22"),
            row(claim="C", patient="P3", line=2, code="J1100", units=10, dose="10", pos="22"),
            row(claim="C", patient="P3", line=3, code="Q9966", units=3, pos="22"),
        ]
    )
    assert found(result, "DRUG-UNITS") == {("A", 2)}
    assert found(result, "DRUG-FACILITY") == {("C", 2), ("C", 3)}
    assert found(result, "DRUG-CONTRAST") == {("C", 3)}


def test_frequency_rolling_window_boundary():
    days = ["2024-03-04", "2024-06-01", "2024-09-01", "2024-12-01", "2025-03-04"]
    result = run([row(claim=f"C{i}", day=d) for i, d in enumerate(days)])
    assert found(result, "LCD-FREQUENCY") == set()  # 2024-03-04 is outside the window ending 2025-03-04
    days[0] = "2024-03-05"
    result = run([row(claim=f"C{i}", day=d) for i, d in enumerate(days)])
    assert found(result, "LCD-FREQUENCY") == {("C4", 1)}
    assert result.summary.totals["patients_over_limit"] == 1
    over = result.summary.patients_over_limit
    assert over[["patient_id", "region_family"]].values.tolist() == [["P1", "lumbar_sacral"]]


def test_frequency_is_per_region_family_and_counts_dates_not_lines():
    days = ["2025-01-10", "2025-03-10", "2025-05-10", "2025-07-10"]
    rows = [row(claim=f"L{i}", day=d) for i, d in enumerate(days)]
    rows += [
        row(claim="L9", day="2025-07-10", code="64484"),
        row(claim="X", day="2025-09-10", code="62321", dx="M54.12"),
    ]
    result = run(rows)
    assert found(result, "LCD-FREQUENCY") == set()


def test_coverage_rules_ga_gz_other_payer_and_contractor_date():
    days = ["2025-01-10", "2025-03-10", "2025-05-10", "2025-07-10", "2025-09-10"]
    rows = [row(claim=f"C{i}", day=d, modifiers="GZ" if i == 4 else "") for i, d in enumerate(days)]
    result = run(rows)
    f = result.findings[result.findings["rule_id"] == "LCD-FREQUENCY"]
    assert f["severity"].tolist() == ["info"] and f["message"].iloc[0].endswith("the expected denial is declared.")
    other = run([row(claim=f"C{i}", day=d, payer="other") for i, d in enumerate(days)])
    assert found(other, "LCD-FREQUENCY") == set()
    axial = run(
        [
            row(claim="A", day="2022-01-03", dx="M54.50", contractor="L39240"),
            row(claim="B", day="2022-07-01", dx="M54.50", contractor="L39240"),
        ]
    )
    assert found(axial, "LCD-DIAGNOSIS") == {("B", 1)}  # L39240 starts 2022-06-19


def test_one_region_and_transforaminal_levels():
    result = run([row(line=1, code="62321", dx="M54.12 M54.16"), row(line=2, code="64483", dx="M54.12 M54.16")])
    assert found(result, "LCD-ONE-REGION") == {("C1", 2)}
    levels = run([row(line=1, code="64483"), row(line=2, code="64484", units=2)])
    assert found(levels, "LCD-TF-LEVELS") == {("C1", 2)}
    two = run([row(line=1, code="64483", modifiers="50"), row(line=2, code="64484", modifiers="50")])
    assert found(two, "LCD-TF-LEVELS") == set()


def test_diagnosis_axial_missing_and_postoperative():
    result = run(
        [
            row(patient="A", claim="A", dx="M54.50"),
            row(patient="B", claim="B", dx=""),
            row(patient="C", claim="C", dx="G89.18"),
            row(patient="D", claim="D", dx="Z00.00"),
        ]
    )
    f = result.findings[result.findings["rule_id"] == "LCD-DIAGNOSIS"]
    assert dict(zip(f["claim_id"].astype(str), f["severity"].astype(str), strict=True)) == {
        "A": "error",
        "B": "error",
        "D": "info",
    }


def test_sessions_under_another_payer_do_not_count_toward_the_medicare_limit():
    days = ["2025-01-10", "2025-03-10", "2025-05-10", "2025-07-10", "2025-09-10"]
    rows = [row(claim=f"C{i}", day=d, payer="other" if i == 0 else "medicare") for i, d in enumerate(days)]
    assert found(run(rows), "LCD-FREQUENCY") == set()
    rows[0]["payer"] = "medicare"
    assert found(run(rows), "LCD-FREQUENCY") == {("C4", 1)}
