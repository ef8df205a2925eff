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

from esi_reference.errors import EsiError
from esi_reference.files import MAX_CLAIMS_BYTES, Outputs, add_max_mb, max_bytes
from esi_reference.views.output import render


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
        action="append",
        help="a CMS practitioner MUE file for this run (over the installed or shipped table)",
    )
    p.add_argument(
        "--ptp-file",
        dest="ptp_file",
        action="append",
        help="a CMS practitioner PTP part for this run (repeatable: parts combine)",
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
    from esi_reference.audit.progress import Progress
    from esi_reference.cmsdata.tables import tables_in_use
    from esi_reference.reference import ncci

    try:  # pandas (and pyarrow, optional) are the `tables` extra, not dependencies of the core package
        from esi_reference.audit.chart import findings_chart
        from esi_reference.audit.core import audit
        from esi_reference.audit.export import write_frame
    except ModuleNotFoundError as exc:
        raise EsiError(f"the audit needs {exc.name}: pip install 'esi-reference[tables]'") from exc

    limit = max_bytes(args, MAX_CLAIMS_BYTES)
    targets = [path for path in (args.out, args.detail, args.summary, args.chart) if path]
    table_inputs = [*(args.ptp_file or ()), *(args.mue_file or ())]
    with Outputs(targets, inputs=[args.claims, *table_inputs]) as outputs:
        progress = Progress(0, enabled=args.progress)
        with ncci.using_files(args.ptp_file, args.mue_file, limit):
            result = audit(args.claims, progress=progress, max_bytes=limit)
            days = result.claims.lines["dos"].drop_duplicates().dt.date
            cms_tables, cms_notes = tables_in_use(days)
        if args.out:
            write_frame(result.lines, outputs.temp_path(args.out), args.format)
        if args.detail:
            findings = result.findings.assign(date_of_service=result.findings["date_of_service"].astype(str))
            write_frame(findings, outputs.temp_path(args.detail), args.format)
        if args.summary:
            data = dict(result.summary.to_dict(), cms_tables=cms_tables, cms_table_notes=cms_notes)
            outputs.write_text(args.summary, json.dumps(data, indent=2, default=str) + "\n")
        if args.chart:
            outputs.write_text(args.chart, findings_chart(result.summary.by_rule))
    if not args.quiet:  # (the summary is computed only when it is printed or written)
        summary = result.summary
        labels = "; ".join(f"{str(t['kind']).upper()} {t['label']}" for t in cms_tables)
        print(f"CMS tables used: {labels or 'none (no dates of service)'}")
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
