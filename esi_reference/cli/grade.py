"""``esi-ref grade``: a class's answers CSV into a gradebook (:mod:`esi_reference.trainer.gradebook`).

One row per answer line (learner, scenario, code [, line, modifiers, units]); writes learners.csv,
scenarios.csv, grades.csv and bad_rows.csv with ``--out DIR`` and a score chart with ``--chart``; exit 1
when rows were bad (they are listed, never graded silently), 2 on a file it cannot read.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

from esi_reference.errors import EsiError
from esi_reference.files import MAX_ANSWERS_BYTES, Outputs, read_text
from esi_reference.trainer import gradebook
from esi_reference.trainer.gradebook import OUT_FILES, grade_rows, score_histogram_svg
from esi_reference.trainer.grading import PASS_MARK
from esi_reference.views.output import FORMATS, bounded, render, terminal_safe


def _csv(rows: list[dict[str, object]], columns: tuple[str, ...] = ()) -> str:
    """Rows as CSV (cells spreadsheet-safe); just the header when there are no rows but ``columns``."""
    if rows:
        return render(rows, "csv") + "\n"
    return ",".join(columns) + "\n" if columns else ""


def _cmd_grade(args: argparse.Namespace) -> int:
    if not 0 <= args.pass_mark <= 100:
        raise EsiError(f"--pass-mark: expected a percentage from 0 to 100, got {args.pass_mark}")
    names = {name: str(Path(args.out) / name) for name in OUT_FILES} if args.out else {}
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise EsiError(f"--out {args.out}: is a file, expected a folder for {', '.join(OUT_FILES)}", "path")
    targets = [*names.values(), *([args.chart] if args.chart else [])]
    with Outputs(targets, inputs=[args.answers]) as outputs:
        text = read_text(args.answers, "an answers CSV file", MAX_ANSWERS_BYTES)
        book = grade_rows(io.StringIO(text, newline=""), args.pass_mark / 100, args.answers)
        learners, per_scenario, bad = book.learner_rows(), book.scenario_rows(), book.bad_row_rows()
        if args.out:
            outputs.write_text(names["learners.csv"], _csv(learners))
            outputs.write_text(names["scenarios.csv"], _csv(per_scenario))
            outputs.write_text(names["grades.csv"], _csv(book.grade_rows()))
            outputs.write_text(names["bad_rows.csv"], _csv(bad, ("row", "problem")))
        if args.chart:
            scores = [r["mean_score"] / 100 for r in learners]
            outputs.write_text(
                args.chart, score_histogram_svg(scores, book.pass_mark, "Distribution of learner mean scores")
            )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "pass_mark": book.pass_mark,
                    "learners": learners,
                    "scenarios": per_scenario,
                    "grades": book.grade_rows(),
                    "bad_rows": bad,
                },
                indent=2,
            )
        )
    elif args.format == "csv":
        print(render(learners, "csv"))
    else:
        print(f"Learners (pass mark {args.pass_mark:g}%)")
        print(render(learners, "table"))
        print()
        print("Scenarios, hardest first")
        print(render(per_scenario, "table"))
    problems = [f"esi-ref grade: {args.answers}: row {b.row}: {b.problem}" for b in book.bad_rows]
    for line in bounded(problems):
        print(terminal_safe(line), file=sys.stderr)
    if bad:
        print(f"esi-ref grade: {len(bad)} bad row(s) left out of the grades", file=sys.stderr)
    return 1 if bad else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade",
        help="grade a class's answers CSV into a gradebook (exit 1 if rows were bad)",
        description=gradebook.__doc__.split("\n\n")[1] if gradebook.__doc__ else None,
    )
    p.add_argument("answers", help="CSV: learner, scenario, code [, line, modifiers, units] - one row per line")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="stdout: table (learners and scenarios), csv (learners) or json (everything)",
    )
    p.add_argument("--out", metavar="DIR", help="write learners.csv, scenarios.csv, grades.csv and bad_rows.csv")
    p.add_argument("--chart", metavar="FILE.svg", help="write an SVG chart of the learner score distribution")
    p.add_argument(
        "--pass-mark",
        dest="pass_mark",
        type=float,
        default=PASS_MARK * 100,
        help=f"pass mark in percent (default {PASS_MARK * 100:g})",
    )
    p.set_defaults(func=_cmd_grade)
