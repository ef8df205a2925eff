"""The rule framework: a rule is a small pure function plus metadata, kept in one registry.

Every rule has an id, a title, a family (cpt, ncci, mue, lcd, doc, drug), a default severity, the ids of
its sources, an effective window on the date of service and a docstring that is its reference text. Its
function receives a :class:`Context` and yields :class:`Hit` objects; the engine turns them into
:class:`Finding` objects that carry the rule's metadata and citations.

Claim-level rules (``claims=...``) are the ones a claims file can check: they read what claim lines show
(codes, modifiers, units, diagnoses, dates, place of service, payer) and run unchanged in the batch audit
(:mod:`esi_reference.audit`), which evaluates them on the claim-only encounter of each patient's date of
service (``Encounter.claim_only``: no clinical facts, only the claim). ``claims`` is the rule's own statement
of what a claims file cannot show (rendered on the rule's page); where the facts would change the answer,
the rule reads them through the :class:`Context` views below, which fall back to what the claim shows.

Coverage rules (``coverage=True``, the LCD medical-necessity limits) describe the service, not the
claim: a claim that reports the affected lines with GA (ABN on file) or GZ (no ABN) tells Medicare that
a denial is expected, so on such lines the finding is reported at ``info`` severity.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from esi_reference._memo import memoised_property
from esi_reference.cmsdata.tables import Tables, tables_for_claim
from esi_reference.coding import Derivation
from esi_reference.model.dates import describe_window, in_window
from esi_reference.model.encounter import ClaimLine, Encounter
from esi_reference.reference import catalogue

SEVERITIES = ("error", "warning", "info")
#: What a claim-level rule may read of a claim-only encounter: claim-line fields, then encounter fields.
CLAIM_FIELDS = frozenset(
    {
        "code",
        "modifiers",
        "units",
        "diagnoses",
        "dose",
        "place_of_service",
        "payer",
        "contractor",
        "claim_type",
        "prior_sessions",
        "drug_facts",  # container, amounts, supplier and NDC of a drug line (optional claims-file columns)
    }
)
#: What a claim-level rule reads unless it declares otherwise: everything but diagnoses, prior sessions, drug
#: facts and the contractor. No claim-level rule reads the contractor itself: it acts only through which rules
#: are in force (the date its LCD begins), and the audit keys sessions on that anyway.
DEFAULT_READS = CLAIM_FIELDS - {"diagnoses", "prior_sessions", "drug_facts", "contractor"}
FAMILIES = {
    "cpt": "CPT coding guidelines",
    "ncci": "NCCI bundling (procedure-to-procedure edits and same-day services)",
    "mue": "Medically unlikely edits (units per day)",
    "lcd": "Medicare ESI coverage (LCD and billing article)",
    "doc": "Documentation requirements",
    "drug": "Drugs and units",
    "payer": "Payer profile policy (non-Medicare frequency limits)",
}


class Hit(NamedTuple):
    """What a rule function yields: a message, the 0-based claim line indices it concerns, and options."""

    message: str
    lines: tuple[int, ...] = ()
    severity: str | None = None
    table: str = ""  # the CMS table the hit rests on (vintage and files), when it rests on one
    citations: tuple[str, ...] | None = None  # replaces the rule's sources (e.g. without the shipped table's)


class Finding(NamedTuple):
    """One finding: its rule, severity, plain message, 1-based claim line numbers and citations.

    A named tuple (immutable, cheap to create: a check makes several per encounter)."""

    rule_id: str
    title: str
    family: str
    severity: str
    message: str
    lines: tuple[int, ...]  # 1-based claim line numbers
    citations: tuple[str, ...]
    table: str = ""  # the CMS table used (vintage and files), for findings resting on one

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule_id": self.rule_id,
            "title": self.title,
            "family": self.family,
            "severity": self.severity,
            "message": self.message,
            "lines": list(self.lines),
            "citations": list(self.citations),
        }
        if self.table:
            out["table"] = self.table
        return out


@dataclass(frozen=True)
class Context:
    """What a rule sees: the encounter, the date rules are evaluated for, and the claim lines under check."""

    encounter: Encounter
    day: dt.date
    lines: tuple[ClaimLine, ...]
    derivation: Derivation
    billed: bool

    @memoised_property
    def codes(self) -> tuple[catalogue.Code, ...]:
        return tuple(catalogue.lookup(line.code) for line in self.lines)

    @memoised_property
    def triples(self) -> tuple[tuple[int, ClaimLine, catalogue.Code], ...]:
        return tuple((i, line, code) for i, (line, code) in enumerate(zip(self.lines, self.codes, strict=True)))

    def indexed(
        self, predicate: Callable[[catalogue.Code], bool] | None = None
    ) -> Sequence[tuple[int, ClaimLine, catalogue.Code]]:
        """(index, line, catalogue row) for the claim lines whose code satisfies ``predicate`` (all lines
        without one)."""
        if predicate is None:
            return self.triples
        return [t for t in self.triples if predicate(t[2])]

    @memoised_property
    def ncci_tables(self) -> Tables:
        """The CMS tables the claim is checked against: those in force on the day, in the claim's setting
        (a hospital outpatient facility claim: the outpatient hospital tables when installed)."""
        return tables_for_claim(self.day, self.encounter.claim_type, self.encounter.place_of_service)

    @memoised_property
    def families(self) -> frozenset[str]:
        """Code families on the claim (rules use it to return early when nothing concerns them)."""
        return frozenset(code.family for code in self.codes)

    @memoised_property
    def modifiers(self) -> frozenset[str]:
        """Every modifier on the claim lines (rules about one modifier return early when it is absent)."""
        return frozenset(m for line in self.lines for m in line.modifiers)

    @memoised_property
    def sedation(self) -> bool:
        """Sedation was given: a sedation code on the claim, or a 99151-99157 service in the record."""
        return "sedation" in self.families or any(s.code.startswith("9915") for s in self.encounter.other_services)

    @memoised_property
    def has_addon(self) -> bool:
        return any(code.is_addon for code in self.codes)

    @memoised_property
    def claim_only(self) -> bool:
        """The encounter is a claim without clinical facts (the audit's view of a session)."""
        return self.encounter.claim_only

    @memoised_property
    def covered_regions(self) -> tuple[str, ...]:
        """Region families of the ESIs subject to the LCD limits, in order: from the procedures, or for a
        claim-only encounter from the ESI lines billed (the claim cannot show an exempt purpose)."""
        if self.claim_only:
            return tuple(dict.fromkeys(c.region_family for c in self.codes if c.is_esi and c.region_family))
        return tuple(dict.fromkeys(rf for p in self.encounter.covered_procedures for rf in p.region_families))

    @memoised_property
    def expected_codes(self) -> set[str]:
        return {line.code for line in self.derivation.lines}

    @memoised_property
    def billed_codes(self) -> set[str]:
        return {line.code for line in self.lines}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    family: str
    severity: str
    sources: tuple[str, ...]
    func: Callable[[Context], Iterable[Hit]] = field(repr=False, compare=False)
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    coverage: bool = False
    codes: tuple[str, ...] = ()
    doc: str = ""
    effective_note: str = ""
    #: What a claims file cannot show for this rule; None = the rule needs the record (not claim-level).
    claims: str | None = None
    #: The claim fields (CLAIM_FIELDS) the rule's claim-level evaluation reads; the audit evaluates it once per
    #: distinct combination of these (a declaration the generated agreement test holds it to).
    reads: frozenset[str] = DEFAULT_READS

    @property
    def claim_level(self) -> bool:
        """Evaluated by the claims audit as well as by ``check()``."""
        return self.claims is not None

    @property
    def effective_text(self) -> str:
        text = describe_window(self.effective_from, self.effective_to).replace("always", "all dates of service")
        if self.effective_note:
            text += f" ({self.effective_note})"
        if self.family == "lcd" and self.coverage:
            text += " (by contractor LCD: 2021-12-05, 2021-12-12 or 2022-06-19)"
        return text

    def start_for(self, encounter: Encounter) -> dt.date | None:
        return self._start(encounter.lcd_effective)

    def _start(self, lcd_effective: dt.date | None) -> dt.date | None:
        if self.family == "lcd" and self.effective_from is not None:
            return lcd_effective or self.effective_from
        return self.effective_from

    def applies_on(self, day: dt.date, lcd_effective: dt.date | None, medicare: bool) -> bool:
        """In force on ``day`` for this contractor's LCD date and payer (LCD rules are Medicare policy)."""
        if self.family == "lcd" and not medicare:
            return False
        return in_window(day, self._start(lcd_effective), self.effective_to)

    def applies(self, ctx: Context) -> bool:
        return self.applies_on(ctx.day, ctx.encounter.lcd_effective, ctx.encounter.lcd_applies) and (
            self.family != "mue"
            or (ctx.encounter.payer_profile.mue_edits and ctx.encounter.claim_type == "professional")
        )

    def run(self, ctx: Context) -> list[Finding]:
        """The rule's findings for this context (call only when the rule applies)."""
        return [self.finding(ctx, hit) for hit in self.func(ctx)]

    def finding(self, ctx: Context, hit: Hit) -> Finding:
        """A Finding from one hit: the rule's metadata, 1-based lines, coverage severity for GA/GZ lines."""
        severity = hit.severity or self.severity
        message = hit.message
        if self.coverage:
            lines = [ctx.lines[i] for i in hit.lines]
            if not lines:
                severity, message = "info", message + " (no claim line reports this service)"
            elif all(line.has("GA", "GZ") for line in lines):
                severity, message = "info", message + " Reported with GA/GZ: the expected denial is declared."
        numbers = tuple(i + 1 for i in sorted(set(hit.lines)))
        citations = self.sources if hit.citations is None else hit.citations
        return Finding(self.id, self.title, self.family, severity, message, numbers, citations, hit.table)


REGISTRY: dict[str, Rule] = {}


def rule(
    rule_id: str,
    title: str,
    family: str,
    severity: str,
    sources: tuple[str, ...],
    *,
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
    coverage: bool = False,
    codes: tuple[str, ...] = (),
    doc: str | None = None,
    note: str = "",
    claims: str | None = None,
    reads: frozenset[str] = DEFAULT_READS,
) -> Callable[[Callable[[Context], Iterable[Hit]]], Callable[[Context], Iterable[Hit]]]:
    """Register the decorated function as a rule; its docstring becomes the rule's reference text.

    ``claims`` makes it a claim-level rule (see the module docstring): the text says what a claims file
    cannot show, or that it shows everything the rule reads; ``reads`` names the claim fields it looks at
    (default :data:`DEFAULT_READS`)."""
    assert family in FAMILIES and severity in SEVERITIES and sources and reads <= CLAIM_FIELDS, rule_id

    def register(func: Callable[[Context], Iterable[Hit]]) -> Callable[[Context], Iterable[Hit]]:
        assert rule_id not in REGISTRY, f"duplicate rule id {rule_id}"
        REGISTRY[rule_id] = Rule(
            rule_id,
            title,
            family,
            severity,
            tuple(sources),
            func,
            effective_from,
            effective_to,
            coverage,
            tuple(codes),
            inspect.cleandoc(doc or func.__doc__ or ""),
            note,
            " ".join(claims.split()) if claims is not None else None,
            frozenset(reads),
        )
        return func

    return register


def line_list(ctx: Context, indices: Iterable[int]) -> str:
    """'line 2 (64484-50 x1)' text for messages."""
    return ", ".join(f"line {i + 1} ({ctx.lines[i]})" for i in indices)
