"""Integrity of the data tables: every row cites existing sources, codes are well formed, dates ordered,
no duplicates, add-ons have their primaries, and every code of the classic 62321 guide is present."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

import pytest

from esi_reference import codes, documentation_items, lookup, sources
from esi_reference.model.encounter import CONTRACTOR_LCDS
from esi_reference.reference.catalogue import CODE_PATTERN, RANGE_PATTERN, all_codes
from esi_reference.reference.diagnoses import DIAGNOSES
from esi_reference.reference.drugs import DRUGS
from esi_reference.reference.ncci import ptp_edits
from esi_reference.rules import all_rules

SOURCE_IDS = {s.id for s in sources()}
DATA = resources.files("esi_reference").joinpath("data")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(DATA.joinpath(name).read_text(encoding="utf-8").splitlines()))


@pytest.mark.parametrize(
    "name", ["codes.csv", "documentation.csv", "ptp_edits.csv", "contractors.csv", "drugs.csv", "diagnoses.csv"]
)
def test_every_row_cites_known_sources(name: str) -> None:
    for row in _rows(name):
        cited = row["sources"].split()
        assert cited, f"{name}: row without sources: {row}"
        assert set(cited) <= SOURCE_IDS, f"{name}: unknown source ids {set(cited) - SOURCE_IDS}"


def test_sources_table() -> None:
    ids = [s.id for s in sources()]
    assert len(ids) == len(set(ids))
    for s in sources():
        assert s.confidence in ("primary", "secondary", "unverified")
        assert s.title and s.publisher and s.date_read <= dt.date(2026, 12, 31)
        assert s.url.startswith("http") or s.confidence != "primary"


def test_codes_well_formed_and_unique() -> None:
    seen = set()
    for c in all_codes():
        assert isinstance(c.code, str)
        assert CODE_PATTERN.match(c.code) or (c.is_range and RANGE_PATTERN.match(c.code)), c.code
        assert c.code not in seen
        seen.add(c.code)
        if c.valid_from and c.valid_to:
            assert c.valid_from < c.valid_to
        assert c.summary and c.sources


def test_addons_have_existing_primaries() -> None:
    for c in all_codes():
        if c.is_addon:
            assert c.primary_codes, c.code
            for p in c.primary_codes:
                assert not lookup(p).is_addon


@pytest.mark.parametrize(
    "code",
    [
        "62320",
        "62321",
        "62322",
        "62323",
        "62324",
        "62325",
        "62326",
        "62327",
        "64479",
        "64480",
        "64483",
        "64484",
        "0228T",
        "0229T",
        "0230T",
        "0231T",
        "77003",
        "77012",
        "76942",
        "64490",
        "64491",
        "64492",
        "64493",
        "64494",
        "64495",
        "27096",
        "G0259",
        "G0260",
        "62280",
        "62281",
        "62282",
        "96450",
        "96542",
        "99151",
        "99152",
        "99153",
        "99155",
        "99156",
        "99157",
        "62310",
        "62311",
        "62318",
        "62319",
        "72275",
        "J1010",
        "J1020",
        "J1030",
        "J1040",
    ],
)
def test_guide_and_issue_codes_present(code: str) -> None:
    assert lookup(code).code == code


def test_chemotherapy_range() -> None:
    assert lookup("96401").code == "96401-96549" and lookup("96549").code == "96401-96549"


def test_verified_facts() -> None:
    """Spot checks against esi-facts-verified.md (CMS files)."""
    assert [lookup(c).mue for c in ("62321", "64479", "64480", "64483", "64484")] == [1, 1, 4, 1, 4]
    assert lookup("64479").mue_mai == "2" and lookup("62323").mue_mai == "3"
    assert {lookup(c).bilateral_indicator for c in ("62320", "62321", "62322", "62323")} == {"9"}
    assert {lookup(c).bilateral_indicator for c in ("64479", "64480", "64483", "64484")} == {"1"}
    assert lookup("64480").global_days == "ZZZ" and lookup("62321").global_days == "000"
    assert lookup("0230T").valid_to == dt.date(2020, 12, 31) and lookup("72275").valid_to == dt.date(2021, 12, 31)
    assert lookup("J1010").unit_amount == "1" and lookup("J1010").unit_measure == "mg"
    assert "unit_amount" in lookup("J0702").unverified


def test_unverified_flags_name_real_fields() -> None:
    fields = set(lookup("62321").__dataclass_fields__)
    for c in all_codes():
        assert set(c.unverified) <= fields, c.code


def test_no_cpt_descriptor_prefix() -> None:
    """Our summaries are plain language, not the AMA descriptor style ('Injection(s), of diagnostic ...')."""
    for c in codes(family="esi"):
        assert not c.summary.lower().startswith("injection(s)")


def test_documentation_covers_the_seven_guide_items() -> None:
    assert sorted(d.guide_item for d in documentation_items() if d.guide_item) == list(range(1, 8))
    for d in documentation_items():
        assert set(d.sources) <= SOURCE_IDS


def test_ptp_table() -> None:
    edits = ptp_edits()
    assert len(edits) > 300
    assert len({(e.column1, e.column2, e.deletion_date) for e in edits}) == len(edits)
    assert all(e.modifier_indicator in ("0", "1", "9") for e in edits)


def test_rules_cite_and_have_windows() -> None:
    for r in all_rules():
        assert r.sources and set(r.sources) <= SOURCE_IDS, r.id
        assert r.doc and r.effective_text and r.title


def test_lookup_tables_reference_catalogue() -> None:
    for row in DRUGS.values():
        for code in row["codes"].split():
            assert lookup(code).kind == "drug"
    assert set(CONTRACTOR_LCDS) >= {"L38994", "L39240"}
    assert all(r["category"] for r in DIAGNOSES)
