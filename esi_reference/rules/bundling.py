"""NCCI bundling rules: procedure-to-procedure edits and services included in the injection.

The PTP table is the CMS practitioner file (Q3 2024 vintage shipped; load a current quarterly file with
``esi_reference.ncci.load_ptp_file``). Modifier indicator 0: the two codes are never paid together.
Modifier indicator 1: the column-two code is payable only with a distinct-service modifier (59, XE, XS,
XP, XU) that the record supports - a separate site, session or encounter - never to unbundle imaging
guidance or a second approach to the same region in the same session.
"""

from __future__ import annotations

from .. import ncci
from ..policy import DISTINCT_SERVICE_MODIFIERS
from .base import Context, Hit, rule
from .cpt import GUIDANCE_FAMILIES


@rule(
    "NCCI-PTP",
    "NCCI procedure-to-procedure edit",
    "ncci",
    "error",
    ncci.PTP_SOURCES,
    note=f"{ncci.PTP_VINTAGE} table; each edit's deletion date is honoured",
)
def ptp(ctx: Context):
    """Two codes billed for the same date that form an active NCCI procedure-to-procedure edit: with
    modifier indicator 0 the column-two code is denied whatever the modifiers; with indicator 1 it needs a
    distinct-service modifier backed by documentation of a separate site or session. Imaging-guidance pairs
    are reported by CPT-IMAGING-INCLUDED and local anesthetic (J2001) by NCCI-LOCAL-ANESTHETIC instead."""
    for i, j, edit in _edit_pairs(ctx):
        line_b, code_a, code_b = ctx.lines[j], ctx.codes[i], ctx.codes[j]
        modifier = [m for m in line_b.modifiers if m in DISTINCT_SERVICE_MODIFIERS]
        text = (
            f"Lines {i + 1} and {j + 1}: NCCI edit {code_a.code} / {code_b.code} ({edit.rationale}, "
            f"modifier indicator {edit.modifier_indicator}, {ncci.table_label()} table)"
        )
        if edit.modifier_indicator == "0":
            yield Hit(text + f": {code_b.code} is not payable with {code_a.code}, with or without a modifier.", (i, j))
        elif modifier:
            yield Hit(
                text + f": bypassed with {modifier[0]} - the record must show a separate site or session.",
                (j,),
                "info",
            )
        else:
            yield Hit(
                text + f": {code_b.code} is denied unless a separate site or session is documented and "
                "marked with 59/XS/XE/XP/XU.",
                (i, j),
            )


def _edit_pairs(ctx: Context) -> list[tuple[int, int, ncci.PtpEdit]]:
    """(line i, line j, edit) for every ordered pair of claim lines whose codes form an active edit with
    line i's code in column 1, in line order. The table is looked up once per pair of distinct *codes* (a
    claim has few), not per pair of lines, so the work grows with the lines only through the findings."""
    lines_of: dict[str, list[int]] = {}
    for i, _line, code in ctx.triples:
        lines_of.setdefault(code.code, []).append(i)
    column2 = {c: js for c, js in lines_of.items() if ctx.codes[js[0]].family not in GUIDANCE_FAMILIES and c != "J2001"}
    found = []
    for code_a, lines_a in lines_of.items():
        for code_b, lines_b in column2.items():
            for edit in ncci.edits_between(code_a, code_b, ctx.day):
                if (edit.column1, edit.column2) == (code_a, code_b):
                    found.extend((i, j, edit) for i in lines_a for j in lines_b if i != j)
    found.sort(key=lambda hit: (hit[0], hit[1]))
    return found


def _has_procedure(ctx: Context) -> bool:
    return any(c.global_days in ("000", "010", "ZZZ") and c.kind != "drug" for c in ctx.codes)


@rule(
    "NCCI-EM-SAME-DAY",
    "E/M visit on the day of the injection",
    "ncci",
    "error",
    ("NCCI-EM-MINOR",),
    codes=("99202-99215",),
)
def em_same_day(ctx: Context):
    """An ESI is a minor procedure (global 000): the evaluation that leads to the decision to inject is part
    of it. A same-day E/M is billable only when it is significant and separately identifiable, with
    modifier 25 - being a new patient is not enough."""
    if "em" not in ctx.families:
        return
    em_lines = ctx.indexed(lambda c: c.family == "em")
    if not _has_procedure(ctx):
        return
    documented = {s.code for s in ctx.encounter.other_services if s.separately_identifiable}
    for i, line, _code in em_lines:
        if "25" not in line.modifiers:
            yield Hit(
                f"Line {i + 1}: {line.code} on the day of a minor procedure needs modifier 25 and a significant, "
                "separately identifiable service; otherwise the visit is included in the injection.",
                (i,),
            )
        elif line.code not in documented:
            yield Hit(
                f"Line {i + 1}: {line.code}-25 is billed, but the record does not show a significant, separately "
                "identifiable evaluation.",
                (i,),
                "warning",
            )


@rule(
    "NCCI-LOCAL-ANESTHETIC",
    "Local anesthetic is part of the injection",
    "ncci",
    "error",
    ("NCCI-LIDOCAINE", "CMS-PTP-PRAC-2024Q3"),
    codes=("J2001",),
)
def local_anesthetic(ctx: Context):
    """Lidocaine or another local anesthetic used to numb the skin and track is part of the injection
    procedure. J2001 (lidocaine for IV infusion) is paired with every ESI code by NCCI."""
    if "J2001" not in ctx.billed_codes:
        return
    for i, _line, _code in ctx.indexed(lambda c: c.code == "J2001"):
        yield Hit(f"Line {i + 1}: J2001 - local anesthetic for the procedure is not billed separately.", (i,))
