"""The rule registry: every billing rule of esi_reference, one module per family.

=========  =====================================================================
module     family
=========  =====================================================================
cpt        CPT coding guidelines (code choice, modifiers, validity, claim type)
levels     CPT units, levels and sides (add-on levels, once per session, bilateral format)
bundling   NCCI procedure-to-procedure edits and same-day services
units      medically unlikely edits
coverage   Medicare ESI LCD coverage (levels, regions, frequency, indications)
documentation  documentation requirements
drugs      drug codes and units
payer      payer-profile policy (non-Medicare frequency limits, Medicare-only modifiers)
=========  =====================================================================

>>> len(all_rules()) > 30
True
>>> rule_by_id("LCD-FREQUENCY").family
'lcd'
"""

from __future__ import annotations

from esi_reference.errors import InvalidField
from esi_reference.rules import bundling, coverage, cpt, documentation, drugs, levels, payer, units  # noqa: F401 - importing registers the rules
from esi_reference.rules.base import FAMILIES, REGISTRY, SEVERITIES, Context, Finding, Hit, Rule

__all__ = ["FAMILIES", "SEVERITIES", "Context", "Finding", "Hit", "Rule", "all_rules", "rule_by_id", "rules_for_code"]


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, in family order."""
    order = list(FAMILIES)
    return tuple(sorted(REGISTRY.values(), key=lambda r: (order.index(r.family), r.id)))


def rule_by_id(rule_id: object) -> Rule:
    if not isinstance(rule_id, str) or rule_id not in REGISTRY:
        raise InvalidField("rule_id", "a rule id such as LCD-FREQUENCY (see `esi-ref rules`)", rule_id)
    return REGISTRY[rule_id]


def rules_for_code(code: str) -> tuple[Rule, ...]:
    """Rules that name ``code`` explicitly, plus the general rules for its family (ESI codes get every
    rule that applies to all ESI lines)."""
    from esi_reference.reference.catalogue import lookup

    row = lookup(code)
    general = {"cpt", "ncci", "mue"} | (
        {"lcd", "doc", "drug"} if row.is_esi else {"drug"} if row.kind == "drug" else set()
    )
    return tuple(r for r in all_rules() if row.code in r.codes or (not r.codes and r.family in general))
