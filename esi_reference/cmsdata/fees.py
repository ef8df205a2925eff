"""Physician fee schedule facts for one code: status, RVUs, indicators and the national payment.

The shipped values (``data/fees.csv``) are the catalogue's rows of the CMS National Physician Fee
Schedule Relative Value File, July 2024 release (``PPRRVU24_JUL``, released 2024-05-03, conversion factor
33.2875; source ``CMS-RVU-2024-07``), extracted by ``tools/extract_fees.py`` without the AMA descriptor
column. When a user has installed a newer RVU file (``esi-ref data import``), :func:`fee_for` reads the
installed quarter in force on the date asked (the newest when no date is given) instead.

The national payment is total RVU x conversion factor, rounded half-up to the cent: the amount before the
locality's geographic adjustment (GPCI), before the patient's coinsurance and before any multiple-procedure
or bilateral adjustment. A non-facility total is shown even where CMS marks the non-facility PE "NA" (the
service is rarely done in an office); ``nonfacility_na`` says so.

>>> fee = fee_for("62321")
>>> fee.status, str(fee.work_rvu), fee.global_days, fee.bilateral_indicator
('A', '1.95', '000', '9')
>>> str(fee.conversion_factor), str(fee.nonfacility_payment), str(fee.facility_payment), fee.vintage
('33.2875', '262.64', '106.52', '2024Q3')
>>> fee_for("77003", modifier="26").pctc_indicator
'1'
>>> fee_for("99999") is None
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from esi_reference.cmsdata.rvu import DECIMAL_FIELDS
from esi_reference.reference._data import read_rows

SHIPPED_FEE_VINTAGE = "2024Q3"
SHIPPED_FEE_FILE = "PPRRVU24_JUL"
SHIPPED_FEE_SOURCE = "CMS-RVU-2024-07"
SHIPPED_FEE_EFFECTIVE = dt.date(2024, 7, 1)
CENT = Decimal("0.01")

#: Columns of the fee table (shipped ``data/fees.csv`` and an installed dataset's ``rvu.csv``).
FEE_COLUMNS = (
    "code",
    "modifier",
    "status",
    "work_rvu",
    "nonfacility_pe_rvu",
    "nonfacility_na",
    "facility_pe_rvu",
    "facility_na",
    "mp_rvu",
    "nonfacility_total_rvu",
    "facility_total_rvu",
    "pctc_indicator",
    "global_days",
    "multiple_procedure_indicator",
    "bilateral_indicator",
    "assistant_surgery_indicator",
    "co_surgery_indicator",
    "team_surgery_indicator",
    "conversion_factor",
)


@dataclass(frozen=True)
class Fee:
    """One row of the fee schedule (a code, or a code with its 26/TC modifier), with its vintage."""

    code: str
    modifier: str
    status: str
    work_rvu: Decimal
    nonfacility_pe_rvu: Decimal
    nonfacility_na: bool
    facility_pe_rvu: Decimal
    facility_na: bool
    mp_rvu: Decimal
    nonfacility_total_rvu: Decimal
    facility_total_rvu: Decimal
    pctc_indicator: str
    global_days: str
    multiple_procedure_indicator: str
    bilateral_indicator: str
    assistant_surgery_indicator: str
    co_surgery_indicator: str
    team_surgery_indicator: str
    conversion_factor: Decimal
    year: int
    vintage: str  # "2024Q3"
    file: str  # "PPRRVU24_JUL"
    source_id: str  # an id in data/sources.csv: "CMS-RVU-2024-07" shipped, "CMS-RVU-USER" for a user's file
    effective_date: dt.date

    @property
    def nonfacility_payment(self) -> Decimal:
        """National non-facility (office) amount: non-facility total RVU x CF, to the cent."""
        return (self.nonfacility_total_rvu * self.conversion_factor).quantize(CENT, ROUND_HALF_UP)

    @property
    def facility_payment(self) -> Decimal:
        """National facility amount (hospital, ASC): facility total RVU x CF, to the cent."""
        return (self.facility_total_rvu * self.conversion_factor).quantize(CENT, ROUND_HALF_UP)

    @property
    def label(self) -> str:
        """Where the numbers come from, for any view: ``CMS PFS 2024Q3 (PPRRVU24_JUL), CF 33.2875``."""
        return f"CMS PFS {self.vintage} ({self.file}), CF {self.conversion_factor}"

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly dict: decimals as strings ("1.95"), dates ISO, both national payments included."""
        out: dict[str, object] = {}
        for key, value in asdict(self).items():
            out[key] = str(value) if isinstance(value, Decimal) else value
        out["effective_date"] = self.effective_date.isoformat()
        out["nonfacility_payment"] = str(self.nonfacility_payment)
        out["facility_payment"] = str(self.facility_payment)
        return out


def fee_from_row(row: dict[str, str], year: int, vintage: str, file: str, source_id: str, effective: dt.date) -> Fee:
    """A :class:`Fee` from a fee-table row (strings, as in ``FEE_COLUMNS``)."""
    number = {name: Decimal(row[name] or "0") for name in DECIMAL_FIELDS}
    return Fee(
        code=row["code"],
        modifier=row["modifier"],
        status=row["status"],
        work_rvu=number["work_rvu"],
        nonfacility_pe_rvu=number["nonfacility_pe_rvu"],
        nonfacility_na=row["nonfacility_na"] == "NA",
        facility_pe_rvu=number["facility_pe_rvu"],
        facility_na=row["facility_na"] == "NA",
        mp_rvu=number["mp_rvu"],
        nonfacility_total_rvu=number["nonfacility_total_rvu"],
        facility_total_rvu=number["facility_total_rvu"],
        pctc_indicator=row["pctc_indicator"],
        global_days=row["global_days"],
        multiple_procedure_indicator=row["multiple_procedure_indicator"],
        bilateral_indicator=row["bilateral_indicator"],
        assistant_surgery_indicator=row["assistant_surgery_indicator"],
        co_surgery_indicator=row["co_surgery_indicator"],
        team_surgery_indicator=row["team_surgery_indicator"],
        conversion_factor=number["conversion_factor"],
        year=year,
        vintage=vintage,
        file=file,
        source_id=source_id,
        effective_date=effective,
    )


@cache
def shipped_fees() -> dict[tuple[str, str], Fee]:
    """The shipped July 2024 rows, keyed by (code, modifier)."""
    return {
        (r["code"], r["modifier"]): fee_from_row(
            r, 2024, SHIPPED_FEE_VINTAGE, SHIPPED_FEE_FILE, SHIPPED_FEE_SOURCE, SHIPPED_FEE_EFFECTIVE
        )
        for r in read_rows("fees.csv")
    }


def fee_for(code: str, day: dt.date | None = None, modifier: str = "") -> Fee | None:
    """The fee-schedule row of ``code`` (the global row, or ``modifier`` "26"/"TC"), None when not listed.

    Reads the installed RVU quarter in force on ``day`` (the newest installed quarter when ``day`` is None),
    else the shipped July 2024 values; the returned Fee names its vintage and file.
    """
    from esi_reference.cmsdata.tables import tables_for

    return tables_for(day).fee_for(code.strip().upper(), modifier.strip().upper())


def fee_table(day: dt.date | None = None) -> dict[tuple[str, str], Fee]:
    """Every fee row in force on ``day`` (an installed release, with the shipped rows it lacks below it)."""
    from esi_reference.cmsdata.tables import tables_for

    return tables_for(day).fee_table()
