"""Each rule: a case that triggers it and a case that does not; every registered rule is covered."""

from __future__ import annotations

from typing import Any

import pytest
from esi_asserts import FULL_DOC, assert_finding, assert_no_finding, base_encounter, findings

from esi_reference.rules import all_rules, rule_by_id


def proc(approach: str, levels: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"approach": approach, "levels": levels or []}
    d.update(kw)
    return d


def line(code: str, *mods: str, units: int = 1) -> dict[str, Any]:
    return {"code": code, "modifiers": list(mods), "units": units}


TF_L = [proc("transforaminal", ["L4-L5"], side="left")]
TF_BI = [proc("transforaminal", ["L4-L5"], side="bilateral")]
PRIOR4 = [
    {"date": d, "region_family": "lumbar_sacral"} for d in ("2024-06-20", "2024-09-15", "2024-12-10", "2025-03-05")
]
OFFICE_TRI = dict(place_of_service="11", drugs=[{"drug": "triamcinolone_acetonide", "dose": 40}])


def office_dex(dose: float, discarded: float | None, container: str = "single_dose_vial", **kw: Any) -> dict[str, Any]:
    """Office dexamethasone (J1100, 1 mg units) from a 10 mg container, with the claim's drug lines."""
    given: dict[str, Any] = {"drug": "dexamethasone_sodium_phosphate", "dose": dose, "container": container}
    if container != "multi_dose_vial":
        given.update(container_amount=10, discarded=discarded)
    given.update(kw.pop("given", {}))
    return dict(place_of_service="11", drugs=[given], **kw)


# rule id -> (overrides that trigger it, overrides that do not)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "CPT-CODE-VALID": (
        {"date_of_service": "2017-01-01", "claim": [line("62311")]},
        {
            "date_of_service": "2016-12-31",
            "claim": [line("62311"), line("77003")],
            "other_services": [{"code": "77003"}],
        },
    ),
    "CPT-ADDON-PRIMARY": (
        {"procedures": [proc("transforaminal", ["L4-L5", "L5-S1"], side="left")], "claim": [line("64484")]},
        {
            "procedures": [proc("transforaminal", ["L4-L5", "L5-S1"], side="left")],
            "claim": [line("64483"), line("64484")],
        },
    ),
    "CPT-ADDON-OTHER-SIDE": (
        {"procedures": TF_BI, "claim": [line("64483"), line("64484")]},
        {"procedures": TF_BI, "claim": [line("64483", "50")]},
    ),
    "CPT-LEVEL-UNITS": (
        {
            "procedures": [proc("transforaminal", ["L3-L4", "L4-L5"], side="left")],
            "claim": [line("64483"), line("64484", units=2)],
        },
        {
            "procedures": [proc("transforaminal", ["L3-L4", "L4-L5"], side="left")],
            "claim": [line("64483"), line("64484")],
        },
    ),
    "CPT-SESSION-UNITS": ({"claim": [line("62323", units=2)]}, {"claim": [line("62323")]}),
    "CPT-IL-NOT-BILATERAL": ({"claim": [line("62323", "50")]}, {"claim": [line("62323")]}),
    "CPT-BILATERAL-ONE-LINE": (
        {"procedures": TF_BI, "claim": [line("64483", "RT"), line("64483", "LT")]},
        {"procedures": TF_BI, "claim": [line("64483", "50")]},
    ),
    "CPT-APPROACH": (
        {"procedures": [proc("facet", ["L4-L5"], side="left")], "claim": [line("64483")]},
        {"procedures": [proc("facet", ["L4-L5"], side="left")], "claim": [line("64493")]},
    ),
    "CPT-REGION": (
        {"procedures": [proc("transforaminal", ["T12-L1"], side="left")], "claim": [line("64483")]},
        {"procedures": [proc("transforaminal", ["T12-L1"], side="left")], "claim": [line("64479")]},
    ),
    "CPT-IMAGING-CODE": ({"claim": [line("62322")]}, {"claim": [line("62323")]}),
    "CPT-CATHETER": (
        {"procedures": [proc("interlaminar", ["L4-L5"], catheter="indwelling")], "claim": [line("62323")]},
        {"procedures": [proc("interlaminar", ["L4-L5"], catheter="same_day")], "claim": [line("62323")]},
    ),
    "CPT-NEUROLYTIC": (
        {"procedures": [proc("interlaminar", ["L4-L5"], substance="neurolytic")], "claim": [line("62323")]},
        {"procedures": [proc("interlaminar", ["L4-L5"], substance="neurolytic")], "claim": [line("62282")]},
    ),
    "CPT-CHEMOTHERAPY": (
        {"procedures": [proc("interlaminar", ["L3-L4"], substance="chemotherapy")], "claim": [line("62323")]},
        {"procedures": [proc("interlaminar", ["L3-L4"], substance="chemotherapy")], "claim": [line("96450")]},
    ),
    "CPT-NOT-PERFORMED": ({"claim": [line("62323"), line("64493")]}, {"claim": [line("62323")]}),
    "CPT-NOT-BILLED": (
        {
            "procedures": [proc("interlaminar", ["L4-L5"]), proc("facet", ["L4-L5"], side="left")],
            "claim": [line("62323")],
        },
        {
            "procedures": [proc("interlaminar", ["L4-L5"]), proc("facet", ["L4-L5"], side="left")],
            "claim": [line("62323"), line("64493")],
        },
    ),
    "CPT-ULTRASOUND": (
        {
            "date_of_service": "2020-12-31",
            "procedures": [proc("transforaminal", ["L4-L5"], side="left", guidance="ultrasound")],
            "claim": [line("64483")],
        },
        {
            "date_of_service": "2020-12-31",
            "procedures": [proc("transforaminal", ["L4-L5"], side="left", guidance="ultrasound")],
            "claim": [line("0230T")],
        },
    ),
    "CPT-IMAGING-INCLUDED": (
        {"claim": [line("62323"), line("77012")], "other_services": [{"code": "77012"}]},
        {"claim": [line("62323")], "other_services": [{"code": "77012"}]},
    ),
    "NCCI-PTP": (
        {
            "procedures": [proc("si_joint", side="right"), proc("transforaminal", ["L5-S1"], side="right")],
            "claim": [line("27096"), line("64483")],
        },
        {
            "procedures": [proc("si_joint", side="right"), proc("transforaminal", ["L5-S1"], side="right")],
            "claim": [line("27096"), line("64483", "XS")],
        },
    ),
    "NCCI-EM-SAME-DAY": (
        {"claim": [line("62323"), line("99213")], "other_services": [{"code": "99213"}]},
        {
            "claim": [line("62323"), line("99213", "25")],
            "other_services": [{"code": "99213", "separately_identifiable": True}],
        },
    ),
    "NCCI-LOCAL-ANESTHETIC": ({"claim": [line("62323"), line("J2001")]}, {"claim": [line("62323")]}),
    "MUE-UNITS": (  # a bilateral or units error would be the cause (MUE then a consequence): a drug dose
        {
            "place_of_service": "11",
            "drugs": [{"drug": "triamcinolone_acetonide", "dose": 200}],
            "claim": [line("62323"), line("J3301", units=20)],
        },
        {"procedures": TF_L, "claim": [line("64483")]},
    ),
    "LCD-IMAGING-GUIDANCE": (
        {"procedures": [proc("interlaminar", ["L4-L5"], guidance="none")], "claim": [line("62322")]},
        {"procedures": [proc("interlaminar", ["L4-L5"], guidance="none")], "claim": [line("62322", "GZ")]},
    ),
    "LCD-CONTRAST": (
        {"procedures": [proc("interlaminar", ["L4-L5"], contrast="not_used")]},
        {
            "procedures": [proc("interlaminar", ["L4-L5"], contrast="contraindicated")],
            "documentation": dict(FULL_DOC, contrast_contraindication_documented=True),
        },
    ),
    "LCD-IL-LEVELS": ({"procedures": [proc("interlaminar", ["L3-L4", "L4-L5"])]}, {}),
    "LCD-TF-LEVELS": (
        {
            "procedures": [proc("transforaminal", ["L3-L4", "L4-L5", "L5-S1"], side="left")],
            "claim": [line("64483"), line("64484", units=2)],
        },
        {
            "procedures": [proc("transforaminal", ["L4-L5", "L5-S1"], side="left")],
            "claim": [line("64483"), line("64484")],
        },
    ),
    "LCD-ONE-REGION": (
        {
            "procedures": [proc("interlaminar", ["C6-C7"]), proc("interlaminar", ["L4-L5"])],
            "claim": [line("62321"), line("62323")],
        },
        {
            "procedures": [proc("interlaminar", ["C6-C7"]), proc("interlaminar", ["L4-L5"])],
            "claim": [line("62321"), line("62323", "GZ")],
        },
    ),
    "LCD-FREQUENCY": (
        {"prior_sessions": PRIOR4, "documentation": dict(FULL_DOC, prior_relief_percent=80)},
        {"prior_sessions": PRIOR4[1:], "documentation": dict(FULL_DOC, prior_relief_percent=80)},
    ),
    "LCD-REPEAT-RELIEF": (
        {"prior_sessions": PRIOR4[-1:], "documentation": dict(FULL_DOC, prior_relief_percent=40)},
        {"prior_sessions": PRIOR4[-1:], "documentation": dict(FULL_DOC, prior_relief_percent=50)},
    ),
    "LCD-DIAGNOSIS": ({"diagnoses": ["M54.50"]}, {"diagnoses": ["M54.50", "M54.16"]}),
    "LCD-DURATION": ({"documentation": dict(FULL_DOC, pain_weeks=3)}, {"documentation": dict(FULL_DOC, pain_weeks=4)}),
    "LCD-SEDATION": (
        {"claim": [line("62323"), line("99152")], "other_services": [{"code": "99152"}]},
        {
            "claim": [line("62323"), line("99152")],
            "other_services": [{"code": "99152"}],
            "documentation": dict(FULL_DOC, sedation_justified=True),
        },
    ),
    "LCD-SNRB-KX": (
        {
            "procedures": [proc("transforaminal", ["L5-S1"], side="right", purpose="diagnostic_snrb")],
            "claim": [line("64483")],
            "documentation": dict(FULL_DOC, snrb_purpose_documented=True),
        },
        {
            "procedures": [proc("transforaminal", ["L5-S1"], side="right", purpose="diagnostic_snrb")],
            "claim": [line("64483", "KX")],
            "documentation": dict(FULL_DOC, snrb_purpose_documented=True),
        },
    ),
    "LCD-SAME-SESSION-BLOCKS": (
        {
            "procedures": [proc("interlaminar", ["L4-L5"]), proc("facet", ["L4-L5"], side="left")],
            "claim": [line("62323"), line("64493")],
        },
        {},
    ),
    "LCD-POLICY-DATE": ({"date_of_service": "2021-12-04"}, {"date_of_service": "2021-12-05"}),
    "DOC-ASSESSMENT": ({"documentation": dict(FULL_DOC, history_and_exam=False)}, {}),
    "DOC-INDICATION": ({"documentation": dict(FULL_DOC, indication_documented=False)}, {}),
    "DOC-HISTORY": ({"documentation": dict(FULL_DOC, pain_weeks=None)}, {}),
    "DOC-TEST-RESULTS": ({"documentation": dict(FULL_DOC, concordant_imaging=False)}, {}),
    "DOC-BASELINE-SCALE": ({"documentation": dict(FULL_DOC, baseline_scale=False)}, {}),
    "DOC-PROCEDURE-REPORT": ({"documentation": dict(FULL_DOC, procedure_report=False)}, {}),
    "DOC-IMAGES": ({"documentation": dict(FULL_DOC, image_views=1)}, {"documentation": dict(FULL_DOC, image_views=2)}),
    "DOC-SIGNED": ({"documentation": dict(FULL_DOC, signed_and_dated=False)}, {}),
    "DOC-CODES-SUPPORTED": ({"documentation": dict(FULL_DOC, codes_supported=False)}, {}),
    "DOC-PRIOR-RELIEF": (  # for Medicare LCD-REPEAT-RELIEF names it (one finding per cause)
        {"payer": "commercial", "prior_sessions": PRIOR4[-1:]},
        {"prior_sessions": PRIOR4[-1:], "documentation": dict(FULL_DOC, prior_relief_percent=70)},
    ),
    "DOC-CONTRAST-CONTRAINDICATION": (
        {"procedures": [proc("interlaminar", ["L4-L5"], contrast="contraindicated")]},
        {
            "procedures": [proc("interlaminar", ["L4-L5"], contrast="contraindicated")],
            "documentation": dict(FULL_DOC, contrast_contraindication_documented=True),
        },
    ),
    "DOC-SNRB-PURPOSE": (
        {
            "procedures": [proc("transforaminal", ["L5-S1"], side="right", purpose="diagnostic_snrb")],
            "claim": [line("64483", "KX")],
        },
        {
            "procedures": [proc("transforaminal", ["L5-S1"], side="right", purpose="diagnostic_snrb")],
            "claim": [line("64483", "KX")],
            "documentation": dict(FULL_DOC, snrb_purpose_documented=True),
        },
    ),
    "DOC-SEDATION-REASON": (  # for Medicare LCD-SEDATION names it (one finding per cause)
        {"payer": "commercial", "claim": [line("62323"), line("99152")], "other_services": [{"code": "99152"}]},
        {
            "claim": [line("62323"), line("99152")],
            "other_services": [{"code": "99152"}],
            "documentation": dict(FULL_DOC, sedation_justified=True),
        },
    ),
    "CPT-CLAIM-TYPE": (
        {"claim_type": "facility", "procedures": [proc("si_joint", side="right")], "claim": [line("27096")]},
        {"claim_type": "facility", "procedures": [proc("si_joint", side="right")], "claim": [line("G0260")]},
    ),
    "CPT-CATHETER-MANAGEMENT": (
        {
            "procedures": [proc("interlaminar", ["L2-L3"], catheter="indwelling", purpose="postoperative_pain")],
            "other_services": [{"code": "01996"}],
            "claim": [line("62327"), line("01996")],
        },
        {"procedures": [], "other_services": [{"code": "01996"}], "claim": [line("01996")]},
    ),
    "LCD-INJECTANT": (
        {"procedures": [proc("interlaminar", ["L4-L5"], substance="biologic")]},
        {"procedures": [proc("interlaminar", ["L4-L5"], substance="biologic")], "claim": [line("62323", "GZ")]},
    ),
    "PAYER-FREQUENCY": (
        {"payer": "commercial-frequency-4", "prior_sessions": PRIOR4},
        {"payer": "commercial", "prior_sessions": PRIOR4},
    ),
    "PAYER-MODIFIERS": (
        {"payer": "commercial", "claim": [line("62323", "GZ")]},
        {"payer": "medicare", "claim": [line("62323", "GZ")]},
    ),
    "DRUG-CODE-DATE": (
        {
            "date_of_service": "2024-04-01",
            "place_of_service": "11",
            "claim": [line("62323"), line("J1040")],
            "drugs": [{"drug": "methylprednisolone_acetate", "dose": 80}],
        },
        {
            "date_of_service": "2024-03-31",
            "place_of_service": "11",
            "claim": [line("62323"), line("J1040")],
            "drugs": [{"drug": "methylprednisolone_acetate", "dose": 80}],
        },
    ),
    "DRUG-UNITS": (
        dict(OFFICE_TRI, claim=[line("62323"), line("J3301")]),
        dict(OFFICE_TRI, claim=[line("62323"), line("J3301", units=4)]),
    ),
    "DRUG-FACILITY": (
        {"claim": [line("62323"), line("J3301", units=4)], "drugs": [{"drug": "triamcinolone_acetonide", "dose": 40}]},
        dict(OFFICE_TRI, claim=[line("62323"), line("J3301", units=4)]),
    ),
    "DRUG-JW-MISSING": (
        office_dex(6, 4, claim=[line("62323"), line("J1100", units=6)]),
        office_dex(6, 4, claim=[line("62323"), line("J1100", units=6), line("J1100", "JW", units=4)]),
    ),
    "DRUG-JW-UNITS": (
        office_dex(6, 4, claim=[line("62323"), line("J1100", units=6), line("J1100", "JW", units=10)]),
        office_dex(6, 4, claim=[line("62323"), line("J1100", units=6), line("J1100", "JW", units=4)]),
    ),
    "DRUG-JW-UNEXPECTED": (
        office_dex(
            6, None, "multi_dose_vial", claim=[line("62323"), line("J1100", units=6), line("J1100", "JW", units=4)]
        ),
        office_dex(6, 4, claim=[line("62323"), line("J1100", units=6), line("J1100", "JW", units=4)]),
    ),
    "DRUG-JZ-MISSING": (
        office_dex(10, 0, claim=[line("62323"), line("J1100", units=10)]),
        office_dex(10, 0, claim=[line("62323"), line("J1100", "JZ", units=10)]),
    ),
    "DRUG-JZ-UNEXPECTED": (
        office_dex(10, None, "multi_dose_vial", claim=[line("62323"), line("J1100", "JZ", units=10)]),
        office_dex(10, None, "multi_dose_vial", claim=[line("62323"), line("J1100", units=10)]),
    ),
    "DRUG-CONTAINER-RECORDED": (
        dict(OFFICE_TRI, claim=[line("62323"), line("J3301", units=4)]),
        dict(
            place_of_service="11",
            drugs=[{"drug": "triamcinolone_acetonide", "dose": 40, "container": "multi_dose_vial"}],
            claim=[line("62323"), line("J3301", units=4)],
        ),
    ),
    "DRUG-WASTE-DOCUMENTED": (
        office_dex(10, None, claim=[line("62323"), line("J1100", "JZ", units=10)]),
        office_dex(10, 0, claim=[line("62323"), line("J1100", "JZ", units=10)]),
    ),
    "DRUG-NDC-QUANTITY": (
        office_dex(10, 0, given={"ndc": {"code": "63323-0165-01", "unit": "ME", "quantity": 4}}),
        office_dex(10, 0, given={"ndc": {"code": "63323-0165-01", "unit": "ME", "quantity": 10}}),
    ),
    "DRUG-CONTRAST": (
        {
            "place_of_service": "11",
            "claim": [line("62323"), line("Q9966", units=3)],
            "drugs": [{"drug": "iohexol_240", "dose": 3, "unit": "mL"}],
        },
        {"place_of_service": "11", "drugs": [{"drug": "iohexol_240", "dose": 3, "unit": "mL"}]},
    ),
}


def test_every_rule_has_cases() -> None:
    assert set(CASES) == {r.id for r in all_rules()}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    """The triggering case reports the rule at its own severity (or worse for error rules)."""
    default = rule_by_id(rule_id).severity
    assert_finding(base_encounter(**CASES[rule_id][0]), rule_id, None if default == "error" else default)
    if default == "error":
        assert findings(base_encounter(**CASES[rule_id][0]))[rule_id] in ("error", "warning")


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_quiet(rule_id: str) -> None:
    """The other case does not report it - or, for a service declared with GA/GZ or XS, only as information."""
    data = base_encounter(**CASES[rule_id][1])
    if rule_by_id(rule_id).severity == "info":
        assert_no_finding(data, rule_id)
    else:
        assert findings(data).get(rule_id) in (None, "info")


def test_base_encounter_is_clean() -> None:
    from esi_asserts import assert_clean

    assert_clean(base_encounter())
