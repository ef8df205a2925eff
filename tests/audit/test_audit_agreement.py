"""The audit and check() agree on every example encounter's claim (billed, and the suggested claim).

Each claim is turned into claim rows (prior sessions become earlier claims of the same patient) and audited.
The audit's findings must equal, rule for rule and line for line, those of ``check()`` on the claim-only
encounter of the same rows (``claim_encounter``): the audit runs the very same rules.

Where ``check()`` on the full encounter (with its clinical facts) differs from the claim-only answer, the
difference must be on a rule that declares, in ``Rule.claims``, that a claims file cannot show something it
reads (the statement rendered on the rule's page); a rule that says a claims file shows everything it reads
may never differ.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from audit_encounter_rows import claim_lines, rows_for

from esi_reference.audit import AUDIT_RULE_IDS, audit_frame
from esi_reference.audit.columns import COLUMN_NAMES
from esi_reference.engine import check
from esi_reference.model.encounter import claim_encounter, parse_encounter
from esi_reference.rules import rule_by_id

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


def _cases():
    for path in EXAMPLES:
        data = json.loads(path.read_text(encoding="utf-8"))
        for which in ("billed", "suggested"):
            if which == "billed" and data.get("claim") is None:
                continue
            yield pytest.param(path, which, id=f"{path.stem}-{which}")


def _claim_only(enc, lines):
    """The claim-only encounter of the rows ``rows_for`` writes (a line without diagnoses gets the
    encounter's; the drug dose goes on the first line of each drug; prior sessions of the same payer)."""
    lines = tuple(dataclasses.replace(x, diagnoses=x.diagnoses or enc.diagnoses, reason="") for x in lines)
    doses, seen, given = [], set(), {}
    for g in enc.drugs:
        given[g.drug] = given.get(g.drug, 0.0) + g.dose
    for x in lines:
        drug = next((d for d in given if d not in seen and x.code in _drug_codes(d)), None)
        seen.add(drug)
        doses.append(given[drug] if drug else None)
    prior = enc.prior_sessions  # the audit counts earlier sessions of the same payer profile
    fields = {
        "place_of_service": enc.place_of_service,
        "payer": enc.payer,
        "contractor": enc.contractor,
        "claim_type": enc.claim_type,
    }
    return claim_encounter(enc.date_of_service, lines, tuple(doses), prior, **fields)


def _drug_codes(drug: str) -> set[str]:
    from esi_reference.reference.drugs import DRUGS

    return set(DRUGS[drug]["codes"].split())


def _pairs(report) -> set[tuple[str, int]]:
    return {(f.rule_id, n) for f in report.findings if f.rule_id in AUDIT_RULE_IDS for n in f.lines}


def _compare(path: Path, which: str):
    """(full-facts engine, claim-only engine, audit) as sets of (rule id, line)."""
    enc = parse_encounter(json.loads(path.read_text(encoding="utf-8")))
    lines = tuple(claim_lines(enc, which))
    full = _pairs(check(dataclasses.replace(enc, claim=lines)))
    claim_only = _pairs(check(_claim_only(enc, lines)))
    rows = rows_for(enc, lines)
    result = audit_frame(pd.DataFrame(rows, columns=list(COLUMN_NAMES), dtype=str))
    assert len(result.rejects) == 0, result.rejects["reason"].tolist()
    assert len(result.lines) == len(rows)
    current = result.findings[result.findings["claim_id"] == "CUR"]
    audited = {(str(r), int(n)) for r, n in zip(current["rule_id"], current["line_number"], strict=True)}
    return full, claim_only, audited


def test_examples_exist():
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(("path", "which"), list(_cases()))
def test_audit_agrees_with_check(path, which):
    full, claim_only, audited = _compare(path, which)
    assert audited == claim_only
    for rule_id in {r for r, _ in full ^ claim_only}:
        statement = rule_by_id(rule_id).claims
        assert statement and not statement.startswith("Nothing"), (rule_id, statement)


def test_agreement_is_not_vacuous():
    """Most audit rules fire on some example, in both the engine and the audit."""
    fired = set()
    for param in _cases():
        full, _claim_only_pairs, audited = _compare(*param.values)
        fired |= {r for r, _ in full & audited}
    assert len(fired) >= 12, sorted(fired)
