"""The published JSON Schema of encounter files, built from the same option tuples the parser uses.

:func:`encounter_schema` states the contract of :func:`esi_reference.model.parse.parse_encounter` in JSON Schema
(draft 2020-12); the parser's cross-field checks are ``if``/``then`` conditions, and the two it cannot state
(a prior session's date before the date of service) are in the descriptions.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from esi_reference.model import fields
from esi_reference.model.parse import CENTRAL_PURPOSES, SUBSTANCE_PURPOSES
from esi_reference.model.records import (
    APPROACHES,
    CATHETER,
    CLAIM_TYPES,
    CONTAINERS,
    CONTRACTOR_LCDS,
    CONTRAST,
    FACILITY_CLAIM_PLACES,
    GUIDANCE,
    MAX_DRUG_AMOUNT,
    MAX_LIST,
    NDC_UNITS,
    PURPOSES,
    RADIONUCLIDE_PURPOSES,
    REGION_FAMILIES,
    SIDES,
    SPACES,
    SUBSTANCES,
    SUPPLIERS,
    Documentation,
)
from esi_reference.reference.drugs import DRUGS
from esi_reference.reference.payers import profiles

# ---------------------------------------------------------------------------------------------------------
# The published JSON Schema (built from the same option tuples the validator uses).


def _enum(options: tuple[str, ...], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(options), "description": description}


def _objects(
    required: list[str], properties: dict[str, Any], conditions: list[dict[str, Any]] | None = None, null: bool = True
) -> dict[str, Any]:
    """Schema of a list of objects with exactly these properties (``null``: an absent list may be null)."""
    item: dict[str, Any] = {"type": "object", "additionalProperties": False, "required": required}
    item["properties"] = properties
    if conditions:
        item["allOf"] = conditions
    return {"type": ["array", "null"] if null else "array", "maxItems": MAX_LIST, "items": item}


def _optional_list(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": ["array", "null"], "maxItems": MAX_LIST, "items": items, **extra}


def _procedure_conditions() -> list[dict[str, Any]]:
    """The parser's cross-field checks on a procedure, as JSON Schema conditions."""

    def when(approaches: tuple[str, ...], then: dict[str, Any]) -> dict[str, Any]:
        return {"if": {"properties": {"approach": {"enum": list(approaches)}}}, "then": then}

    def given(key: str, values: list[str], then: dict[str, list[str]], required: bool = False) -> dict[str, Any]:
        """When ``key`` is written with one of ``values``, the ``then`` keys must take one of theirs (and be
        written when ``required``: their defaults are not allowed) - _check_neuraxial_use's contradictions."""
        out: dict[str, Any] = {"properties": {k: {"enum": v} for k, v in then.items()}}
        if required:
            out["required"] = list(then)
        return {"if": {"required": [key], "properties": {key: {"enum": values}}}, "then": out}

    image_guided = ("transforaminal", "facet", "si_joint")
    return [
        when(("transforaminal", "facet"), {"properties": {"guidance": {"not": {"const": "none"}}}}),
        when(image_guided, {"required": ["side"], "properties": {"side": {"not": {"const": "midline"}}}}),
        when(
            ("interlaminar", "transforaminal", "facet"),
            {"required": ["levels"], "properties": {"levels": {"type": "array", "minItems": 1}}},
        ),
        when(("facet", "si_joint"), {"properties": {"guidance": {"not": {"const": "ultrasound"}}}}),
        {
            "if": {"required": ["purpose"], "properties": {"purpose": {"const": "diagnostic_snrb"}}},
            "then": {"properties": {"approach": {"const": "transforaminal"}}},
        },
        given("purpose", list(CENTRAL_PURPOSES), {"approach": ["interlaminar", "caudal"]}),
        given("purpose", ["blood_patch"], {"substance": ["blood"]}, required=True),
        given(
            "purpose",
            list(RADIONUCLIDE_PURPOSES),
            {"substance": ["radiopharmaceutical"], "space": ["subarachnoid"]},
            True,
        ),
        given("purpose", ["blood_patch"], {"space": ["epidural"]}),
        *(
            given("substance", [substance], {"purpose": list(purposes)}, required=True)
            for substance, purposes in SUBSTANCE_PURPOSES.items()
        ),
        given("space", ["subarachnoid"], {"approach": ["interlaminar"]}),
    ]


def _drug_conditions() -> list[dict[str, Any]]:
    """Each drug's dose unit (the parser refuses another)."""
    return [
        {
            "if": {"properties": {"drug": {"const": drug}}},
            "then": {"properties": {"unit": {"const": row["dose_unit"]}}},
        }
        for drug, row in DRUGS.items()
    ]


def drug_schema_properties() -> dict[str, Any]:
    """JSON Schema properties of one drug given (the amounts are in the drug's dose unit)."""
    amount = {"type": "number", "minimum": 0, "maximum": MAX_DRUG_AMOUNT}
    nullable = {"type": ["string", "null"]}
    return {
        "drug": _enum(tuple(DRUGS), "drug given"),
        "dose": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": MAX_DRUG_AMOUNT,
            "description": "amount administered",
        },
        "unit": _enum(("mg", "mL"), "unit of the dose"),
        "container": {**nullable, "enum": [*CONTAINERS, None], "description": "container the drug came from"},
        "container_amount": {
            "type": ["number", "null"],
            "exclusiveMinimum": 0,
            "maximum": MAX_DRUG_AMOUNT,
            "description": "labeled amount of the container(s) opened, in the dose unit",
        },
        "discarded": {**amount, "type": ["number", "null"], "description": "amount discarded (null: not documented)"},
        "ndc": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["code", "unit", "quantity"],
            "properties": {
                "code": {
                    "type": "string",
                    "pattern": r"^\d{5}-?\d{4}-?\d{2}$",
                    "description": "11-digit NDC, 5-4-2",
                },
                "unit": _enum(tuple(NDC_UNITS), "NDC unit qualifier"),
                "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": 99999},
            },
        },
        "supplied_by": {
            **nullable,
            "enum": [*SUPPLIERS, None],
            "description": "who bought the drug (null: the facility in a facility place of service, else the practice)",
        },
    }


def encounter_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the encounter files that :func:`parse_encounter` accepts.

    Values follow :mod:`esi_reference.model.fields` (check ``format: date`` with a format checker). Two checks of
    the parser cannot be written in JSON Schema and are stated in the descriptions: a prior session's date
    is before the date of service."""
    level = fields.LEVEL_SCHEMA
    code = fields.CODE_SCHEMA
    modifiers = fields.MODIFIERS_SCHEMA
    icd = fields.DIAGNOSIS_SCHEMA
    date = fields.DATE_SCHEMA
    doc_props: dict[str, Any] = {}
    for f in dataclasses.fields(Documentation):
        if f.type in ("bool", bool):
            doc_props[f.name] = {"type": "boolean"}
        else:
            high = 100 if f.name == "prior_relief_percent" else 50 if f.name == "image_views" else 5200
            doc_props[f.name] = {"type": ["integer", "null"], "minimum": 0, "maximum": high}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://esi-reference.example/schema/encounter.json",
        "title": "ESI encounter",
        "description": "One injection session as clinical facts, with optional billed claim lines (esi_reference).",
        "type": "object",
        "additionalProperties": False,
        "required": ["date_of_service", "place_of_service"],
        "if": {"required": ["claim_only"], "properties": {"claim_only": {"const": True}}},
        "then": {
            "required": ["claim"],
            "properties": {"claim": {"type": "array"}, "procedures": {"maxItems": 0}},
        },
        "else": {"required": ["procedures"]},
        "allOf": [
            {  # a facility claim only in a facility place of service (_claim_type)
                "if": {"required": ["claim_type"], "properties": {"claim_type": {"const": "facility"}}},
                "then": {
                    "properties": {
                        "place_of_service": {"enum": [*FACILITY_CLAIM_PLACES, *map(int, FACILITY_CLAIM_PLACES)]}
                    }
                },
            }
        ],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "notes": {"type": "string"},
            "expected": {"type": "object", "description": "documented result of check() for this example"},
            "date_of_service": date,
            "place_of_service": fields.POS_SCHEMA,
            "payer": _enum(
                tuple(p.id for p in profiles()),
                "payer profile (data/payers.csv; load_profiles adds your own): medicare applies the LCD",
            ),
            "claim_type": _enum(CLAIM_TYPES, "professional (physician) claim, or the facility's (HOPD, ASC) claim"),
            "contractor": {"enum": [*CONTRACTOR_LCDS, None], "description": "the Medicare contractor's ESI LCD id"},
            "abn_on_file": {"type": "boolean", "description": "an Advance Beneficiary Notice was signed"},
            "claim_only": {"type": "boolean", "description": "a claim without clinical facts (claim-level rules)"},
            "procedures": _objects(
                ["approach"],
                {
                    "approach": _enum(APPROACHES, "how the needle reached the target"),
                    "levels": _optional_list(level, uniqueItems=True),
                    "side": _enum(SIDES, "midline for interlaminar/caudal"),
                    "guidance": _enum(GUIDANCE, "imaging guidance used"),
                    "contrast": _enum(CONTRAST, "contrast injected to confirm spread"),
                    "catheter": _enum(CATHETER, "none, placed and removed the same day, or left indwelling"),
                    "substance": _enum(SUBSTANCES, "what was injected"),
                    "purpose": _enum(PURPOSES, "why it was injected"),
                    "space": _enum(SPACES, "epidural, or subarachnoid (intrathecal) for an interlaminar puncture"),
                },
                _procedure_conditions(),
                null=False,
            ),
            "diagnoses": _optional_list(icd),
            "drugs": _objects(["drug", "dose"], drug_schema_properties(), _drug_conditions()),
            "documentation": {"type": ["object", "null"], "additionalProperties": False, "properties": doc_props},
            "prior_sessions": _objects(
                ["date", "region_family"],
                {
                    "date": dict(date, description="a date before the date of service"),
                    "region_family": _enum(REGION_FAMILIES, "region family of that session"),
                },
            ),
            "other_services": _objects(
                ["code"],
                {
                    "code": code,
                    "modifiers": modifiers,
                    "units": fields.units_schema(99),
                    "separately_identifiable": {"type": "boolean"},
                },
            ),
            "claim": _objects(
                ["code"],
                {
                    "code": code,
                    "modifiers": modifiers,
                    "units": fields.units_schema(),
                    "diagnoses": _optional_list(icd),
                    "reason": {"type": "string"},
                },
            ),
        },
    }


__all__ = ["drug_schema_properties", "encounter_schema"]
