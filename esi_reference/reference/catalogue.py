"""The code catalogue: ESI codes, their add-ons, the codes they are confused with, and drug codes.

Each :class:`Code` row comes from ``data/codes.csv`` and cites source ids from the sources table.
Summaries are our own plain-language text: CPT descriptors are AMA-copyrighted and are not shipped.
Values the team could not confirm in a primary source are listed in ``Code.unverified`` and shown
as such wherever they appear.

Look-ups take a code string; a code inside a listed range resolves to the range row:

>>> c = lookup("62321")
>>> c.region_family, c.approach, c.imaging, c.bilateral_indicator
('cervical_thoracic', 'interlaminar_caudal', 'fluoro_ct', '9')
>>> lookup("64480").primary_codes
('64479',)
>>> lookup("62310").deleted_on
datetime.date(2017, 1, 1)
>>> lookup("96413").code
'96401-96549'
>>> lookup("6232")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
esi_reference.errors.UnknownCode: unknown code '6232'; did you mean 62320, 62321, 62322, ..., 62327?
>>> [c.code for c in codes(family="esi_transforaminal")]
['64479', '64480', '64483', '64484']
>>> [c.code for c in codes(family="esi_transforaminal_ultrasound", as_of="2021-01-01")]
[]
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from esi_reference.errors import InvalidField, UnknownCode
from esi_reference.model.dates import describe_window, in_window, optional_date, parse_date, service_date
from esi_reference.reference._data import read_rows, split_ids

CODE_PATTERN = re.compile(r"^(\d{5}|\d{4}[TF]|[A-Z]\d{4})$")
RANGE_PATTERN = re.compile(r"^(\d{5}|\d{4}[TF]|[A-Z]\d{4})-(\d{5}|\d{4}[TF]|[A-Z]\d{4})$")

REGION_LABELS = {"cervical_thoracic": "cervical/thoracic", "lumbar_sacral": "lumbar/sacral", "": "not region-specific"}
APPROACH_LABELS = {
    "interlaminar_caudal": "interlaminar or caudal",
    "transforaminal": "transforaminal",
    "facet": "facet joint",
    "si_joint": "sacroiliac joint",
    "subarachnoid": "subarachnoid",
    "epidural": "epidural",
    "n/a": "not applicable",
}
IMAGING_LABELS = {
    "none": "no imaging guidance (use the guided code when fluoroscopy or CT is used)",
    "fluoro_ct": "fluoroscopy or CT guidance included",
    "ultrasound": "ultrasound guidance included",
    "guidance": "this code is the imaging guidance itself",
    "n/a": "not applicable",
}
CATHETER_LABELS = {
    "single": "single injection or bolus (a catheter removed the same day counts as single)",
    "indwelling": "indwelling catheter for continuous infusion or intermittent boluses",
    "n/a": "not applicable",
}
UNIT_LABELS = {
    "session": "one unit per session (not per level, not per side)",
    "level": "one unit per spinal level; both sides of one level = modifier 50, 1 unit",
    "additional_level": "one unit per additional spinal level (never for the other side)",
    "joint_level": "per facet joint level",
    "drug_unit": "units = dose given / unit size (rounded up)",
    "first_15_minutes": "one unit for the first 15 minutes of intraservice time (reported from 10 minutes)",
    "additional_15_minutes": "one unit per additional 15 minutes of intraservice time (reported from 8 minutes)",
    "visit": "one per visit",
    "day": "one unit per day",
    "see code": "depends on the code",
}
BILATERAL_LABELS = {
    "0": "0: modifier 50 not allowed",
    "1": "1: modifier 50 allowed (one line, one unit, 150% payment)",
    "9": "9: bilateral concept does not apply - never bill 50, RT/LT",
    "": "not in the CMS RVU rows this reference ships",
}
MAI_LABELS = {
    "1": "1: line edit",
    "2": "2: date of service, policy (absolute)",
    "3": "3: date of service, clinical (appealable)",
}
FAMILY_LABELS = {
    "esi_interlaminar": "ESI, interlaminar/caudal",
    "esi_transforaminal": "ESI, transforaminal",
    "esi_transforaminal_ultrasound": "ESI, transforaminal with ultrasound (deleted)",
    "epidurography": "epidurography (deleted)",
    "imaging_guidance": "imaging guidance",
    "facet": "facet joint (not ESI)",
    "facet_ultrasound": "facet joint, ultrasound (not ESI)",
    "si_joint": "sacroiliac joint (not ESI)",
    "neurolytic": "neurolytic (not ESI)",
    "chemotherapy": "chemotherapy (not ESI)",
    "sedation": "moderate sedation",
    "em": "evaluation and management",
    "spinal_puncture": "spinal puncture and related (not ESI)",
    "other_injection": "other injections (not ESI)",
    "drug": "drug",
    "contrast": "contrast",
    "nuclear_medicine": "nuclear medicine imaging (not ESI)",
    "catheter_management": "daily catheter management (not ESI)",
}


@dataclass(frozen=True)
class Code:
    """One catalogue row. Codes are always strings; list fields are tuples of strings."""

    code: str
    kind: str
    family: str
    region_family: str
    approach: str
    imaging: str
    catheter: str
    unit_basis: str
    unit_amount: str
    unit_measure: str
    primary_codes: tuple[str, ...]
    bilateral_indicator: str
    global_days: str
    mue: int | None
    mue_mai: str
    mue_vintage: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    replaced_by: tuple[str, ...]
    summary: str
    use_instead: str
    confusions: tuple[str, ...]
    related: tuple[str, ...]
    sources: tuple[str, ...]
    unverified: tuple[str, ...] = field(default=())

    @property
    def is_esi(self) -> bool:
        return self.family.startswith("esi_")

    @property
    def is_addon(self) -> bool:
        return self.kind == "add-on"

    @property
    def is_range(self) -> bool:
        return self.kind == "range"

    @property
    def deleted_on(self) -> dt.date | None:
        """First date of service on which the code is no longer valid."""
        return self.valid_to + dt.timedelta(days=1) if self.valid_to else None

    def valid_on(self, day: object) -> bool:
        """True when the code may be billed for this date of service."""
        return in_window(day if type(day) is dt.date else parse_date(day, "as_of"), self.valid_from, self.valid_to)

    @property
    def validity(self) -> str:
        text = describe_window(self.valid_from, self.valid_to)
        if self.deleted_on:
            text += f" (deleted {self.deleted_on.isoformat()})"
        return text

    @property
    def status(self) -> str:
        """'deleted' for a code with an end date, else its kind."""
        return "deleted" if self.valid_to else self.kind

    @property
    def per_session_only(self) -> bool:
        return self.unit_basis == "session"

    def covers(self, code: str) -> bool:
        """True when ``code`` is this row's code or falls inside this range row."""
        if not self.is_range:
            return code == self.code
        low, high = self.code.split("-")
        return len(code) == len(low) and code[-1].isdigit() == low[-1].isdigit() and low <= code <= high

    def as_dict(self) -> dict[str, object]:
        """Plain dict with JSON-friendly values (dates as ISO strings, tuples as lists)."""
        out: dict[str, object] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        out["status"] = self.status
        out["deleted_on"] = self.deleted_on.isoformat() if self.deleted_on else None
        return out


def _row_to_code(r: dict[str, str]) -> Code:
    return Code(
        code=r["code"],
        kind=r["kind"],
        family=r["family"],
        region_family=r["region_family"],
        approach=r["approach"],
        imaging=r["imaging"],
        catheter=r["catheter"],
        unit_basis=r["unit_basis"],
        unit_amount=r["unit_amount"],
        unit_measure=r["unit_measure"],
        primary_codes=split_ids(r["primary_codes"]),
        bilateral_indicator=r["bilateral_indicator"],
        global_days=r["global_days"],
        mue=int(r["mue"]) if r["mue"] else None,
        mue_mai=r["mue_mai"],
        mue_vintage=r["mue_vintage"],
        valid_from=optional_date(r["valid_from"]),
        valid_to=optional_date(r["valid_to"]),
        replaced_by=split_ids(r["replaced_by"]),
        summary=r["summary"],
        use_instead=r["use_instead"],
        confusions=tuple(c.strip() for c in r["confusions"].split(";") if c.strip()),
        related=split_ids(r["related"]),
        sources=split_ids(r["sources"]),
        unverified=split_ids(r["unverified"]),
    )


_CODES: dict[str, Code] = {r["code"]: _row_to_code(r) for r in read_rows("codes.csv")}
_RANGES = tuple(c for c in _CODES.values() if c.is_range)


def normalize_code(code: object, field: str = "code") -> str:
    """Upper-cased, stripped code string; a non-string or malformed code raises InvalidField."""
    if not isinstance(code, str):
        raise InvalidField(field, 'a code string such as "62321"', code)
    text = code.strip().upper()
    if len(text) > 11 or not (CODE_PATTERN.match(text) or RANGE_PATTERN.match(text)):
        if text and len(text) <= 11 and text.isalnum():
            raise UnknownCode(code, _close_codes(text), field)
        raise InvalidField(field, 'a CPT/HCPCS code such as "62321", "0228T" or "J1010"', code)
    return text


def _close_codes(text: str) -> tuple[str, ...]:
    starts = tuple(c for c in _CODES if c.startswith(text) and not _CODES[c].is_range)
    if starts:
        return starts[:10]
    return tuple(difflib.get_close_matches(text, [c for c in _CODES if not _CODES[c].is_range], n=5, cutoff=0.6))


def lookup(code: object) -> Code:
    """The catalogue row for ``code`` (or the range row containing it).

    Raises :class:`UnknownCode` (with close codes as suggestions) or :class:`InvalidField`.
    """
    if isinstance(code, str) and code in _CODES:  # fast path for already-normal codes
        return _CODES[code]
    text = normalize_code(code)
    if text in _CODES:
        return _CODES[text]
    for row in _RANGES:
        if row.covers(text):
            return row
    raise UnknownCode(text, _close_codes(text))


def is_known(code: object) -> bool:
    """True when ``code`` is in the catalogue; never raises."""
    try:
        lookup(code)
    except (InvalidField, UnknownCode):
        return False
    return True


def families() -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.family for c in _CODES.values()))


def codes(
    family: object = None, as_of: object = None, kind: object = None, region_family: object = None
) -> tuple[Code, ...]:
    """Catalogue rows, filtered.

    ``family`` is a family id or a prefix of one ("esi" = every ESI family); ``as_of`` keeps codes valid on
    that date of service; ``kind`` is primary, add-on, drug, range or deleted; ``region_family`` is
    cervical_thoracic or lumbar_sacral.
    """
    rows = list(_CODES.values())
    if family is not None:
        if not isinstance(family, str) or not any(f.startswith(family) for f in families()) or not family:
            raise InvalidField("family", "one of " + ", ".join(families()) + " (or a prefix such as 'esi')", family)
        rows = [c for c in rows if c.family == family or (c.family.startswith(family) and family not in families())]
    if kind is not None:
        kinds = ("primary", "add-on", "drug", "range", "deleted")
        if kind not in kinds:
            raise InvalidField("kind", "one of " + ", ".join(kinds), kind)
        rows = [c for c in rows if (c.status == "deleted" if kind == "deleted" else c.kind == kind)]
    if region_family is not None:
        if region_family not in ("cervical_thoracic", "lumbar_sacral"):
            raise InvalidField("region_family", "cervical_thoracic or lumbar_sacral", region_family)
        rows = [c for c in rows if c.region_family == region_family]
    if as_of is not None:
        day = service_date(as_of, "as_of")
        rows = [c for c in rows if in_window(day, c.valid_from, c.valid_to)]
    return tuple(rows)


def search(text: object, limit: int = 25) -> tuple[Code, ...]:
    """Rows whose code, summary, guidance or labels contain every word of ``text`` (case-insensitive).

    >>> [c.code for c in search("T12-L1")][:2]
    ['64479', '64493']
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidField("text", "a non-empty search text", text)
    if len(text) > 200:
        raise InvalidField("text", "a search text of at most 200 characters", text)
    words = text.lower().split()
    scored = []
    for c in _CODES.values():
        hay = " ".join(
            [
                c.code,
                c.summary,
                c.use_instead,
                " ".join(c.confusions),
                FAMILY_LABELS.get(c.family, c.family),
                REGION_LABELS.get(c.region_family, ""),
                APPROACH_LABELS.get(c.approach, ""),
            ]
        ).lower()
        if all(w in hay for w in words):
            score = (0 if c.code.lower().startswith(words[0]) else 1, 0 if words[0] in c.summary.lower() else 1)
            scored.append((score, c.code, c))
    return tuple(c for _, _, c in sorted(scored, key=lambda t: (t[0], t[1])))[:limit]


def all_codes() -> tuple[Code, ...]:
    return tuple(_CODES.values())
