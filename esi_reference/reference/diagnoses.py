"""ICD-10-CM diagnoses and the ESI coverage categories they fall in (``data/diagnoses.csv``).

Each row is a code prefix (``M54.1`` covers ``M54.16``), its category (radicular, stenosis,
postlaminectomy, zoster, axial, postoperative ...) and its sources. The covered categories are those
the ESI LCDs list as indications: radicular pain or radiculopathy, neurogenic claudication from spinal
stenosis, post-laminectomy syndrome and acute herpes zoster pain; axial (non-radicular) pain is not
covered. The contractors' exact ICD-10-CM groups are not verified here: the list is our example list,
flagged unverified in the data, and a code outside it is not called uncovered.
"""

from __future__ import annotations

from functools import lru_cache

from esi_reference.reference._data import read_rows

#: The rows, longest prefix first.
DIAGNOSES = sorted(read_rows("diagnoses.csv"), key=lambda r: -len(r["prefix"]))
#: Categories the ESI LCDs cover.
COVERED_CATEGORIES = frozenset({"radicular", "stenosis", "postlaminectomy", "zoster"})

_CATEGORY_BY_PREFIX = {row["prefix"]: row["category"] for row in DIAGNOSES}
_PREFIX_LENGTHS = sorted({len(p) for p in _CATEGORY_BY_PREFIX}, reverse=True)


@lru_cache(maxsize=4096)
def diagnosis_category(code: str) -> str:
    """Category of an ICD-10-CM code in our (unverified) example list, or '' when it is not listed.

    The longest listed prefix wins.

    >>> diagnosis_category("M54.16"), diagnosis_category("M54.50"), diagnosis_category("Z00.00")
    ('radicular', 'axial', '')
    """
    for n in _PREFIX_LENGTHS:
        category = _CATEGORY_BY_PREFIX.get(code[:n])
        if category:
            return category
    return ""
