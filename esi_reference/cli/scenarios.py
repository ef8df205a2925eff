"""``esi-ref scenarios``: the trainer's scenario bank and generated practice sets, for instructors.

    esi-ref scenarios list [--topic T] [--include-hidden]       # the bank: id, topic, level, title
    esi-ref scenarios generate --seed 7 --count 10 [--topic T]  # a reproducible set, with answer keys
    esi-ref scenarios generate --seed 7 --count 10 --out cases/ # one scenario JSON file per case

A generated case is named ``gen-<seed>-<n>[-<topic>]`` and depends only on those values, so a class
given the same seed practises the same cases, and ``esi-ref grade`` grades answers to them from the id
(see :mod:`esi_reference.trainer.generator`). Files written with ``--out`` follow ``exercises/schema.json``; each
is written to a temporary name and renamed, so a failed run leaves no half-written file.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from esi_reference.trainer.generator import MAX_COUNT, generate, scenario_data
from esi_reference.trainer.scenarios import TOPICS, scenarios
from esi_reference.views.output import FORMATS, render


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _key(s) -> str:
    return "; ".join(str(line) for line in s.expected_lines) or "(no billable line)"


def _cmd_list(args: argparse.Namespace) -> int:
    rows = [
        {"id": s.id, "topic": s.topic, "level": s.difficulty_label, "hidden": s.hidden, "title": s.title}
        for s in scenarios(args.topic, include_hidden=args.include_hidden)
    ]
    print(render(rows, args.format))
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    cases = generate(args.seed, args.count, args.topic)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for s in cases:
            _write_atomic(out / f"{s.id}.json", json.dumps(scenario_data(s), indent=2) + "\n")
    if args.format == "json":
        print(json.dumps([scenario_data(s) for s in cases], indent=2))
    else:
        rows = [
            {
                "id": s.id,
                "topic": s.topic,
                "key": _key(s),
                "not_billable": " ".join(s.not_billable),
                "narrative": s.narrative,
            }
            for s in cases
        ]
        print(render(rows, args.format))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="the trainer's scenario bank and generated practice sets")
    inner = p.add_subparsers(dest="scenarios_command", required=True, parser_class=type(p))
    q = inner.add_parser("list", help="the scenario bank")
    q.add_argument("--topic", choices=list(TOPICS))
    q.add_argument(
        "--include-hidden", dest="include_hidden", action="store_true", help="also the hidden (assessment) scenarios"
    )
    q.add_argument("--format", choices=FORMATS, default="table")
    q.set_defaults(func=_cmd_list)
    q = inner.add_parser("generate", help="a reproducible set of new cases with their answer keys")
    q.add_argument("--seed", type=int, required=True, help="the set's seed (a whole number of at least 0)")
    q.add_argument("--count", type=int, default=10, help=f"how many cases (1 to {MAX_COUNT}; default 10)")
    q.add_argument("--topic", choices=list(TOPICS), help="draw cases for one topic")
    q.add_argument("--out", metavar="DIR", help="also write one scenario JSON file per case into DIR")
    q.add_argument("--format", choices=FORMATS, default="table", help="stdout: table, csv or json (full cases)")
    q.set_defaults(func=_cmd_generate)
