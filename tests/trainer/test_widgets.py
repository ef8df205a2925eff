"""Headless widget tests: set values, click() the buttons, assert the feedback (no kernel, no browser)."""

from __future__ import annotations

import pytest

from esi_reference.trainer.scenarios import get, scenarios
from esi_reference.trainer.widgets import ClaimLineRow, Trainer, trainer


def enter(t: Trainer, *lines: tuple[str, str, int]) -> None:
    while len(t.rows) < len(lines):
        t.add_button.click()
    for row, (code, mods, units) in zip(t.rows, lines, strict=False):
        row.code.value, row.modifiers.value, row.units.value = code, mods, units


def test_correct_answer_passes_and_shows_learning_points_and_progress():
    t = trainer("transforaminal")
    first = t.scenario
    enter(t, *[(line.code, " ".join(line.modifiers), line.units) for line in first.expected_lines])
    t.grade_button.click()
    assert "Passed: 100%" in t.feedback.value
    assert "Learning points" in t.feedback.value and "Answer key" in t.feedback.value
    assert t.progress.value == 1
    assert "1 of " in t.summary.value and "passed" in t.summary.value


def test_wrong_answer_shows_rule_and_source_but_not_the_key():
    t = trainer(ids=["il-bilateral-request"])
    enter(t, ("62323", "50", 1))
    t.grade_button.click()
    assert "Not yet" in t.feedback.value
    assert "CPT-IL-NOT-BILATERAL" in t.feedback.value
    assert "Source:" in t.feedback.value
    assert "Answer key" not in t.feedback.value
    assert t.progress.value == 0


def test_add_and_remove_lines():
    t = trainer(ids=["tf-bilateral-two-levels"])
    assert len(t.rows) == 1
    t.add_button.click()
    t.add_button.click()
    assert len(t.rows) == 3 and len(t.lines_box.children) == 3
    enter(t, ("64483", "50", 1), ("99999", "", 1), ("64484", "50", 1))
    t.rows[1].remove.click()
    assert [r.code.value for r in t.rows] == ["64483", "64484"]
    t.grade_button.click()
    assert "Passed: 100%" in t.feedback.value
    t.remove_line(0)
    assert [r.code.value for r in t.rows] == ["64484"]


def test_empty_rows_are_ignored_and_modifier_text_is_split():
    row = ClaimLineRow("64483", "50-kx, rt", 2)
    assert row.as_dict() == {"code": "64483", "modifiers": ["50", "kx", "rt"], "units": 2}
    t = trainer(ids=["tf-lumbar-one-level"])
    t.add_button.click()
    enter(t, ("64483", "", 1))
    assert t.answer() == [{"code": "64483", "modifiers": [], "units": 1}]


def test_learner_input_is_escaped_in_feedback():
    t = trainer(ids=["il-lumbar-fluoro"])
    enter(t, ("<script>alert('x')</script>", "<b>", 1))
    t.grade_button.click()
    assert "<script>" not in t.feedback.value
    assert "&lt;script&gt;" in t.feedback.value


def test_hint_button_reveals_hints_one_by_one_without_the_answer():
    t = trainer(ids=["tf-three-levels"])
    s = t.scenario
    t.hint_button.click()
    assert s.hints[0] in t.hint_box.value.replace("&#x27;", "'")
    assert s.hints[1] not in t.hint_box.value
    t.hint_button.click()
    t.hint_button.click()
    assert "No more hints" in t.hint_box.value
    assert "64484" not in t.hint_box.value


def test_next_previous_reset_the_form_and_keep_scores():
    t = trainer("drugs")
    ids = [s.id for s in scenarios("drugs", include_hidden=False)]
    assert [s.id for s in t.items] == ids
    assert t.prev_button.disabled and not t.next_button.disabled
    enter(t, ("62323", "", 1))
    t.grade_button.click()
    t.next_button.click()
    assert t.index == 1 and t.feedback.value == "" and t.rows[0].code.value == ""
    assert f"Scenario 2 of {len(ids)}" in t.position.value
    t.prev_button.click()
    assert t.index == 0
    for _ in range(len(ids) + 2):
        t.next_button.click()
    assert t.index == len(ids) - 1 and t.next_button.disabled
    assert ids[0] in t.results


def test_best_attempt_is_kept_and_summary_counts():
    t = trainer(ids=["il-bilateral-request", "il-lumbar-fluoro"])
    enter(t, ("62323", "", 1))
    t.grade_button.click()
    enter(t, ("62323", "50", 1))
    t.grade_button.click()
    assert t.results["il-bilateral-request"].score == 1.0
    assert "1 of 2 passed" in t.summary.value


def test_narrative_and_setting_are_shown_escaped():
    s = get("em-with-25")
    t = trainer(ids=[s.id])
    assert s.narrative[:30] in t.narrative.value
    assert "place of service 22" in t.narrative.value


def test_pass_mark_passes_through():
    t = trainer(ids=["tf-bilateral-two-levels"], pass_mark=0.7)
    enter(t, ("64483", "50", 1))
    t.add_button.click()
    enter(t, ("64483", "50", 1), ("64484", "", 2))
    t.grade_button.click()
    assert "Passed: 75%" in t.feedback.value


def test_hidden_scenarios_only_on_request():
    assert all(not s.hidden for s in trainer("interlaminar").items)
    assert any(s.hidden for s in trainer("interlaminar", include_hidden=True).items)
    with pytest.raises(ValueError):
        Trainer([])
