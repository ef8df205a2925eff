"""The in-page trainer's Python side: what the exercise pages' web worker calls, as JSON-ready dicts.

The site's exercise pages run this module under Pyodide in a web worker (``book/_assets/practice-worker.js``);
the page only collects input and shows what comes back. Every decision - the score, which line is wrong and
why, which rule and source, what stays hidden until the learner passes or asks for the answer - is made
here or in :mod:`esi_reference.trainer.grading`. Everything the learner typed is escaped before it is shown.

* :func:`case` - a scenario as the page shows it (narrative, setting line, number of hints; no key);
* :func:`grade_answer` - grade claim lines (``[{"code", "modifiers", "units"}]``): score, pass, feedback
  HTML; the key and learning points only once passed;
* :func:`show_answer` - the key and learning points (the learner asked: the page records it);
* :func:`hint` - one hint at a time; :func:`new_case` - a generated case (:mod:`esi_reference.trainer.generator`);
* :func:`answers_csv` - the learner's answers in the gradebook's CSV format (``esi-ref grade``);
* :func:`call` - the worker's one entry point: an operation name and JSON arguments in, JSON out.

Standard library only.

>>> r = grade_answer("tf-bilateral-one-level", [{"code": "64483", "modifiers": ["RT"], "units": 1}])
>>> r["passed"], "64483-50" in r["html"]
(False, False)
>>> grade_answer("tf-bilateral-one-level", [{"code": "64483", "modifiers": ["50"]}])["passed"]
True
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from esi_reference.errors import EsiError
from esi_reference.trainer.feedback import cite_html, feedback_html
from esi_reference.trainer.grading import PASS_MARK, Citation, grade
from esi_reference.trainer.scenarios import TOPICS, Scenario, get, scenarios

#: Columns of the answers file :func:`esi_reference.trainer.gradebook.grade_rows` reads.
ANSWER_COLUMNS = ("learner", "scenario", "line", "code", "modifiers", "units")
MAX_LINES = 20


def setting(s: Scenario) -> str:
    """The encounter's setting in one line (date, place, payer, ABN, diagnoses)."""
    e = s.encounter
    return (
        f"Date of service {e.date_of_service.isoformat()}; place of service {e.place_of_service}; "
        f"payer {e.payer}{'; ABN on file' if e.abn_on_file else ''}; diagnoses {', '.join(e.diagnoses) or 'none'}."
    )


def case(s: Scenario | str) -> dict[str, Any]:
    """A scenario as the page shows it before any answer: no key, no learning points."""
    s = get(s) if isinstance(s, str) else s
    return {
        "id": s.id,
        "title": s.title,
        "topic": s.topic,
        "topic_title": TOPICS[s.topic][0],
        "level": s.difficulty_label,
        "narrative": s.narrative,
        "setting": setting(s),
        "hints": len(s.hints),
    }


def topic_cases(topic: str) -> list[dict[str, Any]]:
    """The public (not hidden) scenarios of one topic, in the bank's order."""
    return [case(s) for s in scenarios(topic, include_hidden=False)]


def learning_points_html(s: Scenario) -> str:
    items = "".join(
        f"<li>{html.escape(lp.text)} <span class='esi-sources'>Source: "
        f"{', '.join(cite_html(Citation.of(src)) for src in lp.sources)}</span></li>"
        for lp in s.learning_points
    )
    return f"<p><b>Learning points</b></p><ul>{items}</ul>"


def _key_html(s: Scenario) -> str:
    key = ", ".join(str(line) for line in s.expected_lines) or "no billable line"
    nb = ", ".join(s.not_billable)
    return (
        f"<p><b>Answer key:</b> <code>{html.escape(key)}</code>"
        + (f"; not billable: <code>{html.escape(nb)}</code>" if nb else "")
        + "</p>"
    )


def _lines(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The page's rows as grade() input: empty rows dropped, modifiers split on spaces/hyphens/commas."""
    out = []
    for row in list(lines)[:MAX_LINES]:
        code = str(row.get("code") or "").strip()
        if not code:
            continue
        mods = row.get("modifiers") or []
        if isinstance(mods, str):
            mods = mods.replace("-", " ").replace(",", " ").split()
        item: dict[str, Any] = {"code": code, "modifiers": [str(m).strip() for m in mods if str(m).strip()]}
        units = row.get("units")
        if units not in (None, ""):
            try:
                item["units"] = int(str(units).strip())
            except ValueError:
                item["units"] = str(units)  # grade() reports it as an unreadable line
        out.append(item)
    return out


def grade_answer(scenario_id: str, lines: Iterable[Mapping[str, Any]], pass_mark: float = PASS_MARK) -> dict[str, Any]:
    """Grade the page's claim lines; the key and learning points are included only when passed."""
    s = get(scenario_id)
    g = grade(s, _lines(lines), pass_mark)
    body = feedback_html(g, show_key=g.passed) + (learning_points_html(s) if g.passed else "")
    return {"scenario": s.id, "score": round(g.score, 4), "percent": g.percent, "passed": g.passed, "html": body}


def show_answer(scenario_id: str) -> dict[str, Any]:
    s = get(scenario_id)
    return {"scenario": s.id, "html": _key_html(s) + learning_points_html(s)}


def hint(scenario_id: str, number: int) -> dict[str, Any]:
    """Hints 1..number (1-based), and whether more remain."""
    s = get(scenario_id)
    n = max(1, min(int(number), len(s.hints)))
    return {"hints": list(s.hints[:n]), "more": n < len(s.hints)}


def new_case(topic: str | None, seed: int, number: int) -> dict[str, Any]:
    """Generated case ``number`` of ``seed`` (for ``topic``), as :func:`case` shows it."""
    from esi_reference.trainer.generator import case as generated

    return case(generated(int(seed), int(number), topic or None))


def answers_csv(learner: str, answers: Mapping[str, Iterable[Mapping[str, Any]]]) -> str:
    """The learner's last answer per scenario as the gradebook's answers CSV (one row per claim line;
    a scenario answered with no line gets one row with an empty code)."""
    name = " ".join(str(learner).split())[:80] or "learner"
    if name[0] in "=+-@\t\r":  # a spreadsheet would read it as a formula
        name = "'" + name
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ANSWER_COLUMNS)
    for sid, lines in answers.items():
        get(sid)  # an unknown id is a bad input, reported by the caller
        rows = _lines(lines)
        if not rows:
            w.writerow([name, sid, "", "", "", ""])
        for n, row in enumerate(rows, 1):
            w.writerow([name, sid, n, row["code"], " ".join(row["modifiers"]), row.get("units", 1)])
    return buf.getvalue()


#: What the page may call (:func:`call`).
OPERATIONS = ("case", "grade_answer", "show_answer", "hint", "new_case", "answers_csv")


def call(operation: str, arguments: str) -> str:
    """The worker's entry point: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}`` as JSON.

    >>> json.loads(call("hint", '["tf-bilateral-one-level", 1]'))["ok"]
    True
    >>> json.loads(call("open", "[]"))
    {'ok': False, 'error': 'unknown operation open'}
    """
    if operation not in OPERATIONS:
        return json.dumps({"ok": False, "error": f"unknown operation {operation}"})
    try:
        return json.dumps({"ok": True, "result": globals()[operation](*json.loads(arguments))})
    except EsiError as exc:
        return json.dumps({"ok": False, "error": str(exc)})
    except (TypeError, ValueError) as exc:  # arguments the page should never send
        return json.dumps({"ok": False, "error": f"{operation}: {exc}"})


def warm_up() -> None:
    """Run every page call once (imports, scenario bank, rule registry, caches): the worker's memory
    snapshot is taken after this, so the first real call in the page is as fast as the next ones."""
    first = scenarios(include_hidden=False)[0].id
    for operation, arguments in (
        ("case", [first]),
        ("grade_answer", [first, [{"code": "62321"}]]),
        ("hint", [first, 1]),
        ("show_answer", [first]),
        ("new_case", [None, 1, 1]),
        ("answers_csv", ["learner", {first: [{"code": "62321"}]}]),
    ):
        reply = json.loads(call(operation, json.dumps(arguments)))
        if not reply["ok"]:
            raise EsiError(f"warm-up {operation}: {reply['error']}")
