"""The spine diagram (an SVG drawn from ``esi_reference.reference.policy``) and its level-by-level table."""

from __future__ import annotations

import html
import itertools

from esi_reference.reference import catalogue, policy
from esi_reference.reference.catalogue import FAMILY_LABELS, REGION_LABELS

from .common import OUT, Page, code_link, code_short, current, esc, render, table, write_if_changed

SEGMENTS = [f"C{i}" for i in range(1, 8)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)] + ["S1"]
SPINE_COLUMNS = [
    ("esi_interlaminar", "interlaminar_caudal", "Interlaminar /", "caudal ESI"),
    ("esi_transforaminal", "transforaminal", "Transforaminal", "ESI"),
    ("facet", "facet", "Facet joint", "(not ESI)"),
]
REGION_COLORS = {"cervical_thoracic": ("#dbeafe", "#1d4ed8"), "lumbar_sacral": ("#fef3c7", "#b45309")}
SEGMENT_COLORS = {"C": "#bfdbfe", "T": "#c7d2fe", "L": "#fde68a", "S": "#fed7aa"}


def interspaces() -> list[str]:
    levels = [f"{a}-{b}" for a, b in itertools.pairwise(SEGMENTS)]
    return [lv for lv in levels if policy.is_level(lv)]


def spine_rows() -> list[tuple[str, dict[str, str]]]:
    """For each interspace: the region family each approach codes it in (asked of ``policy``)."""
    return [
        (lv, {fam: policy.region_family_of_level(lv, approach) for fam, approach, *_ in SPINE_COLUMNS})
        for lv in interspaces()
    ]


def spine_svg() -> str:
    """The spine diagram: which code family covers which interspace, with the T12-L1 split highlighted."""
    step, top, left, colw, gap = 20, 62, 84, 126, 8
    ys = {seg: top + i * step for i, seg in enumerate(SEGMENTS)}
    width = left + 56 + len(SPINE_COLUMNS) * (colw + gap) + 4
    sacrum_bottom = ys["S1"] + step * 2.6
    height = int(sacrum_bottom + 84)
    t: list[str] = []
    t.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="spine-title spine-desc" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">'
    )
    rows = spine_rows()
    desc = "; ".join(
        f"{lv}: " + ", ".join(f"{FAMILY_LABELS[f]} {REGION_LABELS[r]}" for f, r in d.items())
        for lv, d in rows
        if lv == "T12-L1"
    )
    t.append('<title id="spine-title">Which code family covers which spinal region</title>')
    t.append(
        '<desc id="spine-desc">Vertebrae C1 to the sacrum with the code sets for each approach. '
        f"{html.escape(desc)}"
        "</desc>"
    )
    t.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    # vertebrae
    for seg in SEGMENTS:
        y = ys[seg]
        if seg == "S1":
            t.append(
                f'<path d="M{left - 4},{y} L{left + 44},{y} L{left + 30},{sacrum_bottom} L{left + 10},'
                f'{sacrum_bottom} Z" fill="{SEGMENT_COLORS["S"]}" stroke="#7c2d12" stroke-width="1"/>'
            )
            t.append(f'<text x="{left - 10}" y="{y + 16}" text-anchor="end" fill="#111827">sacrum</text>')
            t.append(
                f'<text x="{left + 20}" y="{sacrum_bottom + 16}" text-anchor="middle" fill="#374151" '
                'font-size="11">caudal entry</text>'
            )
            continue
        t.append(
            f'<rect x="{left}" y="{y + 2}" width="40" height="{step - 5}" rx="5" '
            f'fill="{SEGMENT_COLORS[seg[0]]}" '
            'stroke="#374151" stroke-width="1"/>'
        )
        t.append(f'<text x="{left - 10}" y="{y + step / 2 + 3}" text-anchor="end" fill="#111827">{seg}</text>')
    # columns
    for i, (fam, _approach, head1, head2) in enumerate(SPINE_COLUMNS):
        x = left + 56 + i * (colw + gap)
        t.append(
            f'<text x="{x + colw / 2}" y="24" text-anchor="middle" font-weight="600" fill="#111827">{head1}</text>'
        )
        t.append(
            f'<text x="{x + colw / 2}" y="40" text-anchor="middle" font-weight="600" fill="#111827">{head2}</text>'
        )
        groups: list[tuple[str, list[str]]] = []
        for lv, d in rows:
            if groups and groups[-1][0] == d[fam]:
                groups[-1][1].append(lv)
            else:
                groups.append((d[fam], [lv]))
        for region, levels in groups:
            y0 = ys[levels[0].split("-")[0]] + step - 4
            last_lower = levels[-1].split("-")[1]
            y1 = ys[last_lower] + 2 if last_lower != "S1" else ys["S1"] + 2
            if region == "lumbar_sacral" and fam.startswith("esi_"):
                y1 = sacrum_bottom  # sacral foramina / caudal entry
            if region == "cervical_thoracic" and levels[0] == "C1-C2":
                y0 = ys["C1"] + 2
            fill, stroke = REGION_COLORS[region]
            t.append(
                f'<rect x="{x}" y="{y0}" width="{colw}" height="{y1 - y0}" rx="8" fill="{fill}" '
                f'stroke="{stroke}" '
                'stroke-width="1.5"/>'
            )
            cs = current(catalogue.codes(family=fam, region_family=region))
            label = [REGION_LABELS[region]] + [code_short(c) for c in cs]
            mid = (y0 + y1) / 2 - (len(label) - 1) * 8
            for j, line in enumerate(label):
                weight = ' font-weight="600"' if j == 0 else ""
                t.append(
                    f'<text x="{x + colw / 2}" y="{mid + j * 16 + 4}" text-anchor="middle" fill="{stroke}"'
                    f"{weight}>{html.escape(line)}</text>"
                )
    # T12-L1 line
    y_split = ys["L1"] - 2
    t.append(
        f'<line x1="48" y1="{y_split}" x2="{width - 2}" y2="{y_split}" stroke="#dc2626" '
        'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    t.append(f'<text x="2" y="{y_split + 4}" fill="#dc2626" font-weight="700" font-size="11">T12-L1</text>')
    tf = dict(rows)["T12-L1"]
    tf_codes = [
        c.code
        for c in current(catalogue.codes(family="esi_transforaminal", region_family=tf["esi_transforaminal"]))
        if not c.is_addon
    ]
    fa_codes = [c.code for c in current(catalogue.codes(family="facet", region_family=tf["facet"])) if not c.is_addon]
    notes = [
        f"T12-L1, transforaminal ESI: {REGION_LABELS[tf['esi_transforaminal']]} ({', '.join(tf_codes)})",
        f"T12-L1, facet joint: {REGION_LABELS[tf['facet']]} ({', '.join(fa_codes)})",
    ]
    for k, note in enumerate(notes):
        t.append(f'<text x="10" y="{height - 52 + k * 17}" fill="#b91c1c" font-weight="600">{html.escape(note)}</text>')
    t.append(
        f'<text x="10" y="{height - 12}" fill="#374151" font-size="11">Blue: cervical/thoracic code set. '
        "Amber: lumbar/sacral code set. + = add-on code.</text>"
    )
    t.append("</svg>")
    return "\n".join(t)


def spine_page() -> Page:
    write_if_changed(OUT / "spine.svg", spine_svg())
    rows = spine_rows()
    headers = ["Interspace"] + [f"{h1} {h2}".replace("/ ", "/") for _, _, h1, h2 in SPINE_COLUMNS]
    out_rows, md = [], []
    for lv, d in rows:
        cells = []
        for fam, *_ in SPINE_COLUMNS:
            cs = [c for c in current(catalogue.codes(family=fam, region_family=d[fam])) if not c.is_addon]
            cells.append((REGION_LABELS[d[fam]], cs))
        out_rows.append([lv] + [f"{r}: {' '.join(c.code for c in cs)}" for r, cs in cells])
        md.append(
            [f"**{lv}**" if lv == "T12-L1" else lv]
            + [f"{esc(r)}: {' '.join(code_link(c.code) for c in cs)}" for r, cs in cells]
        )
    t12 = dict(rows)["T12-L1"]
    return render(
        "spine",
        "Spine diagram: which code family covers which region (T12-L1)",
        "spine.md.j2",
        description="Which code set covers each spinal level, and why T12-L1 differs for ESI and facet codes.",
        levels=table("spine", "levels", headers, out_rows, md),
        tf_region=REGION_LABELS[t12["esi_transforaminal"]],
        facet_region=REGION_LABELS[t12["facet"]],
    )


def pages() -> list[Page]:
    return [spine_page()]
