"""The ``esi-ref`` command line.

Commands: ``lookup CODE``, ``search TEXT``, ``codes``, ``docs``, ``sources`` (the reference);
``schema``, ``check``, ``suggest``, ``rules`` (the rule engine); ``grade`` (instructor gradebook);
``audit`` (claims file). Every command takes ``--format``.

Exit status, for every command (plugins registered here inherit it from :func:`main`): 0 done, 1 findings
(``check``, ``audit``: an error-severity finding; ``grade``: rows left out), 2 bad input - one line on
stderr naming the file, row or field and what was expected, never a traceback -, 3 an internal error
(one line asking to report it; the message carries no input data), 130 Ctrl+C, 143 SIGTERM (outputs of
the run are then not written: :mod:`esi_reference.files`). Text from the input is shown with its
control characters escaped, and stderr stays short (at most 20 problems are listed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import io
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from esi_reference.cmsdata.facts import cms_facts, cms_facts_dict
from esi_reference.errors import EsiError
from esi_reference.model.dates import parse_date
from esi_reference.reference import catalogue, documentation
from esi_reference.reference.catalogue import (
    REGION_LABELS,
)
from esi_reference.reference.sources import sources as all_sources
from esi_reference.views import facts
from esi_reference.views.output import FORMATS, render, terminal_safe

#: Commands that live in their own modules; each exposes ``register(subparsers)``.
PLUGIN_COMMANDS = (
    "esi_reference.cli.engine",
    "esi_reference.cli.grade",
    "esi_reference.cli.audit",
    "esi_reference.cli.data",
    "esi_reference.cli.scenarios",
)


def code_detail(code: catalogue.Code, billed: str | None = None, day: dt.date | None = None) -> list[tuple[str, str]]:
    """The labelled facts shown by ``esi-ref lookup``: the quick facts of :mod:`esi_reference.views.facts` (the same
    card as the top of the code's book page), the CMS tables in use for ``day`` (PTP partners of ``billed``, an
    E/M code inside the catalogue's range row), then kind, family, errors, related codes and sources."""
    quick = facts.quick_facts(code, day)
    rows = [("Code", code.code), ("Name", quick.title.split(" - ", 1)[1])]
    rows += [(f.label, f.value + (" [unverified]" if f.unverified else "")) for f in quick.facts]
    rows.insert(3, ("Kind", code.kind + (f" (deleted {code.deleted_on.isoformat()})" if code.deleted_on else "")))
    rows.insert(4, ("Family", catalogue.FAMILY_LABELS.get(code.family, code.family)))
    shown = {label for label, _ in rows}
    rows += [(f"{k} (tables in use)" if k in shown else k, v) for k, v in cms_facts(billed or code.code, day)]
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
    billed = catalogue.normalize_code(args.code) if code.is_range else code.code
    day = parse_date(args.as_of, "--as-of") if args.as_of else None
    if args.format == "table":
        detail = code_detail(code, billed, day)
        width = max(len(k) for k, _ in detail)
        print("\n".join(f"{k.ljust(width)}  {v}" for k, v in detail))
    elif args.format == "json":
        data = dict(code.as_dict(), quick_facts=facts.quick_facts(code, day).as_dict(), cms=cms_facts_dict(billed, day))
        print(json.dumps(data, indent=2))
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
    p.add_argument("--as-of", dest="as_of", help="show the CMS tables in force on this date of service")
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


#: Longest error line printed (a message quoting a huge value is cut, never printed whole).
MAX_ERROR_CHARS = 8_000


class Terminated(BaseException):
    """SIGTERM received: unwinds like Ctrl+C, so that a run's temporary outputs are removed."""


def error_line(text: str) -> str:
    """One terminal-safe line of at most :data:`MAX_ERROR_CHARS` characters, prefixed ``esi-ref:``."""
    text = terminal_safe(" ".join(text.split("\n")))
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 3] + "..."
    return text if text.startswith("esi-ref") else f"esi-ref: {text}"


class _TerminalSafe(io.TextIOBase):
    """stdout with the control characters of everything printed escaped (see ``output.terminal_safe``)."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(terminal_safe(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


@contextlib.contextmanager
def _guarded_streams() -> Iterator[None]:
    """For one run of main(): SIGTERM raises :class:`Terminated`, stdout is terminal-safe."""
    previous = None
    if threading.current_thread() is threading.main_thread():

        def stop(signum: int, frame: object) -> None:
            raise Terminated

        previous = signal.signal(signal.SIGTERM, stop)
    stdout = sys.stdout
    sys.stdout = _TerminalSafe(stdout)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        sys.stdout = stdout
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _internal_error(exc: BaseException) -> str:
    """Where an unexpected exception came from - type and innermost package frame, never its message
    (which may quote input data)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "esi_reference" in f.filename]
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (
        f"esi-ref: internal error ({type(exc).__name__}{where}); this is a bug - please report it to the "
        "esi-reference maintainers with the command you ran (not the patient data)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    with _guarded_streams():
        try:
            args = build_parser().parse_args(argv)
            func: Callable[[argparse.Namespace], int] = args.func
            return func(args)
        except EsiError as exc:
            print(error_line(str(exc)), file=sys.stderr)
            return 2
        except BrokenPipeError:  # output piped into `head` and closed: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:
            print(
                error_line(f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": ")), file=sys.stderr
            )
            return 2
        except KeyboardInterrupt:
            return 130
        except Terminated:
            print("esi-ref: stopped (SIGTERM); no output of this run was written", file=sys.stderr)
            return 143
        except Exception as exc:  # the guard of last resort: a bug, not bad input
            print(_internal_error(exc), file=sys.stderr)
            return 3


if __name__ == "__main__":
    raise SystemExit(main())
