"""Facility packaging status per code (esi_reference.reference.packaging) and its notes on facility claims."""

from __future__ import annotations

from esi_asserts import base_encounter

from esi_reference.engine import check, suggest_claim
from esi_reference.reference import catalogue
from esi_reference.reference.packaging import (
    ASC_INDICATORS,
    DEFINITION_SOURCES,
    OPPS_STATUS,
    all_packaging,
    facility_packaging_notes,
    packaging,
)
from esi_reference.reference.sources import source

#: Catalogue families a facility claim carries whose status the table must give.
FACILITY_FAMILIES = {
    "esi_interlaminar",
    "esi_transforaminal",
    "imaging_guidance",
    "contrast",
    "drug",
    "si_joint",
    "neurolytic",
    "nuclear_medicine",
    "facet",
}


def test_every_row_is_a_catalogue_code_with_known_sources_and_indicators() -> None:
    for row in all_packaging():
        assert catalogue.lookup(row.code).code == row.code
        assert row.sources and all(source(s) for s in row.sources)
        assert set(DEFINITION_SOURCES) <= set(row.sources)
        assert row.opps_status in {"", *OPPS_STATUS} and row.asc_indicator in {"", *ASC_INDICATORS}
        assert row.packaged is (row.opps_status == "N") or row.packaged is None
        assert row.asc_indicator != "N1" or row.packaged


def test_no_per_code_status_claims_to_be_verified() -> None:
    # No OPPS Addendum B or ASC Addendum AA/BB was read: a row may turn verified only with that source.
    assert not [r.code for r in all_packaging() if r.verified]
    assert all("not read from the OPPS/ASC addenda" in r.note for r in all_packaging())


def test_the_facility_codes_of_the_catalogue_have_a_row() -> None:
    missing = [
        c.code
        for c in catalogue.all_codes()
        if c.family in FACILITY_FAMILIES and c.valid_to is None and packaging(c.code) is None
    ]
    assert not missing


def test_notes_name_packaged_unverified_and_unknown_codes() -> None:
    notes = facility_packaging_notes(["62323", "77003", "Q9966", "99213"], "asc")
    assert notes[0] == "Packaged lines on this facility claim (reported, no separate payment): 77003 (N1), Q9966 (N1)."
    assert notes[1].endswith(": 62323, 77003, Q9966.") and "unverified" in notes[1]
    assert notes[2] == "Packaging status not known here: 99213."
    assert facility_packaging_notes([], "asc") == ()


def test_a_facility_suggestion_and_check_say_which_lines_are_packaged() -> None:
    data = base_encounter(
        claim_type="facility",
        procedures=[{"approach": "transforaminal", "levels": ["L4-L5", "L5-S1"], "side": "left"}],
        claim=[{"code": "64483", "modifiers": ["LT"]}, {"code": "64484", "modifiers": ["LT"]}],
    )
    packaged = "Packaged lines on this facility claim (reported, no separate payment): 64484 (N)."
    assert packaged in suggest_claim(data).notes
    report = check(data)
    assert packaged in report.notes and f"note: {packaged}" in report.text()
    assert any("unverified" in n and "64483, 64484" in n for n in report.notes)


def test_a_professional_claim_has_no_packaging_note() -> None:
    data = base_encounter()
    assert not any(n.startswith("Packag") for n in suggest_claim(data).notes)
    assert check(data).notes == ()


def test_code_pages_show_the_facility_status_flagged_unverified() -> None:
    from esi_reference.views.facts import quick_facts

    fact = next(f for f in quick_facts("77003").facts if f.key == "facility")
    assert fact.value.startswith("OPPS N, ASC N1: packaged") and fact.unverified and "CFR-416-164" in fact.sources
    unknown = next(f for f in quick_facts("99213").facts if f.key == "facility")
    assert unknown.value == "status not known here" and unknown.unverified
