"""The example encounters in examples/ give their documented results, in the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esi_reference.cli import main
from esi_reference.engine import check, suggest_claim
from esi_reference.model.encounter import parse_encounter
from esi_reference.rules import all_rules

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.json"))


def test_enough_examples_covering_every_family() -> None:
    assert len(EXAMPLES) >= 15
    families = set()
    for path in EXAMPLES:
        report = check(parse_encounter(json.loads(path.read_text())))
        families |= {f.family for f in report.findings if f.severity != "info"}
    assert families >= {r.family for r in all_rules()}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_documented_result(path: Path) -> None:
    data = json.loads(path.read_text())
    report = check(parse_encounter(data))
    expected = data["expected"]
    assert sorted(set(report.rule_ids("error"))) == expected["errors"], report.text()
    assert sorted(set(report.rule_ids("warning"))) == expected["warnings"], report.text()
    assert main(["check", str(path)]) == expected["exit"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_suggested_claim_checks_clean(path: Path) -> None:
    data = json.loads(path.read_text())
    data.pop("claim", None)
    enc = parse_encounter(data)
    report = check(enc)
    assert report.is_clean, report.text()
    assert [line.code for line in report.lines] == [line.code for line in suggest_claim(enc).lines]


def test_check_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES[1]), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["clean"] is False and out["findings"][0]["severity"] == "error"
    assert all(f["citations"] for f in out["findings"])


def test_examples_index_is_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "examples_index", Path(__file__).parents[1] / "tools" / "examples_index.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (Path(__file__).parents[1] / "examples" / "README.md").read_text(encoding="utf-8")
    assert readme == module.render(), "run python tools/examples_index.py"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_match_the_published_schema(path: Path) -> None:
    import jsonschema

    from esi_reference.model.encounter import encounter_schema

    jsonschema.validate(json.loads(path.read_text()), encounter_schema())


def test_schema_rejects_what_the_parser_rejects() -> None:
    import jsonschema

    from esi_reference.model.encounter import encounter_schema

    bad = json.loads(EXAMPLES[0].read_text())
    bad["procedures"][0]["approach"] = "epidural-ish"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, encounter_schema())
