"""Users' own quarterly CMS files, given for one run, answer for the codes they hold over the shipped Q3 2024
tables (synthetic fixtures, no CMS text; the CMS layouts themselves are tested in tests/cms)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from esi_asserts import base_encounter, findings

from esi_reference import EsiError
from esi_reference.cli import main
from esi_reference.reference.ncci import edits_between, load_mue_file, load_ptp_file, using_tables

PTP_TEXT = (
    "CMS notice line: for testing only\n"
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier\tRationale\n"
    "62323\t64493\t\t20250101\t*\t0\tSynthetic test edit\n"
    "62323\t77003\t\t20170101\t20241231\t1\tSynthetic deleted edit\n"
)
MUE_TEXT = (
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
    "62323,2,3 Date of Service Edit: Clinical,Synthetic\n"
)


@pytest.fixture
def ptp_file(tmp_path: Path) -> Path:
    path = tmp_path / "ptp.txt"
    path.write_text(PTP_TEXT)
    return path


def test_load_ptp_file(ptp_file: Path) -> None:
    edits = load_ptp_file(ptp_file)
    assert [(e.column1, e.column2, e.modifier_indicator) for e in edits] == [
        ("62323", "64493", "0"),
        ("62323", "77003", "1"),
    ]
    assert str(edits[1].deletion_date) == "2024-12-31"
    with using_tables(ptp=edits, label="ptp.txt"):
        assert edits_between("62323", "64493", "2025-06-01")
        assert not edits_between("62323", "77003", "2025-06-01")  # deleted in the user's file
    assert not edits_between("62323", "64493")  # shipped table again


def test_user_ptp_table_changes_check(ptp_file: Path) -> None:
    data = base_encounter(
        procedures=[
            {"approach": "interlaminar", "levels": ["L4-L5"]},
            {"approach": "facet", "levels": ["L4-L5"], "side": "left"},
        ],
        claim=[{"code": "62323"}, {"code": "64493"}],
    )
    assert "NCCI-PTP" not in findings(data)
    with using_tables(ptp=load_ptp_file(ptp_file), label="ptp.txt"):
        assert findings(data)["NCCI-PTP"] == "error"


def test_user_mue_table(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_text(MUE_TEXT)
    table = load_mue_file(path)
    assert table["62323"].units == 2 and table["62323"].mai == "3"
    data = base_encounter(claim=[{"code": "62323", "units": 2}])
    assert "MUE-UNITS" in findings(data)  # info: a consequence of CPT-SESSION-UNITS (one finding per cause)
    with using_tables(mue=table, label="mue.csv"):
        assert "MUE-UNITS" not in findings(data)


def test_cli_with_user_files(ptp_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    enc = tmp_path / "enc.json"
    enc.write_text(
        json.dumps(
            base_encounter(
                procedures=[
                    {"approach": "interlaminar", "levels": ["L4-L5"]},
                    {"approach": "facet", "levels": ["L4-L5"], "side": "left"},
                ],
                claim=[{"code": "62323"}, {"code": "64493"}],
            )
        )
    )
    assert main(["check", str(enc)]) == 0
    assert main(["check", str(enc), "--ptp-file", str(ptp_file)]) == 1
    assert "user file ptp.txt" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text", ["", "just a note\n", "62323\t64493\t\t20250101\tnever\t0\tx\n", "62323\t64493\t\t20250101\t*\t7\tx\n"]
)
def test_bad_ptp_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(EsiError):
        load_ptp_file(path)


def test_missing_file() -> None:
    with pytest.raises(EsiError):
        load_ptp_file("/nonexistent/ptp.txt")
