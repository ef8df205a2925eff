"""Drug rules: the right HCPCS code for the date, units = amount / unit size, who bills the drug, and the
JW line / JZ modifier for drugs from single-dose containers.

Codes and units
    Methylprednisolone acetate moved from J1020/J1030/J1040 (20/40/80 mg) to J1010 (1 mg) for dates of
    service from 2024-04-01. Units are the amount administered divided by the code's unit size, rounded up
    (J3301 = 10 mg, J1100 = 1 mg).

Who bills the drug
    Only whoever bought the drug reports it. In a hospital outpatient department (POS 19/22) or an ASC
    (POS 24) the facility buys the drugs; under the hospital outpatient and ASC systems most are packaged
    into the facility's payment, and the physician's claim carries only the professional service. A drug
    the record says the facility supplied is never on the physician's claim, whatever the place of service.

Discarded drug: JW and JZ (Medicare Part B; CMS JW/JZ policy FAQs, Claims Processing Manual ch. 17 §40)
    *Single-dose containers* (single-dose vials, ampules, prefilled syringes, as the FDA labeling describes
    the product) are paid up to the labeled amount: the amount administered and the amount discarded.

    * From **2017-01-01** the discarded amount goes on a second line of the same code with modifier **JW**,
      and the discarded amount is documented in the record. The administered line is rounded up to whole
      billing units; the JW line has the whole units that remain of the container, so administered + JW
      never exceed the labeled amount. When rounding the administered amount up already covers the
      container (70 mg of a 100 mg vial billed per 100 mg), there is no JW line.
    * The **JZ** modifier (nothing discarded) exists from **2023-01-01** (optional), is **required from
      2023-07-01** on every single-dose-container drug line without a JW line (claims without it became
      subject to audit), and from **2023-10-01** claims missing a required JW or JZ may be returned as
      unprocessable.
    * Neither JW nor JZ on drugs from multi-dose vials; never JW and JZ on one line.
    * Neither applies to drugs the physician does not bill (facility-supplied, packaged) or, here, to other
      payers: JW/JZ is Medicare policy, and no other payer's rule is verified in this reference.

NDC
    When the record gives the NDC of the package used, it is validated at the boundary (11 digits, 5-4-2;
    a unit qualifier F2/GR/ME/ML/UN and a quantity), and reported with the drug line as N4 + 11 digits +
    unit + quantity. No payer requirement to send an NDC is encoded: none is verified for Medicare Part B
    claims for these codes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from esi_reference.coding import (
    JW_REQUIRED_FROM,
    JWJZ_CLAIMS_RETURNED_FROM,
    JZ_AVAILABLE_FROM,
    JZ_REQUIRED_FROM,
    DrugPlan,
    drug_plans,
    drug_units,
)
from esi_reference.reference import catalogue
from esi_reference.reference.drugs import DRUGS, DRUGS_OF_CODE
from esi_reference.reference.policy import FACILITY_PLACES_OF_SERVICE
from esi_reference.rules.base import DEFAULT_READS, Context, Hit, rule

DRUG_FAMILIES = frozenset({"drug", "contrast"})
DRUG_SOURCES = ("CMS-RVU-2024-07", "DRUG-J1010", "DRUG-J3301", "DRUG-J1100")
JW_SOURCES = ("CMS-JWJZ-FAQ", "CMS-CR13056", "NORIDIAN-JF-JW", "FCSO-JWJZ")
JZ_SOURCES = ("CMS-JWJZ-FAQ", "CMS-CR13056", "CMS-PFS-2023-FINAL", "NORIDIAN-JF-JWJZ", "FCSO-JWJZ")
ROUNDING_SOURCES = ("NORIDIAN-DME-JZ", "NORIDIAN-JF-JWJZ", "ACR-RHEUM-WASTAGE")
CONTAINER_LABELS = {
    "single_dose_vial": "single-dose vials",
    "multi_dose_vial": "multi-dose vials",
    "ampule": "ampules",
    "prefilled_syringe": "prefilled syringes",
}


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
    "Drug units = amount administered / unit size",
    "drug",
    "error",
    DRUG_SOURCES,
    claims="""The drugs given: a claims file states a dose only in its optional drug_dose column, so only drug
    lines with a dose are checked, and a drug given but not billed cannot be seen.""",
)
def units(ctx: Context):
    """Each drug line must match a drug in the record, with units equal to the amount administered divided
    by the code's unit size (rounded up): 80 mg methylprednisolone = J1010 x 80; 40 mg triamcinolone =
    J3301 x 4; 10 mg dexamethasone = J1100 x 10. A JW line (the discarded amount) is not part of the
    administered units. A billable drug given in the office but not billed is a warning."""
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
    for i, line, code in ctx.indexed(lambda c: c.family == "drug" and c.code != "J2001"):
        if not line.has("JW"):
            billed[code.code].append(i)
    for code, indices in billed.items():
        units_billed = sum(ctx.lines[i].units for i in indices)
        row = catalogue.lookup(code)
        if code not in expected:
            if ctx.claim_only:
                continue  # a claim line without its dose
            given = [d for d in DRUGS.values() if code in d["codes"].split()]
            same_drug = [c for c, _ in expected.items() if given and c in given[0]["codes"].split()]
            if same_drug:
                continue  # the wrong code for the date (DRUG-CODE-DATE)
            yield Hit(
                f"{code} ({row.summary.split(',')[0]}) is billed but the record lists no such drug given.",
                tuple(indices),
            )
        elif units_billed != expected[code]:
            yield Hit(
                f"{code}: {units_billed} unit(s) billed, but the amount administered is {expected[code]} unit(s) "
                f"at {row.unit_amount} {row.unit_measure} per unit.",
                tuple(indices),
            )
    if ctx.billed and ctx.encounter.place_of_service not in FACILITY_PLACES_OF_SERVICE:
        billed_drugs = {d for code in billed for d in DRUGS_OF_CODE.get(code, ())}
        for plan in drug_plans(ctx.encounter):
            for code, n in plan.administered:
                if code not in billed and plan.drug not in billed_drugs:
                    yield Hit(f"{code} x{n} was given in the office but is not billed.", (), "warning")


@rule(
    "DRUG-FACILITY",
    "Drug lines only on the claim of whoever bought the drug",
    "drug",
    "warning",
    ("POS-FACILITY-BILLING", "OPPS-PACKAGED-DRUGS", "CMS-JWJZ-FAQ"),
    claims="Who bought the drug: read from the optional supplied_by column, else the place of service.",
    reads=DEFAULT_READS | {"drug_facts"},
)
def facility(ctx: Context):
    """Only the buyer reports a drug. When the record says the facility supplied it, a drug line on the
    physician's claim is an error (the facility's packaged drug billed a second time). In a hospital
    outpatient department (POS 19/22) or ASC (POS 24) with no supplier recorded, the facility is presumed
    to have bought it and a drug line on the physician's claim is a warning."""
    if not ctx.families & DRUG_FAMILIES or ctx.encounter.claim_type == "facility":
        return  # (a facility claim reports the drugs the facility bought)
    recorded = {g.drug for g in ctx.encounter.drugs if g.supplied_by == "facility"}
    in_facility = ctx.encounter.place_of_service in FACILITY_PLACES_OF_SERVICE
    if not recorded and not in_facility:
        return  # nothing the facility bought, and not in a facility setting
    facility_drugs = {p.drug for p in drug_plans(ctx.encounter) if p.supplier == "facility"} & recorded
    for i, _line, code in ctx.indexed(lambda c: c.kind == "drug"):
        if facility_drugs & DRUGS_OF_CODE.get(code.code, frozenset()):
            yield Hit(
                f"Line {i + 1}: {code.code} - the record says the facility supplied this drug; only the facility's "
                "claim reports it.",
                (i,),
                "error",
            )
        elif in_facility:
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


# ---------------------------------------------------------------------------------------------------------
# JW / JZ: discarded drug from single-dose containers (Medicare Part B).


def _waste_plans(ctx: Context) -> list[DrugPlan]:
    """Drugs the physician bills to Medicare from a recorded container kind."""
    return [p for p in drug_plans(ctx.encounter) if p.billed_here and p.medicare and p.single_dose is not None]


def _lines_of(ctx: Context, plan: DrugPlan, jw: bool) -> list[int]:
    """Claim line indices of the plan's drug: the JW lines (``jw``) or the administered lines."""
    codes = set(plan.codes)
    return [i for i, line, _code in ctx.indexed(lambda c: c.code in codes) if line.has("JW") == jw]


def _drug_line_indices(ctx: Context, plan: DrugPlan) -> list[int]:
    """Claim line indices of any code of the plan's drug."""
    codes = set(plan.codes)
    return [i for i, _line, _code in ctx.indexed(lambda c: c.code in codes)]


def _amount(plan: DrugPlan, amount: float) -> str:
    return f"{amount:g} {DRUGS[plan.drug]['dose_unit']}"


@rule(
    "DRUG-JW-MISSING",
    "Discarded amount from a single-dose container billed on a JW line",
    "drug",
    "error",
    JW_SOURCES + ROUNDING_SOURCES,
    effective_from=JW_REQUIRED_FROM,
    claims=(
        "The container and the amount discarded: read from the optional container, container_amount and "
        "discarded columns of the drug line; without them JW is not judged."
    ),
    reads=DEFAULT_READS | {"drug_facts"},
)
def jw_missing(ctx: Context) -> Iterator[Hit]:
    """When part of a single-dose container is discarded and at least one whole billing unit of the
    container remains after the administered amount is rounded up, the discarded units go on a second line
    of the same code with JW (for example 6 mg given and 4 mg discarded from a 10 mg vial: J1100 x6 and
    J1100-JW x4). Required on Medicare claims from 2017-01-01."""
    if "drug" not in ctx.families:
        return
    for plan in _waste_plans(ctx):
        if plan.jw and not _lines_of(ctx, plan, jw=True):
            code, n = plan.jw
            yield Hit(
                f"{_amount(plan, plan.discarded or 0)} of {DRUGS[plan.drug]['label']} was discarded from a "
                f"single-dose container: report {code}-JW x{n} on its own line.",
                tuple(_lines_of(ctx, plan, jw=False)),
            )


@rule(
    "DRUG-JW-UNITS",
    "JW line units = whole billing units discarded",
    "drug",
    "error",
    JW_SOURCES + ROUNDING_SOURCES,
    effective_from=JW_REQUIRED_FROM,
    claims=("The amount discarded: read from the optional discarded (or container_amount) column of the drug line."),
    reads=DEFAULT_READS | {"drug_facts"},
)
def jw_units(ctx: Context) -> Iterator[Hit]:
    """The JW line reports the discarded amount in the code's billing units: the whole units of the
    container left after the administered amount is rounded up, so that the two lines never bill more than
    the container held (25 mg of triamcinolone given from a 40 mg vial: J3301 x3 and J3301-JW x1)."""
    if "drug" not in ctx.families:
        return
    for plan in _waste_plans(ctx):
        jw_lines = _lines_of(ctx, plan, jw=True)
        if not plan.jw or not jw_lines:
            continue
        code, n = plan.jw
        billed = sum(ctx.lines[i].units for i in jw_lines)
        if billed != n or any(ctx.lines[i].code != code for i in jw_lines):
            yield Hit(
                f"JW line: {billed} unit(s) billed, but the {_amount(plan, plan.discarded or 0)} discarded are "
                f"{code}-JW x{n} (administered units rounded up, the rest of the container rounded down).",
                tuple(jw_lines),
            )


@rule(
    "DRUG-JW-UNEXPECTED",
    "JW only for a discarded amount from a single-dose container",
    "drug",
    "error",
    JW_SOURCES + ROUNDING_SOURCES,
    claims=(
        "The container: read from the optional container column; without it only a JW on a line that is "
        "not a drug or has no administered line is judged."
    ),
    reads=DEFAULT_READS | {"drug_facts"},
)
def jw_unexpected(ctx: Context) -> Iterator[Hit]:
    """JW marks the discarded amount of a single-dose container drug on its own line. It is wrong on a
    line that is not a drug, on a drug with no administered line, on a drug from a multi-dose vial (their
    leftover is never paid as waste), with JZ on the same line, and when no whole billing unit was
    discarded. On claims to other payers and on drugs whose container is not recorded it is not judged."""
    if "JW" not in ctx.modifiers:
        return
    plans = {code: p for p in drug_plans(ctx.encounter) for code in p.codes}
    administered = {line.code for line in ctx.lines if not line.has("JW")}
    for i, line, code in ctx.indexed():
        if not line.has("JW"):
            continue
        plan = plans.get(code.code)
        if code.kind != "drug":
            why = f"{code.code} is not a drug code"
        elif code.code not in administered:
            why = f"no {code.code} line reports the amount administered"
        elif line.has("JZ"):
            why = "JW and JZ contradict each other on one line"
        elif plan is None or not plan.medicare or plan.single_dose is None or not plan.billed_here:
            continue
        elif not plan.single_dose:
            why = "the drug came from a multi-dose vial: its leftover is not billed as waste"
        elif plan.discarded is not None and plan.jw is None:
            why = (
                f"the {_amount(plan, plan.discarded)} discarded are not a whole billing unit beyond the "
                "administered units"
            )
        else:
            continue
        yield Hit(f"Line {i + 1}: {line} - {why}.", (i,))


def _jz_message(ctx: Context, plan: DrugPlan, lines: list[int]) -> str:
    consequence = (
        "claims without it may be returned as unprocessable (from 2023-10-01)"
        if ctx.day >= JWJZ_CLAIMS_RETURNED_FROM
        else "required from 2023-07-01 (claims without it are subject to audit; returned from 2023-10-01)"
    )
    return (
        f"{DRUGS[plan.drug]['label']} from a single-dose container with nothing discarded: append JZ to "
        f"{', '.join(str(ctx.lines[i]) for i in lines)} - {consequence}."
    )


@rule(
    "DRUG-JZ-MISSING",
    "JZ when nothing was discarded from a single-dose container",
    "drug",
    "error",
    JZ_SOURCES,
    effective_from=JZ_REQUIRED_FROM,
    note="JZ optional 2023-01-01 to 2023-06-30; claims without it may be returned from 2023-10-01",
    claims=(
        "The container and the amount discarded: read from the optional container, container_amount and "
        "discarded columns of the drug line; without them JZ is not judged."
    ),
    reads=DEFAULT_READS | {"drug_facts"},
)
def jz_missing(ctx: Context) -> Iterator[Hit]:
    """Every Medicare line of a single-dose container drug with no JW line takes JZ, the attestation that
    nothing was discarded: required from 2023-07-01; from 2023-10-01 claims missing it may be returned as
    unprocessable. Also when rounding up the administered amount covers the whole container."""
    if "drug" not in ctx.families:
        return
    for plan in _waste_plans(ctx):
        if not plan.jz:
            continue
        lines = [i for i in _lines_of(ctx, plan, jw=False) if not ctx.lines[i].has("JZ")]
        if lines and not _lines_of(ctx, plan, jw=True):
            yield Hit(_jz_message(ctx, plan, lines), tuple(lines))


@rule(
    "DRUG-JZ-UNEXPECTED",
    "JZ only when nothing was discarded from a single-dose container",
    "drug",
    "error",
    JZ_SOURCES,
    claims=(
        "The container: read from the optional container column; without it only a JZ on a line that is "
        "not a drug or before 2023 is judged."
    ),
    reads=DEFAULT_READS | {"drug_facts"},
)
def jz_unexpected(ctx: Context) -> Iterator[Hit]:
    """JZ attests that nothing was discarded from a single-dose container. It is wrong before 2023-01-01
    (the modifier did not exist), on a line that is not a drug, on a drug from a multi-dose vial, and on a
    drug whose discarded amount goes on a JW line. On claims to other payers and on drugs whose container is
    not recorded it is not judged."""
    if "JZ" not in ctx.modifiers:
        return
    plans = {code: p for p in drug_plans(ctx.encounter) for code in p.codes}
    for i, line, code in ctx.indexed():
        if not line.has("JZ") or line.has("JW"):
            continue  # JW with JZ: DRUG-JW-UNEXPECTED
        plan = plans.get(code.code)
        if code.kind != "drug":
            why = f"{code.code} is not a drug code"
        elif ctx.day < JZ_AVAILABLE_FROM:
            why = f"JZ is effective from {JZ_AVAILABLE_FROM.isoformat()}"
        elif plan is None or not plan.medicare or plan.single_dose is None or not plan.billed_here:
            continue
        elif not plan.single_dose:
            why = "the drug came from a multi-dose vial: neither JW nor JZ applies"
        elif plan.jw is not None:
            why = f"{_amount(plan, plan.discarded or 0)} were discarded: report them on a {plan.jw[0]}-JW line"
        else:
            continue
        yield Hit(f"Line {i + 1}: {line} - {why}.", (i,))


@rule(
    "DRUG-CONTAINER-RECORDED",
    "Container of a billed drug recorded (JW/JZ depend on it)",
    "drug",
    "warning",
    JZ_SOURCES,
    effective_from=JZ_REQUIRED_FROM,
)
def container_recorded(ctx: Context) -> Iterator[Hit]:
    """From 2023-07-01 every Medicare line of a drug from a single-dose container carries JW (its own line)
    or JZ, and drugs from multi-dose vials carry neither: a drug the practice bills needs its container
    recorded (single-dose vial, multi-dose vial, ampule or prefilled syringe) before the claim can be
    finished."""
    for plan in drug_plans(ctx.encounter):
        if plan.billed_here and plan.medicare and plan.single_dose is None and plan.administered:
            lines = _drug_line_indices(ctx, plan)
            row = DRUGS[plan.drug]
            marketed = (
                f" It is supplied in {' and '.join(CONTAINER_LABELS[c] for c in row['containers'].split())}"
                f" ({row['containers_confidence'] or 'verified'})."
                if row["containers"]
                else ""
            )
            yield Hit(
                f"{row['label']}: the container is not recorded, so JW/JZ cannot be decided (single-dose "
                f"containers take JW or JZ, multi-dose vials neither).{marketed}",
                tuple(lines),
            )


@rule(
    "DRUG-WASTE-DOCUMENTED",
    "Discarded amount of a single-dose container documented",
    "drug",
    "warning",
    JW_SOURCES,
    effective_from=JW_REQUIRED_FROM,
)
def waste_documented(ctx: Context) -> Iterator[Hit]:
    """The record states the amount discarded from a single-dose container (zero included), beside the
    amount administered and the container's labeled amount: it is what a JW line, or JZ, rests on. Where the
    record gives only the labeled amount, the suggestion takes labeled amount minus dose as discarded. A
    record whose dose and discarded amount leave part of the labeled amount unaccounted for is a gap too:
    what remains in a single-dose container is not kept for another patient."""
    for plan in _waste_plans(ctx):
        if not plan.single_dose:
            continue
        accounted = plan.dose + (plan.discarded or 0)
        if plan.documented_discard and plan.labeled is not None and accounted < plan.labeled - 1e-9:
            yield Hit(
                f"{DRUGS[plan.drug]['label']}: {_amount(plan, plan.dose)} given and "
                f"{_amount(plan, plan.discarded or 0)} discarded account for {_amount(plan, accounted)} of the "
                f"{_amount(plan, plan.labeled)} labeled: document what became of the rest of the single-dose "
                "container.",
                tuple(_drug_line_indices(ctx, plan)),
            )
        elif not plan.documented_discard:
            lines = _drug_line_indices(ctx, plan)
            inferred = (
                f" (taken as {_amount(plan, plan.discarded)} from the labeled amount)"
                if plan.discarded is not None
                else ""
            )
            yield Hit(
                f"{DRUGS[plan.drug]['label']}: document the amount discarded from the single-dose container{inferred}.",
                tuple(lines),
            )


@rule(
    "DRUG-NDC-QUANTITY",
    "NDC quantity agrees with the amount administered",
    "drug",
    "warning",
    ("NDC-FORMAT-TX", "NDC-N4-ANTHEM"),
    claims="The NDC: read from the optional ndc, ndc_unit and ndc_quantity columns of the drug line.",
    reads=DEFAULT_READS | {"drug_facts"},
)
def ndc_quantity(ctx: Context) -> Iterator[Hit]:
    """Where the record gives an NDC in the drug's own unit (ME for a drug dosed in mg, ML for one dosed in
    mL), its quantity is the amount administered. Other unit qualifiers (ML for a drug dosed in mg) depend
    on the product's concentration and are not checked."""
    same_unit = {"mg": "ME", "mL": "ML"}
    for given in ctx.encounter.drugs:
        ndc = given.ndc
        if ndc and ndc.unit == same_unit.get(given.unit) and abs(ndc.quantity - given.dose) > 1e-6:
            codes = set(DRUGS[given.drug]["codes"].split())
            yield Hit(
                f"{DRUGS[given.drug]['label']}: NDC {ndc.hyphenated} quantity {ndc.unit}{ndc.quantity:g} differs from "
                f"the {given.dose:g} {given.unit} administered.",
                tuple(i for i, line, _ in ctx.indexed(lambda c, codes=codes: c.code in codes) if not line.has("JW")),
            )
