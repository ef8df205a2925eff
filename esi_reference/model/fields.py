"""The field vocabulary: how every value a user writes is read, in one place.

The encounter parser (:func:`esi_reference.model.encounter.parse_encounter`), its published JSON Schema
(:func:`esi_reference.model.encounter.encounter_schema`), the claims-file reader (:mod:`esi_reference.audit.format`)
and the gradebook reader all read codes, diagnoses, modifiers, places of service, dates, units and doses
through these functions, so they accept and refuse the same values. Each reader raises
:class:`~esi_reference.errors.InvalidField` naming the field path and what was expected; each ``*_SCHEMA``
is the JSON Schema fragment that accepts exactly the JSON values its reader accepts.

>>> diagnosis("m5450"), diagnosis(" M54.16 "), diagnosis("U07.1")
('M54.50', 'M54.16', 'U07.1')
>>> modifiers("rt, 59"), modifiers(["50"]), place_of_service(11), place_of_service("07")
(('RT', '59'), ('50',), '11', '07')
>>> date("2025-02-30", "date_of_service")
Traceback (most recent call last):
...
esi_reference.errors.InvalidField: date_of_service: expected a date as YYYY-MM-DD, got '2025-02-30'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from esi_reference.errors import InvalidField, UnknownCode
from esi_reference.model.dates import EARLIEST_SERVICE_DATE, LATEST_SERVICE_DATE, parse_date
from esi_reference.reference import catalogue
from esi_reference.reference.policy import is_level

#: ICD-10-CM: a letter, a digit, a digit or letter, then up to four more after an optional dot. Claims files
#: usually omit the dot (``M5450``); the value read always carries it (``M54.50``), so categories match.
ICD10_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
MODIFIER_PATTERN = re.compile(r"^[0-9A-Z]{2}$")
#: Modifiers written as text: separated by spaces, commas, semicolons or hyphens (``64483-50``).
MODIFIER_SEPARATORS = re.compile(r"[\s,;-]+")
#: Diagnoses written as text (a claims-file cell): separated by spaces, commas or semicolons.
DIAGNOSIS_SEPARATORS = re.compile(r"[\s,;]+")
MAX_MODIFIERS = 4
MAX_DIAGNOSES_PER_LINE = 12
POS_PATTERN = re.compile(r"^[0-9]{2}$")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_MIN, DATE_MAX = EARLIEST_SERVICE_DATE, LATEST_SERVICE_DATE  # one range for every date field and --as-of
MAX_UNITS = 9999
MAX_DOSE = 10000.0

CODE_EXPECTED = 'a CPT/HCPCS code such as "62321", "0228T" or "J1010"'
DIAGNOSIS_EXPECTED = "an ICD-10-CM code such as M54.16 (the dot may be left out)"
MODIFIER_EXPECTED = "a two-character modifier such as 50, RT, XS, KX"
POS_EXPECTED = "a 2-digit place-of-service code"
DATE_EXPECTED = "a date as YYYY-MM-DD"
DATE_RANGE_EXPECTED = f"a date between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}"
DOSE_EXPECTED = f"a positive number up to {MAX_DOSE:g} (the amount given)"


_ASCII_WS = " \t\n\r\v\f"


def _strip(value: object) -> str | None:
    """Text without surrounding ASCII whitespace (what the schema patterns allow), or None for a non-string."""
    return value.strip(_ASCII_WS) if isinstance(value, str) else None


def units_expected(high: int = MAX_UNITS) -> str:
    return f"a whole number from 1 to {high}"


def code(value: object, path: str = "code") -> str:
    """A code of the catalogue (upper-cased, stripped); a code range is not a code."""
    try:
        text = catalogue.normalize_code(_strip(value) if isinstance(value, str) else value, path)
        row = catalogue.lookup(text)
    except UnknownCode as exc:
        close = f" (close: {', '.join(exc.suggestions)})" if exc.suggestions else ""
        raise InvalidField(path, f"a code in the catalogue{close}", value) from None
    if row.is_range and "-" in text:
        raise InvalidField(path, "a single code, not a code range", value)
    return text


def diagnosis(value: object, path: str = "diagnosis") -> str:
    """An ICD-10-CM code, upper-cased, with its dot after the category (``M5450`` -> ``M54.50``)."""
    text = _strip(value)
    text = text.upper() if text is not None else None
    if text is None or not ICD10_PATTERN.fullmatch(text):
        raise InvalidField(path, DIAGNOSIS_EXPECTED, value)
    return text if "." in text or len(text) == 3 else f"{text[:3]}.{text[3:]}"


def diagnoses_text(value: str, path: str = "diagnosis_codes") -> tuple[str, ...]:
    """Diagnoses written in one text cell."""
    parts = [p for p in DIAGNOSIS_SEPARATORS.split(value.strip()) if p]
    if len(parts) > MAX_DIAGNOSES_PER_LINE:
        raise InvalidField(path, f"at most {MAX_DIAGNOSES_PER_LINE} diagnoses", f"{len(parts)} diagnoses")
    return tuple(diagnosis(p, path) for p in parts)


def modifiers(value: object, path: str = "modifiers") -> tuple[str, ...]:
    """Up to four two-character modifiers, as a list or as text; upper-cased."""
    if value is None:
        return ()
    items = [m for m in MODIFIER_SEPARATORS.split(value) if m] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or len(items) > MAX_MODIFIERS:
        raise InvalidField(path, f"a list of at most {MAX_MODIFIERS} two-character modifiers", value)
    out = []
    for i, m in enumerate(items):
        text = _strip(m)
        text = text.upper() if text is not None else None
        if text is None or not MODIFIER_PATTERN.fullmatch(text):
            raise InvalidField(f"{path}[{i}]" if not isinstance(value, str) else path, MODIFIER_EXPECTED, m)
        out.append(text)
    return tuple(out)


def level(value: object, path: str = "level") -> str:
    """A spinal interspace written exactly, top segment first: ``C6-C7``, ``T12-L1``, ``L5-S1`` (upper case,
    no padding, so that "each level once" means the same to the parser and to the schema's uniqueItems)."""
    if not isinstance(value, str) or not is_level(value):
        raise InvalidField(path, "an interspace such as C6-C7, T12-L1 or L5-S1", value)
    return value


def whole_number(value: object) -> int | None:
    """``value`` as an int when it is a JSON whole number (``2`` or ``2.0``; not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def place_of_service(value: object, path: str = "place_of_service") -> str:
    """A CMS place-of-service code: two digits (a whole number is zero-padded: 11, 7 -> '07')."""
    whole = whole_number(value)
    if whole is not None and 0 <= whole <= 99:
        return f"{whole:02d}"
    text = _strip(value)
    if text is None or not POS_PATTERN.fullmatch(text):
        raise InvalidField(path, POS_EXPECTED, value)
    return text


def date(value: object, path: str = "date") -> dt.date:
    """A date written exactly as YYYY-MM-DD, between :data:`DATE_MIN` and :data:`DATE_MAX`."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise InvalidField(path, DATE_EXPECTED, value)
    day = parse_date(value, path)
    if not DATE_MIN <= day <= DATE_MAX:
        raise InvalidField(path, DATE_RANGE_EXPECTED, value)
    return day


def units(value: object, path: str = "units", high: int = MAX_UNITS, text: bool = False) -> int:
    """A whole number of units from 1 to ``high`` (``text=True``: written as digits, as in a CSV cell)."""
    number = value
    digits = _strip(value) if text else None
    if digits and digits.isascii() and digits.isdigit() and len(digits) <= 9:
        number = int(digits)
    whole = whole_number(number)
    if whole is None or not 1 <= whole <= high:
        raise InvalidField(path, units_expected(high), value)
    return whole


def dose(value: object, path: str = "dose", text: bool = False) -> float:
    """A positive amount up to :data:`MAX_DOSE` (``text=True``: written as a number in a CSV cell)."""
    return amount(value, path, text, expected=DOSE_EXPECTED)


def amount(value: object, path: str = "amount", text: bool = False, zero: bool = False, expected: str = "") -> float:
    """An amount of drug up to :data:`MAX_DOSE`, above 0 (``zero=True``: 0 allowed, as for an amount
    discarded); ``text=True``: written as a number in a CSV cell."""
    expected = expected or f"a number {'from 0' if zero else 'above 0'} up to {MAX_DOSE:g}"
    number: object = value
    if text and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise InvalidField(path, expected, value) from None
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        raise InvalidField(path, expected, value)
    if not (number >= 0 if zero else number > 0) or number > MAX_DOSE:
        raise InvalidField(path, expected, value)
    return float(number)


NDC_QUANTITY_EXPECTED = "a positive number with at most 3 decimals (the NDC units given)"


def ndc_quantity(value: object, path: str = "ndc_quantity", text: bool = False) -> float:
    """The quantity of an NDC: above 0, at most 99999, at most 3 decimals (``text=True``: as in a CSV cell)."""
    number: object = value
    if text and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise InvalidField(path, NDC_QUANTITY_EXPECTED, value) from None
    if (
        isinstance(number, bool)
        or not isinstance(number, int | float)
        or not math.isfinite(number)
        or not 0 < number <= 99999
        or round(number, 3) != number
    ):
        raise InvalidField(path, NDC_QUANTITY_EXPECTED, value)
    return float(number)


# ---------------------------------------------------------------------------------------------------------
# JSON Schema fragments (draft 2020-12) accepting what the readers above accept.

_WS = r"[\t\n\v\f\r ]*"  # what str.strip() removes among the characters JSON documents use


def _accepted_codes() -> list[str]:
    """Every code :func:`code` accepts: the catalogue's codes and the members of its code ranges."""
    out = {c.code for c in catalogue.codes() if not c.is_range}
    for row in catalogue.codes():
        if row.is_range:
            low, high = row.code.split("-")
            out.update(f"{n:05d}" for n in range(int(low), int(high) + 1) if row.covers(f"{n:05d}"))
    return sorted(out)


def _any_case(text: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in text)


CODE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": f"^{_WS}(" + "|".join(_any_case(c) for c in _accepted_codes()) + f"){_WS}$",
    "description": "CPT/HCPCS code in the catalogue (any case)",
}
DIAGNOSIS_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": f"^{_WS}[A-Za-z][0-9][0-9A-Za-z](\\.?[0-9A-Za-z]{{1,4}})?{_WS}$",
    "description": "ICD-10-CM code (the dot may be left out; any case)",
}
_MOD = "[0-9A-Za-z]{2}"
MODIFIERS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "array", "maxItems": MAX_MODIFIERS, "items": {"type": "string", "pattern": f"^{_WS}{_MOD}{_WS}$"}},
        {
            "type": "string",
            "pattern": f"^[\\s,;-]*({_MOD}([\\s,;-]+{_MOD}){{0,{MAX_MODIFIERS - 1}}})?[\\s,;-]*$",
        },
        {"type": "null"},
    ],
    "description": "modifiers: a list, or text separated by spaces, commas, semicolons or hyphens",
}
POS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": f"^{_WS}[0-9]{{2}}{_WS}$"},
        {"type": "integer", "minimum": 0, "maximum": 99},
    ],
    "description": "CMS place-of-service code (two digits; a whole number is zero-padded)",
}
DATE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "date",
    "pattern": "^(199[0-9]|20[0-9][0-9]|2100)-[0-9]{2}-[0-9]{2}$",
    "description": DATE_RANGE_EXPECTED,
}
_SEGMENTS = [f"C{i}" for i in range(1, 8)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]
_SEGMENTS += [f"S{i}" for i in range(1, 6)] + ["CO", "CO1"]
LEVELS = tuple(f"{a}-{b}" for a in _SEGMENTS for b in _SEGMENTS if is_level(f"{a}-{b}"))
LEVEL_SCHEMA: dict[str, Any] = {
    "type": "string",
    "enum": list(LEVELS),
    "description": "interspace, top segment first: C6-C7, T12-L1, L5-S1",
}
DOSE_SCHEMA: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DOSE}


def units_schema(high: int = MAX_UNITS) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": high}
