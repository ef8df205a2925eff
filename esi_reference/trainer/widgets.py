"""Exercise widgets: a thin ipywidgets view over :func:`esi_reference.trainer.grading.grade`.

``trainer("transforaminal")`` shows the scenarios of one topic, one at a time: the narrative, an editable
claim (add / remove lines: code, modifiers, units), **Grade**, **Hint**, **Previous** / **Next**, a
feedback panel, a progress bar and a score summary. All grading is done by ``grade()``; this module only
collects input and shows the result. Everything the learner types is escaped before it is shown.

The same code runs in Jupyter (CPython) and in the browser (JupyterLite, Pyodide). Tests drive it
headless: set the widgets' values, call ``.click()`` on a button, read ``feedback.value``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as w

from esi_reference.reference import catalogue
from esi_reference.trainer import practice
from esi_reference.trainer.feedback import feedback_html
from esi_reference.trainer.grading import PASS_MARK, Grade, grade
from esi_reference.trainer.scenarios import TOPICS, Scenario, scenarios

_CODE_OPTIONS = tuple(c.code for c in catalogue.codes() if not c.is_range)


class ClaimLineRow(w.HBox):
    """One editable claim line: code, modifiers (space or hyphen separated), units, and a remove button."""

    def __init__(self, code: str = "", modifiers: str = "", units: int = 1) -> None:
        self.code = w.Combobox(
            value=code,
            options=_CODE_OPTIONS,
            placeholder="code, e.g. 62321",
            ensure_option=False,
            layout=w.Layout(width="150px"),
            description="Code",
            style={"description_width": "40px"},
        )
        self.modifiers = w.Text(
            value=modifiers,
            placeholder="e.g. 50 or RT",
            layout=w.Layout(width="170px"),
            description="Modifiers",
            style={"description_width": "65px"},
        )
        self.units = w.BoundedIntText(
            value=units,
            min=1,
            max=9999,
            layout=w.Layout(width="120px"),
            description="Units",
            style={"description_width": "40px"},
        )
        self.remove = w.Button(description="Remove", icon="", tooltip="remove this line", layout=w.Layout(width="80px"))
        self.code.add_class("esi-code")
        self.modifiers.add_class("esi-modifiers")
        self.units.add_class("esi-units")
        super().__init__([self.code, self.modifiers, self.units, self.remove])

    def as_dict(self) -> dict[str, object]:
        mods = [m for m in self.modifiers.value.replace("-", " ").replace(",", " ").split() if m]
        return {"code": self.code.value.strip(), "modifiers": mods, "units": self.units.value}


class Trainer(w.VBox):
    """The exercise widget for a set of scenarios (see the module docstring)."""

    def __init__(self, items: Sequence[Scenario], pass_mark: float = PASS_MARK, title: str = "") -> None:
        if not items:
            raise ValueError("a trainer needs at least one scenario")
        self.items = tuple(items)
        self.pass_mark = pass_mark
        self.index = 0
        self.results: dict[str, Grade] = {}
        self.hints_shown = 0
        self.heading = w.HTML()
        self.narrative = w.HTML()
        self.rows: list[ClaimLineRow] = []
        self.lines_box = w.VBox()
        self.add_button = w.Button(description="Add line", tooltip="add a claim line")
        self.grade_button = w.Button(description="Grade", button_style="primary")
        self.hint_button = w.Button(description="Hint", tooltip="one hint at a time")
        self.prev_button = w.Button(description="Previous")
        self.next_button = w.Button(description="Next")
        self.feedback = w.HTML()
        self.hint_box = w.HTML()
        self.progress = w.IntProgress(
            value=0, min=0, max=len(self.items), description="Passed", style={"description_width": "50px"}
        )
        self.position = w.HTML()
        self.summary = w.HTML()
        self.feedback.add_class("esi-feedback")
        self.hint_box.add_class("esi-hint")
        self.summary.add_class("esi-summary")
        self.add_button.on_click(lambda _: self.add_line())
        self.grade_button.on_click(lambda _: self.grade())
        self.hint_button.on_click(lambda _: self.show_hint())
        self.prev_button.on_click(lambda _: self.go(self.index - 1))
        self.next_button.on_click(lambda _: self.go(self.index + 1))
        header = w.HTML(f"<h3>{html.escape(title)}</h3>") if title else w.HTML()
        super().__init__(
            [
                header,
                w.HBox([self.position, self.progress]),
                self.heading,
                self.narrative,
                w.HTML("<b>Your claim</b>"),
                self.lines_box,
                w.HBox([self.add_button, self.grade_button, self.hint_button, self.prev_button, self.next_button]),
                self.hint_box,
                self.feedback,
                self.summary,
            ]
        )
        self.go(0)

    # --------------------------------------------------------------------------------- learner actions
    @property
    def scenario(self) -> Scenario:
        return self.items[self.index]

    def add_line(self, code: str = "", modifiers: str = "", units: int = 1) -> ClaimLineRow:
        row = ClaimLineRow(code, modifiers, units)
        row.remove.on_click(lambda _, r=row: self.remove_line(r))
        self.rows.append(row)
        self.lines_box.children = tuple(self.rows)
        return row

    def remove_line(self, row: ClaimLineRow | int) -> None:
        if isinstance(row, int):
            row = self.rows[row]
        self.rows.remove(row)
        self.lines_box.children = tuple(self.rows)

    def answer(self) -> list[dict[str, object]]:
        """The learner's claim lines (rows with an empty code are ignored)."""
        return [r.as_dict() for r in self.rows if r.code.value.strip()]

    def grade(self) -> Grade:
        g = grade(self.scenario, self.answer(), self.pass_mark)
        best = self.results.get(self.scenario.id)
        if best is None or g.score >= best.score:
            self.results[self.scenario.id] = g
        self.feedback.value = feedback_html(g, show_key=g.passed) + (self._learning_points() if g.passed else "")
        self._update_progress()
        return g

    def show_hint(self) -> str:
        hints = self.scenario.hints
        if self.hints_shown < len(hints):
            self.hints_shown += 1
        shown = "".join(f"<li>{html.escape(h)}</li>" for h in hints[: self.hints_shown])
        more = "" if self.hints_shown < len(hints) else "<i>No more hints for this scenario.</i>"
        self.hint_box.value = f"<div class='esi-hints'><b>Hints</b><ol>{shown}</ol>{more}</div>"
        return hints[self.hints_shown - 1]

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.items) - 1))
        s = self.scenario
        self.heading.value = (
            f"<h4>{html.escape(s.title)} <small>({html.escape(s.difficulty_label)}, "
            f"{html.escape(TOPICS[s.topic][0])})</small></h4>"
        )
        setting = practice.setting(s)
        self.narrative.value = (
            f"<blockquote>{html.escape(s.narrative)}</blockquote><p><small>{html.escape(setting)}</small></p>"
        )
        self.rows = []
        self.lines_box.children = ()
        self.add_line()
        self.hints_shown = 0
        self.hint_box.value = ""
        self.feedback.value = ""
        self.prev_button.disabled = self.index == 0
        self.next_button.disabled = self.index == len(self.items) - 1
        self._update_progress()

    # ---------------------------------------------------------------------------------------- display
    def _learning_points(self) -> str:
        return practice.learning_points_html(self.scenario)

    def _update_progress(self) -> None:
        passed = sum(g.passed for g in self.results.values())
        self.progress.value = passed
        self.position.value = f"Scenario {self.index + 1} of {len(self.items)}&nbsp;&nbsp;"
        self.summary.value = self.summary_html()

    def summary_html(self) -> str:
        if not self.results:
            return ""
        rows = []
        for s in self.items:
            g = self.results.get(s.id)
            mark = "-" if g is None else f"{g.percent}% {'passed' if g.passed else 'not yet'}"
            rows.append(f"<tr><td>{html.escape(s.title)}</td><td>{html.escape(mark)}</td></tr>")
        graded = list(self.results.values())
        mean = round(100 * sum(g.score for g in graded) / len(graded))
        passed = sum(g.passed for g in graded)
        return (
            f"<details><summary>Score summary: {passed} of {len(self.items)} passed; mean {mean}% over "
            f"{len(graded)} graded</summary><table>{''.join(rows)}</table></details>"
        )


def trainer(
    topic: str | None = None,
    *,
    ids: Sequence[str] | None = None,
    pass_mark: float = PASS_MARK,
    include_hidden: bool = False,
) -> Trainer:
    """A :class:`Trainer` over one topic's scenarios (or the listed ids, or the whole public bank)."""
    if ids is not None:
        from esi_reference.trainer.scenarios import get

        items: Sequence[Scenario] = [get(i) for i in ids]
    else:
        items = scenarios(topic, include_hidden=include_hidden)
    title = TOPICS[topic][0] if topic else "ESI coding practice"
    return Trainer(items, pass_mark=pass_mark, title=title)
