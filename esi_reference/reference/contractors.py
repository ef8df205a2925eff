"""The Medicare contractors' ESI LCDs: LCD id, billing article, contractor and effective date.

The contractors adopted one shared policy text under their own numbers. The effective date of a
contractor's LCD decides from when the coverage rules apply to an encounter that names it. Where the
team could not confirm the contractor or the date in a primary source, the row says ``unverified``.

>>> lcd("L39240").lcd_effective
datetime.date(2022, 6, 19)
>>> lcd("L38994").contractor_confidence
'primary'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esi_reference.errors import InvalidField
from esi_reference.reference._data import read_rows, split_ids


@dataclass(frozen=True)
class LcdContractor:
    lcd_id: str
    article_id: str
    contractor: str
    lcd_effective: dt.date
    contractor_confidence: str
    date_confidence: str
    sources: tuple[str, ...]


_LCDS = {
    r["lcd_id"]: LcdContractor(
        r["lcd_id"],
        r["article_id"],
        r["contractor"],
        dt.date.fromisoformat(r["lcd_effective"]),
        r["contractor_confidence"],
        r["date_confidence"],
        split_ids(r["sources"]),
    )
    for r in read_rows("contractors.csv")
}


def lcd_contractors() -> tuple[LcdContractor, ...]:
    """Every ESI LCD in the table."""
    return tuple(_LCDS.values())


def lcd(lcd_id: object) -> LcdContractor:
    """The row for an LCD id such as 'L39240'."""
    if not isinstance(lcd_id, str) or lcd_id not in _LCDS:
        raise InvalidField("contractor", "an LCD id: " + ", ".join(_LCDS), lcd_id)
    return _LCDS[lcd_id]
