"""Payer profiles: what payers vary around the same CPT codes, as data (``data/payers.csv``).

An encounter's ``payer`` names a profile. Shipped profiles: ``medicare`` (the contractor's ESI LCD,
picked by the encounter's ``contractor``), ``cpt`` (CPT conventions alone, no payer policy),
``commercial`` and variants, and ``other`` (the legacy value: CMS edits without the LCD). Columns:

``id``, ``label``
    the name encounters use, and a readable label.
``kind``
    ``medicare``, ``commercial`` or ``neutral`` (information only).
``lcd_limits``
    ``yes``: the Medicare ESI LCD coverage rules apply (the ``lcd`` rule family).
``bilateral``
    how both sides of a bilateral-indicator-1 code are reported on professional and hospital claims:
    ``modifier_50`` (one line, 50, one unit), ``rt_lt`` (two lines, RT and LT, one unit each) or
    ``units_2`` (one line, 50, two units). ``bilateral_asc``: the same for an ASC facility claim.
``max_sessions_12_months``
    a frequency limit of the payer's own medical policy (sessions per region family in a rolling 12
    months; empty = none). The Medicare limit comes from the LCD rules instead.
``liability_modifiers``
    ``yes``: expected denials are declared with GA (ABN on file) or GZ.
``kx_diagnostic_block``
    ``yes``: a diagnostic selective nerve root block carries KX.
``mue_edits``
    ``yes``: the CMS medically-unlikely-edit table applies (the ``mue`` rule family). A payer that wants
    RT and LT lines, or 50 with two units, does not count units the CMS way, so its profile says ``no``.
``notes``, ``sources``
    what the profile stands for, and source ids from the sources table.

A payer of your own: copy ``data/payer-template.csv``, fill one row per plan, and call
:func:`load_profiles` with its path before parsing encounters (``payer: "<your id>"``).

>>> profile("medicare").lcd_limits, profile("commercial").lcd_limits
(True, False)
>>> profile("commercial-rt-lt").bilateral_for("professional", "11")
'rt_lt'
>>> profile("medicare").bilateral_for("facility", "24")
'rt_lt'
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from esi_reference.errors import InvalidField
from esi_reference.reference._data import read_rows, split_ids

BILATERAL_FORMATS = {
    "modifier_50": "one line with modifier 50 and one unit",
    "rt_lt": "two lines, RT and LT, one unit each",
    "units_2": "one line with modifier 50 and two units",
}
KINDS = ("medicare", "commercial", "neutral")
COLUMNS = (
    "id",
    "label",
    "kind",
    "lcd_limits",
    "bilateral",
    "bilateral_asc",
    "max_sessions_12_months",
    "liability_modifiers",
    "kx_diagnostic_block",
    "mue_edits",
    "notes",
    "sources",
)
ASC_PLACE_OF_SERVICE = "24"


@dataclass(frozen=True)
class PayerProfile:
    id: str
    label: str
    kind: str
    lcd_limits: bool
    bilateral: str
    bilateral_asc: str
    max_sessions_12_months: int | None
    liability_modifiers: bool
    kx_diagnostic_block: bool
    mue_edits: bool = True
    notes: str = ""
    sources: tuple[str, ...] = ()

    def bilateral_for(self, claim_type: str, place_of_service: str) -> str:
        """The bilateral format for a claim of this type in this place of service."""
        if claim_type == "facility" and place_of_service == ASC_PLACE_OF_SERVICE:
            return self.bilateral_asc
        return self.bilateral


def _flag(row: dict[str, str], key: str, where: str) -> bool:
    value = row.get(key, "").strip().lower()
    if value not in ("yes", "no"):
        raise InvalidField(f"{where}.{key}", "yes or no", row.get(key))
    return value == "yes"


def _profile(row: dict[str, str], where: str) -> PayerProfile:
    if not row.get("id", "").strip():
        raise InvalidField(f"{where}.id", "a profile name", row.get("id"))
    for key in ("bilateral", "bilateral_asc"):
        if row.get(key) not in BILATERAL_FORMATS:
            raise InvalidField(f"{where}.{key}", "one of " + ", ".join(BILATERAL_FORMATS), row.get(key))
    if row.get("kind") not in KINDS:
        raise InvalidField(f"{where}.kind", "one of " + ", ".join(KINDS), row.get("kind"))
    limit = (row.get("max_sessions_12_months") or "").strip()
    if limit and not (limit.isdigit() and 1 <= int(limit) <= 52):
        raise InvalidField(f"{where}.max_sessions_12_months", "empty or a whole number from 1 to 52", limit)
    return PayerProfile(
        id=row["id"].strip(),
        label=row.get("label", "").strip(),
        kind=row["kind"],
        lcd_limits=_flag(row, "lcd_limits", where),
        bilateral=row["bilateral"],
        bilateral_asc=row["bilateral_asc"],
        max_sessions_12_months=int(limit) if limit else None,
        liability_modifiers=_flag(row, "liability_modifiers", where),
        kx_diagnostic_block=_flag(row, "kx_diagnostic_block", where),
        mue_edits=_flag(row, "mue_edits", where),
        notes=row.get("notes", "").strip(),
        sources=split_ids(row.get("sources", "")),
    )


_PROFILES: dict[str, PayerProfile] = {
    p.id: p for n, row in enumerate(read_rows("payers.csv"), 2) if (p := _profile(row, f"payers.csv row {n}"))
}


def profiles() -> tuple[PayerProfile, ...]:
    """Every known profile (shipped and loaded)."""
    return tuple(_PROFILES.values())


def profile(name: object) -> PayerProfile:
    """The profile called ``name`` (an encounter's ``payer``)."""
    if not isinstance(name, str) or name not in _PROFILES:
        raise InvalidField("payer", "one of " + ", ".join(_PROFILES), name)
    return _PROFILES[name]


def load_profiles(path: str | Path) -> tuple[PayerProfile, ...]:
    """Add the profiles of a CSV file in the ``payer-template.csv`` layout; returns them.

    A row with a shipped id replaces that profile. Bad rows raise InvalidField naming file, row and column.
    """
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    loaded = tuple(
        _profile({k.strip(): (v or "").strip() for k, v in row.items() if k}, f"{path.name} row {n}")
        for n, row in enumerate(rows, 2)
    )
    _PROFILES.update((p.id, p) for p in loaded)
    return loaded
