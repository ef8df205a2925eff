"""The encounter model: one patient's injection session as clinical facts, validated at the boundary.

An encounter holds the date and place of service, the payer profile (``esi_reference.payers``: medicare,
commercial, cpt, ... and optionally the Medicare contractor's LCD), the claim type (``professional`` or
``facility`` for a hospital outpatient department or ASC), the procedures as clinical facts (approach,
levels, side, guidance, contrast, catheter, substance, purpose, epidural or subarachnoid space), the
ICD-10-CM diagnoses, the drugs given, the documentation facts, the prior ESI sessions, the other services
that day and, optionally, the claim lines that were billed.
Rules read only these facts; :func:`parse_encounter` turns JSON-like data into an :class:`Encounter` and
reports *every* bad field at once (:class:`~esi_reference.errors.InvalidEncounter`), each naming its path
and what was expected. :func:`encounter_schema` publishes the same contract as JSON Schema.

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
from .payers import PayerProfile, profile, profiles
from .policy import LCD_EXEMPT_PURPOSES, PLACES_OF_SERVICE, is_level, region_family_of_level, window_start

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


@dataclass(frozen=True)
class DrugGiven:
    drug: str
    dose: float
    unit: str = "mg"


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
    c.unknown_keys(d, {"drug", "dose", "unit"}, path + ".")
    drug = c.choice(d, "drug", path + ".", tuple(DRUGS))
    dose = d.get("dose")
    if isinstance(dose, bool) or not isinstance(dose, int | float) or not 0 < dose <= 10000 or dose != dose:
        c.add(f"{path}.dose", "a positive number (the amount given)", dose)
        dose = 1
    unit = c.choice(d, "unit", path + ".", ("mg", "mL"), DRUGS.get(drug, {}).get("dose_unit", "mg"))
    if drug in DRUGS and unit != DRUGS[drug]["dose_unit"]:
        c.add(f"{path}.unit", f"{DRUGS[drug]['dose_unit']} for {drug}", unit)
    return DrugGiven(drug=drug, dose=float(dose), unit=unit)


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
    payer = c.choice(data, "payer", "", tuple(p.id for p in profiles()), "medicare")
    claim_type = _claim_type(c, data, pos)
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


def _objects(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    """Schema of a list of objects with exactly these properties."""
    return {
        "type": "array",
        "maxItems": MAX_LIST,
        "items": {"type": "object", "additionalProperties": False, "required": required, "properties": properties},
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
            "payer": _enum(
                tuple(p.id for p in profiles()),
                "payer profile (data/payers.csv; load_profiles adds your own): medicare applies the LCD",
            ),
            "claim_type": _enum(CLAIM_TYPES, "professional (physician) claim, or the facility's (HOPD, ASC) claim"),
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
                    "space": _enum(SPACES, "epidural, or subarachnoid (intrathecal) for an interlaminar puncture"),
                },
            ),
            "diagnoses": {"type": "array", "maxItems": MAX_LIST, "items": icd},
            "drugs": _objects(
                ["drug", "dose"],
                {
                    "drug": _enum(tuple(DRUGS), "drug given"),
                    "dose": {"type": "number", "exclusiveMinimum": 0, "maximum": 10000},
                    "unit": _enum(("mg", "mL"), "unit of the dose"),
                },
            ),
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
