"""Numbers and definitions of the shared Medicare ESI coverage policy and claim conventions.

One place for the limits that the rules (``esi_reference.rules``), the claim audit and the book all use.
Each constant names its sources (ids in the sources table) and, where it matters, its effective date.

Rolling 12 months
    A session on date of service ``D`` counts toward the limit together with every other session of the
    same region family on dates ``d`` with ``window_start(D) <= d <= D``, where ``window_start(D)`` is the
    day after the same calendar date one year earlier. A session exactly one year earlier (same calendar
    date) is therefore outside the window; one a day later is inside. Sessions are distinct dates.

>>> window_start(dt.date(2025, 3, 1))
datetime.date(2024, 3, 2)
>>> window_start(dt.date(2025, 2, 28))
datetime.date(2024, 2, 29)
>>> region_family_of_level("T12-L1", "transforaminal"), region_family_of_level("T12-L1", "facet")
('cervical_thoracic', 'lumbar_sacral')
"""

from __future__ import annotations

import datetime as dt
import re

from esi_reference.model.dates import months_before

#: At most 4 ESI sessions per region family in a rolling 12 months (LCD L38994/L39240 family; OIG A-07-21-00618).
MAX_SESSIONS_PER_12_MONTHS = 4
SESSION_LIMIT_SOURCES = ("OIG-A-07-21-00618", "SUM-L33906", "SUM-A58745", "LCD-L38994", "LCD-L39240")

#: One interlaminar/caudal level per session; at most two transforaminal levels per session.
MAX_INTERLAMINAR_LEVELS = 1
MAX_TRANSFORAMINAL_LEVELS = 2
LEVEL_LIMIT_SOURCES = ("SUM-L33906", "SUM-A58745")

#: One spinal region (cervical/thoracic or lumbar/sacral) per session.
MAX_REGIONS_PER_SESSION = 1
REGION_LIMIT_SOURCES = ("SUM-A58745", "SUM-A56651", "SUM-A58731", "ART-A58993")

#: Repeat injections need at least 50 % sustained relief (pain or function) from the prior one.
MIN_PRIOR_RELIEF_PERCENT = 50
REPEAT_SOURCES = ("SUM-L33906", "RUBRIC-L39240")

#: Pain and failed conservative care for at least 4 weeks (acute herpes zoster excepted).
MIN_WEEKS_PAIN = 4
MIN_WEEKS_CONSERVATIVE_CARE = 4
DURATION_SOURCES = ("SUM-L33906", "RUBRIC-L39240")

#: Purposes exempt from the LCD limits and diagnosis list: postoperative pain management, implantable pump
#: trials and cisternography (billing articles A58993, A56651, A58745). The radionuclide CSF leak study
#: (csf_leak_study, imaging 78650) is treated as cisternography is - the same intrathecal tracer injection,
#: not a steroid injection for pain - but the articles name cisternography (78630) only: that exemption is
#: our reading, unverified (UNVERIFIED_EXEMPT_PURPOSES).
LCD_EXEMPT_PURPOSES = frozenset({"postoperative_pain", "pump_trial", "cisternography", "csf_leak_study"})
#: Exempt purposes that no billing article names (the exemption is inferred, not read).
UNVERIFIED_EXEMPT_PURPOSES = frozenset({"csf_leak_study"})
EXEMPT_SOURCES = ("ART-A58993", "SUM-A56651", "SUM-A58745")

#: Image views of the final needle position with contrast to keep.
MIN_IMAGE_VIEWS = 2

#: Earliest effective date of the shared ESI LCD policy (contractor-specific dates in contractors.csv).
POLICY_EARLIEST_EFFECTIVE = dt.date(2021, 12, 5)

#: Modifiers that mark a distinct procedural service for an NCCI edit with modifier indicator 1.
DISTINCT_SERVICE_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
#: Modifiers that tell Medicare a service is expected to be denied as not reasonable and necessary.
LIABILITY_MODIFIERS = frozenset({"GA", "GZ"})
LATERALITY_MODIFIERS = frozenset({"RT", "LT"})
#: Places of service where the facility bills drugs and imaging technical components (POS-FACILITY-BILLING,
#: OPPS-PACKAGED-DRUGS; secondary).
FACILITY_PLACES_OF_SERVICE = frozenset({"19", "21", "22", "23", "24"})
PLACES_OF_SERVICE = {
    "11": "office",
    "19": "off-campus hospital outpatient",
    "21": "inpatient hospital",
    "22": "on-campus hospital outpatient",
    "23": "emergency room",
    "24": "ambulatory surgical center",
    "49": "independent clinic",
    "62": "comprehensive outpatient rehabilitation",
}

LEVEL_PATTERN = re.compile(r"^(C[1-7]|T(?:[1-9]|1[0-2])|L[1-5]|S[1-5])-(C[2-7]|T(?:[1-9]|1[0-2])|L[1-5]|S[1-5]|CO1?)$")
_ORDER = (
    [f"C{i}" for i in range(1, 8)]
    + [f"T{i}" for i in range(1, 13)]
    + [f"L{i}" for i in range(1, 6)]
    + [f"S{i}" for i in range(1, 6)]
    + ["CO", "CO1"]
)


def window_start(day: dt.date) -> dt.date:
    """First date inside the rolling 12-month window that ends on ``day``."""
    return months_before(day, 12) + dt.timedelta(days=1)


def is_level(text: str) -> bool:
    """True for an interspace such as 'C6-C7', 'T12-L1', 'L5-S1' (adjacent segments, top first)."""
    m = LEVEL_PATTERN.match(text)
    if not m:
        return False
    upper, lower = m.groups()
    if lower in ("CO", "CO1"):
        return upper == "S5"
    return _ORDER.index(lower) == _ORDER.index(upper) + 1


def region_family_of_level(level: str, approach: str) -> str:
    """Region family that codes an injection at ``level``.

    Transforaminal ESI: by the upper segment, so T12-L1 is cervical/thoracic (64479), per billing article
    A58993. Interlaminar and caudal ESI: the same upper-segment convention is applied (our inference; A58993
    states it for transforaminal injections). Facet injections: by the lower segment, so T12-L1 is lumbar
    (64493), per facet coding guidance (CPT-GUIDE-FACET-T12L1).
    """
    upper, lower = level.split("-")
    segment = lower if approach == "facet" else upper
    return "cervical_thoracic" if segment[0] in "CT" else "lumbar_sacral"
