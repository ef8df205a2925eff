"""Validation at the boundary: JSON-like data to an :class:`~esi_reference.model.records.Encounter`.

:func:`parse_encounter` reports *every* bad field at once (:class:`~esi_reference.errors.InvalidEncounter`),
each naming its path and what was expected; field values are read by :mod:`esi_reference.model.fields`, the
vocabulary the JSON Schema, the claims reader and the gradebook reader share. Cross-field checks: the
approach's levels, side and guidance; each neuraxial purpose with its substance, approach and space; one
container kind per drug; a discarded amount within the container; a JW line only beside its drug's line;
a facility claim only in a facility place of service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from esi_reference.errors import MAX_LISTED, EsiError, InvalidEncounter, InvalidField, Problems
from esi_reference.model import fields
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
    NDC_PATTERN,
    NDC_SHORT_PATTERN,
    NDC_UNITS,
    PURPOSES,
    RADIONUCLIDE_PURPOSES,
    REGION_FAMILIES,
    SIDES,
    SPACES,
    SUBSTANCES,
    SUPPLIERS,
    ClaimLine,
    Documentation,
    DrugGiven,
    Encounter,
    Ndc,
    OtherService,
    PriorSession,
    Procedure,
)
from esi_reference.reference.drugs import DRUGS
from esi_reference.reference.payers import profiles
from esi_reference.reference.policy import (
    FACILITY_PLACES_OF_SERVICE,
    PLACES_OF_SERVICE,
)

# ---------------------------------------------------------------------------------------------------------
# Validation: collect every problem, each with its field path.


class _Collector:
    def __init__(self) -> None:
        self.errors: list[InvalidField] = Problems()  # bounded: the first 20 are kept, the rest counted

    def add(self, path: str, expected: str, got: object = ...) -> None:
        if len(self.errors) >= MAX_LISTED:  # only counted from here on: no message is built
            self.errors.append(None)
            return
        self.errors.append(InvalidField(path, expected, got))

    def choice(self, data: dict, key: str, path: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            self.add(f"{path}{key}", "one of " + ", ".join(options))
            return options[0]
        if not isinstance(value, str) or value not in options:
            self.add(f"{path}{key}", "one of " + ", ".join(options), value)
            return options[0]
        return value

    def boolean(self, data: dict, key: str, path: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}{key}", "true or false", value)
            return default
        return value

    def integer(self, data: dict, key: str, path: str, low: int, high: int, default: int | None = None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        whole = fields.whole_number(value)
        if whole is None or not low <= whole <= high:
            self.add(f"{path}{key}", f"a whole number from {low} to {high}", value)
            return default
        return whole

    def items(self, data: dict, key: str, path: str, required: bool = False) -> list:
        value = data.get(key)
        if value is None:
            if required:
                self.add(f"{path}{key}", "a list")
            return []
        if not isinstance(value, list | tuple):
            self.add(f"{path}{key}", "a list", value)
            return []
        if len(value) > MAX_LIST:
            self.add(f"{path}{key}", f"at most {MAX_LIST} items", f"{len(value)} items")
            return []
        return list(value)

    def mapping(self, value: object, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.add(path, "an object", value)
            return None
        return value

    def unknown_keys(self, data: dict, allowed: set[str], path: str) -> None:
        expected = "no such field (allowed: " + ", ".join(sorted(allowed)) + ")"
        for key in data:
            if key not in allowed:
                name = key if isinstance(key, str) and key.strip() else f"<{key!r}>"
                self.add(f"{path}{name}"[:120], expected, key)

    def field(self, read: Any, value: object, path: str, default: Any, **options: Any) -> Any:
        """``read`` (a reader of :mod:`esi_reference.model.fields`) applied to ``value``; on error, ``default``."""
        try:
            return read(value, path, **options)
        except EsiError as exc:
            self.errors.append(exc if isinstance(exc, InvalidField) else InvalidField(path, "a valid value", value))
            return default

    def code(self, value: object, path: str) -> str:
        return self.field(fields.code, value, path, "")

    def modifiers(self, value: object, path: str) -> tuple[str, ...]:
        return self.field(fields.modifiers, value, path, ())

    def diagnosis(self, value: object, path: str) -> str:
        return self.field(fields.diagnosis, value, path, "")


def _procedure(c: _Collector, data: object, path: str) -> Procedure | None:
    d = c.mapping(data, path)
    if d is None:
        return None
    c.unknown_keys(d, {f.name for f in dataclasses.fields(Procedure)}, path + ".")
    approach = c.choice(d, "approach", path + ".", APPROACHES)
    levels = []
    for i, level in enumerate(c.items(d, "levels", path + ".")):
        if text := c.field(fields.level, level, f"{path}.levels[{i}]", ""):
            levels.append(text)
    if len(set(levels)) != len(levels):
        c.add(f"{path}.levels", "each level once (use side 'bilateral' for both sides)", levels)
    if not levels and approach in ("interlaminar", "transforaminal", "facet"):
        c.add(f"{path}.levels", f"at least one level for a {approach} injection")
    default_side = "midline" if approach in ("interlaminar", "caudal") else None
    side = c.choice(d, "side", path + ".", SIDES, default_side)
    guidance = c.choice(d, "guidance", path + ".", GUIDANCE, "fluoroscopy")
    if approach in ("transforaminal", "facet") and guidance == "none":
        c.add(
            f"{path}.guidance",
            f"fluoroscopy, ct or ultrasound: a {approach} injection is always image guided",
            guidance,
        )
    purpose = c.choice(d, "purpose", path + ".", PURPOSES, "therapeutic")
    if purpose == "diagnostic_snrb" and approach != "transforaminal":
        c.add(
            f"{path}.purpose",
            "therapeutic, postoperative_pain or pump_trial: a diagnostic selective nerve root block is transforaminal",
            purpose,
        )
    substance = c.choice(d, "substance", path + ".", SUBSTANCES, "steroid")
    space = c.choice(d, "space", path + ".", SPACES, "epidural")
    _check_neuraxial_use(c, path, approach, substance, purpose, space)
    if approach in ("facet", "si_joint") and guidance == "ultrasound":
        c.add(
            f"{path}.guidance",
            f"fluoroscopy or ct (ultrasound-guided {approach} injections are outside this reference)",
            guidance,
        )
    if side == "midline" and approach not in ("interlaminar", "caudal"):
        c.add(f"{path}.side", f"left, right or bilateral for a {approach} injection", side)
    return Procedure(
        approach=approach,
        levels=tuple(levels),
        side=side,
        guidance=guidance,
        contrast=c.choice(d, "contrast", path + ".", CONTRAST, "used"),
        catheter=c.choice(d, "catheter", path + ".", CATHETER, "none"),
        substance=substance,
        purpose=purpose,
        space=space,
    )


def _drug(c: _Collector, data: object, path: str) -> DrugGiven | None:
    d = c.mapping(data, path)
    if d is None:
        return None
    c.unknown_keys(d, {f.name for f in dataclasses.fields(DrugGiven)}, path + ".")
    drug = c.choice(d, "drug", path + ".", tuple(DRUGS))
    dose = _drug_amount(c, d, "dose", path, "a positive number (the amount administered)", positive=True)
    unit = c.choice(d, "unit", path + ".", ("mg", "mL"), DRUGS.get(drug, {}).get("dose_unit", "mg"))
    if drug in DRUGS and unit != DRUGS[drug]["dose_unit"]:
        c.add(f"{path}.unit", f"{DRUGS[drug]['dose_unit']} for {drug}", unit)
    container = c.choice(d, "container", path + ".", CONTAINERS) if d.get("container") is not None else None
    amount = _drug_amount(c, d, "container_amount", path, "a positive number (the labeled amount opened)", True)
    discarded = _drug_amount(c, d, "discarded", path, "a number of at least 0 (the amount discarded)", False)
    if amount is not None and container is None:
        c.add(f"{path}.container", "the container kind when container_amount is given: " + ", ".join(CONTAINERS))
    if amount is not None and discarded is not None and discarded > amount:
        c.add(f"{path}.discarded", f"at most the container's labeled amount ({amount:g} {unit})", d.get("discarded"))
    elif amount is not None and dose is not None and dose + (discarded or 0) > amount + 1e-9:
        c.add(
            f"{path}.dose",
            f"administered + discarded within the container's labeled amount ({amount:g} {unit})",
            d.get("dose"),
        )
    supplied_by = c.choice(d, "supplied_by", path + ".", SUPPLIERS) if d.get("supplied_by") is not None else None
    return DrugGiven(
        drug=drug,
        dose=dose or 1.0,
        unit=unit,
        container=container,
        container_amount=amount,
        discarded=discarded,
        ndc=_ndc(c, d.get("ndc"), f"{path}.ndc"),
        supplied_by=supplied_by,
    )


def _drug_amount(c: _Collector, d: dict, key: str, path: str, expected: str, positive: bool) -> float | None:
    """An amount of drug (dose, labeled amount, discarded amount) in the drug's unit; None when absent."""
    value = d.get(key)
    if value is None and key != "dose":
        return None
    low_ok = (lambda v: v > 0) if positive else (lambda v: v >= 0)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != value
        or not low_ok(value)
        or value > MAX_DRUG_AMOUNT
    ):
        c.add(f"{path}.{key}", f"{expected}, at most {MAX_DRUG_AMOUNT}", value)
        return None
    return float(value)


def parse_ndc(value: object, path: str) -> str:
    """The 11-digit NDC (5-4-2, with or without hyphens) as 11 digits; raises InvalidField naming ``path``.

    A 10-digit label NDC (4-4-2, 5-3-2 or 5-4-1) is refused with its 11-digit billing form: a leading zero
    goes into the short segment.

    >>> parse_ndc("00009-3073-01", "ndc")
    '00009307301'
    >>> parse_ndc("0009-3073-01", "ndc")
    Traceback (most recent call last):
    ...
    esi_reference.errors.InvalidField: ndc: expected 11 digits as 5-4-2 (this 4-4-2 label NDC is billed as \
00009-3073-01), got '0009-3073-01'
    """
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and (m := NDC_PATTERN.match(text)):
        return "".join(m.groups())
    how = "11 digits as 5-4-2"
    if isinstance(text, str) and NDC_SHORT_PATTERN.match(text):
        parts = text.split("-")
        padded = "-".join(p.zfill(width) for p, width in zip(parts, (5, 4, 2), strict=True))
        how += f" (this {'-'.join(str(len(p)) for p in parts)} label NDC is billed as {padded})"
    raise InvalidField(path, how, value)


def _ndc(c: _Collector, data: object, path: str) -> Ndc | None:
    if data is None:
        return None
    d = c.mapping(data, path)
    if d is None:
        return None
    c.unknown_keys(d, {"code", "unit", "quantity"}, path + ".")
    try:
        code = parse_ndc(d.get("code"), f"{path}.code")
    except InvalidField as exc:
        c.errors.append(exc)
        code = ""
    unit = c.choice(d, "unit", path + ".", tuple(NDC_UNITS))
    quantity = c.field(fields.ndc_quantity, d.get("quantity"), f"{path}.quantity", 1.0)
    return Ndc(code, unit, quantity)


def _one_container_kind_per_drug(c: _Collector, drugs: tuple[DrugGiven, ...], pos: object) -> None:
    """A drug given twice comes from the same kind of container (single- or multi-dose) and the same buyer:
    the same HCPCS code cannot carry JZ on one line and nothing on another."""
    if c.errors:
        return
    first: dict[str, tuple[int, tuple[bool | None, str]]] = {}
    for i, given in enumerate(drugs):
        buyer = given.supplied_by or ("facility" if pos in FACILITY_PLACES_OF_SERVICE else "practice")
        kind = (given.single_dose, buyer)
        j, seen = first.setdefault(given.drug, (i, kind))
        if seen != kind:
            c.add(
                f"drugs[{i}].container",
                f"the same kind of container and buyer as drugs[{j}] for {given.drug} (one drug from single- and "
                "multi-dose containers, or from two buyers, is outside this reference)",
                given.container,
            )


def _jw_lines_without_drug_line(c: _Collector, claim: tuple[ClaimLine, ...]) -> None:
    """A JW line reports the discarded amount of a drug whose administered amount is on its own line."""
    administered = {line.code for line in claim if not line.has("JW")}
    for i, line in enumerate(claim):
        if line.code and line.has("JW") and line.code not in administered:
            c.add(
                f"claim[{i}].modifiers",
                f"JW only on a second line of a drug billed on its own line too (no {line.code} line without JW)",
                list(line.modifiers),
            )


def _documentation(c: _Collector, data: object, path: str) -> Documentation:
    if data is None:
        return Documentation()
    d = c.mapping(data, path)
    if d is None:
        return Documentation()
    c.unknown_keys(d, {f.name for f in dataclasses.fields(Documentation)}, path + ".")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Documentation):
        if f.type in ("bool", bool):
            values[f.name] = c.boolean(d, f.name, path + ".")
        elif f.name == "prior_relief_percent":
            values[f.name] = c.integer(d, f.name, path + ".", 0, 100)
        elif f.name == "image_views":
            values[f.name] = c.integer(d, f.name, path + ".", 0, 50)
        else:
            values[f.name] = c.integer(d, f.name, path + ".", 0, 5200)
    return Documentation(**values)


def _date(c: _Collector, value: object, path: str) -> dt.date | None:
    return c.field(fields.date, value, path, None)


def _claim_line(c: _Collector, data: object, path: str) -> ClaimLine | None:
    d = c.mapping(data, path)
    if d is None:
        return None
    c.unknown_keys(d, {"code", "modifiers", "units", "diagnoses", "reason"}, path + ".")
    code = c.code(d.get("code"), f"{path}.code")
    units = c.field(fields.units, d.get("units", 1), f"{path}.units", 1)
    diagnoses = tuple(
        c.diagnosis(x, f"{path}.diagnoses[{i}]") for i, x in enumerate(c.items(d, "diagnoses", path + "."))
    )
    reason = d.get("reason", "")
    if not isinstance(reason, str):
        c.add(f"{path}.reason", "text", reason)
        reason = ""
    return ClaimLine(
        code=code,
        modifiers=c.modifiers(d.get("modifiers"), f"{path}.modifiers"),
        units=units or 1,
        diagnoses=diagnoses,
        reason=reason[:500],
    )


def parse_claim_line(data: object, path: str = "claim[0]") -> ClaimLine:
    """One claim line on its own (code, modifiers, units...); raises InvalidEncounter listing every bad field.

    Checks that need the whole claim (a JW line needs its drug's administered line) are
    :func:`parse_encounter`'s."""
    c = _Collector()
    line = _claim_line(c, data, path)
    if c.errors or line is None:
        raise InvalidEncounter(c.errors or [InvalidField(path, "an object", data)])
    return line


def parse_encounter(data: object) -> Encounter:
    """Validate JSON-like ``data`` and build an :class:`Encounter`; raises InvalidEncounter listing every bad field."""
    c = _Collector()
    if not isinstance(data, dict):
        raise InvalidEncounter([InvalidField("encounter", "a JSON object", data)])
    allowed = {f.name for f in dataclasses.fields(Encounter)} | {"notes", "expected"}
    c.unknown_keys(data, allowed, "")
    day = _date(c, data.get("date_of_service"), "date_of_service")
    pos = c.field(fields.place_of_service, data.get("place_of_service"), "place_of_service", "")
    payer = c.choice(data, "payer", "", tuple(p.id for p in profiles()), "medicare")
    claim_type = _claim_type(c, data, pos)
    contractor = data.get("contractor")
    if contractor is not None and (not isinstance(contractor, str) or contractor not in CONTRACTOR_LCDS):
        c.add("contractor", "an LCD id: " + ", ".join(CONTRACTOR_LCDS), contractor)
        contractor = None
    claim_only = c.boolean(data, "claim_only", "")
    if claim_only and (data.get("procedures") or data.get("claim") is None):
        c.add("claim_only", "a claim and no procedures when claim_only is true", data.get("procedures"))
    procedures = tuple(
        p
        for i, x in enumerate(c.items(data, "procedures", "", required=not claim_only))
        if (p := _procedure(c, x, f"procedures[{i}]")) is not None
    )
    diagnoses = tuple(c.diagnosis(x, f"diagnoses[{i}]") for i, x in enumerate(c.items(data, "diagnoses", "")))
    drugs = tuple(g for i, x in enumerate(c.items(data, "drugs", "")) if (g := _drug(c, x, f"drugs[{i}]")) is not None)
    _one_container_kind_per_drug(c, drugs, pos)
    documentation = _documentation(c, data.get("documentation"), "documentation")
    prior = []
    for i, x in enumerate(c.items(data, "prior_sessions", "")):
        d = c.mapping(x, f"prior_sessions[{i}]")
        if d is None:
            continue
        c.unknown_keys(d, {"date", "region_family"}, f"prior_sessions[{i}].")
        when = _date(c, d.get("date"), f"prior_sessions[{i}].date")
        region = c.choice(d, "region_family", f"prior_sessions[{i}].", REGION_FAMILIES)
        if when and day and when >= day:
            c.add(f"prior_sessions[{i}].date", "a date before the date of service", d.get("date"))
        elif when:
            prior.append(PriorSession(when, region))
    others = []
    for i, x in enumerate(c.items(data, "other_services", "")):
        d = c.mapping(x, f"other_services[{i}]")
        if d is None:
            continue
        path = f"other_services[{i}]"
        c.unknown_keys(d, {"code", "modifiers", "units", "separately_identifiable"}, path + ".")
        others.append(
            OtherService(
                code=c.code(d.get("code"), f"{path}.code"),
                modifiers=c.modifiers(d.get("modifiers"), f"{path}.modifiers"),
                units=c.field(fields.units, d.get("units", 1), f"{path}.units", 1, high=99),
                separately_identifiable=c.boolean(d, "separately_identifiable", path + "."),
            )
        )
    claim = None
    if data.get("claim") is not None:
        claim = tuple(
            line
            for i, x in enumerate(c.items(data, "claim", ""))
            if (line := _claim_line(c, x, f"claim[{i}]")) is not None
        )
        _jw_lines_without_drug_line(c, claim)
    for key in ("id", "title"):
        if not isinstance(data.get(key, ""), str):
            c.add(key, "text", data.get(key))
    abn = c.boolean(data, "abn_on_file", "")
    if c.errors:
        raise InvalidEncounter(c.errors)
    assert day is not None
    return Encounter(
        date_of_service=day,
        place_of_service=str(pos),
        procedures=procedures,
        payer=payer,
        contractor=contractor,
        abn_on_file=abn,
        diagnoses=diagnoses,
        drugs=drugs,
        documentation=documentation,
        prior_sessions=tuple(prior),
        other_services=tuple(others),
        claim=claim,
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        claim_type=claim_type,
        claim_only=claim_only,
    )


#: purpose -> the substances it allows (purposes not listed allow any ESI substance).
PURPOSE_SUBSTANCES = {
    "blood_patch": ("blood",),
    "cisternography": ("radiopharmaceutical",),
    "csf_leak_study": ("radiopharmaceutical",),
}
#: Purposes that need an interlaminar or caudal approach (a central neuraxial puncture).
CENTRAL_PURPOSES = ("pump_trial", "blood_patch", *RADIONUCLIDE_PURPOSES)
#: substance -> the purposes it is given for (a substance not listed may be given for any purpose).
SUBSTANCE_PURPOSES = {"blood": ("blood_patch",), "radiopharmaceutical": RADIONUCLIDE_PURPOSES}


def _check_neuraxial_use(c: _Collector, path: str, approach: str, substance: str, purpose: str, space: str) -> None:
    """Each purpose with its substance, approach and space (one message per contradiction)."""
    central = approach in ("interlaminar", "caudal")
    if purpose in CENTRAL_PURPOSES and not central:
        c.add(f"{path}.purpose", f"an interlaminar or caudal approach for {purpose.replace('_', ' ')}", purpose)
    allowed = PURPOSE_SUBSTANCES.get(purpose)
    if allowed and substance not in allowed:
        c.add(f"{path}.substance", f"{' or '.join(allowed)} for {purpose.replace('_', ' ')}", substance)
    needed = SUBSTANCE_PURPOSES.get(substance, ())
    if needed and purpose not in needed:
        c.add(f"{path}.purpose", f"{' or '.join(needed)} for substance {substance}", purpose)
    if space == "subarachnoid" and approach != "interlaminar":
        c.add(f"{path}.space", f"epidural for a {approach} injection (subarachnoid = interlaminar puncture)", space)
    if purpose == "blood_patch" and space != "epidural":
        c.add(f"{path}.space", "epidural for a blood patch", space)
    if purpose in RADIONUCLIDE_PURPOSES and space != "subarachnoid":
        c.add(f"{path}.space", f"subarachnoid for {purpose.replace('_', ' ')} (the tracer goes into the CSF)", space)


def _claim_type(c: _Collector, data: dict, place_of_service: object) -> str:
    claim_type = c.choice(data, "claim_type", "", CLAIM_TYPES, "professional")
    if claim_type == "facility" and place_of_service not in FACILITY_CLAIM_PLACES:
        c.add(
            "claim_type",
            "professional, or a facility place of service ("
            + ", ".join(f"{p} {PLACES_OF_SERVICE[p]}" for p in FACILITY_CLAIM_PLACES)
            + ") for a facility claim",
            claim_type,
        )
    return claim_type


__all__ = [
    "CENTRAL_PURPOSES",
    "PURPOSE_SUBSTANCES",
    "SUBSTANCE_PURPOSES",
    "parse_claim_line",
    "parse_encounter",
    "parse_ndc",
]
