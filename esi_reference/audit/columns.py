"""The claim-line columns of the claims file the audit reads: name, required or not, type, meaning, example.

:data:`COLUMNS` is the one list the reader (:mod:`esi_reference.audit.format`), the synthetic generator,
``docs/claims-format.md`` (:func:`columns_markdown`, kept in step by a test) and the audit page use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    kind: str
    description: str
    example: str


#: The claim-line columns, in the order the sample file and the generator write them.
COLUMNS: tuple[Column, ...] = (
    Column(
        "patient_id",
        True,
        "text",
        "Stable patient identifier (a de-identified key, not a name). Frequency limits are counted per patient.",
        "PT000123",
    ),
    Column("claim_id", True, "text", "Claim identifier; with `line_number` it identifies the line.", "CL0004567"),
    Column(
        "line_number",
        True,
        "integer >= 1",
        "Line number inside the claim (a repeated claim_id + line_number is rejected as a duplicate).",
        "1",
    ),
    Column(
        "date_of_service",
        True,
        "date YYYY-MM-DD (1990-01-01 .. 2100-12-31)",
        "Date the service was performed. Sessions are distinct dates of service.",
        "2025-03-04",
    ),
    Column(
        "place_of_service",
        False,
        "2-digit CMS POS code",
        "Where the service was performed (11 office, 22 on-campus outpatient hospital, 24 ASC …).",
        "11",
    ),
    Column(
        "code",
        True,
        "CPT/HCPCS code",
        "The procedure, imaging, drug or visit code billed. A code that "
        "is not in the esi-reference catalogue is rejected.",
        "64483",
    ),
    Column(
        "modifiers",
        False,
        "0-4 two-character modifiers separated by spaces, commas, hyphens or ';'",
        "Line modifiers such as 50, RT, LT, 59, XS, 25, KX, GA.",
        "50",
    ),
    Column("units", True, "integer 1-9999", "Units of service billed on the line.", "1"),
    Column(
        "diagnosis_codes",
        False,
        "ICD-10-CM codes (the dot may be left out: M5416) separated by spaces, commas or ';'",
        "Diagnoses pointed to by the line, first = primary.",
        "M54.16",
    ),
    Column(
        "rendering_provider",
        False,
        "text",
        "Rendering provider NPI or internal id (carried through to the findings).",
        "1234567893",
    ),
    Column(
        "drug_dose",
        False,
        "number > 0 (at most 10000)",
        "For a drug line: the amount given, in the unit of the "
        "code's descriptor (mg for J1010/J1100/J3301, mL for J0702). Used by the drug-units check; "
        "leave empty on other lines.",
        "80",
    ),
    Column(
        "payer",
        False,
        "payer profile id",
        "Payer of the claim: medicare, commercial, cpt, other or another profile of `data/payers.csv`; empty = "
        "medicare. The Medicare LCD coverage checks apply to profiles with LCD limits (Medicare) only.",
        "medicare",
    ),
    Column(
        "contractor",
        False,
        "LCD id",
        "The Medicare contractor's ESI LCD (L38994, L39240, L33906, "
        "L36920); the coverage checks start on its effective date. Empty = the earliest LCD date.",
        "L38994",
    ),
    Column(
        "claim_type",
        False,
        "professional or facility",
        "Whose claim the line is on: the physician's (professional) or the hospital outpatient / ASC "
        "facility's; empty = professional.",
        "professional",
    ),
    # Drug facts of a drug line (the line with drug_dose): what JW/JZ are decided on (CMS-JWJZ-FAQ, CMS-CR13056).
    Column(
        "container",
        False,
        "single_dose_vial, multi_dose_vial, ampule or prefilled_syringe",
        "For a drug line: the container the drug came from. Single-dose containers take a JW line for a "
        "discarded amount or JZ when nothing was discarded (Medicare); multi-dose vials neither. Empty = not "
        "recorded: JW/JZ are then not judged.",
        "single_dose_vial",
    ),
    Column(
        "container_amount",
        False,
        "number > 0 (at most 10000)",
        "For a drug line: the labeled amount of the container(s) opened, in the drug_dose unit.",
        "10",
    ),
    Column(
        "discarded",
        False,
        "number >= 0 (at most container_amount)",
        "For a drug line: the amount discarded, in the drug_dose unit (0 = nothing discarded). Empty = "
        "container_amount minus drug_dose when container_amount is given, else not documented.",
        "0",
    ),
    Column(
        "supplied_by",
        False,
        "practice or facility",
        "Who bought the drug: its line belongs on that party's claim. Empty = the facility in a hospital "
        "outpatient or ASC place of service, else the practice.",
        "practice",
    ),
    Column(
        "ndc",
        False,
        "11-digit NDC, 5-4-2 (hyphens optional)",
        "The National Drug Code of the package used; a 10-digit label NDC is refused with its 11-digit form.",
        "00009-3073-01",
    ),
    Column("ndc_unit", False, "F2, GR, ME, ML or UN", "The NDC unit qualifier (with ndc).", "ME"),
    Column("ndc_quantity", False, "number > 0", "The NDC quantity in ndc_unit (with ndc).", "10"),
)
#: The drug-fact columns: read only on a line that states a drug_dose.
DRUG_FACT_COLUMNS = ("container", "container_amount", "discarded", "supplied_by", "ndc", "ndc_unit", "ndc_quantity")
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)


def columns_markdown() -> str:
    """The column table of ``docs/claims-format.md`` (a test keeps the two in step)."""
    lines = ["| column | required | type | meaning | example |", "|---|---|---|---|---|"]
    for c in COLUMNS:
        lines.append(f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.kind} | {c.description} | `{c.example}` |")
    return "\n".join(lines)
