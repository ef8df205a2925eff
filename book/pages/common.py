"""What every page module shares: escaping, links, tables with their CSV download, templates, writing.

Page modules compute values from ``esi_reference`` and hand them to a Jinja template in
``book/templates/`` (Markdown with MyST roles); the prose lives in the templates. Output is deterministic:
no build date, and "current" means valid on :data:`AS_OF`, the newest date the team read a source.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from esi_reference.reference import catalogue
from esi_reference.reference.catalogue import BILATERAL_LABELS
from esi_reference.reference.sources import source as get_source
from esi_reference.reference.sources import sources as all_sources

BOOK = Path(__file__).resolve().parents[1]
OUT = BOOK / "generated"
TEMPLATES = BOOK / "templates"
CSV_DIR = "csv"
IL, TF = "esi_interlaminar", "esi_transforaminal"
#: The reference date of the generated pages (deterministic: the newest date a source was read).
AS_OF: dt.date = max(s.date_read for s in all_sources())
UNVERIFIED_BADGE = '<span class="esi-unverified" title="not confirmed in a primary source">unverified</span>'
DELETED_BADGE = '<span class="esi-deleted">deleted</span>'

_WRITTEN: set[Path] = set()


def write_if_changed(target: Path, text: str) -> Path:
    """Write ``text`` unless the file already holds it, so an unchanged rebuild stays incremental."""
    _WRITTEN.add(target)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def written() -> set[Path]:
    return _WRITTEN


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~{}])")


def esc(text: object) -> str:
    """Data text made safe as inline MyST (no accidental emphasis, roles, math, HTML or table cells)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def esc_marked(text: str) -> str:
    """Like :func:`esc`, but the package's ``[unverified]`` marks become a visible badge."""
    parts = str(text).split("[unverified]")
    return UNVERIFIED_BADGE.join(esc(p) for p in parts).strip()


def html_text(text: object) -> str:
    """Data text for a raw-HTML block (one line, escaped)."""
    import html

    return html.escape(" ".join(str(text).split()))


_DOC_SPECIAL = re.compile(r"([\\$<>{}\[\]|~])")


def doc_md(text: str) -> str:
    """A rule docstring as MyST paragraphs: its *emphasis* and ``code`` kept, everything else literal."""
    out = []
    for par in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [_DOC_SPECIAL.sub(r"\\\1", ln.strip()).replace("``", "`") for ln in par.splitlines() if ln.strip()]
        lines = ["\\" + ln if ln.startswith(("#", "=", "+", ">")) else ln for ln in lines]
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def code_doc(code: str) -> str:
    return f"/generated/codes/{code}"


def code_link(code: str) -> str:
    """A link to the page of ``code`` (or of the catalogue row covering it); plain text when unknown."""
    if catalogue.is_known(code):
        return f"{{doc}}`{code} <{code_doc(catalogue.lookup(code).code)}>`"
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


def badge(confidence: str) -> str:
    return UNVERIFIED_BADGE if confidence == "unverified" else esc(confidence)


def current(rows: Iterable[catalogue.Code]) -> list[catalogue.Code]:
    return [c for c in rows if c.valid_on(AS_OF)]


def code_short(c: catalogue.Code) -> str:
    return ("+" if c.is_addon else "") + c.code


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


def bilateral_note(rows: Iterable[catalogue.Code]) -> str:
    """The meaning of each bilateral indicator used in a table, from the package's labels."""
    used = sorted({c.bilateral_indicator for c in rows if c.bilateral_indicator})
    return "Bilateral indicator: " + "; ".join(esc(BILATERAL_LABELS[b]) for b in used if b in BILATERAL_LABELS) + "."


def table(
    page: str,
    name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    md_rows: Sequence[Sequence[str]] | None = None,
    md_headers: Sequence[str] | None = None,
) -> str:
    """A pipe table (markdown cells ``md_rows`` under ``md_headers``, else escaped ``rows`` under ``headers``)
    followed by the link to its CSV of the plain ``rows`` (written to ``book/generated/csv/``)."""
    csv_name = f"{slug(page.replace('/', '-'))}-{slug(name)}.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else str(v) for v in r] for r in rows])
    write_if_changed(OUT / CSV_DIR / csv_name, buffer.getvalue())
    cells = md_rows if md_rows is not None else [[esc(v) for v in r] for r in rows]
    shown = md_headers or headers
    out = ["| " + " | ".join(esc(h) for h in shown) + " |", "|" + "---|" * len(shown)]
    out += ["| " + " | ".join(c.replace("\n", " ") or " " for c in r) + " |" for r in cells]
    return "\n".join(out) + f"\n\n{{download}}`Download this table as CSV </generated/{CSV_DIR}/{csv_name}>`"


ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # Markdown, not HTML: values are escaped with the filters below
)
ENV.filters.update(
    esc=esc,
    marked=esc_marked,
    h=html_text,
    code=code_link,
    codes=codes_links,
    src=source_ref,
    srcs=sources_refs,
    rule=rule_ref,
    badge=badge,
)
ENV.globals.update(UNVERIFIED=UNVERIFIED_BADGE, DELETED=DELETED_BADGE, AS_OF=AS_OF)


@dataclass
class Page:
    """A generated MyST page: ``path`` relative to book/generated (no suffix) and its Markdown body."""

    path: str
    title: str
    body: str
    description: str = ""

    def write(self) -> Path:
        meta = ["---", "generated: true"]
        if self.description:
            meta += ["myst:", "  html_meta:", f'    "description": "{html_text(self.description)}"']
        meta += ["---", ""]
        comment = "<!-- Generated by book/generate.py from esi_reference. Do not edit: edit the package data. -->"
        text = "\n".join([*meta, comment, "", f"# {self.title}", "", self.body.strip(), ""])
        return write_if_changed(OUT / f"{self.path}.md", re.sub(r"\n{3,}", "\n\n", text))


def render(path: str, title: str, template: str, description: str = "", **values: object) -> Page:
    """The page ``path`` with its body rendered from ``book/templates/<template>``."""
    return Page(path, title, ENV.get_template(template).render(**values), description)
