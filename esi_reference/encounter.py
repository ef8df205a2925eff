"""The encounter model: one patient's injection session as clinical facts, validated at the boundary.

An encounter holds the date and place of service, the payer (and optionally the Medicare contractor's
LCD), the procedures as clinical facts, the ICD-10-CM diagnoses, the drugs given, the documentation facts,
the prior ESI sessions, the other services that day and, optionally, the claim lines that were billed.
Rules read only these facts; :func:`parse_encounter` turns JSON-like data into an :class:`Encounter` and
reports *every* bad field at once (:class:`~esi_reference.errors.InvalidEncounter`), each naming its path
and what was expected. :func:`encounter_schema` publishes the same contract as JSON Schema.

Each drug given records the amount administered and, when known, the container (single-dose vial,
multi-dose vial, ampule, prefilled syringe), its labeled amount, the amount discarded, the NDC (11 digits,
5-4-2, with unit qualifier and quantity) and who bought it (the practice or the facility).

Levels are interspaces written top segment first: ``"C6-C7"``, ``"T12-L1"``, ``"L5-S1"``. A caudal
injection may omit levels (it enters at the sacral hiatus).

>>> enc = parse_encounter({
...     "date_of_service": "2025-03-04", "place_of_service": "11",
...     "procedures": [{"approach": "transforaminal", "levels": ["L4-L5"], "side": "bilateral",
...                     "guidance": "fluoroscopy", "contrast": "used", "substance": "steroid"}],
...     "diagnoses": ["M54.16"]})
>>> enc.procedures[0].region_families
('lumbar_sacral',)
>>> parse_encounter({"date_of_service": "2025-02-30", "place_of_service": "99", "procedures": []})
Traceback (most recent call last):
...
esi_reference.errors.InvalidEncounter: invalid encounter: date_of_service: expected a date as YYYY-MM-DD, \
got '2025-02-30'; place_of_service: expected one of 11, 19, 21, 22, 23, 24, 49, 62, got '99'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import catalogue
from ._data import read_rows
from ._memo import memoised_property
from .contractors import lcd_contractors
from .dates import parse_date
from .errors import EsiError, InvalidEncounter, InvalidField
from .policy import (
    FACILITY_PLACES_OF_SERVICE,
    LCD_EXEMPT_PURPOSES,
    PLACES_OF_SERVICE,
    is_level,
    region_family_of_level,
    window_start,
)

APPROACHES = ("interlaminar", "caudal", "transforaminal", "facet", "si_joint")
SIDES = ("left", "right", "bilateral", "midline")
GUIDANCE = ("fluoroscopy", "ct", "ultrasound", "none")
CONTRAST = ("used", "contraindicated", "not_used")
CATHETER = ("none", "same_day", "indwelling")
SUBSTANCES = (
    "steroid",
    "anesthetic",
    "steroid_and_anesthetic",
    "opioid",
    "saline",
    "neurolytic",
    "chemotherapy",
    "other",
)
PURPOSES = ("therapeutic", "diagnostic_snrb", "postoperative_pain", "pump_trial")
PAYERS = ("medicare", "other")
REGION_FAMILIES = ("cervical_thoracic", "lumbar_sacral")
ICD10_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
MODIFIER_PATTERN = re.compile(r"^[0-9A-Z]{2}$")
MAX_LIST = 50
DRUGS = {r["drug"]: r for r in read_rows("drugs.csv")}
CONTRACTOR_LCDS = {c.lcd_id: c for c in lcd_contractors()}


@dataclass(frozen=True)
class Procedure:
    """One injection procedure as performed (clinical facts, not codes)."""

    approach: str
    levels: tuple[str, ...] = ()
    side: str = "midline"
    guidance: str = "fluoroscopy"
    contrast: str = "used"
    catheter: str = "none"
    substance: str = "steroid"
    purpose: str = "therapeutic"

    @property
    def is_epidural(self) -> bool:
        return self.approach in ("interlaminar", "caudal", "transforaminal")

    @property
    def image_guided(self) -> bool:
        return self.guidance in ("fluoroscopy", "ct")

    def region_family_of(self, level: str) -> str:
        return region_family_of_level(level, self.approach)

    @memoised_property
    def region_families(self) -> tuple[str, ...]:
        """Region families (cervical_thoracic / lumbar_sacral) this procedure touches, in level order."""
        if self.approach in ("caudal", "si_joint") and not self.levels:
            return ("lumbar_sacral",)
        return tuple(dict.fromkeys(self.region_family_of(level) for level in self.levels))


#: How the drug was packaged (FDA labeling): single-dose containers (vial, ampule, prefilled syringe) take JW/JZ.
CONTAINERS = ("single_dose_vial", "multi_dose_vial", "ampule", "prefilled_syringe")
SINGLE_DOSE_CONTAINERS = frozenset({"single_dose_vial", "ampule", "prefilled_syringe"})
#: Who bought the drug: the practice (it bills the drug) or the facility (hospital outpatient, ASC).
SUPPLIERS = ("practice", "facility")
#: NDC unit-of-measure qualifiers of the claim's drug identification (N4) segment.
NDC_UNITS = {"F2": "international unit", "GR": "gram", "ME": "milligram", "ML": "milliliter", "UN": "unit"}
NDC_PATTERN = re.compile(r"^(\d{5})-?(\d{4})-?(\d{2})$")
NDC_SHORT_PATTERN = re.compile(r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d)$")
MAX_DRUG_AMOUNT = 10000


@dataclass(frozen=True)
class Ndc:
    """The National Drug Code of the package used: 11 digits (5-4-2), its unit qualifier and quantity."""

    code: str
    unit: str
    quantity: float

    @property
    def hyphenated(self) -> str:
        return f"{self.code[:5]}-{self.code[5:9]}-{self.code[9:]}"

    def __str__(self) -> str:
        """The claim's drug identification text: qualifier N4, the 11 digits, unit and quantity."""
        return f"N4{self.code} {self.unit}{self.quantity:g}"


@dataclass(frozen=True)
class DrugGiven:
    """One drug given: the amount administered (``dose``) and, when recorded, the container it came from,
    the container's labeled amount, the amount discarded, the NDC and who bought it.

    ``discarded`` None means the record does not state it; ``supplied_by`` None means the usual buyer for the
    place of service (:func:`drug_supplier`)."""

    drug: str
    dose: float
    unit: str = "mg"
    container: str | None = None
    container_amount: float | None = None
    discarded: float | None = None
    ndc: Ndc | None = None
    supplied_by: str | None = None

    @property
    def single_dose(self) -> bool | None:
        """True for a single-dose container, False for a multi-dose vial, None when not recorded."""
        return None if self.container is None else self.container in SINGLE_DOSE_CONTAINERS

    @property
    def known_discarded(self) -> float | None:
        """The discarded amount: as documented, else the container's labeled amount minus the dose."""
        if self.discarded is not None:
            return self.discarded
        if self.container_amount is not None:
            return max(0.0, self.container_amount - self.dose)
        return None


@dataclass(frozen=True)
class Documentation:
    """Documentation facts: one per documentation requirement (None/False = not documented)."""

    history_and_exam: bool = False
    indication_documented: bool = False
    pain_weeks: int | None = None
    conservative_care_weeks: int | None = None
    concordant_imaging: bool = False
    baseline_scale: bool = False
    procedure_report: bool = False
    image_views: int | None = None
    signed_and_dated: bool = False
    codes_supported: bool = False
    prior_relief_percent: int | None = None
    contrast_contraindication_documented: bool = False
    snrb_purpose_documented: bool = False
    sedation_justified: bool = False

    @classmethod
    def complete(cls, **overrides: Any) -> Documentation:
        """A fully documented record (handy for examples and tests)."""
        base = dict(
            history_and_exam=True,
            indication_documented=True,
            pain_weeks=8,
            conservative_care_weeks=6,
            concordant_imaging=True,
            baseline_scale=True,
            procedure_report=True,
            image_views=2,
            signed_and_dated=True,
            codes_supported=True,
        )
        base.update(overrides)
        return cls(**base)


@dataclass(frozen=True)
class PriorSession:
    date: dt.date
    region_family: str


@dataclass(frozen=True)
class OtherService:
    """Another service the same day (E/M visit, sedation, another injection...)."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    separately_identifiable: bool = False


@dataclass(frozen=True)
class ClaimLine:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    diagnoses: tuple[str, ...] = ()
    reason: str = field(default="", compare=False)

    def has(self, *modifiers: str) -> bool:
        return any(m in self.modifiers for m in modifiers)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "modifiers": list(self.modifiers),
            "units": self.units,
            "diagnoses": list(self.diagnoses),
        }
        if self.reason:
            out["reason"] = self.reason
        return out

    def __str__(self) -> str:
        mods = "-" + "-".join(self.modifiers) if self.modifiers else ""
        return f"{self.code}{mods} x{self.units}"


@dataclass(frozen=True)
class Encounter:
    date_of_service: dt.date
    place_of_service: str
    procedures: tuple[Procedure, ...] = ()
    payer: str = "medicare"
    contractor: str | None = None
    abn_on_file: bool = False
    diagnoses: tuple[str, ...] = ()
    drugs: tuple[DrugGiven, ...] = ()
    documentation: Documentation = Documentation()
    prior_sessions: tuple[PriorSession, ...] = ()
    other_services: tuple[OtherService, ...] = ()
    claim: tuple[ClaimLine, ...] | None = None
    id: str = ""
    title: str = ""

    @memoised_property
    def esi_procedures(self) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.is_epidural and p.substance not in ("neurolytic", "chemotherapy"))

    @memoised_property
    def covered_procedures(self) -> tuple[Procedure, ...]:
        """ESI procedures subject to the LCD limits (postoperative pain and pump trials are exempt)."""
        return tuple(p for p in self.esi_procedures if p.purpose not in LCD_EXEMPT_PURPOSES)

    @memoised_property
    def window_start(self) -> dt.date:
        """First day of the rolling 12-month window ending on the date of service (see policy)."""
        return window_start(self.date_of_service)

    @memoised_property
    def lcd_effective(self) -> dt.date | None:
        """Effective date of the contractor's ESI LCD, when the encounter names one."""
        return contractor_lcd_effective(self)

    @memoised_property
    def esi_region_families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rf for p in self.esi_procedures for rf in p.region_families))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict that :func:`parse_encounter` reads back to an equal encounter."""

        def plain(value: Any) -> Any:
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                return {
                    f.name: plain(getattr(value, f.name))
                    for f in dataclasses.fields(value)
                    if not (f.name == "reason" and not getattr(value, f.name))
                }
            if isinstance(value, tuple | list):
                return [plain(v) for v in value]
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        out = plain(self)
        for key in ("claim", "contractor"):
            if out[key] is None:
                del out[key]
        return out


# ---------------------------------------------------------------------------------------------------------
# Validation: collect every problem, each with its field path.


class _Collector:
    def __init__(self) -> None:
        self.errors: list[InvalidField] = []

    def add(self, path: str, expected: str, got: object = ...) -> None:
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
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(f"{path}{key}", f"a whole number from {low} to {high}", value)
            return default
        return value

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
        for key in data:
            if key not in allowed:
                name = key if isinstance(key, str) and key.strip() else f"<{key!r}>"
                self.add(f"{path}{name}"[:120], "no such field (allowed: " + ", ".join(sorted(allowed)) + ")", key)

    def code(self, value: object, path: str) -> str:
        try:
            text = catalogue.normalize_code(value, path)
            catalogue.lookup(text)
            return text
        except EsiError as exc:
            self.errors.append(
                exc if isinstance(exc, InvalidField) else InvalidField(path, "a code in the catalogue", value)
            )
            return ""

    def modifiers(self, value: object, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [m for m in re.split(r"[\s,;-]+", value) if m]
        if not isinstance(value, list | tuple) or len(value) > 4:
            self.add(path, "a list of at most 4 two-character modifiers", value)
            return ()
        out = []
        for i, m in enumerate(value):
            if not isinstance(m, str) or not MODIFIER_PATTERN.match(m.strip().upper()):
                self.add(f"{path}[{i}]", "a two-character modifier such as 50, RT, XS, KX", m)
            else:
                out.append(m.strip().upper())
        return tuple(out)

    def diagnosis(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not ICD10_PATTERN.match(value.strip().upper()):
            self.add(path, "an ICD-10-CM code such as M54.16", value)
            return ""
        return value.strip().upper()


def _procedure(c: _Collector, data: object, path: str) -> Procedure | None:
    d = c.mapping(data, path)
    if d is None:
        return None
    c.unknown_keys(d, {f.name for f in dataclasses.fields(Procedure)}, path + ".")
    approach = c.choice(d, "approach", path + ".", APPROACHES)
    levels = []
    for i, level in enumerate(c.items(d, "levels", path + ".")):
        if not isinstance(level, str) or not is_level(level.strip().upper()):
            c.add(f"{path}.levels[{i}]", "an interspace such as C6-C7, T12-L1 or L5-S1", level)
        else:
            levels.append(level.strip().upper())
    if len(set(levels)) != len(levels):
        c.add(f"{path}.levels", "each level once (use side 'bilateral' for both sides)", levels)
    if not levels and approach in ("interlaminar", "transforaminal", "facet"):
        c.add(f"{path}.levels", f"at least one level for a {approach} injection")
    default_side = "midline" if approach in ("interlaminar", "caudal") else None
    side = c.choice(d, "side", path + ".", SIDES, default_side)
    guidance = c.choice(d, "guidance", path + ".", GUIDANCE, "fluoroscopy")
    if approach in ("transforaminal", "facet", "si_joint") and guidance == "none":
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
    if purpose == "pump_trial" and approach not in ("interlaminar", "caudal"):
        c.add(f"{path}.purpose", "an interlaminar or caudal approach for an implantable pump trial", purpose)
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
        substance=c.choice(d, "substance", path + ".", SUBSTANCES, "steroid"),
        purpose=purpose,
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
    quantity = d.get("quantity")
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int | float)
        or not 0 < quantity <= 99999
        or round(quantity, 3) != quantity
    ):
        c.add(f"{path}.quantity", "a positive number with at most 3 decimals (the NDC units given)", quantity)
        quantity = 1
    return Ndc(code, unit, float(quantity))


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


def drug_supplier(encounter: Encounter, given: DrugGiven) -> str:
    """Who bought the drug: as recorded, else the facility in a facility place of service, else the practice."""
    if given.supplied_by is not None:
        return given.supplied_by
    return "facility" if encounter.place_of_service in FACILITY_PLACES_OF_SERVICE else "practice"


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
    try:
        day = parse_date(value, path)
    except InvalidField as exc:
        c.errors.append(exc)
        return None
    if not dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31):
        c.add(path, "a date between 1990-01-01 and 2100-12-31", value)
        return None
    return day


def _claim_line(c: _Collector, data: object, path: str) -> ClaimLine | None:
    d = c.mapping(data, path)
    if d is None:
        return None
    c.unknown_keys(d, {"code", "modifiers", "units", "diagnoses", "reason"}, path + ".")
    code = c.code(d.get("code"), f"{path}.code")
    units = c.integer(d, "units", path + ".", 1, 9999, 1)
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
    pos = data.get("place_of_service")
    if isinstance(pos, int) and not isinstance(pos, bool):
        pos = f"{pos:02d}"
    if not isinstance(pos, str) or pos not in PLACES_OF_SERVICE:
        c.add("place_of_service", "one of " + ", ".join(PLACES_OF_SERVICE), pos)
    payer = c.choice(data, "payer", "", PAYERS, "medicare")
    contractor = data.get("contractor")
    if contractor is not None and (not isinstance(contractor, str) or contractor not in CONTRACTOR_LCDS):
        c.add("contractor", "an LCD id: " + ", ".join(CONTRACTOR_LCDS), contractor)
        contractor = None
    procedures = tuple(
        p
        for i, x in enumerate(c.items(data, "procedures", "", required=True))
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
                units=c.integer(d, "units", path + ".", 1, 99, 1) or 1,
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
    )


def contractor_lcd_effective(encounter: Encounter) -> dt.date | None:
    """Effective date of the contractor's ESI LCD, when the encounter names one."""
    if encounter.contractor is None:
        return None
    return CONTRACTOR_LCDS[encounter.contractor].lcd_effective


def contractor_sources(encounter: Encounter) -> tuple[str, ...]:
    if encounter.contractor is None:
        return ()
    return CONTRACTOR_LCDS[encounter.contractor].sources


# ---------------------------------------------------------------------------------------------------------
# The published JSON Schema (built from the same option tuples the validator uses).


def _enum(options: tuple[str, ...], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(options), "description": description}


def _objects(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    """Schema of a list of objects with exactly these properties."""
    return {
        "type": "array",
        "maxItems": MAX_LIST,
        "items": {"type": "object", "additionalProperties": False, "required": required, "properties": properties},
    }


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
    """JSON Schema (draft 2020-12) of the encounter files that :func:`parse_encounter` accepts."""
    level = {
        "type": "string",
        "pattern": r"^(C[1-7]|T([1-9]|1[0-2])|L[1-5]|S[1-5])-(C[2-7]|T([1-9]|1[0-2])|L[1-5]|S[1-5]|CO1?)$",
        "description": "interspace, top segment first: C6-C7, T12-L1, L5-S1",
    }
    code = {
        "type": "string",
        "pattern": catalogue.CODE_PATTERN.pattern,
        "description": "CPT/HCPCS code in the catalogue",
    }
    modifiers = {"type": "array", "maxItems": 4, "items": {"type": "string", "pattern": "^[0-9A-Z]{2}$"}}
    icd = {"type": "string", "pattern": ICD10_PATTERN.pattern, "description": "ICD-10-CM code"}
    date = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
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
        "required": ["date_of_service", "place_of_service", "procedures"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "notes": {"type": "string"},
            "expected": {"type": "object", "description": "documented result of check() for this example"},
            "date_of_service": date,
            "place_of_service": _enum(tuple(PLACES_OF_SERVICE), "CMS place-of-service code"),
            "payer": _enum(PAYERS, "payer (the rules encode Medicare policy)"),
            "contractor": _enum(tuple(CONTRACTOR_LCDS), "the Medicare contractor's ESI LCD id"),
            "abn_on_file": {"type": "boolean", "description": "an Advance Beneficiary Notice was signed"},
            "procedures": _objects(
                ["approach"],
                {
                    "approach": _enum(APPROACHES, "how the needle reached the target"),
                    "levels": {"type": "array", "maxItems": MAX_LIST, "items": level, "uniqueItems": True},
                    "side": _enum(SIDES, "midline for interlaminar/caudal"),
                    "guidance": _enum(GUIDANCE, "imaging guidance used"),
                    "contrast": _enum(CONTRAST, "contrast injected to confirm spread"),
                    "catheter": _enum(CATHETER, "none, placed and removed the same day, or left indwelling"),
                    "substance": _enum(SUBSTANCES, "what was injected"),
                    "purpose": _enum(PURPOSES, "why it was injected"),
                },
            ),
            "diagnoses": {"type": "array", "maxItems": MAX_LIST, "items": icd},
            "drugs": _objects(["drug", "dose"], drug_schema_properties()),
            "documentation": {"type": "object", "additionalProperties": False, "properties": doc_props},
            "prior_sessions": _objects(
                ["date", "region_family"],
                {"date": date, "region_family": _enum(REGION_FAMILIES, "region family of that session")},
            ),
            "other_services": _objects(
                ["code"],
                {
                    "code": code,
                    "modifiers": modifiers,
                    "units": {"type": "integer", "minimum": 1, "maximum": 99},
                    "separately_identifiable": {"type": "boolean"},
                },
            ),
            "claim": _objects(
                ["code"],
                {
                    "code": code,
                    "modifiers": modifiers,
                    "units": {"type": "integer", "minimum": 1, "maximum": 9999},
                    "diagnoses": {"type": "array", "items": icd},
                    "reason": {"type": "string"},
                },
            ),
        },
    }
