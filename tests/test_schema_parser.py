"""The published JSON Schema and the encounter parser accept and refuse the same documents.

Hypothesis draws encounter documents (valid ones from ``strategies.encounters``, with a claim or as a
claim-only encounter) and replaces one field with a value from a pool of edge values - a diagnosis without
its dot or in lower case, ``U07.1``, a place of service as a whole number, modifiers as text, an unguided
transforaminal injection, out-of-range dates, whole numbers written ``2.0``, nulls, code ranges, padding.
The schema (with its ``format: date`` checked) must accept exactly the documents ``parse_encounter`` accepts.

One parser check is a cross-field comparison JSON Schema cannot state - a prior session is before the date
of service - so the strategy does not draw later prior sessions; the schema's description states it. The same
holds for a drug's amounts within its container (dose + discarded <= container amount): drawn without the
container amount.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import encounters, examples

from esi_reference.errors import InvalidEncounter
from esi_reference.model.encounter import encounter_schema, parse_encounter

VALIDATOR = jsonschema.Draft202012Validator(encounter_schema(), format_checker=jsonschema.FormatChecker())

EDGE: dict[str, list[Any]] = {
    "diagnosis": ["M54.16", "m54.16", "M5416", "M5450", " M54.50 ", "U07.1", "M54", "M54.", "54.16", "M54.16789", 7],
    "code": ["62321", " 62321", "j1010", "99213", "99202-99215", "62321x", "99999", "", 62321, None],
    "modifiers": [["50"], ["rt", " 59"], "50 RT", "rt,59", "50-LT", "", "5", ["500"], ["50"] * 5, None, 50],
    "place_of_service": ["11", 11, 7, "07", "99", " 22", "7", "1A", 100, -1, 11.0, True, None],
    "date": [
        "2025-03-04",
        " 2025-03-04",
        "1990-01-01",
        "1989-12-31",
        "2100-12-31",
        "2101-01-01",
        "2025-02-30",
        "2025-3-4",
        "20250304",
        "2025-W10-2",
        None,
        20250304,
    ],
    "units": [1, 2, 2.0, 9999, 10000, 0, -1, 1.5, "2", True, None],
    # (no NaN: not a JSON value - json.dumps(allow_nan=False) refuses it - and JSON Schema cannot compare it)
    "dose": [80, 0.5, 10000, 10001, 0, -1, "80", True, None],
    "level": ["L4-L5", "l4-l5", " L5-S1", "L4-L6", "S5-CO", "L5", 45, None],
    "guidance": ["fluoroscopy", "none", "ultrasound", "ct", "NONE", None],
    "side": ["left", "bilateral", "midline", None, "both"],
    "purpose": ["therapeutic", "diagnostic_snrb", "pump_trial", "postoperative_pain", None],
    "contractor": ["L38994", None, "L00000", ""],
    # before any date of service the strategy draws (2016 on), or not a valid date at all
    "prior_date": ["1990-01-01", "1989-12-31", "2015-02-30", " 2015-03-04", "2015-3-4", None, 20150304],
    "nullable": [None, [], {}],
}


def _mutations(doc: dict[str, Any]) -> list[tuple[tuple, str]]:
    """(path, kind) of the fields this document has that an edge value can replace."""
    out: list[tuple[tuple, str]] = [
        (("date_of_service",), "date"),
        (("place_of_service",), "place_of_service"),
        (("contractor",), "contractor"),
        (("diagnoses",), "nullable"),
        (("documentation",), "nullable"),
        (("claim",), "nullable"),
    ]
    out += [(("diagnoses", i), "diagnosis") for i in range(len(doc.get("diagnoses") or []))]
    for i, p in enumerate(doc.get("procedures") or []):
        out += [(("procedures", i, k), k) for k in ("guidance", "side", "purpose")]
        out += [(("procedures", i, "levels", j), "level") for j in range(len(p.get("levels") or []))]
    out += [(("drugs", i, "dose"), "dose") for i in range(len(doc.get("drugs") or []))]
    out += [(("prior_sessions", i, "date"), "prior_date") for i in range(len(doc.get("prior_sessions") or []))]
    for i, _ in enumerate(doc.get("claim") or []):
        out += [
            (("claim", i, "code"), "code"),
            (("claim", i, "modifiers"), "modifiers"),
            (("claim", i, "units"), "units"),
        ]
        out += [(("claim", i, "diagnoses"), "nullable")]
    for i, _ in enumerate(doc.get("other_services") or []):
        out += [(("other_services", i, "code"), "code"), (("other_services", i, "units"), "units")]
    return out


def _set(doc: dict[str, Any], path: tuple, value: Any) -> None:
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = draw(encounters())
    shape = draw(st.sampled_from(["facts", "facts+claim", "claim_only"]))
    if shape != "facts":
        doc["claim"] = [
            {"code": draw(st.sampled_from(["64483", "62323", "77003", "J1040"])), "units": 1, "diagnoses": ["M54.16"]}
            for _ in range(draw(st.integers(1, 3)))
        ]
    if shape == "claim_only":
        doc["claim_only"] = True
        doc["procedures"] = draw(st.sampled_from([[], None])) if draw(st.booleans()) else doc["procedures"]
        if doc["procedures"] is None:
            del doc["procedures"]
    for _ in range(draw(st.integers(0, 2))):
        path, kind = draw(st.sampled_from(_mutations(doc)))
        value = copy.deepcopy(draw(st.sampled_from(EDGE[kind])))
        if path == ("date_of_service",):
            doc.pop("prior_sessions", None)  # "before the date of service" is not a JSON Schema constraint
        _set(doc, path, value)
    for drug in doc.get("drugs") or []:  # "amounts within the container" is a comparison, not a schema constraint
        if isinstance(drug, dict) and "container_amount" in drug:
            drug.pop("container_amount")
    return doc


def _parser_accepts(doc: dict[str, Any]) -> bool:
    try:
        parse_encounter(copy.deepcopy(doc))
    except InvalidEncounter:
        return False
    return True


@settings(max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
@example({"date_of_service": "2025-03-04", "place_of_service": 11, "procedures": [], "diagnoses": ["m5450"]})
@example(
    {
        "date_of_service": "2025-03-04",
        "place_of_service": "11",
        "procedures": [{"approach": "transforaminal", "levels": ["L4-L5"], "side": "left", "guidance": "none"}],
    }
)
@example({"date_of_service": "2025-03-04", "place_of_service": "11", "procedures": [], "diagnoses": ["U07.1"]})
@example(
    {
        "date_of_service": "2025-03-04",
        "place_of_service": "11",
        "procedures": [],
        "claim": [{"code": "64483", "modifiers": "50"}],
    }
)
def test_schema_and_parser_accept_the_same_documents(doc):
    schema_accepts = VALIDATOR.is_valid(doc)
    assert schema_accepts == _parser_accepts(doc), (doc, [e.message for e in VALIDATOR.iter_errors(doc)][:3])
