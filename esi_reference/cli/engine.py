"""``esi-ref schema | check | suggest | rules``: the rule engine on the command line.

``check`` exits 0 when the claim is clean, 1 when any finding has error severity and 2 for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import json

from esi_reference.engine import Encounter, check, suggest_claim
from esi_reference.errors import EsiError
from esi_reference.files import MAX_ENCOUNTER_BYTES, MAX_TABLE_BYTES, add_max_mb, max_bytes, read_text
from esi_reference.model.encounter import encounter_schema, parse_encounter
from esi_reference.reference import ncci
from esi_reference.reference.sources import cite
from esi_reference.rules import all_rules
from esi_reference.views.output import render

MAX_FILE_BYTES = MAX_ENCOUNTER_BYTES


def load_encounter_file(path: str) -> Encounter:
    """Read and validate an encounter JSON file (at most 5 MB); every problem becomes an EsiError naming the file."""
    text = read_text(path, "an encounter JSON file", MAX_FILE_BYTES)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EsiError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise EsiError(f"{path}: not an encounter - JSON nested too deeply") from None
    except ValueError:  # an integer literal over Python's 4,300-digit conversion limit
        raise EsiError(f"{path}: not an encounter - a number with more than 4,300 digits") from None
    try:
        return parse_encounter(data)
    except EsiError as exc:
        raise EsiError(f"{path}: {exc}", exc.field) from exc
    except RecursionError:
        raise EsiError(f"{path}: not an encounter - values nested too deeply") from None


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(encounter_schema(), indent=2))
    return 0


def _tables(args: argparse.Namespace) -> contextlib.AbstractContextManager[object]:
    """The user's CMS PTP/MUE files for this run, when given."""
    if not (args.ptp_file or args.mue_file):
        return contextlib.nullcontext()
    return ncci.using_files(args.ptp_file, args.mue_file, max_bytes(args, MAX_TABLE_BYTES))


def _cmd_check(args: argparse.Namespace) -> int:
    encounter = load_encounter_file(args.encounter)
    with _tables(args):
        report = check(encounter, as_of=args.as_of)
    print(json.dumps(report.to_dict(), indent=2) if args.format == "json" else report.text())
    return 0 if report.is_clean else 1


def _cmd_suggest(args: argparse.Namespace) -> int:
    encounter = load_encounter_file(args.encounter)
    with _tables(args):
        suggestion = suggest_claim(encounter)
    if args.format == "json":
        print(json.dumps(suggestion.to_dict(), indent=2))
        return 0
    print("Bill:")
    for n, line in enumerate(suggestion.lines, 1):
        print(f"  {n}. {line}  - {line.reason}")
    if not suggestion.lines:
        print("  (nothing billable with a verified code)")
    if suggestion.not_billable:
        print("Do not bill:")
        for item in suggestion.not_billable:
            print(f"  - {item.code}: {item.reason} [{item.rule_id}; {cite(item.sources)}]")
    for note in suggestion.notes:
        print(f"Note: {note}")
    if suggestion.tables is not None:
        print(f"CMS tables: {suggestion.tables.summary()}")
    return 0


def _cmd_rules(args: argparse.Namespace) -> int:
    rows = [
        {
            "id": r.id,
            "family": r.family,
            "severity": r.severity,
            "effective": r.effective_text,
            "sources": list(r.sources),
            "title": r.title,
        }
        for r in all_rules()
    ]
    print(render(rows, args.format))
    return 0


def _table_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ptp-file", dest="ptp_file", action="append", help="a CMS practitioner PTP part for this run (repeatable)"
    )
    p.add_argument("--mue-file", dest="mue_file", action="append", help="a CMS practitioner MUE file for this run")
    add_max_mb(p, MAX_TABLE_BYTES, "CMS table files")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of encounter files")
    p.set_defaults(func=_cmd_schema)
    p = sub.add_parser("check", help="check an encounter's claim (exit 1 on any error finding)")
    p.add_argument("encounter", help="encounter JSON file (see `esi-ref schema` and examples/)")
    p.add_argument("--as-of", dest="as_of", help="evaluate the rules in force on this date (default: date of service)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _table_options(p)
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("suggest", help="the claim lines to bill for an encounter, and what not to bill")
    p.add_argument("encounter")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _table_options(p)
    p.set_defaults(func=_cmd_suggest)
    p = sub.add_parser("rules", help="the rule catalogue with sources and effective dates")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=_cmd_rules)
