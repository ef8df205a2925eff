"""Turn an example encounter (and its claim) into claim-line rows in the audit's CSV format."""

from __future__ import annotations

import datetime as dt

from esi_reference.audit.columns import COLUMN_NAMES
from esi_reference.engine import suggest_claim
from esi_reference.model.encounter import ClaimLine, Encounter
from esi_reference.reference import catalogue
from esi_reference.reference.drugs import DRUGS

PATIENT = "PT-EXAMPLE"


def claim_lines(enc: Encounter, which: str) -> tuple[ClaimLine, ...] | None:
    if which == "billed":
        return enc.claim
    return suggest_claim(enc).lines


def _prior_code(region_family: str, day: dt.date) -> str:
    """The image-guided single-injection interlaminar code of the region family valid on ``day``."""
    for c in catalogue.codes(family="esi_interlaminar", as_of=day, region_family=region_family):
        if c.imaging == "fluoro_ct" and c.catheter == "single":
            return c.code
    for c in catalogue.codes(family="esi_interlaminar", as_of=day, region_family=region_family):
        return c.code
    raise AssertionError(region_family)


def rows_for(enc: Encounter, lines: tuple[ClaimLine, ...]) -> list[dict[str, str]]:
    """Rows for the encounter's lines (claim CUR) plus one row per prior session (claims PRIOR<n>)."""
    dx = " ".join(enc.diagnoses)
    common = {
        "patient_id": PATIENT,
        "place_of_service": enc.place_of_service,
        "payer": enc.payer,
        "contractor": enc.contractor or "",
        "claim_type": enc.claim_type,
        "rendering_provider": "1234567893",
    }
    doses: dict[str, float] = {}
    for given in enc.drugs:
        doses[given.drug] = doses.get(given.drug, 0.0) + given.dose
    dosed: set[str] = set()
    rows = []
    for number, line in enumerate(lines, start=1):
        dose = ""
        for drug, row in DRUGS.items():
            if line.code in row["codes"].split() and drug in doses and drug not in dosed:
                dose = f"{doses[drug]:g}"
                dosed.add(drug)
        rows.append(
            {
                **common,
                "claim_id": "CUR",
                "line_number": str(number),
                "date_of_service": enc.date_of_service.isoformat(),
                "code": line.code,
                "modifiers": " ".join(line.modifiers),
                "units": str(line.units),
                "diagnosis_codes": " ".join(line.diagnoses) or dx,
                "drug_dose": dose,
            }
        )
    for i, prior in enumerate(enc.prior_sessions, start=1):
        rows.append(
            {
                **common,
                "claim_id": f"PRIOR{i}",
                "line_number": "1",
                "date_of_service": prior.date.isoformat(),
                "code": _prior_code(prior.region_family, prior.date),
                "modifiers": "",
                "units": "1",
                "diagnosis_codes": dx or "M54.16",
                "drug_dose": "",
            }
        )
    return [{k: r.get(k, "") for k in COLUMN_NAMES} for r in rows]
