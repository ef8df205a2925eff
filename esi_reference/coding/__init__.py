"""Coding: from clinical facts to the claim lines a coder should report.

:func:`derive_lines` applies the CPT code-selection conventions to an encounter's procedures, drugs and
other services, date-of-service aware:

* **Interlaminar / caudal** (62320-62327): one line per session whatever the number of levels; the code
  is chosen by region family (cervical/thoracic vs lumbar/sacral), imaging (fluoroscopy or CT vs none)
  and catheter (single injection, including a catheter removed the same day, vs indwelling). Never 50,
  RT or LT. Before 2017 the deleted codes 62310-62319 apply, with 77003/77012 reported separately.
* **Transforaminal** (64479-64484): one unit per level; the first level on the primary code and each
  further level on the add-on; both sides of one level = the same line with modifier 50 and one unit.
  T12-L1 belongs to the cervical/thoracic codes (A58993). Ultrasound guidance: 0228T-0231T for dates of
  service up to 2020-12-31; no verified code afterwards.
* **Facet** (64490-64495) and **SI joint** (27096; 20552 without imaging; G0260 on a facility claim) are
  not ESIs and have their own codes.
* **Neurolytic** substances: 62281/62282 epidural, 62280 subarachnoid; **chemotherapy** into the CNS: 96450.
* Other neuraxial uses: **blood patch** 62273 (+ 77003/77012 when guided); **cisternography** the
  interlaminar code + 78630; **pump trials** and **postoperative catheters** the interlaminar codes; daily
  catheter management 01996 (not on the day of placement).
* **Bilateral** lines follow the payer profile's format (``esi_reference.reference.payers``): 50 x1, RT + LT, or
  50 x2; Medicare ASC facility claims use RT + LT.
* **Claim type**: a facility claim (HOPD, ASC) carries the drugs and imaging without 26; a physician claim
  in a facility setting carries imaging with 26 and no drugs.
* Drugs are reported only by whoever bought them: on the physician's claim outside facility settings, on the
  facility claim when the facility bought them, units =
  amount administered / unit size. For Medicare, a drug from a single-dose container adds a JW line for
  the whole units discarded (from 2017) or JZ on its line when none were (from 2023-07-01); multi-dose
  vials take neither (:func:`drug_plans`, rules in ``esi_reference.rules.drugs``).
* Imaging guidance, epidurography and local anesthetic are included in the injection codes.

NCCI pairs among the derived lines are resolved last (:func:`resolve_ptp`): an edit with modifier
indicator 0 drops the column-two code; indicator 1 keeps it with XS only when it is a separate
anatomic site, and otherwise drops it.

>>> from esi_reference.model.encounter import parse_encounter
>>> enc = parse_encounter({"date_of_service": "2025-03-04", "place_of_service": "22", "procedures": [
...     {"approach": "transforaminal", "levels": ["L4-L5", "L5-S1"], "side": "bilateral"}]})
>>> [str(line) for line in derive_lines(enc).lines]
['64483-50 x1', '64484-50 x1']
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field, replace

from esi_reference._memo import memo
from esi_reference.model.encounter import ClaimLine, DrugGiven, Encounter, Procedure, drug_supplier
from esi_reference.reference import catalogue, ncci
from esi_reference.reference.drugs import DRUGS
from esi_reference.reference.policy import DISTINCT_SERVICE_MODIFIERS, FACILITY_PLACES_OF_SERVICE

CPT_2017 = dt.date(2017, 1, 1)
ULTRASOUND_TF_LAST_DAY = dt.date(2020, 12, 31)

#: (region family, image guided, indwelling catheter) -> interlaminar/caudal code, 2017 onward.
INTERLAMINAR_CODES = {
    ("cervical_thoracic", False, False): "62320",
    ("cervical_thoracic", True, False): "62321",
    ("lumbar_sacral", False, False): "62322",
    ("lumbar_sacral", True, False): "62323",
    ("cervical_thoracic", False, True): "62324",
    ("cervical_thoracic", True, True): "62325",
    ("lumbar_sacral", False, True): "62326",
    ("lumbar_sacral", True, True): "62327",
}
#: Before 2017: (region family, indwelling) -> deleted code; guidance was reported separately.
INTERLAMINAR_CODES_BEFORE_2017 = {
    ("cervical_thoracic", False): "62310",
    ("lumbar_sacral", False): "62311",
    ("cervical_thoracic", True): "62318",
    ("lumbar_sacral", True): "62319",
}
#: (region family, ultrasound) -> (primary, add-on)
TRANSFORAMINAL_CODES = {
    ("cervical_thoracic", False): ("64479", "64480"),
    ("lumbar_sacral", False): ("64483", "64484"),
    ("cervical_thoracic", True): ("0228T", "0229T"),
    ("lumbar_sacral", True): ("0230T", "0231T"),
}
#: region family -> (first level, second level, third and further levels)
FACET_CODES = {"cervical_thoracic": ("64490", "64491", "64492"), "lumbar_sacral": ("64493", "64494", "64495")}
NEUROLYTIC_CODES = {"cervical_thoracic": "62281", "lumbar_sacral": "62282"}
GUIDANCE_CODES = {"fluoroscopy": "77003", "ct": "77012", "ultrasound": "76942"}
#: Anatomic site groups: a PTP edit with modifier indicator 1 between different groups takes XS - except
#: imaging guidance, which belongs to the injection it guides and is never separated with XS.
SITE_GROUPS = {
    "esi_interlaminar": "epidural",
    "esi_transforaminal": "epidural",
    "esi_transforaminal_ultrasound": "epidural",
    "neurolytic": "epidural",
    "chemotherapy": "epidural",
    "spinal_puncture": "epidural",
    "epidurography": "epidural",
    "imaging_guidance": "guidance",
    "facet": "facet",
    "facet_ultrasound": "facet",
    "si_joint": "si_joint",
}


@dataclass(frozen=True)
class NotBillable:
    """A service that was done (or might be thought billable) but must not be reported, and why."""

    code: str
    reason: str
    rule_id: str
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "reason": self.reason, "rule_id": self.rule_id, "sources": list(self.sources)}


@dataclass(frozen=True)
class Derivation:
    """Claim lines derived from the facts (before coverage modifiers), with what must not be billed."""

    lines: tuple[ClaimLine, ...]
    not_billable: tuple[NotBillable, ...] = ()
    notes: tuple[str, ...] = ()
    #: index of the procedure each line comes from (None for drugs and other services)
    origins: tuple[int | None, ...] = field(default=())


class _Builder:
    def __init__(self, encounter: Encounter) -> None:
        self.enc = encounter
        self.day = encounter.date_of_service
        self.lines: list[ClaimLine] = []
        self.origins: list[int | None] = []
        self.not_billable: list[NotBillable] = []
        self.notes: list[str] = []
        self.dx = encounter.diagnoses[:4]

    def add(self, code: str, reason: str, origin: int | None, modifiers: tuple[str, ...] = (), units: int = 1) -> None:
        self.lines.append(ClaimLine(code, modifiers, units, self.dx, reason))
        self.origins.append(origin)

    def add_sided(
        self,
        code: str,
        reason: str,
        origin: int | None,
        both_sides: bool,
        modifiers: tuple[str, ...] = (),
        units: int = 1,
    ) -> None:
        """A line for a bilateral-indicator-1 code; both sides in the payer's format (payers module)."""
        if not both_sides:
            self.add(code, reason, origin, modifiers, units)
            return
        fmt = self.enc.bilateral_format
        if fmt == "rt_lt":
            for side in ("RT", "LT"):
                self.add(code, reason + f"; both sides: {side} line (payer format)", origin, (side, *modifiers), units)
        else:
            self.add(
                code,
                reason + ", both sides: modifier 50",
                origin,
                ("50", *modifiers),
                units * (2 if fmt == "units_2" else 1),
            )

    def add_imaging(self, code: str, reason: str, origin: int | None) -> None:
        """An imaging code: the professional component (26) on a physician claim in a facility setting."""
        professional_in_facility = (
            self.enc.claim_type == "professional" and self.enc.place_of_service in FACILITY_PLACES_OF_SERVICE
        )
        if professional_in_facility:
            self.add(code, reason + "; facility setting: professional component (26)", origin, ("26",))
        elif self.enc.claim_type == "facility":
            self.add(code, reason + "; facility claim: packaged (no separate payment) but reported", origin)
        else:
            self.add(code, reason, origin)

    def drop(self, code: str, reason: str, rule_id: str, sources: tuple[str, ...]) -> None:
        if not any(n.code == code and n.rule_id == rule_id for n in self.not_billable):
            self.not_billable.append(NotBillable(code, reason, rule_id, sources))


def interlaminar_code(region_family: str, image_guided: bool, indwelling: bool, day: dt.date) -> str:
    """The interlaminar/caudal code for these facts on this date of service."""
    if day < CPT_2017:
        return INTERLAMINAR_CODES_BEFORE_2017[(region_family, indwelling)]
    return INTERLAMINAR_CODES[(region_family, image_guided, indwelling)]


def _interlaminar(b: _Builder, index: int, proc: Procedure, seen: set[str]) -> None:
    region = proc.region_families[0]
    indwelling = proc.catheter == "indwelling"
    code = interlaminar_code(region, proc.image_guided, indwelling, b.day)
    if code in seen:
        return
    seen.add(code)
    catheter = {
        "none": "single injection",
        "same_day": "catheter removed the same day = single injection",
        "indwelling": "indwelling catheter",
    }[proc.catheter]
    guidance = "image guided (included)" if proc.image_guided else f"guidance: {proc.guidance} (not an imaging code)"
    b.add(
        code, f"{proc.approach}, {catalogue.REGION_LABELS[region]}, {guidance}, {catheter}; one unit per session", index
    )
    if b.day < CPT_2017 and proc.guidance in ("fluoroscopy", "ct"):
        b.add_imaging(
            GUIDANCE_CODES[proc.guidance], "before 2017 the epidural codes did not include imaging guidance", index
        )
    if proc.purpose == "cisternography":
        b.add_imaging("78630", "cisternography: the nuclear-medicine imaging of the tracer injected", index)


def _transforaminal(b: _Builder, procs: list[tuple[int, Procedure]]) -> None:
    by_region: dict[tuple[str, bool], dict[str, set[str]]] = {}
    origin: dict[tuple[str, bool], int] = {}
    diagnostic: dict[tuple[str, bool], bool] = {}
    for index, proc in procs:
        ultrasound = proc.guidance == "ultrasound"
        for level in proc.levels:
            key = (proc.region_family_of(level), ultrasound)
            sides = by_region.setdefault(key, {}).setdefault(level, set())
            sides.update(("left", "right") if proc.side == "bilateral" else (proc.side,))
            origin.setdefault(key, index)
            diagnostic[key] = diagnostic.get(key, False) or proc.purpose == "diagnostic_snrb"
    for key, levels in by_region.items():
        region, ultrasound = key
        if ultrasound and b.day > ULTRASOUND_TF_LAST_DAY:
            b.drop(
                TRANSFORAMINAL_CODES[key][0],
                "0228T-0231T were deleted on 2021-01-01 and no replacement code is verified here; the Medicare ESI "
                "LCDs require fluoroscopy or CT, so an ultrasound-guided transforaminal injection cannot be coded "
                "with 64479-64484",
                "CPT-ULTRASOUND",
                ("CMS-RVU-2020-2022", "SUM-L33906"),
            )
            b.drop(
                "76942",
                "ultrasound guidance is not reported with an epidural injection code",
                "CPT-IMAGING-INCLUDED",
                ("CMS-PTP-PRAC-2024Q3",),
            )
            continue
        primary, addon = TRANSFORAMINAL_CODES[key]
        ordered = sorted(levels, key=lambda lv: (len(levels[lv]) < 2, list(levels).index(lv)))
        kx = ("KX",) if diagnostic[key] and b.enc.payer_profile.kx_diagnostic_block else ()
        first = ordered[0]
        label = catalogue.REGION_LABELS[region]
        b.add_sided(primary, f"transforaminal, first {label} level ({first})", origin[key], len(levels[first]) == 2, kx)
        rest = ordered[1:]
        for bilateral in (True, False):
            group = [lv for lv in rest if (len(levels[lv]) == 2) == bilateral]
            if group:
                b.add_sided(
                    addon,
                    f"each additional {label} level ({', '.join(group)})",
                    origin[key],
                    bilateral,
                    kx,
                    len(group),
                )
        if ultrasound:
            b.drop(
                "76942",
                "ultrasound guidance is included in 0228T-0231T",
                "CPT-IMAGING-INCLUDED",
                ("CMS-PTP-PRAC-2024Q3",),
            )


def _facet(b: _Builder, procs: list[tuple[int, Procedure]]) -> None:
    by_region: dict[str, dict[str, set[str]]] = {}
    origin: dict[str, int] = {}
    for index, proc in procs:
        for level in proc.levels:
            region = proc.region_family_of(level)
            by_region.setdefault(region, {}).setdefault(level, set()).update(
                ("left", "right") if proc.side == "bilateral" else (proc.side,)
            )
            origin.setdefault(region, index)
    for region, levels in by_region.items():
        first, second, more = FACET_CODES[region]
        # Bilateral joint levels first (like the transforaminal primary), then one-sided ones.
        ordered = sorted(levels, key=lambda lv: (len(levels[lv]) < 2, list(levels).index(lv)))

        def both_sides(group: list[str], levels: dict[str, set[str]] = levels) -> bool:
            return any(len(levels[lv]) == 2 for lv in group)

        label = catalogue.REGION_LABELS[region]
        b.add_sided(
            first,
            f"facet joint (not an ESI), first {label} joint level ({ordered[0]})",
            origin[region],
            both_sides(ordered[:1]),
        )
        if len(ordered) >= 2:
            b.add_sided(second, f"second facet joint level ({ordered[1]})", origin[region], both_sides(ordered[1:2]))
        if len(ordered) >= 3:
            b.add_sided(
                more,
                f"third and further facet joint levels ({', '.join(ordered[2:])}), one unit",
                origin[region],
                both_sides(ordered[2:]),
            )


# ---------------------------------------------------------------------------------------------------------
# Drugs: who bills them, units, and the JW line / JZ modifier for single-dose containers (rules/drugs.py).

#: JW required (uniform Medicare policy) for discarded amounts from single-dose containers (CMS-JWJZ-FAQ).
JW_REQUIRED_FROM = dt.date(2017, 1, 1)
#: JZ available (optional) from 2023-01-01 and required from 2023-07-01 when nothing was discarded (CMS-CR13056).
JZ_AVAILABLE_FROM = dt.date(2023, 1, 1)
JZ_REQUIRED_FROM = dt.date(2023, 7, 1)
#: From this date claims missing a required JW/JZ may be returned as unprocessable (CMS-JWJZ-FAQ, MAC notices).
JWJZ_CLAIMS_RETURNED_FROM = dt.date(2023, 10, 1)


@dataclass(frozen=True)
class DrugPlan:
    """How one drug given is billed on the physician's claim: the administered lines, the JW line, JZ."""

    drug: str
    dose: float
    supplier: str
    single_dose: bool | None
    discarded: float | None
    documented_discard: bool
    billed_here: bool
    #: (code, units) of the administered amount
    administered: tuple[tuple[str, int], ...]
    #: (code, units) of the discarded amount on its own JW line, when a whole billing unit was discarded
    jw: tuple[str, int] | None
    jz: bool
    medicare: bool
    #: labeled amount of the containers opened, when every entry records it
    labeled: float | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in (catalogue.lookup(x) for x in DRUGS[self.drug]["codes"].split()))


def discarded_units(drug: str, dose: float, discarded: float, day: dt.date) -> tuple[str, int] | None:
    """(code, units) for the JW line: the whole billing units of the container not already billed.

    The administered amount is rounded up to whole billing units (:func:`drug_units`); the JW line takes
    what is left of the labeled amount (administered + discarded) beyond the billed amount, rounded down,
    so the claim never bills more than the container held. With several unit sizes (methylprednisolone
    before 2024-04-01) the JW line uses the smallest size on the administered lines.

    >>> discarded_units("dexamethasone_sodium_phosphate", 6, 4, dt.date(2025, 1, 2))
    ('J1100', 4)
    >>> discarded_units("triamcinolone_acetonide", 25, 15, dt.date(2025, 1, 2))   # 3 units given, 1 discarded
    ('J3301', 1)
    >>> discarded_units("triamcinolone_acetonide", 35, 5, dt.date(2025, 1, 2)) is None   # 4 units cover it
    True
    >>> discarded_units("methylprednisolone_acetate", 40, 40, dt.date(2023, 9, 12))
    ('J1030', 1)
    """
    administered = [(catalogue.lookup(code), units) for code, units in drug_units(drug, dose, day)]
    if not administered:
        return None
    billed = sum(float(code.unit_amount) * units for code, units in administered)
    smallest = min((code for code, _ in administered), key=lambda c: float(c.unit_amount))
    units = math.floor(round((dose + discarded - billed) / float(smallest.unit_amount), 6))
    return (smallest.code, units) if units > 0 else None


def drug_plans(encounter: Encounter) -> tuple[DrugPlan, ...]:
    """One plan per (drug, buyer, container kind) given, in the order given (memoised on the encounter)."""
    return memo(encounter, "drug_plans", lambda: tuple(_plans(encounter)))


def _plans(enc: Encounter) -> list[DrugPlan]:
    groups: dict[tuple[str, str, bool | None], list[DrugGiven]] = {}
    for given in enc.drugs:
        groups.setdefault((given.drug, drug_supplier(enc, given), given.single_dose), []).append(given)
    day = enc.date_of_service
    medicare = enc.payer == "medicare"
    plans = []
    for (drug, supplier, single), items in groups.items():
        dose = sum(g.dose for g in items)
        known = [g.known_discarded for g in items]
        discarded = None if any(k is None for k in known) else sum(k for k in known if k is not None)
        billed_here = DRUGS[drug]["billing"] == "billable" and (
            supplier == "facility"  # the facility's own claim reports what it bought
            if enc.claim_type == "facility"
            else supplier == "practice" and enc.place_of_service not in FACILITY_PLACES_OF_SERVICE
        )
        administered = tuple(drug_units(drug, dose, day)) if billed_here else ()
        waste_rules = billed_here and medicare and single is True and administered and discarded is not None
        jw = discarded_units(drug, dose, discarded, day) if waste_rules and day >= JW_REQUIRED_FROM else None
        jz = bool(waste_rules and jw is None and day >= JZ_REQUIRED_FROM)
        documented = all(g.discarded is not None for g in items)
        amounts = [g.container_amount for g in items]
        labeled = None if any(a is None for a in amounts) else sum(a for a in amounts if a is not None)
        plans.append(
            DrugPlan(
                drug,
                dose,
                supplier,
                single,
                discarded,
                documented,
                billed_here,
                administered,
                jw,
                jz,
                medicare,
                labeled,
            )
        )
    return plans


def _drugs(b: _Builder) -> None:
    for plan in drug_plans(b.enc):
        row = DRUGS[plan.drug]
        codes = [catalogue.lookup(c) for c in row["codes"].split()]
        if row["billing"] == "bundled":
            b.drop(
                codes[0].code if codes else plan.drug,
                f"{row['label']}: {row['notes']}",
                "NCCI-LOCAL-ANESTHETIC",
                ("NCCI-LIDOCAINE",),
            )
            continue
        if row["billing"] == "contrast":
            b.notes.append(f"{row['label']} ({codes[0].code}, per mL): {row['notes']}.")
            continue
        if not plan.billed_here:
            who = (
                "the facility bought the drug, so only the facility's claim reports it"
                if plan.supplier == "facility"
                else f"in a facility setting (POS {b.enc.place_of_service}) the facility reports the drug"
            )
            b.drop(
                codes[0].code,
                f"{row['label']}: {who}; the physician claim does not",
                "DRUG-FACILITY",
                ("POS-FACILITY-BILLING", "OPPS-PACKAGED-DRUGS", "CMS-JWJZ-FAQ"),
            )
            continue
        ndc = next((str(g.ndc) for g in b.enc.drugs if g.drug == plan.drug and g.ndc), "")
        ndc_text = f"; NDC {ndc}" if ndc else ""
        for code, units in plan.administered:
            amount = catalogue.lookup(code)
            jz = "; nothing discarded from a single-dose container: JZ" if plan.jz else ""
            b.add(
                code,
                f"{row['label']} {plan.dose:g} {amount.unit_measure} administered: 1 unit = {amount.unit_amount} "
                f"{amount.unit_measure}{jz}{ndc_text}",
                None,
                ("JZ",) if plan.jz else (),
                units,
            )
        if plan.jw:
            code, units = plan.jw
            amount = catalogue.lookup(code)
            b.add(
                code,
                f"{row['label']}: {plan.discarded:g} {amount.unit_measure} discarded from a single-dose container, "
                f"billed on its own line with JW ({units} unit(s) of {amount.unit_amount} {amount.unit_measure})"
                f"{ndc_text}",
                None,
                ("JW",),
                units,
            )


def drug_units(drug: str, dose: float, day: dt.date) -> list[tuple[str, int]]:
    """(code, units) lines for ``dose`` of ``drug`` on ``day``: units = dose / unit size, rounded up.

    With several valid unit sizes (methylprednisolone before 2024-04-01: 20/40/80 mg) the largest sizes
    that fit are used first, and the rest is rounded up to the smallest size.

    >>> drug_units("methylprednisolone_acetate", 80, dt.date(2024, 4, 1))
    [('J1010', 80)]
    >>> drug_units("methylprednisolone_acetate", 120, dt.date(2024, 3, 31))
    [('J1040', 1), ('J1030', 1)]
    >>> drug_units("triamcinolone_acetonide", 40, dt.date(2025, 1, 2))
    [('J3301', 4)]
    """
    valid = [c for c in (catalogue.lookup(x) for x in DRUGS[drug]["codes"].split()) if c.valid_on(day)]
    if not valid:
        return []
    sizes = sorted(valid, key=lambda c: float(c.unit_amount), reverse=True)
    if len(sizes) == 1:
        return [(sizes[0].code, max(1, math.ceil(round(dose / float(sizes[0].unit_amount), 6))))]
    counts: Counter[str] = Counter()
    remaining = dose
    for c in sizes:
        size = float(c.unit_amount)
        while remaining >= size - 1e-9:
            counts[c.code] += 1
            remaining -= size
    if remaining > 1e-9:
        counts[sizes[-1].code] += math.ceil(round(remaining / float(sizes[-1].unit_amount), 6))
    return [(c.code, counts[c.code]) for c in sizes if counts[c.code]]


def _other_services(b: _Builder, guided_epidural: bool) -> None:
    for service in b.enc.other_services:
        code = catalogue.lookup(service.code)
        if any(line.code == service.code for line in b.lines):
            continue
        if not code.valid_on(b.day):
            b.drop(
                service.code,
                f"not valid for a date of service on {b.day.isoformat()} ({code.validity})",
                "CPT-CODE-VALID",
                code.sources,
            )
            continue
        if code.family == "em":
            if service.separately_identifiable:
                mods = tuple(dict.fromkeys((*service.modifiers, "25")))
                b.add(
                    service.code, "significant, separately identifiable visit: modifier 25", None, mods, service.units
                )
            else:
                b.drop(
                    service.code,
                    "the decision to perform the injection is part of the procedure; bill a visit only "
                    "when a significant, separately identifiable service is documented (modifier 25)",
                    "NCCI-EM-SAME-DAY",
                    ("NCCI-EM-MINOR",),
                )
        elif code.family in ("imaging_guidance", "epidurography"):
            if guided_epidural or code.family == "epidurography":
                b.drop(
                    service.code,
                    "imaging guidance and contrast are included in the injection code",
                    "CPT-IMAGING-INCLUDED",
                    ("CMS-PTP-PRAC-2024Q3", "CPT-GUIDE-62323-CATHETER"),
                )
            else:
                b.add(
                    service.code,
                    "imaging reported with a code that does not include it",
                    None,
                    service.modifiers,
                    service.units,
                )
        elif service.code == "J2001":
            b.drop(
                "J2001",
                "local anesthetic for the injection is part of the procedure",
                "NCCI-LOCAL-ANESTHETIC",
                ("NCCI-LIDOCAINE",),
            )
        else:
            b.add(
                service.code,
                f"other service the same day: {catalogue.FAMILY_LABELS.get(code.family, code.family)}",
                None,
                service.modifiers,
                service.units,
            )


def site_group(code: str) -> str:
    """Anatomic site group of a code, used to decide whether XS can separate an NCCI pair."""
    family = catalogue.lookup(code).family
    return SITE_GROUPS.get(family, family)


def resolve_ptp(b: _Builder) -> None:
    """Drop or separate NCCI pairs among the derived lines (see module docstring)."""
    tables = ncci.tables_for(b.day)
    changed = True
    while changed:
        changed = False
        for i, line_a in enumerate(b.lines):
            for j, line_b in enumerate(b.lines):
                if i == j:
                    continue
                edits = tables.edits_from(line_a.code, line_b.code, b.day)
                if not edits:
                    continue
                edit = edits[0]
                separate_site = site_group(line_a.code) != site_group(line_b.code) != "guidance"
                if edit.bypassable and separate_site:
                    if line_b.has(*DISTINCT_SERVICE_MODIFIERS):
                        continue
                    b.lines[j] = replace(
                        line_b,
                        modifiers=(*line_b.modifiers, "XS"),
                        reason=line_b.reason + f"; separate anatomic site: XS for the NCCI pair with {line_a.code}",
                    )
                else:
                    how = (
                        "never billed together (modifier indicator 0)"
                        if edit.modifier_indicator == "0"
                        else "same anatomic site and session, so no distinct-service modifier applies"
                    )
                    b.drop(
                        line_b.code, f"NCCI edit with {line_a.code} ({edit.rationale}): {how}", "NCCI-PTP", edit.sources
                    )
                    del b.lines[j]
                    del b.origins[j]
                changed = True
                break
            if changed:
                break
    _drop_orphan_addons(b)


def _drop_orphan_addons(b: _Builder) -> None:
    """An add-on whose primary code was dropped cannot stand alone."""
    present = {line.code for line in b.lines}
    for j in reversed(range(len(b.lines))):
        code = catalogue.lookup(b.lines[j].code)
        if (
            code.is_addon
            and code.primary_codes
            and "primary_codes" not in code.unverified
            and not present & set(code.primary_codes)
        ):
            b.drop(
                code.code,
                f"its primary code {' or '.join(code.primary_codes)} is not billable here",
                "CPT-ADDON-PRIMARY",
                code.sources,
            )
            del b.lines[j]
            del b.origins[j]


def derive_lines(encounter: Encounter) -> Derivation:
    """The claim lines for the encounter's facts, what must not be billed, and notes."""
    b = _Builder(encounter)
    seen: set[str] = set()
    transforaminal: list[tuple[int, Procedure]] = []
    facets: list[tuple[int, Procedure]] = []
    for index, proc in enumerate(encounter.procedures):
        if proc.substance == "chemotherapy":
            b.add("96450", "chemotherapy into the spinal canal is chemotherapy administration, not an ESI", index)
            continue
        if proc.substance == "neurolytic" and proc.is_epidural:
            code = "62280" if proc.space == "subarachnoid" else NEUROLYTIC_CODES[proc.region_families[0]]
            if code not in seen:
                seen.add(code)
                where = "subarachnoid" if proc.space == "subarachnoid" else "epidural"
                b.add(code, f"neurolytic agent: the neurolytic {where} code, not an ESI code", index)
            continue
        if proc.purpose == "blood_patch":
            _blood_patch(b, index, proc, seen)
            continue
        if proc.approach in ("interlaminar", "caudal"):
            _interlaminar(b, index, proc, seen)
        elif proc.approach == "transforaminal":
            transforaminal.append((index, proc))
        elif proc.approach == "facet":
            facets.append((index, proc))
        elif proc.approach == "si_joint":
            _si_joint(b, index, proc, seen)
    _transforaminal(b, transforaminal)
    _facet(b, facets)
    guided = (
        any(p.image_guided and p.purpose != "blood_patch" for p in encounter.procedures)
        and encounter.date_of_service >= CPT_2017
    )
    _other_services(b, guided)
    _drugs(b)
    resolve_ptp(b)
    _claim_type_notes(b)
    return Derivation(tuple(b.lines), tuple(b.not_billable), tuple(b.notes), tuple(b.origins))


# ---------------------------------------------------------------------------------------------------------
# Claim type and neuraxial uses (issue 12). A facility claim (HOPD, ASC) reports the same session from the
# facility's side: SI joint G0260 instead of 27096 (27096 is not recognised under OPPS/ASC; G0260 is not
# payable under the physician fee schedule), imaging without 26 (packaged, reported), drugs on the facility
# claim; daily catheter management (01996) is a physician service. A physician claim in a facility place
# of service reports imaging with 26 (the professional component) and no drug.

#: Codes that only a physician (professional) claim carries.
PROFESSIONAL_ONLY_CODES = frozenset({"01996"})
#: Facility claim: physician code -> the facility code that replaces it, and back.
FACILITY_CODES = {"27096": "G0260"}
PROFESSIONAL_CODES = {v: k for k, v in FACILITY_CODES.items()}
CLAIM_TYPE_SOURCES = ("MLN-G0260-ASC", "SUM-A59244", "AAPC-SI-ARTHRO")
INDWELLING_CODES = frozenset({"62324", "62325", "62326", "62327", "62318", "62319"})


def claim_type_code(code: str, claim_type: str) -> str:
    """The code a claim of ``claim_type`` uses for ``code`` (G0260 <-> 27096).

    >>> claim_type_code("27096", "facility"), claim_type_code("G0260", "professional")
    ('G0260', '27096')
    """
    table = FACILITY_CODES if claim_type == "facility" else PROFESSIONAL_CODES
    return table.get(code, code)


def _si_joint(b: _Builder, index: int, proc: Procedure, seen: set[str]) -> None:
    """SI joint: 27096 with fluoroscopy or CT (physician), 20552 without imaging (CPT's instruction for an
    unguided injection), G0260 on the facility claim (with or without imaging)."""
    if b.enc.claim_type == "facility":
        code, reason = "G0260", "sacroiliac joint injection on the facility (OPPS/ASC) claim: G0260, not 27096"
    elif proc.image_guided:
        code, reason = "27096", "sacroiliac joint injection (not an ESI), imaging guidance included"
    else:
        code, reason = "20552", "sacroiliac joint injection without imaging guidance: CPT directs 20552, not 27096"
    if code in seen:
        return
    seen.add(code)
    both = proc.side == "bilateral" and code != "20552"  # 20552 counts muscles, not sides
    b.add_sided(code, reason, index, both)


def _blood_patch(b: _Builder, index: int, proc: Procedure, seen: set[str]) -> None:
    """Epidural blood patch: 62273 once; fluoroscopy or CT guidance is reported on its own (62273 does not
    include imaging)."""
    if "62273" in seen:
        return
    seen.add("62273")
    b.add("62273", "epidural blood patch: its own code, not an ESI code", index)
    if proc.image_guided:
        b.add_imaging(
            GUIDANCE_CODES[proc.guidance], "imaging guidance for the blood patch (not included in 62273)", index
        )


def _claim_type_notes(b: _Builder) -> None:
    """Lines that belong to the other claim, and the same-day rule for daily catheter management."""
    placed = any(line.code in INDWELLING_CODES for line in b.lines)
    for j in reversed(range(len(b.lines))):
        line = b.lines[j]
        if line.code == "01996" and placed:
            b.drop(
                "01996",
                "daily catheter management is not reported on the day the catheter is placed (from the next day)",
                "CPT-CATHETER-MANAGEMENT",
                ("NCCI-POLICY-CH2-01996", "NGS-01996"),
            )
        elif line.code in PROFESSIONAL_ONLY_CODES and b.enc.claim_type == "facility":
            b.drop(
                line.code,
                "a physician service: it goes on the professional claim",
                "CPT-CLAIM-TYPE",
                CLAIM_TYPE_SOURCES,
            )
        else:
            continue
        del b.lines[j]
        del b.origins[j]
    if b.enc.claim_type == "facility":
        b.notes.append(
            "Facility claim: drugs, contrast and imaging integral to the procedure are packaged in ASCs (42 CFR "
            "416.164, payment indicator N1) and mostly under OPPS (status N; per-code status not verified here) - "
            "reported on the facility claim, paid within the procedure."
        )
