"""The scaling note's claim: audited by patient partitions, a file gives the same findings as in one piece."""

from __future__ import annotations

import pandas as pd
from audit_helpers import SAMPLE

from esi_reference.audit import audit, audit_frame
from esi_reference.audit.generate import GENERATED_COLUMNS, generate_rows, write_claims

KEY = ["row", "rule_id", "severity", "message"]


def _frame(rows):
    df = pd.DataFrame(rows, columns=list(GENERATED_COLUMNS), dtype=str)
    df.insert(0, "row", range(1, len(df) + 1))
    return df


def test_patient_partitions_give_the_same_findings_and_rejects():
    df = _frame(generate_rows(1500, seed=9, bad_row_rate=0.02, overlong_rows=False))
    whole = audit_frame(df)
    parts = [audit_frame(part) for _, part in df.groupby(df["patient_id"].str[-1:], sort=False)]
    together = sorted(tuple(map(str, r)) for p in parts for r in p.findings[KEY].values.tolist())
    expected = sorted(tuple(map(str, r)) for r in whole.findings[KEY].values.tolist())
    assert len(expected) > 100
    assert together == expected
    rejects = pd.concat([p.rejects for p in parts]).sort_values("row")
    assert rejects["row"].tolist() == whole.rejects["row"].tolist()
    assert sum(len(p.lines) for p in parts) == len(df)


def test_frame_and_file_agree():
    from_file = audit(SAMPLE)
    from_frame = audit_frame(pd.read_csv(SAMPLE, dtype=str, keep_default_na=False))
    assert from_file.findings.astype(str).equals(from_frame.findings.astype(str))
    cols = ["row", "reason"]
    assert from_file.rejects[cols].values.tolist() == from_frame.rejects[cols].values.tolist()


def test_passes_in_a_forked_worker_give_the_same_findings(tmp_path):
    """The large-file path (two processes) and the serial path find the same rows, rules and messages, also
    with CMS files given for the run (the child inherits the tables in use)."""
    from esi_reference.audit.evaluate import evaluate
    from esi_reference.audit.format import read_claims
    from esi_reference.cmsdata import samples
    from esi_reference.reference import ncci

    path = tmp_path / "claims.csv"
    write_claims(path, 3000, seed=5)
    lines = read_claims(path).lines
    mue = samples.write_mue(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv", [("62323", 3, "3", "x")])
    counts = []
    for given in ([], [str(mue)]):
        with ncci.using_files(mue_files=given):
            serial, forked = evaluate(lines, workers=1), evaluate(lines, workers=2)
        assert len(serial.pos) > 100
        for key in ("pos", "rule", "sev", "message"):
            assert list(getattr(serial, key)) == list(getattr(forked, key)), key
        counts.append(len(serial.pos))
    assert counts[0] != counts[1]  # the MUE file given for the run changed findings, in the child too


def test_a_pass_worker_that_dies_loses_no_finding(tmp_path, monkeypatch):
    """The child dies inside the first pass it takes (as if killed for memory): this process evaluates that
    pass too, and the findings are the serial ones."""
    import os

    from esi_reference.audit import evaluate as ev
    from esi_reference.audit.format import read_claims

    path = tmp_path / "claims.csv"
    write_claims(path, 3000, seed=6)
    lines = read_claims(path).lines
    serial = ev.evaluate(lines, workers=1)
    parent, run = os.getpid(), ev._Sessions.run

    def run_or_die(self, *args):
        if os.getpid() != parent:
            os._exit(1)
        return run(self, *args)

    monkeypatch.setattr(ev._Sessions, "run", run_or_die)
    forked = ev.evaluate(lines, workers=2)
    for key in ("pos", "rule", "sev", "message"):
        assert list(getattr(serial, key)) == list(getattr(forked, key)), key
