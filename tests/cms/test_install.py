"""``esi-ref data import/status/remove``: a versioned, atomic data folder read by every surface."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from esi_asserts import base_encounter

from esi_reference.cli import main
from esi_reference.cmsdata import importer, samples, store
from esi_reference.cmsdata.fees import fee_for
from esi_reference.cmsdata.tables import refresh, tables_for
from esi_reference.engine import check
from esi_reference.model.encounter import parse_encounter
from esi_reference.reference import ncci

from .cms_rows import MUE_ROWS, write_quarter


def test_import_installs_a_quarter_with_its_manifest(cms_folder: Path, data_dir: Path, capsys) -> None:
    assert main(["data", "import", str(cms_folder)]) == 0
    out = capsys.readouterr().out
    assert "installed 2026Q3" in out and "MUE table is partial" in out
    (quarter,) = store.quarters(data_dir)
    ptp = quarter.tables["ptp"]
    assert ptp["complete"] and [f["part"] for f in ptp["files"]] == [1, 2, 3, 4]
    assert all(len(f["sha256"]) == 64 and f["rows_read"] >= f["rows_kept"] for f in ptp["files"])
    assert quarter.manifest["imported"].startswith("20")
    assert not quarter.tables["mue"]["complete"]
    assert main(["data", "status", "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["quarters"][0]["vintage"] == "2026Q3"
    assert {t["vintage"] for t in status["in_use"]} == {"2026Q3", "2024Q3"}


def test_into_and_env_folders(cms_folder: Path, tmp_path: Path, data_dir: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    assert main(["data", "import", str(cms_folder), "--into", str(elsewhere)]) == 0
    assert store.quarters(elsewhere) and not data_dir.exists()
    assert tables_for(None).ptp[0].shipped  # the env folder (data_dir) is still empty


def test_shipped_tables_are_the_default(data_dir: Path) -> None:
    tables = tables_for(None)
    assert all(t.shipped and t.vintage == "2024Q3" for t in (*tables.ptp, *tables.mue, *tables.rvu))
    assert fee_for("62323").vintage == "2024Q3"


def test_installed_quarter_is_used_by_check_lookup_and_fees(cms_folder: Path, data_dir: Path, capsys) -> None:
    importer.install_files([cms_folder])
    refresh()
    day = "2026-08-03"
    edits = ncci.edits_between("62323", "64493", day)
    assert [e.table.split()[0] for e in edits] == ["2026Q3"]
    report = check(parse_encounter(base_encounter(date_of_service=day, claim=[{"code": "62323", "units": 3}])))
    mue = next(f for f in report.findings if f.rule_id == "MUE-UNITS")
    assert "2026Q3 installed MCR_MUE_PractitionerServices_Eff_07-01-2026.csv" in mue.message
    assert mue.table.startswith("2026Q3") and "CMS-MUE-PRAC-USER" in mue.citations
    assert "CMS-MUE-PRAC-2024Q3" not in mue.citations
    data = report.to_dict()
    assert {t["vintage"] for t in data["tables"]} == {"2026Q3", "2024Q3"}  # the partial MUE over the shipped
    fee = fee_for("62323")
    assert (fee.vintage, str(fee.conversion_factor), fee.file) == ("2026Q3", "33.4009", "PPRRVU26_JUL.csv")
    assert fee_for("62321").vintage == "2024Q3"  # not in the partial RVU file: the shipped row
    assert main(["lookup", "64483"]) == 0
    out = capsys.readouterr().out
    assert "2026Q3 installed" in out and "CF 33.4009" in out


def test_partial_mue_does_not_switch_mue_checking_off(tmp_path: Path, data_dir: Path) -> None:
    path = samples.write_mue(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", [("J3301", 16, "3", "x")])
    outcome = importer.install_files([path])
    assert any("MUE table is partial" in w for w in outcome.warnings)
    refresh()
    data = base_encounter(date_of_service="2026-08-03", claim=[{"code": "62323", "units": 2}])
    report = check(parse_encounter(data))
    mue = next(f for f in report.findings if f.rule_id == "MUE-UNITS")
    assert "2024Q3 shipped" in mue.message  # 62323 is not in the partial file: the shipped value, said so
    assert any("answers only for its codes" in n for n in report.to_dict()["table_notes"])


def test_one_part_is_a_warning_and_parts_combine_across_imports(tmp_path: Path, data_dir: Path) -> None:
    first = importer.install_files(write_quarter(tmp_path / "a", parts=(1,)))
    assert any("PTP parts 1 of 4" in w for w in first.warnings)
    refresh()
    day = "2026-08-03"
    # 62323/64493: column 1 in part 1's range, the installed edit. 64483/77003: column 1 past part 1's range,
    # so the shipped table answers (and says so). 62322/64483: in part 1's range, absent there: no edit.
    assert ncci.edits_between("62323", "64493", day)[0].table.startswith("2026Q3 installed")
    assert ncci.edits_between("64483", "77003", day)[0].table.startswith("2024Q3 shipped")
    assert [e.column1 for e in ncci.edits_between("62322", "64483", day)] == []
    importer.install_files(write_quarter(tmp_path / "b", parts=(2, 3, 4)))
    refresh()
    (quarter,) = store.quarters(data_dir)
    assert quarter.tables["ptp"]["complete"] and len(quarter.tables["ptp"]["files"]) == 4
    assert ncci.edits_between("64483", "62322", day)[0].table.startswith("2026Q3")
    assert ncci.edits_between("64483", "77003", day) == ()  # a complete table's silence: no edit


def test_repeated_ptp_files_for_one_run_combine(tmp_path: Path, data_dir: Path) -> None:
    a, b = write_quarter(tmp_path, parts=(1, 2))
    with ncci.using_files([str(a), str(b)]) as tables:
        assert tables.ptp[0].files == (a.name, b.name)
        assert ncci.edits_between("62323", "64493", "2026-08-03")
        assert ncci.edits_between("64483", "62322", "2026-08-03")[0].table.startswith("2026Q3 user file")
    after = ncci.edits_between("64483", "62322", "2026-08-03")  # the shipped table again: its own orientation
    assert [(e.column1, e.table) for e in after] == [("62322", "2024Q3 shipped ccipra 2024Q3 (ESI extract)")]


def test_quarter_in_force_per_date_of_service(tmp_path: Path, data_dir: Path) -> None:
    for version in ("v320r0", "v322r0"):  # 2026Q1 and 2026Q3
        importer.install_files(write_quarter(tmp_path / version, version=version))
    refresh()
    assert tables_for(_d("2026-02-10")).ptp[0].vintage == "2026Q1"
    assert tables_for(_d("2026-08-03")).ptp[0].vintage == "2026Q3"
    assert tables_for(_d("2024-08-01")).ptp[0].shipped  # the shipped 2024Q3 is in force then
    gap = tables_for(_d("2026-05-05"))
    assert gap.ptp[0].vintage == "2026Q1" and any("covers 2026Q2" in n for n in gap.notes)
    later = tables_for(_d("2027-01-04"))
    assert later.ptp[0].vintage == "2026Q3" and any("covers 2027Q1" in n for n in later.notes)


def test_remove_and_atomic_install(cms_folder: Path, data_dir: Path, monkeypatch, capsys) -> None:
    importer.install_files([cms_folder])
    before = sorted(p.name for p in data_dir.iterdir())

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_write_json", fail)
    assert main(["data", "import", str(cms_folder)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert sorted(p.name for p in data_dir.iterdir()) == before  # the old quarter, untouched, no temp folder
    monkeypatch.undo()
    monkeypatch.setenv(store.ENV, str(data_dir))
    assert main(["data", "remove", "2025Q1"]) == 2
    assert "not installed" in capsys.readouterr().err
    assert main(["data", "remove", "2026Q3"]) == 0
    assert store.quarters(data_dir) == [] and [p.name for p in data_dir.iterdir()] == ["index.json"]


def test_a_killed_import_leaves_nothing_behind_the_next_one(cms_folder: Path, data_dir: Path) -> None:
    (data_dir / ".2026Q3-killed").mkdir(parents=True)
    (data_dir / ".2026Q3-killed" / "ptp.csv").write_text("half")
    importer.install_files([cms_folder])
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".")) == []
    assert len(store.quarters(data_dir)) == 1


def test_repeated_loads_do_not_accumulate(cms_folder: Path, data_dir: Path) -> None:
    importer.install_files([cms_folder])
    refresh()
    first = tables_for(_d("2026-08-03")).ptp[0]
    for _ in range(5):
        refresh()
        tables_for(_d("2026-08-03"))
    assert len(store._LOADED) == 1  # one data folder's tables, whatever the number of loads
    assert tables_for(_d("2026-08-03")).ptp[0] is not first  # re-read, the old copy dropped


def test_mue_file_without_setting_header_is_refused(tmp_path: Path, data_dir: Path, capsys) -> None:
    path = tmp_path / "mue.csv"
    path.write_text("HCPCS,MUE Values\n62323,1\n")
    assert main(["data", "import", str(path)]) == 2
    assert "MUE table of a setting this tool does not know" in capsys.readouterr().err


@pytest.mark.parametrize("vintage", ["2026", "26Q3", "2026Q5"])
def test_bad_vintage_option(cms_folder: Path, data_dir: Path, vintage: str, capsys) -> None:
    assert main(["data", "import", str(cms_folder), "--vintage", vintage]) == 2
    assert "--vintage" in capsys.readouterr().err


def test_mue_only_import_of_a_quarter_keeps_its_ptp(cms_folder: Path, tmp_path: Path, data_dir: Path) -> None:
    importer.install_files([cms_folder])
    path = samples.write_mue(tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", MUE_ROWS[:1])
    importer.install_files([path])
    (quarter,) = store.quarters(data_dir)
    assert set(quarter.tables) == {"ptp", "mue", "rvu"} and quarter.tables["ptp"]["complete"]


def _d(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)
