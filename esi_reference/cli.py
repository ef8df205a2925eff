"""The ``esi-ref`` command line.

Commands: ``lookup CODE``, ``search TEXT``, ``codes``, ``docs``, ``sources`` (the reference);
``schema``, ``check``, ``suggest``, ``rules`` (the rule engine); ``grade`` (instructor gradebook);
``audit`` (claims file). Every command takes ``--format``. Bad input prints one line on stderr and exits
with status 2 (``check`` exits 1 when the encounter has an error-severity finding); never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence

from . import catalogue, documentation
from .catalogue import (
    APPROACH_LABELS,
    BILATERAL_LABELS,
    CATHETER_LABELS,
    IMAGING_LABELS,
    MAI_LABELS,
    REGION_LABELS,
    UNIT_LABELS,
)
from .errors import EsiError
from .output import FORMATS, render
from .sources import sources as all_sources

#: Commands that live in their own modules; each exposes ``register(subparsers)``.
PLUGIN_COMMANDS = (
    "esi_reference.engine_cli",
    "esi_reference.gradebook",
    "esi_reference.audit.command",
    "esi_reference.scenarios_cli",
)


def code_detail(code: catalogue.Code) -> list[tuple[str, str]]:
    """The labelled facts shown by ``esi-ref lookup`` (and the book's code pages)."""
    unverified = set(code.unverified)

    def mark(name: str, text: str) -> str:
        return f"{text} [unverified]" if name in unverified else text

    rows = [
        ("Code", code.code),
        ("Kind", code.kind + (f" (deleted {code.deleted_on.isoformat()})" if code.deleted_on else "")),
        ("Summary", code.summary),
        ("Family", catalogue.FAMILY_LABELS.get(code.family, code.family)),
        ("Region", REGION_LABELS.get(code.region_family, code.region_family)),
        ("Approach", APPROACH_LABELS.get(code.approach, code.approach)),
        ("Imaging", IMAGING_LABELS.get(code.imaging, code.imaging)),
        ("Catheter", CATHETER_LABELS.get(code.catheter, code.catheter)),
        (
            "Units",
            mark(
                "unit_amount",
                UNIT_LABELS.get(code.unit_basis, code.unit_basis)
                + (f"; 1 unit = {code.unit_amount} {code.unit_measure}" if code.unit_amount else ""),
            ),
        ),
    ]
    if code.family == "esi_interlaminar":
        rows.append(("Levels", "one level per session (LCD); one unit however many levels are injected"))
    if code.primary_codes:
        rows.append(("Add-on of", mark("primary_codes", " or ".join(code.primary_codes))))
    rows += [
        (
            "Bilateral",
            "not bilateral - " + BILATERAL_LABELS["9"]
            if code.bilateral_indicator == "9"
            else BILATERAL_LABELS.get(code.bilateral_indicator, code.bilateral_indicator),
        ),
        ("Global days", code.global_days or "not loaded"),
        (
            "MUE",
            mark(
                "mue",
                f"{code.mue} per day, MAI {MAI_LABELS.get(code.mue_mai, code.mue_mai)} ({code.mue_vintage} CMS table)"
                if code.mue is not None
                else "no value in the loaded table",
            ),
        ),
        (
            "Valid",
            code.validity
            + (
                " (start date not verified)"
                if "valid_from" in unverified and code.valid_from is None and not code.valid_to
                else ""
            ),
        ),
    ]
    if code.replaced_by:
        rows.append(("Replaced by", mark("replaced_by", ", ".join(code.replaced_by))))
    if code.use_instead:
        rows.append(("Use instead", code.use_instead))
    for confusion in code.confusions:
        rows.append(("Common error", confusion))
    if code.related:
        rows.append(("Related", ", ".join(code.related)))
    if code.unverified:
        rows.append(("Unverified", ", ".join(code.unverified)))
    rows.append(("Sources", ", ".join(code.sources)))
    return rows


def _cmd_lookup(args: argparse.Namespace) -> int:
    code = catalogue.lookup(args.code)
    if args.format == "table":
        width = max(len(k) for k, _ in code_detail(code))
        print("\n".join(f"{k.ljust(width)}  {v}" for k, v in code_detail(code)))
    elif args.format == "json":
        print(json.dumps(code.as_dict(), indent=2))
    else:
        print(render([{k: v for k, v in code.as_dict().items()}], "csv"))
    return 0


def _code_rows(rows: Sequence[catalogue.Code]) -> list[dict[str, object]]:
    return [
        {
            "code": c.code,
            "kind": c.status,
            "region": REGION_LABELS.get(c.region_family, ""),
            "valid": c.validity,
            "summary": c.summary,
        }
        for c in rows
    ]


def _cmd_search(args: argparse.Namespace) -> int:
    found = catalogue.search(args.text)
    if not found and args.format == "table":
        print(f"no code matches {args.text!r}")
        return 0
    print(render(_code_rows(found), args.format))
    return 0


def _cmd_codes(args: argparse.Namespace) -> int:
    print(render(_code_rows(catalogue.codes(family=args.family, as_of=args.as_of, kind=args.kind)), args.format))
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    rows = [
        {"id": d.id, "applies to": d.applies_to_text, "requirement": d.text, "sources": list(d.sources)}
        for d in documentation.documentation_items(args.applies_to)
    ]
    print(render(rows, args.format))
    return 0


def _cmd_sources(args: argparse.Namespace) -> int:
    rows = [
        {
            "id": s.id,
            "document": s.document_id,
            "confidence": s.confidence,
            "effective": s.effective_date.isoformat() if s.effective_date else "",
            "read": s.date_read.isoformat(),
            "title": s.title,
            "url": s.url,
        }
        for s in all_sources()
    ]
    print(render(rows, args.format))
    return 0


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = FORMATS, default: str = "table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default {default})")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() prints one line and returns 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise EsiError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="esi-ref", description="Epidural steroid injection coding reference, checker and trainer.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("lookup", help="everything about one code")
    p.add_argument("code")
    add_format(p)
    p.set_defaults(func=_cmd_lookup)
    p = sub.add_parser("search", help="find codes by words (e.g. 'caudal', 'T12-L1')")
    p.add_argument("text")
    add_format(p)
    p.set_defaults(func=_cmd_search)
    p = sub.add_parser("codes", help="list catalogue codes")
    p.add_argument("--family", help="family id or prefix, e.g. esi, esi_transforaminal, drug")
    p.add_argument("--kind", help="primary, add-on, drug, range or deleted")
    p.add_argument("--as-of", dest="as_of", help="only codes valid on this date of service (YYYY-MM-DD)")
    add_format(p)
    p.set_defaults(func=_cmd_codes)
    p = sub.add_parser("docs", help="documentation requirements")
    p.add_argument("--applies-to", dest="applies_to", choices=list(documentation.APPLIES_TO))
    add_format(p)
    p.set_defaults(func=_cmd_docs)
    p = sub.add_parser("sources", help="the sources table")
    add_format(p)
    p.set_defaults(func=_cmd_sources)
    for module_name in PLUGIN_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
    except EsiError as exc:
        text = str(exc)
        print(text if text.startswith("esi-ref") else f"esi-ref: {text}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"esi-ref: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
