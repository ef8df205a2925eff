"""Documentation rules, one per documentation requirement in ``data/documentation.csv``.

Each requirement names the encounter documentation fact(s) that satisfy it and when it applies (every
ESI, image-guided ESI, repeat injection, no contrast, diagnostic nerve root block, sedation). A missing
item does not change the codes, but an auditor would deny the claim for it, so it is a warning.
"""

from __future__ import annotations

from collections.abc import Callable

from esi_reference._memo import memo
from esi_reference.model.encounter import Documentation
from esi_reference.reference.documentation import APPLIES_TO, DocumentationItem, documentation_items
from esi_reference.rules.base import Context, Hit, rule


def _repeat(ctx: Context) -> bool:
    enc = ctx.encounter
    if not enc.prior_sessions:
        return False
    start, regions = enc.window_start, enc.esi_region_families
    return any(s.region_family in regions and s.date >= start for s in enc.prior_sessions)


def _sedation(ctx: Context) -> bool:
    return any(s.code.startswith("9915") for s in ctx.encounter.other_services) or any(
        c.family == "sedation" for c in ctx.codes
    )


#: Is the encounter in this situation (a documentation item's ``applies_to``)? The ESIs are the LCD's
#: documentation list (``covered_procedures``): exempt uses (pump trial...) are not ESIs.
SITUATIONS: dict[str, Callable[[Context], bool]] = {
    "every_claim": lambda ctx: bool(ctx.encounter.procedures),
    "every_esi": lambda ctx: bool(ctx.encounter.covered_procedures),
    "image_guided_esi": lambda ctx: any(p.image_guided for p in ctx.encounter.covered_procedures),
    "repeat_esi": _repeat,
    "contrast_not_used": lambda ctx: any(p.contrast != "used" for p in ctx.encounter.covered_procedures),
    "diagnostic_snrb": lambda ctx: any(p.purpose == "diagnostic_snrb" for p in ctx.encounter.covered_procedures),
    "sedation": _sedation,
}
assert set(SITUATIONS) == set(APPLIES_TO), "every applies_to situation has its test"


def _satisfied_test(item: DocumentationItem) -> Callable[[Documentation], bool]:
    """The item's test on the documentation facts, built once: every named fact true, present, or >= N."""
    names = item.fact
    if len(names) == 1:
        name = names[0]
        if item.requirement == "true":
            return lambda doc: getattr(doc, name) is True
        if item.requirement == "present":
            return lambda doc: getattr(doc, name) is not None
    if item.requirement == "true":
        return lambda doc: all(getattr(doc, n) is True for n in names)
    if item.requirement == "present":
        return lambda doc: all(getattr(doc, n) is not None for n in names)
    if item.requirement.startswith(">="):
        least = int(item.requirement[2:])
        return lambda doc: all((v := getattr(doc, n)) is not None and v >= least for n in names)
    raise AssertionError(item.requirement)


_TESTS = tuple((item.id, item.applies_to, _satisfied_test(item)) for item in documentation_items())


def gaps(ctx: Context) -> frozenset[str]:
    """Ids of the documentation items that apply and are not satisfied (one pass, memoised per context)."""
    return memo(ctx, "doc_gaps", _gaps)


def _gaps(ctx: Context) -> frozenset[str]:
    """The facts are read first: whether the encounter is in an item's situation is asked only for the
    items the documentation does not satisfy (each situation once)."""
    doc = ctx.encounter.documentation
    situations: dict[str, bool] = {}
    missing = []
    for item_id, situation, satisfied in _TESTS:
        if satisfied(doc):
            continue
        applies = situations.get(situation)
        if applies is None:
            applies = situations[situation] = SITUATIONS[situation](ctx)
        if applies:
            missing.append(item_id)
    return frozenset(missing)


def _make(item: DocumentationItem):
    hit = (Hit(f"Documentation gap - {item.title}: {item.text}"),)

    def check_item(ctx: Context) -> tuple[Hit, ...]:
        return hit if item.id in memo(ctx, "doc_gaps", _gaps) else ()

    return check_item


for _item in documentation_items():
    rule(
        _item.id,
        _item.title,
        "doc",
        _item.severity,
        _item.sources,
        doc=f"Applies to {_item.applies_to_text}. {_item.text}",
    )(_make(_item))
