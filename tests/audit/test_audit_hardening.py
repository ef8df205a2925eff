"""Issue 10, the claims audit: the reader never shifts columns, spreadsheet exports read as meant, outputs
are atomic and all-or-nothing, no CSV cell can start a formula, and no message echoes patient data."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pandas as pd
import pytest
from audit_helpers import SAMPLE, row

from esi_reference import EsiError
from esi_reference.audit import audit, read_claims
from esi_reference.audit import format as fmt
from esi_reference.cli import main
from esi_reference.views.output import FORMULA_STARTS, NUMBER_PATTERN

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "spreadsheet_exports"
HEADER = ",".join(fmt.COLUMN_NAMES)
_PAD = "," * (len(fmt.COLUMN_NAMES) - 10)  # the optional columns after rendering_provider, empty
ROW_1 = "P1,C1,1,2025-03-04,11,64483,LT,1,M54.16,1234567893" + _PAD
ROW_2 = "P1,C1,2,2025-03-04,11,64484,LT,1,M54.16,1234567893" + _PAD


@pytest.fixture(params=["arrow", "c-engine"])
def reader(request, monkeypatch):
    """Every reader test runs with the pyarrow reader and with the pandas C-engine fallback."""
    if request.param == "c-engine":
        monkeypatch.setattr(fmt, "read_arrow", lambda source, header: None)
    return request.param


def live_formulas(path: Path) -> list[str]:
    """Cells of a CSV file that a spreadsheet would run as a formula."""
    import re

    with open(path, newline="", encoding="utf-8") as f:
        return [
            cell
            for record in csv.reader(f)
            for cell in record
            if cell.startswith(FORMULA_STARTS) and not re.match(NUMBER_PATTERN, cell)
        ]


# ------------------------------------------------------------------------------------------- reader
@pytest.mark.parametrize(
    ("text", "rejected"),
    [
        (f"{HEADER}\n{ROW_1},\n{ROW_2},\n", []),  # every row ends in a comma (was: columns shifted, exit 0)
        (f"{HEADER}\n{ROW_1},\n{ROW_2}\n", []),  # only the first row does
        (f"{HEADER}\n{ROW_1},,\n{ROW_2}\n", []),  # two on the first row (was: ValueError)
        (f"{HEADER},\n{ROW_1},\n{ROW_2},\n", []),  # header too
        (f"{HEADER}\n{ROW_1},x\n{ROW_2}\n", [[1, "row has more fields than the header"]]),
        (f"{HEADER}\n{ROW_1}\n{ROW_2},,x\n", [[2, "row has more fields than the header"]]),
        (f"{HEADER},\n{ROW_1},x\n{ROW_2},\n", [[1, "row has more fields than the header"]]),
    ],
)
def test_trailing_fields_never_shift_columns(text, rejected, reader):
    claims = read_claims(io.StringIO(text))
    assert claims.rejects[["row", "reason"]].values.tolist() == rejected
    assert len(claims.lines) + len(claims.rejects) == claims.rows_read == 2
    if not rejected:
        assert claims.lines["code"].astype(str).tolist() == ["64483", "64484"]
        assert claims.lines["patient_id"].astype(str).tolist() == ["P1", "P1"]


def test_trailing_comma_file_audits_clean_through_the_cli(tmp_path, capsys):
    """The issue's first defect end to end: before, every row was rejected with a false reason (exit 0)."""
    claims = tmp_path / "export.csv"
    claims.write_text(f"{HEADER}\n{ROW_1},\n{ROW_2},\n")
    out = tmp_path / "out.csv"
    main(["audit", str(claims), "--out", str(out), "--quiet"])
    lines = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert "rejected" not in set(lines["status"]) and lines["code"].tolist() == ["64483", "64484"]


@pytest.mark.parametrize("name", sorted(p.name for p in EXPORTS.glob("*.csv") if "formula" not in p.name))
def test_spreadsheet_exports_read_as_meant(name, reader):
    claims = read_claims(EXPORTS / name)
    assert claims.rows_read == 5 and len(claims.rejects) == 0
    lines = claims.lines
    assert lines["patient_id"].astype(str).tolist()[:2] == ["PT000101", "PT000101"]
    assert lines["code"].astype(str).tolist() == ["64483", "J3301", "62323", "64483", "64484"]
    assert lines["rendering_provider"].astype(str).tolist()[:3] == ["Dr Ada Smith, MD"] * 2 + ['Clinic "North"']
    assert lines["diagnosis_codes"].astype(str).tolist()[3] == "M54.16 M54.17"  # the line break inside quotes


def test_quoted_header_names_are_parsed_as_csv(reader):
    header = ",".join(f'"{n}"' for n in fmt.COLUMN_NAMES)
    claims = read_claims(io.StringIO(f'{header}\n{ROW_1}\n"P1","C1","2","2025-03-04",11,"64484",LT,1,,,,,\n'))
    assert len(claims.lines) == 2 and len(claims.rejects) == 0


def test_header_record_spanning_two_lines(reader):
    header = HEADER.replace("patient_id", '"patient\n_id"')  # an unknown column now: patient_id missing
    with pytest.raises(EsiError, match="missing patient_id"):
        read_claims(io.StringIO(f"{header}\n{ROW_1}\n"))
    header = HEADER.replace("modifiers", '"Modi-\nfiers"')  # normalised to modi_fiers: an ignored column
    claims = read_claims(io.StringIO(f"{header}\n{ROW_1}\n{ROW_2}\n"))
    assert claims.rows_read == 2 and len(claims.lines) == 2


@pytest.mark.parametrize("second", ["Patient_ID", " patient_id ", "PATIENT ID", "patient-id"])
def test_columns_colliding_after_normalisation_are_a_clear_error(second):
    with pytest.raises(EsiError, match=f"columns 1 and {len(fmt.COLUMN_NAMES) + 1} are both patient_id"):
        read_claims(io.StringIO(f"{HEADER},{second}\n{ROW_1},P9\n"))


def test_audit_of_a_frame_with_colliding_columns_is_a_typed_error():
    frame = pd.DataFrame([row()])
    frame["Code "] = "64484"  # was: an untyped pandas error
    with pytest.raises(EsiError, match="both code"):
        audit(frame)


def test_file_without_a_header_does_not_echo_its_first_row(tmp_path, capsys):
    claims = tmp_path / "noheader.csv"
    claims.write_text("PT777001,CL55,1,2025-03-04,11,64483,,1,M54.16,1234567893,,,\n")
    assert main(["audit", str(claims)]) == 2
    err = capsys.readouterr().err
    assert "PT777001" not in err and "CL55" not in err and "1234567893" not in err
    assert "is the header row missing?" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfep\x00a\x00", "is UTF-16 text"),
        (b"\xfe\xff\x00p\x00a", "is UTF-16 text"),
        (b"PK\x03\x04\x00\x00binary", "is a binary file"),
        (HEADER.encode() + b"\nP1,C1,1,2025-03-04,11,64483,,1,\xe9,,,,\n", "not UTF-8"),
    ],
)
def test_non_utf8_files_get_their_own_message(tmp_path, capsys, content, expected):
    claims = tmp_path / "c.csv"
    claims.write_bytes(content)
    assert main(["audit", str(claims)]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_folder_device_and_size_cap_get_their_own_message(tmp_path, capsys):
    assert main(["audit", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["audit", os.devnull]) == 2
    assert "not a regular file" in capsys.readouterr().err
    assert main(["audit", str(SAMPLE), "--max-mb", "0.001"]) == 2
    assert "larger than the 1,000 bytes limit" in capsys.readouterr().err
    assert main(["audit", str(SAMPLE), "--max-mb", "1", "--quiet"]) == 1  # findings: the cap let it through


def test_field_over_the_csv_module_limit_is_read(tmp_path, reader):
    """A 200 KB field (was: _csv.Error traceback on the ragged-file path): read, then validated like any."""
    big = "X" * 200_000
    claims = read_claims(io.StringIO(f"{HEADER}\n{ROW_1}\nP1,C1,2,2025-03-04,11,{big},,1,,,,,,\n"))
    assert claims.rows_read == 2 and len(claims.rejects) == 1
    assert len(claims.rejects["reason"].iloc[0]) < 200


# ------------------------------------------------------------------------------------------- outputs
def _outputs(tmp_path: Path) -> list[str]:
    return ["--out", str(tmp_path / "o.csv"), "--detail", str(tmp_path / "d.csv"),
            "--summary", str(tmp_path / "s.json"), "--chart", str(tmp_path / "c.svg")]  # fmt: skip


@pytest.mark.parametrize(
    "clash",
    [
        lambda d, claims: ["--out", str(claims)],
        lambda d, claims: ["--out", str(d / "x.csv"), "--detail", str(d / "x.csv")],
        lambda d, claims: ["--out", str(d / "x.csv"), "--summary", str(d / "sub" / ".." / "x.csv")],
        lambda d, claims: ["--out", str(d / "link.csv")],  # a symbolic link to the claims file
        lambda d, claims: ["--chart", str(d / "ptp.csv"), "--ptp-file", str(d / "ptp.csv")],
    ],
)
def test_output_on_an_input_or_on_another_output_is_refused_before_work(tmp_path, capsys, clash):
    claims = tmp_path / "claims.csv"
    claims.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "link.csv").symlink_to(claims)
    (tmp_path / "sub").mkdir()
    (tmp_path / "ptp.csv").write_text("Column 1,Column 2\n62321,62323,,20240101,*,0,x\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert main(["audit", str(claims), *clash(tmp_path, claims), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot overwrite the input" in err or "same file" in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_a_failed_run_leaves_no_output_and_no_temporary_file(tmp_path, capsys, monkeypatch):
    from esi_reference.audit import summary

    def broken(result):
        raise EsiError("simulated failure after --out and --detail were written")

    monkeypatch.setattr(summary, "summarise", broken)
    (tmp_path / "o.csv").write_text("an earlier run's output\n")
    assert main(["audit", str(SAMPLE), *_outputs(tmp_path), "--quiet"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv"]
    assert (tmp_path / "o.csv").read_text() == "an earlier run's output\n"  # untouched, not half-replaced
    capsys.readouterr()


def test_sigterm_during_a_run_leaves_no_output(tmp_path, capsys, monkeypatch):
    import signal

    from esi_reference.audit import export

    real = export.write_frame

    def write_then_stop(frame, path, fmt="csv"):
        real(frame, path, fmt)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the run is writing its outputs

    monkeypatch.setattr(export, "write_frame", write_then_stop)
    assert main(["audit", str(SAMPLE), *_outputs(tmp_path), "--quiet"]) == 143
    assert list(tmp_path.iterdir()) == []
    assert "SIGTERM" in capsys.readouterr().err


def test_successful_run_writes_every_output_with_usual_permissions(tmp_path, capsys):
    assert main(["audit", str(SAMPLE), *_outputs(tmp_path), "--quiet"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.svg", "d.csv", "o.csv", "s.json"]
    assert all(p.stat().st_mode & 0o044 for p in tmp_path.iterdir())  # not mkstemp's 0600


# ------------------------------------------------------------------------------------------- formulas
@pytest.mark.parametrize("out_format", ["arrow", "pandas"])
def test_no_live_formula_in_any_audit_output(tmp_path, capsys, monkeypatch, out_format):
    if out_format == "pandas":
        from esi_reference.audit import export

        monkeypatch.setattr(export, "_write_csv_arrow", lambda frame, path: False)
    source = EXPORTS / "formula_injection.csv"
    main(["audit", str(source), "--out", str(tmp_path / "o.csv"), "--detail", str(tmp_path / "d.csv"), "--quiet"])
    for name in ("o.csv", "d.csv"):
        assert live_formulas(tmp_path / name) == []
    lines = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert lines["patient_id"].tolist()[:2] == ['\'=HYPERLINK("http://x.invalid","open")', "'+PT000201"]
    assert lines["claim_id"].tolist()[1] == "'-CL9002"
    assert lines["line_number"].tolist()[2] == "x" and "'=1+1" in lines["code"].tolist()
    assert live_formulas(source)  # the fixture does plant formulas
