"""Drug lines: units of the administered amount, and for Medicare the JW line (discarded amount) or the JZ
modifier (nothing discarded) for a drug from a single-dose container; drugs only on the buyer's claim.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from esi_reference._memo import memo
from esi_reference.coding.builder import Builder
from esi_reference.model.encounter import DrugGiven, Encounter, drug_supplier
from esi_reference.reference import catalogue
from esi_reference.reference.drugs import DRUGS
from esi_reference.reference.policy import FACILITY_PLACES_OF_SERVICE

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
    return memo(encounter, "drug_plans", _plans)


def _plans(enc: Encounter) -> tuple[DrugPlan, ...]:
    groups: dict[tuple[str, str, bool | None], list[DrugGiven]] = {}
    for given in enc.drugs:
        groups.setdefault((given.drug, drug_supplier(enc, given), given.single_dose), []).append(given)
    day = enc.date_of_service
    medicare = enc.payer == "medicare"
    plans: list[DrugPlan] = []
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
    return tuple(plans)


def add_drugs(b: Builder) -> None:
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
    return list(_drug_units(drug, dose, day))


@lru_cache(maxsize=4096)
def _drug_units(drug: str, dose: float, day: dt.date) -> tuple[tuple[str, int], ...]:
    """:func:`drug_units`, memoised (a pure function of its arguments; the claims audit asks it per session)."""
    valid = [c for c in (catalogue.lookup(x) for x in DRUGS[drug]["codes"].split()) if c.valid_on(day)]
    if not valid:
        return ()
    sizes = sorted(valid, key=lambda c: float(c.unit_amount), reverse=True)
    if len(sizes) == 1:
        return ((sizes[0].code, max(1, math.ceil(round(dose / float(sizes[0].unit_amount), 6)))),)
    counts: Counter[str] = Counter()
    remaining = dose
    for c in sizes:
        size = float(c.unit_amount)
        while remaining >= size - 1e-9:
            counts[c.code] += 1
            remaining -= size
    if remaining > 1e-9:
        counts[sizes[-1].code] += math.ceil(round(remaining / float(sizes[-1].unit_amount), 6))
    return tuple((c.code, counts[c.code]) for c in sizes if counts[c.code])


__all__ = [
    "JWJZ_CLAIMS_RETURNED_FROM",
    "JW_REQUIRED_FROM",
    "JZ_AVAILABLE_FROM",
    "JZ_REQUIRED_FROM",
    "DrugPlan",
    "add_drugs",
    "discarded_units",
    "drug_plans",
    "drug_units",
]
