"""The claim-line reader: every row accounted for, rejects with row numbers and reasons."""

from __future__ import annotations

import io
import random
import subprocess
import sys

import pytest
from audit_helpers import SAMPLE, csv_text, row, run

from esi_reference.audit import audit, read_claims
from esi_reference.audit.columns import COLUMN_NAMES, REQUIRED, columns_markdown
from esi_reference.audit.generate import generate_rows, write_claims, write_sample
from esi_reference.errors import EsiError, InvalidField
from esi_reference.model.encounter import CONTRACTOR_LCDS


def test_rows_in_equal_rows_out_on_a_messy_generated_file(tmp_path):
    path = tmp_path / "claims.csv"
    written = write_claims(path, 3000, seed=11, bad_row_rate=0.03)
    result = audit(path)
    lines = result.lines
    assert len(lines) == written == result.rows_read
    assert lines["row"].tolist() == list(range(1, written + 1))
    counts = lines["status"].value_counts().to_dict()
    assert counts["rejected"] == len(result.rejects) > 0
    assert counts["findings"] > 0 and counts["clean"] > 0
    assert sum(counts.values()) == written
    rejected = lines[lines["status"] == "rejected"]
    assert (rejected["reason"].str.len() > 0).all()
    flagged = lines[lines["status"] == "findings"]
    assert set(flagged["row"]) == set(result.findings["row"])
    assert (flagged["rule_ids"].str.len() > 0).all()
    clean = lines[lines["status"] == "clean"]
    assert (clean["rule_ids"] == "").all() and (clean["reason"] == "").all()


def test_rows_in_equal_rows_out_whatever_the_row_order(tmp_path):
    rows = generate_rows(600, seed=5, bad_row_rate=0.05)
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    results = []
    for name, data in (("a.csv", rows), ("b.csv", shuffled)):
        path = tmp_path / name
        path.write_text(",".join(COLUMN_NAMES) + "\n" + "\n".join(",".join(r) for r in data) + "\n")
        results.append(audit(path))
    a, b = results
    assert len(a.lines) == len(rows) == len(b.lines)
    key = ["patient_id", "claim_id", "line_number", "rule_id"]
    fa = a.findings[key].astype(str).sort_values(key).reset_index(drop=True)
    fb = b.findings[key].astype(str).sort_values(key).reset_index(drop=True)
    assert fa.equals(fb)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"day": "2025-02-30"}, "date_of_service: expected a date as YYYY-MM-DD, got '2025-02-30'"),
        ({"day": "03/04/2025"}, "date_of_service: expected a date as YYYY-MM-DD, got '03/04/2025'"),
        ({"code": "99999"}, "code: expected a code in the catalogue, got '99999'"),
        ({"code": "6448"}, "code: expected a code in the catalogue (close: 64480, 64483, 64484), got '6448'"),
        ({"units": "-1"}, "units: expected a whole number from 1 to 9999, got '-1'"),
        ({"units": "0"}, "units: expected a whole number from 1 to 9999, got '0'"),
        ({"units": "two"}, "units: expected a whole number from 1 to 9999, got 'two'"),
        ({"dx": "M54.16"}, None),
        ({"patient": ""}, "patient_id: missing value (required column)"),
        ({"patient": "   "}, "patient_id: missing value (required column)"),
        ({"code": " 64483", "units": " 1", "day": " 2025-03-04"}, None),
        ({"code": ""}, "code: missing value (required column)"),
        ({"modifiers": "5O 500"}, "modifiers: expected a two-character modifier such as 50, RT, XS, KX, got '500'"),
        ({"pos": "7A"}, "place_of_service: expected a 2-digit place-of-service code, got '7A'"),
        ({"contractor": "L00000"}, "contractor: expected one of " + ", ".join(CONTRACTOR_LCDS) + ", got 'L00000'"),
        ({"dose": "-5"}, "drug_dose: expected a positive number up to 10000 (the amount given), got '-5'"),
    ],
)
def test_each_malformed_row_is_rejected_with_its_row_number_and_reason(change, reason):
    rows = [
        row(patient="P1", claim="C1"),
        row(**{"patient": "P2", "claim": "C2", **change}),
        row(patient="P3", claim="C3"),
    ]
    result = run(rows)
    if reason is None:
        assert len(result.rejects) == 0
        return
    assert result.rejects[["row", "reason"]].values.tolist() == [[2, reason]]
    assert result.lines["status"].tolist() == ["clean", "rejected", "clean"]


def test_too_many_fields_and_duplicates_are_rejected():
    text = csv_text([row(line=1), row(line=2, code="J3301"), row(line=1, code="64484")])
    lines = text.splitlines()
    lines[2] += ",surplus"
    result = audit(io.StringIO("\n".join(lines) + "\n"))
    assert result.rejects[["row", "reason"]].values.tolist() == [
        [2, "row has more fields than the header"],
        [3, "duplicate claim line: claim_id and line_number repeat row 1"],
    ]
    assert len(result.lines) == 3


def test_missing_required_column_is_a_typed_error_naming_it():
    text = csv_text([row()], columns=tuple(c for c in COLUMN_NAMES if c != "units"))
    with pytest.raises(InvalidField, match="missing units"):
        read_claims(io.StringIO(text))


def test_empty_and_unreadable_files_are_typed_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(EsiError, match="empty file"):
        audit(empty)
    with pytest.raises(EsiError, match="no such file"):
        audit(tmp_path / "missing.csv")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(
        b"patient_id,claim_id,line_number,date_of_service,code,units\nP\xff\xfe,C,1,2025-01-01,64483,1\n"
    )
    with pytest.raises(EsiError, match="UTF-8"):
        audit(binary)


def test_header_only_file_gives_an_empty_audit():
    result = audit(io.StringIO(",".join(REQUIRED) + "\n"))
    assert result.rows_read == 0 and len(result.lines) == 0 and len(result.findings) == 0


def test_columns_in_any_order_any_case_extra_columns_ignored_bom_and_numeric_codes():
    text = (
        "\ufeffUNITS,Code,claim_id,Comment,line_number,date_of_service,patient_id\n"
        "1,64483,C1,anything,1,2025-03-04,007\n"
        "1,64484,C1,,2,2025-03-04,007\n"
    )
    claims = read_claims(io.StringIO(text))
    assert claims.lines["code"].astype(str).tolist() == ["64483", "64484"]
    assert claims.lines["patient_id"].astype(str).tolist() == ["007", "007"]
    assert len(claims.rejects) == 0


def test_all_numeric_codes_keep_their_leading_zeros():
    claims = read_claims(io.StringIO(csv_text([row(code="01992", line=1), row(code="6448", line=2)])))
    reasons = claims.rejects["reason"].tolist()
    assert reasons[0].startswith("code: expected a code in the catalogue") and reasons[0].endswith("got '01992'")
    assert reasons[1] == "code: expected a code in the catalogue (close: 64480, 64483, 64484), got '6448'"


def test_all_numeric_place_of_service_keeps_its_leading_zero():
    claims = read_claims(io.StringIO(csv_text([row(pos="01", line=1), row(pos="11", line=2)])))
    assert claims.lines["place_of_service"].astype(str).tolist() == ["01", "11"]


def test_docs_table_matches_the_column_spec():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "claims-format.md").read_text(encoding="utf-8")
    assert columns_markdown() in doc


def test_sample_file_is_the_generated_one_and_has_every_status(tmp_path):
    again = tmp_path / "sample.csv"
    write_sample(again)
    assert again.read_text() == SAMPLE.read_text()
    result = audit(SAMPLE)
    assert set(result.lines["status"]) == {"clean", "findings", "rejected"}
    assert result.summary.totals["patients_over_limit"] == 1


def test_generator_is_seeded_and_mixed():
    a = generate_rows(400, seed=3)
    assert a == generate_rows(400, seed=3) and a != generate_rows(400, seed=4)
    codes = {r[5] for r in a}
    assert {"64483", "62323", "62321"} <= codes
    assert any(r[6] == "50" for r in a)


def test_core_package_does_not_import_pandas():
    code = (
        "import sys, esi_reference, esi_reference.rules, esi_reference.engine, esi_reference.cli; "
        "esi_reference.cli.build_parser(); print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
