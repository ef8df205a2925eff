"""Facility packaging status per code: the OPPS status indicator and the ASC payment indicator.

A facility claim (hospital outpatient under OPPS, POS 19/22/23; ASC, POS 24) reports every service of the
session, but Medicare pays some lines only within another line's payment: they are *packaged*. Two CMS
code lists say which:

* **OPPS status indicator** (Addendum B of each quarter's OPPS release; the letters are defined in
  Addendum D1). ``N`` = paid under OPPS, packaged into the payment of other services (no separate
  payment); ``T`` = a significant procedure, separately paid, subject to the multiple-procedure discount;
  ``S`` = a significant procedure, separately paid, not discounted; ``B`` = not recognised by OPPS on a
  hospital outpatient bill (12x/13x) - an alternative code may be available (source NORIDIAN-OPPS-SI).
* **ASC payment indicator** (Addenda AA/BB, defined in Addendum DD1). ``N1`` = packaged service or item,
  no separate payment (AAPC-ASC-PI). 42 CFR 416.164(a) (CFR-416-164) packages into the ASC procedure
  payment the drugs and biologicals, and the radiology services integral to the procedure, that OPPS does
  not pay separately - so in an ASC what OPPS packages is packaged too.

What is verified here: the *meaning* of the indicators and the ASC packaging rule (the sources above). What
is **not** verified: the indicator of each code. No Addendum B or AA/BB file was read, so every row below is
``verified=False`` - it is the status we expect from CMS's packaging policies (image guidance, contrast,
add-on codes and low-cost drugs packaged; the injection procedures separately paid), to be checked against
the addenda of the date of service, whose indicators change each year and each quarter. Add a row only
with its source; set ``verified=True`` only when the addendum itself was read (its id in ``sources``).

>>> packaging("77003").opps_status, packaging("77003").packaged, packaging("77003").verified
('N', True, False)
>>> packaging("62323").packaged
False
>>> packaging("99213") is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: OPPS status indicators used below (NORIDIAN-OPPS-SI), in our words.
OPPS_STATUS = {
    "N": "packaged under OPPS: paid within other services, no separate payment",
    "T": "significant procedure, paid separately, multiple-procedure discount applies",
    "S": "significant procedure, paid separately, no multiple-procedure discount",
    "B": "not recognised by OPPS on a hospital outpatient bill (an alternative code may exist)",
}
#: ASC payment indicators used below (AAPC-ASC-PI), in our words.
ASC_INDICATORS = {"N1": "packaged service or item, no separate ASC payment"}
#: The definitions and the ASC packaging rule (verified); never the per-code values.
DEFINITION_SOURCES = ("NORIDIAN-OPPS-SI", "CFR-416-164", "AAPC-ASC-PI")
PACKAGING_SOURCES = ("OPPS-PACKAGED-DRUGS", "DRUG-CONTRAST")


@dataclass(frozen=True)
class Packaging:
    """One code's facility payment status. ``packaged`` is None when the status is not known here."""

    code: str
    opps_status: str
    asc_indicator: str
    packaged: bool | None
    verified: bool
    sources: tuple[str, ...]
    note: str = ""

    def status(self, setting: str) -> str:
        """'N (unverified)' style label of the indicator for a facility setting ('asc' or 'hospital_outpatient')."""
        value = self.asc_indicator if setting == "asc" else self.opps_status
        if not value and setting == "asc" and self.packaged:
            value = "packaged (42 CFR 416.164)"
        return f"{value or 'not known here'}{'' if self.verified else ' (unverified)'}"


def _rows() -> dict[str, Packaging]:
    expected = "expected status from CMS packaging policy; not read from the OPPS/ASC addenda"
    table: dict[str, Packaging] = {}

    def add(
        codes: str, opps: str, asc: str, packaged: bool | None, note: str, sources: tuple[str, ...] = DEFINITION_SOURCES
    ) -> None:
        for code in codes.split():
            table[code] = Packaging(code, opps, asc, packaged, False, tuple(sources), f"{note}; {expected}")

    add("62320 62321 62322 62323 62324 62325 62326 62327", "T", "", False, "interlaminar/caudal injection")
    add("64479 64483 64490 64493", "T", "", False, "transforaminal or facet injection, first level")
    add("64480 64484 64491 64492 64494 64495", "N", "N1", True, "add-on level: packaged into the primary code")
    add(
        "77003 77012 76942", "N", "N1", True, "imaging guidance: packaged", (*DEFINITION_SOURCES, "OPPS-PACKAGED-DRUGS")
    )
    add("72275", "N", "N1", True, "epidurography: packaged")
    add("Q9965 Q9966 Q9967", "N", "N1", True, "contrast: packaged", (*DEFINITION_SOURCES, *PACKAGING_SOURCES))
    add(
        "J1010 J1020 J1030 J1040 J3301 J1100 J0702 J2001",
        "N",
        "N1",
        True,
        "drug under the OPPS per-day cost threshold, which changes each year: packaged",
        (*DEFINITION_SOURCES, "OPPS-PACKAGED-DRUGS"),
    )
    add("99151 99152 99153 99155 99156 99157", "N", "N1", True, "moderate sedation: packaged")
    add("27096", "B", "", None, "physician code: a facility reports G0260", (*DEFINITION_SOURCES, "MLN-G0260-ASC"))
    add("G0260 62270 62272 62273 62280 62281 62282", "T", "", False, "injection procedure")
    add("G0259 62284", "N", "N1", True, "injection for imaging: packaged into the imaging")
    add("78630 78650", "S", "", False, "nuclear-medicine imaging")
    add("01996", "", "", None, "physician service: not on a facility claim")
    return table


_TABLE = _rows()


def packaging(code: str) -> Packaging | None:
    """The facility packaging status of ``code``, or None when this reference has none for it."""
    return _TABLE.get(code)


def all_packaging() -> tuple[Packaging, ...]:
    return tuple(_TABLE.values())


def facility_packaging_notes(codes: Iterable[str], setting: str) -> tuple[str, ...]:
    """Notes for a facility claim with these line codes: which lines are packaged (no separate payment), and
    which codes' status is unverified or not known here.

    >>> for note in facility_packaging_notes(["64483", "77003", "J1100", "99213"], "hospital_outpatient"):
    ...     print(note)
    Packaged lines on this facility claim (reported, no separate payment): 77003 (N), J1100 (N).
    Packaging status unverified (not read from the CMS addenda): 64483, 77003, J1100.
    Packaging status not known here: 99213.
    """
    rows = {c: packaging(c) for c in dict.fromkeys(codes)}
    unknown = [c for c, r in rows.items() if r is None or (r.packaged is None and not r.opps_status)]
    known = {c: r for c, r in rows.items() if r is not None and c not in unknown}
    packaged = [f"{c} ({r.status(setting).removesuffix(' (unverified)')})" for c, r in known.items() if r.packaged]
    unverified = [c for c, r in known.items() if not r.verified]
    notes = []
    if packaged:
        notes.append(f"Packaged lines on this facility claim (reported, no separate payment): {', '.join(packaged)}.")
    if unverified:
        notes.append(f"Packaging status unverified (not read from the CMS addenda): {', '.join(unverified)}.")
    if unknown:
        notes.append(f"Packaging status not known here: {', '.join(unknown)}.")
    return tuple(notes)


__all__ = [
    "ASC_INDICATORS",
    "DEFINITION_SOURCES",
    "OPPS_STATUS",
    "Packaging",
    "all_packaging",
    "facility_packaging_notes",
    "packaging",
]
