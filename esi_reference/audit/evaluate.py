"""The audit's rule evaluator: the engine's claim-level rules, run once per distinct session.

The audit does not implement rules. Each *session* - one patient on one date of service with the same
encounter-level values (place of service, payer, contractor): all their lines that day, whatever the claim -
is the claim-only encounter its rows express (:func:`esi_reference.model.encounter.claim_encounter`), and the
claim-level rules (``Rule.claims``; :data:`esi_reference.engine.CLAIM_RULES`) are evaluated on it by
:func:`esi_reference.engine.claim_findings`, exactly as ``check()`` evaluates them. Speed comes from
evaluating each distinct session once:

* **Rows -> fields.** :data:`FIELDS` maps each claims-file column to an encounter field (``session``: one
  value per session) or a claim-line field (``line``). The reader has validated and normalised every value
  with the field vocabulary (:mod:`esi_reference.model.fields`), so the values are the encounter's own.
* **Signature.** A session's signature is its lines in order (each a distinct line-field combination), the
  session-field values, the prior sessions that matter (below) and its *date regime*. Sessions with equal
  signatures get equal findings, so one representative per signature is evaluated and its findings are
  broadcast to every session of the signature, line by line.
* **Date regime.** Days between two consecutive breakpoints - any rule's window, any code's validity dates, any LCD
  date, any NCCI table's quarter, any edit's effective or deletion date - behave alike, and so do fields that act only
  through which rules are in force (``in_force=True``: payer, contractor): a pass's regime is (which of its rules are
  in force, the breakpoint interval); rules outside the pass do not split its sessions. Dates in messages stay each
  row's own: the representative's date of service and 12-month window start are written back per row. A session
  whose day's text (or its window start's) is within a day of a breakpoint represents its signature only when no
  other session can, and a signature of such sessions alone splits by day, so a constant date in a message can
  never be mistaken for the representative's.
* **Fewer passes.** One pass per distinct ``reads`` of the fields the file fills; a pass whose fields another
  reads too joins it (its rules then see sessions split a little finer, which changes no finding).
* **History.** The one cross-session input, the prior ESI sessions (LCD-FREQUENCY), comes from one
  vectorised pass: per session and region family billed, the patient's earlier Medicare ESI dates within
  the 12-month window; their number is part of the signature.

Adding a field
--------------
A field another rule needs (say ``claim_type`` on the encounter): add it to the encounter model and the
parser, add its column to :data:`esi_reference.audit.columns.COLUMNS` with its value check (from the field
vocabulary), and add one entry here: ``FieldMap("claim_type", "claim_type", "session")``. Sessions then split
on it, the representative encounter carries it, and every rule reading ``encounter.claim_type`` works in the
audit unchanged. A claim-line field is the same with ``"line"`` (and a ``ClaimLine`` attribute).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from esi_reference._memo import memoised_property
from esi_reference.cmsdata import tables as cms_tables
from esi_reference.engine import CLAIM_RULES, _rules_in_force, claim_findings
from esi_reference.model.encounter import REGION_FAMILIES, ClaimLine, PriorSession, claim_encounter
from esi_reference.reference import catalogue, policy
from esi_reference.reference.contractors import lcd_contractors
from esi_reference.rules.consequences import CONSEQUENCES, REPEATS

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
    #: The claim field (rules' ``reads``) the column is part of, when not ``field`` itself.
    part_of: str = ""

    @property
    def read_as(self) -> str:
        return self.part_of or self.field


#: Claims-file column -> encounter / claim-line field. ``drug_dose`` is the line's dose of the drug its code
#: bills (``claim_encounter(doses=...)``).
FIELDS: tuple[FieldMap, ...] = (
    FieldMap("code", "code", "line"),
    FieldMap("modifiers", "modifiers", "line", _tokens),
    FieldMap("units", "units", "line", int),
    FieldMap("diagnosis_codes", "diagnoses", "line", _tokens),
    FieldMap("drug_dose", "dose", "line", float),
    FieldMap("container", "container", "line", part_of="drug_facts"),
    FieldMap("container_amount", "container_amount", "line", float, part_of="drug_facts"),
    FieldMap("discarded", "discarded", "line", float, part_of="drug_facts"),
    FieldMap("supplied_by", "supplied_by", "line", part_of="drug_facts"),
    FieldMap("ndc", "ndc", "line", part_of="drug_facts"),
    FieldMap("ndc_unit", "ndc_unit", "line", part_of="drug_facts"),
    FieldMap("ndc_quantity", "ndc_quantity", "line", float, part_of="drug_facts"),
    FieldMap("place_of_service", "place_of_service", "session"),
    FieldMap("payer", "payer", "session", in_force=True),
    FieldMap("claim_type", "claim_type", "session", in_force=True),
    FieldMap("contractor", "contractor", "session", in_force=True),
)
_LINE_FIELDS = {f.name for f in dataclasses.fields(ClaimLine)}


@dataclass
class Evaluated:
    """Findings on rows: row positions (into the lines frame), rule index, severity index and message (an
    index into ``texts``: a file's findings repeat a few thousand texts)."""

    pos: np.ndarray
    rule: np.ndarray
    sev: np.ndarray
    text_id: np.ndarray
    texts: list[str]

    @property
    def message(self) -> np.ndarray:
        """The message of each finding (object array)."""
        return np.asarray([*self.texts, ""], dtype=object)[self.text_id]

    @classmethod
    def joined(cls, parts: list[Evaluated]) -> Evaluated:
        offsets = np.cumsum([0, *(len(p.texts) for p in parts)])
        return cls(
            *(np.concatenate([getattr(p, k) for p in parts]) for k in ("pos", "rule", "sev")),
            np.concatenate([p.text_id + offset for p, offset in zip(parts, offsets[:-1], strict=True)]),
            [t for p in parts for t in p.texts],
        )


def _codes(col: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Dense codes (-1 = missing) and the distinct values of a column (categorical or numeric)."""
    if isinstance(col.dtype, pd.CategoricalDtype):  # codes kept in their small dtype (memory)
        return col.cat.codes.to_numpy(), list(col.cat.categories)
    values = col.to_numpy()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int32 if len(uniques) < 2**31 else np.int64), list(uniques)


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    """Dense ids of the row-wise combination of several code arrays (each >= -1): mixed-radix arithmetic,
    factorised whenever the next radix could overflow, and once at the end."""
    key = np.zeros(len(parts[0]) if parts else 0, dtype=np.int64)
    top = 1
    for part in parts:
        radix = int(part.max(initial=-1)) + 2
        if top * radix >= 2**62:
            key, uniques = pd.factorize(key)
            key, top = key.astype(np.int64), len(uniques)
        key = key * radix + part.astype(np.int64) + 1
        top *= radix
    return _dense(key, top)


def _dense(key: np.ndarray, top: int) -> np.ndarray:
    """Dense ids 0..k-1 of non-negative integer keys below ``top``: through a table when the range is small
    (ids in key order), else by hashing (ids in order of appearance)."""
    if top <= 1 << 22:
        seen = np.zeros(top, bool)
        seen[key] = True
        return (np.cumsum(seen) - 1)[key]
    return pd.factorize(key)[0].astype(np.int64)


def _breakpoints() -> list[int]:
    """Day numbers on which some claim-level rule's inputs change: rule windows, code validity, LCD dates,
    NCCI table quarters, edit effective and deletion dates (each the first day of a new regime)."""
    days: set[dt.date] = set()
    for r in CLAIM_RULES:
        days.update(d for d in (r.effective_from, r.effective_to and r.effective_to + dt.timedelta(1)) if d)
    for c in catalogue.codes():
        days.update(d for d in (c.valid_from, c.valid_to and c.valid_to + dt.timedelta(1), c.deleted_on) if d)
    days.update(c.lcd_effective for c in lcd_contractors())
    days.add(policy.POLICY_EARLIEST_EFFECTIVE)
    days.update(cms_tables.breakpoints())
    return sorted(_day_number(d) for d in days)


_ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()


def _day_number(day: dt.date) -> int:
    return day.toordinal() - _ORDINAL_1970


def _date(number: int) -> dt.date:
    return dt.date.fromordinal(int(number) + _ORDINAL_1970)


#: Files of at least this many accepted lines run their passes in two processes (:func:`_run_passes`).
PARALLEL_LINES = 200_000
_FORKED: tuple[_Sessions, list[tuple[frozenset[str], frozenset[str]]], list[int], Any] | None = None


def evaluate(lines: pd.DataFrame, workers: int | None = None) -> Evaluated:
    """Every claim-level finding on the accepted claim lines (see the module docstring). ``workers``: the
    processes to evaluate the passes in (default: 2 for a file of :data:`PARALLEL_LINES` lines or more on a
    machine with 2 CPUs or more, else 1); the findings are the same either way."""
    n = len(lines)
    if not n:
        return Evaluated(np.zeros(0, np.int64), np.zeros(0, np.int16), np.zeros(0, np.int8), np.zeros(0, np.int64), [])
    with cms_tables.resolved_once():  # each quarter's tables resolved once for the whole file
        s = _Sessions(lines)
        # a field the file leaves empty adds nothing to a signature: passes reading the same filled fields merge
        filled = frozenset(f.read_as for f in (*s.session_fields, *s.line_fields)) | _DERIVED_READS
        parts = _run_passes(s, _groups(filled), workers)
    return Evaluated.joined(parts)


def _run_passes(
    s: _Sessions, groups: list[tuple[frozenset[str], frozenset[str]]], workers: int | None
) -> list[Evaluated]:
    """Each pass's findings, in ``groups`` order. With two workers this process and one forked child take
    the passes from one shared queue, the likely costliest first (most rules; a pass reading the history
    also counts it); the child inherits the sessions (and the tables in use) without copying them, and only
    the findings travel back. Where ``fork`` is not available (Windows, the browser) or the child dies, the
    passes run here one after the other."""
    if workers is None:
        workers = 2 if s.n >= PARALLEL_LINES and (os.cpu_count() or 1) >= 2 else 1
    if workers < 2 or len(groups) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [s.run(*g) for g in groups]
    queue = sorted(range(len(groups)), key=lambda i: (-len(groups[i][1]), "prior_sessions" not in groups[i][0], i))
    context = multiprocessing.get_context("fork")
    global _FORKED
    _FORKED = (s, groups, queue, context.Value("i", 0))
    parts: dict[int, Evaluated] = {}
    try:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            future = pool.submit(_take_passes)
            parts.update(_take_passes())
            with contextlib.suppress(BrokenProcessPool):  # a child killed (memory?): its passes run below
                parts.update(future.result())
    finally:
        _FORKED = None
    return [parts[i] if i in parts else s.run(*groups[i]) for i in range(len(groups))]


def _take_passes() -> dict[int, Evaluated]:
    """Here or in the forked child: take the next pass from the shared queue until it is empty."""
    assert _FORKED is not None, "the passes are shared out by _run_passes"
    s, groups, queue, taken = _FORKED
    done = {}
    while True:
        with taken.get_lock():
            k = taken.value
            taken.value += 1
        if k >= len(queue):
            return done
        done[queue[k]] = s.run(*groups[queue[k]])


#: Rule ``reads`` the audit computes rather than reads from a column (the history, see ``_Sessions.priors``).
_DERIVED_READS = frozenset({"prior_sessions"})


def _groups(filled: frozenset[str] | None = None) -> list[tuple[frozenset[str], frozenset[str]]]:
    """(fields read, rule ids) of each evaluation pass: one per distinct ``reads`` declaration (of the fields
    ``filled``, when given: the file's non-empty ones), except that a rule whose finding can be a consequence
    of another's (``rules.consequences``) is evaluated in the same pass as its causes (reading the union of
    their fields), so the pass folds them as ``check()`` does."""
    reads = {r.id: r.reads if filled is None else r.reads & filled for r in CLAIM_RULES}
    groups: list[tuple[frozenset[str], set[str]]] = []
    for fields in dict.fromkeys(reads.values()):
        groups.append((fields, {rule for rule, read in reads.items() if read == fields}))
    related = [{rule, *causes} for rule, causes in (*CONSEQUENCES.items(), *((d, (c,)) for d, c in REPEATS.items()))]
    for family in related:
        joined = [g for g in groups if g[1] & family]
        if len(joined) > 1:
            groups = [g for g in groups if g not in joined]
            groups.append((frozenset().union(*(g[0] for g in joined)), set().union(*(g[1] for g in joined))))
    # A pass whose fields another pass reads too joins the smallest such pass: its rules are evaluated on
    # sessions split a little finer, which saves a pass over the whole file (and changes no finding).
    for fields, ids in sorted(groups, key=lambda g: (len(g[0]), sorted(g[1]))):
        wider = [g for g in groups if g[0] > fields]
        if wider:
            target = min(wider, key=lambda g: (len(g[0]), sorted(g[1])))
            target[1].update(ids)
            groups.remove((fields, ids))
    return [(fields, frozenset(ids)) for fields, ids in groups]


class _Sessions:
    """The lines grouped into sessions once (order, regimes, history), evaluated per group of rules."""

    def __init__(self, lines: pd.DataFrame) -> None:
        n = self.n = len(lines)
        day = lines["dos"].to_numpy().astype("datetime64[D]").astype(np.int64)
        self.day0 = day0 = int(day.min())
        span = int(day.max()) - day0 + 1
        # drug-fact columns the file does not fill are left out (the reader adds them empty)
        present = [
            f
            for f in FIELDS
            if f.column in lines.columns and (f.part_of != "drug_facts" or bool(lines[f.column].notna().any()))
        ]
        self.cols = {f.column: _codes(lines[f.column]) for f in present}
        self.session_fields = [f for f in present if f.level == "session"]
        self.line_fields = [f for f in present if f.level == "line"]
        # Sessions: patient x date x session-field values. One stable sort on (session key, line number)
        # orders the rows (row order among equal keys: usually a file already in that order, which sorts fast).
        cols = self.cols
        ek = _combine([cols[f.column][0] for f in self.session_fields]) if self.session_fields else np.zeros(n, int)
        n_ek = int(ek.max()) + 1
        patient = lines["patient_code"].to_numpy().astype(np.int64)
        session = (patient * span + (day - day0)) * n_ek + ek
        number = lines["line_number"].to_numpy().astype(np.int64)
        width = int(number.max()) + 1
        if (int(session.max()) + 1) * width >= 2**63:  # too wide to sort as one number: dense ids first
            session = pd.factorize(session)[0].astype(np.int64)
        order = self.order = np.argsort(session * width + number, kind="stable")
        s_sorted = session[order]
        starts = self.starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
        del session, s_sorted, number  # a million rows each: free them before the next arrays
        sizes = self.sizes = np.diff(np.r_[starts, n])
        self.rank = (np.arange(n) - np.repeat(starts, sizes)).astype(np.int32)
        first = self.first = order[starts]
        self.s_day, self.s_ek = day[first], ek[first]
        # Encounter-level values of each session-field combination.
        ek_rows = first[_first_of_each(self.s_ek)]
        self.ek_values: list[dict[str, object]] = [{} for _ in range(n_ek)]
        for r in ek_rows:
            for f in self.session_fields:
                code, values = cols[f.column][0][r], cols[f.column][1]
                if code >= 0:
                    self.ek_values[ek[r]][f.field] = f.convert(str(values[code]))
        templates = [claim_encounter(dt.date(2000, 1, 1), (), **v) for v in self.ek_values]
        self.window_lut = _window_starts(day0, span)
        force = [f for f in self.session_fields if f.in_force]
        self.in_force = frozenset(f.field for f in force)
        force_of_ek = np.zeros(n_ek, np.int64)
        if force:
            force_of_ek[ek[ek_rows]] = _combine([cols[f.column][0][ek_rows] for f in force])
        self._regimes(templates, force_of_ek)
        # History counts the earlier sessions of the same payer profile (Medicare's, or a plan's own limit):
        # each session's (patient, payer profile) group; the counts are computed by the first pass that reads
        # them (in the forked child, when there is one).
        payer_ek = pd.factorize(np.array([t.payer for t in templates], dtype=object))[0]
        self.history_group = patient[first] * (int(payer_ek.max()) + 1) + payer_ek[self.s_ek]
        self.code_column = lines["code"]
        del ek, day, patient
        self.rng_key = np.random.default_rng(20261201)
        self.per_rank = self.rng_key.integers(1, 2**63, int(sizes.max()), dtype=np.uint64) | np.uint64(1)

    def _regimes(self, templates: list, force_of_ek: np.ndarray) -> None:
        """Per session, its date regime: the claim-level rules in force and the breakpoint interval
        (``self.pair`` indexes ``self.pair_keys``; :meth:`regime` keeps the rules of one pass), and whether
        its day's text or its window start's is within a day of a breakpoint (``self.near``). The in-force
        fields act only here. Which rules are in force changes only on a breakpoint, so it is looked up once
        per (interval, in-force values)."""
        breaks = _breakpoints()
        hazard = {b + k for b in breaks for k in (-1, 0, 1)}
        day0 = self.day0
        near_day = np.array([d + day0 in hazard or int(w) in hazard for d, w in enumerate(self.window_lut)], bool)
        self.near = near_day[self.s_day - day0]
        interval = np.searchsorted(np.asarray(breaks, np.int64), self.s_day, side="right")
        n_force = int(force_of_ek.max()) + 1
        self.pair = _dense(interval * n_force + force_of_ek[self.s_ek], (len(breaks) + 1) * n_force)
        template_of = {int(f): templates[e] for e, f in enumerate(force_of_ek)}
        self.pair_keys: list[tuple[frozenset[str], int]] = []
        for s in _first_of_each(self.pair):
            t = template_of[int(force_of_ek[self.s_ek[s]])]
            in_force = _rules_in_force(
                "claim", _date(int(self.s_day[s])), t.lcd_effective, t.payer_profile, t.claim_type
            )
            self.pair_keys.append((frozenset(r.id for r in in_force), int(interval[s])))

    @memoised_property
    def priors(self) -> list[np.ndarray]:
        """Per region family, per session: the number of the patient's earlier dates in the 12-month window
        with an ESI line of that region family for the same payer profile (0 where the session bills no ESI
        of it)."""
        cats = [catalogue.lookup(str(c)) for c in self.code_column.cat.categories]
        code_idx = self.code_column.cat.codes.to_numpy()[self.order]
        group, span = self.history_group, len(self.window_lut)
        offset = self.s_day - self.day0
        window = np.maximum(self.window_lut[offset] - self.day0, 0)
        out = []
        for region in REGION_FAMILIES:
            is_region = np.array([c.is_esi and c.region_family == region for c in cats] + [False])[code_idx]
            billed = np.logical_or.reduceat(is_region, self.starts)
            counts = np.zeros(len(self.starts), np.int64)
            if billed.any():
                q = np.flatnonzero(billed)
                keys = np.sort(group[q] * span + offset[q])  # the (patient, payer, date) billed: nearly sorted
                keys = keys[np.r_[True, keys[1:] != keys[:-1]]]  # each once
                base = group[q] * span
                counts[q] = np.searchsorted(keys, base + offset[q]) - np.searchsorted(keys, base + window[q])
            out.append(counts)
        return out

    def regime(self, rule_ids: frozenset[str]) -> np.ndarray:
        """Per session: the regime of the rules ``rule_ids`` (which of them are in force, the breakpoint
        interval). Rules outside the pass do not split its sessions."""
        ids: dict[tuple[frozenset[str], int], int] = {}
        of_pair = [ids.setdefault((force & rule_ids, interval), len(ids)) for force, interval in self.pair_keys]
        return np.asarray(of_pair, np.int64)[self.pair]

    def _representatives(self, sig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(signature, representative session of each): a session near a breakpoint represents its signature
        only when no other can (its date could be mistaken for a constant date in a message); a signature
        with none but such sessions splits by day."""
        near = self.near
        safe = np.zeros(int(sig.max()) + 1, bool)
        safe[sig[~near]] = True
        exact = near & ~safe[sig]
        if exact.any():
            sig = _combine([sig, np.where(exact, self.s_day - self.day0, -1)])
        by_safety = np.argsort(near, kind="stable")  # sessions far from a breakpoint first
        return sig, by_safety[_first_of_each(sig[by_safety])]

    def run(self, reads: frozenset[str], rule_ids: frozenset[str]) -> Evaluated:
        """Findings of the rules ``rule_ids`` (which read the fields ``reads``), one evaluation per distinct
        session of those fields."""
        cols, order, starts, sizes = self.cols, self.order, self.starts, self.sizes
        line_fields = [f for f in self.line_fields if f.read_as in reads]
        line_key = _combine([cols[f.column][0] for f in line_fields])
        per_key = self.rng_key.integers(1, 2**63, int(line_key.max()) + 1, dtype=np.uint64)
        lines_hash = np.add.reduceat(per_key[line_key[order]] * self.per_rank[self.rank], starts)
        # In-force fields act through the regime, and also here where a rule reads them (payer profiles
        # with the same rules in force still differ in bilateral format or frequency limit).
        values = [cols[f.column][0][self.first] for f in self.session_fields if f.field in reads]
        priors = self.priors if "prior_sessions" in reads else []
        sig = _combine([pd.factorize(lines_hash)[0].astype(np.int64), self.regime(rule_ids), *values, *priors])
        sig, reps = self._representatives(sig)
        line_cache: dict[int, tuple[ClaimLine, float | None, dict[str, object] | None]] = {}
        dose = next((f for f in line_fields if f.field == "dose"), None)
        facts = [f for f in line_fields if f.part_of == "drug_facts"]

        def line_at(r: int, key: int) -> tuple[ClaimLine, float | None, dict[str, object] | None]:
            if key not in line_cache:
                kwargs: dict[str, object] = {}
                for f in line_fields:
                    code = cols[f.column][0][r]
                    if code >= 0 and f.field in _LINE_FIELDS:
                        kwargs[f.field] = f.convert(str(cols[f.column][1][code]))
                amount = None
                if dose is not None and cols[dose.column][0][r] >= 0:
                    amount = float(cols[dose.column][1][cols[dose.column][0][r]])
                given = {
                    f.field: f.convert(str(cols[f.column][1][cols[f.column][0][r]]))
                    for f in facts
                    if cols[f.column][0][r] >= 0
                }
                line_cache[key] = (ClaimLine(**kwargs), amount, given or None)  # type: ignore[arg-type]
            return line_cache[key]

        # The representatives' rows, days, session values and history as Python lists (one conversion each).
        rep_sizes = sizes[reps]
        bounds = np.r_[0, np.cumsum(rep_sizes)]
        rows = order[np.repeat(starts[reps] - bounds[:-1], rep_sizes) + np.arange(int(bounds[-1]))]
        rows_l, keys_l, bounds_l = rows.tolist(), line_key[rows].tolist(), bounds.tolist()
        days_l, eks_l = self.s_day[reps].tolist(), self.s_ek[reps].tolist()
        history = [(region, counts[reps].tolist()) for region, counts in zip(REGION_FAMILIES, priors, strict=False)]
        # the in-force fields too, read or not: the rules in force follow from them (for this pass's rules
        # they are equal across the signature)
        fields_of = [{k: v for k, v in values.items() if k in reads or k in self.in_force} for values in self.ek_values]
        out_sig: list[int] = []
        out_line: list[int] = []
        out_text: list[str] = []
        out_rule: list[int] = []
        out_sev: list[int] = []
        for g in range(len(reps)):
            a, b = bounds_l[g], bounds_l[g + 1]
            cached = [line_at(rows_l[k], keys_l[k]) for k in range(a, b)]
            claim = tuple(c[0] for c in cached)
            when = _date(days_l[g])
            prior = tuple(
                PriorSession(when - dt.timedelta(days=j), region)
                for region, counts in history
                for j in range(1, counts[g] + 1)
            )
            fields = fields_of[eks_l[g]]
            doses, given = tuple(c[1] for c in cached), tuple(c[2] for c in cached)
            enc = claim_encounter(when, claim, doses, prior, given if any(given) else (), **fields)
            findings = claim_findings(enc, when, claim, only=rule_ids)
            if not findings:
                continue
            day_text, start_text = when.isoformat(), enc.window_start.isoformat()
            for f in findings:
                text = f.message.replace(day_text, _DAY).replace(start_text, _START)
                for number in f.lines:
                    out_sig.append(g)
                    out_line.append(number - 1)
                    out_text.append(text)
                    out_rule.append(_RULE_INDEX[f.rule_id])
                    out_sev.append(SEVERITIES.index(f.severity))
        return _broadcast(
            np.asarray(out_sig, np.int64), np.asarray(out_line, np.int64), out_text, out_rule, out_sev, sig,
            self, len(reps),
        )  # fmt: skip


def _first_of_each(ids: np.ndarray) -> np.ndarray:
    """For dense ids 0..k-1: the position of each id's first occurrence."""
    first = np.zeros(int(ids.max()) + 1, np.int64)
    first[ids[::-1]] = np.arange(len(ids) - 1, -1, -1)  # the last write wins: the first occurrence
    return first


def _window_starts(day0: int, span: int) -> np.ndarray:
    """policy.window_start of each day number from day0 to day0 + span - 1."""
    return np.array(
        [_day_number(policy.window_start(_date(day0 + k))) for k in range(span)],
        dtype=np.int64,
    )


def _broadcast(
    p_sig: np.ndarray,
    p_line: np.ndarray,
    texts: list[str],
    rules: list[int],
    sevs: list[int],
    sig: np.ndarray,
    s: _Sessions,
    n_sig: int,
) -> Evaluated:
    """Each representative's findings onto every session of its signature, with each row's own dates."""
    by_sig = np.argsort(p_sig, kind="stable")
    p_sig, p_line = p_sig[by_sig], p_line[by_sig]
    text_ids, text_values = pd.factorize(np.asarray(texts, dtype=object)[by_sig])
    rule_arr = np.asarray(rules, np.int16)[by_sig]
    sev_arr = np.asarray(sevs, np.int8)[by_sig]
    per_sig = np.bincount(p_sig, minlength=n_sig)
    first_pair = np.r_[0, np.cumsum(per_sig)[:-1]]
    counts = per_sig[sig]
    sessions = np.repeat(np.arange(len(sig)), counts)
    within = np.arange(len(sessions)) - np.repeat(np.cumsum(counts) - counts, counts)
    pair = first_pair[sig[sessions]] + within
    pos = s.order[s.starts[sessions] + p_line[pair]]
    text_id, texts = _messages(text_ids[pair], list(text_values), s.s_day[sessions], s.window_lut, s.day0)
    return Evaluated(pos.astype(np.int64), rule_arr[pair], sev_arr[pair], text_id, texts)


def _messages(
    ids: np.ndarray, texts: list[str], days: np.ndarray, window_lut: np.ndarray, day0: int
) -> tuple[np.ndarray, list[str]]:
    """Message per output row (an index into the texts returned): templates with the row's own date (and
    window start) written in."""
    dated = np.array([_DAY in t or _START in t for t in texts] + [False])
    out = ids.astype(np.int64)
    rows = np.flatnonzero(dated[ids])
    if len(rows):
        combo, uniques = pd.factorize(ids[rows] * (len(window_lut) + 1) + (days[rows] - day0))
        filled = []
        for u in uniques:
            t, d = texts[int(u) // (len(window_lut) + 1)], int(u) % (len(window_lut) + 1) + day0
            filled.append(
                t.replace(_DAY, _date(d).isoformat()).replace(_START, _date(int(window_lut[d - day0])).isoformat())
            )
        out[rows] = len(texts) + combo
        texts = [*texts, *filled]
    return out, texts
