"""Code pages (one per catalogue row) and the code catalogue index.

Each code page opens with the quick-facts card (``esi_reference.views.facts.quick_facts``, the same facts as
``esi-ref lookup``), then only this code's own rules (``esi_reference.views.facts.own_rules``) and NCCI edits;
long tables are collapsed and kept out of the search index (class ``esi-noindex``, see book/_ext).
"""

from __future__ import annotations

from esi_reference.reference import catalogue, documentation, ncci
from esi_reference.reference.catalogue import FAMILY_LABELS, REGION_LABELS
from esi_reference.reference.sources import source as get_source
from esi_reference.views import facts, frames

from .common import (
    DELETED_BADGE,
    UNVERIFIED_BADGE,
    Page,
    code_link,
    esc,
    render,
    rule_ref,
    sources_refs,
    table,
)

#: Tables longer than this are collapsed on code pages.
COLLAPSE_ROWS = 6

#: Navigation: the comparison page and the practice notebook that fit each code family.
COMPARISON = {
    "esi_interlaminar": ("/generated/compare/interlaminar-matrix", "the 62320-62327 matrix"),
    "esi_transforaminal": ("/generated/compare/transforaminal", "transforaminal codes compared"),
    "esi_transforaminal_ultrasound": ("/generated/compare/transforaminal", "transforaminal codes compared"),
}
PRACTICE = {
    "esi_interlaminar": "01-interlaminar",
    "esi_transforaminal": "02-transforaminal",
    "esi_transforaminal_ultrasound": "02-transforaminal",
    "imaging_guidance": "03-bundling",
    "epidurography": "03-bundling",
    "drug": "06-drugs",
    "contrast": "06-drugs",
    "sedation": "05-coverage",
}


def index_terms(c: catalogue.Code) -> list[str]:
    """The search-index entries of a code page: its code, and for a range row every code number it covers."""
    if not c.is_range:
        return [c.code]
    low, high = c.code.split("-")
    numbers = [f"{n:05d}" for n in range(int(low), int(high) + 1)] if low.isdigit() and high.isdigit() else []
    return [c.code, *(n for n in numbers if c.covers(n))]


def practice_doc(c: catalogue.Code, exercises: set[str]) -> str:
    name = PRACTICE.get(c.family, "04-not-esi")
    return f"/practice/{name}" if name in exercises else ""  # the inline practice page of the topic


def code_page(c: catalogue.Code, exercises: set[str]) -> Page:
    quick = facts.quick_facts(c)
    path = f"codes/{c.code}"
    badges = [f'<span class="esi-kind">{esc(c.kind)}</span>']
    if c.deleted_on:
        badges.append(DELETED_BADGE)
    if c.unverified:
        badges.append(UNVERIFIED_BADGE)
    comparison = COMPARISON.get(c.family, ("/generated/compare/esi-facet-si", "ESI vs facet vs SI joint"))
    if c.code in ("62321", "62323"):
        comparison = ("/generated/compare/62321-vs-62323", "62321 vs 62323")

    edits_rows, edits_md = [], []
    for r in frames.ptp_frame(code=c.code).itertuples(index=False):
        other = r.column2 if r.column1 == c.code else r.column1
        role = "column 1 (paid)" if r.column1 == c.code else "column 2 (denied)"
        edits_rows.append([other, role, r.modifier_indicator, r.modifier_meaning, r.deletion_date, r.rationale])
        edits_md.append(
            [
                code_link(other),
                esc(role),
                esc(r.modifier_indicator),
                esc(r.modifier_meaning),
                esc(r.deletion_date or "active"),
                esc(r.rationale),
            ]
        )
    edits = (
        table(
            path,
            "ptp-edits",
            ["Other code", f"{c.code} is", "Modifier", "Meaning", "Deleted", "Why"],
            edits_rows,
            edits_md,
        )
        if edits_rows
        else ""
    )
    rules = facts.own_rules(c)
    rules_table = (
        table(
            path,
            "rules",
            ["Rule", "What it checks", "Severity", "Effective", "Sources"],
            [[r.id, r.title, r.severity, r.effective_text, " ".join(r.sources)] for r in rules],
            [
                [rule_ref(r.id), esc(r.title), esc(r.severity), esc(r.effective_text), sources_refs(r.sources)]
                for r in rules
            ],
        )
        if rules
        else ""
    )
    docs = documentation.items_for_code(c.code) if c.is_esi else ()
    docs_table = (
        table(
            path,
            "documentation",
            ["Item", "When", "What the record shows", "Sources"],
            [[d.title, d.applies_to_text, d.text, " ".join(d.sources)] for d in docs],
            [[f"**{esc(d.title)}**", esc(d.applies_to_text), esc(d.text), sources_refs(d.sources)] for d in docs],
        )
        if docs
        else ""
    )
    addons = [a.code for a in catalogue.all_codes() if c.code in a.primary_codes]
    same = [x.code for x in catalogue.codes(family=c.family) if x.code != c.code]
    return render(
        path,
        esc(quick.title),
        "code.md.j2",
        description=c.summary,
        c=c,
        index_terms=index_terms(c),
        quick=quick,
        card=[f for f in quick.facts if f.key != "definition"],
        badges=" ".join(badges),
        family=FAMILY_LABELS.get(c.family, c.family),
        region=REGION_LABELS.get(c.region_family, ""),
        comparison=comparison,
        practice=practice_doc(c, exercises),
        edits=edits,
        edits_count=len(edits_rows),
        ptp_vintage=ncci.PTP_VINTAGE,
        rules=rules,
        rules_table=rules_table,
        docs_table=docs_table,
        docs_count=len(docs),
        addons=addons,
        same=same,
        replaces=quick.predecessors,
        collapse=COLLAPSE_ROWS,
        sources=[(s, get_source(s).title) for s in c.sources],
    )


def codes_index() -> Page:
    sections = []
    for fam in catalogue.families():
        rows_c = catalogue.codes(family=fam)
        rows = [
            [
                c.code,
                facts.title(c).split(" - ", 1)[1],
                c.status,
                REGION_LABELS.get(c.region_family, ""),
                c.validity,
                " ".join(c.unverified),
            ]
            for c in rows_c
        ]
        md = [
            [
                code_link(c.code),
                esc(r[1]) + (f" {UNVERIFIED_BADGE}" if c.unverified else ""),
                esc(c.status) + (f" {DELETED_BADGE}" if c.deleted_on else ""),
                esc(r[3]),
                esc(c.validity),
            ]
            for c, r in zip(rows_c, rows, strict=True)
        ]
        sections.append(
            (
                FAMILY_LABELS.get(fam, fam),
                table(
                    "codes",
                    fam,
                    ["Code", "What it is", "Kind", "Region", "Valid", "Unverified fields"],
                    rows,
                    [[*m, esc(r[5])] for m, r in zip(md, rows, strict=True)],
                ),
            )
        )
    return render("codes", "Code catalogue", "codes-index.md.j2", sections=sections)


def pages(exercises: set[str]) -> list[Page]:
    return [codes_index(), *(code_page(c, exercises) for c in catalogue.all_codes())]
