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
from esi_reference.reference.payers import BILATERAL_FORMATS
from esi_reference.reference.policy import FACILITY_PLACES_OF_SERVICE
from esi_reference.rules.base import Context, Hit, line_list, rule

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
    return memo(ctx, "cpt", lambda: _analyse(ctx))


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


def _tf_levels(ctx: Context) -> dict[str, set[str]]:
    levels: dict[str, set[str]] = defaultdict(set)
    for proc in ctx.encounter.procedures:
        if proc.approach == "transforaminal":
            for level in proc.levels:
                levels[proc.region_family_of(level)].add(level)
    return levels


@rule(
    "CPT-ADDON-OTHER-SIDE",
    "Add-on used for the other side instead of another level",
    "cpt",
    "error",
    ("CPT-GUIDE-TFESI-LEVELS", "ART-A58993"),
    codes=("64480", "64484"),
)
def addon_other_side(ctx: Context):
    """The transforaminal add-ons count additional *levels*. Injecting both sides of one level is still one
    level: report the primary code once with modifier 50, never primary + add-on."""
    if not ctx.has_addon or "esi_transforaminal" not in ctx.families:
        return
    levels = _tf_levels(ctx)
    for i, _line, code in ctx.indexed(lambda c: c.family == "esi_transforaminal" and c.is_addon):
        if len(levels.get(code.region_family, ())) == 1:
            level = next(iter(levels[code.region_family]))
            yield Hit(
                f"Line {i + 1}: {code.code} counts an additional level, but only {level} was injected. Both "
                f"sides of one level = {code.primary_codes[0]} with modifier 50, one unit.",
                (i,),
            )


@rule(
    "CPT-LEVEL-UNITS",
    "Add-on units equal the additional levels",
    "cpt",
    "error",
    ("CPT-GUIDE-TFESI-LEVELS",),
    codes=("64480", "64484"),
)
def level_units(ctx: Context):
    """Transforaminal add-on units equal the number of distinct levels beyond the first in that region family
    (per side group), never the number of needles or injections."""
    if not ctx.has_addon:
        return
    billed: dict[str, list[int]] = defaultdict(list)
    for i, _line, code in ctx.indexed(lambda c: c.code in LEVEL_ADDONS):
        billed[code.code].append(i)
    fmt = ctx.encounter.bilateral_format
    for code, indices in billed.items():
        expected = level_count([line for line in ctx.derivation.lines if line.code == code], fmt)
        levels = level_count([ctx.lines[i] for i in indices], fmt)
        if expected and levels != expected:
            yield Hit(
                f"{code} is billed for {levels} level(s) ({line_list(ctx, indices)}) but {expected} "
                "additional level(s) were injected.",
                tuple(indices),
            )


#: The transforaminal add-on codes whose units count levels (fluoroscopy/CT, and the deleted ultrasound pair).
LEVEL_ADDONS = frozenset(("64480", "64484", "0229T", "0231T"))


def level_count(lines: list, bilateral_format: str) -> int:
    """Levels that add-on lines report: units, except that an RT and an LT line cover the same levels and
    modifier 50 with two units per level (the ``units_2`` format) counts half.

    >>> from esi_reference.model.encounter import ClaimLine
    >>> level_count([ClaimLine("64484", ("RT",), 2), ClaimLine("64484", ("LT",), 2)], "rt_lt")
    2
    >>> level_count([ClaimLine("64484", ("50",), 4)], "units_2"), level_count([ClaimLine("64484", ("50",), 2)], "x")
    (2, 2)
    """
    plain = sum(line.units for line in lines if not line.has("50", "RT", "LT"))
    both = sum(line.units for line in lines if line.has("50"))
    if bilateral_format == "units_2":
        both = (both + 1) // 2
    right = sum(line.units for line in lines if line.has("RT") and not line.has("50"))
    left = sum(line.units for line in lines if line.has("LT") and not line.has("50"))
    return plain + both + max(right, left)


@rule(
    "CPT-SESSION-UNITS",
    "One unit per session (interlaminar, caudal, catheter, neurolytic codes)",
    "cpt",
    "error",
    ("CPT-2017-ESI", "CMS-MUE-PRAC-2024Q3", "CPT-GUIDE-TFESI-LEVELS"),
    claims="""Whether both sides were injected: without the record, a transforaminal primary code with more
    than one unit counts as bilateral only when it carries 50 or RT and LT lines meet.""",
)
def session_units(ctx: Context):
    """62320-62327 (and the neurolytic codes) are reported once per session, with one unit, however many
    levels or injections. A transforaminal primary code (64479, 64483) is one level: further levels go on the
    add-on code and both sides of a level are modifier 50 (see CPT-BILATERAL-ONE-LINE)."""
    per_code: dict[str, list[int]] = defaultdict(list)
    for i, _line, code in ctx.indexed(lambda c: c.per_session_only and c.family in ("esi_interlaminar", "neurolytic")):
        per_code[code.code].append(i)
    for code, indices in per_code.items():
        units = sum(ctx.lines[i].units for i in indices)
        if units > 1:
            yield Hit(
                f"{code} is reported once per session with one unit; the claim has {units} units "
                f"({line_list(ctx, indices)}).",
                tuple(indices),
            )
    bilateral_regions = _bilateral_tf_regions(ctx)
    for i, line, code in ctx.indexed(lambda c: c.family.startswith("esi_transforaminal") and not c.is_addon):
        if line.units > 1 and code.region_family not in bilateral_regions:
            yield Hit(
                f"Line {i + 1}: {code.code} is one level with one unit; report further levels with its add-on.", (i,)
            )


def _bilateral_tf_regions(ctx: Context) -> set[str]:
    if ctx.claim_only:
        tf = ctx.indexed(lambda c: c.family.startswith("esi_transforaminal") and not c.is_addon)
        sides = defaultdict(set)
        for _i, line, code in tf:
            sides[code.region_family] |= {m for m in line.modifiers if m in ("50", "RT", "LT")}
        return {rf for rf, mods in sides.items() if "50" in mods or {"RT", "LT"} <= mods}
    return {
        rf
        for line in ctx.derivation.lines
        if "50" in line.modifiers
        for rf in (catalogue.lookup(line.code).region_family,)
    }


@rule(
    "CPT-IL-NOT-BILATERAL",
    "Interlaminar and caudal codes are never bilateral",
    "cpt",
    "error",
    ("CMS-RVU-2024-07", "SUM-L33906", "MEDPAY-62310"),
    codes=("62320", "62321", "62322", "62323", "62324", "62325", "62326", "62327", "62310", "62311", "62318", "62319"),
    claims="Nothing: the code and its modifiers are on the claim line.",
)
def interlaminar_not_bilateral(ctx: Context):
    """62320-62327 carry bilateral indicator 9 in the CMS fee schedule: the bilateral concept does not apply.
    Never append 50, RT or LT; an interlaminar or caudal injection spreads in the epidural space and is
    reported once. The same held for the pre-2017 codes 62310-62319 (bilateral indicator 0: no 50, RT or
    LT, one unit per region)."""
    if "esi_interlaminar" not in ctx.families:
        return
    for i, line, code in ctx.indexed(lambda c: c.family == "esi_interlaminar"):
        bad = [m for m in line.modifiers if m in ("50", "RT", "LT")]
        if bad:
            yield Hit(
                f"Line {i + 1}: {code.code} cannot carry {', '.join(bad)} (bilateral indicator 9): report it "
                "once, without laterality.",
                (i,),
            )


def _marker(line) -> str:
    return "50" if line.has("50") else "RT" if line.has("RT") else "LT" if line.has("LT") else ""


def _sided(code: catalogue.Code) -> bool:
    return (code.bilateral_indicator == "1" or code.code in PROFESSIONAL_CODES) and code.kind != "drug"


@rule(
    "CPT-BILATERAL-ONE-LINE",
    "Bilateral in the payer's format (Medicare: one line, modifier 50, one unit)",
    "cpt",
    "error",
    (
        "NORIDIAN-MOD50",
        "PRIORITY-ASC-BILATERAL",
        "AAPC-BILAT-PAYER",
        "CMS-RVU-2024-07",
        "CMS-MUE-PRAC-2024Q3",
        "CPT-GUIDE-TFESI-LEVELS",
    ),
    codes=("64479", "64480", "64483", "64484", "64490", "64493", "27096", "G0260"),
    claims="""Whether both sides were injected, and at how many levels: a claims file shows the lines' sides
    (RT/LT lines, a code beside the same code with 50, the payer's format), not a missing 50 (64483 x2
    without 50 is two levels on one line for CPT-SESSION-UNITS; 64483 + 64484 for two sides of one level looks
    like two levels).""",
)
def bilateral_one_line(ctx: Context):
    """For codes with bilateral indicator 1 (64479-64484, the facet codes, 27096; G0260 on a facility claim)
    both sides of one procedure are reported in the payer profile's format: for Medicare physician and
    hospital outpatient claims one line with modifier 50 and one unit - not two lines (RT and LT, or the code
    plus the code with 50), not two units; for Medicare ASC claims two lines, RT and LT (ASCs do not use 50);
    other payers as their profile says (``esi_reference.reference.payers``). A modifier 50 when only one side was
    injected is also wrong. The rule compares the billed lines of each code with the lines the facts call
    for, so a bilateral error is reported here and not only through its MUE side effect."""
    billed: dict[str, list[int]] = defaultdict(list)
    for i, _line, code in ctx.indexed(_sided):
        billed[code.code].append(i)
    if not billed:
        return
    fmt = ctx.encounter.bilateral_format
    wanted = BILATERAL_FORMATS[fmt]
    if ctx.claim_only:
        yield from _bilateral_from_claim(ctx, fmt, billed)
        return
    expected: dict[str, list] = defaultdict(list)
    for line in ctx.derivation.lines:
        expected[line.code].append(line)
    for code, indices in billed.items():
        if code not in expected:
            continue  # another rule explains a code the facts do not call for
        lines = [ctx.lines[i] for i in indices]
        want = {_marker(line) for line in expected[code]}  # sets: a GA/GZ split repeats a marker
        got = {_marker(line) for line in lines}
        addon = catalogue.lookup(code).is_addon
        bilateral = "50" in want or {"RT", "LT"} <= want
        where = line_list(ctx, indices)
        if not bilateral:
            if "50" in got:
                yield Hit(f"{code}: modifier 50 but only one side was injected ({where}).", tuple(indices))
            elif {"RT", "LT"} <= got and not addon:
                yield Hit(
                    f"{code}: RT and LT lines for one procedure - if both sides were injected report it as {wanted}.",
                    tuple(indices),
                )
            continue
        units_differ = not addon and sum(x.units for x in lines) != sum(x.units for x in expected[code])
        if want == got and not units_differ:
            continue
        if "" in got and "50" in got:
            how = f"the code and the code with 50 on two lines ({where})"
        elif {"RT", "LT"} <= got:
            how = f"RT and LT lines ({where})"
        elif "50" in got:
            how = f"modifier 50 with {sum(x.units for x in lines if x.has('50'))} unit(s) ({where})"
        elif sum(x.units for x in lines) > 1 and not addon:
            how = f"{sum(x.units for x in lines)} units without modifier 50 ({where})"
        else:
            how = f"no bilateral modifier ({where})"
        yield Hit(
            f"{code}: both sides were injected - this payer ({ctx.encounter.payer}) wants {wanted}; the claim "
            f"has {how}.",
            tuple(indices),
        )


def _bilateral_from_claim(ctx: Context, fmt: str, billed: dict[str, list[int]]):
    """CPT-BILATERAL-ONE-LINE on a claim alone: both sides are evident from the lines (RT and LT lines of one
    code, or the code beside the same code with 50); they are compared with the payer's format. A missing 50
    (two units, or one line for two sides) needs the record: the claim cannot show it."""
    for code, indices in billed.items():
        lines = [ctx.lines[i] for i in indices]
        got = {_marker(line) for line in lines}
        addon = catalogue.lookup(code).is_addon
        where = line_list(ctx, indices)
        if {"RT", "LT"} <= got and not addon and fmt != "rt_lt":
            how = f"RT and LT lines ({where})"
        elif "" in got and "50" in got and not addon:
            how = f"the code and the code with 50 on two lines ({where})"
        elif "50" in got and fmt == "rt_lt":
            how = f"modifier 50 ({where})"
        else:
            continue
        yield Hit(
            f"{code}: both sides on this claim - this payer ({ctx.encounter.payer}) wants {BILATERAL_FORMATS[fmt]}; "
            f"the claim has {how}.",
            tuple(indices),
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
