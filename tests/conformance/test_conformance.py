"""The conformance corpus: every case in cases/ agrees with the public guidance it records.

A case with ``known_difference`` may miss (the reason is shown on the site's rule pages); any other miss
fails, and so does a pass rate under 95%. The rate is printed (``pytest -s`` or the terminal summary).
"""

from __future__ import annotations

import pytest

from esi_reference.conformance import CASES_DIR, evaluate, known_differences, load_cases, pass_rate, run

CASES = load_cases(CASES_DIR)
MINIMUM_PASS_RATE = 0.95


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_case_agrees_with_its_source(case: dict) -> None:
    outcome = evaluate(case)
    if outcome.known:
        assert outcome.case["known_difference"].strip()
        return
    assert outcome.passed, f"{case['id']} ({case['source']['title']}): " + "; ".join(outcome.problems)


def test_pass_rate(capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = run(CASES_DIR)
    rate = pass_rate(outcomes)
    misses = [o for o in outcomes if not o.passed]
    with capsys.disabled():
        print(f"\nconformance: {sum(o.passed for o in outcomes)}/{len(outcomes)} cases agree ({rate:.1%})")
        for o in misses:
            print(f"  known difference {o.case['id']}: {o.case.get('known_difference', 'NONE')}")
    assert outcomes
    assert rate >= MINIMUM_PASS_RATE


def test_known_differences_are_listed_per_rule() -> None:
    listed = {entry["id"] for entries in known_differences(CASES_DIR).values() for entry in entries}
    assert listed == {c["id"] for c in CASES if c.get("known_difference")}


def test_malformed_case_is_named(tmp_path) -> None:
    (tmp_path / "bad.json").write_text('{"id": "other"}')
    with pytest.raises(ValueError, match=r"bad\.json"):
        load_cases(tmp_path)
