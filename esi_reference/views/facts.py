"""Quick facts about one code: the card at the top of its book page and the output of ``esi-ref lookup``.

One function, :func:`quick_facts`, decides every fact a coder looks up first (plain definition, region,
approach, imaging, catheter, units, bilateral rule, levels per session, frequency limit, MUE, global days,
RVUs and national payment, validity with predecessor and successor, common errors), so the page, the CLI
and its JSON cannot disagree. Values come from the catalogue, :mod:`policy`, the rule registry and, when it
is installed, the CMS fee-schedule data (``esi_reference.cmsdata.fees``). A value not confirmed in a
primary source carries ``unverified=True``.

>>> f = quick_facts("62321")
>>> f.title
'62321 - cervical/thoracic interlaminar epidural, imaging included'
>>> f.value("approach")
'interlaminar'
>>> f.value("frequency")
'at most 4 sessions per region family (cervical/thoracic) in a rolling 12 months'
>>> quick_facts("62323").value("approach")
'interlaminar or caudal'
>>> ids = [r.id for r in own_rules("62321")]
>>> "LCD-FREQUENCY" in ids, "LCD-TF-LEVELS" in ids, "DRUG-UNITS" in ids
(True, False, False)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from esi_reference.model.dates import parse_date
from esi_reference.reference import catalogue, packaging, policy
from esi_reference.reference._data import read_rows
from esi_reference.reference.catalogue import (
    APPROACH_LABELS,
    BILATERAL_LABELS,
    CATHETER_LABELS,
    IMAGING_LABELS,
    MAI_LABELS,
    REGION_LABELS,
    UNIT_LABELS,
)

#: Our own short name of each code (data/code_titles.csv), used in page titles and the lookup header.
TITLES: dict[str, str] = {r["code"]: r["title"] for r in read_rows("code_titles.csv")}

GLOBAL_DAYS_LABELS = {
    "000": "000: 0-day global (same-day services are part of it)",
    "010": "010: 10-day global (follow-up in the next 10 days is part of it)",
    "090": "090: 90-day global",
    "ZZZ": "ZZZ: add-on, inside the global period of its primary code",
    "XXX": "XXX: the global period concept does not apply",
}
NOT_IN_RVU_FILE = "not in the CMS RVU rows this reference ships"
NO_FEE_DATA = "no fee-schedule data in this build (install the CMS data: esi_reference.cmsdata)"

#: Rules named on every ESI code that concern one approach only (the registry lists them for all ESI codes).
RULE_APPROACH = {"LCD-TF-LEVELS": "transforaminal", "LCD-IL-LEVELS": "interlaminar_caudal"}
#: Rule families that never decide anything about a non-drug line, and vice versa.
DRUG_FAMILIES = {"drug"}


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str
    unverified: bool = False
    sources: tuple[str, ...] = ()
    rule: str = ""  # the rule id that enforces it, when one does


@dataclass(frozen=True)
class QuickFacts:
    code: str
    title: str
    facts: tuple[Fact, ...]
    common_errors: tuple[str, ...]
    predecessors: tuple[str, ...]
    successors: tuple[str, ...]
    fee: object | None = field(default=None, repr=False)

    def value(self, key: str) -> str:
        return next(f.value for f in self.facts if f.key == key)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly: every fact by key, with label, value, unverified and sources."""
        return {
            "code": self.code,
            "title": self.title,
            "facts": {
                f.key: {"label": f.label, "value": f.value, "unverified": f.unverified, "sources": list(f.sources)}
                | ({"rule": f.rule} if f.rule else {})
                for f in self.facts
            },
            "common_errors": list(self.common_errors),
            "predecessors": list(self.predecessors),
            "successors": list(self.successors),
        }


def title(code: catalogue.Code) -> str:
    """'62321 - cervical/thoracic interlaminar epidural, imaging included'."""
    return f"{code.code} - {TITLES.get(code.code, catalogue.FAMILY_LABELS.get(code.family, code.family))}"


def approach_label(code: catalogue.Code) -> str:
    """The approach in words; caudal entry is sacral, so it is named only for lumbar/sacral codes."""
    if code.approach == "interlaminar_caudal":
        return "interlaminar or caudal" if code.region_family == "lumbar_sacral" else "interlaminar"
    return APPROACH_LABELS.get(code.approach, code.approach)


def region_label(code: catalogue.Code) -> str:
    if code.region_family:
        return REGION_LABELS[code.region_family]
    if code.is_range or code.kind == "drug" or code.family in ("sedation", "em", "contrast", "imaging_guidance"):
        return "no spinal region (the same code anywhere)"
    return "no region split (one code for every spinal region)"


def units_label(code: catalogue.Code) -> str:
    text = UNIT_LABELS.get(code.unit_basis, code.unit_basis)
    if code.unit_amount:
        text += f"; 1 unit = {code.unit_amount} {code.unit_measure}"
    return text


def levels_label(code: catalogue.Code) -> str:
    if code.family == "esi_interlaminar":
        return (
            f"{policy.MAX_INTERLAMINAR_LEVELS} interlaminar level per session (LCD); one unit however many levels "
            "are injected"
        )
    if code.approach == "transforaminal":
        per = "the first level" if not code.is_addon else "each additional level"
        return (
            f"one unit for {per}; at most {policy.MAX_TRANSFORAMINAL_LEVELS} transforaminal levels per session, "
            f"in {policy.MAX_REGIONS_PER_SESSION} region (LCD)"
        )
    if code.family.startswith("facet"):
        return "one unit per facet joint level (primary code for the first, add-ons for the next)"
    return "not limited by the ESI policies"


def frequency_label(code: catalogue.Code) -> str:
    """The LCD session limit, for the codes the frequency rule (``LCD-FREQUENCY``) counts."""
    from esi_reference.rules import rule_by_id

    if not code.is_esi:
        return "no ESI frequency limit (not an ESI code)"
    if code.code not in rule_by_id("LCD-FREQUENCY").codes:
        return "none: the code was deleted before the LCD session limit took effect"
    region = REGION_LABELS.get(code.region_family, "")
    return f"at most {policy.MAX_SESSIONS_PER_12_MONTHS} sessions per region family ({region}) in a rolling 12 months"


def bilateral_label(code: catalogue.Code, fee: object | None = None) -> str:
    """The catalogue's bilateral indicator, else the fee-schedule row's."""
    indicator = code.bilateral_indicator or (getattr(fee, "bilateral_indicator", "") or "")
    if not indicator:
        return NOT_IN_RVU_FILE
    if indicator == "9" and code.is_esi:
        return "never bilateral: " + BILATERAL_LABELS["9"]
    return BILATERAL_LABELS.get(indicator, indicator)


def mue_label(code: catalogue.Code) -> str:
    if code.mue is None:
        if code.valid_to:
            return "none (a deleted code has no MUE)"
        if code.mue_vintage:
            return f"no value in the {code.mue_vintage} practitioner MUE table"
        return "no MUE value recorded here (check the current CMS practitioner MUE table)"
    mai = MAI_LABELS.get(code.mue_mai, code.mue_mai)
    return f"{code.mue} per day, MAI {mai} ({code.mue_vintage} CMS table)"


def global_days_label(code: catalogue.Code, fee: object | None) -> str:
    days = code.global_days or (getattr(fee, "global_days", "") or "")
    return GLOBAL_DAYS_LABELS.get(days, days) if days else NOT_IN_RVU_FILE


def _fee(code: str, day: dt.date | None) -> object | None:
    """The CMS fee-schedule row when the fee data is installed (``esi_reference.cmsdata``), else None."""
    try:
        from esi_reference.cmsdata.fees import fee_for
    except ImportError:
        return None
    return fee_for(code, day)


def fee_labels(fee: object | None) -> tuple[str, str]:
    """(RVUs, national payment) texts; says plainly when no fee-schedule row is loaded."""
    if fee is None:
        return (NO_FEE_DATA, NO_FEE_DATA)

    def g(name: str) -> object:
        return getattr(fee, name, None)

    rvus = (
        f"work {g('work_rvu'):.2f}; total {g('nonfacility_total_rvu'):.2f} non-facility, "
        f"{g('facility_total_rvu'):.2f} facility ({g('vintage')})"
    )
    na = " (CMS marks the non-facility setting NA)" if g("nonfacility_na") else ""
    pay = (
        f"${g('nonfacility_payment'):,.2f} non-facility{na}, ${g('facility_payment'):,.2f} facility "
        f"(conversion factor {g('conversion_factor'):.4f}, {g('year')}, before locality adjustment)"
    )
    return rvus, pay


def predecessors(code: catalogue.Code) -> tuple[str, ...]:
    return tuple(x.code for x in catalogue.all_codes() if code.code in x.replaced_by)


def facility_fact(code: str) -> Fact:
    """The code's facility packaging status (OPPS status indicator, ASC payment indicator), flagged unverified
    unless the CMS addendum was read (``esi_reference.reference.packaging``)."""
    row = packaging.packaging(code)
    if row is None or (row.packaged is None and not row.opps_status):
        note = f" ({row.note.split(';')[0]})" if row is not None else ""
        return Fact("facility", "Facility payment", f"status not known here{note}", True)
    asc = row.asc_indicator or ("packaged" if row.packaged else "not known here")
    paid = {True: "packaged, no separate facility payment", False: "paid separately", None: "not paid under OPPS"}
    value = f"OPPS {row.opps_status}, ASC {asc}: {paid[row.packaged]} ({row.note.split(';')[0]})"
    return Fact("facility", "Facility payment", value, not row.verified, row.sources)


def quick_facts(code: object, day: object = None) -> QuickFacts:
    """Every quick fact of ``code`` (a code string or catalogue row); ``day`` picks the fee-schedule year."""
    c = code if isinstance(code, catalogue.Code) else catalogue.lookup(code)
    when = parse_date(day, "day") if day is not None else None
    fee = _fee(c.code, when)
    unverified = set(c.unverified)
    rvus, payment = fee_labels(fee)
    fee_sources = (getattr(fee, "source_id", ""),) if fee is not None else ()
    pred, succ = predecessors(c), c.replaced_by
    lcd_sources = policy.SESSION_LIMIT_SOURCES if frequency_label(c).startswith("at most") else ()
    facts = [
        Fact("definition", "What it is", c.summary, sources=c.sources),
        Fact("region", "Region", region_label(c)),
        Fact("approach", "Approach", approach_label(c)),
        Fact("imaging", "Imaging", IMAGING_LABELS.get(c.imaging, c.imaging)),
        Fact("catheter", "Catheter", CATHETER_LABELS.get(c.catheter, c.catheter or "not applicable")),
        Fact("units", "Units", units_label(c), "unit_amount" in unverified),
        Fact("bilateral", "Bilateral", bilateral_label(c, fee), "bilateral_indicator" in unverified),
        Fact("levels", "Levels per session", levels_label(c), sources=policy.LEVEL_LIMIT_SOURCES if c.is_esi else ()),
        Fact(
            "frequency",
            "Frequency limit",
            frequency_label(c),
            sources=lcd_sources,
            rule="LCD-FREQUENCY" if lcd_sources else "",
        ),
        Fact("mue", "MUE", mue_label(c), "mue" in unverified, rule="MUE-UNITS" if c.mue is not None else ""),
        Fact("global_days", "Global days", global_days_label(c, fee)),
        Fact("rvus", "RVUs", rvus, sources=fee_sources),
        Fact("payment", "National payment", payment, sources=fee_sources),
        facility_fact(c.code),
        Fact(
            "valid_from",
            "Valid from",
            c.valid_from.isoformat()
            if c.valid_from
            else "start date not recorded (in use before the dates this reference covers)",
            "valid_from" in unverified,
        ),
        Fact(
            "valid_to",
            "Valid to",
            f"{c.valid_to.isoformat()} (deleted {c.deleted_on.isoformat()})"
            if c.valid_to and c.deleted_on
            else "no end date (current)",
            "valid_to" in unverified,
        ),
        Fact("predecessor", "Replaces", ", ".join(pred) if pred else "none"),
        Fact(
            "successor",
            "Replaced by",
            ", ".join(succ) if succ else ("no verified replacement" if c.valid_to else "none"),
            "replaced_by" in unverified,
        ),
    ]
    if c.primary_codes:
        facts.insert(6, Fact("addon_of", "Add-on of", " or ".join(c.primary_codes), "primary_codes" in unverified))
    return QuickFacts(c.code, title(c), tuple(facts), c.confusions, pred, succ, fee)


def own_rules(code: object) -> tuple:
    """The rules that concern this code itself: those naming it (minus rules for another approach), plus the
    general code-checking rules of its kind. Drug rules stay on drug codes, ESI policy rules on ESI codes."""
    from esi_reference.rules import rules_for_code

    c = code if isinstance(code, catalogue.Code) else catalogue.lookup(code)
    out = []
    for r in rules_for_code(c.code):
        scope = RULE_APPROACH.get(r.id)
        if scope and scope != c.approach:
            continue
        if (r.family in DRUG_FAMILIES) != (c.kind == "drug"):
            continue
        if not r.codes and r.family in ("lcd", "doc"):
            continue  # general policy and documentation rules: on the rule catalogue and checklist pages
        if (
            not r.codes
            and r.id in ("CPT-CHEMOTHERAPY", "CPT-NEUROLYTIC")
            and c.family not in ("chemotherapy", "neurolytic")
        ):
            continue
        out.append(r)
    return tuple(out)


@dataclass(frozen=True)
class Indication:
    prefix: str
    meaning: str
    category: str
    covered: bool
    region: str
    confidence: str
    sources: tuple[str, ...]


def lcd_indications() -> tuple[tuple[object, tuple[Indication, ...], bool], ...]:
    """For each ESI LCD: (its contractor row, the ICD-10-CM rows of ``data/diagnoses.csv`` read for it, own).

    A row belongs to an LCD when one of its sources is that LCD's or its billing article's document. An LCD
    with no row of its own gets the shared list (``own`` False): the contractors adopted one policy text.
    ``covered`` is the coverage rule's own decision (``reference.diagnoses.COVERED_CATEGORIES``).
    """
    from esi_reference.reference.contractors import lcd_contractors
    from esi_reference.reference.diagnoses import COVERED_CATEGORIES, DIAGNOSES

    rows = [
        Indication(
            r["prefix"],
            r["meaning"],
            r["category"],
            r["category"] in COVERED_CATEGORIES,
            REGION_LABELS.get(r["region_family"], "") if r["region_family"] else "either region",
            r["confidence"],
            tuple(r["sources"].split()),
        )
        for r in sorted(DIAGNOSES, key=lambda r: (r["category"] not in COVERED_CATEGORIES, r["prefix"]))
    ]
    out = []
    for lcd in lcd_contractors():
        ids = (lcd.lcd_id, lcd.article_id)
        mine = tuple(r for r in rows if any(s.rsplit("-", 1)[-1] in ids for s in r.sources))
        out.append((lcd, mine or tuple(rows), bool(mine)))
    return tuple(out)
