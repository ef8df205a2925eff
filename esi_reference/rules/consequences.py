"""One finding per root cause: how ``check`` folds findings that repeat or follow from another one.

Two relations, both on the rule ids of one check:

* **Repeats** - a documentation warning whose missing fact a coverage rule already names (routine
  sedation without a documented reason, no contrast without a recorded contraindication, a repeat
  injection without the prior response). The documentation finding is dropped: the coverage error says it.
* **Consequences** - a finding that follows from another error on the same claim lines (an MUE excess
  because both sides were billed on two lines; an NCCI pair because imaging included in the injection code
  was billed). It is kept, at info severity, with a message naming its cause, so the count of errors is
  the count of problems to fix.

>>> from esi_reference.rules.base import Finding
>>> cause = Finding("CPT-BILATERAL-ONE-LINE", "t", "cpt", "error", "both sides on two lines", (1, 2), ("S",))
>>> mue = Finding("MUE-UNITS", "t", "mue", "error", "2 units exceed the MUE of 1", (1, 2), ("S",))
>>> [(f.rule_id, f.severity) for f in one_finding_per_cause([cause, mue])]
[('CPT-BILATERAL-ONE-LINE', 'error'), ('MUE-UNITS', 'info')]
"""

from __future__ import annotations

from esi_reference.rules.base import Finding

#: documentation rule -> the coverage rule whose finding already names the same missing justification
REPEATS = {
    "DOC-SEDATION-REASON": "LCD-SEDATION",
    "DOC-CONTRAST-CONTRAINDICATION": "LCD-CONTRAST",
    "DOC-PRIOR-RELIEF": "LCD-REPEAT-RELIEF",
}
#: rule -> the rules whose error on a shared claim line makes its finding a consequence
CONSEQUENCES = {
    "MUE-UNITS": ("CPT-BILATERAL-ONE-LINE", "CPT-LEVEL-UNITS", "CPT-SESSION-UNITS", "CPT-ADDON-OTHER-SIDE"),
    "NCCI-PTP": ("CPT-IMAGING-INCLUDED", "CPT-IMAGING-CODE", "CPT-NEUROLYTIC", "CPT-CLAIM-TYPE"),
    "CPT-ADDON-PRIMARY": ("CPT-CODE-VALID", "CPT-CLAIM-TYPE"),
}


def cause_of(finding: Finding, findings: list[Finding]) -> Finding | None:
    """The error that ``finding`` follows from (same claim lines), if any."""
    causes = CONSEQUENCES.get(finding.rule_id, ())
    for other in findings:
        if other.rule_id in causes and other.severity == "error" and set(other.lines) & set(finding.lines):
            return other
    return None


def one_finding_per_cause(findings: list[Finding]) -> list[Finding]:
    """The findings with repeats dropped and consequences marked (see the module docstring)."""
    present = {f.rule_id for f in findings}
    out = []
    for f in findings:
        if REPEATS.get(f.rule_id) in present:
            continue
        cause = cause_of(f, findings) if f.severity != "info" else None
        if cause is not None:
            lines = ", ".join(map(str, cause.lines))
            f = f._replace(
                severity="info",
                message=f"Consequence of {cause.rule_id} (line {lines}), not a separate problem: {f.message}",
            )
        out.append(f)
    return out
