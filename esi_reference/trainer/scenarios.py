"""The trainer's scenario bank: practice cases as data files, validated against a published schema.

Each scenario is one JSON file in ``esi_reference/data/scenarios/`` (package data, so the same files
ship in the wheel and load in the browser under Pyodide). ``exercises/scenarios`` is a link to that
folder for instructors, and ``exercises/schema.json`` is :func:`scenario_schema` written out (a test
keeps the two identical). A scenario holds:

* ``id``, ``title``, ``difficulty`` (1 introductory, 2 core, 3 advanced), ``topic`` (one of
  :data:`TOPICS`; each topic is one exercise notebook);
* ``narrative``: a short procedure-note excerpt in our own words;
* ``facts``: the encounter as clinical facts (the encounter JSON Schema, without a ``claim``);
* ``expected``: the answer key - ``lines`` (code, modifiers, units) and ``not_billable`` codes. A test
  checks that the key equals ``suggest_claim(facts)``, so the key and the engine cannot disagree;
* ``rules``: the rule ids the scenario exercises (each must exist in the rule registry);
* ``hints``: nudges that name the question to ask, never the code;
* ``learning_points``: each a sentence with the source ids it rests on (``sources.csv``);
* ``hidden`` (optional): kept out of the learner's exercise sets, used for assessment.

Standard library only.

>>> s = get("tf-bilateral-one-level")
>>> s.topic, [str(line) for line in s.expected_lines]
('transforaminal', ['64483-50 x1'])
>>> len(scenarios()) >= 40
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from esi_reference.errors import EsiError, InvalidEncounter, InvalidField
from esi_reference.model.encounter import ClaimLine, Encounter, drug_schema_properties, parse_encounter

#: topic id -> (title, one-line description); one exercise notebook per topic, in this order.
TOPICS: dict[str, tuple[str, str]] = {
    "interlaminar": (
        "Interlaminar and caudal injections",
        "62320-62327: region family, imaging, catheter, one unit per session, never bilateral",
    ),
    "transforaminal": (
        "Transforaminal injections",
        "64479-64484: levels, add-on codes, bilateral modifier 50, the T12-L1 rule, ultrasound",
    ),
    "bundling": (
        "Imaging, same-day services and bundling",
        "imaging guidance, E/M with modifier 25, local anesthetic, NCCI pairs",
    ),
    "not-esi": (
        "Look-alikes: neurolytic, chemotherapy, facet and SI joint",
        "procedures near the spine that are not epidural steroid injections",
    ),
    "coverage": (
        "Medicare coverage and documentation",
        "12-month frequency, regions, diagnoses, documentation gaps, GA/GZ",
    ),
    "drugs": ("Drugs and units", "steroid J-codes, units per dose, facility settings, deleted codes"),
}
DIFFICULTIES = {1: "introductory", 2: "core", 3: "advanced"}
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
FIELDS = (
    "id",
    "title",
    "difficulty",
    "topic",
    "narrative",
    "facts",
    "expected",
    "rules",
    "hints",
    "learning_points",
    "hidden",
)
REQUIRED = FIELDS[:-1]


class InvalidScenario(EsiError):
    """A scenario file that does not follow the schema; lists every problem with its field path."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.name = name
        self.problems = problems
        super().__init__(f"invalid scenario {name}: " + "; ".join(problems))


@dataclass(frozen=True)
class LearningPoint:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    difficulty: int
    topic: str
    narrative: str
    facts: dict[str, Any]
    encounter: Encounter
    expected_lines: tuple[ClaimLine, ...]
    not_billable: tuple[str, ...]
    rules: tuple[str, ...]
    hints: tuple[str, ...]
    learning_points: tuple[LearningPoint, ...]
    hidden: bool = False

    @property
    def difficulty_label(self) -> str:
        return DIFFICULTIES[self.difficulty]

    def __hash__(self) -> int:  # facts is a dict; the id is unique in the bank
        return hash(self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and other.id == self.id


# --------------------------------------------------------------------------------------------- schema
def _drugs_schema() -> dict[str, Any]:
    """The drugs given, as in the encounter schema: container, amounts discarded, NDC, who supplied them."""
    return {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["drug", "dose"],
            "properties": drug_schema_properties(),
        },
    }


def scenario_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file; ``facts`` follow the encounter schema."""
    line = {
        "type": "object",
        "additionalProperties": False,
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "pattern": r"^[0-9A-Z]{5}$"},
            "modifiers": {"type": "array", "maxItems": 4, "items": {"type": "string", "pattern": "^[0-9A-Z]{2}$"}},
            "units": {"type": "integer", "minimum": 1, "maximum": 9999},
        },
    }
    text = {"type": "string", "minLength": 1}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://esi-reference.example/schema/scenario.json",
        "title": "ESI trainer scenario",
        "description": "One practice case: a narrative, the encounter facts, the answer key (which must equal "
        "esi_reference.engine.suggest_claim(facts)), the rules exercised, hints and cited learning "
        "points.",
        "type": "object",
        "additionalProperties": False,
        "required": list(REQUIRED),
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN, "maxLength": 60},
            "title": text,
            "difficulty": {
                "type": "integer",
                "enum": list(DIFFICULTIES),
                "description": "1 introductory, 2 core, 3 advanced",
            },
            "topic": {"type": "string", "enum": list(TOPICS)},
            "narrative": {"type": "string", "minLength": 40, "description": "procedure-note excerpt, in our own words"},
            "facts": {
                "type": "object",
                "description": "encounter facts (encounter JSON Schema) without a claim",
                "not": {"required": ["claim"]},
                "properties": {"drugs": _drugs_schema()},
            },
            "expected": {
                "type": "object",
                "additionalProperties": False,
                "required": ["lines", "not_billable"],
                "properties": {
                    "lines": {"type": "array", "items": line},
                    "not_billable": {
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"type": "string", "pattern": r"^[0-9A-Z]{5}$"},
                    },
                },
            },
            "rules": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "pattern": r"^[A-Z0-9-]+$"},
            },
            "hints": {"type": "array", "minItems": 1, "items": text},
            "learning_points": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["text", "sources"],
                    "properties": {"text": text, "sources": {"type": "array", "minItems": 1, "items": text}},
                },
            },
            "hidden": {"type": "boolean", "default": False},
        },
    }


# ------------------------------------------------------------------------------------------- validate
def _text_list(problems: list[str], data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{key}: expected a non-empty list of texts")
        return ()
    return tuple(value)


def _line(problems: list[str], data: object, path: str) -> ClaimLine | None:
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        problems.append(f"{path}: expected an object with a code")
        return None
    extra = set(data) - {"code", "modifiers", "units"}
    if extra:
        problems.append(f"{path}: unknown field(s) {sorted(extra)}")
    mods = data.get("modifiers", [])
    units = data.get("units", 1)
    if not isinstance(mods, list) or not all(isinstance(m, str) and len(m) == 2 for m in mods):
        problems.append(f"{path}.modifiers: expected a list of two-character modifiers")
        mods = []
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        problems.append(f"{path}.units: expected a whole number of at least 1")
        units = 1
    return ClaimLine(data["code"].upper(), tuple(m.upper() for m in mods), units)


def parse_scenario(data: object, name: str = "scenario") -> Scenario:
    """Validate one scenario (a dict read from JSON); raises :class:`InvalidScenario` listing every problem."""
    from esi_reference.reference.sources import source
    from esi_reference.rules import REGISTRY

    if not isinstance(data, dict):
        raise InvalidScenario(name, ["expected a JSON object"])
    problems: list[str] = []
    for key in REQUIRED:
        if key not in data:
            problems.append(f"{key}: required")
    for key in data:
        if key not in FIELDS:
            problems.append(f"{key}: no such field (allowed: {', '.join(FIELDS)})")
    sid = data.get("id", "")
    import re

    if not isinstance(sid, str) or not re.match(ID_PATTERN, sid):
        problems.append(f"id: expected lower-case words joined by hyphens, got {sid!r}")
    for key in ("title", "narrative"):
        if not isinstance(data.get(key), str) or not data.get(key, "").strip():
            problems.append(f"{key}: expected text")
    difficulty = data.get("difficulty")
    if difficulty not in DIFFICULTIES or isinstance(difficulty, bool):
        problems.append(f"difficulty: expected 1, 2 or 3, got {difficulty!r}")
    if data.get("topic") not in TOPICS:
        problems.append(f"topic: expected one of {', '.join(TOPICS)}, got {data.get('topic')!r}")
    facts = data.get("facts")
    encounter = None
    if not isinstance(facts, dict):
        problems.append("facts: expected an object (encounter facts)")
    elif "claim" in facts:
        problems.append("facts.claim: the facts must not hold a claim (the learner writes it)")
    else:
        try:
            encounter = parse_encounter(
                dict(
                    facts,
                    id=sid if isinstance(sid, str) else "",
                    title=data.get("title", "") if isinstance(data.get("title"), str) else "",
                )
            )
        except InvalidEncounter as exc:
            problems.extend(f"facts.{e.field}: expected {e.expected}" for e in exc.errors)
    expected = data.get("expected")
    lines: list[ClaimLine] = []
    not_billable: tuple[str, ...] = ()
    if (
        not isinstance(expected, dict)
        or not isinstance(expected.get("lines"), list)
        or not isinstance(expected.get("not_billable", []), list)
    ):
        problems.append("expected: expected an object with lists 'lines' and 'not_billable'")
    else:
        for i, x in enumerate(expected["lines"]):
            line = _line(problems, x, f"expected.lines[{i}]")
            if line:
                lines.append(line)
        not_billable = tuple(str(c).upper() for c in expected.get("not_billable", []))
    rules = _text_list(problems, data, "rules")
    unknown = [r for r in rules if r not in REGISTRY]
    if unknown:
        problems.append(f"rules: unknown rule id(s) {unknown}")
    hints = _text_list(problems, data, "hints")
    points = []
    lps = data.get("learning_points")
    if not isinstance(lps, list) or not lps:
        problems.append("learning_points: expected a non-empty list")
    else:
        for i, lp in enumerate(lps):
            if (
                not isinstance(lp, dict)
                or not isinstance(lp.get("text"), str)
                or not isinstance(lp.get("sources"), list)
                or not lp["sources"]
            ):
                problems.append(f"learning_points[{i}]: expected {{text, sources}} with at least one source")
                continue
            for sid_ in lp["sources"]:
                try:
                    source(sid_)
                except EsiError:
                    problems.append(f"learning_points[{i}].sources: unknown source id {sid_!r}")
            points.append(LearningPoint(lp["text"], tuple(lp["sources"])))
    hidden = data.get("hidden", False)
    if not isinstance(hidden, bool):
        problems.append("hidden: expected true or false")
    if problems or encounter is None:
        raise InvalidScenario(name, problems or ["facts: invalid"])
    return Scenario(
        id=sid,
        title=data["title"],
        difficulty=difficulty,
        topic=data["topic"],
        narrative=data["narrative"],
        facts=facts,
        encounter=encounter,
        expected_lines=tuple(lines),
        not_billable=not_billable,
        rules=rules,
        hints=hints,
        learning_points=tuple(points),
        hidden=hidden,
    )


# ----------------------------------------------------------------------------------------------- load
def _files() -> list[tuple[str, str]]:
    folder = resources.files("esi_reference") / "data" / "scenarios"
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            out.append((entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def load_file(name: str, text: str) -> Scenario:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidScenario(name, [f"not valid JSON: {exc}"]) from None
    scenario = parse_scenario(data, name)
    if name.removesuffix(".json") != scenario.id:
        raise InvalidScenario(name, [f"id: {scenario.id!r} must equal the file name"])
    return scenario


@lru_cache(maxsize=1)
def _bank() -> dict[str, Scenario]:
    bank: dict[str, Scenario] = {}
    for name, text in _files():
        s = load_file(name, text)
        bank[s.id] = s
    return dict(sorted(bank.items(), key=lambda kv: (list(TOPICS).index(kv[1].topic), kv[1].difficulty, kv[0])))


def scenarios(topic: str | None = None, *, include_hidden: bool = True) -> tuple[Scenario, ...]:
    """The bank (ordered by topic, difficulty, id); optionally one topic, optionally without hidden ones."""
    if topic is not None and topic not in TOPICS:
        raise InvalidField("topic", "one of " + ", ".join(TOPICS), topic)
    return tuple(
        s for s in _bank().values() if (topic is None or s.topic == topic) and (include_hidden or not s.hidden)
    )


def get(scenario_id: str) -> Scenario:
    """The scenario with this id: a bank scenario, or a generated one (``gen-<seed>-<n>``, see
    :mod:`esi_reference.trainer.generator`); an unknown id raises :class:`~esi_reference.errors.InvalidField`."""
    bank = _bank()
    if scenario_id in bank:
        return bank[scenario_id]
    if isinstance(scenario_id, str) and scenario_id.startswith("gen-"):
        from esi_reference.trainer.generator import from_id

        generated = from_id(scenario_id)
        if generated is not None:
            return generated
    raise InvalidField("scenario", "a scenario id in the bank or a generated id gen-<seed>-<n>", scenario_id)
