"""Medicare ESI coverage rules: the shared LCD policy "Epidural Steroid Injections for Pain Management".

The Medicare contractors adopted one policy text under their own LCD numbers (L38994/A58695 Palmetto,
L39240/A58993 Noridian, L33906/A56651, L36920/A56681, L39015/A58731, L39054/A58777), effective
2021-12-05 or 2021-12-12, and 2022-06-19 for Noridian. These rules apply to Medicare encounters from
the encounter's contractor LCD date (or 2021-12-05 when no contractor is given). They describe
medical necessity: a service that fails them is expected to be denied, so the correct claim reports it
with GA (ABN on file) or GZ (no ABN) - see ``esi_reference.engine.suggest_claim``.

Where the team could only read policy summaries, the rule cites them (secondary); facts we could not
verify at all (the exact ICD-10 groups, the repeat-injection duration, the same-session block list) are
reported at info severity and say so.
"""

from __future__ import annotations

from collections import defaultdict

from esi_reference.model.encounter import Procedure, contractor_lcd_effective
from esi_reference.reference import catalogue, policy
from esi_reference.reference.diagnoses import COVERED_CATEGORIES, diagnosis_category
from esi_reference.rules.base import DEFAULT_READS, Context, Hit, rule

SEDATION_FAMILY = "sedation"
LCD_SOURCES = ("LCD-L38994", "LCD-L39240", "ART-A58993")
#: The current ESI codes (the codes the coverage rules are about).
ESI_CODES = tuple(c.code for c in catalogue.codes(family="esi") if c.valid_to is None)


def lines_for(ctx: Context, proc: Procedure, regions: tuple[str, ...] | None = None) -> tuple[int, ...]:
    """Indices of billed lines that report this epidural procedure (same approach family and region family)."""
    family = "esi_interlaminar" if proc.approach in ("interlaminar", "caudal") else "esi_transforaminal"
    wanted = regions if regions is not None else proc.region_families
    return tuple(i for i, _, c in ctx.indexed(lambda c: c.family.startswith(family) and c.region_family in wanted))


def coded_transforaminal_lines(ctx: Context, proc: Procedure) -> tuple[int, ...]:
    """The lines of :func:`lines_for` that code this transforaminal procedure itself: 0228T-0231T for an
    ultrasound-guided one, the 64479-64484 family otherwise (as ``coding.derive_lines`` splits them)."""
    family = "esi_transforaminal_ultrasound" if proc.guidance == "ultrasound" else "esi_transforaminal"
    return tuple(i for i in lines_for(ctx, proc) if ctx.codes[i].family == family)


def esi_lines(ctx: Context, regions: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for i, _, c in ctx.indexed(lambda c: c.is_esi and c.region_family in regions))


def _covered_procedures(ctx: Context) -> tuple[Procedure, ...]:
    return ctx.encounter.covered_procedures


def coverage_rule(
    rule_id: str, title: str, sources: tuple[str, ...], claims: str | None = None, reads: frozenset[str] = DEFAULT_READS
):
    return rule(
        rule_id,
        title,
        "lcd",
        "error",
        sources + LCD_SOURCES,
        effective_from=policy.POLICY_EARLIEST_EFFECTIVE,
        coverage=True,
        codes=ESI_CODES,
        claims=claims,
        reads=reads,
    )


@coverage_rule(
    "LCD-IMAGING-GUIDANCE",
    "Fluoroscopy or CT guidance required",
    ("SUM-L33906", "SUM-A58745"),
    claims="""The guidance used and the purpose: a without-imaging code with no guidance billed that day, or an
    ultrasound code (0228T-0231T), is read as an unguided or ultrasound-guided ESI.""",
)
def imaging_guidance(ctx: Context):
    """Epidural steroid injections are covered only under fluoroscopic or CT guidance. Unguided injections
    (62320, 62322, 62324, 62326 as ESIs) and ultrasound-guided ones do not meet the policy."""
    if ctx.claim_only:
        guided = bool(ctx.families & {"imaging_guidance", "epidurography"})
        for i, _line, code in ctx.indexed(lambda c: c.is_esi and c.region_family != ""):
            if code.imaging == "ultrasound" or (code.imaging == "none" and not guided):
                kind = "with ultrasound" if code.imaging == "ultrasound" else "without imaging guidance"
                yield Hit(
                    f"Line {i + 1}: {code.code} is the code for an injection {kind}: the LCD requires "
                    "fluoroscopy or CT.",
                    (i,),
                )
        return
    for proc in _covered_procedures(ctx):
        if not proc.image_guided:
            yield Hit(
                f"A {proc.approach} ESI with guidance '{proc.guidance}' is not covered: the LCD requires "
                "fluoroscopy or CT.",
                lines_for(ctx, proc),
            )


@coverage_rule(
    "LCD-CONTRAST", "Contrast confirms needle placement unless contraindicated", ("SUM-L33906", "RUBRIC-L39240")
)
def contrast(ctx: Context):
    """Image guidance must use contrast to confirm epidural spread unless contrast is contraindicated (for
    example a documented allergy); the contraindication must be documented (DOC-CONTRAST-CONTRAINDICATION)."""
    for proc in _covered_procedures(ctx):
        if proc.contrast == "not_used" and proc.image_guided:
            yield Hit(
                f"The {proc.approach} ESI was done without contrast and no contraindication is recorded; the "
                "LCD requires contrast unless it is contraindicated.",
                lines_for(ctx, proc),
            )


@coverage_rule("LCD-IL-LEVELS", "One interlaminar or caudal level per session", policy.LEVEL_LIMIT_SOURCES)
def interlaminar_levels(ctx: Context):
    """Interlaminar and caudal ESIs are limited to one level per session (and the code is reported once
    whatever the number of levels). Levels are counted across every interlaminar procedure of the session."""
    procs = [p for p in _covered_procedures(ctx) if p.approach == "interlaminar"]
    if not procs:
        return
    levels = sorted({level for p in procs for level in p.levels})
    if len(levels) > policy.MAX_INTERLAMINAR_LEVELS:
        lines = tuple(dict.fromkeys(i for p in procs for i in lines_for(ctx, p)))
        yield Hit(
            f"{len(levels)} interlaminar levels ({', '.join(levels)}) in one session: the LCD covers "
            f"{policy.MAX_INTERLAMINAR_LEVELS}.",
            lines,
        )


@coverage_rule(
    "LCD-TF-LEVELS",
    "At most two transforaminal levels per session",
    policy.LEVEL_LIMIT_SOURCES,
    claims="""The levels injected and the purpose: levels are counted as the distinct transforaminal primary
    codes plus the add-on units.""",
)
def transforaminal_levels(ctx: Context):
    """Transforaminal ESIs are covered for at most two levels per session (unilateral or bilateral): the
    primary code plus one unit of the add-on. The add-on lines whose units go past that one unit (in claim
    order) are the ones expected to be denied; the correct claim splits them (64484 x1, then 64484-GZ x1)."""
    if ctx.claim_only:
        tf = ctx.indexed(lambda c: c.family.startswith("esi_transforaminal"))
        count = len({c.code for _, _, c in tf if not c.is_addon}) + sum(line.units for _, line, c in tf if c.is_addon)
        described = "(primary codes and add-on units)"
    else:
        levels: dict[str, set[str]] = defaultdict(set)
        for proc in _covered_procedures(ctx):
            if proc.approach == "transforaminal":
                for level in proc.levels:
                    levels[proc.region_family_of(level)].add(level)
        total = sorted(lv for group in levels.values() for lv in group)
        count, described = len(total), f"({', '.join(total)})"
    if count > policy.MAX_TRANSFORAMINAL_LEVELS:
        allowance = tf_addon_allowance(ctx.lines, ctx.encounter.bilateral_format)
        beyond = [i for i, covered in allowance.items() if covered < ctx.lines[i].units]
        yield Hit(
            f"{count} transforaminal levels {described} in one session: the LCD covers at most "
            f"{policy.MAX_TRANSFORAMINAL_LEVELS}.",
            tuple(beyond),
        )


def tf_addon_allowance(lines, bilateral_format: str) -> dict[int, int]:
    """Transforaminal add-on line index -> the units within the LCD's two levels (primary + one more), in
    claim order. RT and LT lines count their side's levels separately; modifier 50 with two units per level
    (the ``units_2`` format) counts a level per two units.

    >>> from esi_reference.model.encounter import ClaimLine as CL
    >>> tf_addon_allowance([CL("64483", ("RT",)), CL("64484", ("RT",), 2), CL("64484", ("LT",), 2)], "rt_lt")
    {1: 1, 2: 1}
    >>> tf_addon_allowance([CL("64483", ("50",), 2), CL("64484", ("50",), 4)], "units_2")
    {1: 2}
    """
    used: dict[str, int] = defaultdict(int)
    out = {}
    for i, line in enumerate(lines):
        code = catalogue.lookup(line.code)
        if not (code.family.startswith("esi_transforaminal") and code.is_addon):
            continue
        side = "" if line.has("50") else "RT" if line.has("RT") else "LT" if line.has("LT") else ""
        per_level = 2 if bilateral_format == "units_2" and line.has("50") else 1
        levels_on_line = -(-line.units // per_level)
        covered = max(0, min(levels_on_line, policy.MAX_TRANSFORAMINAL_LEVELS - 1 - used[side]))
        used[side] += levels_on_line
        out[i] = min(line.units, covered * per_level)
    return out


@coverage_rule(
    "LCD-ONE-REGION",
    "One spinal region per session",
    policy.REGION_LIMIT_SOURCES,
    claims="The purpose and the levels: region families come from the ESI codes, the first line's is covered.",
)
def one_region(ctx: Context):
    """One session treats one spinal region family: cervical/thoracic or lumbar/sacral (the regions are
    defined by the code sets). A second region the same day is not covered, even with a distinct-service
    modifier; there is no NCCI edit between the C/T and L/S codes, so only this rule catches it."""
    regions = ctx.covered_regions
    if len(regions) > policy.MAX_REGIONS_PER_SESSION:
        yield Hit(
            f"ESIs in {len(regions)} region families in one session "
            f"({', '.join(catalogue.REGION_LABELS[r] for r in regions)}); only the "
            f"{catalogue.REGION_LABELS[regions[0]]} lines are covered.",
            esi_lines(ctx, regions[1:]),
        )


@coverage_rule(
    "LCD-FREQUENCY",
    "At most 4 sessions per region family in a rolling 12 months",
    policy.SESSION_LIMIT_SOURCES,
    claims="""The purpose (postoperative and pump-trial injections are exempt) and sessions billed elsewhere:
    the audit counts the file's Medicare ESI sessions (distinct dates) of the patient and region family.""",
    reads=frozenset({"code", "modifiers", "payer", "prior_sessions"}),
)
def frequency(ctx: Context):
    """At most four ESI sessions per region family (cervical/thoracic or lumbar/sacral) in a rolling
    12 months, whatever the approach or number of levels. Sessions are distinct dates of service. The window
    for a session on date D runs from the day after the same calendar date a year earlier up to D (see
    ``esi_reference.reference.policy``)."""
    if len(ctx.encounter.prior_sessions) < policy.MAX_SESSIONS_PER_12_MONTHS:
        return  # fewer earlier sessions than the limit: this one cannot exceed it
    start = ctx.encounter.window_start
    for region in ctx.covered_regions:
        dates = {s.date for s in ctx.encounter.prior_sessions if s.region_family == region and s.date >= start}
        count = len(dates) + 1
        if count > policy.MAX_SESSIONS_PER_12_MONTHS:
            yield Hit(
                f"This is session {count} for the {region.replace('_', '/')} region family between "
                f"{start.isoformat()} and {ctx.encounter.date_of_service.isoformat()}: the LCD covers at most "
                f"{policy.MAX_SESSIONS_PER_12_MONTHS} in a rolling 12 months.",
                esi_lines(ctx, (region,)),
            )


@coverage_rule(
    "LCD-REPEAT-RELIEF", "Repeat injection needs at least 50 % relief from the last one", policy.REPEAT_SOURCES
)
def repeat_relief(ctx: Context):
    """A repeat ESI in the same region family is covered only when the previous one gave at least 50 %
    sustained relief of pain or improvement of function, measured on the same scale as the baseline. (How
    long the relief must last is not verified here; a derivative source says 3 months.)"""
    if not ctx.encounter.prior_sessions:
        return
    start = ctx.encounter.window_start
    relief = ctx.encounter.documentation.prior_relief_percent
    for region in dict.fromkeys(
        rf for p in _covered_procedures(ctx) if p.purpose == "therapeutic" for rf in p.region_families
    ):
        if any(s.region_family == region and s.date >= start for s in ctx.encounter.prior_sessions):
            if relief is None:
                yield Hit(
                    "A repeat injection in the same region family without a documented response to the previous "
                    "one: the LCD requires at least 50 % relief.",
                    esi_lines(ctx, (region,)),
                )
            elif relief < policy.MIN_PRIOR_RELIEF_PERCENT:
                yield Hit(
                    f"The previous injection gave {relief} % relief; a repeat needs at least "
                    f"{policy.MIN_PRIOR_RELIEF_PERCENT} %.",
                    esi_lines(ctx, (region,)),
                )


@coverage_rule(
    "LCD-DIAGNOSIS",
    "A covered indication (radicular pain, not axial pain)",
    ("SUM-L33906", "RUBRIC-L39240"),
    claims="""The purpose and the record's diagnoses: the audit reads the diagnoses on the patient's lines of
    that date, and a postoperative-pain code (G89.1x) marks the exempt postoperative use.""",
    reads=frozenset({"code", "modifiers", "payer", "diagnoses"}),
)
def diagnosis(ctx: Context):
    """Covered indications are radicular pain or radiculopathy, neurogenic claudication from spinal stenosis,
    post-laminectomy syndrome and acute herpes zoster pain; axial (non-radicular) neck or back pain is not
    covered. Postoperative pain management and implantable pump trials are exempt from the diagnosis list.
    The contractors' exact ICD-10-CM groups were not verified here: a code outside our example list is
    reported at info severity."""
    if not ctx.covered_regions:
        return
    categories = {diagnosis_category(code) for code in ctx.encounter.diagnoses}
    if categories & COVERED_CATEGORIES or (ctx.claim_only and "postoperative" in categories):
        return
    lines = esi_lines(ctx, ("cervical_thoracic", "lumbar_sacral"))
    if not ctx.encounter.diagnoses:
        yield Hit("No diagnosis is recorded for the ESI; a covered indication (e.g. radiculopathy) is required.", lines)
    elif "axial" in categories and not (categories - {"axial", ""}):
        yield Hit(
            f"Diagnoses {', '.join(ctx.encounter.diagnoses)} describe axial (non-radicular) pain, which the ESI "
            "LCDs do not cover.",
            lines,
        )
    else:
        yield Hit(
            f"None of {', '.join(ctx.encounter.diagnoses)} is in our example list of covered indications; the "
            "contractor article's ICD-10-CM groups are unverified here - check them.",
            lines,
            "info",
        )


@coverage_rule("LCD-DURATION", "Four weeks of pain and of conservative care", policy.DURATION_SOURCES)
def duration(ctx: Context):
    """The pain must have lasted at least 4 weeks and at least 4 weeks of conservative care (physical
    therapy, medication, activity change) must have failed or not been tolerated - except for acute herpes
    zoster pain."""
    doc = ctx.encounter.documentation
    short_pain = doc.pain_weeks is not None and doc.pain_weeks < policy.MIN_WEEKS_PAIN
    short_care = (
        doc.conservative_care_weeks is not None and doc.conservative_care_weeks < policy.MIN_WEEKS_CONSERVATIVE_CARE
    )
    if not (short_pain or short_care) or not _covered_procedures(ctx):
        return
    if any(diagnosis_category(d) == "zoster" for d in ctx.encounter.diagnoses):
        return
    lines = esi_lines(ctx, ("cervical_thoracic", "lumbar_sacral"))
    if short_pain:
        yield Hit(f"Pain for {doc.pain_weeks} week(s): the LCD requires at least {policy.MIN_WEEKS_PAIN}.", lines)
    if short_care:
        yield Hit(
            f"Conservative care for {doc.conservative_care_weeks} week(s): the LCD requires at least "
            f"{policy.MIN_WEEKS_CONSERVATIVE_CARE}.",
            lines,
        )


@coverage_rule(
    "LCD-INJECTANT",
    "Injectants not FDA-approved for this use (PRP, amniotic and other biologics) are not covered",
    ("SUM-A58745", "SUM-A56651", "SUM-A58731", "SUM-A59244"),
)
def injectant(ctx: Context):
    """The ESI billing articles do not cover an epidural injection of a substance that is not FDA-approved
    for it - platelet-rich plasma, amniotic or other tissue products, stem-cell and other biologic
    preparations: the claim is expected to be denied (GZ, or GA with an ABN)."""
    for proc in ctx.encounter.esi_procedures:
        if proc.substance == "biologic":
            yield Hit(
                f"The {proc.approach} injection used a biologic injectant (for example PRP or an amniotic product), "
                "which is not FDA-approved for epidural use: not covered under the ESI billing articles.",
                lines_for(ctx, proc),
            )


@rule(
    "LCD-SEDATION",
    "Routine sedation is not covered",
    "lcd",
    "error",
    ("SUM-A58745", *LCD_SOURCES),
    effective_from=policy.POLICY_EARLIEST_EFFECTIVE,
    coverage=True,
    codes=("99151", "99152", "99153", "99155", "99156", "99157"),
)
def sedation(ctx: Context):
    """Moderate or deep sedation, general anesthesia or monitored anesthesia care is not routinely reasonable
    and necessary for an ESI; it needs a documented patient-specific reason."""
    if not ctx.encounter.esi_procedures or ctx.encounter.documentation.sedation_justified or not ctx.sedation:
        return
    lines = tuple(i for i, _, c in ctx.indexed(lambda c: c.family == SEDATION_FAMILY))
    yield Hit("Sedation with an ESI without a documented reason: not routinely covered.", lines)


@rule(
    "LCD-SNRB-KX",
    "Diagnostic selective nerve root block carries KX",
    "lcd",
    "error",
    ("SUM-A56651", "SUM-A58745", "ZOTEC-ESI-2022"),
    effective_from=policy.POLICY_EARLIEST_EFFECTIVE,
    codes=("64479", "64480", "64483", "64484"),
)
def snrb_kx(ctx: Context):
    """A diagnostic selective nerve root block is billed with the transforaminal codes and modifier KX, which
    tells the contractor the block was diagnostic (and not one of the therapeutic sessions' criteria)."""
    for proc in ctx.encounter.esi_procedures:
        if proc.approach != "transforaminal" or proc.purpose != "diagnostic_snrb":
            continue
        missing = tuple(i for i in coded_transforaminal_lines(ctx, proc) if not ctx.lines[i].has("KX"))
        if missing:
            yield Hit(
                "A diagnostic selective nerve root block needs modifier KX on its transforaminal line(s).", missing
            )
    if "KX" in ctx.modifiers and not any(p.purpose == "diagnostic_snrb" for p in ctx.encounter.procedures):
        for i, line, _ in ctx.indexed(lambda c: c.is_esi):
            if line.has("KX"):
                yield Hit(
                    f"Line {i + 1}: KX marks a diagnostic nerve root block, but the record describes a "
                    f"{ctx.encounter.procedures[0].purpose if ctx.encounter.procedures else 'different'} injection.",
                    (i,),
                    "warning",
                )


@rule(
    "LCD-SAME-SESSION-BLOCKS",
    "Other blocks in the same session (unverified)",
    "lcd",
    "info",
    ("RUBRIC-L39240",),
    effective_from=policy.POLICY_EARLIEST_EFFECTIVE,
)
def same_session_blocks(ctx: Context):
    """A derivative checklist says the LCD does not cover other blocks (facet, sympathetic, trigger point)
    in the same session as an ESI. We could not verify that wording, and NCCI has no edit between the ESI and
    facet codes, so this is information only."""
    if ctx.encounter.esi_procedures and any(p.approach in ("facet", "si_joint") for p in ctx.encounter.procedures):
        yield Hit(
            "An ESI and a facet or SI joint injection in one session: some contractors may not cover both "
            "(LCD wording unverified; NCCI has no ESI/facet edit)."
        )


@rule(
    "LCD-POLICY-DATE",
    "Coverage rules in force on the date of service",
    "lcd",
    "info",
    (*LCD_SOURCES, "OIG-A-07-21-00618"),
)
def policy_date(ctx: Context):
    """The current ESI coverage limits apply from the contractor's LCD effective date (2021-12-05,
    2021-12-12 or 2022-06-19). For earlier dates of service, or payers other than Medicare, the coverage
    rules are not applied and this finding says so."""
    if not ctx.encounter.esi_procedures:
        return
    if ctx.encounter.payer != "medicare":
        yield Hit("Payer is not Medicare: the Medicare LCD coverage rules were not applied.")
        return
    start = ctx.encounter.contractor
    begins = contractor_lcd_effective(ctx.encounter) or policy.POLICY_EARLIEST_EFFECTIVE
    if ctx.day < begins:
        yield Hit(
            f"The date of service precedes the ESI LCD in force from {begins.isoformat()}"
            f"{' (' + start + ')' if start else ''}: the current coverage limits were not applied."
        )
