"""A grade as HTML, for the in-page practice and the notebook widget.

:func:`feedback_html` renders a :class:`~esi_reference.trainer.grading.Grade`: the verdict and points, each line
with its status and the engine's findings (rule id, severity, message, sources as links), the notes on the
encounter and, when asked (``show_key``: after a pass or "Show answer"), the answer key. Everything taken from
the learner's input is escaped here, so callers may put the result in ``innerHTML``.
"""

from __future__ import annotations

import html

from esi_reference.trainer.grading import Citation, Grade, RuleNote

_STATUS_LABEL = {
    "correct": "✓ correct",
    "partial": "◐ partly right",
    "not_billable": "✗ must not be billed",
    "extra": "✗ not expected",
    "invalid": "✗ cannot be read",
    "missing": "✗ missing line",
}
_STATUS_COLOUR = {
    "correct": "#1b7f3b",
    "partial": "#9a6700",
    "not_billable": "#b42318",
    "extra": "#b42318",
    "invalid": "#b42318",
    "missing": "#b42318",
}


def cite_html(c: Citation) -> str:
    """One source as a link (or a labelled span when it has no web address)."""
    label = html.escape(c.label)
    title = html.escape(c.title)
    if c.url.startswith(("https://", "http://")):
        return f'<a href="{html.escape(c.url, quote=True)}" title="{title}" target="_blank" rel="noopener">{label}</a>'
    return f'<span title="{title}">{label}</span>'


def note_html(f: RuleNote) -> str:
    """One engine finding: its aspect, rule id, severity, message and sources."""
    cites = ", ".join(cite_html(c) for c in f.citations)
    about = f'<span class="esi-aspect">{html.escape(f.aspect)}</span> ' if f.aspect else ""
    return (
        f"<li>{about}<b>{html.escape(f.rule_id)}</b> <i>({html.escape(f.severity)})</i> - {html.escape(f.message)}"
        f' <span class="esi-sources">Source: {cites}</span></li>'
    )


def feedback_html(g: Grade, show_key: bool = False) -> str:
    """The grade as HTML; everything taken from the learner's input is escaped."""
    verdict = "Passed" if g.passed else "Not yet"
    colour = "#1b7f3b" if g.passed else "#b42318"
    out = [
        f'<div class="esi-grade"><p><b style="color:{colour}">{verdict}: {g.percent}%</b> '
        f"(pass mark {round(g.pass_mark * 100)}%; {max(0.0, g.earned - g.penalty):g} of {g.possible:g} points)</p>",
        "<ol class='esi-lines'>",
    ]
    for line in g.lines:
        where = f"Line {line.number}" if line.number else "Missing"
        out.append(
            f'<li value="{line.number or 0}"><b>{html.escape(where)}: '
            f"<code>{html.escape(line.answer)}</code></b> "
            f'<span style="color:{_STATUS_COLOUR[line.status]}">{_STATUS_LABEL[line.status]}</span>'
            + "".join(f"<br>{html.escape(m)}" for m in line.messages)
        )
        if line.findings:
            out.append("<ul>" + "".join(note_html(f) for f in line.findings) + "</ul>")
        out.append("</li>")
    out.append("</ol>")
    if g.general:
        out.append("<p><b>Notes on the encounter</b></p><ul>" + "".join(note_html(f) for f in g.general) + "</ul>")
    if show_key:
        key = ", ".join(str(line) for line in g.key) or "no billable line"
        nb = ", ".join(g.not_billable)
        out.append(
            f"<p><b>Answer key:</b> <code>{html.escape(key)}</code>"
            + (f"; not billable: <code>{html.escape(nb)}</code>" if nb else "")
            + "</p>"
        )
    out.append("</div>")
    return "".join(out)
