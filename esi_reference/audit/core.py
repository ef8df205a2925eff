"""The audit run: read, validate, evaluate the claim-level rules per session, account for every row."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from esi_reference.audit.evaluate import AUDIT_RULE_IDS, SEVERITIES, Evaluated, evaluate
from esi_reference.audit.format import Claims, read_claims
from esi_reference.audit.progress import Progress
from esi_reference.files import MAX_CLAIMS_BYTES

LINE_COLUMNS = (
    "row",
    "patient_id",
    "claim_id",
    "line_number",
    "date_of_service",
    "code",
    "status",
    "severity",
    "rule_ids",
    "reason",
)
FINDING_COLUMNS = (
    "row",
    "patient_id",
    "claim_id",
    "line_number",
    "date_of_service",
    "code",
    "rendering_provider",
    "rule_id",
    "severity",
    "message",
)


@dataclass
class AuditResult:
    """The outcome of :func:`audit`.

    * ``findings`` - one row per (claim line, finding): :data:`FINDING_COLUMNS`.
    * ``rejects`` - one row per rejected input row: row, identifiers as read, reason.
    * ``lines`` - one row per *input* row, in file order: status ``clean``, ``findings`` or ``rejected``,
      the worst severity, the rule ids (``;``-separated) and the reject reason: rows in = rows out.
    * ``summary`` - :class:`~esi_reference.audit.summary.Summary` (counts by rule, by month, patients over
      the session limit).
    """

    claims: Claims
    findings: pd.DataFrame
    rows_read: int
    _mask: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.uint64))
    _rank: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.int8))
    _lines: pd.DataFrame | None = field(repr=False, default=None)
    _summary: object = field(repr=False, default=None)

    @property
    def rejects(self) -> pd.DataFrame:
        return self.claims.rejects

    @property
    def lines(self) -> pd.DataFrame:
        if self._lines is None:
            self._lines = _line_table(self)
        return self._lines

    @property
    def summary(self):
        if self._summary is None:
            from esi_reference.audit.summary import summarise

            self._summary = summarise(self)
        return self._summary

    @property
    def has_errors(self) -> bool:
        return bool((self.findings["severity"] == "error").any())


def audit(
    source: str | os.PathLike[str] | io.TextIOBase | pd.DataFrame,
    *,
    progress: Progress | None = None,
    max_bytes: int = MAX_CLAIMS_BYTES,
) -> AuditResult:
    """Audit a claim-line CSV (path, text stream) or an already-read raw frame.

    The NCCI PTP and MUE tables are the ones in use: the shipped Q3 2024 tables, or a user's current CMS
    files inside ``with esi_reference.reference.ncci.using_tables(ptp=..., mue=...):`` (as for ``check()``). A file
    over ``max_bytes`` is refused.
    """
    prog = progress or Progress(0, enabled=False)
    prog.total = 3
    prog.step("reading claims")
    if isinstance(source, pd.DataFrame):
        from esi_reference.audit.format import validate

        claims = validate(source)
    else:
        claims = read_claims(source, max_bytes)
    prog.step("evaluating the claim-level rules per session")
    found = evaluate(claims.lines)
    n = len(claims.lines)
    mask = np.zeros(n, dtype=np.uint64)
    np.bitwise_or.at(mask, found.pos, np.uint64(1) << found.rule.astype(np.uint64))
    rank = np.zeros(n, dtype=np.int8)
    np.maximum.at(rank, found.pos, _RANK[found.sev])
    prog.step("collecting findings")
    findings = _findings(claims.lines, found)
    prog.done()
    return AuditResult(claims=claims, findings=findings, rows_read=claims.rows_read, _mask=mask, _rank=rank)


#: Severity index (error, warning, info) -> rank in the line table (3 = error ... 0 = none).
_RANK = np.array([3, 2, 1], dtype=np.int8)


def _findings(L: pd.DataFrame, found: Evaluated) -> pd.DataFrame:
    """The findings table, in (row, rule) order."""
    rows = L["row"].to_numpy()
    order = np.lexsort((found.rule, rows[found.pos]))
    pos, rule, sev = found.pos[order], found.rule[order], found.sev[order]
    return pd.DataFrame(
        {
            "row": rows[pos],
            "patient_id": L["patient_id"].array.take(pos),
            "claim_id": L["claim_id"].array.take(pos),
            "line_number": L["line_number"].to_numpy()[pos],
            "date_of_service": L["dos"].to_numpy()[pos].astype("datetime64[D]"),
            "code": _category_text(L["code"], pos),
            "rendering_provider": _category_text(L["rendering_provider"], pos),
            "rule_id": pd.Categorical.from_codes(rule, categories=list(AUDIT_RULE_IDS), validate=False),
            "severity": pd.Categorical.from_codes(sev, categories=list(SEVERITIES), validate=False),
            "message": pd.array(found.texts or [""], dtype="str").take(found.text_id[order]),
        },
        copy=False,
    )


def _category_text(col: pd.Series, pos: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Values of a categorical column at ``pos`` as text ('' for missing), taken from its categories as a
    text array (no Python string per row)."""
    cats = pd.array(np.append(np.asarray(col.cat.categories, dtype=object), ""), dtype="str")
    return cats.take(col.cat.codes.to_numpy()[pos])  # code -1 (missing) takes the last value: ''


def _line_table(result: AuditResult) -> pd.DataFrame:
    """One row per input row, in row order. Every column but ``row`` and the identifiers is categorical, the
    rejected rows' values (as read) joining the categories, so the table is cheap to build and to write."""
    L = result.claims.lines
    rej = result.claims.rejects
    n_ok, n_rej = len(L), len(rej)
    mask = result._mask
    codes, uniq = pd.factorize(mask)
    names = [";".join(r for i, r in enumerate(AUDIT_RULE_IDS) if int(m) >> i & 1) for m in uniq]
    rule_ids = (codes, names)
    status = ((mask > 0).astype(np.int8), ["clean", "findings"])
    severity = (result._rank, ["", "info", "warning", "error"])
    day = L["dos"].to_numpy().astype("datetime64[D]").astype(np.int64)
    lo = int(day.min()) if n_ok else 0
    span = int(day.max()) - lo + 1 if n_ok else 1
    dates = (day - lo, list(np.arange(lo, lo + span).astype("datetime64[D]").astype(str)))
    code = (L["code"].cat.codes.to_numpy(), [str(c) for c in L["code"].cat.categories])
    number = L["line_number"].to_numpy().astype(np.int64)
    seen = np.bincount(number) > 0 if n_ok else np.zeros(0, bool)  # line numbers are small whole numbers
    line_number = ((np.cumsum(seen) - 1)[number] if n_ok else number, [str(v) for v in np.flatnonzero(seen)])
    reason = (np.zeros(n_ok, np.int8), [""])
    rows = L["row"].to_numpy()
    blank = np.full(n_rej, "", dtype=object)
    table = {
        "row": np.concatenate([rows, rej["row"].to_numpy(dtype=np.int64)]),
        "patient_id": _text(L["patient_id"], rej["patient_id"]),
        "claim_id": _text(L["claim_id"], rej["claim_id"]),
        "line_number": _categorical(*line_number, rej["line_number"].to_numpy()),
        "date_of_service": _categorical(*dates, blank),
        "code": _categorical(*code, rej["code"].to_numpy()),
        "status": _categorical(*status, np.full(n_rej, "rejected", dtype=object)),
        "severity": _categorical(*severity, blank),
        "rule_ids": _categorical(*rule_ids, blank),
        "reason": _categorical(*reason, rej["reason"].to_numpy()),
    }
    out = pd.DataFrame(table, copy=False)
    if n_rej:  # accepted and rejected rows are each in row order: one stable merge of two sorted runs
        out = out.take(np.argsort(out["row"].to_numpy(), kind="stable")).reset_index(drop=True)
    return out


def _categorical(codes: np.ndarray, categories: list[str], extra: np.ndarray) -> pd.Categorical:
    """A categorical of the accepted rows' ``codes`` into ``categories``, followed by the rejected rows'
    text values ``extra`` (new values join the categories)."""
    values = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in extra]
    index = pd.Index(categories, dtype=object)
    if values:
        index = index.append(pd.Index(list(dict.fromkeys(v for v in values if v not in index)), dtype=object))
    tail = index.get_indexer(values) if values else np.zeros(0, np.int64)
    both = np.concatenate([np.asarray(codes, dtype=np.int64), tail])
    return pd.Categorical.from_codes(both, categories=index, validate=False)


def _text(accepted: pd.Series, rejected: pd.Series) -> pd.Series:
    """The accepted rows' text column followed by the rejected rows' values, in the accepted column's dtype
    (Arrow-backed after the pyarrow reader: mixing storages would build a Python string per row)."""
    tail = pd.Series(rejected.to_numpy(), dtype=accepted.dtype)
    return pd.concat([accepted.reset_index(drop=True), tail], ignore_index=True) if len(tail) else accepted
