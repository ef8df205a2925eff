"""Reference pages: the documentation checklist, the rule catalogue, sources, glossary and downloads."""

from __future__ import annotations

from urllib.parse import urlparse

from esi_reference import conformance
from esi_reference.reference import catalogue, documentation, policy
from esi_reference.reference.catalogue import BILATERAL_LABELS
from esi_reference.reference.sources import sources as all_sources
from esi_reference.rules import FAMILIES, all_rules
from esi_reference.views import frames

from .common import (
    CSV_DIR,
    ENV,
    OUT,
    UNVERIFIED_BADGE,
    Page,
    badge,
    doc_md,
    esc,
    render,
    rule_ref,
    slug,
    source_ref,
    sources_refs,
    table,
    write_if_changed,
)

#: Per-rule attributes other parts of the package may declare, rendered on the rule catalogue when present:


def rule_notes(rule, differences: dict[str, list[dict[str, str]]]) -> list[tuple[str, str]]:
    """(heading, text) notes of a rule: what a claims file cannot show (declared on the rule, ``Rule.claims``)
    and the conformance cases where the engine knowingly differs from public guidance
    (:func:`esi_reference.conformance.known_differences`)."""
    notes = [("What a claims file cannot show", " ".join(rule.claims.split()))] if rule.claims else []
    for case in differences.get(rule.id, ()):
        notes.append(("Known difference", f"{case['guidance']} Why we differ: {case['reason']} ({case['id']})"))
    return notes


def checklist() -> Page:
    groups = [
        (text, documentation.documentation_items(key))
        for key, text in documentation.APPLIES_TO.items()
        if documentation.documentation_items(key)
    ]
    df = frames.documentation_frame()
    items = documentation.documentation_items()
    all_items = table(
        "checklist",
        "items",
        ["Id", "Item", "When", "What the record shows", "Severity if missing", "Sources"],
        [[r.id, r.title, r.applies_to_text, r.text, r.severity, r.sources] for r in df.itertuples(index=False)],
        [
            [
                esc(d.id),
                f"**{esc(d.title)}**",
                esc(d.applies_to_text),
                esc(d.text),
                esc(d.severity),
                sources_refs(d.sources),
            ]
            for d in items
        ],
    )
    return render(
        "checklist",
        "Documentation checklist",
        "checklist.md.j2",
        description="A one-page printable checklist of what an ESI record must show.",
        groups=groups,
        all_items=all_items,
    )


def rules_page() -> Page:
    rules = all_rules()
    df = frames.rules_frame()
    overview = table(
        "rules",
        "rules",
        ["Rule", "Checks", "Family", "Severity", "Effective (date of service)", "Sources"],
        [[r.id, r.title, r.family, r.severity, r.effective_text, r.sources] for r in df.itertuples(index=False)],
        [
            [
                rule_ref(r.id),
                esc(r.title),
                esc(r.family),
                esc(r.severity),
                esc(r.effective_text),
                sources_refs(r.sources),
            ]
            for r in rules
        ],
    )
    families = []
    differences = conformance.known_differences()
    for fam in dict.fromkeys(r.family for r in rules):
        entries = []
        for r in (x for x in rules if x.family == fam):
            notes = rule_notes(r, differences)
            entries.append((r, slug(r.id), doc_md(r.doc), notes))
        families.append((FAMILIES.get(fam, fam), entries))
    return render(
        "rules",
        "Rule catalogue",
        "rules.md.j2",
        description="Every billing rule the checker runs, with its effective dates and sources.",
        count=len(rules),
        overview=overview,
        families=families,
    )


def _where(url: str) -> str:
    """A source's location as a short, wrapping link (the host name as text) or escaped text."""
    if url.startswith("http"):
        host = urlparse(url).netloc.removeprefix("www.")
        return f"[{esc(host)}]({url})"
    return esc(url)


HUMAN_HEADERS = {
    "id": "Id",
    "title": "Title",
    "publisher": "Publisher",
    "url": "Where",
    "document_id": "Document",
    "effective_date": "Effective",
    "date_read": "Read on",
    "confidence": "Confidence",
    "note": "What we read",
}


def sources_page() -> Page:
    df = frames.sources_frame()
    short = ["id", "title", "url", "effective_date", "confidence"]
    overview = table(
        "sources",
        "sources",
        [HUMAN_HEADERS[c] for c in df.columns],
        df.values.tolist(),
        [
            [
                source_ref(r.id),
                esc(r.title),
                _where(r.url),
                esc(r.effective_date),
                badge(r.confidence),
            ]
            for r in df.itertuples(index=False)
        ],
        md_headers=[HUMAN_HEADERS[c] for c in short],  # the page shows five columns, the CSV all of them
    )
    entries = [(s, slug(s.id), _where(s.url) if s.url else "") for s in all_sources()]
    return render(
        "sources",
        "Sources and bibliography",
        "sources.md.j2",
        description="Every CMS, MAC, OIG and coding source the reference cites, with dates.",
        overview=overview,
        entries=entries,
    )


def glossary() -> Page:
    text = ENV.get_template("glossary-terms.j2").render(
        bilateral="; ".join(BILATERAL_LABELS[k] for k in ("0", "1", "9")),
        distinct=", ".join(sorted(policy.DISTINCT_SERVICE_MODIFIERS)),
        pos="; ".join(f"{k} {v}" for k, v in policy.PLACES_OF_SERVICE.items()),
        mai="; ".join(catalogue.MAI_LABELS.values()),
        sessions=policy.MAX_SESSIONS_PER_12_MONTHS,
    )
    terms = sorted(tuple(line.split(" :: ", 1)) for line in text.splitlines() if " :: " in line)
    return render(
        "glossary",
        "Glossary",
        "glossary.md.j2",
        terms=terms,
        table=table("glossary", "terms", ["Term", "Meaning"], terms),
    )


def downloads() -> Page:
    full = {
        "codes": frames.codes_frame,
        "sources": frames.sources_frame,
        "documentation": frames.documentation_frame,
        "ptp-edits": frames.ptp_frame,
        "rules": frames.rules_frame,
    }
    files = []
    for name, fn in full.items():
        df = fn()
        write_if_changed(OUT / CSV_DIR / f"{name}.csv", df.to_csv(index=False, lineterminator="\n"))
        files.append((name, len(df), len(df.columns), ", ".join(df.columns[:6])))
    return render("downloads", "Downloads", "downloads.md.j2", files=files, csv_dir=CSV_DIR)


def pages() -> list[Page]:
    return [checklist(), rules_page(), sources_page(), glossary(), downloads()]


__all__ = ["UNVERIFIED_BADGE", "pages"]
