"""The scenario bank: schema, answer keys equal to the engine, coverage of the curriculum, citations."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import jsonschema
import pytest

from esi_reference.engine import check, suggest_claim
from esi_reference.reference import catalogue
from esi_reference.reference.sources import source
from esi_reference.rules import REGISTRY
from esi_reference.trainer.scenarios import (
    TOPICS,
    InvalidScenario,
    get,
    load_file,
    parse_scenario,
    scenario_schema,
    scenarios,
)

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "esi_reference" / "data" / "scenarios").glob("*.json"))
BANK = scenarios()


def key(lines):
    return [(line.code, tuple(line.modifiers), line.units) for line in lines]


def test_bank_has_at_least_40_scenarios_in_every_topic():
    assert len(BANK) >= 40
    assert len(FILES) == len(BANK)
    assert {s.topic for s in BANK} == set(TOPICS)
    assert all(len(scenarios(t, include_hidden=False)) >= 5 for t in TOPICS)


def test_published_schema_file_is_the_code_schema():
    assert json.loads((ROOT / "exercises" / "schema.json").read_text()) == scenario_schema()
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


def test_exercises_folder_points_at_the_single_source():
    assert (ROOT / "exercises" / "scenarios").resolve() == (ROOT / "esi_reference" / "data" / "scenarios").resolve()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_validates_against_published_schema(path):
    data = json.loads(path.read_text())
    jsonschema.validate(data, scenario_schema(), cls=jsonschema.Draft202012Validator)
    assert data["id"] == path.stem


@pytest.mark.parametrize("scenario", BANK, ids=lambda s: s.id)
def test_answer_key_equals_suggest_claim(scenario):
    suggestion = suggest_claim(scenario.encounter)
    assert key(scenario.expected_lines) == key(suggestion.lines)
    assert sorted(scenario.not_billable) == sorted({n.code for n in suggestion.not_billable})
    # and the key itself checks clean
    assert check(dataclasses.replace(scenario.encounter, claim=scenario.expected_lines)).is_clean


@pytest.mark.parametrize("scenario", BANK, ids=lambda s: s.id)
def test_rules_sources_and_hints(scenario):
    assert all(r in REGISTRY for r in scenario.rules)
    for lp in scenario.learning_points:
        for sid in lp.sources:
            assert source(sid).id == sid
    answer_codes = {line.code for line in scenario.expected_lines} | set(scenario.not_billable)
    for hint in scenario.hints:
        # a hint asks a question; it never names a code of the answer or a modifier to add
        assert not any(code in hint for code in answer_codes), hint
        assert not re.search(r"\b(modifier|add)\s+(50|RT|LT|XS|GA|GZ|KX|25)\b", hint, re.I), hint


def test_every_esi_code_is_taught():
    taught = {line.code for s in BANK for line in s.expected_lines} | {c for s in BANK for c in s.not_billable}
    esi = {c.code for c in catalogue.codes() if c.family.startswith("esi_")}
    assert esi <= taught, sorted(esi - taught)


@pytest.mark.parametrize(
    "rule_id",
    [
        "CPT-IL-NOT-BILATERAL",
        "CPT-BILATERAL-ONE-LINE",
        "CPT-ADDON-OTHER-SIDE",
        "CPT-SESSION-UNITS",
        "CPT-REGION",
        "LCD-FREQUENCY",
        "CPT-IMAGING-INCLUDED",
        "CPT-ULTRASOUND",
        "CPT-CATHETER",
        "CPT-NEUROLYTIC",
        "CPT-CHEMOTHERAPY",
        "CPT-APPROACH",
        "NCCI-EM-SAME-DAY",
        "DOC-IMAGES",
        "LCD-DIAGNOSIS",
        "DRUG-UNITS",
        "CPT-CODE-VALID",
    ],
)
def test_curriculum_topics_are_exercised(rule_id):
    assert any(rule_id in s.rules for s in BANK)


def test_modifier_25_and_t12_l1_and_deleted_codes_are_in_keys():
    keys = {line.code + "".join("-" + m for m in line.modifiers) for s in BANK for line in s.expected_lines}
    assert "99214-25" in keys
    assert get("tf-t12-l1").expected_lines[0].code == "64479"
    assert get("facet-t12-l1").expected_lines[0].code == "64493"
    assert {"62310", "62311", "62318", "62319", "J1040"} <= {line.code for s in BANK for line in s.expected_lines}


def test_hidden_scenarios_are_left_out_of_learner_sets():
    hidden = [s for s in BANK if s.hidden]
    assert hidden
    public = scenarios(include_hidden=False)
    assert not set(hidden) & set(public)


def test_invalid_scenario_lists_every_problem():
    good = json.loads(FILES[0].read_text())
    bad = dict(
        good,
        difficulty=7,
        topic="nope",
        rules=["NO-SUCH-RULE"],
        surprise=1,
        learning_points=[{"text": "x", "sources": ["NOPE"]}],
    )
    bad["facts"] = dict(good["facts"], place_of_service="9X")
    with pytest.raises(InvalidScenario) as err:
        parse_scenario(bad, "bad.json")
    text = str(err.value)
    for expected in ("difficulty", "topic", "NO-SUCH-RULE", "surprise", "NOPE", "facts.place_of_service"):
        assert expected in text


def test_facts_must_not_hold_a_claim_and_id_must_match_file():
    good = json.loads(FILES[0].read_text())
    with pytest.raises(InvalidScenario, match=r"facts\.claim"):
        parse_scenario(dict(good, facts=dict(good["facts"], claim=[{"code": "62321"}])))
    with pytest.raises(InvalidScenario, match="file name"):
        load_file("other-name.json", json.dumps(good))
    with pytest.raises(InvalidScenario, match="not valid JSON"):
        load_file("x.json", "{")
