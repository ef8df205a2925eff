"""The encounter's records: the clinical facts of one injection session as frozen dataclasses.

:class:`Encounter` holds the date and place of service, the payer profile, the claim type, the procedures
(:class:`Procedure`: approach, levels, side, guidance, contrast, catheter, substance, purpose, space), the
ICD-10-CM diagnoses, the drugs given (:class:`DrugGiven`: amount administered, container, amount discarded,
NDC, who bought it), the documentation facts, the prior sessions, the other services that day and,
optionally, the billed claim lines (:class:`ClaimLine`). The option tuples here are the vocabulary the parser
(:mod:`esi_reference.model.parse`) and the JSON Schema (:mod:`esi_reference.model.schema`) both use.
:func:`claim_encounter` is the encounter that claim lines alone can express (the claims audit builds one per
patient and date of service).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from esi_reference._memo import memoised_property
from esi_reference.reference.contractors import lcd_contractors
from esi_reference.reference.drugs import DRUGS, drug_of_code
from esi_reference.reference.payers import PayerProfile, profile, profiles
from esi_reference.reference.policy import (
    FACILITY_PLACES_OF_SERVICE,
    LCD_EXEMPT_PURPOSES,
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
PURPOSES = (
    "therapeutic",
    "diagnostic_snrb",
    "postoperative_pain",
    "pump_trial",
    "blood_patch",
    "cisternography",
    "csf_leak_study",
)
#: Purposes whose substance is a radiopharmaceutical injected into the CSF (each with its imaging code).
RADIONUCLIDE_PURPOSES = ("cisternography", "csf_leak_study")
SPACES = ("epidural", "subarachnoid")
CLAIM_TYPES = ("professional", "facility")
#: Places of service with a facility claim this reference models: hospital outpatient (OPPS) and ASC.
FACILITY_CLAIM_PLACES = ("19", "22", "23", "24")
PAYERS = tuple(p.id for p in profiles())
REGION_FAMILIES = ("cervical_thoracic", "lumbar_sacral")
MAX_LIST = 50
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
        """True when the line carries any of ``modifiers`` (most lines carry none: asked first)."""
        mine = self.modifiers
        if mine:
            for m in modifiers:
                if m in mine:
                    return True
        return False

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
        """ESI procedures subject to the LCD limits (postoperative pain, pump trials, radionuclide CSF studies are
        exempt)."""
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
# Claim type and neuraxial uses (issue 12): which claim is coded, and the non-ESI uses of the same codes.
#
# A facility claim (hospital outpatient POS 19/22/23, ASC POS 24) codes the facility's side of the same
# session (esi_reference.coding). Neuraxial uses sharing the 62320-62327 codes: implantable pump trials
# (opioid, antispasmodic such as baclofen), cisternography (a radiopharmaceutical into the subarachnoid
# space, with its nuclear-medicine code 78630), a radionuclide CSF leak study (the same injection, imaging
# code 78650), postoperative pain catheters; the epidural blood patch
# (substance "blood") has its own code 62273; a "biologic" injectant (PRP, amniotic or other tissue
# products) is not FDA-approved for epidural use and is not covered under the ESI billing articles.

#: Substances whose procedures are not epidural steroid injections (their own codes).
NOT_ESI_SUBSTANCES = frozenset({"neurolytic", "chemotherapy", "blood"})


def drug_supplier(encounter: Encounter, given: DrugGiven) -> str:
    """Who bought the drug: as recorded, else the facility in a facility place of service, else the practice."""
    if given.supplied_by is not None:
        return given.supplied_by
    return "facility" if encounter.place_of_service in FACILITY_PLACES_OF_SERVICE else "practice"


def _drug_facts(given: dict[str, Any] | None) -> dict[str, Any]:
    """DrugGiven keyword arguments from a claim line's drug facts (the NDC from its three columns)."""
    if not given:
        return {}
    out = {k: given[k] for k in ("container", "container_amount", "discarded", "supplied_by") if k in given}
    if given.get("ndc"):
        out["ndc"] = Ndc(given["ndc"], given["ndc_unit"], float(given["ndc_quantity"]))
    return out


def claim_encounter(
    day: dt.date,
    lines: tuple[ClaimLine, ...],
    doses: tuple[float | None, ...] = (),
    prior_sessions: tuple[PriorSession, ...] = (),
    drug_facts: tuple[dict[str, Any] | None, ...] = (),
    **fields: Any,
) -> Encounter:
    """The encounter that claim lines alone can express: no procedures, the lines' diagnoses as the
    encounter's, one drug given per line that states a dose (``doses[i]`` for line ``i``, with the drug facts
    ``drug_facts[i]`` the line states: container, container_amount, discarded, supplied_by, and ndc, ndc_unit,
    ndc_quantity together), and the other encounter-level ``fields`` (place_of_service, payer, contractor ...)
    as the claim states them. The claims audit builds one per patient and date of service; tests build the
    same from generated claims."""
    facts = drug_facts or (None,) * len(lines)
    drugs = tuple(
        DrugGiven(drug, float(dose), DRUGS[drug]["dose_unit"], **_drug_facts(given))
        for line, dose, given in zip(lines, doses, facts, strict=False)
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


def contractor_lcd_effective(encounter: Encounter) -> dt.date | None:
    """Effective date of the contractor's ESI LCD, when the encounter names one."""
    if encounter.contractor is None:
        return None
    return CONTRACTOR_LCDS[encounter.contractor].lcd_effective


def contractor_sources(encounter: Encounter) -> tuple[str, ...]:
    if encounter.contractor is None:
        return ()
    return CONTRACTOR_LCDS[encounter.contractor].sources


__all__ = [
    "APPROACHES",
    "CATHETER",
    "CLAIM_TYPES",
    "CONTAINERS",
    "CONTRACTOR_LCDS",
    "CONTRAST",
    "FACILITY_CLAIM_PLACES",
    "GUIDANCE",
    "MAX_DRUG_AMOUNT",
    "MAX_LIST",
    "NDC_PATTERN",
    "NDC_SHORT_PATTERN",
    "NDC_UNITS",
    "NOT_ESI_SUBSTANCES",
    "PAYERS",
    "PURPOSES",
    "RADIONUCLIDE_PURPOSES",
    "REGION_FAMILIES",
    "SIDES",
    "SINGLE_DOSE_CONTAINERS",
    "SPACES",
    "SUBSTANCES",
    "SUPPLIERS",
    "ClaimLine",
    "Documentation",
    "DrugGiven",
    "Encounter",
    "Ndc",
    "OtherService",
    "PriorSession",
    "Procedure",
    "claim_encounter",
    "contractor_lcd_effective",
    "contractor_sources",
    "drug_supplier",
]
