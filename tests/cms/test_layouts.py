"""Reading CMS files as published: recognition by header, CRLF, Latin-1, wrapped headers, parts, zips,
and one-line refusals of everything else (exit 2 through the CLI)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from esi_reference.cli import main
from esi_reference.cmsdata import importer, layouts, samples
from esi_reference.cmsdata.layouts import LayoutError
from esi_reference.errors import EsiError

from .cms_rows import MUE_ROWS, PART1, write_quarter


def test_ptp_part_is_read_with_its_preamble_crlf_and_line_numbers(tmp_path: Path) -> None:
    path = write_quarter(tmp_path, parts=(1,))[0]
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == 6 + len(PART1) and raw.startswith(b"CPT codes")
    parsed = layouts.read_file(path)
    assert parsed.kind.describe() == "Medicare practitioner NCCI PTP edits"
    assert (parsed.version, parsed.part, parsed.rows_read) == ("v322r0", 1, len(PART1))
    assert [row[:2] for row in parsed.ptp] == [("62321", "62323"), ("62323", "64483"), ("62323", "64493"),
                                               ("62323", "99213")]  # fmt: skip
    assert parsed.ptp[0][3:6] == ("2026-01-01", "", "0")
    assert (parsed.first_code, parsed.last_code) == ("00100", "62323")
    assert len(parsed.sha256) == 64


def test_mue_notice_with_latin1_and_wrapped_header(tmp_path: Path) -> None:
    path = samples.write_mue(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", MUE_ROWS)
    assert b"\xae" in path.read_bytes() and b'"HCPCS/\nCPT Code"' in path.read_bytes()
    parsed = layouts.read_file(path)
    assert parsed.mue == {"62323": (2, "3", "Clinical: Data"), "64483": (1, "2", "Anatomic Consideration")}
    assert parsed.vintage == "2026Q3"


def test_rvu_file_keeps_no_descriptor(tmp_path: Path) -> None:
    line = samples.rvu_row("62323", work="1.90").split(",")
    line[2] = "AMA DESCRIPTOR TEXT"
    path = samples.write_rvu(tmp_path / "PPRRVU26_JUL.csv", [",".join(line)])
    parsed = layouts.read_file(path)
    assert parsed.vintage == "2026Q3" and parsed.rvu[0]["work_rvu"] == "1.90"
    assert "AMA DESCRIPTOR TEXT" not in repr(parsed.rvu)


def test_dme_mue_is_named_and_refused(tmp_path: Path) -> None:
    path = samples.write_mue(tmp_path / "mue.csv", MUE_ROWS, setting="DME Supplier Services")
    assert layouts.sniff(layouts.file_source(path)).setting == "DME supplier"
    with pytest.raises(LayoutError, match="Medicare DME supplier MUE table"):
        importer.parse([(layouts.file_source(path), True)])


def test_outpatient_hospital_tables_are_read_and_medicaid_ptp_refused(tmp_path: Path) -> None:
    hospital = samples.write_ptp_part(tmp_path / "ccioph-v322r0-f1.TXT", PART1)
    mue = samples.write_mue(tmp_path / "mue.csv", MUE_ROWS, setting="Outpatient Hospital Services")
    medicaid = samples.write_ptp_part(tmp_path / "medicaid-ncci-ptp-practitioner.txt", PART1)
    read = importer.parse([(layouts.file_source(hospital), True), (layouts.file_source(mue), True)]).parsed
    assert [(p.kind.key, p.kind.describe()) for p in read] == [
        ("ptp-hospital", "Medicare outpatient hospital NCCI PTP edits"),
        ("mue-hospital", "Medicare outpatient hospital MUE table"),
    ]
    with pytest.raises(LayoutError, match="Medicaid practitioner NCCI PTP edits"):
        importer.parse([(layouts.file_source(medicaid), True)])


def _damaged_zip(path: Path, member: Path) -> Path:
    importer_zip = samples.zip_files(path, [member])
    data = bytearray(importer_zip.read_bytes())
    data[60:90] = b"\x00" * 30  # inside the compressed member
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case", ["unknown", "utf16", "xlsx", "xls", "damaged-zip", "truncated-zip", "empty"])
def test_bad_files_are_one_line_exit_2(tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "input.txt"
    if case == "unknown":
        path.write_text("patient,claim\n1,2\n")
    elif case == "utf16":
        path.write_text("Column1/Column2 Edits\t\n62323\t77003\n", encoding="utf-16")
    elif case == "xlsx":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
    elif case == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    elif case == "damaged-zip":
        _damaged_zip(path, write_quarter(tmp_path / "parts", parts=(1,))[0])
    elif case == "truncated-zip":
        samples.zip_files(path, write_quarter(tmp_path / "parts", parts=(1,)))
        path.write_bytes(path.read_bytes()[:200])
    else:
        path.write_bytes(b"")
    assert main(["data", "import", str(path), "--into", str(tmp_path / "store")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "input.txt" in err or "no CMS table" in err
    assert not (tmp_path / "store").exists()


def test_wrong_file_for_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mue = samples.write_mue(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", MUE_ROWS)
    encounter = tmp_path / "enc.json"
    encounter.write_text('{"date_of_service": "2026-08-03", "place_of_service": "11", "procedures": [], '
                         '"diagnoses": [], "claim": [{"code": "62323"}]}')  # fmt: skip
    assert main(["check", str(encounter), "--ptp-file", str(mue)]) == 2
    err = capsys.readouterr().err
    assert "MUE table; expected the NCCI PTP edits" in err and len(err.strip().splitlines()) == 1


def test_bad_rows_name_file_line_field_and_are_counted(tmp_path: Path) -> None:
    rows = [*PART1, ("62323", "77003", "", "2017-01-01", "*", "1", "bad date"),
            ("62321", "64479", "", "20170101", "*", "2", "bad indicator")]  # fmt: skip
    path = samples.write_ptp_part(tmp_path / "ccipra-v322r0-f1.TXT", rows)
    parsed = layouts.read_file(path)
    assert parsed.rows_skipped == 2 and parsed.rows_kept == 4
    assert parsed.problems[0].endswith(
        "ccipra-v322r0-f1.TXT:12: Effective Date: expected a date YYYYMMDD, got '2017-01-01'"
    )
    assert "ccipra-v322r0-f1.TXT:13: Modifier: expected 0, 1 or 9, got '2'" in parsed.problems[1]
    with pytest.raises(layouts.RowError, match=":12: Effective Date"):
        layouts.read_file(path, strict=True)


def test_a_file_of_mostly_bad_rows_is_refused(tmp_path: Path) -> None:
    rows = [("62323", f"6{n:04d}", "", "2017", "*", "1", "x") for n in range(40)]
    path = samples.write_ptp_part(tmp_path / "ccipra-v322r0-f1.TXT", rows)
    with pytest.raises(LayoutError, match="40 of 40 rows are malformed"):
        importer.parse([(layouts.file_source(path), True)])


def test_folder_and_zip_are_expanded_and_others_skipped(tmp_path: Path) -> None:
    parts = write_quarter(tmp_path / "dl")
    (tmp_path / "dl" / "README.pdf").write_bytes(b"%PDF-1.4 placeholder")
    zipped = samples.zip_files(tmp_path / "ccipra.zip", [*parts, tmp_path / "dl" / "README.pdf"])
    for target in (tmp_path / "dl", zipped):
        outcome = importer.parse(importer.collect([target]))
        assert sorted(p.part for p in outcome.parsed) == [1, 2, 3, 4]
        assert any("README.pdf" in s for s in outcome.skipped)


LINE_PIECES = st.sampled_from(["62323", "64483", "99213", "A0021", "6232", "", "*", "20170101", "2017", "0", "1",
                               "9", "x", "\xae", "\t", ",", '"'])  # fmt: skip


@settings(max_examples=examples(60), deadline=None)
@given(lines=st.lists(st.lists(LINE_PIECES, min_size=0, max_size=9).map("\t".join), max_size=30))
def test_any_ptp_body_reads_or_fails_with_one_typed_error(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fuzz") / "ccipra-v322r0-f1.TXT"
    with path.open("w", encoding="latin-1", newline="\r\n") as handle:
        for line in samples.ptp_lines([]):
            handle.write(line + "\n")
        for line in lines:
            handle.write(line + "\n")
    try:
        parsed = layouts.read_file(path)
    except EsiError:
        return
    assert parsed.rows_kept + parsed.rows_skipped <= parsed.rows_read
    every = layouts.catalogue_codes()
    assert all(row[0] in every or row[1] in every for row in parsed.ptp)


def test_qpp_and_non_qpp_rvu_files_install_the_non_qpp_one(tmp_path: Path) -> None:
    rows = [samples.rvu_row("62323")]
    a = samples.write_rvu(tmp_path / "PPRRVU26_JUL_nonQPP.csv", rows)
    b = samples.write_rvu(tmp_path / "PPRRVU26_JUL_QPP.csv", rows)
    outcome = importer.install_files([a, b], into=str(tmp_path / "store"))
    assert any("PPRRVU26_JUL_nonQPP.csv installed" in w for w in outcome.warnings)


def test_a_long_notice_before_the_mue_header_is_still_recognised(tmp_path: Path) -> None:
    path = samples.write_mue(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", MUE_ROWS)
    text = path.read_bytes().replace(b"Third line.", b"Third line. " + b"More notice text. " * 400)
    path.write_bytes(text)
    assert layouts.read_file(path).mue["62323"] == (2, "3", "Clinical: Data")
