"""CPT coding-guideline rules: is each billed code the right code, with the right units and modifiers?

The billed claim is compared with the lines that the clinical facts call for (``esi_reference.coding``).
One analysis pass matches every billed procedure line to the expected line it most resembles and names
what differs - approach, region family, imaging, catheter, substance - so each difference is reported
once, by the rule that explains it, with the code that should have been billed.

Sources: the 2017 CPT revision of the epidural codes (summarised in CPT-2017-ESI), billing article A58993
(regions by code set, T12-L1, add-on primaries), the CMS fee-schedule indicators (BILAT SURG, status)
and coding guidance on levels, catheters, neurolytic and chemotherapy codes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from esi_reference._memo import memo
from esi_reference.coding import (
    FACILITY_CODES,
    INDWELLING_CODES,
    PROFESSIONAL_CODES,
    PROFESSIONAL_ONLY_CODES,
    ULTRASOUND_TF_LAST_DAY,
    claim_type_code,
)
from esi_reference.reference import catalogue
from esi_reference.reference.policy import FACILITY_PLACES_OF_SERVICE
from esi_reference.rules.base import Context, Hit, rule

PROCEDURE_FAMILIES = {
    "esi_interlaminar": "interlaminar",
    "esi_transforaminal": "transforaminal",
    "esi_transforaminal_ultrasound": "transforaminal",
    "facet": "facet",
    "si_joint": "si_joint",
    "neurolytic": "neurolytic",
    "chemotherapy": "chemotherapy",
}
GUIDANCE_FAMILIES = ("imaging_guidance", "epidurography")
GUIDANCE_SET = frozenset(GUIDANCE_FAMILIES)
#: The 2017 revision split the interlaminar codes by imaging guidance (and bundled the guidance codes).
IMAGING_SPLIT_FROM = dt.date(2017, 1, 1)


def _attributes(code: catalogue.Code) -> dict[str, str]:
    return {
        "approach": PROCEDURE_FAMILIES.get(code.family, code.family),
        "region": code.region_family,
        "imaging": code.imaging,
        "catheter": code.catheter,
        "addon": str(code.is_addon),
    }


def _imaging(code: catalogue.Code) -> str:
    return catalogue.IMAGING_LABELS[code.imaging].split(" (")[0]


def _is_procedure(code: catalogue.Code) -> bool:
    return code.family in PROCEDURE_FAMILIES


def analyse(ctx: Context) -> dict[str, list[Hit]]:
    """Match billed procedure lines to expected ones; returns hits keyed by rule id (memoised per context)."""
    return memo(ctx, "cpt", _analyse)


def _analyse(ctx: Context) -> dict[str, list[Hit]]:
    hits: dict[str, list[Hit]] = defaultdict(list)
    if ctx.claim_only:
        if ctx.day >= IMAGING_SPLIT_FROM and ctx.families & GUIDANCE_SET:
            for i, _line, code in ctx.indexed(lambda c: c.is_esi and c.imaging == "none"):
                if code.valid_on(ctx.day):  # a deleted code is explained by CPT-CODE-VALID
                    hits["CPT-IMAGING-CODE"].append(
                        Hit(
                            f"Line {i + 1}: {code.code} is the code for an injection without imaging guidance, "
                            "but guidance is billed the same day: report the code that includes fluoroscopy or CT.",
                            (i,),
                        )
                    )
        return hits
    expected = [(line, catalogue.lookup(line.code)) for line in ctx.derivation.lines]
    # a blood patch (62273) is a candidate for a billed ESI code, so the message names it
    expected_proc = [(line, code) for line, code in expected if _is_procedure(code) or code.code in ("62273", "20552")]
    matched_expected: set[str] = set()
    us_tf = [p for p in ctx.encounter.procedures if p.approach == "transforaminal" and p.guidance == "ultrasound"]
    for i, _line, code in ctx.indexed(_is_procedure):
        if code.code in ctx.expected_codes:
            matched_expected.add(code.code)
            continue
        if not code.valid_on(ctx.day):
            matched_expected.update(code.replaced_by)
            continue  # CPT-CODE-VALID explains it
        counterpart = claim_type_code(code.code, ctx.encounter.claim_type)
        if counterpart != code.code and counterpart in ctx.expected_codes:
            matched_expected.add(counterpart)
            continue  # CPT-CLAIM-TYPE explains it
        if code.family == "esi_transforaminal" and code.is_addon and set(code.primary_codes) & ctx.expected_codes:
            continue  # CPT-ADDON-OTHER-SIDE or CPT-LEVEL-UNITS explains it
        if code.family == "esi_transforaminal" and us_tf and ctx.day > ULTRASOUND_TF_LAST_DAY:
            hits["CPT-ULTRASOUND"].append(
                Hit(
                    f"Line {i + 1}: {code.code} describes a fluoroscopy- or CT-guided injection, but this one was "
                    "guided by ultrasound. 0228T-0231T were deleted on 2021-01-01, the LCDs require fluoroscopy "
                    "or CT, and no replacement code is verified here.",
                    (i,),
                )
            )
            continue
        mine = _attributes(code)
        candidates = [(sum(mine[k] != v for k, v in _attributes(c).items()), line_e, c) for line_e, c in expected_proc]
        candidates = [
            t for t in candidates if _attributes(t[2])["addon"] == mine["addon"] and t[2].code not in ctx.billed_codes
        ]
        if not candidates:
            if not any(s.code == code.code for s in ctx.encounter.other_services):
                hits["CPT-NOT-PERFORMED"].append(
                    Hit(f"Line {i + 1}: {code.code} is billed but no procedure in the record supports it.", (i,))
                )
            continue
        _, _, best = min(candidates, key=lambda t: t[0])
        matched_expected.add(best.code)
        theirs = _attributes(best)
        should = f"the facts call for {best.code}"
        if hit := _neuraxial_mismatch(i, code, best):
            hits[hit[0]].append(hit[1])
            continue
        if mine["approach"] != theirs["approach"]:
            rule_id = {"neurolytic": "CPT-NEUROLYTIC", "chemotherapy": "CPT-CHEMOTHERAPY"}.get(
                theirs["approach"], "CPT-APPROACH"
            )
            if rule_id == "CPT-APPROACH" and mine["approach"] in ("neurolytic", "chemotherapy"):
                rule_id = "CPT-NEUROLYTIC" if mine["approach"] == "neurolytic" else "CPT-CHEMOTHERAPY"
            hits[rule_id].append(
                Hit(
                    f"Line {i + 1}: {code.code} is a {catalogue.FAMILY_LABELS[code.family]} code, but the procedure "
                    f"was {catalogue.FAMILY_LABELS[best.family]}: {should}.",
                    (i,),
                )
            )
            continue
        if mine["region"] != theirs["region"]:
            hits["CPT-REGION"].append(
                Hit(
                    f"Line {i + 1}: {code.code} is a {catalogue.REGION_LABELS[code.region_family]} code but the "
                    f"level(s) belong to the {catalogue.REGION_LABELS[best.region_family]} codes ({should}). "
                    "Regions follow the code set: a T12-L1 transforaminal injection is 64479, a T12-L1 facet "
                    "injection 64493.",
                    (i,),
                )
            )
        if mine["imaging"] != theirs["imaging"]:
            rule_id = "CPT-ULTRASOUND" if "ultrasound" in (mine["imaging"], theirs["imaging"]) else "CPT-IMAGING-CODE"
            hits[rule_id].append(
                Hit(
                    f"Line {i + 1}: {code.code} is the code for {_imaging(code)}, but the injection used "
                    f"{_imaging(best)}: {should}.",
                    (i,),
                )
            )
        if mine["catheter"] != theirs["catheter"]:
            hits["CPT-CATHETER"].append(
                Hit(
                    f"Line {i + 1}: {code.code} is for {catalogue.CATHETER_LABELS[code.catheter]}, but the record "
                    f"describes {catalogue.CATHETER_LABELS[best.catheter]}: {should}.",
                    (i,),
                )
            )
    if ctx.billed:
        billed = ctx.billed_codes
        for _j, line in enumerate(ctx.derivation.lines):
            code = catalogue.lookup(line.code)
            if line.code not in billed and line.code not in matched_expected and code.kind != "drug":
                hits["CPT-NOT-BILLED"].append(
                    Hit(f"{line.code} ({line.reason}) was performed but is not on the claim.")
                )
    return hits


def _neuraxial_mismatch(i: int, code: catalogue.Code, best: catalogue.Code) -> tuple[str, Hit] | None:
    """Differences the attribute comparison words badly: an SI joint code with imaging for an unguided
    injection (20552), and the epidural neurolytic codes for a subarachnoid block (62280) or back."""
    if code.code == "27096" and best.code == "20552":
        return "CPT-IMAGING-CODE", Hit(
            f"Line {i + 1}: 27096 includes fluoroscopic or CT guidance, but the SI joint was injected without "
            "imaging: CPT directs 20552 for that.",
            (i,),
        )
    if code.family == best.family == "neurolytic" and code.approach != best.approach:
        return "CPT-NEUROLYTIC", Hit(
            f"Line {i + 1}: {code.code} is the {code.approach} neurolytic code, but the block was {best.approach}: "
            f"the facts call for {best.code}.",
            (i,),
        )
    return None


def _from_analysis(rule_id: str):
    def run(ctx: Context) -> list[Hit]:
        return analyse(ctx).get(rule_id, [])

    return run


@rule(
    "CPT-CODE-VALID",
    "Code valid on the date of service",
    "cpt",
    "error",
    ("CPT-2017-ESI", "CMS-RVU-2020-2022", "CMS-RVU-2024-07"),
    note="each code's own validity dates",
    claims="Nothing: the code and the date of service are on every claim line.",
)
def code_valid(ctx: Context):
    """A code must exist on the date of service. The interlaminar codes 62310, 62311, 62318 and 62319 ended on
    2016-12-31 (replaced by 62320-62327, split by imaging guidance); the ultrasound transforaminal codes
    0228T-0231T ended on 2020-12-31; epidurography 72275 ended on 2021-12-31. Drug codes are checked by
    DRUG-CODE-DATE."""
    for i, _line, code in ctx.indexed(lambda c: c.kind != "drug"):
        if not code.valid_on(ctx.day):
            when = (
                f"deleted {code.deleted_on.isoformat()}"
                if code.deleted_on and ctx.day >= code.deleted_on
                else f"valid only {code.validity}"
            )
            instead = f"; use {' or '.join(code.replaced_by)}" if code.replaced_by else f". {code.use_instead}"
            yield Hit(
                f"Line {i + 1}: {code.code} is not valid for a date of service on {ctx.day.isoformat()} "
                f"({when}){instead}",
                (i,),
            )


@rule(
    "CPT-ADDON-PRIMARY",
    "Add-on code without its primary code",
    "cpt",
    "error",
    ("ART-A58993", "CMS-RVU-2024-07"),
    codes=("64480", "64484", "0229T", "0231T", "64491", "64492", "64494", "64495", "99153", "99157"),
    claims="Nothing; the audit looks for the primary code among all the patient's lines of that date.",
)
def addon_primary(ctx: Context):
    """An add-on code (global ZZZ) is reported only with its primary code on the same claim and date:
    +64480 with 64479, +64484 with 64483, +0229T with 0228T, +0231T with 0230T, facet add-ons with 64490 or
    64493, sedation add-ons with their initial code."""
    if not ctx.has_addon:
        return
    for i, _line, code in ctx.indexed(lambda c: c.is_addon and "primary_codes" not in c.unverified):
        if not ctx.billed_codes & set(code.primary_codes):
            yield Hit(
                f"Line {i + 1}: add-on {code.code} needs its primary code {' or '.join(code.primary_codes)} "
                "on the same claim.",
                (i,),
            )


@rule(
    "CPT-CLAIM-TYPE",
    "Code and modifiers belong to this claim type (professional or facility)",
    "cpt",
    "error",
    ("MLN-G0260-ASC", "SUM-A59244", "AAPC-SI-ARTHRO", "AAPC-MOD26-FLUORO", "NCCI-POLICY-CH2-01996"),
    codes=("27096", "G0260", "01996", "77003", "77012", "78630"),
)
def claim_type(ctx: Context):
    """The facility claim of a hospital outpatient department or ASC and the physician's claim for the same
    session differ: the SI joint injection is G0260 on the facility claim (27096 is not recognised under
    OPPS or the ASC list) and 27096 on the physician claim (G0260 is not payable under the physician fee
    schedule); daily catheter management (01996) is a physician service. A physician billing imaging done
    with the facility's equipment reports the professional component only (modifier 26, a warning); the
    facility reports imaging without 26."""
    enc = ctx.encounter
    facility = enc.claim_type == "facility"
    in_facility = enc.place_of_service in FACILITY_PLACES_OF_SERVICE
    for i, line, code in ctx.indexed():
        if facility and code.code in FACILITY_CODES:
            yield Hit(
                f"Line {i + 1}: {code.code} is the physician's code; the facility claim reports "
                f"{FACILITY_CODES[code.code]}.",
                (i,),
            )
        elif not facility and code.code in PROFESSIONAL_CODES:
            yield Hit(
                f"Line {i + 1}: {code.code} is the facility's code (not payable to the physician); the physician "
                f"claim reports {PROFESSIONAL_CODES[code.code]}.",
                (i,),
            )
        elif facility and code.code in PROFESSIONAL_ONLY_CODES:
            yield Hit(f"Line {i + 1}: {code.code} is a physician service, not a facility charge.", (i,))
        elif code.family in ("imaging_guidance", "nuclear_medicine") and line.code in ctx.expected_codes:
            if facility and line.has("26"):
                yield Hit(f"Line {i + 1}: the facility claim reports {code.code} without modifier 26.", (i,))
            elif in_facility and not facility and not line.has("26", "TC"):
                yield Hit(
                    f"Line {i + 1}: {code.code} in a facility setting (POS {enc.place_of_service}): the physician "
                    "reports the professional component, modifier 26.",
                    (i,),
                    "warning",
                )


@rule(
    "CPT-CATHETER-MANAGEMENT",
    "Daily catheter management (01996) not on the day of placement",
    "cpt",
    "error",
    ("NCCI-POLICY-CH2-01996", "NGS-01996", "AAPC-01996"),
    codes=("01996",),
)
def catheter_management(ctx: Context):
    """01996 is the daily hospital management of a continuous epidural or subarachnoid infusion through a
    catheter already in place: one unit per day, from the day after placement. It is not reported on the
    date the catheter is placed (62324-62327 include that day)."""
    management = [i for i, _line, code in ctx.indexed(lambda c: c.code == "01996")]
    if not management:
        return
    placed = ctx.billed_codes & INDWELLING_CODES or ctx.expected_codes & INDWELLING_CODES
    if placed:
        yield Hit(
            f"01996 on the day the catheter is placed ({', '.join(sorted(placed))}): report it from the next day.",
            tuple(management),
        )
    units = sum(ctx.lines[i].units for i in management)
    if units > 1:
        yield Hit(f"01996 is one unit per day; the claim has {units}.", tuple(management))


_CLAIMS = {
    "CPT-IMAGING-CODE": """The guidance actually used: a claims file shows a wrong without-imaging code only when
    imaging guidance is billed the same day (from 2017).""",
}
for _id, _title, _sources, _doc in [
    (
        "CPT-APPROACH",
        "Code matches the approach (interlaminar, transforaminal, facet, SI joint)",
        ("CPT-2017-ESI", "ART-A58993", "CPT-GUIDE-FACET-LEVELS", "CPT-GUIDE-SI-JOINT"),
        """The approach picks the code family: interlaminar or caudal = 62320-62327; transforaminal =
     64479-64484; facet joint or medial branch = 64490-64495 (not an ESI); sacroiliac joint = 27096 (not an
     ESI).""",
    ),
    (
        "CPT-REGION",
        "Code matches the region family of the level (T12-L1 rule)",
        ("ART-A58993", "CPT-GUIDE-FACET-T12L1"),
        """Regions follow the code set, not the anatomy word: cervical/thoracic codes (62320/62321/62324/62325,
     64479/64480) versus lumbar/sacral codes (62322/62323/62326/62327, 64483/64484). A transforaminal
     injection at T12-L1 is coded 64479 (billing article A58993), whereas a facet injection at T12-L1 is
     lumbar (64493).""",
    ),
    (
        "CPT-IMAGING-CODE",
        "With- or without-imaging code matches the guidance used (from 2017)",
        ("CPT-2017-ESI", "CMS-PTP-PRAC-2024Q3"),
        """Since 2017 each interlaminar code exists with and without imaging guidance: fluoroscopy or CT =
     62321/62323/62325/62327; no imaging = 62320/62322/62324/62326. Billing the unguided code plus 77003 for
     a fluoroscopy-guided injection is wrong (and an NCCI edit).""",
    ),
    (
        "CPT-CATHETER",
        "Single injection vs indwelling catheter",
        ("CPT-GUIDE-62323-CATHETER", "CPT-2017-ESI"),
        """A catheter placed and removed on the same day is still a single injection (62320-62323); an
     indwelling catheter for continuous infusion or intermittent boluses over more than the day is
     62324-62327, reported once for the catheter, not per bolus.""",
    ),
    (
        "CPT-NEUROLYTIC",
        "Neurolytic agents use 62280-62282",
        ("CPT-GUIDE-NEUROLYTIC", "CMS-PTP-PRAC-2024Q3"),
        """The ESI codes describe non-neurolytic substances. An epidural or subarachnoid injection of a
     neurolytic agent (alcohol, phenol, iced saline) is 62280-62282, and the pair neurolytic + ESI carries an
     NCCI edit with modifier indicator 0.""",
    ),
    (
        "CPT-CHEMOTHERAPY",
        "Chemotherapy into the spinal canal is 96401-96549, not an ESI",
        ("CPT-GUIDE-CHEMO",),
        """62320-62327 are not used for chemotherapy. Chemotherapy into the central nervous system is coded from
     the chemotherapy administration range (96450 includes the spinal puncture; 96542 through a reservoir).""",
    ),
    (
        "CPT-NOT-PERFORMED",
        "Billed code supported by the record",
        ("SUM-A58731", "ART-A58993"),
        """Every billed procedure code must match a procedure documented in the record.""",
    ),
]:
    rule(_id, _title, "cpt", "error", _sources, doc=" ".join(_doc.split()), claims=_CLAIMS.get(_id))(
        _from_analysis(_id)
    )


@rule("CPT-NOT-BILLED", "Performed service missing from the claim", "cpt", "warning", ("SUM-A58731",))
def not_billed(ctx: Context):
    """A billable service in the record that the claim does not report (lost revenue, or a sign that the
    wrong code was used elsewhere)."""
    return analyse(ctx).get("CPT-NOT-BILLED", [])


@rule(
    "CPT-ULTRASOUND",
    "Ultrasound-guided transforaminal injections",
    "cpt",
    "error",
    ("CMS-RVU-2020-2022", "CMS-PTP-PRAC-2024Q3", "SUM-L33906"),
    codes=("0228T", "0229T", "0230T", "0231T", "76942"),
    note="0228T-0231T until 2020-12-31; no verified code from 2021-01-01",
)
def ultrasound(ctx: Context):
    """Ultrasound-guided transforaminal injections were reported with 0228T-0231T (which include the
    ultrasound) for dates of service up to 2020-12-31, never as 64479-64484 + 76942. The codes were deleted
    on 2021-01-01; the Medicare ESI LCDs require fluoroscopy or CT, and which code (if any) replaced them is
    unverified here - so from 2021 the finding is a warning that the service cannot be coded with a
    verified code."""
    hits = list(analyse(ctx).get("CPT-ULTRASOUND", []))
    if ctx.day > ULTRASOUND_TF_LAST_DAY and not hits:
        for proc in ctx.encounter.procedures:
            if proc.approach == "transforaminal" and proc.guidance == "ultrasound":
                hits.append(
                    Hit(
                        "An ultrasound-guided transforaminal injection has no verified code for dates of service "
                        "from 2021-01-01 (0228T-0231T deleted; the LCDs require fluoroscopy or CT). "
                        "Replacement code: unverified - check with the payer.",
                        (),
                        "warning",
                    )
                )
                break
    return hits


@rule(
    "CPT-IMAGING-INCLUDED",
    "Imaging guidance is included in the injection code",
    "cpt",
    "error",
    ("CMS-PTP-PRAC-2024Q3", "CPT-GUIDE-62323-CATHETER", "CPT-2017-ESI"),
    effective_from=IMAGING_SPLIT_FROM,
    codes=("77003", "77012", "76942", "72275"),
    claims="""The guidance used: a guidance code billed with a without-imaging ESI code is taken as proof that
    the injection was guided (so the guided code, which includes it, was due).""",
)
def imaging_included(ctx: Context):
    """Fluoroscopy or CT guidance (77003, 77012) and contrast confirmation are part of 62321, 62323, 62325,
    62327 and 64479-64484; ultrasound (76942) was part of 0228T-0231T; epidurography (72275, deleted
    2022-01-01) is not reported for routine contrast. NCCI pairs every one of them with the ESI codes."""
    if not ctx.families & GUIDANCE_SET:
        return
    inclusive = [c for c in ctx.codes if c.imaging in ("fluoro_ct", "ultrasound")]
    if ctx.claim_only:  # billed guidance shows the injection was guided: its code would include it
        should = any(c.is_esi and c.imaging == "none" for c in ctx.codes)
    else:
        should = any(
            catalogue.lookup(line.code).imaging in ("fluoro_ct", "ultrasound") for line in ctx.derivation.lines
        )
    if not (inclusive or should):
        return
    # imaging the facts call for on its own (a blood patch's guidance) is not "included"
    for i, _line, code in ctx.indexed(lambda c: c.family in GUIDANCE_FAMILIES and c.code not in ctx.expected_codes):
        yield Hit(
            f"Line {i + 1}: {code.code} ({catalogue.FAMILY_LABELS[code.family]}) is included in the injection "
            "code and is not reported separately.",
            (i,),
        )
