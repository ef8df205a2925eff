"""The radionuclide CSF leak study (issue 12): the intrathecal tracer injection coded as for cisternography,
with the leak-imaging code 78650, and outside the ESI LCD limits as cisternography is."""

from __future__ import annotations

import jsonschema
import pytest
from esi_asserts import base_encounter, findings

from esi_reference.engine import check, suggest_claim
from esi_reference.errors import InvalidEncounter
from esi_reference.model.encounter import encounter_schema, parse_encounter
from esi_reference.reference import catalogue
from esi_reference.reference.policy import LCD_EXEMPT_PURPOSES, UNVERIFIED_EXEMPT_PURPOSES

VALIDATOR = jsonschema.Draft202012Validator(encounter_schema(), format_checker=jsonschema.FormatChecker())
LEAK_STUDY = {
    "approach": "interlaminar",
    "levels": ["L2-L3"],
    "substance": "radiopharmaceutical",
    "purpose": "csf_leak_study",
    "space": "subarachnoid",
}


def leak_study(**overrides: object) -> dict:
    data = base_encounter(procedures=[LEAK_STUDY], diagnoses=["G96.00"])
    data.pop("claim")
    data.update(overrides)
    return data


def test_the_leak_study_is_valid_and_published_by_the_schema() -> None:
    data = leak_study()
    assert parse_encounter(data).procedures[0].purpose == "csf_leak_study"
    assert not list(VALIDATOR.iter_errors(data))
    purposes = encounter_schema()["properties"]["procedures"]["items"]["properties"]["purpose"]["enum"]
    assert "csf_leak_study" in purposes


def test_it_codes_the_injection_and_the_leak_imaging() -> None:
    assert [str(line) for line in suggest_claim(leak_study()).lines] == ["62323 x1", "78650-26 x1"]
    office = leak_study(place_of_service="11")
    assert [str(line) for line in suggest_claim(office).lines] == ["62323 x1", "78650 x1"]
    unguided = leak_study(procedures=[dict(LEAK_STUDY, guidance="none")])
    assert [str(line) for line in suggest_claim(unguided).lines] == ["62322 x1", "78650-26 x1"]


def test_the_billed_study_is_clean_and_exempt_from_the_esi_diagnosis_list() -> None:
    billed = leak_study(claim=[{"code": "62323"}, {"code": "78650", "modifiers": ["26"]}])
    report = check(billed)
    assert report.is_clean, report.text()
    assert "LCD-DIAGNOSIS" not in findings(billed)
    assert "LCD-DIAGNOSIS" in findings(base_encounter(diagnoses=["G96.00"]))  # the same diagnosis on an ESI
    assert "csf_leak_study" in LCD_EXEMPT_PURPOSES and "csf_leak_study" in UNVERIFIED_EXEMPT_PURPOSES


def test_cisternography_imaging_is_not_the_leak_study_code() -> None:
    wrong = leak_study(claim=[{"code": "62323"}, {"code": "78630", "modifiers": ["26"]}])
    assert "CPT-NOT-BILLED" in findings(wrong)


@pytest.mark.parametrize(
    ("procedure", "field"),
    [
        (dict(LEAK_STUDY, substance="steroid"), "procedures[0].substance"),
        (dict(LEAK_STUDY, space="epidural"), "procedures[0].space"),
        (dict(LEAK_STUDY, approach="transforaminal", side="left", space="epidural"), "procedures[0].purpose"),
        (dict(LEAK_STUDY, purpose="therapeutic"), "procedures[0].purpose"),
    ],
)
def test_contradictions_are_refused_by_parser_and_schema(procedure: dict, field: str) -> None:
    data = leak_study(procedures=[procedure])
    with pytest.raises(InvalidEncounter) as err:
        parse_encounter(data)
    assert any(e.field == field for e in err.value.errors), err.value
    assert list(VALIDATOR.iter_errors(data))


def test_78650_is_in_the_catalogue_with_its_cms_facts() -> None:
    code = catalogue.lookup("78650")
    assert code.family == "nuclear_medicine" and code.global_days == "XXX" and code.bilateral_indicator == "0"
    assert "CMS-RVU-2024-07" in code.sources and not code.unverified
