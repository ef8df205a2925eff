"""The sources table: every fact and rule in esi_reference cites one or more of these ids.

Each source records who published it, where it is, the document id (LCD, billing article, NCCI file,
fee-schedule release), its effective date, when the team read it and a confidence mark:

* ``primary`` - a CMS/MAC/OIG document or CMS data file was read;
* ``secondary`` - a coding publication or policy summary was read;
* ``unverified`` - cited by others, not confirmed by us. Facts resting only on it are flagged.

>>> source("LCD-L39240").document_id
'L39240'
>>> source("ART-A58993").confidence
'primary'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esi_reference.errors import UnknownSource, _short
from esi_reference.model.dates import optional_date
from esi_reference.reference._data import read_rows

CONFIDENCE = ("primary", "secondary", "unverified")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    url: str
    document_id: str
    effective_date: dt.date | None
    date_read: dt.date
    confidence: str
    note: str


def _load() -> dict[str, Source]:
    table = {}
    for r in read_rows("sources.csv"):
        table[r["id"]] = Source(
            id=r["id"],
            title=r["title"],
            publisher=r["publisher"],
            url=r["url"],
            document_id=r["document_id"],
            effective_date=optional_date(r["effective_date"]),
            date_read=dt.date.fromisoformat(r["date_read"]),
            confidence=r["confidence"],
            note=r["note"],
        )
    return table


_SOURCES = _load()


def sources() -> tuple[Source, ...]:
    """Every source, in table order."""
    return tuple(_SOURCES.values())


def source(source_id: object) -> Source:
    """The source with this id; an unknown id raises :class:`UnknownSource`."""
    if not isinstance(source_id, str) or source_id not in _SOURCES:
        raise UnknownSource(f"unknown source id {_short(source_id)}", "source")
    return _SOURCES[source_id]


def cite(source_ids: tuple[str, ...]) -> str:
    """Short citation text: document ids for primary sources ("L39240; A58993"), source ids otherwise.

    >>> cite(("LCD-L39240", "SUM-L33906"))
    'L39240; SUM-L33906'
    """

    def one(sid: str) -> str:
        src = _SOURCES.get(sid)
        return src.document_id if src and src.confidence == "primary" and src.document_id else sid

    return "; ".join(one(s) for s in source_ids)
