"""Rendering rows as aligned text tables, JSON or CSV for the command line.

>>> print(table([{"code": "62321", "units": 1}, {"code": "64483", "units": 1}]))
code   units
-----  -----
62321  1
64483  1
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

FORMATS = ("table", "json", "csv")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def table(rows: list[dict[str, object]], max_width: int | None = None) -> str:
    """Aligned text table; long cells are wrapped so the table fits the terminal."""
    if not rows:
        return "(no rows)"
    cols = list(rows[0].keys())
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    total = max_width or shutil.get_terminal_size((120, 20)).columns
    while sum(widths) + 2 * (len(cols) - 1) > total and max(widths) > 20:
        widths[widths.index(max(widths))] -= 1
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in cells:
        wrapped = [textwrap.wrap(v, w) or [""] for v, w in zip(row, widths, strict=True)]
        for k in range(max(len(x) for x in wrapped)):
            parts = [(x[k] if k < len(x) else "").ljust(w) for x, w in zip(wrapped, widths, strict=True)]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def render(rows: list[dict[str, object]], fmt: str) -> str:
    """Rows in one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    if fmt == "csv":
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, list(rows[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows({k: _cell(v) for k, v in r.items()} for r in rows)
        return buf.getvalue().rstrip("\n")
    return table(rows)
