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
