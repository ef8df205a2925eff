"""The shipped fee schedule rows (CMS PPRRVU24_JUL) and the fee_for API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from esi_reference.cmsdata.fees import SHIPPED_FEE_SOURCE, fee_for, shipped_fees
from esi_reference.reference import catalogue
from esi_reference.reference.sources import source


@pytest.mark.parametrize(
    ("code", "work", "nonfac_total", "fac_total", "glob", "bilat", "mult"),
    [
        ("62321", "1.95", "7.89", "3.20", "000", "9", "2"),
        ("62320", "1.80", "4.92", "2.98", "000", "9", "2"),
        ("64483", "1.90", "7.40", "3.32", "000", "1", "2"),
        ("64484", "1.00", None, None, "ZZZ", "1", "0"),
        ("77003", "0.60", "3.16", "3.16", "ZZZ", "0", "0"),
    ],
)
def test_values_of_the_july_2024_file(code, work, nonfac_total, fac_total, glob, bilat, mult):
    fee = fee_for(code)
    assert fee is not None
    assert fee.work_rvu == Decimal(work)
    if nonfac_total:
        assert fee.nonfacility_total_rvu == Decimal(nonfac_total)
        assert fee.facility_total_rvu == Decimal(fac_total)
    assert (fee.global_days, fee.bilateral_indicator, fee.multiple_procedure_indicator) == (glob, bilat, mult)
    assert fee.conversion_factor == Decimal("33.2875")
    assert (fee.year, fee.vintage, fee.file) == (2024, "2024Q3", "PPRRVU24_JUL")


def test_payment_is_total_rvu_times_cf_rounded_half_up():
    fee = fee_for("62321")
    assert fee.nonfacility_payment == Decimal("262.64")  # 7.89 x 33.2875 = 262.638375
    assert fee.facility_payment == Decimal("106.52")  # 3.20 x 33.2875 = 106.52
    assert fee.as_dict()["facility_payment"] == "106.52"


def test_professional_and_technical_rows_are_kept_apart():
    assert fee_for("77003", modifier="26").work_rvu == Decimal("0.60")
    assert fee_for("77003", modifier="TC").work_rvu == Decimal("0.00")
    assert fee_for("77003").facility_na is True


def test_only_catalogue_codes_and_no_descriptor_are_shipped():
    for (code, _modifier), fee in shipped_fees().items():
        assert catalogue.is_known(code)
        assert fee.source_id == SHIPPED_FEE_SOURCE
    assert "description" not in next(iter(shipped_fees().values())).as_dict()
    assert source(SHIPPED_FEE_SOURCE).confidence == "primary"


def test_unknown_code_has_no_fee():
    assert fee_for("00000") is None
    assert fee_for(" 62321 ").code == "62321"
