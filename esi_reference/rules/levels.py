"""CPT rules on units, levels and sides: how many units a transforaminal add-on or a once-per-session code
carries, and how a bilateral procedure is reported in the payer's format.

Levels: a transforaminal add-on counts each distinct level beyond the first in its region family (per side
group), never needles or injections; an interlaminar, caudal or neurolytic code is reported once per session.
Sides: 62320-62327 carry bilateral indicator 9 (the concept does not apply); 64479-64484, the facet codes
and 27096 carry indicator 1, reported for Medicare physician and hospital outpatient claims as one line with
modifier 50 and one unit, for Medicare ASC claims as RT and LT lines, for other payers as their profile says.

Sources: CPT guidance on transforaminal levels (CPT-GUIDE-TFESI-LEVELS), the CMS fee schedule's bilateral
indicators (CMS-RVU-2024-07), MAC guidance on modifier 50 (NORIDIAN-MOD50) and the payer profiles.
"""

from __future__ import annotations

from collections import defaultdict

from esi_reference.coding import PROFESSIONAL_CODES
from esi_reference.reference import catalogue
from esi_reference.reference.payers import BILATERAL_FORMATS
from esi_reference.rules.base import Context, Hit, line_list, rule


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
    several_tf_units = []  # transforaminal primary lines with more than one unit
    for i, line, code in ctx.triples:
        if code.per_session_only and code.family in ("esi_interlaminar", "neurolytic"):
            per_code[code.code].append(i)
        elif line.units > 1 and code.family.startswith("esi_transforaminal") and not code.is_addon:
            several_tf_units.append(i)
    for code, indices in per_code.items():
        units = sum(ctx.lines[i].units for i in indices)
        if units > 1:
            yield Hit(
                f"{code} is reported once per session with one unit; the claim has {units} units "
                f"({line_list(ctx, indices)}).",
                tuple(indices),
            )
    if not several_tf_units:
        return
    bilateral_regions = _bilateral_tf_regions(ctx)
    for i in several_tf_units:
        code = ctx.codes[i]
        if code.region_family not in bilateral_regions:
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
        if not bilateral:
            if "50" in got:
                yield Hit(
                    f"{code}: modifier 50 but only one side was injected ({line_list(ctx, indices)}).", tuple(indices)
                )
            elif {"RT", "LT"} <= got and not addon:
                yield Hit(
                    f"{code}: RT and LT lines for one procedure - if both sides were injected report it as {wanted}.",
                    tuple(indices),
                )
            continue
        units_differ = not addon and sum(x.units for x in lines) != sum(x.units for x in expected[code])
        if want == got and not units_differ:
            continue
        where = line_list(ctx, indices)
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
        if {"RT", "LT"} <= got and not addon and fmt != "rt_lt":
            how = "RT and LT lines"
        elif "" in got and "50" in got and not addon:
            how = "the code and the code with 50 on two lines"
        elif "50" in got and fmt == "rt_lt":
            how = "modifier 50"
        else:
            continue
        how += f" ({line_list(ctx, indices)})"
        yield Hit(
            f"{code}: both sides on this claim - this payer ({ctx.encounter.payer}) wants {BILATERAL_FORMATS[fmt]}; "
            f"the claim has {how}.",
            tuple(indices),
        )
