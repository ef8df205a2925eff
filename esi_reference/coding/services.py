"""Other services the same day (E/M, sedation, imaging, contrast ...) and the NCCI pairs among the derived
lines (:func:`resolve_ptp`), then add-ons whose primary was dropped.
"""

from __future__ import annotations

from dataclasses import replace

from esi_reference.coding.builder import SITE_GROUPS, Builder
from esi_reference.reference import catalogue, ncci
from esi_reference.reference.policy import DISTINCT_SERVICE_MODIFIERS


def add_other_services(b: Builder, guided_epidural: bool) -> None:
    for service in b.enc.other_services:
        code = catalogue.lookup(service.code)
        if any(line.code == service.code for line in b.lines):
            continue
        if not code.valid_on(b.day):
            b.drop(
                service.code,
                f"not valid for a date of service on {b.day.isoformat()} ({code.validity})",
                "CPT-CODE-VALID",
                code.sources,
            )
            continue
        if code.family == "em":
            if service.separately_identifiable:
                mods = tuple(dict.fromkeys((*service.modifiers, "25")))
                b.add(
                    service.code, "significant, separately identifiable visit: modifier 25", None, mods, service.units
                )
            else:
                b.drop(
                    service.code,
                    "the decision to perform the injection is part of the procedure; bill a visit only "
                    "when a significant, separately identifiable service is documented (modifier 25)",
                    "NCCI-EM-SAME-DAY",
                    ("NCCI-EM-MINOR",),
                )
        elif code.family in ("imaging_guidance", "epidurography"):
            if guided_epidural or code.family == "epidurography":
                b.drop(
                    service.code,
                    "imaging guidance and contrast are included in the injection code",
                    "CPT-IMAGING-INCLUDED",
                    ("CMS-PTP-PRAC-2024Q3", "CPT-GUIDE-62323-CATHETER"),
                )
            else:
                b.add(
                    service.code,
                    "imaging reported with a code that does not include it",
                    None,
                    service.modifiers,
                    service.units,
                )
        elif service.code == "J2001":
            b.drop(
                "J2001",
                "local anesthetic for the injection is part of the procedure",
                "NCCI-LOCAL-ANESTHETIC",
                ("NCCI-LIDOCAINE",),
            )
        else:
            b.add(
                service.code,
                f"other service the same day: {catalogue.FAMILY_LABELS.get(code.family, code.family)}",
                None,
                service.modifiers,
                service.units,
            )


def site_group(code: str) -> str:
    """Anatomic site group of a code, used to decide whether XS can separate an NCCI pair."""
    family = catalogue.lookup(code).family
    return SITE_GROUPS.get(family, family)


def resolve_ptp(b: Builder) -> None:
    """Drop or separate NCCI pairs among the derived lines (see module docstring)."""
    enc = b.enc
    tables = ncci.tables_for_claim(b.day, enc.claim_type, enc.place_of_service)
    changed = True
    while changed:
        changed = False
        for i, line_a in enumerate(b.lines):
            for j, line_b in enumerate(b.lines):
                if i == j:
                    continue
                edits = tables.edits_from(line_a.code, line_b.code, b.day)
                if not edits:
                    continue
                edit = edits[0]
                separate_site = site_group(line_a.code) != site_group(line_b.code) != "guidance"
                if edit.bypassable and separate_site:
                    if line_b.has(*DISTINCT_SERVICE_MODIFIERS):
                        continue
                    b.lines[j] = replace(
                        line_b,
                        modifiers=(*line_b.modifiers, "XS"),
                        reason=line_b.reason + f"; separate anatomic site: XS for the NCCI pair with {line_a.code}",
                    )
                else:
                    how = (
                        "never billed together (modifier indicator 0)"
                        if edit.modifier_indicator == "0"
                        else "same anatomic site and session, so no distinct-service modifier applies"
                    )
                    b.drop(
                        line_b.code, f"NCCI edit with {line_a.code} ({edit.rationale}): {how}", "NCCI-PTP", edit.sources
                    )
                    del b.lines[j]
                    del b.origins[j]
                changed = True
                break
            if changed:
                break
    drop_orphan_addons(b)


def drop_orphan_addons(b: Builder) -> None:
    """An add-on whose primary code was dropped cannot stand alone."""
    present = {line.code for line in b.lines}
    for j in reversed(range(len(b.lines))):
        code = catalogue.lookup(b.lines[j].code)
        if (
            code.is_addon
            and code.primary_codes
            and "primary_codes" not in code.unverified
            and not present & set(code.primary_codes)
        ):
            b.drop(
                code.code,
                f"its primary code {' or '.join(code.primary_codes)} is not billable here",
                "CPT-ADDON-PRIMARY",
                code.sources,
            )
            del b.lines[j]
            del b.origins[j]


__all__ = ["add_other_services", "drop_orphan_addons", "resolve_ptp", "site_group"]
