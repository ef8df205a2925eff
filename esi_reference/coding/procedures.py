"""The procedure codes: interlaminar/caudal (one line per session), transforaminal (primary plus add-on
per level, both sides with the payer's bilateral format), facet and SI joint (not ESIs), the blood patch.
"""

from __future__ import annotations

import datetime as dt

from esi_reference.coding.builder import (
    CPT_2017,
    FACET_CODES,
    GUIDANCE_CODES,
    INTERLAMINAR_CODES,
    INTERLAMINAR_CODES_BEFORE_2017,
    TRANSFORAMINAL_CODES,
    ULTRASOUND_TF_LAST_DAY,
    Builder,
)
from esi_reference.model.encounter import Procedure
from esi_reference.reference import catalogue


def interlaminar_code(region_family: str, image_guided: bool, indwelling: bool, day: dt.date) -> str:
    """The interlaminar/caudal code for these facts on this date of service."""
    if day < CPT_2017:
        return INTERLAMINAR_CODES_BEFORE_2017[(region_family, indwelling)]
    return INTERLAMINAR_CODES[(region_family, image_guided, indwelling)]


def add_interlaminar(b: Builder, index: int, proc: Procedure, seen: set[str]) -> None:
    region = proc.region_families[0]
    indwelling = proc.catheter == "indwelling"
    code = interlaminar_code(region, proc.image_guided, indwelling, b.day)
    if code in seen:
        return
    seen.add(code)
    catheter = {
        "none": "single injection",
        "same_day": "catheter removed the same day = single injection",
        "indwelling": "indwelling catheter",
    }[proc.catheter]
    guidance = "image guided (included)" if proc.image_guided else f"guidance: {proc.guidance} (not an imaging code)"
    b.add(
        code, f"{proc.approach}, {catalogue.REGION_LABELS[region]}, {guidance}, {catheter}; one unit per session", index
    )
    if b.day < CPT_2017 and proc.guidance in ("fluoroscopy", "ct"):
        b.add_imaging(
            GUIDANCE_CODES[proc.guidance], "before 2017 the epidural codes did not include imaging guidance", index
        )
    if proc.purpose == "cisternography":
        b.add_imaging("78630", "cisternography: the nuclear-medicine imaging of the tracer injected", index)
    elif proc.purpose == "csf_leak_study":
        b.add_imaging("78650", "CSF leak study: the nuclear-medicine imaging of the tracer leaking from the CSF", index)


def add_transforaminal(b: Builder, procs: list[tuple[int, Procedure]]) -> None:
    by_region: dict[tuple[str, bool], dict[str, set[str]]] = {}
    origin: dict[tuple[str, bool], int] = {}
    diagnostic: dict[tuple[str, bool], bool] = {}
    for index, proc in procs:
        ultrasound = proc.guidance == "ultrasound"
        for level in proc.levels:
            key = (proc.region_family_of(level), ultrasound)
            sides = by_region.setdefault(key, {}).setdefault(level, set())
            sides.update(("left", "right") if proc.side == "bilateral" else (proc.side,))
            origin.setdefault(key, index)
            diagnostic[key] = diagnostic.get(key, False) or proc.purpose == "diagnostic_snrb"
    for key, levels in by_region.items():
        region, ultrasound = key
        if ultrasound and b.day > ULTRASOUND_TF_LAST_DAY:
            b.drop(
                TRANSFORAMINAL_CODES[key][0],
                "0228T-0231T were deleted on 2021-01-01 and no replacement code is verified here; the Medicare ESI "
                "LCDs require fluoroscopy or CT, so an ultrasound-guided transforaminal injection cannot be coded "
                "with 64479-64484",
                "CPT-ULTRASOUND",
                ("CMS-RVU-2020-2022", "SUM-L33906"),
            )
            b.drop(
                "76942",
                "ultrasound guidance is not reported with an epidural injection code",
                "CPT-IMAGING-INCLUDED",
                ("CMS-PTP-PRAC-2024Q3",),
            )
            continue
        primary, addon = TRANSFORAMINAL_CODES[key]
        ordered = sorted(levels, key=lambda lv: (len(levels[lv]) < 2, list(levels).index(lv)))
        kx = ("KX",) if diagnostic[key] and b.enc.payer_profile.kx_diagnostic_block else ()
        first = ordered[0]
        label = catalogue.REGION_LABELS[region]
        b.add_sided(primary, f"transforaminal, first {label} level ({first})", origin[key], len(levels[first]) == 2, kx)
        rest = ordered[1:]
        for bilateral in (True, False):
            group = [lv for lv in rest if (len(levels[lv]) == 2) == bilateral]
            if group:
                b.add_sided(
                    addon,
                    f"each additional {label} level ({', '.join(group)})",
                    origin[key],
                    bilateral,
                    kx,
                    len(group),
                )
        if ultrasound:
            b.drop(
                "76942",
                "ultrasound guidance is included in 0228T-0231T",
                "CPT-IMAGING-INCLUDED",
                ("CMS-PTP-PRAC-2024Q3",),
            )


def add_facets(b: Builder, procs: list[tuple[int, Procedure]]) -> None:
    by_region: dict[str, dict[str, set[str]]] = {}
    origin: dict[str, int] = {}
    for index, proc in procs:
        for level in proc.levels:
            region = proc.region_family_of(level)
            by_region.setdefault(region, {}).setdefault(level, set()).update(
                ("left", "right") if proc.side == "bilateral" else (proc.side,)
            )
            origin.setdefault(region, index)
    for region, levels in by_region.items():
        first, second, more = FACET_CODES[region]
        # Bilateral joint levels first (like the transforaminal primary), then one-sided ones.
        ordered = sorted(levels, key=lambda lv: (len(levels[lv]) < 2, list(levels).index(lv)))

        def both_sides(group: list[str], levels: dict[str, set[str]] = levels) -> bool:
            return any(len(levels[lv]) == 2 for lv in group)

        label = catalogue.REGION_LABELS[region]
        b.add_sided(
            first,
            f"facet joint (not an ESI), first {label} joint level ({ordered[0]})",
            origin[region],
            both_sides(ordered[:1]),
        )
        if len(ordered) >= 2:
            b.add_sided(second, f"second facet joint level ({ordered[1]})", origin[region], both_sides(ordered[1:2]))
        if len(ordered) >= 3:
            b.add_sided(
                more,
                f"third and further facet joint levels ({', '.join(ordered[2:])}), one unit",
                origin[region],
                both_sides(ordered[2:]),
            )


def add_si_joint(b: Builder, index: int, proc: Procedure, seen: set[str]) -> None:
    """SI joint: 27096 with fluoroscopy or CT (physician), 20552 without imaging (CPT's instruction for an
    unguided injection), G0260 on the facility claim (with or without imaging)."""
    if b.enc.claim_type == "facility":
        code, reason = "G0260", "sacroiliac joint injection on the facility (OPPS/ASC) claim: G0260, not 27096"
    elif proc.image_guided:
        code, reason = "27096", "sacroiliac joint injection (not an ESI), imaging guidance included"
    else:
        code, reason = "20552", "sacroiliac joint injection without imaging guidance: CPT directs 20552, not 27096"
    if code in seen:
        return
    seen.add(code)
    both = proc.side == "bilateral" and code != "20552"  # 20552 counts muscles, not sides
    b.add_sided(code, reason, index, both)


def add_blood_patch(b: Builder, index: int, proc: Procedure, seen: set[str]) -> None:
    """Epidural blood patch: 62273 once; fluoroscopy or CT guidance is reported on its own (62273 does not
    include imaging)."""
    if "62273" in seen:
        return
    seen.add("62273")
    b.add("62273", "epidural blood patch: its own code, not an ESI code", index)
    if proc.image_guided:
        b.add_imaging(
            GUIDANCE_CODES[proc.guidance], "imaging guidance for the blood patch (not included in 62273)", index
        )


__all__ = [
    "add_blood_patch",
    "add_facets",
    "add_interlaminar",
    "add_si_joint",
    "add_transforaminal",
    "interlaminar_code",
]
