"""The audit's CSV/JSON writer: pyarrow's fast writer gives the same table back as pandas' to_csv."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from esi_reference import EsiError
from esi_reference.audit import audit
from esi_reference.audit.export import write_frame

TRICKY = ["plain", "comma, inside", 'quote " inside', "new\nline", "", None, "  spaced  ", "é ü ∑"]


def tricky_frame() -> pd.DataFrame:
    n = len(TRICKY)
    return pd.DataFrame(
        {
            "row": range(1, n + 1),
            "text": pd.array(TRICKY, dtype="str"),
            "category": pd.Categorical(["" if v is None else v for v in TRICKY]),
            "objects": pd.Series(TRICKY, dtype=object),
            "number": [1.5, 2.0, None, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )


def read_back(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("columns", [["row", "text", "category", "objects"], ["row", "text", "number"]])
def test_csv_reads_back_like_pandas(tmp_path, columns):
    # Without a float column pyarrow writes the file; with one, pandas does (2.0 stays "2.0").
    frame = tricky_frame()[columns]
    ours, theirs = tmp_path / "ours.csv", tmp_path / "pandas.csv"
    write_frame(frame, str(ours))
    frame.to_csv(theirs, index=False)
    assert read_back(ours) == read_back(theirs)
    assert read_back(ours)[0] == columns  # header as plain names
    assert read_back(ours)[2][1] == "comma, inside" and read_back(ours)[4][1] == "new\nline"


def test_audit_tables_round_trip(tmp_path):
    from esi_reference.audit.generate import write_claims

    claims = tmp_path / "claims.csv"
    write_claims(claims, 3000, seed=7, bad_row_rate=0.02)
    result = audit(claims)
    for frame in (result.lines, result.findings.assign(date_of_service=result.findings["date_of_service"].astype(str))):
        ours, theirs = tmp_path / "ours.csv", tmp_path / "pandas.csv"
        write_frame(frame, str(ours))
        frame.to_csv(theirs, index=False)
        assert read_back(ours) == read_back(theirs)
        assert len(read_back(ours)) == len(frame) + 1


def test_json_records(tmp_path):
    out = tmp_path / "out.json"
    write_frame(tricky_frame(), str(out), "json")
    records = json.loads(out.read_text(encoding="utf-8"))
    assert len(records) == len(TRICKY) and records[1]["text"] == "comma, inside"


def test_unwritable_path_is_a_typed_error(tmp_path):
    with pytest.raises(EsiError, match="cannot write"):
        write_frame(tricky_frame(), str(tmp_path / "missing-dir" / "out.csv"))


def test_fast_writer_is_used_for_the_audit_tables_and_declines_floats(tmp_path):
    from esi_reference.audit.export import _write_csv_arrow

    assert _write_csv_arrow(tricky_frame()[["row", "text", "category"]], str(tmp_path / "a.csv")) is True
    assert _write_csv_arrow(tricky_frame(), str(tmp_path / "b.csv")) is False
