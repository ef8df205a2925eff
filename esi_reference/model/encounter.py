"""The encounter model: one patient's injection session as clinical facts, validated at the boundary.

This module is the model's public face: the records are in :mod:`~esi_reference.model.records`, the
parser in :mod:`~esi_reference.model.parse`, the JSON Schema in :mod:`~esi_reference.model.schema`.

An encounter holds the date and place of service, the payer profile (``esi_reference.reference.payers``: medicare,
commercial, cpt, ... and optionally the Medicare contractor's LCD), the claim type (``professional`` or
``facility`` for a hospital outpatient department or ASC), the procedures as clinical facts (approach,
levels, side, guidance, contrast, catheter, substance, purpose, epidural or subarachnoid space), the
ICD-10-CM diagnoses, the drugs given, the documentation facts, the prior ESI sessions, the other services
that day and, optionally, the claim lines that were billed.
Rules read only these facts; :func:`parse_encounter` turns JSON-like data into an :class:`Encounter` and
reports *every* bad field at once (:class:`~esi_reference.errors.InvalidEncounter`), each naming its path
and what was expected. :func:`encounter_schema` publishes the same contract as JSON Schema.

Each drug given records the amount administered and, when known, the container (single-dose vial,
multi-dose vial, ampule, prefilled syringe), its labeled amount, the amount discarded, the NDC (11 digits,
5-4-2, with unit qualifier and quantity) and who bought it (the practice or the facility).

Levels are interspaces written top segment first: ``"C6-C7"``, ``"T12-L1"``, ``"L5-S1"``. A caudal
injection may omit levels (it enters at the sacral hiatus).

>>> enc = parse_encounter({
...     "date_of_service": "2025-03-04", "place_of_service": "11",
...     "procedures": [{"approach": "transforaminal", "levels": ["L4-L5"], "side": "bilateral",
...                     "guidance": "fluoroscopy", "contrast": "used", "substance": "steroid"}],
...     "diagnoses": ["M54.16"]})
>>> enc.procedures[0].region_families
('lumbar_sacral',)
>>> parse_encounter({"date_of_service": "2025-02-30", "place_of_service": "9X", "procedures": []})
Traceback (most recent call last):
...
esi_reference.errors.InvalidEncounter: invalid encounter: date_of_service: expected a date as YYYY-MM-DD, \
got '2025-02-30'; place_of_service: expected a 2-digit place-of-service code, got '9X'
"""

from __future__ import annotations

from esi_reference.model import parse, records, schema
from esi_reference.model.parse import *  # noqa: F403
from esi_reference.model.records import *  # noqa: F403
from esi_reference.model.schema import *  # noqa: F403
from esi_reference.reference.drugs import DRUGS, drug_of_code

__all__ = [*records.__all__, *parse.__all__, *schema.__all__, "DRUGS", "drug_of_code"]
