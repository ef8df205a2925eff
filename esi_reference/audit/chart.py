"""A dependency-free SVG bar chart (findings by rule), small enough to read in one sitting.

>>> svg = bar_chart([("NCCI-PTP", 12), ("MUE-UNITS", 3)], title="Findings by rule")
>>> svg.startswith("<svg") and "NCCI-PTP" in svg and svg.count("<rect") == 3
True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLORS = {"error": "#c0392b", "warning": "#d68910", "info": "#2e86c1"}


def bar_chart(
    items: Sequence[tuple[str, int]],
    title: str = "",
    colors: Sequence[str] | None = None,
    width: int = 720,
    bar: int = 22,
    gap: int = 8,
    label_width: int = 210,
) -> str:
    """Horizontal bars, one per (label, value); returns SVG text (a background rect + one rect per bar)."""
    top = 40 if title else 12
    height = top + len(items) * (bar + gap) + 28
    peak = max((v for _, v in items), default=0) or 1
    plot = width - label_width - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13" role="img" '
        f'aria-label="{escape(title or "bar chart")}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        parts.append(f'<text x="12" y="24" font-size="16" font-weight="bold">{escape(title)}</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar + gap)
        w = max(1, round(plot * value / peak)) if value else 0
        color = colors[i] if colors else "#2e86c1"
        parts.append(f'<text x="{label_width - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{w}" height="{bar}" fill="{color}">'
            f"<title>{escape(label)}: {value:,}</title></rect>"
        )
        parts.append(f'<text x="{label_width + w + 6}" y="{y + bar * 0.7:.1f}">{value:,}</text>')
    axis_y = top + len(items) * (bar + gap)
    parts.append(f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{axis_y}" stroke="#555"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def findings_chart(by_rule, title: str = "Audit findings by rule") -> str:
    """Chart of a summary's ``by_rule`` frame: rules with findings, most frequent first, coloured by the
    rule's worst severity among its findings."""
    rows = by_rule[by_rule["findings"] > 0].sort_values("findings", ascending=False)
    items = [(r.rule_id, int(r.findings)) for r in rows.itertuples()]
    colors = [
        COLORS["error"] if r.errors else COLORS["warning"] if r.warnings else COLORS["info"] for r in rows.itertuples()
    ]
    return bar_chart(items, title=title, colors=colors)
