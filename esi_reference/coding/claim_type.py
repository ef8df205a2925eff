"""Claim type and neuraxial uses: which lines a facility claim (HOPD, ASC) and a physician claim carry."""

from __future__ import annotations

from esi_reference.cmsdata.tables import HOSPITAL, Tables, setting_for
from esi_reference.coding.builder import Builder
from esi_reference.reference import ncci
from esi_reference.reference.packaging import facility_packaging_notes

# ---------------------------------------------------------------------------------------------------------
# Claim type and neuraxial uses (issue 12). A facility claim (HOPD, ASC) reports the same session from the
# facility's side: SI joint G0260 instead of 27096 (27096 is not recognised under OPPS/ASC; G0260 is not
# payable under the physician fee schedule), imaging without 26 (packaged, reported), drugs on the facility
# claim; daily catheter management (01996) is a physician service. A physician claim in a facility place
# of service reports imaging with 26 (the professional component) and no drug.

#: Codes that only a physician (professional) claim carries.
PROFESSIONAL_ONLY_CODES = frozenset({"01996"})
#: Facility claim: physician code -> the facility code that replaces it, and back.
FACILITY_CODES = {"27096": "G0260"}
PROFESSIONAL_CODES = {v: k for k, v in FACILITY_CODES.items()}
CLAIM_TYPE_SOURCES = ("MLN-G0260-ASC", "SUM-A59244", "AAPC-SI-ARTHRO")
#: Said on a hospital outpatient facility claim when no outpatient hospital table is installed.
FACILITY_NCCI_NOTE = (
    "Facility claim: the NCCI pair checks here use the practitioner (physician) PTP edits and no MUE is "
    "checked - CMS publishes separate outpatient hospital PTP edits (ccioph files) and Outpatient Hospital "
    "Services MUEs, and none is installed for this date: install them with esi-ref data import to check the "
    "hospital's claim against them."
)
#: Said on an ASC's facility claim.
ASC_NCCI_NOTE = (
    "ASC facility claim: the NCCI pair checks use the practitioner PTP edits and no MUE is checked - which "
    "tables CMS applies to an ASC's claim is not verified here (the outpatient hospital tables are for hospitals)."
)


def facility_ncci_note(claim_type: str, place_of_service: str, tables: Tables) -> str:
    """What a facility claim's NCCI checks rest on ('' for a professional claim)."""
    if claim_type != "facility":
        return ""
    if setting_for(claim_type, place_of_service) != HOSPITAL:
        return ASC_NCCI_NOTE
    installed = [n for n in ("ptp", "mue") if tables.has_setting(HOSPITAL, n)]
    if not installed:
        return FACILITY_NCCI_NOTE
    used = tables.for_setting(HOSPITAL)
    labels = "; ".join(t.label for t in (*used.ptp[:1], *used.mue[:1]) if t.setting == HOSPITAL)
    rest = {"ptp": "MUE", "mue": "PTP"}[installed[0]] if len(installed) == 1 else ""
    instead = {"MUE": "no MUE is checked", "PTP": "the practitioner PTP edits are used"}.get(rest, "")
    return f"Hospital outpatient facility claim: checked against the outpatient hospital tables ({labels})" + (
        f"; no outpatient hospital {rest} table is installed, so {instead}." if rest else "."
    )


INDWELLING_CODES = frozenset({"62324", "62325", "62326", "62327", "62318", "62319"})


def claim_type_code(code: str, claim_type: str) -> str:
    """The code a claim of ``claim_type`` uses for ``code`` (G0260 <-> 27096).

    >>> claim_type_code("27096", "facility"), claim_type_code("G0260", "professional")
    ('G0260', '27096')
    """
    table = FACILITY_CODES if claim_type == "facility" else PROFESSIONAL_CODES
    return table.get(code, code)


def claim_type_notes(b: Builder) -> None:
    """Lines that belong to the other claim, and the same-day rule for daily catheter management."""
    placed = any(line.code in INDWELLING_CODES for line in b.lines)
    for j in reversed(range(len(b.lines))):
        line = b.lines[j]
        if line.code == "01996" and placed:
            b.drop(
                "01996",
                "daily catheter management is not reported on the day the catheter is placed (from the next day)",
                "CPT-CATHETER-MANAGEMENT",
                ("NCCI-POLICY-CH2-01996", "NGS-01996"),
            )
        elif line.code in PROFESSIONAL_ONLY_CODES and b.enc.claim_type == "facility":
            b.drop(
                line.code,
                "a physician service: it goes on the professional claim",
                "CPT-CLAIM-TYPE",
                CLAIM_TYPE_SOURCES,
            )
        else:
            continue
        del b.lines[j]
        del b.origins[j]
    if b.enc.claim_type == "facility":
        b.notes.append(
            "Facility claim: drugs, contrast and imaging integral to the procedure are packaged in ASCs (42 CFR "
            "416.164, payment indicator N1) and mostly under OPPS (status N) - reported on the facility claim, paid "
            "within the procedure (esi_reference.reference.packaging; per-code status unverified)."
        )
        b.notes.extend(facility_packaging_notes((line.code for line in b.lines), b.enc.facility_setting))
        b.notes.append(facility_ncci_note("facility", b.enc.place_of_service, ncci.tables_for(b.day)))


__all__ = [
    "ASC_NCCI_NOTE",
    "CLAIM_TYPE_SOURCES",
    "FACILITY_CODES",
    "FACILITY_NCCI_NOTE",
    "INDWELLING_CODES",
    "PROFESSIONAL_CODES",
    "PROFESSIONAL_ONLY_CODES",
    "claim_type_code",
    "claim_type_notes",
    "facility_ncci_note",
]
