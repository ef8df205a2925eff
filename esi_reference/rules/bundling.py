"""NCCI bundling rules: procedure-to-procedure edits and services included in the injection.

The PTP table is the one in force on the date of service (:func:`esi_reference.reference.ncci.tables_for`: an
installed CMS quarter, else the shipped Q3 2024 practitioner table); each finding names the table used.
An edit applies from its effective date through its deletion date; modifier indicator 9 never applies.
Indicator 0: the two codes are never paid together. Indicator 1: the column-two code is payable only with
an NCCI-associated modifier the record supports (:func:`esi_reference.reference.ncci.bypass_modifier`) - a separate
site, session or encounter (59, XE, XS, XP, XU, different anatomic modifiers), a significant and separately
identifiable E/M (25) - never to unbundle imaging guidance or a second approach to the same region.
"""

from __future__ import annotations

from esi_reference.reference import ncci
from esi_reference.rules.base import Context, Hit, rule
from esi_reference.rules.cpt import GUIDANCE_FAMILIES


def table_citations(rule_sources: tuple[str, ...], table_sources: tuple[str, ...], table_id: str) -> tuple[str, ...]:
    """The rule's sources with its shipped-table source replaced by the table actually used."""
    return (*(s for s in rule_sources if s not in table_sources), table_id)


PTP_RULE_SOURCES = (*ncci.PTP_SOURCES, *ncci.MODIFIER_SOURCES)


@rule(
    "NCCI-PTP",
    "NCCI procedure-to-procedure edit",
    "ncci",
    "error",
    PTP_RULE_SOURCES,
    note="the PTP table in force on the date of service; effective and deletion dates honoured, indicator 9 ignored",
    claims="Whether the record supports a distinct-service modifier (a separate site or session).",
)
def ptp(ctx: Context):
    """Two codes billed for the same date that form an NCCI procedure-to-procedure edit in force: with
    modifier indicator 0 the column-two code is denied whatever the modifiers; with indicator 1 it needs an
    NCCI-associated modifier backed by the record (separate site or session; 25 for a separate E/M).
    Imaging-guidance pairs are reported by CPT-IMAGING-INCLUDED and local anesthetic (J2001) by
    NCCI-LOCAL-ANESTHETIC instead. E/M codes are looked up one by one."""
    for i, j, edit in _edit_pairs(ctx):
        line_a, line_b = ctx.lines[i], ctx.lines[j]
        cites = table_citations(PTP_RULE_SOURCES, ncci.PTP_SOURCES, edit.sources[0] if edit.sources else "")
        text = (
            f"Lines {i + 1} and {j + 1}: NCCI edit {edit.column1} / {edit.column2} ({edit.rationale}, "
            f"modifier indicator {edit.modifier_indicator}; PTP table {edit.table})"
        )
        bypass = ncci.bypass_modifier(edit, line_a.modifiers, line_b.modifiers)
        if edit.modifier_indicator == "0":
            yield Hit(
                text + f": {edit.column2} is not payable with {edit.column1}, with or without a modifier.",
                (i, j),
                table=edit.table,
                citations=cites,
            )
        elif bypass:
            support = (
                "a significant, separately identifiable service"
                if bypass in ncci.EM_MODIFIERS
                else "a separate site or session"
            )
            yield Hit(
                text + f": bypassed with {bypass} - the record must show {support}.",
                (j,),
                "info",
                table=edit.table,
                citations=cites,
            )
        else:
            need = (
                "a significant, separately identifiable E/M is documented and marked with 25"
                if ncci.is_em(edit.column2)
                else "a separate site or session is documented and marked with 59/XS/XE/XP/XU"
            )
            yield Hit(text + f": {edit.column2} is denied unless {need}.", (i, j), table=edit.table, citations=cites)


def _edit_pairs(ctx: Context) -> list[tuple[int, int, ncci.PtpEdit]]:
    """(line i, line j, edit) for every ordered pair of claim lines whose codes form an active edit with
    line i's code in column 1, in line order. The table is looked up once per pair of distinct *codes* (a
    claim has few), not per pair of lines, so the work grows with the lines only through the findings."""
    lines_of: dict[str, list[int]] = {}
    for i, line, _code in ctx.triples:  # the billed code: E/M codes are looked up one by one
        lines_of.setdefault(line.code, []).append(i)
    column2 = {c: js for c, js in lines_of.items() if ctx.codes[js[0]].family not in GUIDANCE_FAMILIES and c != "J2001"}
    found = []
    tables = ctx.ncci_tables
    for code_a, lines_a in lines_of.items():
        for code_b, lines_b in column2.items():
            for edit in tables.edits_from(code_a, code_b, ctx.day):
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
    claims="""Whether the record shows a significant, separately identifiable evaluation behind modifier 25:
    the audit reports only the visit without 25.""",
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
        elif line.code not in documented and not ctx.claim_only:
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
    claims="Nothing: the code is on the claim line.",
)
def local_anesthetic(ctx: Context):
    """Lidocaine or another local anesthetic used to numb the skin and track is part of the injection
    procedure. J2001 (lidocaine for IV infusion) is paired with every ESI code by NCCI."""
    if "J2001" not in ctx.billed_codes:
        return
    for i, _line, _code in ctx.indexed(lambda c: c.code == "J2001"):
        yield Hit(f"Line {i + 1}: J2001 - local anesthetic for the procedure is not billed separately.", (i,))
