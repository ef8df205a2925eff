"""`esi-ref audit`: files written, exit codes, one-line errors, progress only when asked."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
from audit_helpers import SAMPLE, csv_text, row

from esi_reference.audit.chart import bar_chart
from esi_reference.cli import main


def test_audit_writes_every_output_and_exits_1_on_errors(tmp_path, capsys):
    out, detail, summary, chart = (tmp_path / n for n in ("out.csv", "detail.csv", "summary.json", "c.svg"))
    code = main(
        [
            "audit",
            str(SAMPLE),
            "--out",
            str(out),
            "--detail",
            str(detail),
            "--summary",
            str(summary),
            "--chart",
            str(chart),
            "--no-progress",
        ]
    )
    assert code == 1
    printed = capsys.readouterr()
    assert "rows read" in printed.out and printed.err == ""
    lines = pd.read_csv(out, dtype=str, keep_default_na=False)
    rows_in = len(pd.read_csv(SAMPLE, dtype=str))
    assert len(lines) == rows_in and lines["row"].astype(int).tolist() == list(range(1, rows_in + 1))
    assert set(lines["status"]) == {"clean", "findings", "rejected"}
    found = pd.read_csv(detail, dtype=str)
    assert set(found["row"]) == set(lines.loc[lines["status"] == "findings", "row"])
    data = json.loads(summary.read_text())
    assert data["totals"]["rows_read"] == rows_in
    assert sum(r["findings"] for r in data["by_rule"]) == len(found)
    assert sum(r["findings"] for r in data["by_month"]) == len(found)
    assert sum(r["findings"] for r in data["by_provider"]) == len(found)
    assert set(found["rendering_provider"]) <= {r["rendering_provider"] for r in data["by_provider"]}
    svg = ET.fromstring(chart.read_text())
    assert svg.tag.endswith("svg") and len(svg.findall("{http://www.w3.org/2000/svg}rect")) > 2


def test_json_format_and_clean_file_exit_0(tmp_path, capsys):
    claims = tmp_path / "clean.csv"
    claims.write_text(csv_text([row(code="64483", modifiers="LT")]))
    out = tmp_path / "out.json"
    assert main(["audit", str(claims), "--out", str(out), "--format", "json", "--quiet"]) == 0
    records = json.loads(out.read_text())
    assert [r["status"] for r in records] == ["clean"]
    assert capsys.readouterr().out == ""


def test_bad_input_is_one_line_on_stderr_exit_2(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err and "Traceback" not in err
    bad = tmp_path / "bad.csv"
    bad.write_text("patient_id,code\nP1,64483\n")
    assert main(["audit", str(bad)]) == 2
    assert "missing claim_id" in capsys.readouterr().err


def test_progress_bar_only_when_asked(tmp_path, capsys):
    claims = tmp_path / "c.csv"
    claims.write_text(csv_text([row()]))
    main(["audit", str(claims), "--quiet"])
    assert capsys.readouterr().err == ""  # not a terminal
    main(["audit", str(claims), "--quiet", "--progress"])
    err = capsys.readouterr().err
    assert "[" in err and "done" in err


def test_bar_chart_escapes_labels_and_scales_bars():
    svg = bar_chart([("A<B", 10), ("C", 5)], title="t & u")
    root = ET.fromstring(svg)
    widths = [float(r.get("width")) for r in root.findall("{http://www.w3.org/2000/svg}rect")[1:]]
    assert widths[0] == 2 * widths[1]


def test_user_ptp_and_mue_files_replace_the_shipped_tables(tmp_path, capsys):
    claims = tmp_path / "c.csv"
    claims.write_text(csv_text([row(line=1, code="62321", dx="M54.12"), row(line=2, code="62323")]))
    ptp = tmp_path / "ptp.csv"
    ptp.write_text(
        "Column 1,Column 2,*,Effective Date,Deletion Date,Modifier,Rationale\n62321,62323,,20240101,*,0,test edit\n"
    )
    mue = tmp_path / "mue.csv"
    mue.write_text(
        '"HCPCS/\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n'
        "62323,0,2 Date of Service Edit: Policy,test\n"
    )
    detail = tmp_path / "d.csv"
    main(["audit", str(claims), "--detail", str(detail), "--quiet"])
    shipped = set(pd.read_csv(detail, dtype=str)["rule_id"])
    assert "NCCI-PTP" not in shipped and "MUE-UNITS" not in shipped  # no such pair or limit in the CMS table
    main(["audit", str(claims), "--detail", str(detail), "--quiet", "--ptp-file", str(ptp), "--mue-file", str(mue)])
    found = pd.read_csv(detail, dtype=str)
    assert {"NCCI-PTP", "MUE-UNITS"} <= set(found["rule_id"])
    assert found.loc[found["rule_id"] == "NCCI-PTP", "message"].str.contains("ptp.csv").all()
    capsys.readouterr()
