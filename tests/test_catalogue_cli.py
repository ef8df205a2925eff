"""The catalogue API and the reference commands of the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from esi_reference import UnknownCode, codes, lookup, search
from esi_reference.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_lookup_62321(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "lookup", "62321")
    assert rc == 0
    for text in (
        "cervical/thoracic",
        "interlaminar",
        "fluoroscopy or CT guidance included",
        "never bilateral",
        "1 interlaminar level per session",
        "at most 4 sessions per region family (cervical/thoracic) in a rolling 12 months",
        "Sources",
        "CMS-RVU-2024-07",
    ):
        assert text in out


def test_lookup_64480_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "lookup", "64480", "--format", "json")
    data = json.loads(out)
    assert rc == 0 and data["primary_codes"] == ["64479"] and data["kind"] == "add-on"
    quick = data["quick_facts"]["facts"]
    assert quick["addon_of"]["value"] == "64479" and quick["mue"]["value"].startswith("4 per day")


def test_lookup_shows_the_code_page_card(capsys: pytest.CaptureFixture[str]) -> None:
    """Text and JSON carry the same quick facts as the top of the book page (esi_reference.views.facts)."""
    from esi_reference.views.facts import quick_facts

    _, text, _ = run(capsys, "lookup", "62323")
    _, js, _ = run(capsys, "lookup", "62323", "--format", "json")
    facts = quick_facts("62323")
    assert json.loads(js)["quick_facts"] == facts.as_dict()
    for fact in facts.facts:
        assert f"{fact.label}" in text and fact.value in text, fact.key
    assert "interlaminar or caudal" in text


def test_lookup_62310_deleted(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "lookup", "62310")
    assert rc == 0 and "deleted 2017-01-01" in out and "62320" in out and "62321" in out


def test_lookup_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "lookup", "99999")
    assert rc != 0 and out == "" and err.count("\n") == 1 and "99999" in err


def test_suggestions_for_prefix() -> None:
    with pytest.raises(UnknownCode) as exc:
        lookup("6232")
    assert exc.value.suggestions == tuple(f"6232{i}" for i in range(8))


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize(
    "cmd",
    [
        ["codes"],
        ["codes", "--family", "esi"],
        ["codes", "--as-of", "2020-06-01"],
        ["docs"],
        ["sources"],
        ["search", "caudal"],
        ["rules"],
        ["lookup", "J1010"],
    ],
)
def test_commands_and_formats(capsys: pytest.CaptureFixture[str], cmd: list[str], fmt: str) -> None:
    rc, out, err = run(capsys, *cmd, "--format", fmt)
    assert rc == 0 and out.strip() and not err
    if fmt == "json":
        json.loads(out)


@pytest.mark.parametrize(
    "args",
    [
        ["lookup"],
        ["lookup", ""],
        ["lookup", "62321x"],
        ["codes", "--as-of", "2025-13-01"],
        ["codes", "--family", "nope"],
        ["codes", "--kind", "x"],
        ["search", ""],
        ["check", "/nonexistent.json"],
        ["suggest", "/"],
        ["nonsense"],
        [],
    ],
)
def test_bad_input_one_line(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    rc, _out, err = run(capsys, *args)
    assert rc == 2 and err.strip() and err.count("\n") == 1 and "Traceback" not in err


def test_check_bad_json(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"date_of_service": "2025-02-30", "place_of_service": "11", "procedures": [{"approach": "x"}]}')
    rc, _, err = run(capsys, "check", str(bad))
    assert rc == 2 and "date_of_service" in err and "procedures[0].approach" in err
    bad.write_text("{not json")
    rc, _, err = run(capsys, "check", str(bad))
    assert rc == 2 and "not valid JSON" in err


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert rc == 0 and schema["required"] == ["date_of_service", "place_of_service"]
    assert schema["else"] == {"required": ["procedures"]}  # procedures are required unless claim_only


def test_console_script_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "esi_reference.cli", "lookup", "99999"], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_codes_filters() -> None:
    assert [c.code for c in codes(family="esi_interlaminar", as_of="2025-01-01")] == [f"6232{i}" for i in range(8)]
    assert {c.code for c in codes(kind="deleted")} >= {"62310", "0228T", "72275", "J1040"}
    assert "64479" in [c.code for c in search("T12-L1")]
