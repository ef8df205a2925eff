"""Benchmark of the claims audit on a synthetic file (default 1,000,000 claim lines).

Reports, measured in the same run and interleaved (read, audit, read, audit ...):

* wall time of ``esi_reference.audit.audit(path)`` - read, validate, every check, the findings table
  (the summary and the one-row-per-input-row table are built on first use and timed separately);
* wall time of pandas' own ``pd.read_csv(path)`` (default options) on the same file - the reference;
* their ratio (best of N over best of N, median over median, median of the per-pair ratios) - target
  <= 1.5 - and the same for CPU time, which moves less on a busy machine;
* the floor: the audit's reading step alone (pyarrow parse with the audit's column types, dictionary
  unification, hashing of the two identifier columns - no validation, no rule) and its ratio to read_csv.
  No audit can be faster than reading the file and identifying its patients, so this ratio bounds the
  reachable target on the machine;
* for transparency, the ratio against ``pd.read_csv(path, engine="pyarrow")`` and against a one-thread
  default read. Note that with pyarrow installed, pandas 3's *default* read_csv stores text columns in
  Arrow and is several times faster than without it: the reference moves with the environment;
* peak resident memory of a fresh process that runs the audit (and one that only runs read_csv) -
  target <= 2 GB;
* separately: building the one-row-per-input-row table and writing it as CSV with the CLI's writer (what
  ``--out`` adds).

The machine's load average is printed too: on a shared machine the timings move a lot between runs.

    python benchmarks/bench_audit.py [--lines 1000000] [--repeat 3] [--file PATH] [--json OUT]
                                     [--without-pyarrow]

``--without-pyarrow`` hides pyarrow from this process (and the memory probes) before pandas is imported:
the machine without the ``tables`` extra's pyarrow - pandas' default read_csv then builds Python strings and
the audit falls back to its pandas C-engine reader.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def hide_pyarrow() -> None:
    """Make ``import pyarrow`` raise ImportError (a None entry in sys.modules does that). Called before pandas
    is first imported, which is why pandas and the package are imported inside :func:`main`."""
    sys.modules["pyarrow"] = None  # the documented way to block an import; not a module object on purpose


PEAK = """
import resource, sys, threading, time
def available():
    return int(next(line for line in open("/proc/meminfo") if line.startswith("MemAvailable")).split()[1])
low = [available()]
start, done = low[0], threading.Event()
def watch():
    while not done.is_set():
        low[0] = min(low[0], available())
        time.sleep(0.005)
threading.Thread(target=watch, daemon=True).start()
sys.path.insert(0, {root!r})
if {hide!r}:
    sys.modules["pyarrow"] = None
{body}
done.set()
print([line for line in open("/proc/self/status") if line.startswith("VmHWM")][0].split()[1])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(start - low[0])
"""


def peak_rss_mb(body: str, hide: bool) -> tuple[float, float, float]:
    """Memory of a fresh Python process running ``body`` (MB): its peak resident set (VmHWM, which unlike
    ru_maxrss does not inherit the parent's high-water mark across fork and exec); the largest peak of a
    child it forked (the audit's second pass worker on a large file; 0 when none), which counts the pages
    it shares with the parent too; and the largest drop of the machine's MemAvailable while it ran: the
    memory parent and child used together, each shared page once (other processes' use adds noise)."""
    code = PEAK.format(root=str(ROOT), body=body, hide=hide)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    own, child, drop = out.stdout.strip().splitlines()[-3:]
    return int(own) / 1024, int(child) / 1024, int(drop) / 1024  # kB -> MB


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--file", help="claims CSV to use (generated there when missing)")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--without-pyarrow", action="store_true", help="hide pyarrow (the fallback environment)")
    args = ap.parse_args(argv)
    if args.without_pyarrow:
        hide_pyarrow()
    import pandas as pd

    from esi_reference.audit import audit, write_claims
    from esi_reference.audit import format as claim_format
    from esi_reference.audit.export import write_frame

    path = Path(args.file or Path(tempfile.gettempdir()) / f"esi_bench_claims_{args.lines}_{args.seed}.csv")
    if not path.exists():
        t = time.perf_counter()
        write_claims(path, args.lines, seed=args.seed, bad_row_rate=0.001, overlong_rows=False)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s")
    size_mb = path.stat().st_size / 1e6

    reader = "pyarrow" if claim_format.read_arrow(str(path), claim_format._header(str(path))) else "pandas C engine"
    reads, audits, read_cpu, audit_cpu, serial_reads, arrow_reads, floors = [], [], [], [], [], [], []
    header = claim_format._header(str(path))
    result = None
    for _ in range(args.repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        frame = pd.read_csv(path)
        reads.append(time.perf_counter() - t)
        read_cpu.append(time.process_time() - c)
        del frame
        gc.collect()
        t = time.perf_counter()
        with pd.option_context("mode.max_threads", 1):
            frame = pd.read_csv(path)
        serial_reads.append(time.perf_counter() - t)
        del frame
        if not args.without_pyarrow:
            gc.collect()
            t = time.perf_counter()
            frame = pd.read_csv(path, engine="pyarrow")
            arrow_reads.append(time.perf_counter() - t)
            del frame
        if reader == "pyarrow":
            gc.collect()
            t = time.perf_counter()
            floor = claim_format.read_arrow(str(path), header)
            floors.append(time.perf_counter() - t)
            del floor
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        result = audit(path)
        audits.append(time.perf_counter() - t)
        audit_cpu.append(time.process_time() - c)
    assert result is not None
    t = time.perf_counter()
    summary = result.summary
    summarise = time.perf_counter() - t
    t = time.perf_counter()
    lines = result.lines
    build = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_frame(lines, str(Path(tmp) / "out.csv"))  # as esi-ref audit --out does
        write = time.perf_counter() - t
    assert len(lines) == result.rows_read  # rows in = rows out

    audit_peak, worker_peak, together = peak_rss_mb(
        f"from esi_reference.audit import audit\naudit({str(path)!r})", args.without_pyarrow
    )
    read_peak, _, _ = peak_rss_mb(f"import pandas as pd\npd.read_csv({str(path)!r})", args.without_pyarrow)
    figures = {
        "lines": result.rows_read,
        "file_mb": round(size_mb, 1),
        "repeat": args.repeat,
        "read_csv_s": [round(x, 3) for x in reads],
        "audit_s": [round(x, 3) for x in audits],
        "ratio_best": round(min(audits) / min(reads), 2),
        "ratio_median": round(statistics.median(audits) / statistics.median(reads), 2),
        "ratio_pairs_median": round(statistics.median(a / r for a, r in zip(audits, reads, strict=True)), 2),
        "read_csv_cpu_s": [round(x, 3) for x in read_cpu],
        "audit_cpu_s": [round(x, 3) for x in audit_cpu],
        "ratio_cpu_median": round(statistics.median(audit_cpu) / statistics.median(read_cpu), 2),
        "read_csv_one_thread_s": [round(x, 3) for x in serial_reads],
        "ratio_one_thread_median": round(statistics.median(audits) / statistics.median(serial_reads), 2),
        "read_csv_pyarrow_s": [round(x, 3) for x in arrow_reads],
        "ratio_pyarrow_median": (
            round(statistics.median(audits) / statistics.median(arrow_reads), 2) if arrow_reads else None
        ),
        "floor_reader_s": [round(x, 3) for x in floors],
        "ratio_floor_median": (round(statistics.median(floors) / statistics.median(reads), 2) if floors else None),
        "audit_reader": reader,
        "audit_peak_rss_mb": round(audit_peak),
        "audit_worker_peak_rss_mb": round(worker_peak),
        "audit_memory_used_together_mb": round(together),
        "read_csv_peak_rss_mb": round(read_peak),
        "summary_s": round(summarise, 2),
        "patients_over_limit": summary.totals["patients_over_limit"],
        "lines_table_s": round(build, 2),
        "write_out_csv_s": round(write, 2),
        "findings": len(result.findings),
        "rejected": len(result.rejects),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "pyarrow": None if args.without_pyarrow else _version("pyarrow"),
    }
    print(f"file: {path} ({size_mb:.0f} MB, {result.rows_read:,} claim lines)")
    print(
        f"pandas read_csv : best {min(reads):.2f} s, median {statistics.median(reads):.2f} s  {figures['read_csv_s']}"
    )
    print(
        f"read_csv, 1 thread: best {min(serial_reads):.2f} s, median {statistics.median(serial_reads):.2f} s "
        f"(pandas 3.1 reads large files with several threads by default)"
    )
    if arrow_reads:
        print(
            f"read_csv(engine='pyarrow'): best {min(arrow_reads):.2f} s, median {statistics.median(arrow_reads):.2f} s"
        )
    print(
        f"audit ({reader} reader): best {min(audits):.2f} s, median {statistics.median(audits):.2f} s  "
        f"{figures['audit_s']}"
    )
    print(
        f"ratio audit / read_csv (wall): {figures['ratio_best']} best/best, {figures['ratio_median']} median/median, "
        f"{figures['ratio_pairs_median']} median of pairs; target <= 1.5; against the one-thread read: "
        f"{figures['ratio_one_thread_median']} (median); against read_csv(engine='pyarrow'): "
        f"{figures['ratio_pyarrow_median'] or 'n/a'} (median)"
    )
    if floors:
        print(
            f"floor - the audit's reading step alone (parse, dictionaries, identifier hashing; no validation, no "
            f"rule): median {statistics.median(floors):.2f} s = {figures['ratio_floor_median']} x read_csv"
        )
    print(
        f"CPU time: read_csv median {statistics.median(read_cpu):.2f} s, audit median "
        f"{statistics.median(audit_cpu):.2f} s, ratio {figures['ratio_cpu_median']} (read_csv may use 2 threads)"
    )
    print(
        f"peak memory: audit {audit_peak:.0f} MB, its forked pass worker {worker_peak:.0f} MB resident (mostly "
        f"shared), both together {together:.0f} MB (MemAvailable drop); read_csv alone {read_peak:.0f} MB; "
        "target <= 600 MB"
    )
    print(f"summary (by rule, by month, patients over the limit): {summarise:.2f} s")
    print(f"--out extra: one-row-per-input-row table {build:.2f} s, CSV write {write:.2f} s")
    print(
        f"{len(result.findings):,} findings, {len(result.rejects):,} rejected rows; load average "
        f"{figures['load_average']} on {figures['cpus']} CPUs; pandas {pd.__version__}, pyarrow {figures['pyarrow']}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def _version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
