"""Documentation rules, one per documentation requirement in ``data/documentation.csv``.

Each requirement names the encounter documentation fact(s) that satisfy it and when it applies (every
ESI, image-guided ESI, repeat injection, no contrast, diagnostic nerve root block, sedation). A missing
item does not change the codes, but an auditor would deny the claim for it, so it is a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from esi_reference._memo import memo
from esi_reference.model.encounter import Procedure
from esi_reference.reference.documentation import APPLIES_TO, DocumentationItem, documentation_items
from esi_reference.rules.base import Context, Hit, rule


def _any_procedure(test: Callable[[Procedure], bool]) -> Callable[[Context], bool]:
    def situation(ctx: Context) -> bool:
        return any(test(p) for p in ctx.encounter.covered_procedures)

    return situation


def _repeat(ctx: Context) -> bool:
    enc = ctx.encounter
    if not enc.prior_sessions:
        return False
    start, regions = enc.window_start, enc.esi_region_families
    return any(s.region_family in regions and s.date >= start for s in enc.prior_sessions)


#: Is the encounter in this situation (a documentation item's ``applies_to``)? The ESIs are the LCD's
#: documentation list (``covered_procedures``): exempt uses (pump trial...) are not ESIs.
SITUATIONS: dict[str, Callable[[Context], bool]] = {
    "every_claim": lambda ctx: bool(ctx.encounter.procedures),
    "every_esi": lambda ctx: bool(ctx.encounter.covered_procedures),
    "image_guided_esi": _any_procedure(lambda p: p.image_guided),
    "repeat_esi": _repeat,
    "contrast_not_used": _any_procedure(lambda p: p.contrast != "used"),
    "diagnostic_snrb": _any_procedure(lambda p: p.purpose == "diagnostic_snrb"),
    "sedation": lambda ctx: ctx.sedation,
}
assert set(SITUATIONS) == set(APPLIES_TO), "every applies_to situation has its test"

#: Every documentation fact any item names, read in one call.
_FACTS = tuple(dict.fromkeys(name for item in documentation_items() for name in item.fact))
_READ_FACTS = attrgetter(*_FACTS)
_TRUE, _PRESENT, _AT_LEAST = range(3)


def _fact_checks(item: DocumentationItem) -> list[tuple[str, str, int, int, int]]:
    """(item id, situation, fact position, test, least) for each fact the item names: the item is met
    when every named fact is true, present, or >= N (its ``requirement``)."""
    if item.requirement in ("true", "present"):
        test, least = (_TRUE if item.requirement == "true" else _PRESENT), 0
    elif item.requirement.startswith(">="):
        test, least = _AT_LEAST, int(item.requirement[2:])
    else:
        raise AssertionError(item.requirement)
    return [(item.id, item.applies_to, _FACTS.index(name), test, least) for name in item.fact]


_CHECKS = tuple(check for item in documentation_items() for check in _fact_checks(item))


def gaps(ctx: Context) -> frozenset[str]:
    """Ids of the documentation items that apply and are not satisfied (one pass, memoised per context)."""
    return memo(ctx, "doc_gaps", _gaps)


def _gaps(ctx: Context) -> frozenset[str]:
    """The facts are read first (all in one call): whether the encounter is in an item's situation is asked
    only for the items the documentation does not satisfy (each situation once)."""
    values = _READ_FACTS(ctx.encounter.documentation)
    situations: dict[str, bool] = {}
    missing: dict[str, None] = {}
    for item_id, situation, position, test, least in _CHECKS:
        value = values[position]
        if test == _TRUE:
            met = value is True
        elif test == _PRESENT:
            met = value is not None
        else:
            met = value is not None and value >= least
        if met or item_id in missing:
            continue
        applies = situations.get(situation)
        if applies is None:
            applies = situations[situation] = SITUATIONS[situation](ctx)
        if applies:
            missing[item_id] = None
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
