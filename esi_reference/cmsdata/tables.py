"""The CMS tables in force on a date of service, and the active choice (a ContextVar).

Three kinds of table: the practitioner PTP edits, the practitioner MUE values and the PFS relative
values. Each comes in *vintages* (CMS quarters): the shipped Q3 2024 tables, and any quarter the user
installed with ``esi-ref data import`` (:mod:`.store`). For a date of service, :func:`tables_for` takes,
for each kind, the quarter in force (its quarter start <= date of service <= its quarter end); when no
installed or shipped quarter covers the date it takes the newest quarter that started before it (else the
earliest) and says so in :attr:`Tables.notes`. Installed quarters win over the shipped one for the same
quarter.

CMS also publishes the PTP and MUE tables for the *outpatient hospital* (``ccioph`` files, the
"Outpatient Hospital Services" MUE table). Nothing of them is shipped; installed or given for a run, they
are held beside the practitioner layers (``Tables.hospital_ptp``/``hospital_mue``) and a hospital
outpatient department's facility claim (POS 19/22, :func:`setting_for`) is checked against them
(:meth:`Tables.for_setting`). Every other claim - professional, and an ASC's facility claim - is checked
against the practitioner tables.

A table can be *partial*: one PTP part of CMS's four, or an MUE/RVU file without the ESI codes. A partial
table is layered over the complete one it would replace: a PTP part answers for the column-1 codes of its
range (``first..last`` column-1 code read), an MUE/RVU file for the codes it lists; everything else falls
through to the next layer, and every answer names the table that gave it. ``--ptp-file``/``--mue-file``
files of one run are layered the same way, above the installed/shipped tables (:func:`using_layers`).

The active layers live in a ContextVar, so concurrent checks (threads, asyncio tasks) do not see each
other's files, and nothing is kept once the ``with`` block ends.

>>> t = tables_for(None)
>>> t.ptp[0].vintage, t.ptp[0].shipped
('2024Q3', True)
>>> [e.modifier_indicator for e in t.edits_between("62323", "62322")]
['0']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from esi_reference._memo import memoised_property
from esi_reference.cmsdata.fees import (
    SHIPPED_FEE_EFFECTIVE,
    SHIPPED_FEE_FILE,
    SHIPPED_FEE_SOURCE,
    SHIPPED_FEE_VINTAGE,
    Fee,
    shipped_fees,
)

SHIPPED_VINTAGE = "2024Q3"
SHIPPED_EFFECTIVE = dt.date(2024, 7, 1)
SHIPPED_PTP_FILE = "ccipra 2024Q3 (ESI extract)"
SHIPPED_MUE_FILE = "MCR_MUE_PractitionerServices_Eff_07-01-2024"
SHIPPED_PTP_SOURCE = "CMS-PTP-PRAC-2024Q3"
SHIPPED_MUE_SOURCE = "CMS-MUE-PRAC-2024Q3"
#: Source ids cited for a user's current CMS file (installed or given for one run); findings name the file.
USER_SOURCES = {"ptp": "CMS-PTP-PRAC-USER", "mue": "CMS-MUE-PRAC-USER", "rvu": "CMS-RVU-USER"}
#: The same for the outpatient hospital PTP and MUE tables.
HOSPITAL_USER_SOURCES = {"ptp": "CMS-PTP-OPH-USER", "mue": "CMS-MUE-OPH-USER"}
PRACTITIONER = "practitioner"
HOSPITAL = "outpatient hospital"
#: Places of service of a hospital outpatient department (on campus 22, off campus 19): a facility claim there
#: is the hospital's, checked against the outpatient hospital tables when they are installed.
HOSPITAL_OUTPATIENT_PLACES = frozenset({"19", "22"})


def user_source(kind: str, setting: str = PRACTITIONER) -> str:
    """The sources.csv id of a user's CMS table of ``kind`` for ``setting``."""
    return HOSPITAL_USER_SOURCES[kind] if setting == HOSPITAL else USER_SOURCES[kind]


def setting_for(claim_type: str, place_of_service: str) -> str:
    """The NCCI setting of a claim: a facility claim from a hospital outpatient department is checked
    against the outpatient hospital tables; every other claim (professional, ASC) against the practitioner
    ones."""
    return HOSPITAL if claim_type == "facility" and place_of_service in HOSPITAL_OUTPATIENT_PLACES else PRACTITIONER


def quarter_end(start: dt.date) -> dt.date:
    """Last day of the CMS quarter that starts on ``start``."""
    year, month = divmod(start.month - 1 + 3, 12)
    return dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


def quarter_start(vintage: str) -> dt.date:
    """``"2026Q3"`` -> 2026-07-01."""
    return dt.date(int(vintage[:4]), 3 * int(vintage[5]) - 2, 1)


def table_label(vintage: str, origin: str, files: Sequence[str], note: str = "") -> str:
    """``2026Q3 installed ccipra-v322r0-f1.TXT, ...`` (the files shortened past four)."""
    names = ", ".join(files) if len(files) <= 4 else f"{files[0]} and {len(files) - 1} more"
    return f"{vintage + ' ' if vintage else ''}{origin} {names}" + (f" (partial: {note})" if note else "")


SHIPPED_PTP_LABEL = table_label(SHIPPED_VINTAGE, "shipped", (SHIPPED_PTP_FILE,))


def origin_words(origin: str, setting: str) -> str:
    """``installed`` / ``installed outpatient hospital``: the origin as labels show it."""
    return f"{origin} {HOSPITAL}" if setting == HOSPITAL else origin


@dataclass(frozen=True)
class PtpEdit:
    """One NCCI PTP edit. In force when effective <= DOS <= deletion, never with modifier indicator 9."""

    column1: str
    column2: str
    deletion_date: dt.date | None
    modifier_indicator: str
    rationale: str
    sources: tuple[str, ...] = (SHIPPED_PTP_SOURCE,)
    effective_date: dt.date | None = None  # None in the shipped extract (the third-party parse dropped it)
    table: str = SHIPPED_PTP_LABEL  # vintage, origin and files of the table the edit comes from

    def active_on(self, day: dt.date) -> bool:
        """CMS semantics: effective date <= day <= deletion date, and indicator 9 never applies."""
        return (
            self.modifier_indicator != "9"
            and (self.effective_date is None or self.effective_date <= day)
            and (self.deletion_date is None or day <= self.deletion_date)
        )

    @property
    def bypassable(self) -> bool:
        return self.modifier_indicator == "1"


@dataclass(frozen=True)
class MueValue:
    code: str
    units: int
    mai: str
    rationale: str


@dataclass(frozen=True, eq=False)
class Table:
    """One vintage of one kind of table (``kind`` ptp/mue/rvu), with where it came from."""

    kind: str
    vintage: str
    effective: dt.date
    files: tuple[str, ...]
    source_id: str  # an id in sources.csv for shipped tables, "installed" / "file" otherwise
    complete: bool
    note: str = ""  # why it is partial ("parts 1, 3 of 4"), empty when complete
    shipped: bool = False
    setting: str = PRACTITIONER  # or HOSPITAL (PTP and MUE only)
    ranges: tuple[tuple[str, str], ...] = ()  # PTP: column-1 code ranges read; () = every code
    edits: tuple[PtpEdit, ...] = ()
    mue: dict[str, MueValue] = field(default_factory=dict)
    fees: dict[tuple[str, str], Fee] = field(default_factory=dict)
    _pairs: dict[frozenset[str], tuple[PtpEdit, ...]] = field(default_factory=dict, repr=False)
    _by_code: dict[str, tuple[PtpEdit, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.edits and not self._pairs:
            pairs: dict[frozenset[str], list[PtpEdit]] = {}
            by_code: dict[str, list[PtpEdit]] = {}
            for e in self.edits:
                pairs.setdefault(frozenset((e.column1, e.column2)), []).append(e)
                by_code.setdefault(e.column1, []).append(e)
                if e.column2 != e.column1:
                    by_code.setdefault(e.column2, []).append(e)
            self._pairs.update({k: tuple(v) for k, v in pairs.items()})
            self._by_code.update({k: tuple(v) for k, v in by_code.items()})

    @property
    def end(self) -> dt.date:
        return quarter_end(self.effective)

    @property
    def citation(self) -> str:
        """The sources.csv id to cite for this table."""
        return self.source_id if self.shipped else user_source(self.kind, self.setting)

    @property
    def origin(self) -> str:
        return "shipped" if self.shipped else ("user file" if self.source_id == "file" else "installed")

    @property
    def label(self) -> str:
        """``2026Q3 installed ccipra-v322r0-f1.TXT, ...`` - vintage, origin and files, for findings."""
        return table_label(self.vintage, origin_words(self.origin, self.setting), self.files, self.note)

    @memoised_property
    def key(self) -> tuple[str, ...]:
        """Identifies the table's content (for caches of results that depend on it)."""
        return (self.kind, self.setting, self.vintage, self.source_id, *self.files, self.note)

    def covers(self, column1: str) -> bool:
        """True when this PTP table answers for edits whose column 1 is ``column1``."""
        return not self.ranges or any(low <= column1 <= high for low, high in self.ranges)

    def as_dict(self) -> dict[str, object]:
        """What a JSON report lists under ``tables``."""
        return {
            "kind": self.kind,
            "setting": self.setting,
            "label": self.label,
            "vintage": self.vintage,
            "in_force": f"{self.effective.isoformat()} to {self.end.isoformat()}",
            "origin": self.origin,
            "files": list(self.files),
            "source_id": self.source_id,
            "complete": self.complete,
            "note": self.note,
        }


@dataclass(frozen=True, eq=False)
class Tables:
    """The layers of each kind in use for one date of service (first layer answers first)."""

    day: dt.date | None
    ptp: tuple[Table, ...]
    mue: tuple[Table, ...]
    rvu: tuple[Table, ...]
    notes: tuple[str, ...] = ()
    #: The outpatient hospital PTP and MUE layers for the date ((): none installed or given).
    hospital_ptp: tuple[Table, ...] = ()
    hospital_mue: tuple[Table, ...] = ()
    #: The claims these tables are for: practitioner, or the outpatient hospital view (:meth:`for_setting`).
    setting: str = PRACTITIONER
    _views: dict[str, Tables] = field(default_factory=dict, repr=False)

    @memoised_property
    def token(self) -> tuple[object, ...]:
        """Identifies the layers' content (a memo key of results that depend on them; computed once)."""
        return tuple(t.key for t in (*self.ptp, *self.mue, *self.rvu, *self.hospital_ptp, *self.hospital_mue))

    def has_setting(self, setting: str, kind: str = "ptp") -> bool:
        """True when tables of ``setting`` answer for ``kind`` (the practitioner ones always do)."""
        return setting == PRACTITIONER or bool(self.hospital_ptp if kind == "ptp" else self.hospital_mue)

    def for_setting(self, setting: str) -> Tables:
        """The tables a claim of ``setting`` is checked against (:func:`setting_for`): for the outpatient
        hospital, the installed hospital PTP and MUE layers over the practitioner ones (a hospital table
        that is partial, or none at all, leaves the rest to the practitioner tables, and the notes say so);
        the fee schedule is the same."""
        if setting == self.setting or setting != HOSPITAL or not (self.hospital_ptp or self.hospital_mue):
            return self
        view = self._views.get(setting)
        if view is None:
            missing = [n for n, layers in (("PTP", self.hospital_ptp), ("MUE", self.hospital_mue)) if not layers]
            notes = self.notes + tuple(
                f"no outpatient hospital {n} table installed for this date: the practitioner {n} table is used"
                for n in missing
            )
            view = self._views[setting] = Tables(
                self.day, (*self.hospital_ptp, *self.ptp), (*self.hospital_mue, *self.mue), self.rvu, notes,
                self.hospital_ptp, self.hospital_mue, HOSPITAL,
            )  # fmt: skip
        return view

    def edits_between(self, code_a: str, code_b: str) -> tuple[PtpEdit, ...]:
        """Every edit of the pair (either column order), each from the first layer covering its column 1."""
        pair = frozenset((code_a, code_b))
        found: list[PtpEdit] = []
        for column1 in pair:
            layer = next((t for t in self.ptp if t.covers(column1)), None)
            if layer is not None:
                found.extend(e for e in layer._pairs.get(pair, ()) if e.column1 == column1)
        return tuple(found)

    def edits_from(self, column1: str, column2: str, day: dt.date) -> list[PtpEdit]:
        """The edits with ``column1`` in column 1 and ``column2`` in column 2 in force on ``day``, from the
        first layer covering ``column1`` (the engine's per-claim lookup: one call per ordered code pair)."""
        for layer in self.ptp:
            if layer.covers(column1):
                if column2 not in layer._by_code:  # most pairs of a claim: no edit names the code at all
                    return []
                found = layer._pairs.get(frozenset((column1, column2)))
                return [e for e in found if e.column1 == column1 and e.active_on(day)] if found else []
        return []

    def edits_for(self, code: str) -> tuple[PtpEdit, ...]:
        """Every edit naming ``code`` in either column, each from the first layer covering its column 1."""
        return tuple(
            e
            for layer in self.ptp
            for e in layer._by_code.get(code, ())
            if next(t for t in self.ptp if t.covers(e.column1)) is layer
        )

    def mue_for(self, code: str) -> tuple[MueValue | None, Table]:
        """The MUE value of ``code`` and the table that gave it (a complete table's silence = no MUE)."""
        for layer in self.mue:
            if code in layer.mue or layer.complete:
                return layer.mue.get(code), layer
        return None, self.mue[-1]

    def fee_for(self, code: str, modifier: str = "") -> Fee | None:
        for layer in self.rvu:
            if (code, modifier) in layer.fees or layer.complete:
                return layer.fees.get((code, modifier))
        return None

    def fee_table(self) -> dict[tuple[str, str], Fee]:
        out: dict[tuple[str, str], Fee] = {}
        for layer in reversed(self.rvu):
            out.update(layer.fees)
        return out

    def in_use(self) -> list[dict[str, object]]:
        return [t.as_dict() for t in (*self.ptp, *self.mue, *self.rvu, *self.hospital_ptp, *self.hospital_mue)]

    def summary(self) -> str:
        """One line naming the tables: ``PTP 2024Q3 shipped (...); MUE ...; PFS ...``."""
        parts = []
        for name, layers in (
            ("PTP", self.ptp),
            ("MUE", self.mue),
            ("PFS", self.rvu),
            ("hospital PTP", self.hospital_ptp),
            ("hospital MUE", self.hospital_mue),
        ):
            if layers:
                parts.append(f"{name} " + " over ".join(t.label for t in layers))
        return "; ".join(parts)


# --------------------------------------------------------------------------- shipped tables


@cache
def shipped_tables() -> tuple[Table, Table, Table]:
    """The shipped Q3 2024 PTP, MUE and fee tables."""
    from esi_reference.model.dates import optional_date
    from esi_reference.reference import catalogue
    from esi_reference.reference._data import read_rows, split_ids

    edits = tuple(
        PtpEdit(
            r["column1"],
            r["column2"],
            optional_date(r["deletion_date"]),
            r["modifier_indicator"],
            r["rationale"],
            split_ids(r["sources"]),
        )
        for r in read_rows("ptp_edits.csv")
    )
    ptp = Table(
        "ptp", SHIPPED_VINTAGE, SHIPPED_EFFECTIVE, (SHIPPED_PTP_FILE,), SHIPPED_PTP_SOURCE, True, shipped=True,
        edits=edits,
    )  # fmt: skip
    values = {
        c.code: MueValue(c.code, c.mue, c.mue_mai, "")
        for c in catalogue.all_codes()
        if c.mue is not None and not c.is_range
    }
    mue = Table(
        "mue", SHIPPED_VINTAGE, SHIPPED_EFFECTIVE, (SHIPPED_MUE_FILE,), SHIPPED_MUE_SOURCE, True, shipped=True,
        mue=values,
    )  # fmt: skip
    rvu = Table(
        "rvu", SHIPPED_FEE_VINTAGE, SHIPPED_FEE_EFFECTIVE, (SHIPPED_FEE_FILE,), SHIPPED_FEE_SOURCE, True,
        shipped=True, fees=shipped_fees(),
    )  # fmt: skip
    return ptp, mue, rvu


# --------------------------------------------------------------------------- choice by date


def choose(candidates: Sequence[Table], day: dt.date | None) -> tuple[Table, str]:
    """The table in force on ``day`` (the newest when ``day`` is None) and a note when none covers it."""
    ordered = sorted(candidates, key=lambda t: (t.effective, not t.shipped))
    if day is None:
        return ordered[-1], ""
    in_force = [t for t in ordered if t.effective <= day <= t.end]
    if in_force:
        return in_force[-1], ""
    earlier = [t for t in ordered if t.effective <= day]
    chosen = earlier[-1] if earlier else ordered[0]
    kinds = {"ptp": "PTP", "mue": "MUE", "rvu": "fee schedule"}
    return chosen, (
        f"no {kinds[chosen.kind]} table installed covers {quarter_name(day)}: using {chosen.vintage} "
        f"(in force {chosen.effective.isoformat()} to {chosen.end.isoformat()}); install the quarter of the date "
        "of service (esi-ref data import)"
    )


def quarter_name(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_of(day: dt.date) -> dt.date:
    """First day of the calendar quarter of ``day`` (the tables chosen are the same for the whole quarter)."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _resolve(day: dt.date | None) -> Tables:
    from esi_reference.cmsdata import store

    every = store.installed_tables()
    installed = [t for t in every if t.setting == PRACTITIONER]
    layers: dict[str, tuple[Table, ...]] = {}
    notes: list[str] = []
    uncovered: list[Table] = []
    for base in shipped_tables():
        mine = [t for t in installed if t.kind == base.kind]
        chosen, note = choose([t for t in mine if t.complete] + [base], day)
        partial = [
            t
            for t in mine
            if not t.complete and t.effective >= chosen.effective and (day is None or t.effective <= day)
        ]
        top = max(partial, key=lambda t: t.effective) if partial else None
        if top is not None:
            layers[base.kind] = (top, chosen)
            notes.append(f"{top.label} answers only for its codes; the others come from {chosen.label}")
            if day is not None and day > top.end:
                notes.append(choose([top], day)[1])
        else:
            layers[base.kind] = (chosen,)
            if note:
                uncovered.append(chosen)
    if day is not None and uncovered:
        names = {"ptp": "PTP", "mue": "MUE", "rvu": "fee schedule"}
        listed = [names[t.kind] for t in uncovered]
        kinds = " or ".join(filter(None, (", ".join(listed[:-1]), listed[-1])))
        vintages = ", ".join(dict.fromkeys(f"{t.vintage} (in force {t.effective} to {t.end})" for t in uncovered))
        notes.insert(
            0,
            f"no installed {kinds} table covers {quarter_name(day)}: using {vintages}; install the quarter of "
            "the date of service (esi-ref data import)",
        )
    hospital = {kind: _hospital_layers([t for t in every if t.setting == HOSPITAL and t.kind == kind], day, notes)
                for kind in ("ptp", "mue")}  # fmt: skip
    return Tables(day, layers["ptp"], layers["mue"], layers["rvu"], tuple(notes), hospital["ptp"], hospital["mue"])


def _hospital_layers(mine: list[Table], day: dt.date | None, notes: list[str]) -> tuple[Table, ...]:
    """The installed outpatient hospital layers of one kind for ``day``: the complete table in force (else
    the newest that started before ``day``, with a note) under the newest partial one; () when none has
    started by ``day`` (the practitioner table answers)."""
    started = [t for t in mine if day is None or t.effective <= day]
    if not started:
        return ()
    complete = [t for t in started if t.complete]
    chosen: tuple[Table, ...] = ()
    if complete:
        table, note = choose(complete, day)
        chosen = (table,)
        if note:
            notes.append(f"outpatient hospital: {note}")
    partial = [t for t in started if not t.complete and (not chosen or t.effective >= chosen[0].effective)]
    if partial:
        top = max(partial, key=lambda t: t.effective)
        notes.append(f"{top.label} answers only for its codes; the others come from the tables below it")
        chosen = (top, *chosen)
    return chosen


_resolved: dict[tuple[object, dt.date | None], Tables] = {}
_MAX_RESOLVED = 64


def _base(day: dt.date | None) -> Tables:
    """The installed/shipped tables of the quarter starting on ``day`` (resolved once per quarter)."""
    from esi_reference.cmsdata.store import data_dir

    key = (data_dir(), day)
    known = _resolved.get(key)
    if known is None:
        if len(_resolved) >= _MAX_RESOLVED:
            _resolved.clear()
        known = _resolved[key] = _resolve(day)
    return known


def refresh() -> None:
    """Forget the installed tables read so far (after ``esi-ref data import``/``remove``, or in tests)."""
    from esi_reference.cmsdata import store

    _resolved.clear()
    store.forget()


@dataclass(frozen=True, eq=False)
class Layers:
    """Tables given for one run (``--ptp-file``/``--mue-file``), layered over the installed/shipped ones."""

    ptp: tuple[Table, ...] = ()
    mue: tuple[Table, ...] = ()
    rvu: tuple[Table, ...] = ()
    memo: dict[dt.date | None, Tables] = field(default_factory=dict)


_ACTIVE: ContextVar[Layers | None] = ContextVar("esi_reference_cms_layers", default=None)


_PINNED: ContextVar[dict[dt.date | None, Tables] | None] = ContextVar("esi_reference_cms_pinned", default=None)


class resolved_once:
    """Within this block each date's tables are resolved once: one ``check()`` asks for them several times
    (the PTP pairs, the MUE, the memo token), and nothing installs a table in the middle of a check. Nested
    blocks share the outer one's. (A class, not a generator: every ``check()`` enters one.)"""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _PINNED.set({}) if _PINNED.get() is None else None

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _PINNED.reset(self._token)


def tables_resolved_once() -> bool:
    """Is this inside a :func:`resolved_once` block? (A caller that runs many checks asks once.)"""
    return _PINNED.get() is not None


def tables_for(day: dt.date | None = None) -> Tables:
    """The tables to use for a date of service (``None``: the newest), honouring :func:`using_layers`."""
    pinned = _PINNED.get()
    if pinned is None:
        return _tables_for(day)
    known = pinned.get(day)
    if known is None:
        known = pinned[day] = _tables_for(day)
    return known


def tables_for_claim(day: dt.date | None, claim_type: str, place_of_service: str) -> Tables:
    """The tables a claim is checked against: :func:`tables_for` in the claim's setting (:func:`setting_for`)."""
    return tables_for(day).for_setting(setting_for(claim_type, place_of_service))


def _tables_for(day: dt.date | None) -> Tables:
    extra = _ACTIVE.get()
    day = quarter_of(day) if day is not None else None
    base = _base(day)
    if extra is None:
        return base
    known = extra.memo.get(day)
    if known is None:

        def given(layers: tuple[Table, ...], setting: str) -> tuple[Table, ...]:
            return tuple(t for t in layers if t.setting == setting)

        known = extra.memo[day] = Tables(
            day,
            (*given(extra.ptp, PRACTITIONER), *base.ptp),
            (*given(extra.mue, PRACTITIONER), *base.mue),
            (*extra.rvu, *base.rvu),
            base.notes
            + tuple(
                f"{t.label} answers only for its codes; the others come from the tables below it"
                for t in (*extra.ptp, *extra.mue, *extra.rvu)
                if not t.complete
            ),
            (*given(extra.ptp, HOSPITAL), *base.hospital_ptp),
            (*given(extra.mue, HOSPITAL), *base.hospital_mue),
        )
    return known


def breakpoints() -> set[dt.date]:
    """Days on which the tables in use can change: the start and end of every installed or given table's
    quarter, and every PTP edit's effective date and the day after its deletion. Between two of them the
    choice of table and the edits in force are the same (the claims audit evaluates one day per interval)."""
    from esi_reference.cmsdata import store

    extra = _ACTIVE.get()
    tables = [*shipped_tables(), *store.installed_tables()]
    if extra is not None:
        tables += [*extra.ptp, *extra.mue, *extra.rvu]
    days: set[dt.date] = set()
    for t in tables:
        if not t.shipped:
            days.update((t.effective, t.end + dt.timedelta(1)))
        for e in t.edits:
            days.update(d for d in (e.effective_date, e.deletion_date and e.deletion_date + dt.timedelta(1)) if d)
    return days


@contextmanager
def using_layers(layers: Layers) -> Iterator[Tables]:
    """Use ``layers`` above the installed/shipped tables inside the ``with`` block (this context only)."""
    token = _ACTIVE.set(layers)
    try:
        yield tables_for(None)
    finally:
        _ACTIVE.reset(token)


def tables_in_use(days: Iterable[dt.date]) -> tuple[list[dict[str, object]], list[str]]:
    """The tables used for the given dates of service (each once, with the quarters it served) and the
    notes of those quarters: what a report over many dates (the claims audit) lists."""
    used: dict[tuple[object, ...], tuple[Table, list[str]]] = {}
    notes: list[str] = []
    for start in sorted({quarter_of(d) for d in days}):
        tables = tables_for(start)
        for t in (*tables.ptp, *tables.mue, *tables.rvu):
            used.setdefault(t.key, (t, []))[1].append(quarter_name(start))
        notes.extend(f"{quarter_name(start)}: {n}" for n in tables.notes)
    return [dict(t.as_dict(), used_for=quarters) for t, quarters in used.values()], notes
