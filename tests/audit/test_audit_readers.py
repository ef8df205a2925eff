"""The two readers agree: pyarrow's parser (the fast path) and the pandas C-engine reader (the fallback when
pyarrow is not installed, and the path for ragged files) give the same lines, rejects and findings."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from esi_reference.audit import audit, read_claims, write_claims
from esi_reference.audit import format as fmt
from esi_reference.audit.columns import DRUG_FACT_COLUMNS

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claims" / "sample_claims.csv"


#: The rows below are written for the columns before the optional drug facts.
HEADER = ",".join(c for c in fmt.COLUMN_NAMES if c not in DRUG_FACT_COLUMNS)


def _c_reader_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a machine without pyarrow runs (pandas itself cannot be un-imported from pyarrow in-process)."""
    monkeypatch.setattr(fmt, "read_arrow", lambda source, header: None)


def _same(a, b) -> None:
    assert a.rows_read == b.rows_read
    pd.testing.assert_frame_equal(a.findings, b.findings, check_dtype=False)
    pd.testing.assert_frame_equal(a.rejects, b.rejects, check_dtype=False)
    cols = ["row", "patient_id", "claim_id", "line_number", "date_of_service", "code", "status", "severity"]
    pd.testing.assert_frame_equal(
        a.lines[cols].astype(str), b.lines[cols].astype(str), check_dtype=False, check_categorical=False
    )


@pytest.mark.parametrize("source", ["sample", "generated"])
def test_arrow_and_c_readers_agree(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = SAMPLE
    if source == "generated":
        path = tmp_path / "claims.csv"
        write_claims(path, 3000, seed=7, bad_row_rate=0.05, overlong_rows=False)
    header = fmt._header(str(path))
    assert fmt.read_arrow(str(path), header) is not None  # the fast path is taken
    fast = audit(path)
    _c_reader_only(monkeypatch)
    _same(fast, audit(path))


def test_stream_read_by_arrow_like_a_file() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    header = fmt._header(io.StringIO(text))
    assert fmt.read_arrow(io.StringIO(text), header) is not None
    _same(audit(io.StringIO(text)), audit(SAMPLE))


@pytest.mark.parametrize(
    "tail",
    [
        "P2,C2,1,2025-03-04,11,64483,,1,M54.16,1,,,,,extra\n",  # more fields than the header
        "P2,C2,1,2025-03-04\n",  # fewer fields
    ],
)
def test_irregular_rows_go_to_the_c_reader(tail: str) -> None:
    head = HEADER + "\n" + "P1,C1,1,2025-03-04,11,64483,,1,M54.16,1,,,,\n"
    header = fmt._header(io.StringIO(head + tail))
    assert fmt.read_arrow(io.StringIO(head + tail), header) is None
    claims = read_claims(io.StringIO(head + tail))
    assert len(claims.lines) + len(claims.rejects) == claims.rows_read == 2


@pytest.mark.parametrize("body", ["\n", "\n\n", "P2,C2,1,2025-03-04,11,64483,,1,,,,,,\n\n"])
def test_blank_lines_read_alike(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = HEADER + "\n" + "P1,C1,1,2025-03-04,11,64483,,1,M54.16,1,,,,\n" + body
    fast = audit(io.StringIO(text))
    _c_reader_only(monkeypatch)
    _same(fast, audit(io.StringIO(text)))


def test_quoted_newline_and_blank_identifier() -> None:
    head = HEADER + "\n"
    text = head + 'P1,C1,1,2025-03-04,11,64483,,1,"M54.16\nM54.17",1,,,,\n' + "  ,C2,1,2025-03-04,11,64483,,1,,,,,,\n"
    header = fmt._header(io.StringIO(text))
    assert fmt.read_arrow(io.StringIO(text), header) is not None
    claims = read_claims(io.StringIO(text))
    assert claims.rows_read == 2
    assert claims.rejects[["row", "patient_id", "reason"]].values.tolist() == [
        [2, "  ", "patient_id: missing value (required column)"]
    ]


def test_arrow_reader_takes_fields_as_written() -> None:
    """No number inference: ``1.0`` is not a line number and ``7`` not a 2-digit place of service, whatever the
    other rows hold (the C-engine reader reads an all-numeric column as numbers first; see the format docs)."""
    text = HEADER + "\n" + "P1,C1,1,2025-03-04,11,64483,,1,M54.16,1,,,,\n"
    text += "P1,C1,1.0,2025-03-05,11,64483,,1,M54.16,1,,,,\nP1,C2,1,2025-03-05,7,64483,,1,M54.16,1,,,,\n"
    claims = read_claims(io.StringIO(text))
    assert claims.rejects[["row", "reason"]].values.tolist() == [
        [2, "line_number: expected a whole number from 1 to 999999, got '1.0'"],
        [3, "place_of_service: expected a 2-digit place-of-service code, got '7'"],
    ]
