"""Documentation rules, one per documentation requirement in ``data/documentation.csv``.

Each requirement names the encounter documentation fact(s) that satisfy it and when it applies (every
ESI, image-guided ESI, repeat injection, no contrast, diagnostic nerve root block, sedation). A missing
item does not change the codes, but an auditor would deny the claim for it, so it is a warning.
"""

from __future__ import annotations

from ..documentation import DocumentationItem, documentation_items
from .base import Context, Hit, rule


def _applies(item: DocumentationItem, ctx: Context) -> bool:
    enc = ctx.encounter
    esi = enc.esi_procedures
    if item.applies_to == "every_claim":
        return bool(enc.procedures)
    if item.applies_to == "every_esi":
        return bool(esi)
    if item.applies_to == "image_guided_esi":
        return any(p.image_guided for p in esi)
    if item.applies_to == "repeat_esi":
        start = enc.window_start
        return any(s.region_family in enc.esi_region_families and s.date >= start for s in enc.prior_sessions)
    if item.applies_to == "contrast_not_used":
        return any(p.contrast != "used" for p in esi)
    if item.applies_to == "diagnostic_snrb":
        return any(p.purpose == "diagnostic_snrb" for p in esi)
    if item.applies_to == "sedation":
        return any(s.code.startswith("9915") for s in enc.other_services) or any(
            c.family == "sedation" for c in ctx.codes
        )
    raise AssertionError(item.applies_to)


def _satisfied(item: DocumentationItem, ctx: Context) -> bool:
    values = [getattr(ctx.encounter.documentation, name) for name in item.fact]
    if item.requirement == "true":
        return all(v is True for v in values)
    if item.requirement == "present":
        return all(v is not None for v in values)
    if item.requirement.startswith(">="):
        return all(v is not None and v >= int(item.requirement[2:]) for v in values)
    raise AssertionError(item.requirement)


def gaps(ctx: Context) -> frozenset[str]:
    """Ids of the documentation items that apply and are not satisfied (one pass, memoised per context)."""
    if "doc_gaps" not in ctx.__dict__:
        situations: dict[str, bool] = {}
        missing = set()
        for item in documentation_items():
            if item.applies_to not in situations:
                situations[item.applies_to] = _applies(item, ctx)
            if situations[item.applies_to] and not _satisfied(item, ctx):
                missing.add(item.id)
        ctx.__dict__["doc_gaps"] = frozenset(missing)
    return ctx.__dict__["doc_gaps"]


def _make(item: DocumentationItem):
    hit = (Hit(f"Documentation gap - {item.title}: {item.text}"),)

    def check_item(ctx: Context) -> tuple[Hit, ...]:
        return hit if item.id in gaps(ctx) else ()

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
