"""The engine: ``check`` an encounter's claim and ``suggest_claim`` the correct one.

``check(encounter, as_of=None)`` runs every rule in force on the date (the date of service unless
``as_of`` is given) over the encounter's billed claim - or, when the encounter carries no claim, over the
suggested claim - and returns a :class:`Report` of findings, each naming its rule, severity, the claim
lines concerned, a plain message and the citations.

``suggest_claim(encounter)`` derives the lines from the clinical facts (``esi_reference.coding``), then
asks the coverage rules which lines Medicare is expected to deny and marks those GA (an ABN is on file)
or GZ (no ABN), when the payer profile uses those modifiers (``esi_reference.reference.payers``). Transforaminal
add-on units beyond the two covered levels are split onto their own GA/GZ line (64484 x1, 64484-GZ x1).
The suggested claim of any valid encounter therefore checks with no error: what remains are warnings
(documentation gaps) and information.

``check`` reports one finding per root cause (``esi_reference.rules.consequences``): a documentation
warning that repeats a coverage error is dropped, and a finding that follows from another one on the same
lines (an MUE excess caused by a bilateral line error) is kept at info severity, marked as a consequence.

>>> from esi_reference.model.encounter import parse_encounter
>>> enc = parse_encounter({"date_of_service": "2025-03-04", "place_of_service": "11",
...     "procedures": [{"approach": "interlaminar", "levels": ["C6-C7"]}], "diagnoses": ["M54.12"],
...     "claim": [{"code": "62321", "modifiers": ["50"]}, {"code": "77003"}]})
>>> sorted(f.rule_id for f in check(enc).errors)
['CPT-IL-NOT-BILATERAL', 'CPT-IMAGING-INCLUDED']
>>> [str(line) for line in suggest_claim(enc).lines]
['62321 x1']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache

from esi_reference._memo import memo
from esi_reference.coding import Derivation, NotBillable, derive_lines, facility_ncci_note
from esi_reference.errors import InvalidField
from esi_reference.model.dates import service_date
from esi_reference.model.encounter import FACILITY_CLAIM_PLACES, ClaimLine, Encounter, parse_encounter
from esi_reference.reference import catalogue, ncci
from esi_reference.reference.packaging import facility_packaging_notes
from esi_reference.reference.payers import PayerProfile
from esi_reference.reference.sources import cite
from esi_reference.rules import Context, Finding, Rule, all_rules
from esi_reference.rules.consequences import one_finding_per_cause
from esi_reference.rules.coverage import tf_addon_allowance

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class SuggestedClaim:
    """The lines to bill (each with its reason), what must not be billed, and notes."""

    lines: tuple[ClaimLine, ...]
    not_billable: tuple[NotBillable, ...]
    notes: tuple[str, ...] = ()
    tables: ncci.Tables | None = None  # the CMS tables in force on the date of service

    def to_dict(self) -> dict[str, object]:
        return {
            "lines": [line.to_dict() for line in self.lines],
            "not_billable": [n.to_dict() for n in self.not_billable],
            "notes": list(self.notes),
            "tables": self.tables.in_use() if self.tables else [],
        }


@dataclass(frozen=True)
class Report:
    encounter: Encounter
    as_of: object
    lines: tuple[ClaimLine, ...]
    billed: bool
    findings: tuple[Finding, ...]
    tables: ncci.Tables | None = None  # the CMS tables in force on the date checked
    notes: tuple[str, ...] = ()  # what the checks cannot say (a facility claim: packaging, no facility NCCI table)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def is_clean(self) -> bool:
        """True when no finding has error severity."""
        return not self.errors

    def rule_ids(self, severity: str | None = None) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule_id for f in self.findings if severity in (None, f.severity)))

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.encounter.id,
            "date_of_service": self.encounter.date_of_service.isoformat(),
            "as_of": str(self.as_of),
            "claim_checked": "billed" if self.billed else "suggested",
            "lines": [line.to_dict() for line in self.lines],
            "clean": self.is_clean,
            "counts": {s: sum(f.severity == s for f in self.findings) for s in SEVERITY_ORDER},
            "findings": [dict(f.to_dict(), cite=cite(f.citations)) for f in self.findings],
            "tables": self.tables.in_use() if self.tables else [],
            "table_notes": list(self.tables.notes) if self.tables else [],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """A readable report for terminals and notebooks."""
        head = (
            f"Encounter {self.encounter.id or ''} - date of service {self.encounter.date_of_service.isoformat()}"
            f" - {'billed' if self.billed else 'suggested'} claim:"
        ).replace("  ", " ")
        out = [head] + [f"  {n}. {line}" for n, line in enumerate(self.lines, 1)]
        if not self.findings:
            out.append("No findings: the claim is clean.")
        for f in self.findings:
            where = f" [line {', '.join(map(str, f.lines))}]" if f.lines else ""
            out.append(f"{f.severity.upper():7} {f.rule_id}{where}: {f.message}")
            out.append(f"        source: {cite(f.citations)}")
        out.extend(f"note: {n}" for n in self.notes)
        if self.tables is not None:
            out.append(f"CMS tables: {self.tables.summary()}")
            out.extend(f"note: {n}" for n in self.tables.notes)
        verdict = "CLEAN" if self.is_clean else f"{len(self.errors)} error(s)"
        out.append(f"Result: {verdict}, {len(self.warnings)} warning(s).")
        return "\n".join(out)


_NO_FACTS = Derivation(lines=())


def _derive(encounter: Encounter) -> Derivation:
    """derive_lines, memoised on the (immutable) encounter per NCCI table in use (a claim-only encounter
    has no facts to derive from)."""
    if encounter.claim_only:
        return _NO_FACTS
    return memo(encounter, ("derivation", ncci.table_token(encounter.date_of_service)), derive_lines)


def _as_encounter(encounter: object) -> Encounter:
    if isinstance(encounter, Encounter):
        return encounter
    if isinstance(encounter, dict):
        return parse_encounter(encounter)
    raise InvalidField("encounter", "an Encounter or a dict as in the encounter JSON Schema", encounter)


_RULE_SETS = {
    "all": all_rules(),
    "coverage": tuple(r for r in all_rules() if r.coverage),
    "claim": tuple(r for r in all_rules() if r.claim_level),
}
#: The claim-level rules (``Rule.claims``): all that ``check()`` runs on a claim-only encounter, and what the
#: claims audit evaluates.
CLAIM_RULES = _RULE_SETS["claim"]


@lru_cache(maxsize=4096)
def _rules_in_force(
    which: str, day: dt.date, lcd_effective: dt.date | None, prof: PayerProfile, claim_type: str
) -> tuple[Rule, ...]:
    """The rules of the set in force on ``day`` for this payer profile and claim type: the LCD family and
    the MUE family by profile (the MUE rule itself checks a facility claim only against an outpatient
    hospital table, :func:`esi_reference.rules.units.mue_units`). Keyed by the profile itself, not its id:
    a profile file loaded later may replace a profile of the same id."""
    mue = prof.mue_edits
    return tuple(
        r for r in _RULE_SETS[which] if r.applies_on(day, lcd_effective, prof.lcd_limits) and (r.family != "mue" or mue)
    )


def _run(ctx: Context, which: str = "all", known: dict[str, list[Finding]] | None = None) -> list[Finding]:
    """Findings of every rule of the set that is in force for this context; ``known``: the coverage rules'
    findings already found for the same context (the suggestion's), taken as they are."""
    findings: list[Finding] = []
    enc = ctx.encounter
    rules = _rules_in_force(which, ctx.day, enc.lcd_effective, enc.payer_profile, enc.claim_type)
    if known is None:
        for r in rules:
            for hit in r.func(ctx):  # most rules find nothing: no per-rule list or extra call on the hot path
                findings.append(r.finding(ctx, hit))
        return findings
    for r in rules:
        if r.coverage:
            findings.extend(known.get(r.id, ()))
        else:
            for hit in r.func(ctx):
                findings.append(r.finding(ctx, hit))
    return findings


def suggest_claim(encounter: object) -> SuggestedClaim:
    """The claim a coder should submit for these facts (see the module docstring)."""
    enc = _as_encounter(encounter)
    with ncci.resolved_once():
        return _suggest_claim(enc)[0]


def _suggest_claim(enc: Encounter) -> tuple[SuggestedClaim, Context, list[Finding]]:
    """The suggested claim, with the context of the derived lines and the coverage findings on them (which
    ``check()`` reuses when the suggestion is those very lines)."""
    derivation = _derive(enc)
    ctx = Context(enc, enc.date_of_service, derivation.lines, derivation, billed=False)
    coverage = _run(ctx, "coverage")
    denied: dict[int, set[str]] = {}
    for f in coverage:
        if f.severity == "error":
            for n in f.lines:
                denied.setdefault(n - 1, set()).add(f.rule_id)
    tables = ncci.tables_for_claim(enc.date_of_service, enc.claim_type, enc.place_of_service)
    if not denied:
        return SuggestedClaim(derivation.lines, derivation.not_billable, derivation.notes, tables), ctx, coverage
    if not enc.payer_profile.liability_modifiers:
        notes = (
            *derivation.notes,
            "Some lines fail a coverage rule of this payer, which does not use GA/GZ: expect a denial, or "
            "seek the payer's prior authorization.",
        )
        return SuggestedClaim(derivation.lines, derivation.not_billable, notes, tables), ctx, coverage
    modifier = "GA" if enc.abn_on_file else "GZ"
    lines: list[ClaimLine] = []
    allowance = tf_addon_allowance(derivation.lines, enc.bilateral_format)
    for i, line in enumerate(derivation.lines):
        covered_units = allowance.get(i, 0)
        if i not in denied:
            lines.append(line)
            continue
        if denied[i] == {"LCD-TF-LEVELS"} and 0 < covered_units < line.units:
            lines.append(
                replace(
                    line,
                    units=covered_units,
                    reason=line.reason + f"; the first {covered_units} unit(s): within the LCD's two levels",
                )
            )
            line = replace(line, units=line.units - covered_units, reason=line.reason + "; the units beyond two levels")
        lines.append(
            replace(
                line,
                modifiers=(*line.modifiers, modifier),
                reason=line.reason + f"; expected to be denied under the LCD: {modifier}",
            )
        )
    notes = (
        *derivation.notes,
        f"Lines marked {modifier} fail a Medicare coverage rule; "
        + (
            "the ABN on file lets you bill the patient (GA)."
            if enc.abn_on_file
            else "without an ABN the provider is liable (GZ)."
        ),
    )
    return SuggestedClaim(tuple(lines), derivation.not_billable, notes, tables), ctx, coverage


def suggest_claims(encounter: object) -> dict[str, SuggestedClaim]:
    """Both claims of one session: ``professional`` always, ``facility`` too when the place of service is a
    hospital outpatient department or an ASC - which shows the lines that move between them (G0260 for
    27096, the drugs, imaging with or without 26, daily catheter management).

    >>> claims = suggest_claims({"date_of_service": "2025-03-04", "place_of_service": "24",
    ...     "procedures": [{"approach": "si_joint", "side": "right"}], "diagnoses": ["M53.3"]})
    >>> {kind: [str(line) for line in claim.lines] for kind, claim in claims.items()}
    {'professional': ['27096 x1'], 'facility': ['G0260 x1']}
    """
    enc = _as_encounter(encounter)
    out = {"professional": suggest_claim(replace(enc, claim_type="professional", claim=None))}
    if enc.place_of_service in FACILITY_CLAIM_PLACES:
        out["facility"] = suggest_claim(replace(enc, claim_type="facility", claim=None))
    return out


def check(encounter: object, as_of: object = None) -> Report:
    """Findings for the encounter's claim (billed, or suggested when none is given)."""
    enc = _as_encounter(encounter)
    day = service_date(as_of, "as_of") if as_of is not None else enc.date_of_service
    billed = enc.claim is not None
    with ncci.resolved_once():
        if enc.claim is not None:
            lines = enc.claim
            findings = claim_findings(enc, day, tuple(lines), billed)
        else:
            suggested, ctx, coverage = _suggest_claim(enc)
            lines = suggested.lines
            if day == ctx.day and lines is ctx.lines:  # the derived lines themselves: their coverage is known
                known: dict[str, list[Finding]] = {}
                for f in coverage:
                    known.setdefault(f.rule_id, []).append(f)
                findings = one_finding_per_cause(_run(ctx, "all", known))
            else:
                findings = claim_findings(enc, day, tuple(lines), billed)
        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.lines or (999,), f.rule_id))
        as_of_text = as_of or enc.date_of_service.isoformat()
        tables = ncci.tables_for_claim(day, enc.claim_type, enc.place_of_service)
        return Report(enc, as_of_text, tuple(lines), billed, tuple(findings), tables, report_notes(enc, lines, tables))


def report_notes(
    enc: Encounter, lines: tuple[ClaimLine, ...] | list[ClaimLine], tables: ncci.Tables
) -> tuple[str, ...]:
    """The notes of a check report: for a facility claim, which lines are packaged (and whose status is
    unverified) and which NCCI pair and MUE tables the checks used."""
    if enc.claim_type != "facility":
        return ()
    packaging = facility_packaging_notes((line.code for line in lines), enc.facility_setting)
    return (*packaging, facility_ncci_note(enc.claim_type, enc.place_of_service, tables))


def claim_findings(
    enc: Encounter, day: dt.date, lines: tuple[ClaimLine, ...], billed: bool = True, only: frozenset[str] = frozenset()
) -> list[Finding]:
    """Unsorted findings of the rules in force for these lines: every rule, or for a claim-only encounter
    the claim-level ones (``only``: just these rule ids). The claims audit calls this per distinct session,
    inside one ``resolved_once`` block for the whole file."""
    if not ncci.tables_resolved_once():
        with ncci.resolved_once():
            return claim_findings(enc, day, lines, billed, only)
    ctx = Context(enc, day, lines, _derive(enc), billed)
    if not only:
        return one_finding_per_cause(_run(ctx, "claim" if enc.claim_only else "all"))
    findings: list[Finding] = []
    for r in _claim_rules_in_force(day, enc.lcd_effective, enc.payer_profile, enc.claim_type, only):
        for hit in r.func(ctx):  # as in _run: no per-rule generator or list on the hot path
            findings.append(r.finding(ctx, hit))
    return one_finding_per_cause(findings)


@lru_cache(maxsize=4096)
def _claim_rules_in_force(
    day: dt.date, lcd_effective: dt.date | None, prof: PayerProfile, claim_type: str, only: frozenset[str]
) -> tuple[Rule, ...]:
    """The claim-level rules among ``only`` that are in force (the audit asks this once per session)."""
    return tuple(r for r in _rules_in_force("claim", day, lcd_effective, prof, claim_type) if r.id in only)


def describe_line(line: ClaimLine) -> str:
    """'62321 x1 - plain summary' for feedback texts."""
    return f"{line} - {catalogue.lookup(line.code).summary}"
