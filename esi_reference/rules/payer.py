"""Payer-profile rules: what a non-Medicare payer's own policy adds (``esi_reference.reference.payers``).

The Medicare LCD rules (``coverage``) apply to profiles with ``lcd_limits``; the rules here cover what
other profiles declare: a frequency limit of the plan's own medical policy, and Medicare-only modifiers
(GA, GZ, KX) on a claim for a payer that does not use them.
"""

from __future__ import annotations

from functools import cache

from esi_reference.reference.payers import PayerProfile
from esi_reference.rules.base import Context, Hit, rule

MEDICARE_MODIFIERS = ("GA", "GZ", "KX")


@rule(
    "PAYER-FREQUENCY",
    "The plan's own limit of sessions per rolling 12 months",
    "payer",
    "warning",
    ("FACS-BILATERAL-2013", "SUM-L33906"),
    claims="""Sessions billed elsewhere: the audit counts the patient's earlier dates of service in the file
    for the same payer profile.""",
    reads=frozenset({"code", "modifiers", "payer", "claim_type", "prior_sessions"}),
)
def payer_frequency(ctx: Context):
    """A payer profile may set its own limit of ESI sessions per region family in a rolling 12 months (the
    ``max_sessions_12_months`` column); the window is the LCD's (``esi_reference.reference.policy``). Medicare's limit
    is LCD-FREQUENCY. Over the limit the plan is expected to deny the session unless it was authorised: a
    warning, since plans differ in how they enforce it."""
    prof = ctx.encounter.payer_profile
    limit = prof.max_sessions_12_months
    if limit is None or prof.lcd_limits or len(ctx.encounter.prior_sessions) < limit:
        return  # no limit of its own, or fewer earlier sessions than the limit
    start = ctx.encounter.window_start
    for region in ctx.encounter.esi_region_families:
        dates = {s.date for s in ctx.encounter.prior_sessions if s.region_family == region and s.date >= start}
        if len(dates) + 1 > limit:
            lines = tuple(i for i, _, c in ctx.indexed() if c.is_esi and c.region_family == region)
            yield Hit(
                f"Session {len(dates) + 1} for the {region.replace('_', '/')} region family since {start.isoformat()}: "
                f"the {prof.label} profile allows {limit} in a rolling 12 months.",
                lines,
            )


@cache
def _unused_modifiers(prof: PayerProfile) -> frozenset[str]:
    """GA, GZ and KX, those the payer's profile does not use."""
    used = {"GA": prof.liability_modifiers, "GZ": prof.liability_modifiers, "KX": prof.kx_diagnostic_block}
    return frozenset(m for m, uses in used.items() if not uses)


@rule(
    "PAYER-MODIFIERS",
    "Medicare-only modifiers (GA, GZ, KX) for a payer that does not use them",
    "payer",
    "warning",
    ("SUM-A58745", "FACS-BILATERAL-2013"),
    claims="Nothing: the payer and the modifiers are on the claim.",
)
def payer_modifiers(ctx: Context):
    """GA and GZ declare an expected Medicare denial (with or without an ABN) and KX marks a diagnostic
    nerve root block under the Medicare ESI billing articles. A payer profile without liability or KX
    modifiers does not expect them; many commercial payers reject unknown modifiers."""
    unused = _unused_modifiers(ctx.encounter.payer_profile) & ctx.modifiers
    if not unused:
        return
    for i, line, _code in ctx.indexed():
        found = [m for m in line.modifiers if m in unused]
        if found:
            yield Hit(
                f"Line {i + 1}: {', '.join(found)} on a claim for payer '{ctx.encounter.payer}', whose profile does "
                "not use it.",
                (i,),
            )
