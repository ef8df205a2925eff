"""``esi-ref data``: install CMS's quarterly files, list what is installed, remove a quarter.

``esi-ref data import PATH...`` reads the files as CMS publishes them (the practitioner PTP parts, a
folder of them or CMS's zip; the practitioner MUE CSV; the PPRRVU CSV), keeps the catalogue's rows and
installs them as one quarter in the data folder (``--into DIR``, else ``$ESI_REFERENCE_DATA``, else the
per-user data folder). ``esi-ref data status`` lists the installed quarters (files, sha256, rows, import
date) and which tables a date of service would use; ``esi-ref data remove VINTAGE...`` (or ``--all``)
removes quarters. Bad input: one line on stderr naming the file (and row), exit 2; nothing half-installed.
"""

from __future__ import annotations

import argparse
import json

from esi_reference.cmsdata import importer, store
from esi_reference.cmsdata.tables import refresh, tables_for
from esi_reference.errors import EsiError
from esi_reference.model.dates import parse_date


def _cmd_import(args: argparse.Namespace) -> int:
    outcome = importer.install_files(args.paths, into=args.into, vintage=args.vintage, strict=args.strict)
    refresh()
    print(json.dumps(outcome.as_dict(), indent=2) if args.format == "json" else outcome.text())
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    root = store.data_dir(args.into)
    installed = store.quarters(root) if root.exists() else []
    day = parse_date(args.as_of, "--as-of") if args.as_of else None
    with store.using_dir(root):
        refresh()
        tables = tables_for(day)
    refresh()
    if args.format == "json":
        data = {
            "data_dir": str(root),
            "quarters": [{"vintage": q.vintage, "folder": q.folder.name, **q.manifest} for q in installed],
            "in_use": tables.in_use(),
            "notes": list(tables.notes),
        }
        print(json.dumps(data, indent=2))
        return 0
    print(f"data folder: {root}")
    if not installed:
        print("nothing installed: the shipped Q3 2024 tables are used")
    for q in installed:
        print(f"{q.vintage} (imported {q.manifest.get('imported', '?')})")
        for kind, info in sorted(q.tables.items()):
            state = "complete" if info.get("complete") else f"partial: {info.get('note', '')}"
            print(f"  {kind.upper()} {state}")
            for f in info.get("files", []):
                print(
                    f"    {f['name']}  sha256 {f['sha256'][:16]}...  {f['rows_read']:,} rows read, "
                    f"{f['rows_kept']:,} kept, {f['rows_skipped']:,} skipped"
                )
    print(f"in use{' on ' + day.isoformat() if day else ' (newest)'}: {tables.summary()}")
    for note in tables.notes:
        print(f"note: {note}")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    if not args.vintages and not args.all:
        raise EsiError("data remove: name the quarters to remove (e.g. 2026Q3) or give --all", "vintage")
    root = store.data_dir(args.into)
    if not root.exists():
        raise EsiError(f"{root}: no data folder (nothing installed)", "path")
    removed = store.remove(root, [] if args.all else list(args.vintages))
    refresh()
    print(f"removed {', '.join(removed) or 'nothing'} from {root}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="install current CMS PTP/MUE/fee-schedule files, list them, remove them")
    actions = data.add_subparsers(dest="data_command", required=True, metavar="{import,status,remove}")

    def folder(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--into",
            "--data-dir",
            dest="into",
            metavar="DIR",
            help=f"data folder (default: ${store.ENV}, else the per-user data folder)",
        )

    p = actions.add_parser("import", help="install CMS files as published (files, folders or CMS's zip)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="PTP parts, MUE CSV, PPRRVU CSV, a folder or a zip")
    p.add_argument("--vintage", help="the CMS quarter (e.g. 2026Q3) when the file names do not say")
    p.add_argument("--strict", action="store_true", help="refuse a file with any bad row instead of skipping it")
    p.add_argument("--format", choices=("text", "json"), default="text")
    folder(p)
    p.set_defaults(func=_cmd_import)
    p = actions.add_parser("status", help="list the installed quarters and the tables a date would use")
    p.add_argument("--as-of", dest="as_of", help="show the tables used for this date of service")
    p.add_argument("--format", choices=("text", "json"), default="text")
    folder(p)
    p.set_defaults(func=_cmd_status)
    p = actions.add_parser("remove", help="remove installed quarters")
    p.add_argument("vintages", nargs="*", metavar="VINTAGE")
    p.add_argument("--all", action="store_true", help="remove every installed quarter")
    folder(p)
    p.set_defaults(func=_cmd_remove)
