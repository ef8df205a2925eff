"""Drugs on the claim: containers, JW/JZ, discarded amounts, NDC, who supplied the drug.

Each rule is tested on both sides of each effective date (JW 2017-01-01; JZ available 2023-01-01, required
2023-07-01, claims returned from 2023-10-01), the suggested claim is tested for each case, and bad input
must be one typed error naming the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import jsonschema
import pytest
from esi_asserts import FULL_DOC
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import encounters, examples

from esi_reference.engine import check, suggest_claim
from esi_reference.errors import InvalidEncounter
from esi_reference.model.encounter import encounter_schema, parse_claim_line, parse_encounter
from esi_reference.trainer.grading import grade

DEX = "dexamethasone_sodium_phosphate"
TRI = "triamcinolone_acetonide"


def office(day: str, *drugs: dict[str, Any], claim: list[Any] | None = None, **kw: Any) -> dict[str, Any]:
    """A clean office (POS 11) lumbar interlaminar ESI for Medicare with these drugs (and billed lines)."""
    data: dict[str, Any] = {
        "date_of_service": day,
        "place_of_service": "11",
        "payer": "medicare",
        "procedures": [{"approach": "interlaminar", "levels": ["L4-L5"]}],
        "diagnoses": ["M54.16"],
        "documentation": dict(FULL_DOC),
        "drugs": list(drugs),
    }
    if claim is not None:
        data["claim"] = [{"code": "62323"}, *({"code": c, "modifiers": m, "units": u} for c, m, u in claim)]
    data.update(kw)
    return data


def sdv(drug: str = DEX, dose: float = 10, amount: float = 10, discarded: float | None = 0, **kw: Any) -> dict:
    given = {"drug": drug, "dose": dose, "container": "single_dose_vial", "container_amount": amount}
    if discarded is not None:
        given["discarded"] = discarded
    return {**given, **kw}


def mdv(drug: str = DEX, dose: float = 10, **kw: Any) -> dict:
    return {"drug": drug, "dose": dose, "container": "multi_dose_vial", **kw}


def drug_lines(data: dict[str, Any]) -> list[str]:
    return [str(line) for line in suggest_claim(data).lines if line.code.startswith("J")]


def rules(data: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in check(data).findings:
        out.setdefault(f.rule_id, f.severity)
    return out


def messages(data: dict[str, Any], rule_id: str) -> list[str]:
    return [f.message for f in check(data).findings if f.rule_id == rule_id]


# --- suggest_claim ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "lines"),
    [
        (sdv(), ["J1100-JZ x10"]),
        (sdv(dose=6, discarded=4), ["J1100 x6", "J1100-JW x4"]),
        (sdv(dose=5.5, discarded=4.5), ["J1100 x6", "J1100-JW x4"]),  # 6 units given, 4 whole units left
        (sdv(TRI, 25, 40, 15), ["J3301 x3", "J3301-JW x1"]),
        (sdv(TRI, 35, 40, 5), ["J3301-JZ x4"]),  # rounding up covers the vial: no JW line, JZ
        (sdv(TRI, 40, 80, None), ["J3301 x4", "J3301-JW x4"]),  # discarded taken from the labeled amount
        ({"drug": DEX, "dose": 10, "container": "ampule", "discarded": 0}, ["J1100-JZ x10"]),
        ({"drug": DEX, "dose": 8, "container": "prefilled_syringe", "discarded": 2}, ["J1100 x8", "J1100-JW x2"]),
        (mdv(), ["J1100 x10"]),
        ({"drug": DEX, "dose": 10}, ["J1100 x10"]),  # container not recorded: not decided (warning)
        (sdv("methylprednisolone_acetate", 40, 80, 40), ["J1010 x40", "J1010-JW x40"]),
    ],
)
def test_suggested_drug_lines(given: dict, lines: list[str]) -> None:
    data = office("2025-03-04", given)
    assert drug_lines(data) == lines
    assert check(data).is_clean, check(data).text()


def test_waste_before_2024_goes_on_the_administered_methylprednisolone_code() -> None:
    data = office("2023-09-12", sdv("methylprednisolone_acetate", 40, 80, 40))
    assert drug_lines(data) == ["J1030 x1", "J1030-JW x1"]
    assert check(data).is_clean


def test_facility_supplied_drug_is_never_on_the_physician_claim() -> None:
    for pos in ("11", "24", "22"):
        data = office("2025-03-04", sdv(dose=6, discarded=4, supplied_by="facility"), place_of_service=pos)
        suggestion = suggest_claim(data)
        assert drug_lines(data) == []
        assert [(n.code, n.rule_id) for n in suggestion.not_billable] == [("J1100", "DRUG-FACILITY")]
    asc = office("2025-03-04", sdv(dose=6, discarded=4), place_of_service="24")
    assert drug_lines(asc) == []  # no supplier recorded: the ASC is presumed to have bought it


def test_other_payers_get_no_jw_or_jz() -> None:
    data = office("2025-03-04", sdv(dose=6, discarded=4), payer="other")
    assert drug_lines(data) == ["J1100 x6"]
    billed = office("2025-03-04", sdv(), payer="other", claim=[("J1100", ["JZ"], 10)])
    assert not {"DRUG-JZ-UNEXPECTED", "DRUG-JZ-MISSING"} & set(rules(billed))


# --- effective dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "jw"), [("2016-12-31", False), ("2017-01-01", True)])
def test_jw_from_2017(day: str, jw: bool) -> None:
    waste = sdv(dose=6, discarded=4)
    assert drug_lines(office(day, waste)) == (["J1100 x6", "J1100-JW x4"] if jw else ["J1100 x6"])
    without = office(day, waste, claim=[("J1100", [], 6)])
    assert ("DRUG-JW-MISSING" in rules(without)) is jw
    assert ("DRUG-WASTE-DOCUMENTED" in rules(office(day, sdv(dose=6, discarded=None)))) is jw
    assert ("DRUG-WASTE-DOCUMENTED" in rules(office(day, sdv(dose=6, discarded=2)))) is jw  # 2 mg unaccounted
    assert "DRUG-WASTE-DOCUMENTED" not in rules(office(day, sdv(dose=6, discarded=4)))


@pytest.mark.parametrize(
    ("day", "suggested_jz", "missing", "unexpected"),
    [
        ("2022-12-31", False, False, True),  # JZ did not exist yet
        ("2023-01-01", False, False, False),  # optional
        ("2023-06-30", False, False, False),
        ("2023-07-01", True, True, False),  # required
        ("2023-09-30", True, True, False),
        ("2023-10-01", True, True, False),  # claims without it may be returned
    ],
)
def test_jz_dates(day: str, suggested_jz: bool, missing: bool, unexpected: bool) -> None:
    assert drug_lines(office(day, sdv())) == (["J1100-JZ x10"] if suggested_jz else ["J1100 x10"])
    without = office(day, sdv(), claim=[("J1100", [], 10)])
    with_jz = office(day, sdv(), claim=[("J1100", ["JZ"], 10)])
    assert ("DRUG-JZ-MISSING" in rules(without)) is missing
    assert ("DRUG-JZ-UNEXPECTED" in rules(with_jz)) is unexpected
    assert "DRUG-JZ-MISSING" not in rules(with_jz)


def test_jz_message_names_the_consequence_of_the_date() -> None:
    audit = messages(office("2023-09-30", sdv(), claim=[("J1100", [], 10)]), "DRUG-JZ-MISSING")
    returned = messages(office("2023-10-01", sdv(), claim=[("J1100", [], 10)]), "DRUG-JZ-MISSING")
    assert "subject to audit" in audit[0] and "returned" in returned[0] and "audit" not in returned[0]


@pytest.mark.parametrize(("day", "warned"), [("2023-06-30", False), ("2023-07-01", True)])
def test_container_must_be_recorded_from_july_2023(day: str, warned: bool) -> None:
    data = office(day, {"drug": DEX, "dose": 10}, claim=[("J1100", [], 10)])
    assert rules(data).get("DRUG-CONTAINER-RECORDED") == ("warning" if warned else None)
    assert "DRUG-CONTAINER-RECORDED" not in rules(office(day, mdv(), claim=[("J1100", [], 10)]))


# --- check: missing, wrong or unexpected JW/JZ ------------------------------------------------------------


def test_jw_units_must_be_the_discarded_units() -> None:
    data = office("2025-03-04", sdv(TRI, 25, 40, 15), claim=[("J3301", [], 3), ("J3301", ["JW"], 2)])
    assert rules(data)["DRUG-JW-UNITS"] == "error"
    assert "DRUG-UNITS" not in rules(data)  # the JW line is not part of the administered units
    assert "DRUG-JW-UNITS" not in rules(
        dict(data, claim=[{"code": "62323"}, *suggest_claim(data).to_dict()["lines"][1:]])
    )


@pytest.mark.parametrize(
    ("given", "claim", "rule_id"),
    [
        (mdv(), [("J1100", [], 6), ("J1100", ["JW"], 4)], "DRUG-JW-UNEXPECTED"),  # multi-dose vial
        (mdv(), [("J1100", ["JZ"], 10)], "DRUG-JZ-UNEXPECTED"),
        (sdv(TRI, 35, 40, 5), [("J3301", [], 4), ("J3301", ["JW"], 1)], "DRUG-JW-UNEXPECTED"),  # no whole unit left
        (sdv(dose=6, discarded=4), [("J1100", ["JZ"], 6), ("J1100", ["JW"], 4)], "DRUG-JZ-UNEXPECTED"),  # waste
        (sdv(dose=6, discarded=4), [("J1100", [], 6), ("J1100", ["JW", "JZ"], 4)], "DRUG-JW-UNEXPECTED"),
        (sdv(), [("J1100", ["JZ"], 10), ("62323", ["JZ"], 1)], "DRUG-JZ-UNEXPECTED"),  # not a drug
    ],
)
def test_unexpected_jw_jz(given: dict, claim: list, rule_id: str) -> None:
    assert rules(office("2025-03-04", given, claim=claim)).get(rule_id) == "error"


def test_jw_line_alone_is_reported_by_check_when_the_claim_is_built_in_code() -> None:
    enc = parse_encounter(office("2025-03-04", sdv(dose=6, discarded=4)))
    line = parse_claim_line({"code": "J1100", "modifiers": ["JW"], "units": 4})
    report = check(dataclasses.replace(enc, claim=(parse_claim_line({"code": "62323"}), line)))
    assert "DRUG-JW-UNEXPECTED" in report.rule_ids("error")


def test_facility_supplied_drug_on_physician_claim() -> None:
    recorded = office("2025-03-04", sdv(supplied_by="facility"), claim=[("J1100", ["JZ"], 10)])
    assert rules(recorded)["DRUG-FACILITY"] == "error"
    presumed = office("2025-03-04", sdv(), place_of_service="24", claim=[("J1100", ["JZ"], 10)])
    assert rules(presumed)["DRUG-FACILITY"] == "warning"
    assert "DRUG-FACILITY" not in rules(office("2025-03-04", sdv(), claim=[("J1100", ["JZ"], 10)]))


def test_ndc_is_carried_and_its_quantity_checked() -> None:
    ndc = {"code": "63323-0165-01", "unit": "ME", "quantity": 10}
    data = office("2025-03-04", sdv(ndc=ndc))
    assert "NDC N463323016501 ME10" in suggest_claim(data).lines[1].reason
    assert "DRUG-NDC-QUANTITY" not in rules(data)
    assert rules(office("2025-03-04", sdv(ndc=dict(ndc, quantity=4))))["DRUG-NDC-QUANTITY"] == "warning"
    assert "DRUG-NDC-QUANTITY" not in rules(office("2025-03-04", sdv(ndc=dict(ndc, unit="ML", quantity=1))))


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "field", "text"),
    [
        (
            sdv(ndc={"code": "0009-3073-01", "unit": "ML", "quantity": 1}),
            "drugs[0].ndc.code",
            "billed as 00009-3073-01",
        ),
        (
            sdv(ndc={"code": "63323-165-01", "unit": "ML", "quantity": 1}),
            "drugs[0].ndc.code",
            "billed as 63323-0165-01",
        ),
        (
            sdv(ndc={"code": "63323-0165-1", "unit": "ML", "quantity": 1}),
            "drugs[0].ndc.code",
            "billed as 63323-0165-01",
        ),
        (sdv(ndc={"code": "000093073011", "unit": "ML", "quantity": 1}), "drugs[0].ndc.code", "5-4-2"),
        (sdv(ndc={"code": "ABCDE-3073-01", "unit": "ML", "quantity": 1}), "drugs[0].ndc.code", "5-4-2"),
        (sdv(ndc={"code": "00009-3073-01", "unit": "MG", "quantity": 1}), "drugs[0].ndc.unit", "F2, GR, ME, ML, UN"),
        (sdv(ndc={"code": "00009-3073-01", "unit": "ML", "quantity": -1}), "drugs[0].ndc.quantity", "positive"),
        (sdv(ndc="00009-3073-01"), "drugs[0].ndc", "an object"),
        (sdv(dose=6, discarded=12), "drugs[0].discarded", "at most the container's labeled amount (10 mg)"),
        (sdv(dose=8, discarded=4), "drugs[0].dose", "within the container's labeled amount"),
        (sdv(discarded=-1), "drugs[0].discarded", "at least 0"),
        (sdv(amount=-10), "drugs[0].container_amount", "positive"),
        ({"drug": DEX, "dose": -5}, "drugs[0].dose", "positive"),
        ({"drug": DEX, "dose": 5, "container_amount": 10}, "drugs[0].container", "container kind"),
        ({"drug": DEX, "dose": 5, "container": "bottle"}, "drugs[0].container", "single_dose_vial"),
        ({"drug": DEX, "dose": 5, "supplied_by": "patient"}, "drugs[0].supplied_by", "practice, facility"),
        ({"drug": DEX, "dose": 5, "wasted": 1}, "drugs[0].wasted", "no such field"),
    ],
)
def test_bad_drug_facts_name_the_field(given: dict, field: str, text: str) -> None:
    with pytest.raises(InvalidEncounter) as exc:
        parse_encounter(office("2025-03-04", given))
    assert [e.field for e in exc.value.errors] == [field]
    assert text in str(exc.value)


def test_one_drug_from_two_kinds_of_container_is_refused() -> None:
    with pytest.raises(InvalidEncounter) as exc:
        parse_encounter(office("2025-03-04", sdv(dose=4, discarded=6), mdv(dose=4)))
    assert [e.field for e in exc.value.errors] == ["drugs[1].container"]
    two_vials = office("2025-03-04", sdv(dose=10), sdv(dose=4, discarded=6))  # two single-dose vials: one drug
    assert drug_lines(two_vials) == ["J1100 x14", "J1100-JW x6"]


def test_jw_line_with_no_drug_line_is_bad_input() -> None:
    with pytest.raises(InvalidEncounter) as exc:
        parse_encounter(office("2025-03-04", sdv(dose=6, discarded=4), claim=[("J1100", ["JW"], 4)]))
    assert [e.field for e in exc.value.errors] == ["claim[1].modifiers"]
    assert "no J1100 line without JW" in str(exc.value)


# --- model, schema, grading -------------------------------------------------------------------------------


def test_round_trip_and_schema() -> None:
    data = office(
        "2025-03-04",
        sdv(dose=6, discarded=4, ndc={"code": "63323016501", "unit": "ML", "quantity": 0.6}, supplied_by="practice"),
        mdv(TRI, 40),
    )
    enc = parse_encounter(data)
    assert parse_encounter(enc.to_dict()) == enc
    jsonschema.validate(data, encounter_schema())
    jsonschema.validate(enc.to_dict(), encounter_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            office("2025-03-04", sdv(ndc={"code": "1234", "unit": "ML", "quantity": 1})), encounter_schema()
        )


def test_grading_scores_the_jw_line_and_jz() -> None:
    assert grade("drug-jw-waste", "64483\nJ1100 x6\nJ1100-JW x4").score == 1.0
    no_jw = grade("drug-jw-waste", "64483\nJ1100 x6")
    assert no_jw.score < 1 and [line.status for line in no_jw.lines][-1] == "missing"
    assert "DRUG-JW-MISSING" in {f.rule_id for line in no_jw.lines for f in line.findings}
    no_jz = grade("drug-jz-no-waste", "64483\nJ1100 x10")
    assert no_jz.score == pytest.approx(7 / 8) and no_jz.lines[1].status == "partial"
    jw_alone = grade("drug-jw-waste", "64483\nJ1100-JW x4")
    assert "DRUG-JW-UNEXPECTED" in {f.rule_id for line in jw_alone.lines for f in line.findings}


# --- property: every single-dose drug line says JW or JZ, and the suggestion checks clean -----------------


@st.composite
def single_dose_office(draw: st.DrawFn) -> dict[str, Any]:
    drug = draw(st.sampled_from([DEX, TRI, "methylprednisolone_acetate"]))
    dose = draw(st.integers(1, 80) | st.floats(0.5, 80).map(lambda x: round(x, 1)))
    discarded = draw(st.just(0) | st.integers(0, 40) | st.floats(0, 40).map(lambda x: round(x, 1)))
    day = draw(st.dates(dt.date(2016, 6, 1), dt.date(2026, 12, 31)))
    given = {"drug": drug, "dose": dose, "container": draw(st.sampled_from(["single_dose_vial", "ampule"]))}
    given["container_amount"] = dose + discarded
    if draw(st.booleans()):
        given["discarded"] = discarded
    return office(day.isoformat(), given)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single_dose_office())
def test_single_dose_lines_say_jw_or_jz(data: dict[str, Any]) -> None:
    enc = parse_encounter(data)
    lines = suggest_claim(enc).lines
    drug = [line for line in lines if line.code.startswith("J")]
    has_jw = any(line.has("JW") for line in drug)
    if enc.date_of_service.isoformat() >= "2023-07-01":
        assert has_jw or all(line.has("JZ") for line in drug), lines
    assert not any(line.has("JW") and line.has("JZ") for line in drug)
    assert check(dataclasses.replace(enc, claim=lines)).is_clean


DRUG_CODES = ["J1010", "J1030", "J1040", "J1100", "J3301", "J0702", "J2001", "Q9966", "62323", "64483"]


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    encounters(),
    st.lists(
        st.tuples(
            st.sampled_from(DRUG_CODES),
            st.lists(st.sampled_from(["JW", "JZ", "GA", "50"]), max_size=2, unique=True),
            st.integers(1, 200),
        ),
        max_size=5,
    ),
)
def test_check_never_crashes_on_any_jw_jz_claim(data: dict[str, Any], claim: list) -> None:
    """Claims built in code (as the grader and the audit build them) may hold any JW/JZ line."""
    enc = parse_encounter(data)
    lines = tuple(parse_claim_line({"code": c, "modifiers": m, "units": u}) for c, m, u in claim)
    report = check(dataclasses.replace(enc, claim=lines))
    assert all(1 <= n <= len(lines) for f in report.findings for n in f.lines)
