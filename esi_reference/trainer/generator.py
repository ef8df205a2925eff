"""Generated practice: new trainer scenarios drawn from the engine's own parameters, seeded.

``generate(seed, count, topic=None)`` returns ``count`` scenarios. Case ``n`` of seed ``s`` has the id
``gen-<s>-<n>`` (n from 1) and depends on nothing but ``(s, n, topic)``, so an instructor hands out the
same set by sharing the seed, and :func:`esi_reference.trainer.scenarios.get` rebuilds any generated case from its
id alone (the gradebook grades generated cases like bank cases)::

    esi-ref scenarios generate --seed 7 --count 10 --out cases/     # one JSON file per case

What is drawn (every value one the encounter model accepts):

* approach: interlaminar, caudal or transforaminal (facet and SI joint for the ``not-esi`` topic);
* region from the levels drawn (cervical/thoracic or lumbar/sacral, T12-L1 included), 1-3 contiguous
  transforaminal levels or 1-2 interlaminar ones, side (left, right, bilateral; midline for interlaminar);
* guidance (fluoroscopy, CT, none; ultrasound for transforaminal), a catheter for some interlaminar cases;
* date of service 2016-2026 (so deleted codes and date-bound drug codes come up), place of service;
* prior ESI sessions in the 12 months before, the payer (Medicare, or one of the commercial and CPT-only
  payer profiles of ``data/payers.csv``) and an ABN;
* the claim type: some hospital outpatient and ASC cases ask for the facility's claim instead of the
  physician's;
* a steroid and its dose, and a same-day service (imaging, E/M) for the bundling topic.

The narrative comes from templates in our own words; the answer key is ``suggest_claim(facts)`` and the
not-billable list is the engine's, so the key and the engine cannot disagree. The rules listed are those
the engine fires on the key and on the usual wrong answers; hints ask questions and never name a code.
A ``gen-`` id whose seed or number is not a whole number, or whose topic is unknown, is not a generated
case. Standard library only (runs in the browser's worker).

>>> a, b = generate(7, 2)
>>> a.id, b.id
('gen-7-1', 'gen-7-2')
>>> generate(7, 2)[1].narrative == b.narrative
True
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

from esi_reference.errors import InvalidField
from esi_reference.trainer.scenarios import TOPICS, Scenario, parse_scenario

MAX_COUNT = 500
MAX_SEED = 999_999_999
MAX_NUMBER = 9999
ID = re.compile(r"^gen-(\d{1,9})-(\d{1,4})(?:-([a-z-]+))?$")

CERVICAL = ("C3-C4", "C4-C5", "C5-C6", "C6-C7", "C7-T1")
THORACIC = ("T1-T2", "T5-T6", "T8-T9", "T10-T11", "T11-T12", "T12-L1")
LUMBAR = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")
SPINE = (*CERVICAL, *THORACIC[:-1], "T12-L1", *LUMBAR)
DIAGNOSES = {"cervical_thoracic": ("M54.12", "M50.1", "M54.14"), "lumbar_sacral": ("M54.16", "M54.17", "M48.062")}
DX_WORDS = {
    "M54.12": "cervical radiculopathy",
    "M50.1": "a cervical disc disorder with radiculopathy",
    "M54.14": "thoracic radiculopathy",
    "M54.16": "lumbar radiculopathy",
    "M54.17": "lumbosacral radiculopathy",
    "M48.062": "lumbar stenosis with neurogenic claudication",
}
#: steroid -> (doses in mg, words)
STEROIDS = {
    "triamcinolone_acetonide": ((40, 80), "triamcinolone"),
    "methylprednisolone_acetate": ((40, 80, 120), "methylprednisolone acetate"),
    "dexamethasone_sodium_phosphate": ((4, 10), "dexamethasone"),
}
GUIDANCE_WORDS = {
    "fluoroscopy": "under fluoroscopy",
    "ct": "under CT guidance",
    "none": "without imaging",
    "ultrasound": "under ultrasound guidance",
}
PLACES = {
    "11": "in the office",
    "22": "in the hospital outpatient department",
    "24": "at an ambulatory surgical center",
}
TOPIC_KINDS = {
    "interlaminar": ("interlaminar", "caudal"),
    "transforaminal": ("transforaminal",),
    "not-esi": ("facet", "si_joint"),
    "bundling": ("interlaminar", "transforaminal"),
    "coverage": ("interlaminar", "transforaminal"),
    "drugs": ("interlaminar", "transforaminal", "caudal"),
}
FULL_DOCUMENTATION = {
    "history_and_exam": True,
    "indication_documented": True,
    "pain_weeks": 10,
    "conservative_care_weeks": 6,
    "concordant_imaging": True,
    "baseline_scale": True,
    "procedure_report": True,
    "image_views": 2,
    "signed_and_dated": True,
    "codes_supported": True,
}


def _date(rng: random.Random) -> dt.date:
    start = dt.date(2016, 1, 4)
    return start + dt.timedelta(days=rng.randrange((dt.date(2026, 11, 27) - start).days))


def _levels(rng: random.Random, kind: str) -> list[str]:
    if kind == "caudal":
        return []
    if kind == "si_joint":
        return []
    pool = rng.choice((CERVICAL, LUMBAR, LUMBAR, THORACIC[-2:] + LUMBAR[:2]))
    count = rng.choice((1, 1, 2, 3)) if kind in ("transforaminal", "facet") else rng.choice((1, 1, 1, 2))
    first = rng.randrange(max(1, len(pool) - count + 1))
    return list(pool[first : first + count])


def _region(levels: list[str]) -> str:
    return "cervical_thoracic" if levels and levels[0][0] in "CT" and levels[0] != "T12-L1" else "lumbar_sacral"


def _facts(rng: random.Random, topic: str | None) -> tuple[dict[str, Any], list[str]]:
    """Encounter facts and the narrative sentences that describe them."""
    kind = rng.choice(TOPIC_KINDS[topic] if topic else ("interlaminar", "caudal", "transforaminal", "transforaminal"))
    day = _date(rng)
    levels = _levels(rng, kind)
    region = _region(levels)
    side = {"interlaminar": rng.choice(("midline", "midline", "bilateral", "left")), "caudal": "midline"}.get(
        kind, rng.choice(("left", "right", "bilateral"))
    )
    guidance = rng.choice(
        ("fluoroscopy", "fluoroscopy", "ct", "none")
        if kind != "transforaminal"
        else ("fluoroscopy",) * 5 + ("ct", "ultrasound")
    )
    if kind in ("facet", "si_joint") and guidance == "none":
        guidance = "fluoroscopy"
    procedure: dict[str, Any] = {"approach": kind, "levels": levels, "side": side, "guidance": guidance}
    if kind == "interlaminar" and rng.random() < 0.25:
        procedure["catheter"] = rng.choice(("same_day", "indwelling"))
    place = rng.choice(tuple(PLACES))
    payer = "medicare" if rng.random() < 0.75 else "other"  # the profile is drawn last (_claim_and_payer)
    dx = rng.choice(DIAGNOSES[region])
    facts: dict[str, Any] = {
        "date_of_service": day.isoformat(),
        "place_of_service": place,
        "payer": payer,
        "procedures": [procedure],
        "diagnoses": [dx],
        "drugs": [],
        "documentation": dict(FULL_DOCUMENTATION),
        "prior_sessions": [],
        "other_services": [],
    }
    where = ", ".join(levels) if levels else ("the sacral hiatus" if kind == "caudal" else "the right SI joint")
    words = {
        "interlaminar": "interlaminar epidural steroid injection",
        "caudal": "caudal epidural steroid injection",
        "transforaminal": "transforaminal epidural steroid injection",
        "facet": "facet joint injection",
        "si_joint": "sacroiliac joint injection",
    }[kind]
    side_word = {"left": "Left ", "right": "Right ", "bilateral": "Bilateral ", "midline": ""}[side]
    if kind == "interlaminar" and side == "bilateral":
        side_word = "Through one midline needle, for symptoms on both sides, an "
    elif kind == "interlaminar" and side == "left":
        side_word = "Left paramedian "
    if kind == "si_joint":
        where = "the SI joint" if side == "bilateral" else f"the {side} SI joint"
    sentences = [f"{side_word}{words} at {where} {GUIDANCE_WORDS[guidance]}, {PLACES[place]}, for {DX_WORDS[dx]}."]
    if procedure.get("catheter") == "same_day":
        sentences.append("A catheter was threaded to the target level, the injectate given, and the catheter removed.")
    elif procedure.get("catheter") == "indwelling":
        sentences.append("A catheter was left in place for continuous infusion over the next days.")
    if rng.random() < 0.5 and kind not in ("facet", "si_joint"):
        drug = rng.choice(tuple(STEROIDS))
        doses, name = STEROIDS[drug]
        dose = rng.choice(doses)
        facts["drugs"].append({"drug": drug, "dose": dose, "unit": "mg"})
        sentences.append(f"Injectate: {name} {dose} mg with preservative-free saline.")
    if topic == "coverage" or rng.random() < 0.2:
        months = rng.choice((2, 5, 9, 14))
        prior = day - dt.timedelta(days=30 * months)
        count = rng.choice((1, 2, 3)) if months < 12 else 1
        for k in range(count):
            facts["prior_sessions"].append(
                {"date": (prior - dt.timedelta(days=45 * k)).isoformat(), "region_family": region}
            )
        sentences.append(
            f"{count} earlier injection session(s) in the same region, the most recent about {months} months ago."
        )
        if payer == "medicare" and rng.random() < 0.5:
            facts["abn_on_file"] = True
            sentences.append("The patient signed an advance beneficiary notice (ABN) before the procedure.")
    if topic == "bundling" or rng.random() < 0.15:
        service = rng.choice(("imaging", "em", "em_separate"))
        if service == "imaging" and guidance != "none":
            code = {"fluoroscopy": "77003", "ct": "77012", "ultrasound": "76942"}[guidance]
            facts["other_services"].append({"code": code})
            sentences.append("The superbill also lists the imaging guidance as a separate item.")
        elif service.startswith("em"):
            separate = service == "em_separate"
            facts["other_services"].append({"code": "99213", "separately_identifiable": separate})
            sentences.append(
                "An office visit the same day: "
                + (
                    "a separate evaluation of a new, unrelated problem, documented on its own."
                    if separate
                    else "the usual pre-procedure history and consent."
                )
            )
    _claim_and_payer(rng, facts, sentences)
    return facts, sentences


#: Payer profiles a generated non-Medicare case is drawn from (``data/payers.csv``), with the sentence that
#: tells the learner what the plan wants.
PAYER_WORDS = {
    "commercial": "The patient's plan is a commercial payer that follows CPT and Medicare's bilateral billing.",
    "commercial-rt-lt": "The patient's plan is a commercial payer that wants a bilateral service on two lines, "
    "RT and LT.",
    "commercial-50-two-units": "The patient's plan is a commercial payer that wants modifier 50 with 2 units "
    "for a bilateral service.",
    "commercial-frequency-4": "The patient's plan is a commercial plan whose medical policy allows 4 injection "
    "sessions a year.",
    "cpt": "The patient's plan follows CPT conventions only, with no payer policy of its own.",
}
#: Who bills the case's claim in a facility: the physician (professional) or the facility itself.
CLAIM_WORDS = {
    "professional": "Code the physician's (professional) claim.",
    "facility": {"22": "Code the hospital's facility claim.", "24": "Code the ASC's facility claim."},
}


def _claim_and_payer(rng: random.Random, facts: dict[str, Any], sentences: list[str]) -> None:
    """The claim type (a facility claim for some hospital outpatient and ASC cases) and, for a non-Medicare
    case, the payer profile; drawn last, so the facts drawn before them stay those of earlier versions."""
    place = facts["place_of_service"]
    if place in CLAIM_WORDS["facility"]:
        claim_type = "facility" if rng.random() < 0.35 else "professional"
        facts["claim_type"] = claim_type
        words = CLAIM_WORDS[claim_type]
        sentences.append(words[place] if isinstance(words, dict) else words)
    if facts["payer"] != "medicare":
        facts["payer"] = rng.choice(tuple(PAYER_WORDS))
        sentences.append(PAYER_WORDS[facts["payer"]])


def _hints(facts: dict[str, Any]) -> list[str]:
    p = facts["procedures"][0]
    hints = ["Which code family does this approach belong to, and which region do the levels fall in?"]
    if p["approach"] == "transforaminal":
        hints.append("How many levels were injected, and how are the extra levels reported?")
    if p["side"] == "bilateral":
        hints.append("Was the procedure bilateral as the code set counts it, and if so how is that reported?")
    if p.get("guidance") in ("none", "ultrasound") or p.get("catheter", "none") != "none":
        hints.append("Do the codes in force on the date of service describe this guidance or catheter?")
    if facts["drugs"]:
        hints.append("Is the drug billed in this place of service, and how many billing units make up the dose?")
    if facts["prior_sessions"]:
        hints.append("Count the sessions in the 12 months before: does the payer's frequency limit apply?")
    if facts["other_services"]:
        hints.append("Is the same-day service part of the injection, or separately identifiable?")
    return hints


def _rules_for(facts: dict[str, Any], key: list[dict[str, Any]]) -> list[str]:
    from esi_reference.engine import check
    from esi_reference.rules import REGISTRY

    fired = {f.rule_id for f in check(facts).findings}
    wrong = [dict(line, modifiers=[], units=1) for line in key] or [{"code": "62323"}]
    fired |= {f.rule_id for f in check(dict(facts, claim=wrong)).findings}
    return sorted(r for r in fired if r in REGISTRY) or ["CPT-NOT-PERFORMED"]


def _learning_points(rule_ids: list[str]) -> list[dict[str, Any]]:
    from esi_reference.rules import REGISTRY

    points = []
    for rid in rule_ids[:4]:
        rule = REGISTRY[rid]
        if rule.sources:
            points.append({"text": f"{rule.title}.", "sources": list(rule.sources)})
    return points or [
        {"text": "Code from the procedure record.", "sources": list(REGISTRY["CPT-NOT-PERFORMED"].sources)}
    ]


def case(seed: int, number: int, topic: str | None = None) -> Scenario:
    """Case ``number`` (1-based) of ``seed``; the same arguments always give the same scenario."""
    from esi_reference.engine import suggest_claim

    if topic is not None and topic not in TOPICS:
        raise InvalidField("topic", "one of " + ", ".join(TOPICS), topic)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidField("seed", f"a whole number from 0 to {MAX_SEED}", seed)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_NUMBER:
        raise InvalidField("number", f"a whole number from 1 to {MAX_NUMBER}", number)
    rng = random.Random(f"esi-generated:{seed}:{number}:{topic or ''}")
    facts, sentences = _facts(rng, topic)
    suggestion = suggest_claim(facts)
    key = [{"code": line.code, "modifiers": list(line.modifiers), "units": line.units} for line in suggestion.lines]
    rules = _rules_for(facts, key)
    cid = f"gen-{seed}-{number}" + (f"-{topic}" if topic else "")
    procedure = facts["procedures"][0]
    data = {
        "id": cid,
        "title": f"Generated case {number} (seed {seed}): {procedure['approach'].replace('_', ' ')}",
        "difficulty": 2 if len(key) <= 1 else 3,
        "topic": topic
        or {"facet": "not-esi", "si_joint": "not-esi"}.get(
            procedure["approach"], procedure["approach"].replace("caudal", "interlaminar")
        ),
        "narrative": " ".join(sentences),
        "facts": facts,
        "expected": {"lines": key, "not_billable": sorted({n.code for n in suggestion.not_billable})},
        "rules": rules,
        "hints": _hints(facts),
        "learning_points": _learning_points(rules),
    }
    return parse_scenario(data, cid)


def generate(seed: int, count: int, topic: str | None = None) -> list[Scenario]:
    """``count`` generated scenarios for ``seed`` (ids ``gen-<seed>-1`` ...)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidField("seed", f"a whole number from 0 to {MAX_SEED}", seed)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise InvalidField("count", f"a whole number from 1 to {MAX_COUNT}", count)
    return [case(seed, n, topic) for n in range(1, count + 1)]


def is_generated_id(scenario_id: str) -> bool:
    """Whether ``scenario_id`` names a generated case (``gen-<seed>-<n>[-<topic>]``)."""
    m = ID.match(scenario_id)
    return bool(m) and int(m.group(2)) >= 1 and (not m.group(3) or m.group(3) in TOPICS)


def from_id(scenario_id: str) -> Scenario | None:
    """The generated scenario named by ``gen-<seed>-<n>[-<topic>]``, or None if the id is not one."""
    if not is_generated_id(scenario_id):
        return None
    m = ID.match(scenario_id)
    return case(int(m.group(1)), int(m.group(2)), m.group(3))


def scenario_data(s: Scenario) -> dict[str, Any]:
    """A generated scenario as the JSON a scenario file holds (``exercises/schema.json``)."""
    return {
        "id": s.id,
        "title": s.title,
        "difficulty": s.difficulty,
        "topic": s.topic,
        "narrative": s.narrative,
        "facts": s.facts,
        "expected": {
            "lines": [{"code": x.code, "modifiers": list(x.modifiers), "units": x.units} for x in s.expected_lines],
            "not_billable": list(s.not_billable),
        },
        "rules": list(s.rules),
        "hints": list(s.hints),
        "learning_points": [{"text": lp.text, "sources": list(lp.sources)} for lp in s.learning_points],
    }
