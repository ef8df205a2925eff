"""esi-ref grade: per-learner scores, per-scenario difficulty, SVG chart, bad rows by row number."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from esi_reference.cli import main
from esi_reference.trainer.gradebook import observed_difficulty, score_histogram_svg

ANSWERS = """learner,scenario,line,code,modifiers,units
ana,tf-bilateral-one-level,1,64483,50,1
ana,il-cervical-fluoro,1,62321,,1
ben,tf-bilateral-one-level,1,64483,RT,1
ben,tf-bilateral-one-level,2,64483,LT,1
ben,il-cervical-fluoro,1,62321,50,1
cy,drug-facility,2,J3301,,4
cy,drug-facility,1,64483,,1
cy,nope,1,64483,,1
,il-cervical-fluoro,1,62321,,1
dee,il-cervical-fluoro,1,62321,,x
dee,il-cervical-fluoro,1,62321,,1
dee,il-cervical-fluoro,1,62322,,1
eve,imaging-fluoro-billed,,,,
"""


@pytest.fixture
def answers(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS)
    return path


def read_csv(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_gradebook_outputs_and_bad_rows(answers, tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["grade", str(answers), "--out", str(out), "--chart", str(out / "scores.svg")])
    captured = capsys.readouterr()
    assert rc == 1  # bad rows were reported
    for row, text in [(9, "unknown scenario id 'nope'"), (10, "learner: empty"), (11, "units"), (13, "appears twice")]:
        assert f"row {row}: " in captured.err and text in captured.err
    assert "4 bad row(s)" in captured.err
    learners = {r["learner"]: r for r in read_csv(out / "learners.csv")}
    assert learners["ana"]["mean_score"] == "100" and learners["ana"]["passed"] == "2"
    assert learners["ben"]["attempted"] == "2" and learners["ben"]["passed"] == "0"
    assert learners["cy"]["mean_score"] == "60"  # J3301 in a facility: must not be billed
    assert learners["eve"]["mean_score"] == "20"  # submitted no line: only the not-billable point
    assert learners["dee"]["mean_score"] == "100"  # rows 11 and 13 left out, row 12 graded
    scen = read_csv(out / "scenarios.csv")
    assert scen[0]["scenario"] in ("imaging-fluoro-billed", "tf-bilateral-one-level")
    assert {r["scenario"] for r in scen} == {
        "tf-bilateral-one-level",
        "il-cervical-fluoro",
        "drug-facility",
        "imaging-fluoro-billed",
    }
    first_bad = read_csv(out / "bad_rows.csv")[0]
    assert (first_bad["row"], first_bad["problem"][:8]) == ("9", "scenario")
    assert len(read_csv(out / "grades.csv")) == 7
    svg = ET.fromstring((out / "scores.svg").read_text())
    assert svg.tag.endswith("svg")
    assert "Learners" in captured.out and "Scenarios, hardest first" in captured.out


def test_json_and_csv_formats(answers, capsys):
    main(["grade", str(answers), "--format", "json", "--pass-mark", "70"])
    data = json.loads(capsys.readouterr().out)
    assert data["pass_mark"] == 0.7
    assert {b["row"] for b in data["bad_rows"]} == {9, 10, 11, 13}
    assert {g["learner"] for g in data["grades"]} == {"ana", "ben", "cy", "dee", "eve"}
    main(["grade", str(answers), "--format", "csv"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "learner,attempted,passed,mean_score"


def test_clean_file_exits_zero(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("learner,scenario,code,modifiers,units\nana,tf-bilateral-one-level,64483,50,1\n")
    assert main(["grade", str(path)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("who,what\nana,x\n", "missing column(s) learner, scenario, code"),
        (None, "no such file"),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "a.csv"
    if content is not None:
        path.write_text(content)
    assert main(["grade", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_row_with_too_many_cells_is_reported(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("learner,scenario,code\nana,tf-bilateral-one-level,64483,50\n\n")
    assert main(["grade", str(path)]) == 1
    assert "row 2: more cells than columns" in capsys.readouterr().err


def test_svg_histogram_bins_and_pass_mark():
    svg = score_histogram_svg([0.0, 0.05, 0.5, 0.95, 1.0], pass_mark=0.8, title="T <&>")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in root.iter(f"{ns}rect") if r.get("class") == "bar"]
    heights = [float(b.get("height")) for b in bars]
    assert len(bars) == 10
    assert heights[0] == max(heights) and heights[9] == max(heights) and heights[5] > 0 and heights[3] == 0
    assert "pass mark 80%" in svg and "T &lt;&amp;&gt;" in svg
    ET.fromstring(score_histogram_svg([]))


def test_observed_difficulty_labels():
    assert [observed_difficulty(x) for x in (0.9, 0.6, 0.2)] == ["easy", "moderate", "hard"]
