"""Grading a learner's claim for a trainer scenario: partial credit, per-line feedback with rules and sources.

:func:`grade` compares the learner's lines with the scenario's answer key (which a test keeps equal to
``suggest_claim(facts)``) and runs the rule engine's ``check`` on the learner's claim. It re-implements no
billing rule: every "why" in the feedback is a finding of the engine, with its rule id and sources.

Scoring (points, then ``score = max(0, earned - penalties) / possible``):

* each expected line is worth 4 points: 2 for the code, 1 for the modifiers (as a set), 1 for the units;
  a side modifier (RT or LT) that the key omits is accepted when the engine reports nothing on that line;
* each code that must **not** be billed (``expected.not_billable``) is worth 1 point, earned by leaving it off;
* each extra line (a code that is neither expected nor on the not-billable list) costs 2 points, and a
  billed not-billable code costs 1 point on top of the point it forfeits;
* a line that cannot be read (unknown code, bad modifier or units) earns nothing and is reported as such.

``passed`` is ``score >= pass_mark`` (default :data:`PASS_MARK`, configurable per call). Hints come from the
scenario, one at a time (:func:`hint`); they ask a question and never name a code.

>>> g = grade("tf-bilateral-one-level", "64483-50 x1")
>>> g.score, g.passed
(1.0, True)
>>> g = grade("tf-bilateral-one-level", ["64483-RT", "64483-LT"])
>>> round(g.score, 2), g.passed, g.lines[0].status, g.lines[1].status
(0.25, False, 'partial', 'extra')
>>> sorted({f.rule_id for line in g.lines for f in line.findings})
['CPT-BILATERAL-ONE-LINE', 'MUE-UNITS']
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from esi_reference.engine import check
from esi_reference.errors import EsiError, InvalidEncounter, UnknownCode
from esi_reference.model.encounter import MAX_LIST, ClaimLine, parse_claim_line
from esi_reference.reference import catalogue
from esi_reference.reference.sources import source
from esi_reference.trainer.scenarios import Scenario, get

PASS_MARK = 0.8
#: An answer has at most as many lines as an encounter's claim, and a text answer at most this many characters.
MAX_ANSWER_LINES = MAX_LIST
MAX_ANSWER_CHARS = 20_000
CODE_POINTS, MODIFIER_POINTS, UNIT_POINTS = 2.0, 1.0, 1.0
LINE_POINTS = CODE_POINTS + MODIFIER_POINTS + UNIT_POINTS
NOT_BILLABLE_POINTS = 1.0
EXTRA_PENALTY = 2.0
NOT_BILLABLE_PENALTY = 1.0
#: Side modifiers: informational; accepted beyond the key when the engine reports nothing on the line.
SIDE_MODIFIERS = frozenset({"RT", "LT"})
STATUSES = ("correct", "partial", "not_billable", "extra", "invalid", "missing")
_UNITS = re.compile(r"^[x×*](\d{1,4})$", re.I)


@dataclass(frozen=True)
class Citation:
    id: str
    title: str
    url: str
    document_id: str

    @classmethod
    def of(cls, source_id: str) -> Citation:
        try:
            s = source(source_id)
        except EsiError:
            return cls(source_id, source_id, "", "")
        return cls(s.id, s.title, s.url, s.document_id)

    @property
    def label(self) -> str:
        return self.document_id or self.id


@dataclass(frozen=True)
class RuleNote:
    """One engine finding, as shown to the learner: rule id and title, severity, message, sources."""

    rule_id: str
    title: str
    severity: str
    message: str
    citations: tuple[Citation, ...]
    aspect: str = ""  #: what the finding is about, in a learner's words (see :func:`aspect`)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "message": self.message,
            "aspect": self.aspect,
            "sources": [c.id for c in self.citations],
        }


@dataclass(frozen=True)
class LineFeedback:
    """Feedback on one learner line (``number`` 1-based) or on a missing expected line (``number`` None)."""

    number: int | None
    answer: str
    status: str
    points: float
    possible: float
    messages: tuple[str, ...]
    findings: tuple[RuleNote, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.number,
            "answer": self.answer,
            "status": self.status,
            "points": self.points,
            "possible": self.possible,
            "messages": list(self.messages),
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class Grade:
    scenario_id: str
    score: float
    earned: float
    penalty: float
    possible: float
    pass_mark: float
    lines: tuple[LineFeedback, ...]
    general: tuple[RuleNote, ...]
    key: tuple[ClaimLine, ...]
    not_billable: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark - 1e-9

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def to_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario_id,
            "score": round(self.score, 4),
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "earned": self.earned,
            "penalty": self.penalty,
            "possible": self.possible,
            "lines": [line.to_dict() for line in self.lines],
            "general": [f.to_dict() for f in self.general],
        }

    def text(self) -> str:
        out = [
            f"Scenario {self.scenario_id}: {self.percent}% "
            f"({'passed' if self.passed else 'not passed'}; pass mark {round(self.pass_mark * 100)}%)"
        ]
        for line in self.lines:
            where = f"line {line.number}" if line.number else "missing"
            out.append(f"  {where}: {line.answer} - {line.status} ({line.points:g}/{line.possible:g})")
            out.extend(f"      {m}" for m in line.messages)
            for f in line.findings:
                out.append(f"      {f.rule_id} ({f.severity}): {f.message} [{'; '.join(c.label for c in f.citations)}]")
        for f in self.general:
            out.append(f"  note {f.rule_id} ({f.severity}): {f.message} [{'; '.join(c.label for c in f.citations)}]")
        return "\n".join(out)


# ---------------------------------------------------------------------------------------------- input
def parse_line(item: object) -> ClaimLine:
    """One answer line from a ClaimLine, a dict (code, modifiers, units) or text such as ``"64483-50 x1"``.

    >>> str(parse_line("64484 50 x2")), str(parse_line({"code": "j3301", "units": 4}))
    ('64484-50 x2', 'J3301 x4')
    """
    if isinstance(item, ClaimLine):
        data: dict[str, object] = {"code": item.code, "modifiers": list(item.modifiers), "units": item.units}
    elif isinstance(item, dict):
        data = {k: item[k] for k in ("code", "modifiers", "units") if k in item and item[k] not in (None, "")}
    elif isinstance(item, str):
        data = _read_text_line(item)
    else:
        raise EsiError(f"cannot read an answer line of type {type(item).__name__}", "answer")
    try:
        catalogue.lookup(data.get("code"))  # an unknown code: the catalogue's message suggests close codes
    except UnknownCode as exc:
        raise EsiError(str(exc), "answer") from None
    except EsiError:
        pass  # reported below with the field name
    try:
        return parse_claim_line(data)  # one line on its own: the whole-claim checks belong to check()
    except InvalidEncounter as exc:
        raise EsiError("; ".join(str(e).removeprefix("claim[0].") for e in exc.errors), "answer") from None


def _read_text_line(text: str) -> dict[str, object]:
    """``CODE[-MOD...] [xUNITS]`` -> dict; modifiers may be separated by hyphens, spaces or commas."""
    tokens = [t for t in re.split(r"[-\s,]+", re.sub(r"(?i)\b(x|×|\*)\s+(\d)", r"x\2", text.strip())) if t]
    tokens = [t for t in tokens if t.lower() not in ("unit", "units")]
    bad = EsiError(
        f"cannot read {text.strip()[:40]!r}: write a line as CODE-MODIFIER xUNITS, e.g. 64483-50 x1", "answer"
    )
    if not tokens or not re.fullmatch(r"[0-9A-Za-z]{4,5}", tokens[0]):
        raise bad
    data: dict[str, object] = {"code": tokens[0]}
    mods: list[str] = []
    for t in tokens[1:]:
        m = _UNITS.match(t)
        if m and "units" not in data:
            data["units"] = int(m.group(1))
        elif re.fullmatch(r"[0-9A-Za-z]{2}", t) and "units" not in data:
            mods.append(t)
        else:
            raise bad
    data["modifiers"] = mods
    return data


def answer_items(answer: object) -> list[object]:
    """The lines of an answer - text (lines split at newlines or ';'), one ClaimLine or dict, or an iterable
    of them - as a list; any other type, or more lines than an encounter's claim may have
    (:data:`MAX_ANSWER_LINES`), is a typed error. Reads at most one line past the limit of an iterable.

    >>> answer_items("64483-50 x1; 77003")
    ['64483-50 x1', ' 77003']
    >>> answer_items(None)
    Traceback (most recent call last):
    ...
    esi_reference.errors.EsiError: answer: expected text such as '64483-50 x1' or a list of claim lines, got NoneType
    """
    if isinstance(answer, str):
        if len(answer) > MAX_ANSWER_CHARS:
            raise EsiError(f"answer: at most {MAX_ANSWER_CHARS:,} characters, got {len(answer):,}", "answer")
        items: list[object] = [t for t in re.split(r"[\n;]+", answer) if t.strip()]
    elif isinstance(answer, ClaimLine | dict):
        items = [answer]
    elif isinstance(answer, Iterable) and not isinstance(answer, bytes | bytearray | memoryview):
        items = list(itertools.islice(answer, MAX_ANSWER_LINES + 1))
    else:
        raise EsiError(
            f"answer: expected text such as '64483-50 x1' or a list of claim lines, got {type(answer).__name__}",
            "answer",
        )
    if len(items) > MAX_ANSWER_LINES:
        raise EsiError(f"answer: at most {MAX_ANSWER_LINES} claim lines (the encounter's limit), got more", "answer")
    return items


def parse_answer(answer: object) -> list[ClaimLine | EsiError]:
    """Answer lines (a multi-line string, or a sequence of lines); unreadable lines become errors in place."""
    items = answer_items(answer)
    out: list[ClaimLine | EsiError] = []
    for item in items:
        try:
            out.append(parse_line(item))
        except EsiError as exc:
            out.append(exc)
    return out


def _describe(item: object) -> str:
    if isinstance(item, ClaimLine):
        return str(item)
    if isinstance(item, dict):
        mods = item.get("modifiers") or []
        mods = mods.split() if isinstance(mods, str) else mods if isinstance(mods, list | tuple) else [mods]
        code, units = _text(item.get("code", "")), _text(item.get("units", 1))
        return f"{code}{'-' + '-'.join(map(_text, mods)) if mods else ''} x{units}"
    return _text(item).strip()


def _text(value: object, limit: int = 40) -> str:
    """A learner's value as short text (an integer too long to convert shows as '?')."""
    try:
        return str(value)[:limit]
    except ValueError:
        return "?"


def _note(f: object) -> RuleNote:
    return RuleNote(
        f.rule_id,
        f.title,
        f.severity,
        f.message,
        tuple(Citation.of(s) for s in f.citations),
        aspect(f.rule_id, f.family),
    )


def _family(code: str) -> str:
    try:
        fam = catalogue.lookup(code).family
    except EsiError:
        return "unknown"
    return catalogue.FAMILY_LABELS.get(fam, fam)


# ---------------------------------------------------------------------------------------------- grade
def grade(scenario: Scenario | str, answer: object, pass_mark: float = PASS_MARK) -> Grade:
    """Grade ``answer`` (claim lines: text, dicts or ClaimLines) for ``scenario`` (object or id)."""
    s = get(scenario) if isinstance(scenario, str) else scenario
    if not isinstance(s, Scenario):
        raise EsiError(f"scenario: expected a scenario id or Scenario, got {type(scenario).__name__}", "scenario")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float) or not 0 <= pass_mark <= 1:
        raise EsiError(f"pass_mark: expected a fraction from 0 to 1, got {pass_mark!r}"[:120], "pass_mark")
    raw_items = answer_items(answer)
    parsed = parse_answer(raw_items)
    valid = [(n, p) for n, p in enumerate(parsed, 1) if isinstance(p, ClaimLine)]
    # The engine's view of the learner's claim: findings on claim line k -> learner line valid[k-1][0].
    report = check(dataclasses.replace(s.encounter, claim=tuple(p for _, p in valid)))
    by_line: dict[int, list[RuleNote]] = {}
    general: list[RuleNote] = []
    for f in report.findings:
        if f.lines:
            for k in f.lines:
                by_line.setdefault(valid[k - 1][0], []).append(_note(f))
        else:
            general.append(_note(f))

    # Match expected lines to learner lines with the same code (exact modifiers/units preferred).
    expected = list(s.expected_lines)
    match: dict[int, int] = {}  # expected index -> learner line number
    used: set[int] = set()
    for exact in (True, False):
        for e_i, e in enumerate(expected):
            if e_i in match:
                continue
            for n, p in valid:
                if n in used or p.code != e.code:
                    continue
                if exact and (set(p.modifiers) != set(e.modifiers) or p.units != e.units):
                    continue
                match[e_i] = n
                used.add(n)
                break
    matched_by_line = {n: expected[e_i] for e_i, n in match.items()}

    feedback: list[LineFeedback] = []
    earned = penalty = 0.0
    for n, p in enumerate(parsed, 1):
        shown = _describe(raw_items[n - 1])
        notes = tuple(by_line.get(n, ()))
        if isinstance(p, EsiError):
            feedback.append(LineFeedback(n, shown, "invalid", 0.0, 0.0, (f"Not a valid claim line: {p.message}",)))
            continue
        e = matched_by_line.get(n)
        if e is not None:
            pts = CODE_POINTS
            msgs = [f"Code {p.code} is right."]
            side_only = set(p.modifiers) ^ set(e.modifiers) <= SIDE_MODIFIERS
            engine_silent = not any(f.severity in ("error", "warning") for f in notes)
            if set(p.modifiers) == set(e.modifiers):
                pts += MODIFIER_POINTS
                msgs.append("Modifiers are right." if e.modifiers else "No modifier needed - right.")
            elif side_only and engine_silent and set(p.modifiers) != {"RT", "LT"}:
                pts += MODIFIER_POINTS
                msgs.append("Modifiers accepted: RT/LT only tells which side, the key omits it and no rule objects.")
            else:
                msgs.append(
                    "Modifiers are not right."
                    + (" Check which modifier(s) this line needs." if e.modifiers else " This line needs no modifier.")
                )
            if p.units == e.units:
                pts += UNIT_POINTS
            else:
                msgs.append(f"Units are not right ({p.units} reported).")
            status = "correct" if pts == LINE_POINTS else "partial"
            earned += pts
            feedback.append(LineFeedback(n, str(p), status, pts, LINE_POINTS, tuple(msgs), notes))
        elif p.code in s.not_billable:
            penalty += NOT_BILLABLE_PENALTY
            feedback.append(
                LineFeedback(
                    n,
                    str(p),
                    "not_billable",
                    -NOT_BILLABLE_PENALTY,
                    0.0,
                    (f"{p.code} must not be billed for this encounter.",),
                    notes,
                )
            )
        else:
            same_code = any(x.code == p.code for x in expected)
            why = (
                f"{p.code} is already reported on another line."
                if same_code
                else f"{p.code} is not part of the correct claim."
            )
            penalty += EXTRA_PENALTY
            feedback.append(LineFeedback(n, str(p), "extra", -EXTRA_PENALTY, 0.0, (why,), notes))
    for e_i, e in enumerate(expected):
        if e_i not in match:
            feedback.append(
                LineFeedback(
                    None,
                    "-",
                    "missing",
                    0.0,
                    LINE_POINTS,
                    (f"A line is missing (a service to bill, family: {_family(e.code)}).",),
                )
            )
    billed_codes = {p.code for _, p in valid}
    nb_earned = sum(NOT_BILLABLE_POINTS for c in s.not_billable if c not in billed_codes)
    earned += nb_earned
    possible = LINE_POINTS * len(expected) + NOT_BILLABLE_POINTS * len(s.not_billable)
    score = max(0.0, earned - penalty) / possible if possible else (1.0 if not valid else 0.0)
    return without_unbilled_key_codes(
        Grade(
            s.id,
            min(score, 1.0),
            earned,
            penalty,
            possible,
            pass_mark,
            tuple(feedback),
            tuple(general),
            s.expected_lines,
            s.not_billable,
        )
    )


# ------------------------------------------------------------------------------ feedback that teaches
#: What a finding is about, by rule-id fragment (first match wins) and then by rule family.
_ASPECT_BY_ID = (
    ("REGION", "region"),
    ("APPROACH", "approach"),
    ("NEUROLYTIC", "approach"),
    ("CHEMOTHERAPY", "approach"),
    ("ULTRASOUND", "imaging"),
    ("IMAGING-CODE", "imaging"),
    ("IMAGING-INCLUDED", "bundling"),
    ("CATHETER", "catheter"),
    ("BILATERAL", "modifier"),
    ("ADDON", "add-on code"),
    ("UNITS", "units"),
    ("CODE-VALID", "date of service"),
    ("CODE-DATE", "date of service"),
    ("NOT-PERFORMED", "documentation"),
    ("NOT-BILLED", "coverage"),
)
_ASPECT_BY_FAMILY = {
    "ncci": "bundling",
    "mue": "units",
    "lcd": "coverage",
    "doc": "documentation",
    "drug": "drug",
    "cpt": "code choice",
}
#: Stands for a code of the answer key that the learner has not written yet.
HIDDEN_CODE = "[code hidden]"
_HIDDEN_RUN = re.compile(rf"{re.escape(HIDDEN_CODE)}(?:(?:,| or| and|/)\s*{re.escape(HIDDEN_CODE)})+")


def aspect(rule_id: str, family: str) -> str:
    """The part of the claim a finding is about, as the feedback names it (region, units, bundling ...).

    >>> aspect("CPT-REGION", "cpt"), aspect("NCCI-PTP", "ncci"), aspect("MUE-UNITS", "mue")
    ('region', 'bundling', 'units')
    """
    for fragment, label in _ASPECT_BY_ID:
        if fragment in rule_id:
            return label
    return _ASPECT_BY_FAMILY.get(family, family)


def hide_codes(text: str, codes: Iterable[str]) -> str:
    """``text`` with every one of ``codes`` replaced by :data:`HIDDEN_CODE` (runs of them collapsed).

    >>> hide_codes("62321 is a cervical code: the facts call for 62323 or 62323.", {"62323"})
    '62321 is a cervical code: the facts call for [code hidden].'
    """
    wanted = sorted(set(codes))
    if not wanted:
        return text
    pattern = re.compile(r"(?<![0-9A-Z])(?:" + "|".join(map(re.escape, wanted)) + r")(?![0-9A-Z])")
    return _HIDDEN_RUN.sub(HIDDEN_CODE, pattern.sub(HIDDEN_CODE, text))


def without_unbilled_key_codes(g: Grade) -> Grade:
    """The grade as a learner sees it: feedback never names a code of the key the learner has not billed.

    The engine's messages explain a wrong line by naming the code the facts call for; shown after the
    first wrong try, that would give the answer away and make the hints pointless. Codes the learner
    did write (right or wrong) stay visible; the key itself is on ``g.key`` for "Show answer" and is
    shown once the scenario is passed (:func:`esi_reference.trainer.feedback.feedback_html`).
    """
    written = {code for line in g.lines for code in re.findall(r"[0-9A-Z]{5}", line.answer.upper())}
    hidden = {line.code for line in g.key} - written
    if not hidden:
        return g

    def cite(c: Citation) -> Citation:
        shown = (c.label, c.id, c.title, re.sub(r"[^0-9A-Z]+", " ", c.url.upper()))
        if all(hide_codes(t, hidden) == t for t in shown):
            return c
        # a source named after the code (a HCPCS code page): its title without the code, and no link
        return Citation(hide_codes(c.id, hidden), hide_codes(c.title, hidden), "", hide_codes(c.title, hidden))

    def note(n: RuleNote) -> RuleNote:
        return dataclasses.replace(
            n,
            title=hide_codes(n.title, hidden),
            message=hide_codes(n.message, hidden),
            citations=tuple(cite(c) for c in n.citations),
        )

    lines = tuple(
        dataclasses.replace(
            line,
            messages=tuple(hide_codes(m, hidden) for m in line.messages),
            findings=tuple(note(f) for f in line.findings),
        )
        for line in g.lines
    )
    return dataclasses.replace(g, lines=lines, general=tuple(note(f) for f in g.general))


def hint(scenario: Scenario | str, number: int) -> str | None:
    """The ``number``-th hint (1-based) of the scenario, or None when there are no more."""
    s = get(scenario) if isinstance(scenario, str) else scenario
    return s.hints[number - 1] if 1 <= number <= len(s.hints) else None
