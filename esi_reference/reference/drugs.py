"""The drugs table (``data/drugs.csv``): each drug given in these sessions, its billing codes and dose unit.

>>> drug_of_code("J1100")
'dexamethasone_sodium_phosphate'
"""

from __future__ import annotations

from esi_reference.reference._data import read_rows

#: drug -> its row of drugs.csv (codes, dose unit, units per code, sources).
DRUGS = {r["drug"]: r for r in read_rows("drugs.csv")}
_DRUG_OF_CODE = {code: drug for drug, row in DRUGS.items() for code in row["codes"].split()}
#: Every drug whose codes include the code (rules look this up per claim line).
DRUGS_OF_CODE: dict[str, frozenset[str]] = {
    code: frozenset(d for d, row in DRUGS.items() if code in row["codes"].split()) for code in _DRUG_OF_CODE
}


def drug_of_code(code: str) -> str | None:
    """The drug (a key of drugs.csv) that a drug code bills, or None."""
    return _DRUG_OF_CODE.get(code)
