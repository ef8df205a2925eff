"""Date parsing and the date windows that rules and codes carry.

>>> parse_date("2024-04-01")
datetime.date(2024, 4, 1)
>>> in_window(parse_date("2020-12-31"), None, parse_date("2020-12-31"))
True
>>> months_before(parse_date("2024-02-29"), 12)
datetime.date(2023, 2, 28)
>>> service_date("0001-01-01", "as_of")
Traceback (most recent call last):
...
esi_reference.errors.InvalidField: as_of: expected a date between 1990-01-01 and 2100-12-31, got '0001-01-01'
"""

from __future__ import annotations

import datetime as dt

from esi_reference.errors import InvalidField

Date = dt.date
#: The dates of service the package accepts (an encounter's ``date_of_service``, ``--as-of``): one range.
EARLIEST_SERVICE_DATE = dt.date(1990, 1, 1)
LATEST_SERVICE_DATE = dt.date(2100, 12, 31)
SERVICE_DATE_RANGE = f"a date between {EARLIEST_SERVICE_DATE.isoformat()} and {LATEST_SERVICE_DATE.isoformat()}"


def parse_date(value: object, field: str = "date") -> dt.date:
    """A ``date`` from a ``date`` or an ISO ``YYYY-MM-DD`` string; anything else raises InvalidField."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidField(field, "a date as YYYY-MM-DD", value)


def service_date(value: object, field: str = "date_of_service") -> dt.date:
    """:func:`parse_date`, then the range of dates of service (:data:`SERVICE_DATE_RANGE`)."""
    day = parse_date(value, field)
    if not EARLIEST_SERVICE_DATE <= day <= LATEST_SERVICE_DATE:
        raise InvalidField(field, SERVICE_DATE_RANGE, value)
    return day


def optional_date(value: str) -> dt.date | None:
    """Data-file helper: '' -> None, else an ISO date."""
    return dt.date.fromisoformat(value) if value else None


def in_window(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    """True when ``start <= day <= end`` (both bounds inclusive; None = open)."""
    return (start is None or day >= start) and (end is None or day <= end)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same calendar day ``months`` earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(d, day.day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def describe_window(start: dt.date | None, end: dt.date | None) -> str:
    """Human text for a validity window."""
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    if end:
        return f"until {end.isoformat()}"
    return "always"
