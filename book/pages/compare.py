"""Comparison pages: the 62320-62327 matrix, the transforaminal codes, 62321 vs 62323, ESI vs facet vs SI."""

from __future__ import annotations

from esi_reference.reference import catalogue, policy
from esi_reference.reference.catalogue import (
    APPROACH_LABELS,
    CATHETER_LABELS,
    FAMILY_LABELS,
    IMAGING_LABELS,
    REGION_LABELS,
    UNIT_LABELS,
)
from esi_reference.views import facts

from .common import (
    DELETED_BADGE,
    IL,
    TF,
    UNVERIFIED_BADGE,
    Page,
    bilateral_note,
    code_link,
    code_short,
    codes_links,
    current,
    esc,
    esc_marked,
    render,
    short_label,
    table,
)


def _label_cell(c: catalogue.Code) -> str:
    return code_link(c.code) + (f" {DELETED_BADGE}" if c.deleted_on else "")


def interlaminar() -> Page:
    path = "compare/interlaminar-matrix"
    rows_c = current(catalogue.codes(family=IL))
    regions = list(dict.fromkeys(c.region_family for c in rows_c))
    combos = list(dict.fromkeys((c.catheter, c.imaging) for c in rows_c))
    short = {"single": "single shot", "indwelling": "catheter", "none": "no imaging", "fluoro_ct": "imaging"}
    headers = ["Region"] + [f"{short.get(cat, cat)}, {short.get(img, img)}" for cat, img in combos]
    rows, md = [], []
    for region in regions:
        cells = [
            [c for c in rows_c if c.region_family == region and c.catheter == cat and c.imaging == img]
            for cat, img in combos
        ]
        rows.append([REGION_LABELS[region]] + [" ".join(c.code for c in h) for h in cells])
        md.append([f"**{esc(REGION_LABELS[region])}**"] + [" ".join(code_link(c.code) for c in h) for h in cells])
    matrix = table(path, "matrix", headers, rows, md)
    rows = [
        [
            c.code,
            REGION_LABELS[c.region_family],
            facts.approach_label(c),
            short_label(c.imaging, IMAGING_LABELS),
            short_label(c.catheter, CATHETER_LABELS),
            short_label(c.unit_basis, UNIT_LABELS),
            c.bilateral_indicator,
            c.validity,
        ]
        for c in rows_c
    ]
    md = [[code_link(r[0]), *[esc(v) for v in r[1:]]] for r in rows]
    one_row = table(
        path, "codes", ["Code", "Region", "Approach", "Guidance", "Catheter", "Units", "Bilateral", "Valid"], rows, md
    )
    old = [c for c in catalogue.codes(family=IL) if c.deleted_on]
    rows = [
        [c.code, REGION_LABELS[c.region_family], CATHETER_LABELS[c.catheter], c.validity, " ".join(c.replaced_by)]
        for c in old
    ]
    md = [
        [_label_cell(c), esc(r[1]), esc(r[2]), esc(r[3]), codes_links(c.replaced_by)]
        for c, r in zip(old, rows, strict=True)
    ]
    deleted = table(path, "deleted", ["Code", "Region", "Catheter", "Valid", "Replaced by"], rows, md) if old else ""
    return render(
        path,
        "Interlaminar and caudal ESI: the 62320-62327 matrix",
        "compare-interlaminar.md.j2",
        description="Which of the eight interlaminar/caudal epidural codes fits: region, imaging, catheter.",
        index_codes=[c.code for c in catalogue.codes(family=IL)],
        matrix=matrix,
        one_row=one_row,
        bilateral=bilateral_note(rows_c),
        deleted=deleted,
    )


def transforaminal() -> Page:
    path = "compare/transforaminal"
    rows_c = [*catalogue.codes(family=TF), *catalogue.codes(family="esi_transforaminal_ultrasound")]
    rows = [
        [
            c.code,
            c.kind,
            REGION_LABELS[c.region_family],
            short_label(c.imaging, IMAGING_LABELS),
            short_label(c.unit_basis, UNIT_LABELS),
            " ".join(c.primary_codes),
            c.bilateral_indicator,
            c.validity,
            " ".join(c.unverified),
        ]
        for c in rows_c
    ]
    md = [
        [
            _label_cell(c),
            esc(c.kind),
            esc(r[2]),
            esc(r[3]),
            esc(r[4]),
            codes_links(c.primary_codes),
            esc(r[6]),
            esc(r[7]),
            UNVERIFIED_BADGE + " " + esc(r[8]) if c.unverified else "",
        ]
        for c, r in zip(rows_c, rows, strict=True)
    ]
    codes = table(
        path,
        "codes",
        ["Code", "Kind", "Region", "Guidance", "Units", "Add-on of", "Bilateral", "Valid", "Unverified"],
        rows,
        md,
    )
    ct = policy.region_family_of_level("T12-L1", "transforaminal")
    return render(
        path,
        "Transforaminal ESI: 64479-64484 and the former ultrasound codes",
        "compare-transforaminal.md.j2",
        description="Transforaminal epidural codes by region and level, add-ons, and the deleted ultrasound codes.",
        index_codes=[c.code for c in rows_c],
        codes=codes,
        bilateral=bilateral_note(rows_c),
        t12_region=REGION_LABELS[ct],
        t12_codes=[c.code for c in current(catalogue.codes(family=TF, region_family=ct))],
        instead=[(c.code, c.use_instead) for c in rows_c if c.use_instead],
    )


def pair_62321_62323() -> Page:
    path = "compare/62321-vs-62323"
    a, b = facts.quick_facts("62321"), facts.quick_facts("62323")
    rows, md = [], []
    for fa, fb in zip(a.facts, b.facts, strict=True):
        differs = "yes" if fa.value != fb.value else ""
        rows.append([fa.label, fa.value, fb.value, differs])
        label = f"**{esc(fa.label)}** (differs)" if differs else esc(fa.label)
        md.append([label, esc_marked(fa.value), esc_marked(fb.value)])
    # three columns on the page (a differing row says so in its label), four in the CSV
    side = table(path, "side-by-side", ["Fact", "62321", "62323", "Different?"], rows, md, ["Fact", "62321", "62323"])
    errors = [(c.code, e) for c in (catalogue.lookup("62321"), catalogue.lookup("62323")) for e in c.confusions]
    return render(
        path,
        "62321 vs 62323: cervical/thoracic or lumbar/sacral interlaminar ESI",
        "compare-pair.md.j2",
        description="62321 and 62323 side by side: the region decides.",
        a=a,
        b=b,
        index_codes=["62321", "62323"],
        side=side,
        errors=errors,
    )


def families() -> Page:
    path = "compare/esi-facet-si"
    fams = [IL, TF, "facet", "si_joint"]
    cols = []
    for fam in fams:
        cs = current(catalogue.codes(family=fam))
        approach = cs[0].approach
        by_region = {r: [c for c in cs if c.region_family == r] for r in ("cervical_thoracic", "lumbar_sacral", "")}
        if approach in ("transforaminal", "interlaminar_caudal", "facet"):
            t12 = REGION_LABELS[policy.region_family_of_level("T12-L1", approach)]
        else:
            t12 = "not a spinal level"
        plain = [
            APPROACH_LABELS.get(approach, approach),
            *[" ".join(code_short(c) for c in by_region[r]) for r in by_region],
            "; ".join(sorted({short_label(c.unit_basis, UNIT_LABELS) for c in cs})),
            "; ".join(sorted({c.bilateral_indicator for c in cs if c.bilateral_indicator})),
            t12,
            "yes" if cs[0].is_esi else "no",
        ]
        links = [" ".join(("+" if c.is_addon else "") + code_link(c.code) for c in by_region[r]) for r in by_region]
        cols.append((FAMILY_LABELS[fam], plain, [esc(plain[0]), *links, *[esc(v) for v in plain[4:]]]))
    labels = [
        "Target",
        "Cervical/thoracic codes",
        "Lumbar/sacral codes",
        "One code for every region",
        "How units count",
        "Bilateral indicator",
        "T12-L1 is coded as",
        "ESI?",
    ]
    grid = table(
        path,
        "families",
        ["", *[c[0] for c in cols]],
        [[label, *[c[1][i] for c in cols]] for i, label in enumerate(labels)],
        [[f"**{esc(label)}**", *[c[2][i] for c in cols]] for i, label in enumerate(labels)],
    )
    note = bilateral_note(c for fam in fams for c in current(catalogue.codes(family=fam)))
    return render(
        path,
        "ESI vs facet vs sacroiliac joint injections",
        "compare-families.md.j2",
        description="Epidural, facet and SI joint injection codes: targets, units and the T12-L1 split.",
        grid=grid,
        bilateral=note,
    )


def pages() -> list[Page]:
    return [interlaminar(), transforaminal(), pair_62321_62323(), families()]
