"""The CMS facts of one code from the tables in use: MUE, PTP partners, RVUs and national payments.

Every surface that shows them (``esi-ref lookup``, the book's code pages) calls :func:`cms_facts` (labelled
rows) or :func:`cms_facts_dict` (JSON), so each shows the same numbers and names the same vintage.

>>> rows = dict(cms_facts("62321"))
>>> rows["MUE"]
'1 per day, MAI 3 (date of service, clinical) (2024Q3 shipped MCR_MUE_PractitionerServices_Eff_07-01-2024)'
>>> rows["National payment"]
'non-facility $262.64, facility $106.52 (2024, CF 33.2875; CMS PFS 2024Q3 PPRRVU24_JUL)'
"""

from __future__ import annotations

import datetime as dt

from esi_reference.cmsdata.tables import PtpEdit, Tables, tables_for

MAI_TEXT = {"1": "1 (line edit)", "2": "2 (date of service, policy)", "3": "3 (date of service, clinical)"}
INDICATOR_TEXT = {"0": "never together", "1": "modifier may bypass", "9": "not applicable"}


def _partners(edits: tuple[PtpEdit, ...], code: str, as_column: int) -> str:
    chosen = [e for e in edits if (e.column1 if as_column == 1 else e.column2) == code]
    if not chosen:
        return "none"
    by_indicator: dict[str, list[str]] = {}
    for e in sorted(chosen, key=lambda e: (e.column2, e.column1)):
        other = e.column2 if as_column == 1 else e.column1
        by_indicator.setdefault(e.modifier_indicator, []).append(other)
    return "; ".join(
        f"{INDICATOR_TEXT.get(k, k)}: {', '.join(dict.fromkeys(v))}" for k, v in sorted(by_indicator.items())
    )


def _active(tables: Tables, code: str, day: dt.date | None) -> tuple[PtpEdit, ...]:
    """The edits in force on ``day``; without a day, those still in force in the table (no deletion date)."""
    edits = tables.edits_for(code)
    if day is not None:
        return tuple(e for e in edits if e.active_on(day))
    return tuple(e for e in edits if e.modifier_indicator != "9" and e.deletion_date is None)


def cms_facts(code: str, day: dt.date | None = None) -> list[tuple[str, str]]:
    """Labelled rows: the tables used, MUE, PTP partners (as column 1 and column 2), RVUs, payments."""
    tables = tables_for(day)
    facts = cms_facts_dict(code, day)
    rows = [("CMS tables", tables.summary())]
    mue = facts["mue"]
    rows.append(
        (
            "MUE",
            f"{mue['units']} per day, MAI {mue['mai']} ({mue['table']})"
            if mue["units"] is not None
            else f"no MUE value ({mue['table']})",
        )
    )
    edits = _active(tables, code, day)
    rows.append(("PTP as column 1", _partners(edits, code, 1)))
    rows.append(("PTP as column 2", _partners(edits, code, 2)))
    fee = facts["fee"]
    if fee:
        rows.append(
            (
                "RVUs",
                f"work {fee['work_rvu']}, PE {fee['nonfacility_pe_rvu']} non-facility / {fee['facility_pe_rvu']} "
                f"facility, MP {fee['mp_rvu']}; total {fee['nonfacility_total_rvu']} non-facility / "
                f"{fee['facility_total_rvu']} facility; status {fee['status']}, global {fee['global_days']}, "
                f"PC/TC {fee['pctc_indicator']}, mult. proc. {fee['multiple_procedure_indicator']}, "
                f"bilateral {fee['bilateral_indicator']}",
            )
        )
        rows.append(
            (
                "National payment",
                f"non-facility ${fee['nonfacility_payment']}, facility ${fee['facility_payment']} "
                f"({fee['year']}, CF {fee['conversion_factor']}; CMS PFS {fee['vintage']} {fee['file']})",
            )
        )
    else:
        rows.append(("RVUs", f"not in the fee schedule ({tables.rvu[0].label})"))
    for note in tables.notes:
        rows.append(("Note", note))
    return rows


def cms_facts_dict(code: str, day: dt.date | None = None) -> dict[str, object]:
    """JSON-friendly facts of ``code``: tables in use, MUE, PTP edits in force, fee rows (with 26/TC)."""
    tables = tables_for(day)
    value, mue_table = tables.mue_for(code)
    edits = _active(tables, code, day)
    fee = tables.fee_for(code)
    modifiers = {m: tables.fee_for(code, m) for m in ("26", "TC")}
    return {
        "tables": tables.in_use(),
        "notes": list(tables.notes),
        "mue": {
            "units": value.units if value else None,
            "mai": MAI_TEXT.get(value.mai, value.mai) if value else "",
            "rationale": value.rationale if value else "",
            "table": mue_table.label,
        },
        "ptp": [
            {
                "column1": e.column1,
                "column2": e.column2,
                "modifier_indicator": e.modifier_indicator,
                "rationale": e.rationale,
                "effective_date": e.effective_date.isoformat() if e.effective_date else None,
                "deletion_date": e.deletion_date.isoformat() if e.deletion_date else None,
                "table": e.table,
            }
            for e in edits
        ],
        "fee": fee.as_dict() if fee else None,
        "fee_components": {m: f.as_dict() for m, f in modifiers.items() if f},
    }
