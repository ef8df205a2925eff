"""The claim-level rules of ``esi_reference.rules``, vectorised over a whole claims file.

Each check reproduces, on claim rows, the part of one registered rule that claim data can show, and
reports under that rule's id (title, severity, sources come from the registry). A *session* is one
patient on one date of service (all their lines that day, whatever the claim), which is what an
encounter is for :func:`esi_reference.engine.check`.

========================  ==================================================================================
rule id                   what the audit checks on claim rows
========================  ==================================================================================
CPT-CODE-VALID            a non-drug code outside its validity window on the date of service
DRUG-CODE-DATE            a drug code outside its validity window (J1020/J1030/J1040 from 2024-04-01 …)
CPT-ADDON-PRIMARY         an add-on code with none of its primary codes in the same session
CPT-IL-NOT-BILATERAL      62320-62327 with modifier 50, RT or LT
CPT-BILATERAL-ONE-LINE    a bilateral-indicator-1 primary code on RT and LT lines in one session
CPT-SESSION-UNITS         more than one unit of a per-session code; a transforaminal primary with more than
                          one unit that is not bilateral
CPT-IMAGING-INCLUDED      imaging guidance (77003, 77012, 76942, 72275) in a session whose injection code
                          includes imaging, or with a without-imaging ESI code (the guidance shows the
                          injection was guided)
CPT-IMAGING-CODE          a without-imaging ESI code (62320/62322/62324/62326) with guidance billed that day
NCCI-PTP                  an active NCCI pair in one session (imaging pairs are CPT-IMAGING-INCLUDED);
                          indicator 1 with 59/XE/XS/XP/XU on the column-two line = info
NCCI-EM-SAME-DAY          an E/M visit without modifier 25 on the day of a minor procedure
NCCI-LOCAL-ANESTHETIC     the local anesthetic code the rule names (J2001) billed
MUE-UNITS                 units per code per session above the MUE (MAI 1: per line); a session is per patient
                          and date, so two providers' lines for one patient and day are added together
DRUG-UNITS                drug units ≠ dose / unit size, when the file gives ``drug_dose``
DRUG-FACILITY             a drug line in a facility place of service
DRUG-CONTRAST             a contrast line (Q9965-Q9967), information only
LCD-FREQUENCY             the 5th and later ESI session of a region family in a rolling 12 months
LCD-ONE-REGION            ESI codes of both region families in one session
LCD-TF-LEVELS             more than two transforaminal levels in one session (primary codes + add-on units)
LCD-IMAGING-GUIDANCE      an ESI billed with a without-imaging code and no guidance that day, or with an
                          ultrasound code (0228T-0231T)
LCD-DIAGNOSIS             an ESI session whose diagnoses hold no covered indication (none or only axial:
                          error; codes outside our unverified example list: info; a postoperative-pain
                          code G89.1x marks the exempt postoperative use)
========================  ==================================================================================

Coverage (LCD) rules apply to Medicare rows only (``payer`` column, default Medicare), from the
contractor's LCD date (``contractor`` column) or the rule's own start date; on lines that carry GA or GZ
they are reported at info severity, as :func:`~esi_reference.engine.check` does.

What claim rows cannot show is left to :func:`~esi_reference.engine.check` on the encounter: the
clinical facts (approach, levels, side, guidance, purpose) and documentation. The agreement test
(``tests/audit/test_audit_agreement.py``) runs both on the example encounters and lists the few cases
where the clinical facts change the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import catalogue, ncci, policy
from ..encounter import CONTRACTOR_LCDS
from ..rules import coverage as coverage_rules
from ..rules import rule_by_id
from .tables import REGION_NAMES, code_table, modifier_flags, ptp_table, split_tokens

SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}


@dataclass
class Hits:
    """What a check returns: positions (into the lines frame), messages, optional severities and groups.

    ``group`` numbers the hits: rows of one group are one finding of ``check()`` (for the GA/GZ rule of
    coverage findings); by default each row is its own finding.
    """

    rule_id: str
    positions: np.ndarray
    messages: np.ndarray | str
    severities: np.ndarray | str | None = None
    group: np.ndarray | None = None


@dataclass
class Prepared:
    """The claim lines turned into integer arrays once, shared by every check."""

    lines: pd.DataFrame
    n: int = 0
    codes: list[str] = field(default_factory=list)
    ct: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self) -> None:
        self._cache: dict[tuple[str, object], np.ndarray] = {}
        L = self.lines
        self.n = len(L)
        self.codes = [str(c) for c in L["code"].cat.categories]
        self.ct = code_table(self.codes)
        self.code_idx = L["code"].cat.codes.to_numpy().astype(np.int64)
        mods = L["modifiers"]
        self.mf = modifier_flags([*mods.cat.categories, None])
        mod_codes = mods.cat.codes.to_numpy().astype(np.int64)
        self.mod_idx = np.where(mod_codes < 0, len(mods.cat.categories), mod_codes)
        self.day = L["dos"].to_numpy().astype("datetime64[D]").astype(np.int64)
        self.dos = L["dos"].to_numpy()
        self.units = L["units"].to_numpy().astype(np.int64)
        self.line_number = L["line_number"].to_numpy()
        self.patient = L["patient_code"].to_numpy()
        day0 = self.day.min() if self.n else 0
        self.day0 = day0
        span = int(self.day.max() - day0 + 1) if self.n else 1
        self.session, session_first = pd.factorize(self.patient * span + (self.day - day0))
        self.n_sessions = len(session_first)
        self.session_day = (np.asarray(session_first) % span) + day0
        self.session_patient = np.asarray(session_first) // span
        # Which codes each session has; and the (session, code) pairs, numbered in (session, code) order by
        # a running count over that small dense matrix (cheaper than hashing a million pair keys).
        k = max(len(self.codes), 1)
        self.presence = np.zeros((self.n_sessions, k), dtype=bool)
        if self.n:
            self.presence[self.session, self.code_idx] = True
        flat = self.presence.ravel()
        numbers = np.cumsum(flat, dtype=np.int32 if flat.size < 2**31 else np.int64)
        self.n_sc = int(numbers[-1]) if flat.size else 0
        self.sc = (numbers[self.session * k + self.code_idx] - 1).astype(np.int64)
        del numbers
        # Most pairs are one line: sums over them are the line's own value, so only the lines that share
        # their (session, code) with another line (few) are summed with bincount.
        self.sc_shared = np.bincount(self.sc, minlength=self.n_sc)[self.sc] > 1 if self.n else np.zeros(0, bool)
        self.shared_rows = np.flatnonzero(self.sc_shared)
        self.shared_group, shared_pairs = pd.factorize(self.sc[self.shared_rows])
        self.n_shared = len(shared_pairs)
        self.medicare = self._medicare()
        self.lcd_start = self._lcd_start()

    # -- per-row attribute access ------------------------------------------------------------------------
    def attr(self, name: str) -> np.ndarray:
        """Per-row catalogue attribute (cached)."""
        key = ("attr", name)
        if key not in self._cache:
            self._cache[key] = self.ct[name].to_numpy()[self.code_idx] if self.n else np.array([])
        return self._cache[key]

    def mod(self, name: str) -> np.ndarray:
        """Per-row modifier flag (cached)."""
        key = ("mod", name)
        if key not in self._cache:
            self._cache[key] = self.mf[name].to_numpy()[self.mod_idx] if self.n else np.array([], dtype=bool)
        return self._cache[key]

    def rows_of(self, code: str) -> np.ndarray:
        """Positions of the rows billing ``code`` (cached)."""
        key = ("rows", code)
        if key not in self._cache:
            self._cache[key] = (
                np.flatnonzero(self.code_idx == self.codes.index(code))
                if code in self.codes
                else np.array([], dtype=np.int64)
            )
        return self._cache[key]

    def is_code(self, predicate: Callable[[pd.Series], bool] | str, value: object = True) -> np.ndarray:
        """Per-row boolean from a test on the (small) code table, e.g. ``is_code("family", "drug")``."""
        key = ("is", (predicate, value))
        if key not in self._cache:
            per_code = (
                (self.ct[predicate].to_numpy() == value)
                if isinstance(predicate, str)
                else np.asarray(predicate(self.ct), dtype=bool)
            )
            self._cache[key] = per_code[self.code_idx] if self.n else np.zeros(0, dtype=bool)
        return self._cache[key]

    def session_any(self, mask: np.ndarray) -> np.ndarray:
        """Per session: does any row in it satisfy ``mask``?"""
        out = np.zeros(self.n_sessions, dtype=bool)
        out[self.session[mask]] = True
        return out

    def session_all(self, mask: np.ndarray, among: np.ndarray) -> np.ndarray:
        """Per session: do all rows in ``among`` satisfy ``mask``?"""
        return ~self.session_any(among & ~mask)

    def sc_sum(self, values: np.ndarray, mask: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per (session, code) group: the sum of ``values`` over the rows in ``mask``, returned for ``rows``
        (default: every row)."""
        rows = np.arange(self.n) if rows is None else rows
        out = np.where(mask[rows], values[rows], 0.0)
        shared = self.sc_shared[rows]
        if shared.any():
            # Lines that share their (session, code) with others: the sum over the group, by bincount over the
            # few shared lines only (shared_group numbers them; searchsorted finds each row's slot).
            inside = mask[self.shared_rows]
            totals = np.bincount(
                self.shared_group[inside], weights=values[self.shared_rows[inside]], minlength=self.n_shared
            )
            slot = np.searchsorted(self.shared_rows, rows[shared])
            out[shared] = totals[self.shared_group[slot]]
        return out

    def valid(self) -> np.ndarray:
        """Per row: is the code valid on the date of service?"""
        if ("valid", None) not in self._cache:
            vf = self.ct["valid_from"].to_numpy().astype("datetime64[D]").astype(np.int64)
            vt = self.ct["valid_to"].to_numpy().astype("datetime64[D]").astype(np.int64)
            self._cache[("valid", None)] = (self.day >= vf[self.code_idx]) & (self.day <= vt[self.code_idx])
        return self._cache[("valid", None)]

    def code_text(self, positions: np.ndarray, text: Callable[[str], str]) -> np.ndarray:
        """Per-row messages that depend only on the row's code: ``text(code)`` built once per code."""
        return np.array([text(c) for c in self.codes], dtype=object)[self.code_idx[positions]]

    def dates(self, positions: np.ndarray) -> np.ndarray:
        """ISO date text of the given rows (object array), through a per-day lookup table."""
        return self.day_text(self.day[positions])

    def day_text(self, days: np.ndarray) -> np.ndarray:
        lo = int(min(days.min(), self.day0)) if len(days) else self.day0
        hi = int(days.max()) if len(days) else self.day0
        lut = np.arange(lo, hi + 1).astype("datetime64[D]").astype(str).astype(object)
        return lut[days - lo]

    # -- payer and LCD gates ---------------------------------------------------------------------------
    def _medicare(self) -> np.ndarray:
        if "payer" not in self.lines.columns:
            return np.ones(self.n, dtype=bool)
        col = self.lines["payer"]
        flags = np.array([str(v).strip().lower() != "other" for v in col.cat.categories] + [True])
        codes = col.cat.codes.to_numpy()
        return flags[codes]

    def _lcd_start(self) -> np.ndarray:
        """Per row: first date (as day number) on which the contractor's LCD applies; -1 = unknown."""
        if "contractor" not in self.lines.columns:
            return np.full(self.n, -1, dtype=np.int64)
        col = self.lines["contractor"]
        starts = []
        for v in col.cat.categories:
            row = CONTRACTOR_LCDS.get(str(v).strip().upper())
            starts.append(np.datetime64(row.lcd_effective, "D").astype(np.int64) if row else -1)
        lut = np.array([*starts, -1], dtype=np.int64)
        return lut[col.cat.codes.to_numpy()]

    def applies(self, rule_id: str) -> np.ndarray:
        """Rows on which the rule is in force (effective window; LCD: Medicare and contractor LCD date)."""
        r = rule_by_id(rule_id)
        key = ("applies", (r.family == "lcd", r.effective_from, r.effective_to))
        if key not in self._cache:
            self._cache[key] = self._applies(r)
        return self._cache[key]

    def _applies(self, r) -> np.ndarray:
        if r.family != "lcd" and r.effective_from is None and r.effective_to is None:
            return np.ones(self.n, dtype=bool)
        start = int(np.datetime64(r.effective_from, "D").astype(np.int64)) if r.effective_from else None
        if r.family == "lcd":
            # The contractor's LCD date where the row names one, else the rule's own start date.
            if start is None:
                ok = self.medicare & ((self.lcd_start < 0) | (self.day >= self.lcd_start))
            else:
                ok = self.medicare & (self.day >= np.where(self.lcd_start >= 0, self.lcd_start, start))
        else:
            ok = self.day >= start if start is not None else np.ones(self.n, dtype=bool)
        if r.effective_to:
            ok &= self.day <= np.datetime64(r.effective_to, "D").astype(np.int64)
        return ok


def _hits(rule_id: str, positions: np.ndarray, messages, severities=None, group=None) -> Hits:
    return Hits(rule_id, np.asarray(positions, dtype=np.int64), messages, severities, group)


# ---------------------------------------------------------------------------------------------------------
# The checks. Each takes the prepared lines and yields Hits.


def code_valid(p: Prepared) -> Iterator[Hits]:
    valid = p.valid()
    drug = p.is_code("is_drug")
    for rule_id, mask in (("CPT-CODE-VALID", ~drug), ("DRUG-CODE-DATE", drug)):
        pos = np.flatnonzero(~valid & mask & p.applies(rule_id))
        if len(pos):
            tail = np.array(
                [
                    (f" (deleted {dl})" if dl else " (not yet valid)") + (f"; use {rb}" if rb else "")
                    for dl, rb in zip(p.ct["deleted_on"], p.ct["replaced_by"], strict=True)
                ],
                dtype=object,
            )
            head = np.array([f"{c} is not valid for a date of service on " for c in p.codes], dtype=object)
            c = p.code_idx[pos]
            yield _hits(rule_id, pos, head[c] + p.dates(pos) + tail[c])


def addon_primary(p: Prepared) -> Iterator[Hits]:
    applies = p.applies("CPT-ADDON-PRIMARY")
    for code, prims in zip(p.ct["code"], p.ct["primaries"], strict=True):
        if not prims:
            continue
        rows = p.rows_of(code)
        cols = [p.codes.index(c) for c in prims if c in p.codes]
        have = p.presence[p.session[rows]][:, cols].any(axis=1) if cols else np.zeros(len(rows), bool)
        pos = rows[~have & applies[rows]]
        if len(pos):
            yield _hits(
                "CPT-ADDON-PRIMARY",
                pos,
                f"add-on {code} needs its primary code {' or '.join(prims)} on the same date of service",
            )


def interlaminar_not_bilateral(p: Prepared) -> Iterator[Hits]:
    lateral = p.mod("bilateral") | p.mod("side")
    pos = np.flatnonzero(p.is_code("family", "esi_interlaminar") & lateral & p.applies("CPT-IL-NOT-BILATERAL"))
    if len(pos):
        names = p.mf["lateral_names"].to_numpy()[p.mod_idx[pos]]
        msgs = [
            f"{p.codes[c]} cannot carry {m} (bilateral indicator 9): report it once, without laterality"
            for c, m in zip(p.code_idx[pos], names, strict=True)
        ]
        yield _hits("CPT-IL-NOT-BILATERAL", pos, np.array(msgs, dtype=object))


def bilateral_one_line(p: Prepared) -> Iterator[Hits]:
    cand = p.is_code(lambda t: (t["bilateral_indicator"] == "1") & ~t["is_drug"] & ~t["is_addon"])
    cand &= p.applies("CPT-BILATERAL-ONE-LINE")
    rows = np.flatnonzero(cand & (p.mod("rt") | p.mod("lt")))
    rt = p.sc_sum(p.mod("rt").astype(float), cand, rows) > 0
    lt = p.sc_sum(p.mod("lt").astype(float), cand, rows) > 0
    pos = rows[rt & lt]
    if len(pos):
        msgs = p.code_text(
            pos,
            lambda c: (
                f"{c}: RT and LT lines for one procedure - if both sides were injected report one line with modifier 50"
            ),
        )
        yield _hits("CPT-BILATERAL-ONE-LINE", pos, msgs, group=p.sc[pos])


def session_units(p: Prepared) -> Iterator[Hits]:
    applies = p.applies("CPT-SESSION-UNITS")
    per = p.is_code("per_session") & applies
    rows = np.flatnonzero(per)
    total = p.sc_sum(p.units.astype(float), per, rows)
    pos = rows[total > 1]
    if len(pos):
        msgs = [
            f"{p.codes[c]} is reported once per session with one unit; the session has {int(t)} units"
            for c, t in zip(p.code_idx[pos], total[total > 1], strict=True)
        ]
        yield _hits("CPT-SESSION-UNITS", pos, np.array(msgs, dtype=object), group=p.sc[pos])
    tf = p.is_code("tf_primary") & applies
    # A region counts as bilateral when one of its transforaminal lines carries 50, or RT and LT lines meet.
    region = p.attr("region").astype(np.int64)
    key = p.session * 3 + region
    bil = np.zeros(p.n_sessions * 3, dtype=bool)
    bil[key[tf & p.mod("bilateral")]] = True
    rtk = np.zeros(p.n_sessions * 3, dtype=bool)
    ltk = np.zeros(p.n_sessions * 3, dtype=bool)
    rtk[key[tf & p.mod("rt")]] = True
    ltk[key[tf & p.mod("lt")]] = True
    bil |= rtk & ltk
    pos = np.flatnonzero(tf & (p.units > 1) & ~bil[key])
    if len(pos):
        yield _hits(
            "CPT-SESSION-UNITS",
            pos,
            p.code_text(pos, lambda c: f"{c} is one level with one unit; report further levels with its add-on"),
        )


def _unguided_esi(p: Prepared) -> np.ndarray:
    """ESI rows billed with a without-imaging code (62320, 62322, 62324, 62326 ...)."""
    return p.is_code(lambda t: t["is_esi"] & (t["imaging"] == "none"))


def imaging_included(p: Prepared) -> Iterator[Hits]:
    """Guidance billed in a session whose injection code includes imaging - or with a without-imaging ESI
    code: billing the guidance shows the injection was guided, so the guided code (which includes it) is
    the right one (CPT-IMAGING-CODE on the ESI line)."""
    inclusive = p.session_any(p.is_code("imaging_included") | _unguided_esi(p))
    pos = np.flatnonzero(p.is_code("guidance") & inclusive[p.session] & p.applies("CPT-IMAGING-INCLUDED"))
    if len(pos):
        text = p.code_text(pos, lambda c: f"{c} is included in the injection code and is not reported separately")
        yield _hits("CPT-IMAGING-INCLUDED", pos, text)


def imaging_code(p: Prepared) -> Iterator[Hits]:
    """A without-imaging ESI code billed on the same date as imaging guidance: use the guided code."""
    guided = p.session_any(p.is_code("guidance"))
    # Before 2017 the unguided codes (62310/62311) were billed with 77003: in force with CPT-IMAGING-INCLUDED.
    since = p.applies("CPT-IMAGING-CODE") & p.applies("CPT-IMAGING-INCLUDED")
    # A deleted code is explained by CPT-CODE-VALID instead (as in the engine).
    pos = np.flatnonzero(_unguided_esi(p) & guided[p.session] & since & p.valid())
    if len(pos):
        text = p.code_text(
            pos,
            lambda c: (
                f"{c} is the code for an injection without imaging guidance, but guidance is billed the "
                "same day: report the code that includes fluoroscopy or CT"
            ),
        )
        yield _hits("CPT-IMAGING-CODE", pos, text)


def ptp(p: Prepared) -> Iterator[Hits]:
    table = ptp_table(p.codes, np.unique(p.session_day))
    if table.empty:
        return
    # Column-two codes that other rules report: imaging guidance (CPT-IMAGING-INCLUDED), local anesthetic
    # (NCCI-LOCAL-ANESTHETIC), as in the engine's NCCI-PTP rule.
    elsewhere = set(rule_by_id("NCCI-LOCAL-ANESTHETIC").codes)
    guidance = p.ct["guidance"].to_numpy() | p.ct["code"].isin(elsewhere).to_numpy()
    applies = p.applies("NCCI-PTP")
    day = p.session_day
    for e in table.itertuples(index=False):
        if guidance[e.i2]:
            continue
        both = p.presence[:, e.i1] & p.presence[:, e.i2]
        if not both.any():
            continue
        active = both & (day >= e.first_day) & (day <= e.last_day) & (day >= e.from_day) & (day <= e.to_day)
        rows2 = p.rows_of(e.column2)
        rows2 = rows2[active[p.session[rows2]] & applies[rows2]]
        if not len(rows2):
            continue
        head = (
            f"NCCI edit {e.column1} / {e.column2} ({e.rationale}, modifier indicator {e.modifier_indicator}; "
            f"PTP table {e.table})"
        )
        rows1 = p.rows_of(e.column1)
        # The same bypass decision as the engine (ncci.bypass_modifier), on each column-two line and the
        # column-one line of its session.
        first1 = dict(zip(p.session[rows1][::-1], rows1[::-1], strict=True))
        categories = p.lines["modifiers"].cat.categories
        modifier_sets = [split_tokens(m) for m in categories] + [()]
        bypass = np.array(
            [
                ncci.bypass_modifier(
                    e.edit, modifier_sets[p.mod_idx[first1[p.session[r]]]], modifier_sets[p.mod_idx[r]]
                )
                is not None
                for r in rows2
            ],
            dtype=bool,
        )
        if bypass.any():
            yield _hits(
                "NCCI-PTP",
                rows2[bypass],
                head + ": bypassed with an NCCI-associated modifier - the record must support it",
                "info",
            )
        denied = rows2[~bypass]
        if len(denied):
            failing = np.zeros(p.n_sessions, dtype=bool)
            failing[p.session[denied]] = True
            rows1 = rows1[failing[p.session[rows1]]]
            need = (
                "a significant, separately identifiable E/M is documented and marked with 25"
                if ncci.is_em(e.column2)
                else "a separate site or session is documented and marked with 59/XS/XE/XP/XU"
            )
            tail = (
                f": {e.column2} is not payable with {e.column1}, with or without a modifier"
                if e.modifier_indicator == "0"
                else f": {e.column2} is denied unless {need}"
            )
            pos = np.concatenate([rows1, denied])
            yield _hits("NCCI-PTP", pos, head + tail, group=p.session[pos])


def em_same_day(p: Prepared) -> Iterator[Hits]:
    has_proc = p.session_any(p.is_code("procedure"))
    pos = np.flatnonzero(p.is_code("em") & ~p.mod("m25") & has_proc[p.session] & p.applies("NCCI-EM-SAME-DAY"))
    if len(pos):
        yield _hits(
            "NCCI-EM-SAME-DAY",
            pos,
            p.code_text(
                pos,
                lambda c: (
                    f"{c} on the day of a minor procedure needs modifier 25 and a significant, separately "
                    "identifiable service; otherwise the visit is included in the injection"
                ),
            ),
        )


def local_anesthetic(p: Prepared) -> Iterator[Hits]:
    for code in rule_by_id("NCCI-LOCAL-ANESTHETIC").codes:
        rows = p.rows_of(code)
        pos = rows[p.applies("NCCI-LOCAL-ANESTHETIC")[rows]]
        if len(pos):
            text = f"{code} - local anesthetic for the procedure is not billed separately"
            yield _hits("NCCI-LOCAL-ANESTHETIC", pos, text)


def _mue_by_quarter(p: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per row: the MUE value (-1 none) and MAI of its code in the table in force in its quarter
    (ncci.tables_for, as the engine), and the index of its (code, quarter) combination; the combinations' codes
    and table labels for messages."""
    days = p.day.astype("datetime64[D]")
    months = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    quarter = months // 3
    combos, inverse = np.unique(p.code_idx * 10_000 + quarter, return_inverse=True)
    mue = np.full(len(combos), -1, dtype=np.int64)
    mai = np.zeros(len(combos), dtype=np.int64)
    labels = []
    for k, combo in enumerate(combos.tolist()):
        code, q = p.codes[combo // 10_000], combo % 10_000
        start = dt.date(1970 + (3 * q) // 12, (3 * q) % 12 + 1, 1)
        value, table = ncci.tables_for(start).mue_for(code)
        if value is not None:
            mue[k], mai[k] = value.units, int(value.mai)
        labels.append(table.label)
    return mue[inverse], mai[inverse], inverse, labels


def mue_units(p: Prepared) -> Iterator[Hits]:
    if not p.n:
        return
    mue, mai, combo, labels = _mue_by_quarter(p)
    has = (mue >= 0) & p.applies("MUE-UNITS")
    line_over = has & (mai == 1) & (p.units > mue)
    per_day = has & (mai != 1)
    rows = np.flatnonzero(per_day)
    day_total = p.sc_sum(p.units.astype(float), per_day, rows)
    total = np.zeros(p.n)
    total[rows] = day_total
    pos = np.flatnonzero(line_over | (per_day & (total > mue)))
    if not len(pos):
        return
    kinds = {
        2: "absolute (MAI 2): the excess is never paid",
        3: "clinical (MAI 3): the excess is denied, appealable with records",
    }
    msgs = np.array(
        [
            f"{p.codes[p.code_idx[i]]}: {p.units[i]} units on one line; MUE {mue[i]}, MAI 1 "
            f"(MUE table {labels[combo[i]]})"
            if mai[i] == 1
            else f"{p.codes[p.code_idx[i]]}: {int(total[i])} units on one date exceed the MUE of {mue[i]} - "
            f"{kinds.get(int(mai[i]), '')} (MUE table {labels[combo[i]]})"
            for i in pos.tolist()
        ],
        dtype=object,
    )
    sev = np.where(mai[pos] == 3, "warning", "error").astype(object)
    group = np.where(mai[pos] == 1, -1 - pos, p.sc[pos])
    yield _hits("MUE-UNITS", pos, msgs, sev, group)


def drug_units(p: Prepared) -> Iterator[Hits]:
    if "drug_dose" not in p.lines.columns:
        return
    anesthetic = set(rule_by_id("NCCI-LOCAL-ANESTHETIC").codes)
    dose = p.lines["drug_dose"].to_numpy(dtype=float)
    valid = p.valid()
    drug = p.is_code(lambda t: (t["family"] == "drug") & ~t["code"].isin(anesthetic)) & valid & p.applies("DRUG-UNITS")
    with_dose = drug & ~np.isnan(dose)
    if not with_dose.any():
        return
    rows = np.flatnonzero(drug)
    total_dose = p.sc_sum(np.nan_to_num(dose), with_dose, rows)
    billed = p.sc_sum(p.units.astype(float), drug, rows)
    n_dosed = p.sc_sum(np.ones(p.n), with_dose, rows)
    size = p.ct["unit_amount"].to_numpy().astype(float)[p.code_idx[rows]]
    ratio = np.round(np.divide(total_dose, size, out=np.zeros(len(rows)), where=size > 0), 6)
    expected = np.maximum(1, np.ceil(ratio))
    bad = (n_dosed > 0) & (size > 0) & (billed != expected)
    pos = rows[bad]
    total_dose, billed, expected = total_dose[bad], billed[bad], expected[bad]
    if len(pos):
        measure = p.ct["unit_measure"].to_numpy()
        amount = p.ct["unit_amount"].to_numpy()
        msgs = [
            f"{p.codes[c]}: {int(b)} unit(s) billed, but the dose given ({d:g} {measure[c]}) is "
            f"{int(x)} unit(s) at {amount[c]:g} {measure[c]} per unit"
            for c, b, d, x in zip(p.code_idx[pos], billed, total_dose, expected, strict=True)
        ]
        yield _hits("DRUG-UNITS", pos, np.array(msgs, dtype=object), group=p.sc[pos])


def drug_facility(p: Prepared) -> Iterator[Hits]:
    if "place_of_service" not in p.lines.columns:
        return
    col = p.lines["place_of_service"]
    facility = np.array([str(v) in policy.FACILITY_PLACES_OF_SERVICE for v in col.cat.categories] + [False])
    fac = facility[col.cat.codes.to_numpy()]
    pos = np.flatnonzero(p.is_code("is_drug") & fac & p.applies("DRUG-FACILITY"))
    if len(pos):
        pos_text = np.append(np.asarray(col.cat.categories, dtype=object), None)[col.cat.codes.to_numpy()[pos]]
        yield _hits(
            "DRUG-FACILITY",
            pos,
            np.array(
                [
                    f"{p.codes[c]} on a professional claim in POS {s}: the facility reports drugs"
                    for c, s in zip(p.code_idx[pos], pos_text, strict=True)
                ],
                dtype=object,
            ),
        )


def drug_contrast(p: Prepared) -> Iterator[Hits]:
    pos = np.flatnonzero(p.is_code("family", "contrast") & p.applies("DRUG-CONTRAST"))
    if len(pos):
        yield _hits(
            "DRUG-CONTRAST",
            pos,
            p.code_text(
                pos, lambda c: f"{c} - separate payment for contrast with an ESI is unverified; check the contractor"
            ),
        )


def _covered_esi(p: Prepared) -> np.ndarray:
    """ESI rows that the coverage rules look at (ESI family codes with a region family)."""
    return p.is_code(lambda t: t["is_esi"] & (t["region"] > 0))


def frequency(p: Prepared) -> Iterator[Hits]:
    """Sessions = distinct (patient, region family, date). Sessions are numbered in (patient, date) order,
    so the (session, region) pairs sort into (patient, region, date) order with one integer key; the
    sessions inside each window are then counted with one binary search."""
    # History: every Medicare ESI session, even before the LCD date (only the flagged session must be in force).
    hist = _covered_esi(p) & p.medicare
    esi = hist & p.applies("LCD-FREQUENCY")
    if not esi.any():
        return
    region = p.attr("region").astype(np.int64)
    pair_row = p.session * 3 + region
    present = np.zeros(p.n_sessions * 3, dtype=bool)
    present[pair_row[hist]] = True
    pairs = np.flatnonzero(present)
    sid, reg = pairs // 3, pairs % 3
    span = int(p.session_day.max() - p.day0 + 1)
    key = (p.session_patient[sid] * 3 + reg) * span + (p.session_day[sid] - p.day0)
    order = np.argsort(key, kind="stable")
    keys = key[order]
    days = p.session_day[sid][order]
    starts = _window_starts(days)
    # First key inside the window: same group, day >= window start (never below the group's own range).
    group_base = keys - (days - p.day0)
    lo = np.searchsorted(keys, group_base + np.maximum(starts - p.day0, 0), side="left")
    count = np.arange(len(keys)) - lo + 1
    is_over = count > policy.MAX_SESSIONS_PER_12_MONTHS
    if not is_over.any():
        return
    over = np.zeros(p.n_sessions * 3, dtype=bool)
    over[pairs[order[is_over]]] = True
    pos = np.flatnonzero(esi & over[pair_row])
    k = pair_row[pos]
    # The count and window of each flagged row's pair: `pairs` is sorted, `order` maps sorted key -> pair.
    slot = np.empty(len(order), dtype=np.int64)
    slot[order] = np.arange(len(order))
    at = slot[np.searchsorted(pairs, k)]
    pair_count, pair_start = count[at], starts[at]
    names = np.array(
        [
            "",
            " for the cervical/thoracic region family between ",
            " for the lumbar/sacral region family between ",
        ],
        dtype=object,
    )
    msgs = (
        "session "
        + pair_count.astype(str).astype(object)
        + names[region[pos]]
        + p.day_text(pair_start)
        + " and "
        + p.dates(pos)
        + f": the LCD covers at most {policy.MAX_SESSIONS_PER_12_MONTHS} in a rolling "
        "12 months"
    )
    yield _hits("LCD-FREQUENCY", pos, msgs, group=k)


def _window_starts(days: np.ndarray) -> np.ndarray:
    """policy.window_start for each day number (computed once per distinct day)."""
    if not len(days):
        return days
    lo, hi = int(days.min()), int(days.max())
    lut = np.array(
        [
            np.datetime64(policy.window_start(d.item()), "D").astype(np.int64)
            for d in np.arange(lo, hi + 1).astype("datetime64[D]")
        ],
        dtype=np.int64,
    )
    return lut[days - lo]


def one_region(p: Prepared) -> Iterator[Hits]:
    esi = _covered_esi(p) & p.applies("LCD-ONE-REGION")
    if not esi.any():
        return
    region = p.attr("region").astype(np.int64)
    ct_ = p.session_any(esi & (region == 1))
    ls_ = p.session_any(esi & (region == 2))
    two = ct_ & ls_
    if not two.any():
        return
    # The first region (lowest line number among the session's ESI lines) is covered; the other is not.
    big = np.iinfo(np.int64).max
    first_line = np.full(p.n_sessions, big, dtype=np.int64)
    ln = p.line_number.astype(np.int64)
    both = np.flatnonzero(esi & two[p.session])  # few rows: ufunc.at only on them
    np.minimum.at(first_line, p.session[both], ln[both] * 3 + region[both])
    first_region = first_line % 3
    pos = both[region[both] != first_region[p.session[both]]]
    text = np.array(
        [
            "ESIs in 2 region families in one session; only the "
            f"{catalogue.REGION_LABELS[REGION_NAMES[r]]} lines are covered"
            for r in range(3)
        ],
        dtype=object,
    )
    msgs = text[first_region[p.session[pos]]]
    yield _hits("LCD-ONE-REGION", pos, msgs, group=p.session[pos])


def tf_levels(p: Prepared) -> Iterator[Hits]:
    applies = p.applies("LCD-TF-LEVELS")
    prim = p.is_code("tf_primary") & applies
    addon = p.is_code("tf_addon") & applies
    # Levels = distinct transforaminal primary codes + add-on units (both sides of a level = one level).
    first_of_code = np.zeros(p.n, dtype=bool)
    if prim.any():
        idx = np.flatnonzero(prim)
        seen = np.full(p.n_sc, -1, dtype=np.int64)
        seen[p.sc[idx][::-1]] = idx[::-1]  # the last write wins: the first row of each (session, code)
        first_of_code[seen[seen >= 0]] = True
    levels = np.bincount(p.session, weights=first_of_code.astype(float), minlength=p.n_sessions)
    levels += np.bincount(p.session, weights=np.where(addon, p.units, 0).astype(float), minlength=p.n_sessions)
    over = levels > policy.MAX_TRANSFORAMINAL_LEVELS
    cand = np.flatnonzero(addon & over[p.session])
    # As in the engine: the add-on lines whose units, counted in line order, go past the one covered
    # additional level are the ones expected to be denied (the correct claim splits them onto a GZ line).
    order = cand[np.lexsort((p.line_number[cand], p.session[cand]))]
    cum = np.cumsum(p.units[order])
    sess = p.session[order]
    starts = np.flatnonzero(np.r_[True, sess[1:] != sess[:-1]]) if len(order) else np.zeros(0, np.int64)
    before = np.repeat(np.r_[0, cum][starts], np.diff(np.r_[starts, len(order)]))
    pos = np.sort(order[(cum - before) > policy.MAX_TRANSFORAMINAL_LEVELS - 1])
    if len(pos):
        msgs = np.array(
            [
                f"{int(levels[s])} transforaminal levels in one session: the LCD covers at most "
                f"{policy.MAX_TRANSFORAMINAL_LEVELS}"
                for s in p.session[pos]
            ],
            dtype=object,
        )
        yield _hits("LCD-TF-LEVELS", pos, msgs, group=p.session[pos])


def imaging_guidance(p: Prepared) -> Iterator[Hits]:
    """An ESI code without imaging (and no guidance billed that day) or with ultrasound (0228T-0231T)."""
    guided = p.session_any(p.is_code("guidance"))
    cand = _covered_esi(p) & p.is_code(lambda t: t["imaging"].isin(["none", "ultrasound"]))
    pos = np.flatnonzero(cand & ~(guided[p.session] & _unguided_esi(p)) & p.applies("LCD-IMAGING-GUIDANCE"))
    if len(pos):
        text = np.array(
            [
                f"{c} is the code for an injection "
                + ("with ultrasound" if im == "ultrasound" else "without imaging guidance")
                + ": the LCD requires fluoroscopy or CT"
                for c, im in zip(p.codes, p.ct["imaging"], strict=True)
            ],
            dtype=object,
        )
        yield _hits("LCD-IMAGING-GUIDANCE", pos, text[p.code_idx[pos]], group=p.session[pos])


def diagnosis(p: Prepared) -> Iterator[Hits]:
    esi = _covered_esi(p) & p.applies("LCD-DIAGNOSIS")
    if not esi.any():
        return
    col = p.lines["diagnosis_codes"]
    cats = []
    for v in col.cat.categories:
        cats.append({coverage_rules.diagnosis_category(d) for d in split_tokens(v)})
    # A postoperative-pain diagnosis (G89.1x) marks the exempt postoperative use of the ESI codes.
    exempt = coverage_rules.COVERED_CATEGORIES | {"postoperative"}
    covered = np.array([bool(c & exempt) for c in cats] + [False])
    axial = np.array(["axial" in c for c in cats] + [False])
    other = np.array([bool(c - {"axial"}) for c in cats] + [False])
    codes = col.cat.codes.to_numpy()
    has_dx = codes >= 0
    s_cov = p.session_any(covered[codes])
    s_axial = p.session_any(axial[codes])
    s_other = p.session_any(other[codes])
    s_dx = p.session_any(has_dx)
    sess = p.session[esi]
    bad = ~s_cov[sess]
    pos = np.flatnonzero(esi)[bad]
    if not len(pos):
        return
    s = p.session[pos]
    none = ~s_dx[s]
    axial_only = s_dx[s] & s_axial[s] & ~s_other[s]
    msgs = np.where(
        none,
        "No diagnosis is billed for the ESI; a covered indication (e.g. radiculopathy) is required",
        np.where(
            axial_only,
            "The diagnoses describe axial (non-radicular) pain, which the ESI LCDs do not cover",
            "None of the diagnoses is in our example list of covered indications; the "
            "contractor article's ICD-10-CM groups are unverified here - check them",
        ),
    ).astype(object)
    sev = np.where(none | axial_only, "error", "info").astype(object)
    yield _hits("LCD-DIAGNOSIS", pos, msgs, sev, group=s)


#: Every check, in report order.
CHECKS: tuple[Callable[[Prepared], Iterator[Hits]], ...] = (
    code_valid,
    addon_primary,
    interlaminar_not_bilateral,
    bilateral_one_line,
    session_units,
    imaging_included,
    imaging_code,
    ptp,
    em_same_day,
    local_anesthetic,
    mue_units,
    drug_units,
    drug_facility,
    drug_contrast,
    frequency,
    one_region,
    tf_levels,
    imaging_guidance,
    diagnosis,
)

#: The rule ids the audit reports (each must be a registered rule; a test checks it).
AUDIT_RULE_IDS = (
    "CPT-CODE-VALID",
    "DRUG-CODE-DATE",
    "CPT-ADDON-PRIMARY",
    "CPT-IL-NOT-BILATERAL",
    "CPT-BILATERAL-ONE-LINE",
    "CPT-SESSION-UNITS",
    "CPT-IMAGING-INCLUDED",
    "CPT-IMAGING-CODE",
    "NCCI-PTP",
    "NCCI-EM-SAME-DAY",
    "NCCI-LOCAL-ANESTHETIC",
    "MUE-UNITS",
    "DRUG-UNITS",
    "DRUG-FACILITY",
    "DRUG-CONTRAST",
    "LCD-FREQUENCY",
    "LCD-ONE-REGION",
    "LCD-TF-LEVELS",
    "LCD-IMAGING-GUIDANCE",
    "LCD-DIAGNOSIS",
)
