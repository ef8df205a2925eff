"""The home page and the FAQ."""

from __future__ import annotations

from esi_reference.reference import catalogue, ncci, policy
from esi_reference.reference.catalogue import BILATERAL_LABELS, REGION_LABELS, UNIT_LABELS
from esi_reference.reference.contractors import lcd_contractors
from esi_reference.reference.sources import sources as all_sources
from esi_reference.rules import all_rules
from esi_reference.views.facts import quick_facts

from .common import IL, TF, Page, badge, code_link, current, esc, render, table


def faq() -> Page:
    c21, tf, tfa = catalogue.lookup("62321"), catalogue.lookup("64479"), catalogue.lookup("64480")
    lcds = lcd_contractors()
    lcd_rows = [
        [r.lcd_id, r.article_id, r.contractor, r.lcd_effective.isoformat(), r.contractor_confidence] for r in lcds
    ]
    lcd_md = [[esc(r[0]), esc(r[1]), esc(r[2]), esc(r[3]), badge(r[4])] for r in lcd_rows]
    pairs = [(a, b, ncci.edits_between(a, b)) for a in ("62321", "62323", "64479", "64483") for b in ("77003", "77012")]
    img_rows = [
        [
            a,
            b,
            e[0].modifier_indicator if e else "",
            ("active" if e[0].deletion_date is None else "deleted") if e else "no edit in the shipped table",
        ]
        for a, b, e in pairs
    ]
    img_md = [[code_link(r[0]), code_link(r[1]), esc(r[2]), esc(r[3])] for r in img_rows]
    us = catalogue.codes(family="esi_transforaminal_ultrasound")
    return render(
        "faq",
        "Frequently asked questions",
        "faq.md.j2",
        description="Short answers on ESI coding: 62321 vs 62323, LCD limits, T12-L1, bilateral, caudal, imaging.",
        p=policy,
        q21=quick_facts("62321"),
        c21=c21,
        unit21=UNIT_LABELS[c21.unit_basis],
        bil21=BILATERAL_LABELS[c21.bilateral_indicator],
        biltf=BILATERAL_LABELS[tf.bilateral_indicator],
        unit_addon=UNIT_LABELS[tfa.unit_basis],
        region21=REGION_LABELS[c21.region_family],
        region23=REGION_LABELS[catalogue.lookup("62323").region_family],
        lcds=table(
            "faq",
            "lcds",
            ["LCD", "Billing article", "Contractor", "Effective", "Contractor confidence"],
            lcd_rows,
            lcd_md,
        ),
        imaging=table(
            "faq", "imaging-edits", ["ESI code", "Imaging code", "Modifier indicator", "Status"], img_rows, img_md
        ),
        t12_tf=REGION_LABELS[policy.region_family_of_level("T12-L1", "transforaminal")],
        t12_facet=REGION_LABELS[policy.region_family_of_level("T12-L1", "facet")],
        # the fluoroscopy/CT code of the same region and kind that the LCDs require instead
        ultrasound=[
            (
                c,
                next(
                    x.code
                    for x in current(catalogue.codes(family=TF, region_family=c.region_family))
                    if x.kind == c.kind
                ),
            )
            for c in us
        ],
        us_validity=us[0].validity,
        catheter_codes=[c.code for c in current(catalogue.codes(family=IL)) if c.catheter == "indwelling"],
        drug_unit=UNIT_LABELS["drug_unit"],
        caudal_error=catalogue.lookup("62322").confusions[-1],
    )


def home(exercises_exist: bool, lite: bool) -> Page:
    esi = [c for c in catalogue.all_codes() if c.is_esi]
    return render(
        "index",
        "Epidural steroid injection coding reference",
        "home.md.j2",
        description="An open, executable reference and trainer for coding epidural steroid injections (ESI).",
        n_codes=len(catalogue.all_codes()),
        n_esi=len(esi),
        n_rules=len(all_rules()),
        n_sources=len(all_sources()),
        exercises_exist=exercises_exist,
        lite=lite,
    )


def pages(exercises_exist: bool, lite: bool) -> list[Page]:
    return [home(exercises_exist, lite), faq()]
