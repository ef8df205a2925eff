"""Date-of-service boundaries: the day before, the day of and the day after each change."""

from __future__ import annotations

import datetime as dt

import pytest
from esi_asserts import FULL_DOC, assert_finding, assert_no_finding, base_encounter, findings

from esi_reference import lookup
from esi_reference.reference.policy import window_start


@pytest.mark.parametrize(
    ("code", "last_valid"),
    [
        ("62310", "2016-12-31"),
        ("62311", "2016-12-31"),
        ("62318", "2016-12-31"),
        ("62319", "2016-12-31"),
        ("0228T", "2020-12-31"),
        ("0229T", "2020-12-31"),
        ("0230T", "2020-12-31"),
        ("0231T", "2020-12-31"),
        ("72275", "2021-12-31"),
        ("J1020", "2024-03-31"),
        ("J1030", "2024-03-31"),
        ("J1040", "2024-03-31"),
    ],
)
def test_deleted_codes(code: str, last_valid: str) -> None:
    day = dt.date.fromisoformat(last_valid)
    row = lookup(code)
    assert row.valid_on(day - dt.timedelta(days=1))
    assert row.valid_on(day)
    assert not row.valid_on(day + dt.timedelta(days=1))
    assert row.deleted_on == day + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("code", "first_valid"), [("J1010", "2024-04-01"), ("62321", "2017-01-01"), ("99152", "2017-01-01")]
)
def test_new_codes(code: str, first_valid: str) -> None:
    day = dt.date.fromisoformat(first_valid)
    assert not lookup(code).valid_on(day - dt.timedelta(days=1))
    assert lookup(code).valid_on(day)
    assert lookup(code).valid_on(day + dt.timedelta(days=1))


def test_62311_claim_around_2017() -> None:
    claim = {"claim": [{"code": "62311"}, {"code": "77003"}], "other_services": [{"code": "77003"}]}
    assert_no_finding(base_encounter(date_of_service="2016-12-31", **claim), "CPT-CODE-VALID")
    assert_finding(base_encounter(date_of_service="2017-01-01", **claim), "CPT-CODE-VALID", "error")
    assert_finding(base_encounter(date_of_service="2017-01-02", **claim), "CPT-CODE-VALID", "error")


@pytest.mark.parametrize(("day", "fires"), [("2022-06-18", False), ("2022-06-19", True), ("2022-06-20", True)])
def test_noridian_lcd_effective_2022_06_19(day: str, fires: bool) -> None:
    data = base_encounter(date_of_service=day, contractor="L39240", diagnoses=["M54.50"])
    assert ("LCD-DIAGNOSIS" in findings(data)) is fires


@pytest.mark.parametrize(("day", "fires"), [("2021-12-04", False), ("2021-12-05", True), ("2021-12-06", True)])
def test_default_lcd_effective_2021_12_05(day: str, fires: bool) -> None:
    assert ("LCD-DIAGNOSIS" in findings(base_encounter(date_of_service=day, diagnoses=["M54.50"]))) is fires


def _sessions(first: str) -> list[dict[str, str]]:
    return [{"date": d, "region_family": "lumbar_sacral"} for d in (first, "2024-09-15", "2024-12-10", "2025-03-05")]


@pytest.mark.parametrize(
    ("first_prior", "fires"),
    [
        ("2024-06-01", False),  # the day before the same calendar date a year earlier: outside
        ("2024-06-02", False),  # the same calendar date a year earlier: outside (window starts the day after)
        ("2024-06-03", True),  # the day after: inside -> fifth session
    ],
)
def test_rolling_12_month_window(first_prior: str, fires: bool) -> None:
    data = base_encounter(
        date_of_service="2025-06-02",
        prior_sessions=_sessions(first_prior),
        documentation=dict(FULL_DOC, prior_relief_percent=75),
    )
    assert ("LCD-FREQUENCY" in findings(data)) is fires


def test_window_start_leap_day() -> None:
    assert window_start(dt.date(2025, 2, 28)) == dt.date(2024, 2, 29)
    assert window_start(dt.date(2024, 2, 29)) == dt.date(2023, 3, 1)
    assert window_start(dt.date(2025, 3, 1)) == dt.date(2024, 3, 2)


def test_sessions_are_distinct_dates() -> None:
    prior = [{"date": "2025-03-05", "region_family": "lumbar_sacral"}] * 3 + _sessions("2024-07-01")[1:]
    data = base_encounter(prior_sessions=prior, documentation=dict(FULL_DOC, prior_relief_percent=75))
    assert_no_finding(data, "LCD-FREQUENCY")


def test_other_region_does_not_count() -> None:
    prior = [
        {"date": d, "region_family": "cervical_thoracic"}
        for d in ("2024-07-01", "2024-09-15", "2024-12-10", "2025-03-05")
    ]
    assert_no_finding(base_encounter(prior_sessions=prior), "LCD-FREQUENCY")


@pytest.mark.parametrize(("day", "code"), [("2024-03-31", "J1040"), ("2024-04-01", "J1010")])
def test_methylprednisolone_code_switch(day: str, code: str) -> None:
    from esi_reference.engine import suggest_claim

    data = base_encounter(
        date_of_service=day,
        place_of_service="11",
        claim=None,
        drugs=[{"drug": "methylprednisolone_acetate", "dose": 80}],
    )
    data.pop("claim")
    assert code in [line.code for line in suggest_claim(data).lines]


@pytest.mark.parametrize(("day", "expected"), [("2020-12-31", "0230T"), ("2021-01-01", None)])
def test_ultrasound_tfesi_code_until_2020(day: str, expected: str | None) -> None:
    from esi_reference.engine import suggest_claim

    data = base_encounter(
        date_of_service=day,
        procedures=[{"approach": "transforaminal", "levels": ["L4-L5"], "side": "left", "guidance": "ultrasound"}],
    )
    data.pop("claim")
    codes = [line.code for line in suggest_claim(data).lines]
    assert codes == ([expected] if expected else [])


def test_as_of_changes_the_rules_in_force() -> None:
    data = base_encounter(date_of_service="2021-06-01", diagnoses=["M54.50"])
    assert "LCD-DIAGNOSIS" not in findings(data)
    assert "LCD-DIAGNOSIS" in findings(data, as_of="2022-01-03")
