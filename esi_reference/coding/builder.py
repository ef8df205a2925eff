"""The claim-line builder the coding steps share, the code tables of the procedure codes, and the results.

:class:`Builder` collects the derived lines (with the procedure each comes from), what must not be
billed and notes; :class:`Derivation` is the result of :func:`esi_reference.coding.derive_lines`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from esi_reference.model.encounter import ClaimLine, Encounter
from esi_reference.reference.policy import FACILITY_PLACES_OF_SERVICE

CPT_2017 = dt.date(2017, 1, 1)
ULTRASOUND_TF_LAST_DAY = dt.date(2020, 12, 31)

#: (region family, image guided, indwelling catheter) -> interlaminar/caudal code, 2017 onward.
INTERLAMINAR_CODES = {
    ("cervical_thoracic", False, False): "62320",
    ("cervical_thoracic", True, False): "62321",
    ("lumbar_sacral", False, False): "62322",
    ("lumbar_sacral", True, False): "62323",
    ("cervical_thoracic", False, True): "62324",
    ("cervical_thoracic", True, True): "62325",
    ("lumbar_sacral", False, True): "62326",
    ("lumbar_sacral", True, True): "62327",
}
#: Before 2017: (region family, indwelling) -> deleted code; guidance was reported separately.
INTERLAMINAR_CODES_BEFORE_2017 = {
    ("cervical_thoracic", False): "62310",
    ("lumbar_sacral", False): "62311",
    ("cervical_thoracic", True): "62318",
    ("lumbar_sacral", True): "62319",
}
#: (region family, ultrasound) -> (primary, add-on)
TRANSFORAMINAL_CODES = {
    ("cervical_thoracic", False): ("64479", "64480"),
    ("lumbar_sacral", False): ("64483", "64484"),
    ("cervical_thoracic", True): ("0228T", "0229T"),
    ("lumbar_sacral", True): ("0230T", "0231T"),
}
#: region family -> (first level, second level, third and further levels)
FACET_CODES = {"cervical_thoracic": ("64490", "64491", "64492"), "lumbar_sacral": ("64493", "64494", "64495")}
NEUROLYTIC_CODES = {"cervical_thoracic": "62281", "lumbar_sacral": "62282"}
GUIDANCE_CODES = {"fluoroscopy": "77003", "ct": "77012", "ultrasound": "76942"}
#: Anatomic site groups: a PTP edit with modifier indicator 1 between different groups takes XS - except
#: imaging guidance, which belongs to the injection it guides and is never separated with XS.
SITE_GROUPS = {
    "esi_interlaminar": "epidural",
    "esi_transforaminal": "epidural",
    "esi_transforaminal_ultrasound": "epidural",
    "neurolytic": "epidural",
    "chemotherapy": "epidural",
    "spinal_puncture": "epidural",
    "epidurography": "epidural",
    "imaging_guidance": "guidance",
    "facet": "facet",
    "facet_ultrasound": "facet",
    "si_joint": "si_joint",
}


@dataclass(frozen=True)
class NotBillable:
    """A service that was done (or might be thought billable) but must not be reported, and why."""

    code: str
    reason: str
    rule_id: str
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "reason": self.reason, "rule_id": self.rule_id, "sources": list(self.sources)}


@dataclass(frozen=True)
class Derivation:
    """Claim lines derived from the facts (before coverage modifiers), with what must not be billed."""

    lines: tuple[ClaimLine, ...]
    not_billable: tuple[NotBillable, ...] = ()
    notes: tuple[str, ...] = ()
    #: index of the procedure each line comes from (None for drugs and other services)
    origins: tuple[int | None, ...] = field(default=())


class Builder:
    def __init__(self, encounter: Encounter) -> None:
        self.enc = encounter
        self.day = encounter.date_of_service
        self.lines: list[ClaimLine] = []
        self.origins: list[int | None] = []
        self.not_billable: list[NotBillable] = []
        self.notes: list[str] = []
        self.dx = encounter.diagnoses[:4]

    def add(self, code: str, reason: str, origin: int | None, modifiers: tuple[str, ...] = (), units: int = 1) -> None:
        self.lines.append(ClaimLine(code, modifiers, units, self.dx, reason))
        self.origins.append(origin)

    def add_sided(
        self,
        code: str,
        reason: str,
        origin: int | None,
        both_sides: bool,
        modifiers: tuple[str, ...] = (),
        units: int = 1,
    ) -> None:
        """A line for a bilateral-indicator-1 code; both sides in the payer's format (payers module)."""
        if not both_sides:
            self.add(code, reason, origin, modifiers, units)
            return
        fmt = self.enc.bilateral_format
        if fmt == "rt_lt":
            for side in ("RT", "LT"):
                self.add(code, reason + f"; both sides: {side} line (payer format)", origin, (side, *modifiers), units)
        else:
            self.add(
                code,
                reason + ", both sides: modifier 50",
                origin,
                ("50", *modifiers),
                units * (2 if fmt == "units_2" else 1),
            )

    def add_imaging(self, code: str, reason: str, origin: int | None) -> None:
        """An imaging code: the professional component (26) on a physician claim in a facility setting."""
        professional_in_facility = (
            self.enc.claim_type == "professional" and self.enc.place_of_service in FACILITY_PLACES_OF_SERVICE
        )
        if professional_in_facility:
            self.add(code, reason + "; facility setting: professional component (26)", origin, ("26",))
        elif self.enc.claim_type == "facility":
            self.add(code, reason + "; facility claim: packaged (no separate payment) but reported", origin)
        else:
            self.add(code, reason, origin)

    def drop(self, code: str, reason: str, rule_id: str, sources: tuple[str, ...]) -> None:
        if not any(n.code == code and n.rule_id == rule_id for n in self.not_billable):
            self.not_billable.append(NotBillable(code, reason, rule_id, sources))


__all__ = [
    "CPT_2017",
    "FACET_CODES",
    "GUIDANCE_CODES",
    "INTERLAMINAR_CODES",
    "INTERLAMINAR_CODES_BEFORE_2017",
    "NEUROLYTIC_CODES",
    "SITE_GROUPS",
    "TRANSFORAMINAL_CODES",
    "ULTRASOUND_TF_LAST_DAY",
    "Builder",
    "Derivation",
    "NotBillable",
]
