"""Typed errors for everything a user can get wrong.

Every error raised for bad input derives from :class:`EsiError` (itself a ``ValueError``), carries
the offending ``field`` (a dotted path such as ``procedures[0].levels[1]`` or a CSV row number) and
says what was expected. Surfaces (CLI, widgets, audit) catch ``EsiError`` and print its message:
a user mistake never ends in a traceback.

>>> try:
...     raise InvalidField("date_of_service", "a date as YYYY-MM-DD", "31/02/2024")
... except EsiError as e:
...     print(e)
date_of_service: expected a date as YYYY-MM-DD, got '31/02/2024'
"""

from __future__ import annotations


class EsiError(ValueError):
    """Base class of every input error of esi_reference."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class UnknownCode(EsiError):
    """A code that is not in the catalogue; ``suggestions`` lists close codes."""

    def __init__(self, code: object, suggestions: tuple[str, ...] = (), field: str = "code") -> None:
        shown = _short(code)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown code {shown}{hint}", field)
        self.code = code
        self.suggestions = suggestions


class InvalidField(EsiError):
    """A field whose value has the wrong type, format or range."""

    def __init__(self, field: str, expected: str, got: object = ...) -> None:
        got_text = "" if got is ... else f", got {_short(got)}"
        super().__init__(f"{field}: expected {expected}{got_text}", field)
        self.expected = expected


class InvalidEncounter(EsiError):
    """An encounter with one or more bad fields; ``errors`` holds each :class:`InvalidField` (the first
    :data:`MAX_LISTED` when ``errors`` is a :class:`Problems` list that counted more: ``more`` of them)."""

    def __init__(self, errors: list[InvalidField]) -> None:
        more = getattr(errors, "more", 0) + max(0, len(errors) - MAX_LISTED)
        lines = "; ".join(str(e) for e in errors[:MAX_LISTED]) + (f"; ... and {more:,} more" if more else "")
        super().__init__(f"invalid encounter: {lines}", errors[0].field if errors else "")
        self.errors = tuple(errors)
        self.more = more


#: At most this many problems are listed in one message; the rest are counted ("... and N more").
MAX_LISTED = 20


class Problems(list):
    """A list of problems that keeps the first :data:`MAX_LISTED` and only counts the others (``more``), so
    that a file with a million bad fields costs no more memory than one with twenty."""

    def __init__(self) -> None:
        super().__init__()
        self.more = 0

    def append(self, item: object) -> None:
        if len(self) < MAX_LISTED:
            super().append(item)
        else:
            self.more += 1


class UnknownSource(EsiError):
    """A source id that is not in the sources table."""


def _short(value: object, limit: int = 60) -> str:
    if isinstance(value, str) and len(value) > limit:
        value = value[:limit]  # repr of a huge text would copy all of it
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an integer over 4,300 digits, a structure nested too deeply
        return f"a value too large to show ({type(value).__name__})"
    return text if len(text) <= limit else text[: limit - 3] + "..."
