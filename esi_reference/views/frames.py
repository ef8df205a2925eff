"""pandas DataFrame exports of the reference tables (codes, sources, documentation, NCCI PTP edits, rules).

These are an *edge* of the package: pandas is imported inside each function, so the standard-library core
(and Pyodide) never needs it. Every column that holds a code is a string column ("0228T" and "62321" alike,
never a number); list fields are joined with spaces (free-text lists with "; "); dates are ISO strings, empty
when absent. The book's CSV downloads are written from these frames, so a download and the API agree.

>>> df = codes_frame()
>>> df.loc[df["code"] == "62321", ["region_family", "imaging"]].iloc[0].tolist()
['cervical_thoracic', 'fluoro_ct']
>>> sorted(set(ptp_frame(code="62323")["column2"]) & {"77003"})
['77003']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from esi_reference.reference import catalogue, documentation, ncci
from esi_reference.reference.sources import sources as all_sources

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd


def _cell(value: object, sep: str = " ") -> object:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return sep.join(str(v) for v in value)
    return value


def _frame(rows: Iterable[Mapping[str, object]], columns: Iterable[str], integers: Iterable[str] = ()) -> pd.DataFrame:
    """A frame whose columns are all ``str`` except ``integers`` (nullable Int64, empty/None = <NA>)."""
    import pandas as pd

    rows, integers = list(rows), set(integers)
    data = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        if name in integers:
            data[name] = pd.array([None if v in (None, "") else int(str(v)) for v in values], dtype="Int64")
        else:
            data[name] = pd.array(["" if v is None else str(v) for v in values], dtype=str)
    return pd.DataFrame(data, columns=list(columns))


_CODE_COLUMNS = (
    "code",
    "kind",
    "status",
    "family",
    "family_label",
    "region_family",
    "region_label",
    "approach",
    "imaging",
    "catheter",
    "unit_basis",
    "unit_amount",
    "unit_measure",
    "primary_codes",
    "bilateral_indicator",
    "global_days",
    "mue",
    "mue_mai",
    "mue_vintage",
    "valid_from",
    "valid_to",
    "deleted_on",
    "replaced_by",
    "summary",
    "use_instead",
    "confusions",
    "related",
    "sources",
    "unverified",
)


def codes_frame(family: object = None, as_of: object = None, kind: object = None) -> pd.DataFrame:
    """One row per catalogue code (filters as :func:`catalogue.codes`); ``mue`` is nullable Int64."""
    rows: list[dict[str, Any]] = []
    for c in catalogue.codes(family=family, as_of=as_of, kind=kind):
        d = c.as_dict()
        row = {k: _cell(d.get(k), "; " if k == "confusions" else " ") for k in _CODE_COLUMNS if k in d}
        row["family_label"] = catalogue.FAMILY_LABELS.get(c.family, c.family)
        row["region_label"] = catalogue.REGION_LABELS.get(c.region_family, c.region_family)
        row["mue"] = c.mue
        rows.append(row)
    return _frame(rows, _CODE_COLUMNS, integers=("mue",))


def sources_frame() -> pd.DataFrame:
    """One row per source: id, title, publisher, url, document id, dates, confidence and note."""
    names = (
        "id",
        "title",
        "publisher",
        "url",
        "document_id",
        "effective_date",
        "date_read",
        "confidence",
        "note",
    )
    return _frame(({n: _cell(getattr(s, n)) for n in names} for s in all_sources()), names)


def documentation_frame(applies_to: object = None) -> pd.DataFrame:
    """One row per documentation requirement, with the plain-language situation it applies to."""
    names = (
        "id",
        "title",
        "text",
        "applies_to",
        "applies_to_text",
        "fact",
        "requirement",
        "severity",
        "guide_item",
        "sources",
    )
    rows = ({n: _cell(getattr(d, n)) for n in names} for d in documentation.documentation_items(applies_to))
    return _frame(rows, names, integers=("guide_item",))


def ptp_frame(code: str | None = None, as_of: object = None) -> pd.DataFrame:
    """The NCCI PTP edits in use (an installed quarter, else the shipped one; all, or those naming ``code``)
    with the modifier indicator's meaning and the table each comes from."""
    names = (
        "column1",
        "column2",
        "effective_date",
        "deletion_date",
        "modifier_indicator",
        "modifier_meaning",
        "rationale",
        "table",
        "sources",
    )
    meaning = {
        "0": "never billable together",
        "1": "billable only with a supported distinct-service modifier",
        "9": "edit not applicable",
    }
    edits = ncci.edits_for(code, as_of) if code is not None else ncci.active_ptp_edits(as_of)
    rows = (
        {
            "column1": e.column1,
            "column2": e.column2,
            "effective_date": _cell(e.effective_date),
            "deletion_date": _cell(e.deletion_date),
            "modifier_indicator": e.modifier_indicator,
            "modifier_meaning": meaning.get(e.modifier_indicator, ""),
            "rationale": e.rationale,
            "table": e.table,
            "sources": _cell(e.sources),
        }
        for e in edits
    )
    return _frame(rows, names)


def rules_frame() -> pd.DataFrame:
    """One row per rule in the registry: id, title, family, severity, effective window and source ids."""
    from esi_reference.rules import all_rules

    names = (
        "id",
        "title",
        "family",
        "severity",
        "effective_from",
        "effective_to",
        "effective_text",
        "sources",
    )
    rows = ({n: _cell(getattr(r, n, "")) for n in names} for r in all_rules())
    return _frame(rows, names)
