"""Claim types, payer profiles and the neuraxial uses of the ESI codes (issue 12), beyond the rule cases."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from esi_asserts import FULL_DOC, base_encounter, findings

from esi_reference.engine import check, suggest_claim, suggest_claims
from esi_reference.errors import InvalidEncounter, InvalidField
from esi_reference.model.encounter import encounter_schema, parse_encounter
from esi_reference.reference import payers


def lines(data: dict) -> list[str]:
    return [str(line) for line in suggest_claim(data).lines]


def test_a_users_own_payer_profile(tmp_path: Path) -> None:
    template = resources.files("esi_reference").joinpath("data/payer-template.csv")
    mine = tmp_path / "plans.csv"
    shutil.copyfile(str(template), mine)
    mine.write_text(
        mine.read_text().replace("my-plan,", "acme-ppo,").replace(",modifier_50,modifier_50,", ",rt_lt,rt_lt,")
    )
    (loaded,) = payers.load_profiles(mine)
    assert loaded.id == "acme-ppo" and not loaded.lcd_limits
    data = base_encounter(
        payer="acme-ppo", procedures=[{"approach": "transforaminal", "levels": ["L5-S1"], "side": "bilateral"}]
    )
    data.pop("claim")
    assert lines(data) == ["64483-RT x1", "64483-LT x1"]


def test_a_profile_loaded_again_under_its_id_replaces_the_first_in_every_check(tmp_path: Path) -> None:
    """The rules in force and the modifiers a profile uses are looked up per profile, not per id: loading a
    file that changes a profile already used must change the next check's findings."""
    header, row = resources.files("esi_reference").joinpath("data/payer-template.csv").read_text().splitlines()[:2]
    data = base_encounter(payer="reload-ppo", diagnoses=["M54.50"], claim=[{"code": "62323", "modifiers": ["GZ"]}])

    def load(**columns: str) -> set[str]:
        cells = row.split(",")
        for name, value in {"id": "reload-ppo", **columns}.items():
            cells[payers.COLUMNS.index(name)] = value
        mine = tmp_path / "plans.csv"
        mine.write_text(header + "\n" + ",".join(cells) + "\n")
        payers.load_profiles(mine)
        return set(findings(data))

    first = load(lcd_limits="yes", liability_modifiers="no")
    assert {"LCD-DIAGNOSIS", "PAYER-MODIFIERS"} <= first
    again = load(lcd_limits="no", liability_modifiers="yes")
    assert not {"LCD-DIAGNOSIS", "PAYER-MODIFIERS"} & again


def test_a_bad_profile_row_names_file_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    header = ",".join(payers.COLUMNS)
    bad.write_text(header + "\nx,X,commercial,maybe,modifier_50,modifier_50,,no,no,yes,,\n")
    with pytest.raises(InvalidField, match=r"bad\.csv row 2\.lcd_limits"):
        payers.load_profiles(bad)


def test_old_payer_values_still_work() -> None:
    assert parse_encounter(base_encounter(payer="other")).payer == "other"
    assert "LCD-DIAGNOSIS" not in findings(base_encounter(payer="other", diagnoses=["M54.50"]))
    assert parse_encounter(base_encounter(payer="commercial")).lcd_applies is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"claim_type": "facility", "place_of_service": "11"}, "claim_type"),
        (
            {
                "procedures": [
                    {"approach": "transforaminal", "levels": ["L4-L5"], "side": "left", "purpose": "blood_patch"}
                ]
            },
            "procedures[0].purpose",
        ),
        ({"procedures": [{"approach": "caudal", "space": "subarachnoid"}]}, "procedures[0].space"),
        (
            {"procedures": [{"approach": "interlaminar", "levels": ["L3-L4"], "substance": "blood"}]},
            "procedures[0].purpose",
        ),
        (
            {
                "procedures": [
                    {
                        "approach": "interlaminar",
                        "levels": ["L3-L4"],
                        "purpose": "cisternography",
                        "substance": "radiopharmaceutical",
                    }
                ]
            },
            "procedures[0].space",
        ),
    ],
)
def test_contradictory_facts_are_refused_with_their_field(overrides: dict, field: str) -> None:
    with pytest.raises(InvalidEncounter) as err:
        parse_encounter(base_encounter(**overrides))
    assert any(e.field == field for e in err.value.errors), err.value


def test_schema_publishes_the_new_fields() -> None:
    props = encounter_schema()["properties"]
    assert props["claim_type"]["enum"] == ["professional", "facility"]
    assert {"commercial", "cpt", "medicare", "other"} <= set(props["payer"]["enum"])
    procedure = props["procedures"]["items"]["properties"]
    assert procedure["space"]["enum"] == ["epidural", "subarachnoid"]
    assert {"blood_patch", "cisternography", "pump_trial"} <= set(procedure["purpose"]["enum"])
    assert {"blood", "radiopharmaceutical", "biologic", "antispasmodic"} <= set(procedure["substance"]["enum"])


def test_lines_move_between_the_professional_and_the_facility_claim() -> None:
    data = base_encounter(
        procedures=[{"approach": "transforaminal", "levels": ["L4-L5"], "side": "right"}],
        drugs=[{"drug": "dexamethasone_sodium_phosphate", "dose": 10}],
    )
    claims = suggest_claims(data)
    assert [str(line) for line in claims["professional"].lines] == ["64483 x1"]
    assert "J1100" in {n.code for n in claims["professional"].not_billable}
    assert [str(line) for line in claims["facility"].lines] == ["64483 x1", "J1100 x10"]
    assert set(suggest_claims(base_encounter(place_of_service="11"))) == {"professional"}


def test_facility_claim_uses_no_practitioner_mue() -> None:
    data = base_encounter(
        place_of_service="24",
        claim_type="facility",
        procedures=[{"approach": "transforaminal", "levels": ["L5-S1"], "side": "bilateral"}],
        claim=[{"code": "64483", "modifiers": ["RT"]}, {"code": "64483", "modifiers": ["LT"]}],
    )
    assert check(data).is_clean, check(data).text()


def test_a_repeat_of_a_coverage_error_is_not_reported_and_a_consequence_is_marked() -> None:
    sedation = base_encounter(claim=[{"code": "62323"}, {"code": "99152"}], other_services=[{"code": "99152"}])
    assert "LCD-SEDATION" in findings(sedation) and "DOC-SEDATION-REASON" not in findings(sedation)
    two_units = base_encounter(claim=[{"code": "62323", "units": 2}])
    (mue,) = [f for f in check(two_units).findings if f.rule_id == "MUE-UNITS"]
    assert mue.severity == "info" and mue.message.startswith("Consequence of CPT-SESSION-UNITS")


def test_exempt_uses_skip_the_esi_documentation_list() -> None:
    trial = base_encounter(
        documentation={},
        diagnoses=["G82.21"],
        procedures=[
            {
                "approach": "interlaminar",
                "levels": ["L3-L4"],
                "substance": "antispasmodic",
                "purpose": "pump_trial",
                "space": "subarachnoid",
            }
        ],
    )
    assert not {r for r in findings(trial) if r.startswith("DOC-") and r != "DOC-CODES-SUPPORTED"}
    assert "DOC-HISTORY" in findings(base_encounter(documentation=dict(FULL_DOC, pain_weeks=None)))


def test_payer_profiles_cite_known_sources_once() -> None:
    from esi_reference.reference.sources import source

    for prof in payers.profiles():
        assert len(set(prof.sources)) == len(prof.sources), prof.id
        for sid in prof.sources:
            assert source(sid).id == sid
