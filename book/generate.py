"""Writes the book's reference pages, CSV downloads and spine diagram from ``esi_reference``.

Run by ``tools/build_site.py`` before ``jupyter-book build``. Everything lands in ``book/generated/``
(git-ignored): nothing here is hand-copied, every fact comes from the package's data and functions. This
module only lays the facts out; when a page needs a coding decision it asks the package.

Every table on a generated page is also written as a CSV file and followed by its download link.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from esi_reference import catalogue, coding, documentation, frames, ncci, policy
from esi_reference.catalogue import (
    APPROACH_LABELS,
    BILATERAL_LABELS,
    CATHETER_LABELS,
    FAMILY_LABELS,
    IMAGING_LABELS,
    REGION_LABELS,
    UNIT_LABELS,
)
from esi_reference.cli import code_detail
from esi_reference.contractors import lcd_contractors
from esi_reference.sources import source as get_source
from esi_reference.sources import sources as all_sources

BOOK = Path(__file__).resolve().parent
OUT = BOOK / "generated"
IL, TF = "esi_interlaminar", "esi_transforaminal"
CSV_DIR = "csv"
TODAY = dt.date.today()
UNVERIFIED_BADGE = '<span class="esi-unverified" title="not confirmed in a primary source">unverified</span>'
DELETED_BADGE = '<span class="esi-deleted">deleted</span>'


# --------------------------------------------------------------------------------------------- helpers

_WRITTEN: set[Path] = set()


def write_if_changed(target: Path, text: str) -> Path:
    """Write ``text`` unless the file already holds it, so an unchanged rebuild stays incremental."""
    _WRITTEN.add(target)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~{}])")


def esc(text: object) -> str:
    """Data text made safe as inline MyST (no accidental emphasis, roles, math, HTML or table cells)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def esc_marked(text: str) -> str:
    """Like :func:`esc`, but the package's ``[unverified]`` marks become a visible badge."""
    parts = str(text).split("[unverified]")
    return UNVERIFIED_BADGE.join(esc(p) for p in parts).strip()


_DOC_SPECIAL = re.compile(r"([\\$<>{}\[\]|~])")


def doc_md(text: str) -> list[str]:
    """A rule docstring as MyST paragraphs: its *emphasis* and ``code`` kept, everything else literal."""
    out = []
    for par in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [_DOC_SPECIAL.sub(r"\\\1", ln.strip()).replace("``", "`") for ln in par.splitlines() if ln.strip()]
        lines = ["\\" + ln if ln.startswith(("#", "=", "+", ">")) else ln for ln in lines]
        if lines:
            out.append("\n".join(lines))
    return out


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def code_doc(code: str) -> str:
    return f"/generated/codes/{code}"


def code_link(code: str) -> str:
    """A link to the page of ``code`` (or of the catalogue row covering it); plain text when unknown."""
    if catalogue.is_known(code):
        row = catalogue.lookup(code)
        return f"{{doc}}`{code} <{code_doc(row.code)}>`"
    return esc(code)


def codes_links(codes: Iterable[str], sep: str = ", ") -> str:
    return sep.join(code_link(c) for c in codes)


def source_ref(source_id: str) -> str:
    try:
        get_source(source_id)
    except Exception:
        return esc(source_id)
    return f"{{ref}}`{esc(source_id)} <src-{slug(source_id)}>`"


def sources_refs(ids: Iterable[str]) -> str:
    return ", ".join(source_ref(s) for s in ids)


def rule_ref(rule_id: str) -> str:
    return f"{{ref}}`{esc(rule_id)} <rule-{slug(rule_id)}>`"


@dataclass
class Page:
    """A generated MyST page; tables are written with their CSV download."""

    path: str  # relative to OUT, without suffix
    title: str
    lines: list[str] = field(default_factory=list)
    tables: int = 0

    def add(self, *text: str) -> None:
        self.lines.extend(text)
        self.lines.append("")

    def table(
        self,
        name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        md_rows: Sequence[Sequence[str]] | None = None,
        caption: str = "",
    ) -> None:
        """A pipe table (markdown cells ``md_rows``, else escaped ``rows``) + CSV of the plain ``rows``."""
        self.tables += 1
        csv_name = f"{slug(self.path.replace('/', '-'))}-{slug(name)}.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([["" if v is None else str(v) for v in r] for r in rows])
        write_if_changed(OUT / CSV_DIR / csv_name, buffer.getvalue())
        cells = md_rows if md_rows is not None else [[esc(v) for v in r] for r in rows]
        if caption:
            self.add(f"**{caption}**")
        out = ["| " + " | ".join(esc(h) for h in headers) + " |", "|" + "---|" * len(headers)]
        out += ["| " + " | ".join(c.replace("\n", " ") or " " for c in r) + " |" for r in cells]
        self.add(*out)
        self.add(f"{{download}}`Download this table as CSV </generated/{CSV_DIR}/{csv_name}>`")

    def write(self) -> Path:
        header = [
            "---",
            "generated: true",
            "---",
            "",
            "<!-- Generated by book/generate.py from esi_reference. "
            "Do not edit: edit the package data and rebuild. -->",
            "",
        ]
        text = "\n".join([*header, f"# {self.title}", "", *self.lines]).rstrip() + "\n"
        return write_if_changed(OUT / f"{self.path}.md", text)


def _rules_api():
    """(all_rules, rules_for_code) from the rule registry."""
    from esi_reference.rules import all_rules, rules_for_code

    return all_rules, rules_for_code


def _date(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))


#: Compact column labels for the comparison tables (the code pages show the package's full labels).
SHORT = {
    "none": "none",
    "fluoro_ct": "fluoroscopy or CT",
    "ultrasound": "ultrasound",
    "single": "single shot",
    "indwelling": "indwelling catheter",
    "session": "1 per session",
    "level": "1 per level",
    "additional_level": "1 per extra level",
    "joint_level": "1 per joint level",
}


def short_label(value: str, labels: dict[str, str]) -> str:
    return SHORT.get(value) or labels.get(value, value)


def current(rows: Iterable[catalogue.Code]) -> list[catalogue.Code]:
    return [c for c in rows if c.valid_on(TODAY)]


def code_short(c: catalogue.Code) -> str:
    return ("+" if c.is_addon else "") + c.code


# ------------------------------------------------------------------------------------------ code pages


def code_page(c: catalogue.Code) -> Page:
    all_rules, rules_for_code = _rules_api()
    family = FAMILY_LABELS.get(c.family, c.family)
    region = REGION_LABELS.get(c.region_family, c.region_family)
    p = Page(f"codes/{c.code}", esc(c.code))
    p.add(f'<p class="esi-subtitle">{esc(family)}' + (f" · {esc(region)}" if c.region_family else "") + "</p>")
    badges = [f'<span class="esi-kind">{esc(c.kind)}</span>']
    if c.deleted_on:
        badges.append(DELETED_BADGE)
    if c.unverified:
        badges.append(UNVERIFIED_BADGE)
    p.add(f'<p class="esi-badges">{" ".join(badges)}</p>')
    p.add(f'<p class="esi-summary">{esc(c.summary)}</p>')
    if c.deleted_on:
        p.add(
            f"```{{warning}}\nThis code was deleted: not valid for dates of service from "
            f"{c.deleted_on.isoformat()}."
            + (f" Replaced by {codes_links(c.replaced_by)}." if c.replaced_by else "")
            + "\n```"
        )

    p.add("## When to use it")
    when = [
        f"- **What it reports:** {esc(c.summary)}",
        f"- **Valid for dates of service:** {esc(c.validity)}",
    ]
    if c.region_family:
        when.append(f"- **Spinal region:** {esc(region)}")
    if c.approach not in ("n/a", ""):
        when.append(f"- **Approach:** {esc(APPROACH_LABELS.get(c.approach, c.approach))}")
    if c.imaging not in ("n/a", ""):
        when.append(f"- **Imaging:** {esc(IMAGING_LABELS.get(c.imaging, c.imaging))}")
    if c.catheter not in ("n/a", ""):
        when.append(f"- **Catheter:** {esc(CATHETER_LABELS.get(c.catheter, c.catheter))}")
    if c.use_instead:
        when.append(f"- **Use another code when:** {esc(c.use_instead)}")
    p.add(*when)

    p.add("## Attributes", "The same facts as `esi-ref lookup " + c.code + "` on the command line.")
    detail = code_detail(c)
    p.table("attributes", ["Field", "Value"], detail, [[esc(k), esc_marked(v)] for k, v in detail])

    p.add("## Units and modifiers")
    units = [
        f"- **Units:** {esc(UNIT_LABELS.get(c.unit_basis, c.unit_basis))}"
        + (f"; 1 unit = {esc(c.unit_amount)} {esc(c.unit_measure)}" if c.unit_amount else "")
        + (f" {UNVERIFIED_BADGE}" if "unit_amount" in c.unverified else "")
    ]
    if c.bilateral_indicator:
        units.append(f"- **Bilateral surgery indicator:** {esc(BILATERAL_LABELS.get(c.bilateral_indicator, ''))}")
    if c.primary_codes:
        units.append(
            f"- **Add-on code:** report it only with {codes_links(c.primary_codes, ' or ')} on the same claim"
            + (f" {UNVERIFIED_BADGE}" if "primary_codes" in c.unverified else "")
        )
    addons = [a.code for a in catalogue.all_codes() if c.code in a.primary_codes]
    if addons:
        units.append(f"- **Its add-on codes:** {codes_links(addons)}")
    if c.mue is not None:
        units.append(
            f"- **Medically unlikely edit (MUE):** {c.mue} per day ({esc(c.mue_vintage)} CMS table)"
            + (f" {UNVERIFIED_BADGE}" if "mue" in c.unverified else "")
        )
    p.add(*units)

    p.add("## What not to combine with it")
    if c.confusions:
        p.add("Common errors:", *[f"- {esc(x)}" for x in c.confusions])
    edits = ncci.edits_for(c.code)
    if edits:
        p.add(
            f"NCCI procedure-to-procedure edits that name {c.code} (practitioner table, {ncci.PTP_VINTAGE}). "
            "Modifier indicator 0: never together; 1: only with a distinct-service modifier the record "
            "supports; 9: not applicable."
        )
        df = frames.ptp_frame(code=c.code)
        rows, md = [], []
        for r in df.itertuples(index=False):
            other = r.column2 if r.column1 == c.code else r.column1
            role = "column 1 (paid)" if r.column1 == c.code else "column 2 (denied)"
            rows.append([other, role, r.modifier_indicator, r.modifier_meaning, r.deletion_date, r.rationale])
            md.append(
                [
                    code_link(other),
                    esc(role),
                    esc(r.modifier_indicator),
                    esc(r.modifier_meaning),
                    esc(r.deletion_date or "active"),
                    esc(r.rationale),
                ]
            )
        p.table(
            "ptp-edits",
            ["Other code", f"{c.code} is", "Modifier indicator", "Meaning", "Deleted", "Rationale"],
            rows,
            md,
        )
    else:
        p.add(
            f"No NCCI pair edit naming {c.code} is in the shipped {ncci.PTP_VINTAGE} table "
            "(load your current quarterly file with `esi_reference.ncci.load_ptp_file`)."
        )

    p.add("## Documentation needed")
    if c.is_esi:
        items = documentation.items_for_code(c.code)
        rows = [[d.title, d.applies_to_text, d.text, " ".join(d.sources)] for d in items]
        md = [[f"**{esc(d.title)}**", esc(d.applies_to_text), esc(d.text), sources_refs(d.sources)] for d in items]
        p.table("documentation", ["Item", "When", "What the record shows", "Sources"], rows, md)
        p.add("Printable version: {doc}`the documentation checklist </generated/checklist>`.")
    else:
        p.add(
            f"{c.code} is not an epidural steroid injection code, so the ESI checklist does not apply to it. "
            "Every code billed must still be supported by the note "
            "(see {doc}`the documentation checklist </generated/checklist>`)."
        )

    p.add("## Rules that apply")
    rules = rules_for_code(c.code)
    if rules:
        rows = [[r.id, r.title, r.severity, r.effective_text, " ".join(r.sources)] for r in rules]
        md = [
            [rule_ref(r.id), esc(r.title), esc(r.severity), esc(r.effective_text), sources_refs(r.sources)]
            for r in rules
        ]
        p.table("rules", ["Rule", "What it checks", "Severity", "Effective", "Sources"], rows, md)
    else:
        p.add(
            f"No rule in the {{doc}}`rule catalogue </generated/rules>` names {c.code} directly "
            f"({len(all_rules())} rules in all)."
        )

    p.add("## Related and confused codes")
    rel = []
    if c.related:
        rel.append(f"- **Related:** {codes_links(c.related)}")
    if c.replaced_by:
        rel.append(f"- **Replaced by:** {codes_links(c.replaced_by)}")
    replaced = [x.code for x in catalogue.all_codes() if c.code in x.replaced_by]
    if replaced:
        rel.append(f"- **Replaces:** {codes_links(replaced)}")
    same = [x.code for x in catalogue.codes(family=c.family) if x.code != c.code]
    if same:
        rel.append(f"- **Same family ({esc(family)}):** {codes_links(same)}")
    p.add(*(rel or ["No related code is listed."]))

    p.add("## Validity dates")
    valid = [f"- **Valid:** {esc(c.validity)}"]
    if c.valid_from:
        valid.append(f"- **First date of service:** {c.valid_from.isoformat()}")
    if c.valid_to:
        valid.append(f"- **Last date of service:** {c.valid_to.isoformat()}")
    if "valid_from" in c.unverified or "valid_to" in c.unverified:
        valid.append(f"- The validity dates are {UNVERIFIED_BADGE}.")
    p.add(*valid)

    p.add("## Sources", *[f"- {source_ref(s)}: {esc(get_source(s).title)}" for s in c.sources])
    if c.unverified:
        p.add(f"{UNVERIFIED_BADGE} Fields not confirmed in a primary source: {esc(', '.join(c.unverified))}.")
    return p


def codes_index() -> Page:
    p = Page("codes", "Code catalogue")
    p.add(
        "Every code in the reference, one page each: the epidural steroid injection (ESI) codes, the codes "
        "they are confused with or bundled with, and the drug codes. Summaries are our own plain-language "
        "text, not CPT descriptors."
    )
    for fam in catalogue.families():
        rows_c = catalogue.codes(family=fam)
        rows = [
            [
                c.code,
                c.status,
                REGION_LABELS.get(c.region_family, ""),
                c.validity,
                c.summary,
                " ".join(c.unverified),
            ]
            for c in rows_c
        ]
        md = [
            [
                code_link(c.code),
                esc(c.status) + (f" {DELETED_BADGE}" if c.deleted_on else ""),
                esc(REGION_LABELS.get(c.region_family, "")),
                esc(c.validity),
                esc(c.summary) + (f" {UNVERIFIED_BADGE}" if c.unverified else ""),
            ]
            for c in rows_c
        ]
        p.add(f"## {esc(FAMILY_LABELS.get(fam, fam))}")
        p.table(
            fam,
            ["Code", "Kind", "Region", "Valid", "Summary", "Unverified fields"],
            rows,
            [[*m, esc(" ".join(c.unverified))] for m, c in zip(md, rows_c, strict=True)],
        )
    p.add("The whole catalogue as one file: {doc}`downloads </generated/downloads>`.")
    return p


# ---------------------------------------------------------------------------------------- comparisons


def _label_cell(c: catalogue.Code) -> str:
    return f"{code_link(c.code)}" + (f" {DELETED_BADGE}" if c.deleted_on else "")


def compare_interlaminar() -> Page:
    p = Page("compare/interlaminar-matrix", "Interlaminar and caudal ESI: the 62320-62327 matrix")
    p.add(
        "Eight codes, three questions: which spinal region, was the needle placed with fluoroscopy or CT, "
        "and does a catheter stay in for continuous infusion or repeated boluses? Each answer set picks "
        "exactly one code. Caudal injections (through the sacral hiatus) use the lumbar/sacral codes."
    )
    rows_c = current(catalogue.codes(family="esi_interlaminar"))
    regions = list(dict.fromkeys(c.region_family for c in rows_c))
    combos = list(dict.fromkeys((c.catheter, c.imaging) for c in rows_c))
    short = {
        "single": "single shot",
        "indwelling": "indwelling catheter",
        "none": "no imaging",
        "fluoro_ct": "fluoroscopy or CT",
    }
    headers = ["Region"] + [f"{short.get(cat, cat)}, {short.get(img, img)}" for cat, img in combos]
    rows, md = [], []
    for region in regions:
        cells = []
        for cat, img in combos:
            hit = [c for c in rows_c if c.region_family == region and c.catheter == cat and c.imaging == img]
            cells.append(hit)
        rows.append([REGION_LABELS[region]] + [" ".join(c.code for c in h) for h in cells])
        md.append([f"**{esc(REGION_LABELS[region])}**"] + [" ".join(code_link(c.code) for c in h) for h in cells])
    p.table("matrix", headers, rows, md)
    p.add("## The same codes, one row each")
    rows = [
        [
            c.code,
            REGION_LABELS[c.region_family],
            short_label(c.imaging, IMAGING_LABELS),
            short_label(c.catheter, CATHETER_LABELS),
            short_label(c.unit_basis, UNIT_LABELS),
            c.bilateral_indicator,
            c.validity,
        ]
        for c in rows_c
    ]
    md = [[code_link(r[0]), *[esc(v) for v in r[1:]]] for r in rows]
    p.table("codes", ["Code", "Region", "Guidance", "Catheter", "Units", "Bilateral", "Valid"], rows, md)
    p.add(bilateral_note(rows_c))
    old = [c for c in catalogue.codes(family="esi_interlaminar") if c.deleted_on]
    if old:
        p.add("## Before 2017")
        rows = [
            [
                c.code,
                REGION_LABELS[c.region_family],
                CATHETER_LABELS[c.catheter],
                c.validity,
                " ".join(c.replaced_by),
            ]
            for c in old
        ]
        md = [
            [_label_cell(c), esc(r[1]), esc(r[2]), esc(r[3]), codes_links(c.replaced_by)]
            for c, r in zip(old, rows, strict=True)
        ]
        p.table("deleted", ["Code", "Region", "Catheter", "Valid", "Replaced by"], rows, md)
    return p


def compare_transforaminal() -> Page:
    p = Page("compare/transforaminal", "Transforaminal ESI: 64479-64484 and the former ultrasound codes")
    p.add(
        "Transforaminal codes count levels, not sessions: one primary code for the first level and an add-on "
        "for each additional level in the same region. The ultrasound-guided Category III codes existed only "
        "until their deletion date below."
    )
    rows_c = [
        *catalogue.codes(family="esi_transforaminal"),
        *catalogue.codes(family="esi_transforaminal_ultrasound"),
    ]
    rows = [
        [
            c.code,
            c.kind,
            REGION_LABELS[c.region_family],
            short_label(c.imaging, IMAGING_LABELS),
            short_label(c.unit_basis, UNIT_LABELS),
            " ".join(c.primary_codes),
            c.bilateral_indicator,
            c.validity,
            " ".join(c.unverified),
        ]
        for c in rows_c
    ]
    md = [
        [
            _label_cell(c),
            esc(c.kind),
            esc(r[2]),
            esc(r[3]),
            esc(r[4]),
            codes_links(c.primary_codes),
            esc(r[6]),
            esc(r[7]),
            UNVERIFIED_BADGE + " " + esc(r[8]) if c.unverified else "",
        ]
        for c, r in zip(rows_c, rows, strict=True)
    ]
    p.table(
        "codes",
        ["Code", "Kind", "Region", "Guidance", "Units", "Add-on of", "Bilateral", "Valid", "Unverified"],
        rows,
        md,
    )
    p.add(bilateral_note(rows_c))
    ct = policy.region_family_of_level("T12-L1", "transforaminal")
    p.add(
        f"A transforaminal injection at T12-L1 is coded in the {esc(REGION_LABELS[ct])} family "
        f"({codes_links(c.code for c in current(catalogue.codes(family=TF, region_family=ct)))}). "
        "See {doc}`the spine diagram </generated/spine>`."
    )
    p.add(
        "## What to use instead",
        *[f"- {code_link(c.code)}: {esc(c.use_instead)}" for c in rows_c if c.use_instead],
    )
    return p


def bilateral_note(rows: Iterable[catalogue.Code]) -> str:
    """The meaning of each bilateral indicator used in a table, from the package's labels."""
    used = sorted({c.bilateral_indicator for c in rows if c.bilateral_indicator})
    return "Bilateral indicator: " + "; ".join(esc(BILATERAL_LABELS[b]) for b in used if b in BILATERAL_LABELS) + "."


def compare_62321_62323() -> Page:
    a, b = catalogue.lookup("62321"), catalogue.lookup("62323")
    p = Page("compare/62321-vs-62323", "62321 vs 62323")
    p.add(
        f"Both are image-guided interlaminar (or caudal) epidural injections reported once per session. "
        f"The difference is the region: **62321** is {esc(REGION_LABELS[a.region_family])}, **62323** is "
        f"{esc(REGION_LABELS[b.region_family])}. Rows that differ are marked."
    )
    da, db = dict(code_detail(a)), dict(code_detail(b))
    keys = list(dict.fromkeys([k for k, _ in code_detail(a)] + [k for k, _ in code_detail(b)]))
    keys = [k for k in keys if k not in ("Code", "Common error")]
    rows, md = [], []
    for k in keys:
        va, vb = da.get(k, ""), db.get(k, "")
        differs = "yes" if va != vb else ""
        rows.append([k, va, vb, differs])
        mark = "**differs**" if differs else ""
        md.append([f"**{esc(k)}**" if differs else esc(k), esc_marked(va), esc_marked(vb), mark])
    p.table("side-by-side", ["", "62321", "62323", "Different?"], rows, md)
    p.add("## Common errors")
    p.add(*[f"- {code_link(c.code)}: {esc(x)}" for c in (a, b) for x in c.confusions])
    return p


def compare_families() -> Page:
    p = Page("compare/esi-facet-si", "ESI vs facet vs sacroiliac joint injections")
    p.add(
        "Three different targets: the epidural space (ESI), the facet joints or their medial branch nerves, "
        "and the sacroiliac joint. They use different code families, count units differently and split the "
        "spine differently at T12-L1."
    )
    fams = ["esi_interlaminar", "esi_transforaminal", "facet", "si_joint"]
    rows, md = [], []
    for fam in fams:
        cs = current(catalogue.codes(family=fam))
        approach = cs[0].approach
        by_region = {r: [c for c in cs if c.region_family == r] for r in ("cervical_thoracic", "lumbar_sacral", "")}
        units = sorted({short_label(c.unit_basis, UNIT_LABELS) for c in cs})
        bil = sorted({c.bilateral_indicator for c in cs if c.bilateral_indicator})
        if approach in ("transforaminal", "interlaminar_caudal", "facet"):
            t12 = REGION_LABELS[policy.region_family_of_level("T12-L1", approach)]
        else:
            t12 = "not a spinal level"
        row = [
            FAMILY_LABELS[fam],
            APPROACH_LABELS.get(approach, approach),
            " ".join(code_short(c) for c in by_region["cervical_thoracic"]),
            " ".join(code_short(c) for c in by_region["lumbar_sacral"]),
            " ".join(code_short(c) for c in by_region[""]),
            "; ".join(units),
            "; ".join(bil),
            t12,
            "yes" if cs[0].is_esi else "no",
        ]
        rows.append(row)
        md.append(
            [
                f"**{esc(row[0])}**",
                esc(row[1]),
                *[
                    " ".join(("+" if c.is_addon else "") + code_link(c.code) for c in by_region[r])
                    for r in ("cervical_thoracic", "lumbar_sacral", "")
                ],
                esc(row[5]),
                esc(row[6]),
                esc(row[7]),
                esc(row[8]),
            ]
        )
    # one column per family (transposed), so the table fits a normal page width
    labels = [
        "Target",
        "Cervical/thoracic codes",
        "Lumbar/sacral codes",
        "Not region-specific",
        "How units count",
        "Bilateral indicator",
        "T12-L1 is coded as",
        "ESI?",
    ]
    p.table(
        "families",
        ["", *[r[0] for r in rows]],
        [[label, *[r[i + 1] for r in rows]] for i, label in enumerate(labels)],
        [[f"**{esc(label)}**", *[m[i + 1] for m in md]] for i, label in enumerate(labels)],
    )
    p.add(bilateral_note(c for fam in fams for c in current(catalogue.codes(family=fam))))
    p.add("A plus sign marks an add-on code. See {doc}`the spine diagram </generated/spine>` for the region split.")
    return p


# -------------------------------------------------------------------------------------------- spine

SEGMENTS = [f"C{i}" for i in range(1, 8)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)] + ["S1"]
SPINE_COLUMNS = [
    ("esi_interlaminar", "interlaminar_caudal", "Interlaminar /", "caudal ESI"),
    ("esi_transforaminal", "transforaminal", "Transforaminal", "ESI"),
    ("facet", "facet", "Facet joint", "(not ESI)"),
]
REGION_COLORS = {"cervical_thoracic": ("#dbeafe", "#1d4ed8"), "lumbar_sacral": ("#fef3c7", "#b45309")}
SEGMENT_COLORS = {"C": "#bfdbfe", "T": "#c7d2fe", "L": "#fde68a", "S": "#fed7aa"}


def interspaces() -> list[str]:
    levels = [f"{a}-{b}" for a, b in itertools.pairwise(SEGMENTS)]
    return [lv for lv in levels if policy.is_level(lv)]


def spine_rows() -> list[tuple[str, dict[str, str]]]:
    """For each interspace: the region family each approach codes it in (asked of ``policy``)."""
    return [
        (lv, {fam: policy.region_family_of_level(lv, approach) for fam, approach, *_ in SPINE_COLUMNS})
        for lv in interspaces()
    ]


def spine_svg() -> str:
    """The spine diagram: which code family covers which interspace, with the T12-L1 split highlighted."""
    step, top, left, colw, gap = 20, 62, 84, 126, 8
    ys = {seg: top + i * step for i, seg in enumerate(SEGMENTS)}
    width = left + 56 + len(SPINE_COLUMNS) * (colw + gap) + 4
    sacrum_bottom = ys["S1"] + step * 2.6
    height = int(sacrum_bottom + 84)
    t: list[str] = []
    t.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="spine-title spine-desc" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">'
    )
    rows = spine_rows()
    desc = "; ".join(
        f"{lv}: " + ", ".join(f"{FAMILY_LABELS[f]} {REGION_LABELS[r]}" for f, r in d.items())
        for lv, d in rows
        if lv == "T12-L1"
    )
    t.append('<title id="spine-title">Which code family covers which spinal region</title>')
    t.append(
        '<desc id="spine-desc">Vertebrae C1 to the sacrum with the code sets for each approach. '
        f"{html.escape(desc)}"
        "</desc>"
    )
    t.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    # vertebrae
    for seg in SEGMENTS:
        y = ys[seg]
        if seg == "S1":
            t.append(
                f'<path d="M{left - 4},{y} L{left + 44},{y} L{left + 30},{sacrum_bottom} L{left + 10},'
                f'{sacrum_bottom} Z" fill="{SEGMENT_COLORS["S"]}" stroke="#7c2d12" stroke-width="1"/>'
            )
            t.append(f'<text x="{left - 10}" y="{y + 16}" text-anchor="end" fill="#111827">sacrum</text>')
            t.append(
                f'<text x="{left + 20}" y="{sacrum_bottom + 16}" text-anchor="middle" fill="#374151" '
                'font-size="11">caudal entry</text>'
            )
            continue
        t.append(
            f'<rect x="{left}" y="{y + 2}" width="40" height="{step - 5}" rx="5" '
            f'fill="{SEGMENT_COLORS[seg[0]]}" '
            'stroke="#374151" stroke-width="1"/>'
        )
        t.append(f'<text x="{left - 10}" y="{y + step / 2 + 3}" text-anchor="end" fill="#111827">{seg}</text>')
    # columns
    for i, (fam, _approach, head1, head2) in enumerate(SPINE_COLUMNS):
        x = left + 56 + i * (colw + gap)
        t.append(
            f'<text x="{x + colw / 2}" y="24" text-anchor="middle" font-weight="600" fill="#111827">{head1}</text>'
        )
        t.append(
            f'<text x="{x + colw / 2}" y="40" text-anchor="middle" font-weight="600" fill="#111827">{head2}</text>'
        )
        groups: list[tuple[str, list[str]]] = []
        for lv, d in rows:
            if groups and groups[-1][0] == d[fam]:
                groups[-1][1].append(lv)
            else:
                groups.append((d[fam], [lv]))
        for region, levels in groups:
            y0 = ys[levels[0].split("-")[0]] + step - 4
            last_lower = levels[-1].split("-")[1]
            y1 = ys[last_lower] + 2 if last_lower != "S1" else ys["S1"] + 2
            if region == "lumbar_sacral" and fam.startswith("esi_"):
                y1 = sacrum_bottom  # sacral foramina / caudal entry
            if region == "cervical_thoracic" and levels[0] == "C1-C2":
                y0 = ys["C1"] + 2
            fill, stroke = REGION_COLORS[region]
            t.append(
                f'<rect x="{x}" y="{y0}" width="{colw}" height="{y1 - y0}" rx="8" fill="{fill}" '
                f'stroke="{stroke}" '
                'stroke-width="1.5"/>'
            )
            cs = current(catalogue.codes(family=fam, region_family=region))
            label = [REGION_LABELS[region]] + [code_short(c) for c in cs]
            mid = (y0 + y1) / 2 - (len(label) - 1) * 8
            for j, line in enumerate(label):
                weight = ' font-weight="600"' if j == 0 else ""
                t.append(
                    f'<text x="{x + colw / 2}" y="{mid + j * 16 + 4}" text-anchor="middle" fill="{stroke}"'
                    f"{weight}>{html.escape(line)}</text>"
                )
    # T12-L1 line
    y_split = ys["L1"] - 2
    t.append(
        f'<line x1="48" y1="{y_split}" x2="{width - 2}" y2="{y_split}" stroke="#dc2626" '
        'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    t.append(f'<text x="2" y="{y_split + 4}" fill="#dc2626" font-weight="700" font-size="11">T12-L1</text>')
    tf = dict(rows)["T12-L1"]
    tf_codes = [
        c.code
        for c in current(catalogue.codes(family="esi_transforaminal", region_family=tf["esi_transforaminal"]))
        if not c.is_addon
    ]
    fa_codes = [c.code for c in current(catalogue.codes(family="facet", region_family=tf["facet"])) if not c.is_addon]
    notes = [
        f"T12-L1, transforaminal ESI: {REGION_LABELS[tf['esi_transforaminal']]} ({', '.join(tf_codes)})",
        f"T12-L1, facet joint: {REGION_LABELS[tf['facet']]} ({', '.join(fa_codes)})",
    ]
    for k, note in enumerate(notes):
        t.append(f'<text x="10" y="{height - 52 + k * 17}" fill="#b91c1c" font-weight="600">{html.escape(note)}</text>')
    t.append(
        f'<text x="10" y="{height - 12}" fill="#374151" font-size="11">Blue: cervical/thoracic code set. '
        "Amber: lumbar/sacral code set. + = add-on code.</text>"
    )
    t.append("</svg>")
    return "\n".join(t)


def spine_page() -> Page:
    p = Page("spine", "Spine diagram: which code family covers which region")
    write_if_changed(OUT / "spine.svg", spine_svg())
    rows = spine_rows()
    tf = dict(rows)["T12-L1"]
    alt = (
        "Diagram of the spine from C1 to the sacrum. Three columns show the code sets for interlaminar or "
        "caudal ESI, transforaminal ESI and facet joint injections. The cervical/thoracic set ends at T12-L1 "
        f"for ESI ({REGION_LABELS[tf['esi_transforaminal']]} at T12-L1) but before T12-L1 for facet "
        f"injections ({REGION_LABELS[tf['facet']]} at T12-L1)."
    )
    p.add(
        ":::{figure} spine.svg\n:alt: " + alt + "\n:name: spine-diagram\n:width: 100%\n\n"
        "Each column is one approach; blue covers the cervical/thoracic code set, amber the lumbar/sacral "
        "set. "
        "The dashed line is the T12-L1 interspace, where ESI and facet codes split differently.\n:::"
    )
    p.add("## Level by level")
    p.add("The diagram as a table: for each interspace, the code set that each approach uses.")
    headers = ["Interspace"] + [f"{h1} {h2}".replace("/ ", "/") for _, _, h1, h2 in SPINE_COLUMNS]
    out_rows, md = [], []
    for lv, d in rows:
        cells = []
        for fam, *_ in SPINE_COLUMNS:
            cs = [c for c in current(catalogue.codes(family=fam, region_family=d[fam])) if not c.is_addon]
            cells.append((REGION_LABELS[d[fam]], cs))
        out_rows.append([lv] + [f"{r}: {' '.join(c.code for c in cs)}" for r, cs in cells])
        strong = lv == "T12-L1"
        md.append(
            [f"**{lv}**" if strong else lv]
            + [f"{esc(r)}: {' '.join(code_link(c.code) for c in cs)}" for r, cs in cells]
        )
    p.table("levels", headers, out_rows, md)
    p.add(
        "Interlaminar and transforaminal ESI at T12-L1 are coded by the upper segment; facet injections by "
        "the lower one (policy: `esi_reference.policy.region_family_of_level`)."
    )
    return p


# ------------------------------------------------------------------------------- checklist / sources


def checklist_page() -> Page:
    p = Page("checklist", "Documentation checklist")
    p.add('<p class="esi-print-hint">Print this page (Ctrl+P / Cmd+P): the navigation is hidden on paper.</p>')
    p.add("Patient: ______________________  Date of service: ____________  Procedure: ____________")
    for key, text in documentation.APPLIES_TO.items():
        items = documentation.documentation_items(key)
        if not items:
            continue
        p.add(f"## For {esc(text)}")
        p.add(*[f"- [ ] **{esc(d.title)}**: {esc(d.text)} ({sources_refs(d.sources)})" for d in items])
    p.add("## All items as a table")
    items = documentation.documentation_items()
    df = frames.documentation_frame()
    p.table(
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
    return p


def sources_page() -> Page:
    p = Page("sources", "Sources and bibliography")
    p.add(
        "Every fact and rule cites one or more of these sources. Confidence: **primary** = a CMS/MAC/OIG "
        "document or CMS data file was read; **secondary** = a coding publication or policy summary; "
        f"**unverified** = cited by others, not confirmed by us (shown as {UNVERIFIED_BADGE} across the "
        "site)."
    )
    df = frames.sources_frame()
    p.table(
        "sources",
        list(df.columns),
        df.values.tolist(),
        [
            [
                source_ref(r.id),
                esc(r.title),
                esc(r.publisher),
                f"<{r.url}>" if r.url.startswith("http") else esc(r.url),
                esc(r.document_id),
                esc(r.effective_date),
                esc(r.date_read),
                UNVERIFIED_BADGE if r.confidence == "unverified" else esc(r.confidence),
                esc(r.note),
            ]
            for r in df.itertuples(index=False)
        ],
    )
    p.add("## Each source")
    for s in all_sources():
        p.add(f"(src-{slug(s.id)})=", f"### {esc(s.id)}")
        lines = [f"- **Title:** {esc(s.title)}", f"- **Publisher:** {esc(s.publisher)}"]
        if s.document_id:
            lines.append(f"- **Document:** {esc(s.document_id)}")
        if s.url:
            lines.append(f"- **Where:** <{s.url}>" if s.url.startswith("http") else f"- **Where:** {esc(s.url)}")
        if s.effective_date:
            lines.append(f"- **Effective:** {s.effective_date.isoformat()}")
        lines.append(f"- **Read by the team:** {s.date_read.isoformat()}")
        lines.append("- **Confidence:** " + (UNVERIFIED_BADGE if s.confidence == "unverified" else esc(s.confidence)))
        if s.note:
            lines.append(f"- **Note:** {esc(s.note)}")
        p.add(*lines)
    return p


# ------------------------------------------------------------------------------------------- rules


def rules_page() -> Page:
    all_rules, _ = _rules_api()
    rules = all_rules()
    p = Page("rules", "Rule catalogue")
    p.add(
        f"The {len(rules)} rules that `esi_reference.engine.check` runs on an encounter, rendered from the "
        "rule "
        "registry. Each rule has an effective window by date of service and cites its sources. "
        "The same list is available as `esi-ref rules`."
    )
    df = frames.rules_frame()
    p.table(
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
    p.add("The full registry with separate start and end dates: {doc}`downloads </generated/downloads>` (rules.csv).")
    from esi_reference.rules import FAMILIES

    for fam in dict.fromkeys(r.family for r in rules):
        p.add(f"## {esc(FAMILIES.get(fam, fam))}")
        for r in (x for x in rules if x.family == fam):
            p.add(f"(rule-{slug(r.id)})=", f"### {esc(r.id)}")
            lines = [
                f"- **Checks:** {esc(r.title)}",
                f"- **Severity:** {esc(r.severity)}",
                f"- **Effective (date of service):** {esc(r.effective_text)}",
                f"- **Sources:** {sources_refs(r.sources)}",
            ]
            named = getattr(r, "codes", ())
            lines.append(
                f"- **Codes named:** {codes_links(named)}"
                if named
                else "- **Codes:** every claim line it concerns (a general rule of this family)"
            )
            p.add(*lines)
            p.add(*doc_md(r.doc))
    return p


# ------------------------------------------------------------------------------------------ glossary


def glossary_terms() -> dict[str, str]:
    """Terms and our own definitions; values from the package where it has them."""
    distinct = ", ".join(sorted(policy.DISTINCT_SERVICE_MODIFIERS))
    pos = "; ".join(f"{k} {v}" for k, v in policy.PLACES_OF_SERVICE.items())
    return {
        "Add-on code": "A code reported only together with its primary code on the same claim, for extra "
        "work "
        "such as each additional level (for example 64480 with 64479). Marked with a plus sign.",
        "Bilateral indicator": "A CMS fee-schedule field saying whether modifier 50 may be used: "
        + "; ".join(BILATERAL_LABELS[k] for k in ("0", "1", "9"))
        + ".",
        "Caudal injection": "An epidural injection through the sacral hiatus at the base of the spine. It "
        "has no "
        "code of its own: it is reported with the lumbar/sacral interlaminar codes.",
        "Catheter (indwelling)": "A thin tube left in the epidural space for continuous infusion or repeated "
        "boluses (62324-62327). A catheter removed the same day counts as a single injection.",
        "Contrast": "Dye injected to confirm where the needle tip is and how the drug spreads. The ESI "
        "policies "
        "expect it unless it is contraindicated.",
        "Distinct-service modifier": f"One of {distinct}: tells the payer two services paired by an NCCI "
        "edit "
        "were separate (other site, session or structure). Only when the record supports it.",
        "Epidural steroid injection (ESI)": "Injection of a steroid, often with a local anaesthetic, into "
        "the "
        "epidural space around the spinal nerves to treat radicular pain.",
        "Epidurography": "A separately reported contrast study of the epidural space (72275, deleted "
        "2022-01-01). "
        "Contrast used to guide an ESI is part of the ESI code.",
        "Facet joint injection": "Injection into a facet joint or at its medial branch nerves (64490-64495). "
        "Not an ESI; splits the spine at T12-L1 differently from ESI codes.",
        "Fluoroscopy": "Live X-ray imaging used to guide the needle. Included in 62321, 62323, 62325, "
        "62327 and "
        "64479-64484 (do not add 77003).",
        "Interlaminar approach": "Reaching the epidural space from the back, between two vertebral laminae "
        "(62320-62327).",
        "KX modifier": "Marks a diagnostic selective nerve root block under the ESI policies.",
        "LCD": "Local Coverage Determination: a Medicare contractor's coverage policy. The ESI LCDs share "
        "one "
        "policy text and differ in ids and effective dates by contractor.",
        "Level": "One interspace of the spine (for example L4-L5). Transforaminal codes count levels; "
        "interlaminar "
        "codes count sessions.",
        "MAC": "Medicare Administrative Contractor: the company that processes Medicare claims in a "
        "jurisdiction "
        "and publishes its LCDs and billing articles.",
        "Modifier 50": "Bilateral procedure: one line, one unit, for the same procedure on both sides when "
        "the "
        "bilateral indicator is 1.",
        "MUE": "Medically Unlikely Edit: the most units of a code one provider normally reports for one "
        "patient "
        "on one day. MAI: " + "; ".join(catalogue.MAI_LABELS.values()) + ".",
        "NCCI": "National Correct Coding Initiative: CMS edits that stop code pairs (PTP) and unit counts "
        "(MUE) "
        "that should not be paid together.",
        "Place of service": f"Where the service happened; some codes used here: {pos}.",
        "PTP edit": "Procedure-to-procedure edit: the column 2 code is not paid with the column 1 code "
        "unless "
        "the modifier indicator allows a distinct-service modifier.",
        "Radiculopathy": "Pain, numbness or weakness along a spinal nerve root caused by its compression or "
        "irritation; the main covered reason for an ESI.",
        "Region family": "Cervical/thoracic or lumbar/sacral: the two code sets of ESI codes. Session limits "
        f"count per region family ({policy.MAX_SESSIONS_PER_12_MONTHS} in a rolling 12 months).",
        "Session": "One patient encounter in which injections are done; interlaminar codes are reported once "
        "per session.",
        "Transforaminal approach": "Reaching the epidural space through the opening (foramen) where a "
        "nerve root "
        "leaves the spine (64479-64484).",
        "Ultrasound guidance": "Needle guidance with ultrasound. The ultrasound transforaminal codes "
        "0228T-0231T "
        "were deleted on 2021-01-01; ESI codes name fluoroscopy or CT.",
    }


def glossary_page() -> Page:
    p = Page("glossary", "Glossary")
    terms = glossary_terms()
    p.add("```{glossary}", *[f"{term}\n  {text}\n" for term, text in sorted(terms.items())], "```")
    p.table("terms", ["Term", "Meaning"], sorted(terms.items()))
    return p


# ---------------------------------------------------------------------------------------------- FAQ


def faq_page() -> Page:
    c21, c23, c22 = catalogue.lookup("62321"), catalogue.lookup("62323"), catalogue.lookup("62322")
    tf, tfa = catalogue.lookup("64479"), catalogue.lookup("64480")
    p = Page("faq", "Frequently asked questions")
    p.add("Short answers, each linked to the code pages, rules and sources behind it.")

    p.add("## What is CPT 62321?")
    p.add(
        f"{esc(c21.summary)} It is reported {esc(UNIT_LABELS[c21.unit_basis])}. Its bilateral indicator is "
        f"{esc(BILATERAL_LABELS[c21.bilateral_indicator])}. It is done for radicular pain from the neck or "
        "upper "
        "back (for example a cervical disc herniation pressing on a nerve root) when conservative care has "
        "not "
        f"helped. Full page: {code_link('62321')}."
    )

    p.add("## What does the LCD say?")
    lcds = lcd_contractors()
    p.add(
        "Medicare has no national ESI policy; each contractor (MAC) publishes a Local Coverage Determination "
        "(LCD) and a billing article, and they share one policy. In short:",
        f"- Pain for at least {policy.MIN_WEEKS_PAIN} weeks and at least "
        f"{policy.MIN_WEEKS_CONSERVATIVE_CARE} weeks "
        "of failed conservative care, with a history, examination and imaging that agree (acute herpes "
        "zoster "
        "is the exception to the duration).",
        "- A baseline pain or function score, repeated on the same scale at follow-up.",
        "- Fluoroscopy or CT guidance with contrast, unless contrast is contraindicated.",
        f"- At most {policy.MAX_SESSIONS_PER_12_MONTHS} sessions per region family in a rolling 12 months; "
        f"{policy.MAX_REGIONS_PER_SESSION} region per session; {policy.MAX_INTERLAMINAR_LEVELS} "
        "interlaminar level "
        f"or up to {policy.MAX_TRANSFORAMINAL_LEVELS} transforaminal levels per session.",
        f"- A repeat injection needs at least {policy.MIN_PRIOR_RELIEF_PERCENT}% sustained relief from the last one.",
        f"- Sources: {sources_refs(policy.SESSION_LIMIT_SOURCES)}.",
    )
    rows = [[r.lcd_id, r.article_id, r.contractor, r.lcd_effective.isoformat(), r.contractor_confidence] for r in lcds]
    md = [
        [esc(r[0]), esc(r[1]), esc(r[2]), esc(r[3]), UNVERIFIED_BADGE if r[4] == "unverified" else esc(r[4])]
        for r in rows
    ]
    p.table("lcds", ["LCD", "Billing article", "Contractor", "Effective", "Contractor confidence"], rows, md)

    p.add("## What is the difference between 62321 and 62323?")
    p.add(
        f"The region. 62321 is {esc(REGION_LABELS[c21.region_family])}; 62323 is "
        f"{esc(REGION_LABELS[c23.region_family])}, including caudal injections. Both include fluoroscopy "
        "or CT "
        "guidance and are reported once per session. Side by side: "
        "{doc}`62321 vs 62323 </generated/compare/62321-vs-62323>`."
    )

    p.add("## Traps")
    ct_tf = policy.region_family_of_level("T12-L1", "transforaminal")
    ls_fa = policy.region_family_of_level("T12-L1", "facet")
    p.add("### T12-L1")
    p.add(
        f"A transforaminal ESI at T12-L1 is {esc(REGION_LABELS[ct_tf])}: {code_link('64479')}. A facet "
        "injection "
        f"at T12-L1 is {esc(REGION_LABELS[ls_fa])}: {code_link('64493')}. ESI codes go by the upper "
        "segment, facet "
        "codes by the lower one. See {doc}`the spine diagram </generated/spine>`."
    )
    p.add("### Bilateral")
    p.add(
        "Interlaminar codes (62320-62327) have bilateral indicator "
        f"{esc(BILATERAL_LABELS[c21.bilateral_indicator])}: "
        f"one line, one unit, no 50/RT/LT. Transforaminal codes have indicator "
        f"{esc(BILATERAL_LABELS[tf.bilateral_indicator])}: both sides of one level = 64479-50 or 64483-50, "
        "1 unit."
    )
    p.add("### Add-on vs the other side")
    p.add(
        f"{code_link('64480')} and {code_link('64484')} are for {esc(UNIT_LABELS[tfa.unit_basis])}. "
        "Injecting "
        "the other side of the same level is modifier 50 on the primary code, not an add-on."
    )
    p.add("### Caudal")
    p.add(
        "There is no caudal code. A caudal epidural is an interlaminar-family injection in the "
        "lumbar/sacral "
        f"region: {code_link('62323')} with imaging, {code_link('62322')} without. {esc(c22.confusions[-1])}"
    )
    p.add("### Imaging is bundled")
    pairs = [(a, b, ncci.edits_between(a, b)) for a in ("62321", "62323", "64479", "64483") for b in ("77003", "77012")]
    p.add(
        "Fluoroscopy or CT guidance and the contrast are part of the guided ESI codes. Do not add 77003, "
        "77012 or "
        "72275 (deleted 2022-01-01). NCCI pair edits in the shipped table:"
    )
    rows = [
        [a, b, e[0].modifier_indicator if e else "", "active" if e and e[0].deletion_date is None else ""]
        for a, b, e in pairs
    ]
    md = [
        [code_link(a), code_link(b), esc(r[2] or "no edit loaded"), esc(r[3])]
        for (a, b, _), r in zip(pairs, rows, strict=True)
    ]
    p.table("imaging-edits", ["ESI code", "Imaging code", "Modifier indicator", "Status"], rows, md)
    p.add("### Ultrasound")
    us = catalogue.codes(family="esi_transforaminal_ultrasound")
    p.add(
        "Ultrasound-guided transforaminal injections had their own codes "
        f"({codes_links(c.code for c in us)}), "
        f"valid {esc(us[0].validity)}. {esc(us[0].use_instead)}"
    )
    p.add("### Catheter")
    p.add(
        f"A catheter placed and removed the same day is a single injection ({code_link('62321')}, "
        f"{code_link('62323')}). A catheter left in for infusion or repeated boluses is 62324-62327: "
        f"{codes_links(c.code for c in current(catalogue.codes(family=IL)) if c.catheter == 'indwelling')}."
    )
    p.add("### Drug units")
    p.add(
        f"Drug codes are billed {esc(UNIT_LABELS['drug_unit'])}. An 80 mg dose, worked out by "
        "`esi_reference.coding.drug_units` for a date of service today and one before 2024-04-01 "
        "(when methylprednisolone moved to J1010):"
    )
    before = dt.date(2024, 3, 31)
    rows, md = [], []
    for key, drug in coding.DRUGS.items():
        if drug["billing"] != "billable" or drug["dose_unit"] != "mg":
            continue
        now, old = coding.drug_units(key, 80, TODAY), coding.drug_units(key, 80, before)
        flagged = [c for c, _ in now + old if catalogue.lookup(c).unverified]
        rows.append(
            [
                drug["label"],
                " ".join(f"{c} x{u}" for c, u in now),
                " ".join(f"{c} x{u}" for c, u in old),
                drug["notes"],
                " ".join(flagged),
            ]
        )
        md.append(
            [
                esc(drug["label"]),
                ", ".join(f"{code_link(c)} x{u}" for c, u in now),
                ", ".join(f"{code_link(c)} x{u}" for c, u in old),
                esc(drug["notes"]),
                UNVERIFIED_BADGE + " " + esc(" ".join(dict.fromkeys(flagged))) if flagged else "",
            ]
        )
    p.table("drug-units", ["Drug", "80 mg today", "80 mg on 2024-03-31", "Note", "Unverified"], rows, md)
    p.add("### Chemotherapy")
    p.add(
        f"Epidural and subarachnoid injection codes are not for chemotherapy: use the chemotherapy codes "
        f"({code_link('96401-96549')}, for example {code_link('96450')})."
    )
    p.add("### Levels and sessions")
    p.add(
        f"62321 and 62323 are reported once per session however many levels are injected; the policies cover "
        f"{policy.MAX_INTERLAMINAR_LEVELS} interlaminar level per session and at most "
        f"{policy.MAX_SESSIONS_PER_12_MONTHS} sessions per region family in 12 months."
    )
    return p


# --------------------------------------------------------------------------------- home & downloads


def home_page(exercises_exist: bool, lite: bool) -> Page:
    all_rules, _ = _rules_api()
    p = Page("index", "Epidural steroid injection coding reference")
    esi = [c for c in catalogue.all_codes() if c.is_esi]
    p.add(
        "An open, executable reference and trainer for coding and billing epidural steroid injections "
        "(ESI): "
        "CPT 62320-62327 and 64479-64484, the codes they are confused with, the drug codes, the "
        "documentation "
        f"checklist and the Medicare rules. Every page is generated from the `esi_reference` Python package: "
        f"{len(catalogue.all_codes())} codes ({len(esi)} ESI codes), {len(all_rules())} rules and "
        f"{len(all_sources())} cited sources."
    )
    p.add(
        "## Who it is for",
        "- **Coding students:** read the reference, then code practice scenarios and get graded feedback "
        "that "
        "cites the rule.",
        "- **Instructors:** host this site, add scenarios as data files, grade a class's answers.",
        "- **Coders and billers:** look up a code, check an encounter before submitting, audit a month of claims.",
    )
    p.add(
        "## How to use it",
        "- Start with the {doc}`FAQ </generated/faq>` and the {doc}`spine diagram </generated/spine>`.",
        "- Look up one code in the {doc}`code catalogue </generated/codes>`, or search for a code number "
        "(the "
        "search box at the top).",
        "- Compare look-alike codes: {doc}`the 62320-62327 matrix </generated/compare/interlaminar-matrix>`, "
        "{doc}`transforaminal codes </generated/compare/transforaminal>`, "
        "{doc}`62321 vs 62323 </generated/compare/62321-vs-62323>`, "
        "{doc}`ESI vs facet vs SI joint </generated/compare/esi-facet-si>`.",
        "- Before billing: the printable {doc}`documentation checklist </generated/checklist>` and the "
        "{doc}`rule catalogue </generated/rules>`.",
        "- Billing and compliance teams: audit a whole claims file with `esi-ref audit` "
        "({doc}`format and checks </claims-audit>`).",
        "- Every table has a CSV download; the full tables are on {doc}`downloads </generated/downloads>`.",
        f"- Values not confirmed in a primary source carry an {UNVERIFIED_BADGE} flag.",
    )
    p.add("## Start the live exercises")
    lines = []
    if exercises_exist:
        lines.append("- Read the exercises in the **Practice** part of the menu.")
    if lite:
        lines.append(
            '- Run them live in your browser, no install: <a href="../lite/index.html">open the '
            "in-browser notebooks</a> (JupyterLite, Python runs inside the page)."
        )
    lines += [
        "- Or locally: `make site` builds this site and serves it at <http://127.0.0.1:8000>; the same "
        "checks are on the command line: `esi-ref lookup 62321`, `esi-ref check encounter.json`."
    ]
    p.add(*lines)
    p.add(
        "```{note}\nCPT descriptors are copyrighted by the AMA: the summaries here are our own "
        "plain-language "
        "text. This is a training reference, not legal or payer advice; check the current policy of your "
        "Medicare contractor or payer.\n```"
    )
    return p


def downloads_page() -> Page:
    p = Page("downloads", "Downloads")
    p.add("The package's tables as CSV files (codes are text: keep leading zeros when you open them).")
    full = {
        "codes": frames.codes_frame,
        "sources": frames.sources_frame,
        "documentation": frames.documentation_frame,
        "ptp-edits": frames.ptp_frame,
    }
    if _rules_api()[0]():
        full["rules"] = frames.rules_frame
    lines = []
    for name, fn in full.items():
        df = fn()
        write_if_changed(OUT / CSV_DIR / f"{name}.csv", df.to_csv(index=False, lineterminator="\n"))
        lines.append(
            f"- {{download}}`{name}.csv </generated/{CSV_DIR}/{name}.csv>`: {len(df)} rows, "
            f"{len(df.columns)} columns ({esc(', '.join(df.columns[:6]))}...)"
        )
    p.add(*lines)
    p.add("Each table on the other pages also has its own download link under it.")
    return p


# ---------------------------------------------------------------------------------------------- main


def generate(exercises_exist: bool = True, lite: bool = False) -> list[Path]:
    """(Re)write every generated page; returns the written paths."""
    _WRITTEN.clear()
    pages = [
        home_page(exercises_exist, lite),
        codes_index(),
        faq_page(),
        spine_page(),
        compare_interlaminar(),
        compare_transforaminal(),
        compare_62321_62323(),
        compare_families(),
        checklist_page(),
        rules_page(),
        sources_page(),
        glossary_page(),
        downloads_page(),
    ]
    pages += [code_page(c) for c in catalogue.all_codes()]
    written = [p.write() for p in pages]
    for stale in [f for f in OUT.rglob("*") if f.is_file() and f not in _WRITTEN]:
        stale.unlink()
    return written


if __name__ == "__main__":
    written = generate()
    print(f"wrote {len(written)} pages to {OUT}")
