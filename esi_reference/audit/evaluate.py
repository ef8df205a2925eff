"""The audit's rule evaluator: the engine's claim-level rules, run once per distinct session.

The audit does not implement rules. Each *session* - one patient on one date of service with the same
encounter-level values (place of service, payer, contractor): all their lines that day, whatever the claim -
is the claim-only encounter its rows express (:func:`esi_reference.encounter.claim_encounter`), and the
claim-level rules (``Rule.claims``; :data:`esi_reference.engine.CLAIM_RULES`) are evaluated on it by
:func:`esi_reference.engine.claim_findings`, exactly as ``check()`` evaluates them. Speed comes from
evaluating each distinct session once:

* **Rows -> fields.** :data:`FIELDS` maps each claims-file column to an encounter field (``session``: one
  value per session) or a claim-line field (``line``). The reader has validated and normalised every value
  with the field vocabulary (:mod:`esi_reference.fields`), so the values are the encounter's own.
* **Signature.** A session's signature is its lines in order (each a distinct line-field combination), the
  session-field values, the prior sessions that matter (below) and its *date regime*. Sessions with equal
  signatures get equal findings, so one representative per signature is evaluated and its findings are
  broadcast to every session of the signature, line by line.
* **Date regime.** Days between two consecutive breakpoints - any rule's window, any code's validity dates,
  any LCD date, any NCCI edit's deletion date - behave alike, and so do fields that act only through which
  rules are in force (``in_force=True``: payer, contractor): the regime is (the claim-level rules in force,
  the breakpoint interval). Dates in messages stay each row's own: the representative's date of service and
  12-month window start are written back per row. A day whose text (or whose window start's) is within a
  day of a breakpoint is its own regime, so a constant date in a message can never be mistaken for it.
* **History.** The one cross-session input, the prior ESI sessions (LCD-FREQUENCY), comes from one
  vectorised pass: per session and region family billed, the patient's earlier Medicare ESI dates within
  the 12-month window; their number is part of the signature.

Adding a field
--------------
A field another rule needs (say ``claim_type`` on the encounter): add it to the encounter model and the
parser, add its column to :data:`esi_reference.audit.format.COLUMNS` with its value check (from the field
vocabulary), and add one entry here: ``FieldMap("claim_type", "claim_type", "session")``. Sessions then split
on it, the representative encounter carries it, and every rule reading ``encounter.claim_type`` works in the
audit unchanged. A claim-line field is the same with ``"line"`` (and a ``ClaimLine`` attribute).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import catalogue, ncci, policy
from ..contractors import lcd_contractors
from ..encounter import REGION_FAMILIES, ClaimLine, PriorSession, claim_encounter
from ..engine import CLAIM_RULES, claim_findings

SEVERITIES = ("error", "warning", "info")
#: Rule ids the audit reports, in registry order (a bit per rule in the per-row masks).
AUDIT_RULE_IDS = tuple(r.id for r in CLAIM_RULES)
_RULE_INDEX = {r: i for i, r in enumerate(AUDIT_RULE_IDS)}
_DAY, _START = "\x00day\x00", "\x00start\x00"


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class FieldMap:
    """One claims-file column as an encounter field (``session``) or a claim-line field (``line``)."""

    column: str
    field: str
    level: str
    convert: Callable[[str], object] = str
    #: The field changes findings only through which rules are in force (it enters the signature that way).
    in_force: bool = False


#: Claims-file column -> encounter / claim-line field. ``drug_dose`` is the line's dose of the drug its code
#: bills (``claim_encounter(doses=...)``).
FIELDS: tuple[FieldMap, ...] = (
    FieldMap("code", "code", "line"),
    FieldMap("modifiers", "modifiers", "line", _tokens),
    FieldMap("units", "units", "line", int),
    FieldMap("diagnosis_codes", "diagnoses", "line", _tokens),
    FieldMap("drug_dose", "dose", "line", float),
    FieldMap("place_of_service", "place_of_service", "session"),
    FieldMap("payer", "payer", "session", in_force=True),
    FieldMap("contractor", "contractor", "session", in_force=True),
)
_LINE_FIELDS = {f.name for f in dataclasses.fields(ClaimLine)}


@dataclass
class Evaluated:
    """Findings on rows: row positions (into the lines frame), rule index, severity index, message."""

    pos: np.ndarray
    rule: np.ndarray
    sev: np.ndarray
    message: np.ndarray


def _codes(col: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Dense codes (-1 = missing) and the distinct values of a column (categorical or numeric)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64), list(col.cat.categories)
    values = col.to_numpy()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), list(uniques)


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    """Dense ids of the row-wise combination of several code arrays (factorised step by step, no overflow)."""
    key = np.zeros(len(parts[0]) if parts else 0, dtype=np.int64)
    for part in parts:
        key, _ = pd.factorize(key * (int(part.max(initial=-1)) + 2) + part + 1)
        key = key.astype(np.int64)
    return key


def _breakpoints() -> list[int]:
    """Day numbers on which some claim-level rule's inputs change: rule windows, code validity, LCD dates,
    NCCI edit deletions (each the first day of a new regime)."""
    days: set[dt.date] = set()
    for r in CLAIM_RULES:
        days.update(d for d in (r.effective_from, r.effective_to and r.effective_to + dt.timedelta(1)) if d)
    for c in catalogue.codes():
        days.update(d for d in (c.valid_from, c.valid_to and c.valid_to + dt.timedelta(1), c.deleted_on) if d)
    days.update(c.lcd_effective for c in lcd_contractors())
    days.add(policy.POLICY_EARLIEST_EFFECTIVE)
    days.update(e.deletion_date + dt.timedelta(1) for e in ncci.active_ptp_edits() if e.deletion_date)
    return sorted(_day_number(d) for d in days)


def _day_number(day: dt.date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def _date(number: int) -> dt.date:
    return np.datetime64(int(number), "D").astype(dt.date)


def evaluate(lines: pd.DataFrame) -> Evaluated:
    """Every claim-level finding on the accepted claim lines (see the module docstring)."""
    n = len(lines)
    empty = Evaluated(np.zeros(0, np.int64), np.zeros(0, np.int16), np.zeros(0, np.int8), np.zeros(0, object))
    if not n:
        return empty
    day = lines["dos"].to_numpy().astype("datetime64[D]").astype(np.int64)
    day0 = int(day.min())
    span = int(day.max()) - day0 + 1
    present = [f for f in FIELDS if f.column in lines.columns]
    cols = {f.column: _codes(lines[f.column]) for f in present}
    session_fields = [f for f in present if f.level == "session"]
    line_fields = [f for f in present if f.level == "line"]

    # Sessions: patient x date x session-field values; rows in (session, line number, row) order.
    ek = _combine([cols[f.column][0] for f in session_fields]) if session_fields else np.zeros(n, np.int64)
    n_ek = int(ek.max()) + 1
    patient = lines["patient_code"].to_numpy().astype(np.int64)
    session, _ = pd.factorize((patient * span + (day - day0)) * n_ek + ek)
    order = np.lexsort((lines["row"].to_numpy(), lines["line_number"].to_numpy(), session))
    s_sorted = session[order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    n_sessions = len(starts)
    sizes = np.diff(np.r_[starts, n])
    first = order[starts]  # a row of each session (sessions numbered in sorted order from here on)
    s_day, s_ek = day[first], ek[first]
    sid = np.empty(n, np.int64)
    sid[order] = np.repeat(np.arange(n_sessions), sizes)

    # Encounter-level values of each session-field combination, and the template encounter for it.
    ek_rows = first[np.unique(s_ek, return_index=True)[1]]
    ek_values: list[dict[str, object]] = [{} for _ in range(n_ek)]
    for r in ek_rows:
        for f in session_fields:
            code, values = cols[f.column][0][r], cols[f.column][1]
            if code >= 0:
                ek_values[ek[r]][f.field] = f.convert(str(values[code]))
    templates = [claim_encounter(dt.date(2000, 1, 1), (), **v) for v in ek_values]

    # Date regimes per distinct (day, session-field combination).
    breaks = _breakpoints()
    hazard = {b + k for b in breaks for k in (-1, 0, 1)}
    window_lut = _window_starts(day0, span)
    value_fields = [f for f in session_fields if not f.in_force]
    value_key = (
        _combine([cols[f.column][0][ek_rows] for f in value_fields]) if value_fields else np.zeros(len(ek_rows), int)
    )
    value_of_ek = np.zeros(n_ek, np.int64)
    value_of_ek[ek[ek_rows]] = value_key
    pair, pair_first = pd.factorize((s_day - day0) * n_ek + s_ek)
    regime_ids: dict[tuple, int] = {}
    pair_regime = np.empty(len(pair_first), np.int64)
    for k, p in enumerate(pair_first):
        d, e = int(p // n_ek) + day0, int(p % n_ek)
        when = _date(d)
        t = templates[e]
        in_force = tuple(r.applies_on(when, t.lcd_effective, t.payer == "medicare") for r in CLAIM_RULES)
        exact = d if (d in hazard or int(window_lut[d - day0]) in hazard) else None
        key = (int(value_of_ek[e]), in_force, bisect.bisect_right(breaks, d), exact)
        pair_regime[k] = regime_ids.setdefault(key, len(regime_ids))
    s_regime = pair_regime[pair]

    # Line keys (distinct line-field combinations) and the ordered-lines hash of each session.
    line_key = _combine([cols[f.column][0] for f in line_fields])
    rank = np.arange(n) - np.repeat(starts, sizes)
    rng = np.random.default_rng(20261201)
    per_key = rng.integers(1, 2**63, int(line_key.max()) + 1, dtype=np.uint64)
    per_rank = rng.integers(1, 2**63, int(sizes.max()), dtype=np.uint64) | np.uint64(1)
    lines_hash = np.add.reduceat(per_key[line_key[order]] * per_rank[rank], starts)

    # History: prior Medicare ESI dates of the patient per region family, for the regions the session bills.
    priors = _prior_counts(lines, sid, s_day, s_ek, templates, day0, span, window_lut)
    sig = _combine([pd.factorize(lines_hash)[0].astype(np.int64), s_regime, *priors])
    reps = np.unique(sig, return_index=True)[1]

    # Evaluate each distinct signature once.
    line_cache: dict[int, tuple[ClaimLine, float | None]] = {}
    dose_field = next((f for f in line_fields if f.field == "dose"), None)

    def line_at(r: int) -> tuple[ClaimLine, float | None]:
        key = int(line_key[r])
        if key not in line_cache:
            kwargs: dict[str, object] = {}
            for f in line_fields:
                code = cols[f.column][0][r]
                if code >= 0 and f.field in _LINE_FIELDS:
                    kwargs[f.field] = f.convert(str(cols[f.column][1][code]))
            dose = None
            if dose_field is not None and cols[dose_field.column][0][r] >= 0:
                dose = float(cols[dose_field.column][1][cols[dose_field.column][0][r]])
            line_cache[key] = (ClaimLine(**kwargs), dose)  # type: ignore[arg-type]
        return line_cache[key]

    pairs_sig: list[int] = []  # per output pair: signature
    pairs_line: list[int] = []
    pairs_text: list[str] = []
    pairs_rule: list[int] = []
    pairs_sev: list[int] = []
    for g, s in enumerate(reps):
        rows = order[starts[s] : starts[s] + sizes[s]]
        cached = [line_at(int(r)) for r in rows]
        claim = tuple(c[0] for c in cached)
        when = _date(int(s_day[s]))
        prior = tuple(
            PriorSession(when - dt.timedelta(days=j), region)
            for region, counts in zip(REGION_FAMILIES, priors, strict=True)
            for j in range(1, int(counts[s]) + 1)
        )
        enc = dataclasses.replace(
            templates[s_ek[s]], date_of_service=when, prior_sessions=prior, **_claim_fields(claim, cached)
        )
        findings = claim_findings(enc, when, claim)
        if not findings:
            continue
        day_text, start_text = when.isoformat(), enc.window_start.isoformat()
        for f in findings:
            text = f.message.replace(day_text, _DAY).replace(start_text, _START)
            for number in f.lines:
                pairs_sig.append(g)
                pairs_line.append(number - 1)
                pairs_text.append(text)
                pairs_rule.append(_RULE_INDEX[f.rule_id])
                pairs_sev.append(SEVERITIES.index(f.severity))
    if not pairs_sig:
        return empty
    return _broadcast(
        np.asarray(pairs_sig), np.asarray(pairs_line), pairs_text, pairs_rule, pairs_sev, sig, order, starts,
        s_day, window_lut, day0,
    )  # fmt: skip


def _claim_fields(claim: tuple[ClaimLine, ...], cached: list[tuple[ClaimLine, float | None]]) -> dict[str, object]:
    """The encounter fields that come from the claim lines (as :func:`claim_encounter` builds them)."""
    built = claim_encounter(dt.date(2000, 1, 1), claim, tuple(c[1] for c in cached))
    return {"claim": claim, "diagnoses": built.diagnoses, "drugs": built.drugs}


def _window_starts(day0: int, span: int) -> np.ndarray:
    """policy.window_start of each day number from day0 to day0 + span - 1."""
    return np.array(
        [_day_number(policy.window_start(_date(day0 + k))) for k in range(span)],
        dtype=np.int64,
    )


def _prior_counts(
    lines: pd.DataFrame,
    sid: np.ndarray,
    s_day: np.ndarray,
    s_ek: np.ndarray,
    templates: list,
    day0: int,
    span: int,
    window_lut: np.ndarray,
) -> list[np.ndarray]:
    """Per region family, per session: the number of the patient's earlier dates in the 12-month window with
    a Medicare ESI line of that region family (0 where the session bills no ESI of it)."""
    codes = lines["code"]
    cats = [catalogue.lookup(str(c)) for c in codes.cat.categories]
    code_idx = codes.cat.codes.to_numpy()
    medicare_ek = np.array([t.payer == "medicare" for t in templates])
    patient = lines["patient_code"].to_numpy().astype(np.int64)
    day = s_day[sid]
    out = []
    for region in REGION_FAMILIES:
        is_region = np.array([c.is_esi and c.region_family == region for c in cats] + [False])[code_idx]
        billed = np.zeros(len(s_day), bool)
        billed[sid[is_region]] = True
        counts = np.zeros(len(s_day), np.int64)
        hist = is_region & medicare_ek[s_ek[sid]]
        if hist.any() and billed.any():
            keys = np.unique(patient[hist] * span + (day[hist] - day0))
            first_row = np.zeros(len(s_day), np.int64)
            first_row[sid] = np.arange(len(sid))
            q = np.flatnonzero(billed)
            base = patient[first_row[q]] * span
            lo = np.searchsorted(keys, base + np.maximum(window_lut[s_day[q] - day0] - day0, 0), side="left")
            hi = np.searchsorted(keys, base + (s_day[q] - day0), side="left")
            counts[q] = hi - lo
        out.append(counts)
    return out


def _broadcast(
    p_sig: np.ndarray,
    p_line: np.ndarray,
    texts: list[str],
    rules: list[int],
    sevs: list[int],
    sig: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    s_day: np.ndarray,
    window_lut: np.ndarray,
    day0: int,
) -> Evaluated:
    """Each representative's findings onto every session of its signature, with each row's own dates."""
    by_sig = np.argsort(p_sig, kind="stable")
    p_sig, p_line = p_sig[by_sig], p_line[by_sig]
    text_ids, text_values = pd.factorize(np.asarray(texts, dtype=object)[by_sig])
    rule_arr = np.asarray(rules, np.int16)[by_sig]
    sev_arr = np.asarray(sevs, np.int8)[by_sig]
    n_sig = int(sig.max()) + 1
    per_sig = np.bincount(p_sig, minlength=n_sig)
    first_pair = np.r_[0, np.cumsum(per_sig)[:-1]]
    counts = per_sig[sig]
    sessions = np.repeat(np.arange(len(sig)), counts)
    within = np.arange(len(sessions)) - np.repeat(np.cumsum(counts) - counts, counts)
    pair = first_pair[sig[sessions]] + within
    pos = order[starts[sessions] + p_line[pair]]
    message = _messages(text_ids[pair], list(text_values), s_day[sessions], window_lut, day0)
    return Evaluated(pos.astype(np.int64), rule_arr[pair], sev_arr[pair], message)


def _messages(ids: np.ndarray, texts: list[str], days: np.ndarray, window_lut: np.ndarray, day0: int) -> np.ndarray:
    """Message text per output row: templates with the row's own date (and window start) written in."""
    dated = np.array([_DAY in t or _START in t for t in texts] + [False])
    out = np.asarray(texts, dtype=object)[ids]
    rows = np.flatnonzero(dated[ids])
    if len(rows):
        combo, uniques = pd.factorize(ids[rows] * (len(window_lut) + 1) + (days[rows] - day0))
        filled = []
        for u in uniques:
            t, d = texts[int(u) // (len(window_lut) + 1)], int(u) % (len(window_lut) + 1) + day0
            filled.append(
                t.replace(_DAY, _date(d).isoformat()).replace(_START, _date(int(window_lut[d - day0])).isoformat())
            )
        out[rows] = np.asarray(filled, dtype=object)[combo]
    return out
