"""``esi-ref audit``: audit a claim-line CSV and write one output row per input row.

Exit status: 0 when no finding has error severity, 1 when at least one has, 2 on bad input (a file
that cannot be read, a missing required column) - printed as one line, never a traceback.

Outputs (``--out``, ``--detail``, ``--summary``, ``--chart``) are written all-or-nothing through
:class:`esi_reference.files.Outputs`: temporary files next to their destinations, renamed into place once
all are complete. An output naming an input file (the claims, ``--ptp-file``, ``--mue-file``) or another
output of the run is refused before anything is read. ``--max-mb`` sets the size cap of the claims file
and of the CMS tables.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import EsiError
from ..files import MAX_CLAIMS_BYTES, Outputs, add_max_mb, max_bytes
from ..output import render


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "audit",
        help="audit a claim-line CSV (see docs/claims-format.md)",
        description="Audit a claim-line CSV with the claim-level rules. --out gets one row per "
        "input row (clean, findings or rejected); the summary by rule is printed.",
    )
    p.add_argument("claims", help="claim-line CSV file")
    p.add_argument("--out", help="write one row per input row here (status, severity, rule ids, reject reason)")
    p.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="format of --out and --detail (default csv)"
    )
    p.add_argument("--detail", help="write one row per finding (rule id, severity, message) here")
    p.add_argument("--summary", help="write the summary (totals, by rule, by month, patients over the limit) as JSON")
    p.add_argument("--chart", help="write an SVG bar chart of findings by rule")
    p.add_argument(
        "--mue-file",
        dest="mue_file",
        help="a current CMS practitioner MUE file to use instead of the shipped Q3 2024 values",
    )
    p.add_argument(
        "--ptp-file",
        dest="ptp_file",
        help="a current CMS practitioner PTP file to use instead of the shipped Q3 2024 edits",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show a progress bar on stderr (default: only on a terminal)",
    )
    group.add_argument("--no-progress", dest="progress", action="store_false")
    p.add_argument("--quiet", action="store_true", help="do not print the summary")
    add_max_mb(p, MAX_CLAIMS_BYTES, "claims files and CMS tables")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import ncci
    from .chart import findings_chart
    from .export import write_frame
    from .progress import Progress

    try:
        from .core import audit
    except ModuleNotFoundError as exc:  # pandas is an optional dependency of the core package
        raise EsiError(f"the audit needs {exc.name}: pip install 'esi-reference[tables]'") from exc

    limit = max_bytes(args, MAX_CLAIMS_BYTES)
    targets = [path for path in (args.out, args.detail, args.summary, args.chart) if path]
    with Outputs(targets, inputs=[args.claims, args.ptp_file, args.mue_file]) as outputs:
        edits = ncci.load_ptp_file(args.ptp_file, limit) if args.ptp_file else None
        mue = ncci.load_mue_file(args.mue_file, limit) if args.mue_file else None
        label = " + ".join(Path(f).name for f in (args.ptp_file, args.mue_file) if f) or "user file"
        progress = Progress(0, enabled=args.progress)
        with ncci.using_tables(ptp=edits, mue=mue, label=label):
            result = audit(args.claims, progress=progress, max_bytes=limit)
        if args.out:
            write_frame(result.lines, outputs.temp_path(args.out), args.format)
        if args.detail:
            findings = result.findings.assign(date_of_service=result.findings["date_of_service"].astype(str))
            write_frame(findings, outputs.temp_path(args.detail), args.format)
        if args.summary:
            outputs.write_text(args.summary, json.dumps(result.summary.to_dict(), indent=2, default=str) + "\n")
        if args.chart:
            outputs.write_text(args.chart, findings_chart(result.summary.by_rule))
    if not args.quiet:  # (the summary is computed only when it is printed or written)
        summary = result.summary
        t = summary.totals
        print(
            f"{t['rows_read']:,} rows read: {t['rows_clean']:,} clean, "
            f"{t['rows_with_findings']:,} with findings, "
            f"{t['rows_rejected']:,} rejected; {t['findings']:,} findings ({t['errors']:,} errors, "
            f"{t['warnings']:,} warnings, {t['info']:,} info); "
            f"{t['patients_over_limit']:,} patient(s) over the "
            "session limit"
        )
        rows = [
            {
                "rule": r.rule_id,
                "title": r.title,
                "findings": r.findings,
                "lines": r.lines,
                "patients": r.patients,
            }
            for r in summary.by_rule.itertuples()
            if r.findings
        ]
        if rows:
            print(render(rows, "table"))
        if len(result.rejects):
            shown = result.rejects.head(10)
            print(f"\nrejected rows (first {len(shown)} of {len(result.rejects):,}):")
            print(render([{"row": int(r.row), "reason": r.reason} for r in shown.itertuples()], "table"))
        sys.stdout.flush()
    return 1 if result.has_errors else 0
