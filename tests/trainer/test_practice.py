"""The in-page trainer's Python side (esi_reference.trainer.practice) and the feedback that teaches (grading)."""

from __future__ import annotations

import io
import re

import pytest

from esi_reference.trainer import practice
from esi_reference.trainer.feedback import feedback_html
from esi_reference.trainer.gradebook import grade_rows
from esi_reference.trainer.grading import HIDDEN_CODE, aspect, grade, hide_codes
from esi_reference.trainer.scenarios import TOPICS, get, scenarios

WRONG_TRIES = [
    "62321",
    "62323",
    "64483",
    "64479-50",
    "62320",
    "62322 x2",
    "64484",
    "J3301 x4",
    "99213-25",
    "64483-RT\n64484-LT",
    "62323\n77003",
    "",
]


@pytest.mark.parametrize("s", scenarios(), ids=lambda s: s.id)
def test_wrong_feedback_never_names_a_key_code_the_learner_did_not_write(s):
    for answer in WRONG_TRIES:
        g = grade(s, answer)
        written = set(re.findall(r"[0-9A-Z]{5}", answer))
        shown = g.text() + feedback_html(g) + str(g.to_dict())
        for code in {line.code for line in s.expected_lines} - written:
            assert code not in shown and code.lower() not in shown, (answer, code)


def test_the_feedback_says_what_is_wrong_with_rule_and_source():
    g = grade("caudal-fluoro", "62321")
    (note,) = g.lines[0].findings
    assert note.aspect == "region" and note.rule_id == "CPT-REGION" and note.citations
    assert HIDDEN_CODE in note.message and "62323" not in note.message
    body = feedback_html(g)
    assert '<span class="esi-aspect">region</span>' in body and "Source:" in body


def test_partial_credit_and_the_key_after_a_pass():
    g = grade("tf-bilateral-one-level", "64483-RT")
    assert 0 < g.score < 1 and "64483" in g.text()  # the learner's own code stays visible
    passed = practice.grade_answer("tf-bilateral-one-level", [{"code": "64483", "modifiers": "50", "units": "1"}])
    assert passed["passed"] and "Answer key" in passed["html"] and "Learning points" in passed["html"]
    failed = practice.grade_answer("tf-bilateral-one-level", [{"code": "64483", "modifiers": "RT"}])
    assert not failed["passed"] and "Answer key" not in failed["html"]


def test_aspects_cover_every_family():
    assert aspect("CPT-IMAGING-CODE", "cpt") == "imaging" and aspect("CPT-IMAGING-INCLUDED", "cpt") == "bundling"
    assert aspect("LCD-FREQUENCY", "lcd") == "coverage" and aspect("CPT-BILATERAL-ONE-LINE", "cpt") == "modifier"
    assert aspect("DRUG-UNITS", "drug") == "units" and aspect("DOC-SIGNED", "doc") == "documentation"


def test_hide_codes_leaves_other_codes_and_longer_tokens():
    assert (
        hide_codes("62323 vs 623231 and X62323 and 62321", {"62323"}) == f"{HIDDEN_CODE} vs 623231 and X62323 and 62321"
    )


def test_topic_cases_have_no_key_and_no_hidden_scenario():
    for topic in TOPICS:
        cases = practice.topic_cases(topic)
        assert [c["id"] for c in cases] == [s.id for s in scenarios(topic, include_hidden=False)]
        for c in cases:
            assert set(c) == {"id", "title", "topic", "topic_title", "level", "narrative", "setting", "hints"}


def test_hints_one_at_a_time_and_show_answer():
    s = get("tf-bilateral-one-level")
    assert practice.hint(s.id, 1) == {"hints": list(s.hints[:1]), "more": len(s.hints) > 1}
    assert practice.hint(s.id, 99)["more"] is False
    assert "64483-50 x1" in practice.show_answer(s.id)["html"]


def test_learner_input_is_escaped():
    r = practice.grade_answer("caudal-fluoro", [{"code": "<script>alert(1)</script>", "modifiers": "<b>"}])
    assert "<script>" not in r["html"] and "&lt;script&gt;" in r["html"]


def test_answers_csv_is_graded_by_the_gradebook():
    answers = {
        "caudal-fluoro": [{"code": "62323", "modifiers": "", "units": "1"}],
        "tf-bilateral-one-level": [{"code": "64483", "modifiers": "RT LT", "units": 1}, {"code": ""}],
        "il-bilateral-request": [],
        "gen-7-1": [{"code": "64483", "modifiers": "50"}],
    }
    text = practice.answers_csv("=Ana, RN", answers)
    assert text.splitlines()[0] == ",".join(practice.ANSWER_COLUMNS)
    book = grade_rows(io.StringIO(text))
    assert not book.bad_rows
    learner = "'=Ana, RN"  # a leading '=' would be read as a formula by a spreadsheet
    assert book.grades[(learner, "caudal-fluoro")].passed
    assert not book.grades[(learner, "tf-bilateral-one-level")].passed
    assert book.grades[(learner, "il-bilateral-request")].score == 0
    assert (learner, "gen-7-1") in book.grades


def test_new_case_is_a_generated_case_for_the_topic():
    c = practice.new_case("drugs", 5, 2)
    assert c["id"] == "gen-5-2-drugs" and c["topic"] == "drugs" and "hints" in c
