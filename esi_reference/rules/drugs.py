"""Drug rules: the right HCPCS code for the date of service and units = dose / unit size.

Methylprednisolone acetate moved from J1020/J1030/J1040 (20/40/80 mg) to J1010 (1 mg) for dates of service
from 2024-04-01. Units are the dose given divided by the code's unit size, rounded up (J3301 = 10 mg,
J1100 = 1 mg). In facility settings (hospital outpatient, ASC) the facility reports drugs; the physician
claim does not.
"""

from __future__ import annotations

from collections import defaultdict

from .. import catalogue
from ..coding import drug_units
from ..encounter import DRUGS
from ..policy import FACILITY_PLACES_OF_SERVICE
from .base import Context, Hit, rule

DRUG_FAMILIES = frozenset({"drug", "contrast"})
DRUG_SOURCES = ("CMS-RVU-2024-07", "DRUG-J1010", "DRUG-J3301", "DRUG-J1100")


@rule(
    "DRUG-CODE-DATE",
    "Drug code valid on the date of service",
    "drug",
    "error",
    ("CMS-RVU-2024-07", "DRUG-J1010"),
    codes=("J1010", "J1020", "J1030", "J1040"),
    note="J1020/J1030/J1040 until 2024-03-31; J1010 from 2024-04-01",
    claims="Nothing: the code and the date of service are on the claim line.",
)
def drug_code_date(ctx: Context):
    """J1020, J1030 and J1040 are not valid from 2024-04-01 (status I in the July 2024 fee file); J1010
    (1 mg) starts on 2024-04-01."""
    if not ctx.families & DRUG_FAMILIES:
        return
    for i, _line, code in ctx.indexed(lambda c: c.kind == "drug"):
        if not code.valid_on(ctx.day):
            instead = f"; use {' or '.join(code.replaced_by)}" if code.replaced_by else ""
            yield Hit(
                f"Line {i + 1}: {code.code} is not valid on {ctx.day.isoformat()} ({code.validity}){instead}.", (i,)
            )


@rule(
    "DRUG-UNITS",
    "Drug units = dose given / unit size",
    "drug",
    "error",
    DRUG_SOURCES,
    claims="""The drugs given: a claims file states a dose only in its optional drug_dose column, so only drug
    lines with a dose are checked, and a drug given but not billed cannot be seen.""",
)
def units(ctx: Context):
    """Each drug line must match a drug in the record, with units equal to the dose divided by the code's
    unit size (rounded up): 80 mg methylprednisolone = J1010 x 80; 40 mg triamcinolone = J3301 x 4;
    10 mg dexamethasone = J1100 x 10. A billable drug given in the office but not billed is a warning."""
    if not ctx.encounter.drugs and "drug" not in ctx.families:
        return
    expected: dict[str, int] = defaultdict(int)
    totals: dict[str, float] = defaultdict(float)
    for given in ctx.encounter.drugs:
        totals[given.drug] += given.dose
    for drug, dose in totals.items():
        if DRUGS[drug]["billing"] == "billable":
            for code, n in drug_units(drug, dose, ctx.encounter.date_of_service):
                expected[code] += n
    billed: dict[str, list[int]] = defaultdict(list)
    for i, _line, code in ctx.indexed(lambda c: c.family == "drug" and c.code != "J2001"):
        billed[code.code].append(i)
    for code, indices in billed.items():
        units_billed = sum(ctx.lines[i].units for i in indices)
        row = catalogue.lookup(code)
        if code not in expected:
            given = [d for d in DRUGS.values() if code in d["codes"].split()]
            same_drug = [c for c, _ in expected.items() if given and c in given[0]["codes"].split()]
            if same_drug or ctx.claim_only:
                continue  # the wrong code for the date (DRUG-CODE-DATE), or a claim line without its dose
            yield Hit(
                f"{code} ({row.summary.split(',')[0]}) is billed but the record lists no such drug given.",
                tuple(indices),
            )
        elif units_billed != expected[code]:
            yield Hit(
                f"{code}: {units_billed} unit(s) billed, but the dose given is {expected[code]} unit(s) at "
                f"{row.unit_amount} {row.unit_measure} per unit.",
                tuple(indices),
            )
    if ctx.billed and ctx.encounter.place_of_service not in FACILITY_PLACES_OF_SERVICE:
        billed_drugs = {d for d, row in DRUGS.items() if set(row["codes"].split()) & set(billed)}
        for code, n in expected.items():
            drug = next(d for d, row in DRUGS.items() if code in row["codes"].split())
            if code not in billed and drug not in billed_drugs:
                yield Hit(f"{code} x{n} was given in the office but is not billed.", (), "warning")


@rule(
    "DRUG-FACILITY",
    "Drugs in a facility setting are billed by the facility",
    "drug",
    "warning",
    ("POS-FACILITY-BILLING", "OPPS-PACKAGED-DRUGS"),
    claims="Nothing: the place of service and the code are on the claim line.",
)
def facility(ctx: Context):
    """In a hospital outpatient department (POS 19/22) or ASC (POS 24) the facility reports the drugs and
    supplies, which are mostly packaged; the physician's claim carries only the professional service."""
    on_physician_claim = ctx.encounter.claim_type == "professional"  # a facility claim reports its drugs
    if (
        on_physician_claim
        and ctx.encounter.place_of_service in FACILITY_PLACES_OF_SERVICE
        and ctx.families & DRUG_FAMILIES
    ):
        for i, _line, code in ctx.indexed(lambda c: c.kind == "drug"):
            yield Hit(
                f"Line {i + 1}: {code.code} on a professional claim in POS {ctx.encounter.place_of_service}: the "
                "facility reports drugs.",
                (i,),
            )


@rule(
    "DRUG-CONTRAST",
    "Contrast billed separately (payment unverified)",
    "drug",
    "info",
    ("DRUG-CONTRAST",),
    codes=("Q9965", "Q9966", "Q9967"),
    claims="Nothing: the code is on the claim line.",
)
def contrast(ctx: Context):
    """Low-osmolar contrast (Q9965-Q9967, per mL) is packaged in facility settings; whether Medicare pays it
    separately with an ESI in the office is unverified here."""
    if "contrast" not in ctx.families:
        return
    for i, _line, code in ctx.indexed(lambda c: c.family == "contrast"):
        yield Hit(
            f"Line {i + 1}: {code.code} - separate payment for contrast with an ESI is unverified; check the "
            "contractor.",
            (i,),
        )
