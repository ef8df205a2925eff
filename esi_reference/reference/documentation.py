"""Documentation requirements for an epidural steroid injection claim.

Seven items come from the classic coding guide for 62321 (assessment, indication, relevant history,
test results, images in at least two views, a signed and dated note, codes justified); the LCD policy
summaries add the baseline pain/function scale, the procedure-report content, the response to a prior
injection, the contrast contraindication, the diagnostic nerve-root-block purpose (with KX) and the
reason for sedation. Each item names the encounter documentation ``fact`` that satisfies it, so the
documentation rules check it directly.

>>> [d.id for d in documentation_items() if d.guide_item][:3]
['DOC-ASSESSMENT', 'DOC-INDICATION', 'DOC-HISTORY']
>>> documentation_items("repeat_esi")[0].fact
('prior_relief_percent',)
"""

from __future__ import annotations

from dataclasses import dataclass

from esi_reference.errors import InvalidField
from esi_reference.reference._data import read_rows, split_ids

APPLIES_TO = {
    "every_esi": "every epidural steroid injection",
    "every_claim": "every claim",
    "image_guided_esi": "every image-guided epidural injection",
    "repeat_esi": "a repeat injection in the same region",
    "contrast_not_used": "an injection done without contrast",
    "diagnostic_snrb": "a diagnostic selective nerve root block",
    "sedation": "an injection with moderate or deeper sedation",
}


@dataclass(frozen=True)
class DocumentationItem:
    id: str
    title: str
    text: str
    applies_to: str
    fact: tuple[str, ...]
    requirement: str
    severity: str
    guide_item: int | None
    sources: tuple[str, ...]

    @property
    def applies_to_text(self) -> str:
        return APPLIES_TO[self.applies_to]


_ITEMS = tuple(
    DocumentationItem(
        id=r["id"],
        title=r["title"],
        text=r["text"],
        applies_to=r["applies_to"],
        fact=split_ids(r["fact"]),
        requirement=r["requirement"],
        severity=r["severity"],
        guide_item=int(r["guide_item"]) if r["guide_item"] else None,
        sources=split_ids(r["sources"]),
    )
    for r in read_rows("documentation.csv")
)


def items_for_code(code: object) -> tuple[DocumentationItem, ...]:
    """The documentation items that can apply when ``code`` is billed.

    Every code needs DOC-CODES-SUPPORTED; an ESI code adds the ESI items, the image-guided ones need the
    images, and only transforaminal codes can be diagnostic nerve root blocks.

    >>> [d.id for d in items_for_code("J3301")]
    ['DOC-CODES-SUPPORTED']
    >>> "DOC-IMAGES" in [d.id for d in items_for_code("62321")], "DOC-IMAGES" in [d.id for d in items_for_code("62320")]
    (True, False)
    """
    from esi_reference.reference.catalogue import lookup

    row = lookup(code)
    wanted = {"every_claim"}
    if row.is_esi:
        wanted |= {"every_esi", "repeat_esi", "contrast_not_used", "sedation"}
        if row.imaging in ("fluoro_ct", "ultrasound"):
            wanted.add("image_guided_esi")
        if row.approach == "transforaminal":
            wanted.add("diagnostic_snrb")
    return tuple(d for d in _ITEMS if d.applies_to in wanted)


def documentation_items(applies_to: object = None) -> tuple[DocumentationItem, ...]:
    """Every documentation requirement, or those for one situation (see ``APPLIES_TO``)."""
    if applies_to is None:
        return _ITEMS
    if not isinstance(applies_to, str) or applies_to not in APPLIES_TO:
        raise InvalidField("applies_to", "one of " + ", ".join(APPLIES_TO), applies_to)
    return tuple(d for d in _ITEMS if d.applies_to == applies_to)
