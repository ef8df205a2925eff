"""Batch audit of epidural steroid injection claims: a month or a year of claim lines in one pass.

The audit reads a claim-line CSV (format: :mod:`esi_reference.audit.format`, documented in
``docs/claims-format.md``), rejects the rows it cannot audit with their row number and a reason,
evaluates the claim-level rules of :mod:`esi_reference.rules` - the very rule functions that
:func:`esi_reference.engine.check` runs - on each patient's date of service
(:mod:`esi_reference.audit.evaluate`), and reports every finding under the rule's id. The package holds
readers and evaluators only: no rule is implemented here.

Python API (pandas is imported here, never by the rule core)::

    from esi_reference.audit import audit
    result = audit("claims.csv")
    result.findings      # one row per (claim line, finding)
    result.lines         # one row per input row: clean / findings / rejected (rows in = rows out)
    result.rejects       # rejected rows: row number and reason
    result.summary.by_rule, result.summary.by_month, result.summary.patients_over_limit

Command line::

    esi-ref audit claims.csv --out findings.csv [--format csv|json] [--detail detail.csv]
                             [--summary summary.json] [--chart findings.svg] [--progress]

Synthetic data for tests and benchmarks: :func:`esi_reference.audit.generate.write_claims`.

Scaling beyond one machine
--------------------------
Every check looks at one patient at a time: same-day checks at one patient's date of service, the
frequency limit at one patient's sessions of the last 12 months. A file that outgrows memory therefore
splits cleanly **by patient**: rows of one patient must land in one partition, and then each
partition is audited independently and the findings are concatenated. With Dask::

    import dask.dataframe as dd
    from esi_reference.audit import audit_frame
    raw = dd.read_csv("claims-*.csv", dtype=str, keep_default_na=False)
    raw = raw.shuffle("patient_id", npartitions=64)      # all rows of a patient in one partition
    findings = raw.map_partitions(lambda part: audit_frame(part).findings,
                                  meta=audit_frame(raw._meta).findings)
    findings.to_csv("findings-*.csv", index=False)

Row numbers must be carried through the shuffle (add a ``row`` column before it, e.g. from
``dd.read_csv(..., include_path_column=True)`` plus a per-file counter) so the rejects still name the
input row. The same split works with Spark (``groupBy("patient_id").applyInPandas``). On one
machine a year of a large practice (millions of lines) fits in memory: see
``benchmarks/bench_audit.py`` for the time and peak memory on 1,000,000 lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from esi_reference.audit.core import AuditResult

#: Public names and the submodule that defines each. Loaded on first use, so that ``esi-ref`` can register
#: the ``audit`` command (``esi_reference.cli.audit``) without importing pandas.
_EXPORTS = {
    "AUDIT_RULE_IDS": "evaluate",
    "COLUMNS": "columns",
    "Claims": "format",
    "read_claims": "format",
    "validate": "format",
    "FINDING_COLUMNS": "core",
    "LINE_COLUMNS": "core",
    "AuditResult": "core",
    "audit": "core",
    "generate_rows": "generate",
    "write_claims": "generate",
}

__all__ = [*sorted(_EXPORTS), "audit_frame"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def audit_frame(raw, **kwargs) -> AuditResult:
    """Audit claim rows already in a DataFrame with the CSV's column names (all values as text).

    Rows are numbered by position unless the frame has a ``row`` column (kept through a Dask shuffle).
    """
    from esi_reference.audit.core import audit

    return audit(raw, **kwargs)
