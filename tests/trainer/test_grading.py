"""grade(): partial credit, per-line feedback naming rules and sources, hints, pass mark, escaping."""

from __future__ import annotations

import pytest

from esi_reference.errors import EsiError
from esi_reference.trainer.feedback import feedback_html
from esi_reference.trainer.grading import (
    EXTRA_PENALTY,
    LINE_POINTS,
    Grade,
    grade,
    hint,
    parse_answer,
    parse_line,
)
from esi_reference.trainer.scenarios import get, scenarios

BANK = scenarios()


def rule_ids(g: Grade) -> set[str]:
    return {f.rule_id for line in g.lines for f in line.findings} | {f.rule_id for f in g.general}


@pytest.mark.parametrize("scenario", BANK, ids=lambda s: s.id)
def test_the_key_scores_full_marks(scenario):
    g = grade(scenario, list(scenario.expected_lines))
    assert g.score == 1.0 and g.passed
    assert all(line.status == "correct" for line in g.lines)
    assert not any(f.severity == "error" for line in g.lines for f in line.findings)


def test_empty_answer_scores_only_the_not_billable_points():
    g = grade("imaging-fluoro-billed", [])
    assert g.possible == LINE_POINTS + 1
    assert g.score == pytest.approx(1 / 5)
    assert [line.status for line in g.lines] == ["missing"]
    assert "family: ESI, transforaminal" in g.lines[0].messages[0]
    assert "64483" not in g.lines[0].messages[0]  # a missing line is described, not given away


def test_partial_credit_for_modifiers_and_units():
    g = grade("tf-bilateral-two-levels", "64483-50 x1\n64484 x2")
    assert [line.status for line in g.lines] == ["correct", "partial"]
    assert g.lines[1].points == 2  # code right, modifiers and units wrong
    assert g.score == pytest.approx(6 / 8)
    assert "CPT-BILATERAL-ONE-LINE" in rule_ids(g) or "CPT-LEVEL-UNITS" in rule_ids(g)


def test_add_on_for_other_side_is_named_with_its_rule_and_source():
    g = grade("tf-addon-other-side", "64483-RT\n64484-LT")
    line2 = g.lines[1]
    assert line2.status == "extra" and line2.points == -EXTRA_PENALTY
    notes = {f.rule_id: f for f in line2.findings}
    assert "CPT-ADDON-OTHER-SIDE" in notes
    assert {c.id for c in notes["CPT-ADDON-OTHER-SIDE"].citations} >= {"CPT-GUIDE-TFESI-LEVELS"}
    assert not g.passed


def test_billing_a_not_billable_code_costs_points_and_cites_the_rule():
    g = grade("imaging-fluoro-billed", ["64483", "77003"])
    assert [line.status for line in g.lines] == ["correct", "not_billable"]
    assert g.score == pytest.approx((4 - 1) / 5)
    assert "CPT-IMAGING-INCLUDED" in {f.rule_id for f in g.lines[1].findings}
    cites = {c.id for f in g.lines[1].findings for c in f.citations}
    assert "CMS-PTP-PRAC-2024Q3" in cites


def test_extra_lines_are_penalised_but_score_never_negative():
    g = grade("il-cervical-fluoro", ["62321", "77003", "99213", "62323"])
    assert g.score >= 0
    assert g.penalty == 3 * EXTRA_PENALTY
    assert [line.status for line in g.lines] == ["correct", "extra", "extra", "extra"]
    assert grade("il-cervical-fluoro", ["62323", "62320", "62322"]).score == 0.0


def test_unreadable_lines_are_reported_not_crashing():
    g = grade("il-lumbar-fluoro", ["62323", "6232", {"code": "62323", "units": 0}, "hello world", "<b>x</b>"])
    assert [line.status for line in g.lines][:1] == ["correct"]
    assert [line.status for line in g.lines[1:]] == ["invalid"] * 4
    assert "did you mean" in g.lines[1].messages[0]
    assert g.score == 1.0  # unreadable lines earn nothing and cost nothing


def test_medicare_denial_modifiers_graded_via_engine():
    g = grade("freq-fifth-session", "64483")
    assert g.lines[0].status == "partial"
    assert "LCD-FREQUENCY" in rule_ids(g)
    assert grade("freq-fifth-session", "64483-GZ").passed
    assert grade("freq-fifth-session-abn", "62323-GZ").score != 1.0


def test_pass_mark_is_configurable():
    g = grade("tf-bilateral-two-levels", "64483-50 x1\n64484 x2")  # 75%, default pass mark 80%
    assert not g.passed
    assert grade("tf-bilateral-two-levels", "64483-50 x1\n64484 x2", pass_mark=0.7).passed
    assert grade("tf-bilateral-two-levels", "64483-50 x1\n64484 x2", pass_mark=0.75).passed
    with pytest.raises(EsiError):
        grade("tf-bilateral-two-levels", "64483", pass_mark=70)


def test_order_of_lines_does_not_matter():
    s = get("em-with-25")
    assert grade(s, ["99214-25", "64483"]).score == 1.0
    assert grade(s, ["64483", "99214 25 x1"]).score == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("64483-50 x1", "64483-50 x1"),
        ("64484 50 x2", "64484-50 x2"),
        ("j3301 X 4", "J3301 x4"),
        ("64483-RT", "64483-RT x1"),
        ("99214,25", "99214-25 x1"),
        ("62323 x1 units", "62323 x1"),
        ("64483-50-KX x1", "64483-50-KX x1"),
    ],
)
def test_parse_line_text(text, expected):
    assert str(parse_line(text)) == expected


@pytest.mark.parametrize("text", ["", "62321 x", "62321 xx1", "62321-5", "64483 x1 x2", "<script>"])
def test_parse_line_rejects_garbage(text):
    with pytest.raises(EsiError):
        parse_line(text)


def test_parse_answer_splits_lines_and_keeps_errors_in_place():
    out = parse_answer("64483-50\n\n nonsense ; J3301 x4")
    assert [type(x).__name__ for x in out] == ["ClaimLine", "EsiError", "ClaimLine"]


def test_hints_come_one_at_a_time_and_end():
    s = get("tf-three-levels")
    assert hint(s, 1) == s.hints[0]
    assert hint(s, len(s.hints)) == s.hints[-1]
    assert hint(s, len(s.hints) + 1) is None
    assert hint("tf-three-levels", 0) is None


def test_feedback_html_escapes_learner_input():
    g = grade("il-lumbar-fluoro", ["<script>alert(1)</script>", {"code": "62323", "modifiers": ["<i>"]}])
    page = feedback_html(g)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<i>" not in page.replace("<i>(", "")  # only our own <i>(severity)</i> tags remain


def test_feedback_html_names_rule_and_links_source():
    page = feedback_html(grade("il-bilateral-request", "62323-50"))
    assert "CPT-IL-NOT-BILATERAL" in page
    assert 'href="https://' in page
    assert "Answer key" not in page
    assert "Answer key" in feedback_html(grade("il-bilateral-request", "62323"), show_key=True)


def test_grade_text_and_dict():
    g = grade("il-bilateral-request", "62323-50")
    assert "CPT-IL-NOT-BILATERAL" in g.text()
    d = g.to_dict()
    assert d["scenario"] == "il-bilateral-request" and d["passed"] is False
    assert d["lines"][0]["findings"][0]["rule_id"]


def test_side_modifier_beyond_the_key_is_accepted_only_when_the_engine_is_silent():
    g = grade("tf-lumbar-one-level", "64483-RT")
    assert g.score == 1.0 and "RT/LT only tells which side" in g.lines[0].messages[1]
    assert grade("tf-lumbar-one-level", "64483-RT-LT").score < 1.0
    # a bilateral line reported as one side: the engine objects, so no modifier point
    g = grade("tf-bilateral-one-level", "64483-RT")
    assert g.lines[0].status == "partial"
    g = grade("il-lumbar-fluoro", "62323-RT")  # interlaminar codes take no laterality: the engine objects
    assert g.score < 1.0 and "CPT-IL-NOT-BILATERAL" in {f.rule_id for f in g.lines[0].findings}
