"""Instructor gradebook: ``esi-ref grade ANSWERS.csv`` grades a class's answers with :func:`grading.grade`.

The answers file has one row per learner x scenario x claim line, with the columns ``learner``,
``scenario``, ``code`` (required), and ``line``, ``modifiers`` (space- or hyphen-separated) and ``units``
(optional; default 1). A row with an empty ``code`` records that the learner submitted the scenario with
no line. Rows that cannot be used (no learner, unknown scenario id, units or line number not a whole
number, a line number used twice) are **reported with their row number** and left out of the grades;
nothing is dropped silently, and the command then exits with status 1. An unknown *code* is not a bad
row: it is the learner's answer and is graded as an unreadable line.

Outputs: per-learner scores and per-scenario difficulty as a terminal table (``--format table``), CSV
or JSON; ``--out DIR`` writes ``learners.csv``, ``scenarios.csv`` and ``grades.csv``; ``--chart FILE.svg``
draws the distribution of learner scores (our own small SVG writer, standard library only).

>>> import io
>>> book = grade_rows(io.StringIO("learner,scenario,code,modifiers,units\\n"
...     "ana,tf-bilateral-one-level,64483,50,1\\nben,tf-bilateral-one-level,64483,RT,1\\n"
...     "ben,no-such-case,64483,,1\\n"))
>>> [(r["learner"], r["mean_score"]) for r in book.learner_rows()]
[('ana', 100), ('ben', 75)]
>>> [(b.row, b.problem) for b in book.bad_rows]
[(4, "scenario: unknown scenario id 'no-such-case'")]
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from esi_reference.errors import EsiError
from esi_reference.files import csv_problem
from esi_reference.model import fields
from esi_reference.trainer.generator import is_generated_id
from esi_reference.trainer.grading import MAX_ANSWER_LINES, PASS_MARK, Grade, grade
from esi_reference.trainer.scenarios import get, scenarios

#: The files of ``--out DIR`` (bad_rows.csv has just its header when every row was used).
OUT_FILES = ("learners.csv", "scenarios.csv", "grades.csv", "bad_rows.csv")
REQUIRED_COLUMNS = ("learner", "scenario", "code")
OPTIONAL_COLUMNS = ("line", "modifiers", "units")
MAX_ROWS = 500_000


@dataclass(frozen=True)
class BadRow:
    row: int  # 1-based line number in the file (the header is row 1)
    problem: str


@dataclass
class Gradebook:
    pass_mark: float
    grades: dict[tuple[str, str], Grade] = field(default_factory=dict)
    bad_rows: list[BadRow] = field(default_factory=list)

    def grade_rows(self) -> list[dict[str, object]]:
        return [
            {
                "learner": lr,
                "scenario": sid,
                "score": round(g.score * 100),
                "passed": g.passed,
                "points": max(0.0, g.earned - g.penalty),
                "possible": g.possible,
            }
            for (lr, sid), g in sorted(self.grades.items())
        ]

    def learner_rows(self) -> list[dict[str, object]]:
        by: dict[str, list[Grade]] = {}
        for (learner, _), g in sorted(self.grades.items()):
            by.setdefault(learner, []).append(g)
        return [
            {
                "learner": learner,
                "attempted": len(gs),
                "passed": sum(g.passed for g in gs),
                "mean_score": round(100 * sum(g.score for g in gs) / len(gs)),
            }
            for learner, gs in by.items()
        ]

    def scenario_rows(self) -> list[dict[str, object]]:
        by: dict[str, list[Grade]] = {}
        for (_, sid), g in self.grades.items():
            by.setdefault(sid, []).append(g)
        rows = []
        for s in scenarios():
            gs = by.get(s.id)
            if not gs:
                continue
            mean = sum(g.score for g in gs) / len(gs)
            rows.append(
                {
                    "scenario": s.id,
                    "topic": s.topic,
                    "declared": s.difficulty_label,
                    "attempts": len(gs),
                    "mean_score": round(100 * mean),
                    "pass_rate": round(100 * sum(g.passed for g in gs) / len(gs)),
                    "observed": observed_difficulty(mean),
                }
            )
        rows.sort(key=lambda r: (r["mean_score"], r["scenario"]))
        return rows

    def bad_row_rows(self) -> list[dict[str, object]]:
        return [{"row": b.row, "problem": b.problem} for b in self.bad_rows]


def observed_difficulty(mean: float) -> str:
    """Label from the class's mean score: easy (>= 80%), moderate (>= 50%), hard (< 50%)."""
    return "easy" if mean >= 0.8 else "moderate" if mean >= 0.5 else "hard"


def grade_rows(stream: TextIO, pass_mark: float = PASS_MARK, name: str = "answers file") -> Gradebook:
    """Read an answers CSV (``name`` in messages) and grade every learner x scenario; bad rows are collected,
    not dropped."""
    book = Gradebook(pass_mark)
    reader = csv.DictReader(stream)
    try:
        return _grade_reader(book, reader, name)
    except csv.Error as exc:
        raise EsiError(f"{name}: row {reader.line_num + 1}: {csv_problem(exc)}", "csv") from None


def _grade_reader(book: Gradebook, reader: csv.DictReader, name: str) -> Gradebook:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise EsiError(
            f"{name}: column(s) {', '.join(twice)} appear more than once in the header "
            "(names are compared without case and surrounding spaces)",
            "header",
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise EsiError(
            f"{name}: missing column(s) {', '.join(missing)} (need {', '.join(REQUIRED_COLUMNS)}; "
            f"optional {', '.join(OPTIONAL_COLUMNS)})",
            "header",
        )
    reader.fieldnames = header
    answers: dict[tuple[str, str], list[tuple[int, int, dict[str, object]]]] = {}
    line_numbers: dict[tuple[str, str], set[int]] = {}  # the line numbers given, per learner x scenario
    known = {s.id for s in scenarios()}
    for count, row in enumerate(reader):
        if count >= MAX_ROWS:
            raise EsiError(f"{name}: more than {MAX_ROWS:,} rows", "rows")
        rownum = reader.line_num
        if None in row:
            book.bad_rows.append(BadRow(rownum, "more cells than columns in the header"))
            continue
        learner = (row.get("learner") or "").strip()
        sid = (row.get("scenario") or "").strip()
        code = (row.get("code") or "").strip()
        if not learner and not sid and not code and not any((v or "").strip() for v in row.values()):
            book.bad_rows.append(BadRow(rownum, "empty row"))
            continue
        if not learner:
            book.bad_rows.append(BadRow(rownum, "learner: empty"))
            continue
        if sid not in known and not is_generated_id(sid):
            book.bad_rows.append(BadRow(rownum, f"scenario: unknown scenario id {sid!r}"))
            continue
        units_text = (row.get("units") or "").strip()
        line_text = (row.get("line") or "").strip()
        try:  # values read with the field vocabulary, as the encounter parser and the claims audit read them
            units = fields.units(units_text, "units", text=True) if units_text else 1
            mods = list(fields.modifiers(row.get("modifiers") or "", "modifiers"))
        except EsiError as exc:
            book.bad_rows.append(BadRow(rownum, str(exc)))
            continue
        try:
            line_no = int(line_text) if line_text else 0
            if line_no < 0:
                raise ValueError
        except ValueError:
            book.bad_rows.append(BadRow(rownum, f"line: expected a whole number, got {line_text!r}"))
            continue
        entries = answers.setdefault((learner, sid), [])
        numbers = line_numbers.setdefault((learner, sid), set())
        if line_no in numbers:
            book.bad_rows.append(BadRow(rownum, f"line: line {line_no} of {learner}/{sid} appears twice"))
            continue
        if line_no:
            numbers.add(line_no)
        entries.append((line_no, rownum, {"code": code, "modifiers": mods, "units": units} if code else {}))
    for (learner, sid), entries in answers.items():
        entries.sort(key=lambda e: (e[0] or 10**9, e[1]))
        lines = [e for _, _, e in entries if e]
        if len(lines) > MAX_ANSWER_LINES:
            first = min(rownum for _, rownum, _ in entries)
            book.bad_rows.append(
                BadRow(
                    first,
                    f"{learner}/{sid}: {len(lines):,} claim lines, more than the "
                    f"{MAX_ANSWER_LINES} an answer may have; this answer is not graded",
                )
            )
            continue
        book.grades[(learner, sid)] = grade(get(sid), lines, book.pass_mark)
    book.bad_rows.sort(key=lambda b: b.row)
    return book


# ------------------------------------------------------------------------------------------------ SVG
def _x(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def score_histogram_svg(
    scores: Iterable[float],
    pass_mark: float = PASS_MARK,
    title: str = "Learner scores",
    bins: int = 10,
    width: int = 560,
    height: int = 320,
) -> str:
    """A bar chart (SVG text) of scores in [0, 1], in ``bins`` equal bins, with the pass mark marked.

    >>> svg = score_histogram_svg([0.2, 0.75, 0.8, 1.0])
    >>> svg.startswith("<svg") and svg.count('class="bar"') == 10
    True
    """
    values = [min(max(float(s), 0.0), 1.0) for s in scores]
    counts = [0] * bins
    for v in values:
        counts[min(int(v * bins), bins - 1)] += 1
    left, right, top, bottom = 48, 16, 52, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) if values else 0
    ymax = max(1, peak)
    bw = plot_w / bins
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_x(title)}" font-family="sans-serif" '
        f'font-size="12">',
        f"<title>{_x(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2:.1f}" y="22" text-anchor="middle" font-size="15">{_x(title)} (n = {len(values)})</text>',
        f'<text x="{width / 2:.1f}" y="40" text-anchor="middle" fill="#555">dashed line: pass mark '
        f"{round(pass_mark * 100)}%; green bins pass</text>",
    ]
    for k in range(ymax + 1) if ymax <= 10 else range(0, ymax + 1, max(1, ymax // 5)):
        y = top + plot_h - plot_h * k / ymax
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{k}</text>')
    for i, c in enumerate(counts):
        h = plot_h * c / ymax
        x = left + i * bw
        lo, hi = round(100 * i / bins), round(100 * (i + 1) / bins)
        fill = "#1b7f3b" if i / bins >= pass_mark - 1e-9 else "#b42318"
        out.append(
            f'<rect class="bar" x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bw - 4:.1f}" '
            f'height="{h:.1f}" fill="{fill}"><title>{lo}-{hi}%: {c}</title></rect>'
        )
        if c:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle">{c}</text>')
        out.append(
            f'<text x="{x + bw / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="10">{lo}-{hi}</text>'
        )
    px = left + plot_w * pass_mark
    out.append(
        f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{top + plot_h}" stroke="#333" stroke-dasharray="4 3"/>'
    )
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">mean score (%)</text>')
    out.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">learners</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
