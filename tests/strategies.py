"""Hypothesis strategies: valid encounter dicts (clinical facts only, no claim) and junk values."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from typing import Any

from hypothesis import strategies as st

from esi_reference.model.encounter import (
    CATHETER,
    CONTAINERS,
    CONTRAST,
    FACILITY_CLAIM_PLACES,
    NDC_UNITS,
    PAYERS,
    PURPOSE_SUBSTANCES,
    PURPOSES,
    RADIONUCLIDE_PURPOSES,
    SUBSTANCES,
    SUPPLIERS,
)
from esi_reference.reference.drugs import DRUGS
from esi_reference.reference.policy import PLACES_OF_SERVICE


def examples(count: int) -> int:
    """``count`` examples, times ``HYPOTHESIS_SCALE`` (default 1) for an exploratory deep run."""
    return count * int(os.environ.get("HYPOTHESIS_SCALE", "1"))


SEGMENTS = [f"C{i}" for i in range(2, 8)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)] + ["S1"]
LEVELS = [f"{a}-{b}" for a, b in itertools.pairwise(SEGMENTS)]
SPINE_LEVELS = LEVELS[4:]  # from C6-C7 down


@st.composite
def procedures(draw: st.DrawFn) -> dict[str, Any]:
    approach = draw(st.sampled_from(["interlaminar", "caudal", "transforaminal", "facet", "si_joint"]))
    proc: dict[str, Any] = {"approach": approach}
    if approach in ("interlaminar", "transforaminal", "facet"):
        start = draw(st.integers(0, len(SPINE_LEVELS) - 1))
        count = draw(st.integers(1, 3))
        proc["levels"] = SPINE_LEVELS[start : start + count]
    if approach in ("transforaminal", "facet", "si_joint"):
        proc["side"] = draw(st.sampled_from(["left", "right", "bilateral"]))
    guidance = (
        ["fluoroscopy", "ct"]
        + (["ultrasound"] if approach == "transforaminal" else [])
        + (["none", "ultrasound"] if approach in ("interlaminar", "caudal") else [])
    )
    proc["guidance"] = draw(st.sampled_from(guidance))
    proc["contrast"] = draw(st.sampled_from(CONTRAST))
    central_only = ("pump_trial", "blood_patch", *RADIONUCLIDE_PURPOSES)
    if approach in ("interlaminar", "caudal"):
        proc["catheter"] = draw(st.sampled_from(CATHETER))
        purpose = draw(st.sampled_from([p for p in PURPOSES if p != "diagnostic_snrb"]))
        tied = {s for allowed in PURPOSE_SUBSTANCES.values() for s in allowed if s in ("blood", "radiopharmaceutical")}
        substances = PURPOSE_SUBSTANCES.get(purpose) or tuple(s for s in SUBSTANCES if s not in tied)
        proc["substance"] = draw(st.sampled_from(substances))
        if purpose in RADIONUCLIDE_PURPOSES and approach == "caudal":  # a tracer goes in by lumbar puncture
            purpose, proc["substance"] = "therapeutic", "steroid"
        if purpose in RADIONUCLIDE_PURPOSES or (
            approach == "interlaminar" and purpose != "blood_patch" and draw(st.booleans())
        ):
            proc["space"] = "subarachnoid"
        proc["purpose"] = purpose
    else:
        proc["substance"] = draw(st.sampled_from(["steroid", "anesthetic", "steroid_and_anesthetic", "biologic"]))
    if approach == "transforaminal":
        proc["purpose"] = draw(st.sampled_from([p for p in PURPOSES if p not in central_only]))
    return proc


@st.composite
def drugs_given(draw: st.DrawFn, drug: str) -> dict[str, Any]:
    """One drug given: the dose and, sometimes, its container, labeled amount, discarded amount, NDC, buyer."""
    dose = draw(st.integers(1, 120))
    given: dict[str, Any] = {"drug": drug, "dose": dose, "unit": DRUGS[drug]["dose_unit"]}
    container = draw(st.sampled_from([None, *CONTAINERS]))
    if container is not None:
        given["container"] = container
        discarded = draw(st.just(0) | st.integers(0, 40) | st.floats(0, 40, allow_nan=False).map(lambda x: round(x, 1)))
        if draw(st.booleans()):
            given["container_amount"] = dose + discarded + draw(st.sampled_from([0, 0, 0.5, 5]))
        if draw(st.booleans()) or "container_amount" not in given:
            given["discarded"] = (
                discarded if "container_amount" not in given else min(discarded, given["container_amount"] - dose)
            )
    if draw(st.booleans()):
        given["supplied_by"] = draw(st.sampled_from(SUPPLIERS))
    if draw(st.integers(0, 3)) == 0:
        unit = draw(st.sampled_from(sorted(NDC_UNITS)))
        quantity = dose if unit in ("ME", "ML") and draw(st.booleans()) else draw(st.integers(1, 20))
        given["ndc"] = {"code": draw(st.from_regex(r"\A\d{5}-\d{4}-\d{2}\Z")), "unit": unit, "quantity": quantity}
    return given


@st.composite
def encounters(draw: st.DrawFn) -> dict[str, Any]:
    day = draw(st.dates(dt.date(2016, 1, 1), dt.date(2026, 12, 31)))
    prior = draw(st.lists(st.dates(day - dt.timedelta(days=500), day - dt.timedelta(days=1)), max_size=6))
    drugs = draw(st.lists(st.sampled_from(sorted(DRUGS)), max_size=3, unique=True))
    data: dict[str, Any] = {
        "date_of_service": day.isoformat(),
        "place_of_service": draw(st.sampled_from(sorted(PLACES_OF_SERVICE))),
        "payer": draw(st.sampled_from(["medicare", "medicare", *PAYERS])),
        "abn_on_file": draw(st.booleans()),
        "procedures": draw(st.lists(procedures(), min_size=1, max_size=3)),
        "diagnoses": draw(
            st.lists(
                st.sampled_from(["M54.16", "M54.12", "M54.50", "M48.062", "G89.18", "B02.29", "M47.816", "Z00.00"]),
                max_size=3,
                unique=True,
            )
        ),
        "drugs": [draw(drugs_given(d)) for d in drugs],
        "documentation": {
            "history_and_exam": draw(st.booleans()),
            "signed_and_dated": draw(st.booleans()),
            "pain_weeks": draw(st.none() | st.integers(0, 60)),
            "conservative_care_weeks": draw(st.none() | st.integers(0, 60)),
            "image_views": draw(st.none() | st.integers(0, 4)),
            "prior_relief_percent": draw(st.none() | st.integers(0, 100)),
            "sedation_justified": draw(st.booleans()),
        },
        "prior_sessions": [
            {"date": d.isoformat(), "region_family": draw(st.sampled_from(["cervical_thoracic", "lumbar_sacral"]))}
            for d in prior
        ],
        "other_services": draw(
            st.lists(
                st.sampled_from(
                    [
                        {"code": "99213"},
                        {"code": "99214", "separately_identifiable": True},
                        {"code": "77003"},
                        {"code": "99152"},
                        {"code": "J2001"},
                        {"code": "20552"},
                        {"code": "96372"},
                    ]
                ),
                max_size=2,
                unique_by=str,
            )
        ),
    }
    if draw(st.booleans()):
        data["contractor"] = draw(st.sampled_from(["L38994", "L39240", "L33906"]))
    if data["place_of_service"] in FACILITY_CLAIM_PLACES and draw(st.booleans()):
        data["claim_type"] = "facility"
    return data


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "62321x", "🦴", "L5-S1", "2025-02-30", "-1", "9" * 40, "<script>alert(1)</script>"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
