"""The outpatient hospital PTP and MUE tables: imported beside the practitioner ones and checked against a
hospital outpatient department's facility claim only (an ASC's and every professional claim keep the
practitioner tables)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from esi_asserts import base_encounter

from esi_reference.audit import audit
from esi_reference.cli import main
from esi_reference.cmsdata import importer, samples, store
from esi_reference.cmsdata.tables import HOSPITAL, PRACTITIONER, refresh, setting_for, tables_for
from esi_reference.coding import ASC_NCCI_NOTE, FACILITY_NCCI_NOTE, derive_lines
from esi_reference.engine import check, suggest_claim
from esi_reference.model.encounter import parse_encounter
from esi_reference.reference import ncci

DAY = "2026-08-03"
#: A hospital table whose part 1 has no 62323/64483 edit (the practitioner table has one) and a hospital
#: MUE of 2 for 62323 (the shipped practitioner MUE is 1).
HOSPITAL_PART1 = [("62321", "62323", "", "20260101", "*", "0", "Mutually exclusive procedures")]
HOSPITAL_MUE = [("62323", 2, "3", "Clinical: Data"), ("64483", 1, "2", "Anatomic Consideration")]


def write_hospital_quarter(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    other = ("A0080", "", "20170101", "*", "0", "x")
    rows = {1: HOSPITAL_PART1, 2: [("64483", "62322", "", "20201001", "*", "1", "x")], 3: [("A0021", *other)],
            4: [("J9999", *other)]}  # fmt: skip
    for n, part in rows.items():
        samples.write_ptp_part(folder / f"ccioph-v322r0-f{n}.TXT", part)
    samples.write_mue(
        folder / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", HOSPITAL_MUE, "Outpatient Hospital Services"
    )
    return folder


def encounter(place: str, claim_type: str, claim: list[dict]) -> dict:
    return base_encounter(date_of_service=DAY, place_of_service=place, claim_type=claim_type, claim=claim)


def rule_ids(data: dict) -> dict[str, str]:
    return {f.rule_id: f.severity for f in check(parse_encounter(data)).findings}


def test_the_setting_of_a_claim():
    assert setting_for("facility", "22") == setting_for("facility", "19") == HOSPITAL
    assert setting_for("facility", "24") == setting_for("professional", "22") == PRACTITIONER


def test_import_stores_the_hospital_tables_beside_the_practitioner_ones(tmp_path: Path, data_dir: Path, capsys):
    assert main(["data", "import", str(write_hospital_quarter(tmp_path / "oph"))]) == 0
    assert "outpatient hospital MUE table is partial" in capsys.readouterr().out
    (quarter,) = store.quarters(data_dir)
    assert set(quarter.tables) == {"ptp-hospital", "mue-hospital"}
    assert quarter.tables["ptp-hospital"]["complete"]
    assert (quarter.folder / "ptp-hospital.csv").exists() and not (quarter.folder / "ptp.csv").exists()
    refresh()
    tables = tables_for(ncci.parse_date(DAY))
    assert tables.ptp[0].shipped and tables.ptp[0].setting == PRACTITIONER  # practitioner claims: unchanged
    assert [t.setting for t in tables.hospital_ptp] == [HOSPITAL] and tables.hospital_mue[0].vintage == "2026Q3"
    view = tables.for_setting(HOSPITAL)
    assert view.ptp[0].label.startswith("2026Q3 installed outpatient hospital ccioph-v322r0-f1.TXT")
    assert view.mue_for("62323")[0].units == 2 and tables.mue_for("62323")[0].units == 1
    assert main(["data", "status", "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {t["setting"] for t in status["in_use"]} == {PRACTITIONER, HOSPITAL}


def test_a_hospital_facility_claim_is_checked_against_the_hospital_tables(tmp_path: Path, data_dir: Path):
    facility_mue = [{"code": "62323", "units": 3}]
    assert "MUE-UNITS" not in rule_ids(encounter("22", "facility", facility_mue))  # no hospital table yet
    importer.install_files([write_hospital_quarter(tmp_path / "oph")])
    refresh()
    hospital = check(parse_encounter(encounter("22", "facility", facility_mue)))
    mue = next(f for f in hospital.findings if f.rule_id == "MUE-UNITS")
    assert "MUE of 2" in mue.message and "CMS-MUE-OPH-USER" in mue.citations
    assert "2026Q3 installed outpatient hospital" in mue.message
    assert hospital.tables is not None and hospital.tables.setting == HOSPITAL
    two_units = [{"code": "62323", "units": 2}]
    assert "MUE-UNITS" not in rule_ids(encounter("22", "facility", two_units))  # within the hospital MUE of 2
    assert "MUE-UNITS" not in rule_ids(encounter("24", "facility", two_units))  # an ASC: not checked
    professional = check(parse_encounter(encounter("22", "professional", two_units)))
    assert "2024Q3 shipped" in next(f for f in professional.findings if f.rule_id == "MUE-UNITS").message
    pair = [{"code": "62321"}, {"code": "62323"}]
    found = next(
        f for f in check(parse_encounter(encounter("22", "facility", pair))).findings if f.rule_id == "NCCI-PTP"
    )
    assert "outpatient hospital" in found.message and "CMS-PTP-OPH-USER" in found.citations


def test_the_facility_notes_say_which_tables_were_used(tmp_path: Path, data_dir: Path):
    facility = parse_encounter(encounter("22", "facility", [{"code": "62323"}]))
    assert FACILITY_NCCI_NOTE in derive_lines(facility).notes  # nothing installed yet
    assert ASC_NCCI_NOTE in derive_lines(parse_encounter(encounter("24", "facility", [{"code": "62323"}]))).notes
    importer.install_files([write_hospital_quarter(tmp_path / "oph")])
    refresh()
    notes = suggest_claim(parse_encounter(encounter("22", "facility", [{"code": "62323"}]))).notes
    said = next(n for n in notes if n.startswith("Hospital outpatient facility claim"))
    assert "2026Q3 installed outpatient hospital ccioph-v322r0-f1.TXT" in said and FACILITY_NCCI_NOTE not in notes
    report = check(parse_encounter(encounter("22", "facility", [{"code": "62323"}])))
    assert said in report.notes and f"note: {said}" in report.text()


def test_hospital_files_for_one_run(tmp_path: Path, data_dir: Path):
    folder = write_hospital_quarter(tmp_path / "oph")
    mue = next(folder.glob("MCR_MUE_*"))
    with ncci.using_files(mue_files=[str(mue)]):
        tables = tables_for(ncci.parse_date(DAY))
        assert tables.mue[0].shipped and tables.hospital_mue[0].setting == HOSPITAL
        assert "MUE-UNITS" in rule_ids(encounter("22", "facility", [{"code": "62323", "units": 3}]))
        assert "MUE-UNITS" not in rule_ids(encounter("22", "facility", [{"code": "62323", "units": 2}]))


def test_the_audit_uses_the_hospital_tables_for_hospital_facility_rows(tmp_path: Path, data_dir: Path):
    importer.install_files([write_hospital_quarter(tmp_path / "oph")])
    refresh()
    rows = ["patient_id,claim_id,line_number,date_of_service,code,units,place_of_service,claim_type"]
    cases = (("22", "facility", 2), ("22", "facility", 3), ("24", "facility", 3), ("22", "professional", 2))
    for n, (place, claim_type, units) in enumerate(cases):
        rows.append(f"P{n},C{n},1,{DAY},62323,{units},{place},{claim_type}")
    path = tmp_path / "claims.csv"
    path.write_text("\n".join(rows) + "\n")
    mue = audit(path).findings.query("rule_id == 'MUE-UNITS'")
    assert sorted(mue["claim_id"]) == ["C1", "C3"]  # hospital MUE 2 for C0/C1, ASC not checked, practitioner 1


@pytest.mark.parametrize("setting", ["DME Supplier Services"])
def test_other_settings_are_still_refused(tmp_path: Path, data_dir: Path, setting: str, capsys):
    path = samples.write_mue(tmp_path / "MCR_MUE_DME.csv", HOSPITAL_MUE, setting)
    assert main(["data", "import", str(path)]) == 2
    assert "DME supplier MUE table" in capsys.readouterr().err
