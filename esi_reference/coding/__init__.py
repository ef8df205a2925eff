"""Coding: from clinical facts to the claim lines a coder should report.

:func:`derive_lines` applies the CPT code-selection conventions to an encounter's procedures, drugs and
other services, date-of-service aware:

* **Interlaminar / caudal** (62320-62327): one line per session whatever the number of levels; the code
  is chosen by region family (cervical/thoracic vs lumbar/sacral), imaging (fluoroscopy or CT vs none)
  and catheter (single injection, including a catheter removed the same day, vs indwelling). Never 50,
  RT or LT. Before 2017 the deleted codes 62310-62319 apply, with 77003/77012 reported separately.
* **Transforaminal** (64479-64484): one unit per level; the first level on the primary code and each
  further level on the add-on; both sides of one level = the same line with modifier 50 and one unit.
  T12-L1 belongs to the cervical/thoracic codes (A58993). Ultrasound guidance: 0228T-0231T for dates of
  service up to 2020-12-31; no verified code afterwards.
* **Facet** (64490-64495) and **SI joint** (27096; 20552 without imaging; G0260 on a facility claim) are
  not ESIs and have their own codes.
* **Neurolytic** substances: 62281/62282 epidural, 62280 subarachnoid; **chemotherapy** into the CNS: 96450.
* Other neuraxial uses: **blood patch** 62273 (+ 77003/77012 when guided); **cisternography** the
  interlaminar code + 78630; a **radionuclide CSF leak study** the interlaminar code + 78650; **pump
  trials** and **postoperative catheters** the interlaminar codes; daily catheter management 01996 (not on
  the day of placement).
* **Bilateral** lines follow the payer profile's format (``esi_reference.reference.payers``): 50 x1, RT + LT, or
  50 x2; Medicare ASC facility claims use RT + LT.
* **Claim type**: a facility claim (HOPD, ASC) carries the drugs and imaging without 26; a physician claim
  in a facility setting carries imaging with 26 and no drugs.
* Drugs are reported only by whoever bought them: on the physician's claim outside facility settings, on the
  facility claim when the facility bought them, units =
  amount administered / unit size. For Medicare, a drug from a single-dose container adds a JW line for
  the whole units discarded (from 2017) or JZ on its line when none were (from 2023-07-01); multi-dose
  vials take neither (:func:`drug_plans`, rules in ``esi_reference.rules.drugs``).
* Imaging guidance, epidurography and local anesthetic are included in the injection codes.

NCCI pairs among the derived lines are resolved last (:func:`resolve_ptp`): an edit with modifier
indicator 0 drops the column-two code; indicator 1 keeps it with XS only when it is a separate
anatomic site, and otherwise drops it.

>>> from esi_reference.model.encounter import parse_encounter
>>> enc = parse_encounter({"date_of_service": "2025-03-04", "place_of_service": "22", "procedures": [
...     {"approach": "transforaminal", "levels": ["L4-L5", "L5-S1"], "side": "bilateral"}]})
>>> [str(line) for line in derive_lines(enc).lines]
['64483-50 x1', '64484-50 x1']
"""

from __future__ import annotations

from esi_reference.coding import builder, claim_type, drugs, procedures, services
from esi_reference.coding.builder import *  # noqa: F403
from esi_reference.coding.builder import CPT_2017, NEUROLYTIC_CODES, Builder, Derivation
from esi_reference.coding.claim_type import *  # noqa: F403
from esi_reference.coding.claim_type import claim_type_notes
from esi_reference.coding.drugs import *  # noqa: F403
from esi_reference.coding.drugs import add_drugs
from esi_reference.coding.procedures import *  # noqa: F403
from esi_reference.coding.procedures import (
    add_blood_patch,
    add_facets,
    add_interlaminar,
    add_si_joint,
    add_transforaminal,
)
from esi_reference.coding.services import *  # noqa: F403
from esi_reference.coding.services import add_other_services, resolve_ptp
from esi_reference.model.encounter import Encounter, Procedure


def derive_lines(encounter: Encounter) -> Derivation:
    """The claim lines for the encounter's facts, what must not be billed, and notes."""
    b = Builder(encounter)
    seen: set[str] = set()
    transforaminal: list[tuple[int, Procedure]] = []
    facets: list[tuple[int, Procedure]] = []
    for index, proc in enumerate(encounter.procedures):
        if proc.substance == "chemotherapy":
            b.add("96450", "chemotherapy into the spinal canal is chemotherapy administration, not an ESI", index)
            continue
        if proc.substance == "neurolytic" and proc.is_epidural:
            code = "62280" if proc.space == "subarachnoid" else NEUROLYTIC_CODES[proc.region_families[0]]
            if code not in seen:
                seen.add(code)
                where = "subarachnoid" if proc.space == "subarachnoid" else "epidural"
                b.add(code, f"neurolytic agent: the neurolytic {where} code, not an ESI code", index)
            continue
        if proc.purpose == "blood_patch":
            add_blood_patch(b, index, proc, seen)
            continue
        if proc.approach in ("interlaminar", "caudal"):
            add_interlaminar(b, index, proc, seen)
        elif proc.approach == "transforaminal":
            transforaminal.append((index, proc))
        elif proc.approach == "facet":
            facets.append((index, proc))
        elif proc.approach == "si_joint":
            add_si_joint(b, index, proc, seen)
    add_transforaminal(b, transforaminal)
    add_facets(b, facets)
    guided = (
        any(p.image_guided and p.purpose != "blood_patch" for p in encounter.procedures)
        and encounter.date_of_service >= CPT_2017
    )
    add_other_services(b, guided)
    add_drugs(b)
    resolve_ptp(b)
    claim_type_notes(b)
    return Derivation(tuple(b.lines), tuple(b.not_billable), tuple(b.notes), tuple(b.origins))


__all__ = [
    *builder.__all__,
    *procedures.__all__,
    *drugs.__all__,
    *services.__all__,
    *claim_type.__all__,
    "derive_lines",
]
