"""A facility claim says plainly which NCCI and MUE tables its checks use (none installed: the practitioner ones)."""

from esi_reference.coding import FACILITY_NCCI_NOTE, derive_lines
from esi_reference.model.encounter import parse_encounter

ENCOUNTER = {
    "date_of_service": "2025-03-04",
    "place_of_service": "22",
    "procedures": [{"approach": "transforaminal", "levels": ["L4-L5"], "side": "left"}],
}


def test_facility_claim_names_the_missing_facility_tables():
    notes = derive_lines(parse_encounter(dict(ENCOUNTER, claim_type="facility"))).notes
    assert FACILITY_NCCI_NOTE in notes
    assert "practitioner" in FACILITY_NCCI_NOTE and "none is installed" in FACILITY_NCCI_NOTE


def test_professional_claim_has_no_facility_note():
    assert FACILITY_NCCI_NOTE not in derive_lines(parse_encounter(ENCOUNTER)).notes


def test_check_report_of_a_facility_claim_shows_the_note():
    from esi_reference.engine import check

    facility = dict(
        ENCOUNTER, claim_type="facility", diagnoses=["M54.16"], claim=[{"code": "64483", "modifiers": ["LT"]}]
    )
    report = check(facility)
    assert FACILITY_NCCI_NOTE in report.notes
    assert f"note: {FACILITY_NCCI_NOTE}" in report.text()
    assert FACILITY_NCCI_NOTE in report.to_dict()["notes"]
    suggested = check(dict(ENCOUNTER, claim_type="facility"))  # no claim: the suggested one is checked
    assert FACILITY_NCCI_NOTE in suggested.notes


def test_check_report_of_a_professional_claim_has_no_facility_note():
    from esi_reference.engine import check

    report = check(dict(ENCOUNTER, claim=[{"code": "64483", "modifiers": ["LT"]}]))
    assert FACILITY_NCCI_NOTE not in report.notes and FACILITY_NCCI_NOTE not in report.text()
    assert report.to_dict()["notes"] == []
