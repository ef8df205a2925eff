"""Generated practice: seeded, valid scenarios whose key is the engine's; the CLI and the gradebook use them."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esi_reference.cli import main
from esi_reference.engine import check, suggest_claim
from esi_reference.errors import EsiError, InvalidField
from esi_reference.trainer.generator import (
    MAX_COUNT,
    MAX_SEED,
    PAYER_WORDS,
    case,
    from_id,
    generate,
    is_generated_id,
    scenario_data,
)
from esi_reference.trainer.gradebook import grade_rows
from esi_reference.trainer.grading import grade
from esi_reference.trainer.scenarios import TOPICS, get, parse_scenario

TOPIC_OR_NONE = st.sampled_from([None, *TOPICS])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, MAX_SEED), number=st.integers(1, 9999), topic=TOPIC_OR_NONE)
def test_a_generated_case_is_valid_reproducible_and_keyed_by_the_engine(seed, number, topic):
    s = case(seed, number, topic)
    assert s.id == f"gen-{seed}-{number}" + (f"-{topic}" if topic else "")
    assert case(seed, number, topic).facts == s.facts and s.narrative == case(seed, number, topic).narrative
    suggestion = suggest_claim(s.facts)

    def triples(lines):
        return [(x.code, x.modifiers, x.units) for x in lines]

    assert triples(s.expected_lines) == triples(suggestion.lines)
    assert sorted(s.not_billable) == sorted({n.code for n in suggestion.not_billable})
    assert not [f for f in check(dict(s.facts, claim=scenario_data(s)["expected"]["lines"])).errors]
    assert parse_scenario(json.loads(json.dumps(scenario_data(s))), s.id).facts == s.facts  # a valid file
    if topic:
        assert s.topic == topic
    assert grade(s, scenario_data(s)["expected"]["lines"]).score == 1.0
    assert from_id(s.id) == s and get(s.id).narrative == s.narrative


def test_hints_never_name_a_code_of_the_key():
    for s in generate(11, 40):
        for h in s.hints:
            assert not any(line.code in h for line in s.expected_lines), (s.id, h)


def test_the_generator_draws_the_parameters_it_claims():
    cases = generate(3, 200)
    procs = [s.encounter.procedures[0] for s in cases]
    assert {p.approach for p in procs} >= {"interlaminar", "caudal", "transforaminal"}
    assert {p.side for p in procs} >= {"left", "right", "bilateral", "midline"}
    assert {p.guidance for p in procs} >= {"fluoroscopy", "ct", "none", "ultrasound"}
    assert {s.encounter.payer for s in cases} == {"medicare", *PAYER_WORDS}
    assert {s.encounter.claim_type for s in cases} == {"professional", "facility"}
    facility = [s for s in cases if s.encounter.claim_type == "facility"]
    assert {s.encounter.place_of_service for s in facility} == {"22", "24"}
    assert all("facility claim" in s.narrative for s in facility)
    assert any(s.encounter.prior_sessions for s in cases) and any(s.encounter.drugs for s in cases)
    assert any(s.encounter.other_services for s in cases) and any(p.catheter != "none" for p in procs)
    assert len({s.encounter.date_of_service.year for s in cases}) >= 8
    assert len({tuple(s.expected_lines) for s in cases}) >= 30  # not the same answer over and over


@pytest.mark.parametrize("bad", ["gen-1", "gen-x-1", "gen-1-0", "gen-1-2-no-such-topic", "tf-bilateral-one-level"])
def test_ids_that_are_not_generated_cases(bad):
    assert not is_generated_id(bad) and from_id(bad) is None


@pytest.mark.parametrize("seed,count", [(-1, 1), (MAX_SEED + 1, 1), (1, 0), (1, MAX_COUNT + 1), (True, 1), ("1", 1)])
def test_bad_seed_or_count(seed, count):
    with pytest.raises(InvalidField):
        generate(seed, count)


def test_unknown_generated_id_is_a_typed_error():
    with pytest.raises(EsiError):
        get("gen-1-2-no-such-topic")


def test_cli_generate_prints_keys_and_writes_schema_files(tmp_path, capsys):
    assert main(["scenarios", "generate", "--seed", "7", "--count", "3", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in printed] == ["gen-7-1", "gen-7-2", "gen-7-3"]
    assert (
        main(["scenarios", "generate", "--seed", "7", "--count", "3", "--topic", "drugs", "--out", str(tmp_path)]) == 0
    )
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["gen-7-1-drugs.json", "gen-7-2-drugs.json", "gen-7-3-drugs.json"]
    data = json.loads((tmp_path / files[0]).read_text())
    assert parse_scenario(data, data["id"]).topic == "drugs"
    assert "gen-7-1" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--seed", "-3"], ["--seed", "x"], ["--seed", "1", "--count", "0"], ["--count", "2"]])
def test_cli_generate_bad_input_is_one_line_and_exit_2(args, capsys):
    assert main(["scenarios", "generate", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_list_hides_assessment_cases_unless_asked(capsys):
    assert main(["scenarios", "list", "--format", "json"]) == 0
    public = json.loads(capsys.readouterr().out)
    assert main(["scenarios", "list", "--include-hidden", "--format", "json"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert not any(r["hidden"] for r in public) and any(r["hidden"] for r in everything)


def test_the_gradebook_grades_generated_cases_from_their_id():
    s = case(7, 2)
    rows = (
        "learner,scenario,line,code,modifiers,units\n"
        + "".join(
            f"ana,{s.id},{i},{line.code},{' '.join(line.modifiers)},{line.units}\n"
            for i, line in enumerate(s.expected_lines, 1)
        )
        + "ben,gen-7-2,1,99213,,1\n"
    )
    book = grade_rows(io.StringIO(rows))
    assert not book.bad_rows
    assert book.grades[("ana", s.id)].score == 1.0 and not book.grades[("ben", s.id)].passed
