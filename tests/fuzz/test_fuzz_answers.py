"""Learners' answers - text in every spelling, dicts with junk values, claim-line objects, junk of any type -
graded for every scenario: a Grade (whose text and HTML render) or a typed error, nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import JUNK, examples

from esi_reference import EsiError
from esi_reference.trainer.feedback import feedback_html
from esi_reference.trainer.grading import grade
from esi_reference.trainer.scenarios import scenarios

SCENARIOS = [s.id for s in scenarios()]
TOKENS = st.sampled_from(
    ["64483", "64484", "62323", "62321", "77003", "J3301", "50", "RT", "LT", "59", "x1", "x2", "×3", "* 2",
     "units", "-", ",", ";", "\n", " ", "x0", "x99999", "6448", "=1+1", "\x1b[2J", "🦴"]
)  # fmt: skip
TEXT_ANSWER = st.lists(TOKENS, max_size=14).map(" ".join) | st.text(max_size=60)
DICT_LINE = st.fixed_dictionaries(
    {"code": st.sampled_from(["64483", "62323", "J3301", ""]) | JUNK},
    optional={"modifiers": st.sampled_from(["50", "RT LT", ["50"], []]) | JUNK, "units": st.integers(-1, 5) | JUNK},
)
ANSWERS = TEXT_ANSWER | st.lists(TEXT_ANSWER | DICT_LINE | JUNK, max_size=8) | DICT_LINE | JUNK


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SCENARIOS), ANSWERS)
def test_any_answer_gives_a_grade_or_a_typed_error(scenario, answer):
    try:
        result = grade(scenario, answer)
    except EsiError as exc:
        assert exc.field == "answer" and len(str(exc)) < 500
        return
    assert 0 <= result.score <= 1 and result.possible >= 0
    assert result.text() and feedback_html(result).startswith("<div")
