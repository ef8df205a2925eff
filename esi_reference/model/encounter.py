"""The encounter model: one patient's injection session as clinical facts, validated at the boundary.

An encounter holds the date and place of service, the payer profile (``esi_reference.reference.payers``: medicare,
commercial, cpt, ... and optionally the Medicare contractor's LCD), the claim type (``professional`` or
``facility`` for a hospital outpatient department or ASC), the procedures as clinical facts (approach,
levels, side, guidance, contrast, catheter, substance, purpose, epidural or subarachnoid space), the
ICD-10-CM diagnoses, the drugs given, the documentation facts, the prior ESI sessions, the other services
that day and, optionally, the claim lines that were billed.
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
>>> parse_encounter({"date_of_service": "2025-02-30", "place_of_service": "9X", "procedures": []})
Traceback (most recent call last):
...
esi_reference.errors.InvalidEncounter: invalid encounter: date_of_service: expected a date as YYYY-MM-DD, \
got '2025-02-30'; place_of_service: expected a 2-digit place-of-service code, got '9X'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from esi_reference._memo import memoised_property
from esi_reference.errors import MAX_LISTED, EsiError, InvalidEncounter, InvalidField, Problems
from esi_reference.model import fields
from esi_reference.reference._data import read_rows
from esi_reference.reference.contractors import lcd_contractors
from esi_reference.reference.payers import PayerProfile, profile, profiles
from esi_reference.reference.policy import (
    FACILITY_PLACES_OF_SERVICE,
    LCD_EXEMPT_PURPOSES,
    PLACES_OF_SERVICE,
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
    # other neuraxial uses of the same codes (see "Neuraxial uses" below)
    "antispasmodic",
    "blood",
    "radiopharmaceutical",
    "biologic",
)
PURPOSES = ("therapeutic", "diagnostic_snrb", "postoperative_pain", "pump_trial", "blood_patch", "cisternography")
SPACES = ("epidural", "subarachnoid")
CLAIM_TYPES = ("professional", "facility")
#: Places of service with a facility claim this reference models: hospital outpatient (OPPS) and ASC.
FACILITY_CLAIM_PLACES = ("19", "22", "23", "24")
PAYERS = tuple(p.id for p in profiles())
REGION_FAMILIES = ("cervical_thoracic", "lumbar_sacral")
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
    space: str = "epidural"

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
    #: A claim without clinical facts (see :func:`claim_encounter`): only claim-level rules apply.
    claim_only: bool = False
    claim_type: str = "professional"

    @property
    def payer_profile(self) -> PayerProfile:
        return profile(self.payer)

    @property
    def lcd_applies(self) -> bool:
        """The Medicare ESI LCD rules apply (the payer profile says so)."""
        return profile(self.payer).lcd_limits

    @property
    def facility_setting(self) -> str:
        """'asc', 'hospital_outpatient' or '' (a professional claim)."""
        if self.claim_type != "facility":
            return ""
        return "asc" if self.place_of_service == "24" else "hospital_outpatient"

    @property
    def bilateral_format(self) -> str:
        return profile(self.payer).bilateral_for(self.claim_type, self.place_of_service)

    @memoised_property
    def esi_procedures(self) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.is_epidural and p.substance not in NOT_ESI_SUBSTANCES)

    @memoised_property
    def covered_procedures(self) -> tuple[Procedure, ...]:
        """ESI procedures subject to the LCD limits (postoperative pain, pump trials, cisternography are exempt)."""
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
        if not out["claim_only"]:
            del out["claim_only"]
        return out


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


def drug_of_code(code: str) -> str | None:
    """The drug (a key of drugs.csv) that a drug code bills, or None."""
    return _DRUG_OF_CODE.get(code)


_DRUG_OF_CODE = {code: drug for drug, row in DRUGS.items() for code in row["codes"].split()}


def claim_encounter(
    day: dt.date,
    lines: tuple[ClaimLine, ...],
    doses: tuple[float | None, ...] = (),
    prior_sessions: tuple[PriorSession, ...] = (),
    **fields: Any,
) -> Encounter:
    """The encounter that claim lines alone can express: no procedures, the lines' diagnoses as the
    encounter's, one drug given per line that states a dose (``doses[i]`` for line ``i``), and the other
    encounter-level ``fields`` (place_of_service, payer, contractor ...) as the claim states them. The
    claims audit builds one per patient and date of service; tests build the same from generated claims."""
    drugs = tuple(
        DrugGiven(drug, float(dose), DRUGS[drug]["dose_unit"])
        for line, dose in zip(lines, doses, strict=False)
        if dose is not None and (drug := drug_of_code(line.code)) is not None
    )
    diagnoses = tuple(dict.fromkeys(d for line in lines for d in line.diagnoses))
    fields.setdefault("place_of_service", "")
    return Encounter(
        date_of_service=day,
        claim=lines,
        diagnoses=diagnoses,
        drugs=drugs,
        prior_sessions=prior_sessions,
        claim_only=True,
        **fields,
    )


# ---------------------------------------------------------------------------------------------------------
# Claim type and neuraxial uses (issue 12): which claim is coded, and the non-ESI uses of the same codes.
#
# A facility claim (hospital outpatient POS 19/22/23, ASC POS 24) codes the facility's side of the same
# session (esi_reference.coding). Neuraxial uses sharing the 62320-62327 codes: implantable pump trials
# (opioid, antispasmodic such as baclofen), cisternography (a radiopharmaceutical into the subarachnoid
# space, with its nuclear-medicine code 78630), postoperative pain catheters; the epidural blood patch
# (substance "blood") has its own code 62273; a "biologic" injectant (PRP, amniotic or other tissue
# products) is not FDA-approved for epidural use and is not covered under the ESI billing articles.

#: Substances whose procedures are not epidural steroid injections (their own codes).
NOT_ESI_SUBSTANCES = frozenset({"neurolytic", "chemotherapy", "blood"})
#: purpose -> the substances it allows (purposes not listed allow any ESI substance).
PURPOSE_SUBSTANCES = {
    "blood_patch": ("blood",),
    "cisternography": ("radiopharmaceutical",),
}


def _check_neuraxial_use(c: _Collector, path: str, approach: str, substance: str, purpose: str, space: str) -> None:
    """Each purpose with its substance, approach and space (one message per contradiction)."""
    central = approach in ("interlaminar", "caudal")
    if purpose in ("pump_trial", "blood_patch", "cisternography") and not central:
        c.add(f"{path}.purpose", f"an interlaminar or caudal approach for {purpose.replace('_', ' ')}", purpose)
    allowed = PURPOSE_SUBSTANCES.get(purpose)
    if allowed and substance not in allowed:
        c.add(f"{path}.substance", f"{' or '.join(allowed)} for {purpose.replace('_', ' ')}", substance)
    for only_for, needed in (("blood", "blood_patch"), ("radiopharmaceutical", "cisternography")):
        if substance == only_for and purpose != needed:
            c.add(f"{path}.purpose", f"{needed} for substance {only_for}", purpose)
    if space == "subarachnoid" and approach != "interlaminar":
        c.add(f"{path}.space", f"epidural for a {approach} injection (subarachnoid = interlaminar puncture)", space)
    if purpose == "blood_patch" and space != "epidural":
        c.add(f"{path}.space", "epidural for a blood patch", space)
    if purpose == "cisternography" and space != "subarachnoid":
        c.add(f"{path}.space", "subarachnoid for cisternography (the tracer goes into the CSF)", space)


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
        given("purpose", ["pump_trial", "blood_patch", "cisternography"], {"approach": ["interlaminar", "caudal"]}),
        given("purpose", ["blood_patch"], {"substance": ["blood"]}, required=True),
        given("purpose", ["cisternography"], {"substance": ["radiopharmaceutical"], "space": ["subarachnoid"]}, True),
        given("purpose", ["blood_patch"], {"space": ["epidural"]}),
        given("substance", ["blood"], {"purpose": ["blood_patch"]}, required=True),
        given("substance", ["radiopharmaceutical"], {"purpose": ["cisternography"]}, required=True),
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
