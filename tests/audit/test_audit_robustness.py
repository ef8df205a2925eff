"""Junk in, every row accounted for: random mixes of valid and malformed fields never crash the audit,
and each input row comes out exactly once (clean, with findings, or rejected with a reason)."""

from __future__ import annotations

import io

from audit_helpers import csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esi_reference.audit import audit
from esi_reference.audit.columns import COLUMN_NAMES

FIELDS = {
    "patient_id": st.sampled_from(["P1", "P2", "P3", "", " ", "007", "Ü-9"]),
    "claim_id": st.sampled_from(["C1", "C2", "C3", "C4", ""]),
    "line_number": st.sampled_from(["1", "2", "3", "0", "-1", "x", "", "1.0"]),
    "date_of_service": st.sampled_from(
        ["2025-03-04", "2024-03-05", "2016-12-31", "2025-02-30", "03/04/2025", "", "2024-02-29", "1969-12-31"]
    ),
    "place_of_service": st.sampled_from(["11", "22", "24", "7", "", "XX"]),
    "code": st.sampled_from(
        [
            "64483",
            "64484",
            "62323",
            "62321",
            "62322",
            "77003",
            "J3301",
            "J1040",
            "99214",
            "J2001",
            "0230T",
            "99999",
            "",
            "6448",
            "62311",
            "Q9966",
            "27096",
            "64490",
        ]
    ),
    "modifiers": st.sampled_from(["", "50", "RT", "LT", "RT 59", "XS", "25", "GZ", "5", "RT;LT", "A B C D E"]),
    "units": st.sampled_from(["1", "2", "3", "40", "0", "-1", "", "abc"]),
    "diagnosis_codes": st.sampled_from(["M54.16", "M54.50", "", "G89.18", "bad code", "M54.12 M54.16"]),
    "rendering_provider": st.just("1234567893"),
    "drug_dose": st.sampled_from(["", "40", "80", "-3", "x"]),
    "payer": st.sampled_from(["", "medicare", "other", "MEDICARE", "acme"]),
    "claim_type": st.sampled_from(["", "professional", "facility", "FACILITY", "institutional"]),
    "contractor": st.sampled_from(["", "L38994", "L39240", "L00000"]),
    "container": st.sampled_from(["", "single_dose_vial", "multi_dose_vial", "AMPULE", "bottle"]),
    "container_amount": st.sampled_from(["", "10", "40", "0", "-1", "x"]),
    "discarded": st.sampled_from(["", "0", "4", "50", "-2", "x"]),
    "supplied_by": st.sampled_from(["", "practice", "facility", "patient"]),
    "ndc": st.sampled_from(["", "00009-3073-01", "00009307301", "0009-3073-01", "123"]),
    "ndc_unit": st.sampled_from(["", "ME", "ml", "XX"]),
    "ndc_quantity": st.sampled_from(["", "10", "0", "1.2345", "x"]),
}
ROW = st.fixed_dictionaries({k: FIELDS[k] for k in COLUMN_NAMES})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=25))
def test_every_row_comes_out_once(rows):
    result = audit(io.StringIO(csv_text(rows)))
    lines = result.lines
    assert lines["row"].tolist() == list(range(1, len(rows) + 1))
    assert set(lines["status"]) <= {"clean", "findings", "rejected"}
    rejected = lines[lines["status"] == "rejected"]
    assert (rejected["reason"].astype(str).str.len() > 0).all()
    assert set(result.findings["row"]) == set(lines.loc[lines["status"] == "findings", "row"])
    assert result.summary.totals["rows_read"] == len(rows)
