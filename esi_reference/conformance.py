"""The conformance corpus: coding questions answered in public guidance, run against the engine.

Each case (``tests/conformance/cases/<id>.json``) records a source written by others (a CMS or MAC
article, an FAQ, an OIG report, a coding newsletter), what it says in our own words, an encounter and the
answer the source gives::

    {"id": "...", "topic": "facility", "source": {"publisher": "CMS", "title": "...", "document_id": "...",
     "url": "https://...", "effective_date": "YYYY-MM-DD", "date_read": "YYYY-MM-DD"},
     "guidance": "our-words summary", "encounter": {...},
     "expect": {"valid": true, "claim": [{"code": "G0260"}], "not_billable": ["77003"],
                "findings": ["CPT-BILATERAL"], "no_findings": ["NCCI-PTP"], "clean": true},
     "rules": ["CPT-BILATERAL"],
     "known_difference": "why the engine deliberately differs"}

``expect`` keys are all optional (at least one): ``claim`` compares ``suggest_claim`` lines order-insensitively
(modifiers as sets, units 1 unless given), ``findings``/``no_findings``/``clean`` look at ``check``. A case
with ``known_difference`` is run and reported but not counted as a failure; :func:`known_differences`
lists those per rule for the site's rule pages (``rules``, else the rule ids named in ``expect``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esi_reference.errors import InvalidEncounter

CASES_DIR = Path(__file__).resolve().parents[1] / "tests" / "conformance" / "cases"
CASE_KEYS = {"id", "topic", "source", "guidance", "encounter", "expect", "rules", "known_difference"}
EXPECT_KEYS = {"valid", "claim", "not_billable", "findings", "no_findings", "clean"}
SOURCE_KEYS = {"publisher", "title", "document_id", "url", "effective_date", "date_read"}


@dataclass(frozen=True)
class Outcome:
    """The result of one case: the problems found (empty = the engine agrees with the source)."""

    case: dict[str, Any]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def known(self) -> bool:
        return bool(self.case.get("known_difference"))


def load_cases(directory: Path | str = CASES_DIR) -> list[dict[str, Any]]:
    """Every case file of the directory, sorted by id, with its shape checked (ValueError names the file)."""
    cases = []
    for path in sorted(Path(directory).glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        problem = _shape_problem(case, path.stem)
        if problem:
            raise ValueError(f"{path.name}: {problem}")
        cases.append(case)
    return cases


def _shape_problem(case: object, stem: str) -> str:
    if not isinstance(case, dict):
        return "expected a JSON object"
    if case.get("id") != stem:
        return f"id {case.get('id')!r} must equal the file name {stem!r}"
    if extra := set(case) - CASE_KEYS:
        return f"unknown keys {sorted(extra)}"
    for key in ("topic", "guidance"):
        if not isinstance(case.get(key), str) or not case[key].strip():
            return f"{key}: expected text"
    source = case.get("source")
    if not isinstance(source, dict) or not {"publisher", "title", "url", "date_read"} <= set(source):
        return "source: expected publisher, title, url and date_read"
    if extra := set(source) - SOURCE_KEYS:
        return f"source: unknown keys {sorted(extra)}"
    expect = case.get("expect")
    if not isinstance(expect, dict) or not expect or set(expect) - EXPECT_KEYS:
        return "expect: expected at least one of " + ", ".join(sorted(EXPECT_KEYS))
    if not isinstance(case.get("encounter"), dict):
        return "encounter: expected an object"
    return ""


def _line_key(line: Any) -> tuple[str, frozenset[str], int]:
    if isinstance(line, dict):
        return (line["code"], frozenset(line.get("modifiers", ())), int(line.get("units", 1)))
    return (line.code, frozenset(line.modifiers), line.units)


def _describe(keys: Counter) -> str:
    return ", ".join(
        f"{code}{'-' + '-'.join(sorted(mods)) if mods else ''} x{units}" for code, mods, units in sorted(keys)
    )


def evaluate(case: dict[str, Any]) -> Outcome:
    """Run one case's expectations through the public API."""
    from esi_reference.engine import check, suggest_claim
    from esi_reference.model.encounter import parse_encounter

    expect = case["expect"]
    problems: list[str] = []
    try:
        encounter = parse_encounter(case["encounter"])
    except InvalidEncounter as exc:
        if expect.get("valid", True):
            problems.append(f"refused as invalid: {exc}")
        return Outcome(case, tuple(problems))
    if expect.get("valid", True) is False:
        return Outcome(case, ("accepted, but the source makes it invalid",))
    if "claim" in expect or "not_billable" in expect:
        suggested = suggest_claim(encounter)
        if "claim" in expect:
            want = Counter(_line_key(line) for line in expect["claim"])
            got = Counter(_line_key(line) for line in suggested.lines)
            if want != got:
                problems.append(f"suggested claim {_describe(got)}; the source gives {_describe(want)}")
        if "not_billable" in expect:
            listed = {n.code for n in suggested.not_billable}
            if missing := set(expect["not_billable"]) - listed:
                problems.append(f"not listed as not billable: {', '.join(sorted(missing))}")
    if {"findings", "no_findings", "clean"} & set(expect):
        report = check(encounter)
        found = set(report.rule_ids())
        if missing := set(expect.get("findings", ())) - found:
            problems.append(f"findings missing: {', '.join(sorted(missing))}")
        if extra := set(expect.get("no_findings", ())) & found:
            problems.append(f"findings the source does not support: {', '.join(sorted(extra))}")
        if "clean" in expect and report.is_clean != expect["clean"]:
            errors = ", ".join(report.rule_ids("error")) or "none"
            problems.append(f"clean is {report.is_clean}, the source says {expect['clean']} (errors: {errors})")
    return Outcome(case, tuple(problems))


def run(directory: Path | str = CASES_DIR) -> list[Outcome]:
    return [evaluate(case) for case in load_cases(directory)]


def pass_rate(outcomes: list[Outcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0


def case_rules(case: dict[str, Any]) -> tuple[str, ...]:
    """The rule ids a case concerns: its ``rules`` list, else those named in its expectations."""
    if case.get("rules"):
        return tuple(case["rules"])
    expect = case["expect"]
    return tuple(dict.fromkeys([*expect.get("findings", ()), *expect.get("no_findings", ())]))


def known_differences(directory: Path | str = CASES_DIR) -> dict[str, list[dict[str, str]]]:
    """Rule id -> the cases where the engine deliberately differs from public guidance, with the reason.

    Cases that name no rule are listed under ``"general"``. Each entry: id, guidance, reason, source title
    and url.
    """
    out: dict[str, list[dict[str, str]]] = {}
    for case in load_cases(directory):
        if not case.get("known_difference"):
            continue
        entry = {
            "id": case["id"],
            "guidance": case["guidance"],
            "reason": case["known_difference"],
            "source": case["source"]["title"],
            "url": case["source"]["url"],
        }
        for rule_id in case_rules(case) or ("general",):
            out.setdefault(rule_id, []).append(entry)
    return out
