"""Issue-10 figures: what SIGTERM leaves behind during a large audit, and the gradebook on one huge answer.

1. SIGTERM. Generates a claims file with the project's generator (default 3,000,000 lines), then runs
   ``esi-ref audit FILE --out --detail --summary --chart`` in a fresh process per delay, sends SIGTERM
   after each delay (seconds; default 1, 3, 6, 10, 15, 25) and lists the output folder afterwards: every
   run must leave either nothing (stopped before the outputs were renamed into place, exit 143) or all four
   complete outputs (finished, exit 0/1) - never a partial file, never a ``.part`` temporary. One run
   without a signal gives the full time and checks that ``--out`` has one row per input row.
2. Gradebook. ``esi-ref grade`` on an answers file with 6,000 rows for one learner and scenario: its wall
   time (the answer is over the 50-line limit, so it is reported as one bad row, not graded).

    python benchmarks/bench_hardening.py [--lines 3000000] [--delays 1 3 6 10 15 25] [--keep DIR] [--file CSV]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("out.csv", "detail.csv", "summary.json", "chart.svg")


def _command(claims: Path, folder: Path) -> list[str]:
    argv = [sys.executable, "-m", "esi_reference.cli", "audit", str(claims), "--quiet"]
    for flag, name in zip(("--out", "--detail", "--summary", "--chart"), OUTPUTS, strict=True):
        argv += [flag, str(folder / name)]
    return argv


def _listing(folder: Path) -> str:
    files = sorted(folder.iterdir())
    return ", ".join(f"{p.name} ({p.stat().st_size:,} B)" for p in files) if files else "(empty)"


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def sigterm_runs(claims: Path, rows: int, delays: list[float], work: Path) -> None:
    folder = work / "full"
    folder.mkdir()
    started = time.perf_counter()
    code = subprocess.run(_command(claims, folder), env=_env(), check=False).returncode
    full = time.perf_counter() - started
    with open(folder / "out.csv", encoding="utf-8") as f:
        out_rows = sum(1 for _ in f) - 1  # (no quoted line breaks in generated files)
    print(f"no signal: exit {code} after {full:.1f} s; out.csv has {out_rows:,} rows for {rows:,} input rows")
    print(f"  folder: {_listing(folder)}")
    for delay in delays:
        folder = work / f"term-{delay:g}s"
        folder.mkdir()
        proc = subprocess.Popen(_command(claims, folder), env=_env(), stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate()
        names = sorted(p.name for p in folder.iterdir())
        verdict = "nothing written" if not names else "all outputs" if names == sorted(OUTPUTS) else "PARTIAL"
        print(f"SIGTERM at {delay:g} s: exit {proc.returncode}; {verdict}: {_listing(folder)}")
        if err.strip():
            print(f"  stderr: {err.strip()[:200]}")


def grade_run(work: Path) -> None:
    answers = work / "answers.csv"
    with open(answers, "w", encoding="utf-8") as f:
        f.write("learner,scenario,code,modifiers,units\n")
        f.writelines("ana,tf-bilateral-one-level,64483,50,1\n" for _ in range(6000))
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "esi_reference.cli", "grade", str(answers)],
        env=_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    took = time.perf_counter() - started
    print(f"esi-ref grade, 6,000 rows for one learner and scenario: {took:.2f} s, exit {proc.returncode}")
    print(f"  stderr: {proc.stderr.strip()[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=3_000_000)
    parser.add_argument("--delays", type=float, nargs="+", default=[1, 3, 6, 10, 15, 25])
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--skip-sigterm", action="store_true")
    parser.add_argument("--file", type=Path, help="an existing claims file to audit instead of generating one")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from esi_reference.audit.generate import write_claims

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-hardening-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        grade_run(work)
        if not args.skip_sigterm:
            if args.file:
                claims = args.file
                with open(claims, encoding="utf-8") as f:
                    rows = sum(1 for _ in f) - 1
            else:
                claims = work / "claims.csv"
                started = time.perf_counter()
                rows = write_claims(claims, args.lines, seed=10, bad_row_rate=0.01)
                print(f"generated {rows:,} claim lines ({claims.stat().st_size / 1e6:,.0f} MB) "
                      f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
            sigterm_runs(claims, rows, args.delays, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
