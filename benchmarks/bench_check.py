"""Benchmark: median time of ``check()`` per encounter over the example encounters (one core).

Not a test: run ``make bench`` or ``python benchmarks/bench_check.py [--repeat N]``. Each example is parsed
once; ``check()`` is then timed ``repeat`` times per example (with the billed claim, and again with the
claim removed so the suggested claim is derived and checked). Everything memoised on the encounter is dropped
before each call, so every call does the whole work. Target (issue 9): median <= 0.15 ms per encounter.

This machine's speed moves by 20-50 % within minutes, so compare two versions of the code in the same
session and on the same encounters: ``--examples DIR`` reads the encounters from another folder (an older
checkout's ``examples/``, whose files this parser still reads). ``--untimed`` runs the same calls without the
clocks, for a count of the work that does not depend on the machine's load: under
``valgrind --tool=callgrind``, the instructions of ``--untimed --repeat 5`` minus those of ``--repeat 0``,
divided by 5 x the number of encounters, are the instructions per ``check()`` (the same figure on every run).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

from esi_reference import engine
from esi_reference.model.encounter import Encounter, parse_encounter

ROOT = Path(__file__).resolve().parents[1]


def forget_memos(enc: Encounter) -> None:
    """Drop everything memoised on the encounter and its procedures, so each call does the whole work."""
    for obj in (enc, *enc.procedures):
        fields = {f.name for f in dataclasses.fields(obj)}
        for key in [k for k in obj.__dict__ if k not in fields]:
            del obj.__dict__[key]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--examples", type=Path, default=ROOT / "examples", help="folder of encounter JSON files")
    parser.add_argument("--untimed", action="store_true", help="the same calls without the clocks (see above)")
    args = parser.parse_args(argv)
    paths = sorted(args.examples.glob("*.json"))
    if not paths:
        parser.error(f"{args.examples}: no encounter JSON files")
    encounters = [parse_encounter(json.loads(p.read_text())) for p in paths]
    encounters += [replace(e, claim=None) for e in encounters]
    for enc in encounters:  # imports and tables loaded before anything is counted
        engine.check(enc)
    if args.untimed:
        for _ in range(args.repeat):
            for enc in encounters:
                forget_memos(enc)
                engine.check(enc)
        print(f"check(): {len(encounters)} encounters x {args.repeat} runs, untimed")
        return 0
    wall, cpu = [], []
    for _ in range(args.repeat):
        for enc in encounters:
            forget_memos(enc)
            w0, c0 = time.perf_counter(), time.process_time()
            engine.check(enc)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
    print(f"check(): {len(encounters)} encounters x {args.repeat} runs = {len(wall)} calls")
    for name, samples in (("wall", wall), ("cpu", cpu)):
        median_ms = statistics.median(samples) * 1000
        p95_ms = statistics.quantiles(samples, n=20)[18] * 1000
        print(f"{name:4}: median {median_ms:.3f} ms per encounter, p95 {p95_ms:.3f} ms (target <= 0.15 ms median)")
    print("cpu = process time, less sensitive to other load on the machine; see `uptime` for the load.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
