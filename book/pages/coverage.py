"""Coverage and payment pages: covered indications per LCD, drugs and units, contractors, the fee schedule."""

from __future__ import annotations

import datetime as dt

from esi_reference import coding
from esi_reference.reference import catalogue, policy
from esi_reference.reference.contractors import lcd_contractors
from esi_reference.reference.drugs import DRUGS
from esi_reference.views import facts

from .common import AS_OF, UNVERIFIED_BADGE, Page, badge, code_link, codes_links, esc, render, sources_refs, table

#: The day before J1010 replaced J1020/J1030/J1040, for the "then and now" drug-unit example.
BEFORE_J1010 = dt.date(2024, 3, 31)
EXAMPLE_DOSE_MG = 80


def indications() -> Page:
    sections = []
    for lcd, rows, own in facts.lcd_indications():
        plain = [
            [r.prefix, r.meaning, r.category, "yes" if r.covered else "no", r.region, r.confidence, " ".join(r.sources)]
            for r in rows
        ]
        md = [
            [
                f"**{esc(r.prefix)}**",
                esc(r.meaning),
                esc(r.category),
                "**yes**" if r.covered else "no",
                esc(r.region),
                badge(r.confidence),
                sources_refs(r.sources),
            ]
            for r in rows
        ]
        tbl = table(
            "indications",
            lcd.lcd_id,
            ["ICD-10-CM", "Meaning", "Group", "Covered", "Region", "Confidence", "Sources"],
            plain,
            md,
        )
        sections.append((lcd, own, tbl))
    return render(
        "indications",
        "Covered indications (ICD-10-CM) by LCD",
        "indications.md.j2",
        description="ICD-10-CM codes that support or do not support an ESI under each Medicare LCD.",
        sections=sections,
        weeks=policy.MIN_WEEKS_PAIN,
        care=policy.MIN_WEEKS_CONSERVATIVE_CARE,
    )


def drugs() -> Page:
    rows, md = [], []
    for drug in DRUGS.values():
        codes = drug["codes"].split()
        units = "; ".join(facts.units_label(catalogue.lookup(c)).split("; ")[-1] for c in codes)
        rows.append([drug["label"], " ".join(codes), drug["billing"], drug["dose_unit"], units, drug["notes"]])
        md.append(
            [
                esc(drug["label"]),
                codes_links(codes) or "none",
                esc(drug["billing"]),
                esc(drug["dose_unit"]),
                esc(units),
                esc(drug["notes"]),
            ]
        )
    catalogue_table = table("drugs", "drugs", ["Drug", "Codes", "Billing", "Dose unit", "1 unit =", "Note"], rows, md)
    rows, md = [], []
    for key, drug in DRUGS.items():
        if drug["billing"] != "billable" or drug["dose_unit"] != "mg":
            continue
        now = coding.drug_units(key, EXAMPLE_DOSE_MG, AS_OF)
        old = coding.drug_units(key, EXAMPLE_DOSE_MG, BEFORE_J1010)
        flagged = list(dict.fromkeys(c for c, _ in now + old if catalogue.lookup(c).unverified))
        rows.append(
            [
                drug["label"],
                " ".join(f"{c} x{u}" for c, u in now),
                " ".join(f"{c} x{u}" for c, u in old),
                " ".join(flagged),
            ]
        )
        md.append(
            [
                esc(drug["label"]),
                ", ".join(f"{code_link(c)} x{u}" for c, u in now),
                ", ".join(f"{code_link(c)} x{u}" for c, u in old),
                UNVERIFIED_BADGE + " " + esc(" ".join(flagged)) if flagged else "",
            ]
        )
    example = table(
        "drugs",
        "80-mg",
        ["Drug", f"{EXAMPLE_DOSE_MG} mg on {AS_OF}", f"{EXAMPLE_DOSE_MG} mg on {BEFORE_J1010}", "Unverified"],
        rows,
        md,
    )
    return render(
        "drugs",
        "Drugs and units: steroids, anesthetics and contrast",
        "drugs.md.j2",
        description="Which drug codes an ESI bills, how units are counted, and what is bundled.",
        catalogue_table=catalogue_table,
        example=example,
        dose=EXAMPLE_DOSE_MG,
        as_of=AS_OF,
        before=BEFORE_J1010,
    )


def contractors() -> Page:
    lcds = lcd_contractors()
    rows = [
        [
            r.lcd_id,
            r.article_id,
            r.contractor,
            r.lcd_effective.isoformat(),
            r.contractor_confidence,
            r.date_confidence,
            " ".join(r.sources),
        ]
        for r in lcds
    ]
    md = [
        [
            f"**{esc(r.lcd_id)}**",
            esc(r.article_id),
            esc(r.contractor),
            esc(r.lcd_effective.isoformat()),
            badge(r.contractor_confidence),
            badge(r.date_confidence),
            sources_refs(r.sources),
        ]
        for r in lcds
    ]
    tbl = table(
        "contractors",
        "lcds",
        [
            "LCD",
            "Billing article",
            "Contractor",
            "LCD effective",
            "Contractor confidence",
            "Date confidence",
            "Sources",
        ],
        rows,
        md,
    )
    return render(
        "contractors",
        "Medicare contractors and their ESI LCDs",
        "contractors.md.j2",
        description="Each MAC's epidural steroid injection LCD and billing article, with effective dates.",
        table=tbl,
        earliest=policy.POLICY_EARLIEST_EFFECTIVE,
    )


#: Codes on the fee-schedule page: every current ESI code, then the codes billed or confused with them.
FEE_FAMILIES = ("esi_interlaminar", "esi_transforaminal", "imaging_guidance", "facet", "si_joint", "sedation")


def fees() -> Page:
    codes = [c for fam in FEE_FAMILIES for c in catalogue.codes(family=fam) if c.valid_on(AS_OF)]
    rows, md = [], []
    loaded = False
    for c in codes:
        q = facts.quick_facts(c, AS_OF)
        loaded = loaded or q.fee is not None
        values = [q.value(k) for k in ("global_days", "bilateral", "mue", "rvus", "payment")]
        rows.append([c.code, q.title.split(" - ", 1)[1], *values])
        md.append([code_link(c.code), esc(rows[-1][1]), *[esc(v) for v in values]])
    tbl = table(
        "fees",
        "fee-schedule",
        ["Code", "What it is", "Global days", "Bilateral", "MUE", "RVUs", "National payment"],
        rows,
        md,
    )
    return render(
        "fees",
        "Fee schedule: RVUs, payment and indicators",
        "fees.md.j2",
        description="Medicare physician fee schedule values for the ESI codes and related codes.",
        table=tbl,
        loaded=loaded,
        no_fee=facts.NO_FEE_DATA,
        as_of=AS_OF,
    )


def pages() -> list[Page]:
    return [indications(), drugs(), contractors(), fees()]
