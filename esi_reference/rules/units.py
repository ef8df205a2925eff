"""Medically unlikely edits: the most units of a code one provider may report for one patient per day.

Values and adjudication indicators come from the CMS practitioner MUE table in force on the date of
service (an installed quarter, else the shipped Q3 2024 values in the code catalogue); each finding names
the table used. MAI 1 is a claim-line edit; MAI 2 a date-of-service edit set by policy (absolute: units
above it are never paid); MAI 3 a date-of-service edit set on clinical grounds (units above it are denied
but can be paid on appeal with records). Bilateral lines with modifier 50 count as reported (1 unit).
Codes are looked up one by one (an E/M code by its own number, not the catalogue's range row).
"""

from __future__ import annotations

from collections import defaultdict

from esi_reference.cmsdata.tables import HOSPITAL, SHIPPED_MUE_SOURCE
from esi_reference.rules.base import Context, Hit, line_list, rule
from esi_reference.rules.bundling import table_citations

MUE_RULE_SOURCES = (SHIPPED_MUE_SOURCE, "PALMETTO-MUE")


@rule(
    "MUE-UNITS",
    "Units per day within the MUE",
    "mue",
    "error",
    MUE_RULE_SOURCES,
    note="values of the MUE table in force on the date of service",
    claims="""Which provider billed: the audit adds the units of one patient and date of service across claims
    and providers (the MUE is per provider).""",
)
def mue_units(ctx: Context):
    """Units of a code for one date of service must not exceed its MUE. Over an MAI 2 limit (64479, 64483,
    the facet codes, 27096) the excess is never payable (error); over an MAI 3 limit (62320-62327, 64480,
    64484, 77003, drugs) the excess is denied but appealable with records (warning). A facility claim is
    checked only in a hospital outpatient department with an outpatient hospital MUE table installed: the
    practitioner values are not the facility's, and which table applies to an ASC's claim is not verified."""
    tables = ctx.ncci_tables
    facility = ctx.encounter.claim_type == "facility"
    if facility and tables.setting != HOSPITAL:
        return
    per_code: dict[str, list[int]] = defaultdict(list)
    for i, line, _code in ctx.indexed():
        per_code[line.code].append(i)
    for code_id, indices in per_code.items():
        value, table = tables.mue_for(code_id)
        if value is None or (facility and table.setting != HOSPITAL):
            continue  # no MUE, or a facility claim's code the hospital table does not list
        mue, mai = value.units, value.mai
        units = sum(ctx.lines[i].units for i in indices)
        if units <= mue:
            continue  # within the limit per day, so within it on every line too
        cites = table_citations(MUE_RULE_SOURCES, (SHIPPED_MUE_SOURCE,), table.citation)
        where = f"MUE table {table.label}"
        if mai == "1":
            over = [i for i in indices if ctx.lines[i].units > mue]
            if over:
                yield Hit(
                    f"{code_id}: more than {mue} unit(s) on one line ({line_list(ctx, over)}); MUE {mue}, MAI 1 "
                    f"({where}).",
                    tuple(over),
                    table=table.label,
                    citations=cites,
                )
        else:
            kind = (
                "absolute (MAI 2): the excess is never paid"
                if mai == "2"
                else "clinical (MAI 3): the excess is denied, appealable with records"
            )
            yield Hit(
                f"{code_id}: {units} units on {ctx.day.isoformat()} exceed the MUE of {mue} - {kind} ({where}).",
                tuple(indices),
                "error" if mai == "2" else "warning",
                table=table.label,
                citations=cites,
            )
