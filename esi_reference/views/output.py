"""Rendering rows as aligned text tables, JSON or CSV for the command line, and making text safe to show.

Every CSV the project writes passes its text cells through :func:`spreadsheet_safe` (the OWASP rule
against formula injection: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading single quote, so a spreadsheet shows it as text instead of running it; a plain number such
as ``-1`` or ``+2.5`` is left alone). Text from the input shown on a terminal passes through
:func:`terminal_safe` (control characters escaped), and lists of problems through :func:`bounded`.

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
import re
import shutil
import textwrap
from collections.abc import Sequence

FORMATS = ("table", "json", "csv")
#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN = r"^[=+\-@\t\r]"
#: A plain number, which a spreadsheet reads as a number whatever its sign: not neutralised.
NUMBER_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_NUMBER = re.compile(NUMBER_PATTERN)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_PROBLEMS = 20


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that cannot start a formula: text beginning with = + - @ tab or CR gets a leading quote.

    >>> [spreadsheet_safe(v) for v in ("=HYPERLINK(1)", "@SUM(A1)", "-1", "+2.5", "-2+3", "P1", 7)]
    ["'=HYPERLINK(1)", "'@SUM(A1)", '-1', '+2.5', "'-2+3", 'P1', 7]
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def terminal_safe(text: str) -> str:
    """``text`` with control characters (ESC, CR, bidi overrides ...) shown as escapes; newlines and tabs kept.

    >>> print(terminal_safe("P1" + chr(27) + "[2J" + chr(13) + "name"))
    P1\\x1b[2J\\rname
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def bounded(problems: Sequence[str], limit: int = MAX_PROBLEMS) -> list[str]:
    """At most ``limit`` problems, then one "... and N more" line.

    >>> bounded([f"p{i}" for i in range(23)])[-2:]
    ['p19', '... and 3 more']
    """
    if len(problems) <= limit:
        return list(problems)
    return [*problems[:limit], f"... and {len(problems) - limit:,} more"]


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
    """Rows in one of ``FORMATS`` (CSV cells made :func:`spreadsheet_safe`)."""
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    if fmt == "csv":
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, list(rows[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows({k: spreadsheet_safe(_cell(v)) for k, v in r.items()} for r in rows)
        return buf.getvalue().rstrip("\n")
    return table(rows)
