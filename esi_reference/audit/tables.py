"""Lookup tables for the vectorised checks, built once from the catalogue and the NCCI table.

Nothing here is typed by hand: the code attributes come from :func:`esi_reference.catalogue.lookup`,
the procedure-pair edits and MUE values from :mod:`esi_reference.ncci` (the shipped tables, or a user's
quarterly files inside ``ncci.using_tables``), the
modifier groups from :mod:`esi_reference.policy`. Each table is indexed by the *category codes* of the
claim columns, so a per-row attribute is one ``numpy.take``.

>>> t = code_table(["62323", "64484", "J1010"])
>>> [str(v) for v in t.loc["64484", ["family", "region", "is_addon", "mue", "mai"]]]
['esi_transforaminal', '2', 'True', '4', '3']
>>> modifier_flags(["50", "RT 59", ""])[["bilateral", "side", "distinct"]].values.tolist()
[[True, False, False], [False, True, True], [False, False, False]]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .. import catalogue, ncci
from ..cmsdata.tables import quarter_end
from ..policy import DISTINCT_SERVICE_MODIFIERS, LATERALITY_MODIFIERS, LIABILITY_MODIFIERS

#: Region family as a small integer: 0 none, 1 cervical/thoracic, 2 lumbar/sacral.
REGIONS = {"": 0, "cervical_thoracic": 1, "lumbar_sacral": 2}
REGION_NAMES = {v: k for k, v in REGIONS.items()}
GUIDANCE_FAMILIES = ("imaging_guidance", "epidurography")
_DAY_MIN = np.datetime64("0001-01-01", "s")
_DAY_MAX = np.datetime64("9999-12-31", "s")


def code_table(codes: Sequence[str]) -> pd.DataFrame:
    """One row per code (in the given order) with the attributes the checks use."""
    rows = []
    for text in codes:
        c = catalogue.lookup(text)
        mue, mai, vintage = ncci.mue_for(text)  # code by code (an E/M code is not its range row)
        rows.append(
            {
                "code": text,
                "family": c.family,
                "kind": c.kind,
                "region": REGIONS.get(c.region_family, 0),
                "is_esi": c.is_esi,
                "is_addon": c.is_addon,
                "primaries": tuple(c.primary_codes) if "primary_codes" not in c.unverified else (),
                "bilateral_indicator": c.bilateral_indicator,
                "mue": mue if mue is not None else -1,
                "mai": int(mai) if mai else 0,
                "mue_vintage": vintage,
                "valid_from": np.datetime64(c.valid_from, "s") if c.valid_from else _DAY_MIN,
                "valid_to": np.datetime64(c.valid_to, "s") if c.valid_to else _DAY_MAX,
                "deleted_on": c.deleted_on.isoformat() if c.deleted_on else "",
                "replaced_by": " or ".join(c.replaced_by),
                "imaging": c.imaging,
                "imaging_included": c.imaging in ("fluoro_ct", "ultrasound"),
                "guidance": c.family in GUIDANCE_FAMILIES,
                "per_session": c.per_session_only and c.family in ("esi_interlaminar", "neurolytic"),
                "tf_primary": c.family.startswith("esi_transforaminal") and not c.is_addon,
                "tf_addon": c.family.startswith("esi_transforaminal") and c.is_addon,
                "is_drug": c.kind == "drug",
                "unit_amount": float(c.unit_amount) if c.unit_amount else np.nan,
                "unit_measure": c.unit_measure,
                "procedure": c.global_days in ("000", "010", "ZZZ") and c.kind != "drug",
                "em": c.family == "em",
            }
        )
    frame = pd.DataFrame(rows)
    return frame.set_index("code", drop=False) if len(frame) else frame


def split_tokens(text: object) -> tuple[str, ...]:
    if not isinstance(text, str):
        return ()
    return tuple(t for t in text.replace(";", " ").split() if t)


def modifier_flags(values: Iterable[object]) -> pd.DataFrame:
    """Flags for each distinct modifier combination (row order = input order)."""
    rows = []
    for v in values:
        mods = set(split_tokens(v))
        rows.append(
            {
                "bilateral": "50" in mods,
                "side": bool(mods & LATERALITY_MODIFIERS),
                "rt": "RT" in mods,
                "lt": "LT" in mods,
                "distinct": bool(mods & DISTINCT_SERVICE_MODIFIERS),
                "distinct_name": next((m for m in sorted(mods) if m in DISTINCT_SERVICE_MODIFIERS), ""),
                "liability": bool(mods & LIABILITY_MODIFIERS),
                "m25": "25" in mods,
                "lateral_names": ", ".join(m for m in ("50", "RT", "LT") if m in mods),
            }
        )
    return pd.DataFrame(rows)


def _day_number(day) -> int:
    """Days since 1970-01-01 (an open end = a far-future day)."""
    return int(np.datetime64(day or "9999-12-31", "D").astype(np.int64))


def ptp_table(
    codes: Sequence[str], days: Iterable[int] = (), edits: tuple[ncci.PtpEdit, ...] | None = None
) -> pd.DataFrame:
    """The PTP edits whose two codes both occur in ``codes``, with code positions, the days each edit applies
    (first_day..last_day, day numbers since 1970-01-01) and the dates of service its table is used for
    (from_day..to_day: the calendar quarters of ``days``, each with the tables :func:`ncci.tables_for` picks).
    Indicator-9 edits never apply and are left out."""
    where = {c: i for i, c in enumerate(codes)}
    if edits is not None:
        chosen = [(edits, _DAY_MIN_NUMBER, _DAY_MAX_NUMBER, "")]
    else:
        chosen = []
        for start in sorted({_quarter_start(int(d)) for d in days} or {None}):
            tables = ncci.tables_for(start)
            found = tuple(e for a in where for b in where if a < b for e in tables.edits_between(a, b))
            low = _day_number(start) if start else _DAY_MIN_NUMBER
            high = _day_number(quarter_end(start)) if start else _DAY_MAX_NUMBER
            chosen.append((found, low, high, ""))
    rows = []
    for table_edits, low, high, _label in chosen:
        for e in table_edits:
            if e.column1 in where and e.column2 in where and e.modifier_indicator != "9":
                rows.append(
                    {
                        "column1": e.column1,
                        "column2": e.column2,
                        "i1": where[e.column1],
                        "i2": where[e.column2],
                        "modifier_indicator": e.modifier_indicator,
                        "rationale": e.rationale,
                        "first_day": _day_number(e.effective_date) if e.effective_date else _DAY_MIN_NUMBER,
                        "last_day": _day_number(e.deletion_date),
                        "from_day": low,
                        "to_day": high,
                        "table": e.table,
                        "edit": e,
                    }
                )
    return pd.DataFrame(rows, columns=PTP_COLUMNS)


PTP_COLUMNS = [
    "column1", "column2", "i1", "i2", "modifier_indicator", "rationale", "first_day", "last_day", "from_day",
    "to_day", "table", "edit",
]  # fmt: skip
_DAY_MIN_NUMBER = -(10**6)
_DAY_MAX_NUMBER = 10**7


def _quarter_start(day_number: int) -> dt.date:
    day = dt.date(1970, 1, 1) + dt.timedelta(days=day_number)
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
