"""Claim-line CSVs as spreadsheets and careless hands write them - BOM, CRLF, trailing commas on every row
or on the first rows only, quoting of everything, quoted commas, quotes and line breaks, ragged rows, planted
formulas, header names in any case and order - through both readers and the ``audit`` command: only typed
errors, rows in = accepted + rejected = rows out, and no live formula in any output."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from fuzz_helpers import check_run, claims_reader, live_formulas, no_temporary_files
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import examples

from esi_reference import EsiError
from esi_reference.audit import format as fmt
from esi_reference.audit import read_claims

VALUES = {
    "patient_id": ["P1", "P2", "", " ", "007", "=HYPERLINK(1)", "+P3", "@P4", "\tP5", "P,6", 'P"7', "P\n8"],
    "claim_id": ["C1", "C2", "C3", "", "-C4", "C\r5"],
    "line_number": ["1", "2", "3", "0", "-1", "x", "", "1.0", "9" * 30],
    "date_of_service": ["2025-03-04", "2024-03-05", "2025-02-30", "03/04/2025", "", "=TODAY()", "2024-02-29"],
    "place_of_service": ["11", "22", "24", "7", "", "XX"],
    "code": ["64483", "64484", "62323", "62321", "77003", "J3301", "99214", "99999", "", "=1+1", "6448", "0230T"],
    "modifiers": ["", "50", "RT", "LT", "RT 59", "XS", "RT;LT", "A B C D E", "-50"],
    "units": ["1", "2", "40", "0", "-1", "", "abc", "+1"],
    "diagnosis_codes": ["M54.16", "", "M54.16\nM54.17", "bad code", "M54.12;M54.16"],
    "rendering_provider": ["1234567893", "Dr A, MD", "", "=cmd|' /C calc'!A0", "\x1b[2J"],
    "drug_dose": ["", "40", "-3", "x", "1e999"],
    "payer": ["", "medicare", "other", "acme"],
    "contractor": ["", "L38994", "L00000"],
    "claim_type": ["", "professional", "facility", "FACILITY", "x"],
    "container": ["", "single_dose_vial", "multi_dose_vial", "=1+1", "vial"],
    "container_amount": ["", "10", "0", "-1", "1e999", "x"],
    "discarded": ["", "0", "4", "20", "-1", "nan"],
    "supplied_by": ["", "practice", "facility", "@x"],
    "ndc": ["", "00009-3073-01", "0009-3073-01", "12345678901", "x"],
    "ndc_unit": ["", "ME", "ml", "XX"],
    "ndc_quantity": ["", "10", "0", "1.23456", "inf"],
}
ROW = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in VALUES.items()})


@st.composite
def claim_files(draw: st.DrawFn) -> tuple[bytes, int]:
    """(file bytes, number of data records written)."""
    names = list(fmt.COLUMN_NAMES)
    dropped = draw(st.sets(st.sampled_from([n for n in names if n not in fmt.REQUIRED]), max_size=4))
    names = [n for n in names if n not in dropped]
    names = draw(st.permutations(names))
    header = [
        draw(st.sampled_from([n, n.upper(), n.replace("_", " ").title(), f" {n} ", n.replace("_", "-")])) for n in names
    ]
    rows = draw(st.lists(ROW, max_size=8))
    records = [[r[n] for n in names] for r in rows]
    for record in records:  # ragged rows: fields missing, empty surplus fields, surplus values
        shape = draw(st.integers(0, 9))
        if shape == 0:
            del record[draw(st.integers(1, len(record) - 1)) :]  # (never to nothing: a blank line)
        elif shape == 1:
            record.extend([""] * draw(st.integers(1, 3)))
        elif shape == 2:
            record.append(draw(st.sampled_from(["x", "=1+1", "", '"q"'])))
    trailing = draw(st.sampled_from(["none", "every", "first", "header"]))
    if trailing != "none":
        for i, record in enumerate(records):
            if trailing == "every" or (trailing == "first" and i < 2):
                record.append("")
        if trailing in ("every", "header"):
            header.append("")
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if draw(st.booleans()) else csv.QUOTE_MINIMAL
    if any("\r" in field for record in records for field in record):
        quoting = csv.QUOTE_ALL  # the csv module leaves a bare CR unquoted with "\n" line ends: a line break
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    writer = csv.writer(buf, quoting=quoting, lineterminator=ending)
    writer.writerow(header)
    writer.writerows(records)
    text = buf.getvalue()
    bom = draw(st.booleans())
    return (("\ufeff" if bom else "") + text).encode("utf-8"), len(records)


def _rows_accounted(claims, count: int) -> None:
    assert claims.rows_read == count == len(claims.lines) + len(claims.rejects)
    assert sorted([*claims.lines["row"].tolist(), *claims.rejects["row"].tolist()]) == list(range(1, count + 1))


@pytest.mark.parametrize("reader", ["arrow", "c-engine"])
@settings(max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=claim_files())
def test_both_readers_account_for_every_row(reader, case):
    content, count = case
    with claims_reader(reader), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.csv"
        path.write_bytes(content)
        try:
            claims = read_claims(path)
        except EsiError as exc:  # a header problem: a typed error naming no value of the file
            assert "header" in str(exc) or "empty file" in str(exc), str(exc)
            return
        _rows_accounted(claims, count)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim_files(), st.sampled_from(["csv", "json"]))
@example((b'"claim_id","patient_id","date_of_service","code"\n"C\r5"\n', 1), "csv")  # a bare CR in a value: was
def test_audit_command_rows_out_and_no_live_formula(case, out_format):  # written unquoted, read back as 2 rows
    content, count = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "claims.csv").write_bytes(content)
        out, detail = folder / f"o.{out_format}", folder / f"d.{out_format}"
        argv = ["audit", str(folder / "claims.csv"), "--out", str(out), "--detail", str(detail), "--quiet"]
        code, _, _ = check_run([*argv, "--format", out_format])
        no_temporary_files(folder)
        if code == 2:
            assert not out.exists() and not detail.exists()
            return
        if out_format == "csv":
            with open(out, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            assert [int(r["row"]) for r in rows] == list(range(1, count + 1))  # rows in = rows out
            assert live_formulas(out) == [] and live_formulas(detail) == []
        else:
            import json

            assert [r["row"] for r in json.loads(out.read_text())] == list(range(1, count + 1))
