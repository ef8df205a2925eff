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

from . import catalogue, documentation, facts
from .catalogue import (
    REGION_LABELS,
)
from .errors import EsiError
from .output import FORMATS, render
from .sources import sources as all_sources

#: Commands that live in their own modules; each exposes ``register(subparsers)``.
PLUGIN_COMMANDS = ("esi_reference.engine_cli", "esi_reference.gradebook", "esi_reference.audit.command")


def code_detail(code: catalogue.Code) -> list[tuple[str, str]]:
    """The labelled facts shown by ``esi-ref lookup``: the quick facts of :mod:`esi_reference.facts` (the same
    card as the top of the code's book page), then kind, family, errors, related codes and sources."""
    quick = facts.quick_facts(code)
    rows = [("Code", code.code), ("Name", quick.title.split(" - ", 1)[1])]
    rows += [(f.label, f.value + (" [unverified]" if f.unverified else "")) for f in quick.facts]
    rows.insert(3, ("Kind", code.kind + (f" (deleted {code.deleted_on.isoformat()})" if code.deleted_on else "")))
    rows.insert(4, ("Family", catalogue.FAMILY_LABELS.get(code.family, code.family)))
    if code.use_instead:
        rows.append(("Use instead", code.use_instead))
    rows += [("Common error", confusion) for confusion in code.confusions]
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
        print(json.dumps(code.as_dict() | {"quick_facts": facts.quick_facts(code).as_dict()}, indent=2))
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
