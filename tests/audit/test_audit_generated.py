"""Generated agreement: the claims audit and ``check()`` report the same findings on generated claims.

Hypothesis draws claims files (patients with several dates of service; lines with codes, modifiers, units,
doses, diagnoses with and without the dot; places of service, payers, contractors; dates from 2015 to 2026,
across every date regime). Each session (patient, date, place of service, payer, contractor) is written
twice: as claims-file rows (audited together, as one file) and as a claim-only encounter document
(``claim_only: true``, read by ``parse_encounter``) whose prior sessions are the patient's earlier Medicare
ESI dates in the file. For every claim-level rule both must report the same rule ids on the same lines with
the same severity and message: 0 disagreements. The audit evaluates each distinct session once and
broadcasts, so this holds its signatures, date regimes, history and message dates to the engine.

CI (``HYPOTHESIS_PROFILE=ci``) runs :data:`FILES` files of at least :data:`MIN_SESSIONS` sessions: at least
1,000 claims per run.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from audit_helpers import csv_text, row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples

from esi_reference.audit import audit
from esi_reference.engine import CLAIM_RULES, check
from esi_reference.model.encounter import parse_encounter
from esi_reference.reference import catalogue
from esi_reference.reference.drugs import DRUGS
from esi_reference.rules import rule_by_id

FILES = 30
MIN_SESSIONS = 36
CODES = sorted(
    {c.code for c in catalogue.codes() if not c.is_range} | {"99203", "99213", "99214", "96450"},
)
COMMON = ["62321", "62323", "62322", "64479", "64480", "64483", "64484", "77003", "J1040", "J1010", "J3301"]
MODIFIERS = ["50", "RT", "LT", "59", "XS", "25", "GA", "GZ", "KX", "JZ"]
DIAGNOSES = ["M54.16", "M54.12", "M54.50", "M48.062", "G89.18", "B02.29", "M47.816", "Z00.00", "M51.16", "U07.1"]
CONTRACTORS = ["", "L38994", "L39240", "L33906"]
DRUG_CODES = {code for row in DRUGS.values() for code in row["codes"].split()}
REGION_OF = {c.code: c.region_family for c in catalogue.codes() if c.is_esi and not c.is_range}


@st.composite
def line(draw: st.DrawFn) -> dict[str, object]:
    code = draw(st.sampled_from(COMMON) | st.sampled_from(CODES))
    mods = draw(st.lists(st.sampled_from(MODIFIERS), max_size=2, unique=True))
    units = draw(st.sampled_from([1, 1, 1, 2, 3]) | st.integers(1, 120))
    dose = draw(st.none() | st.sampled_from([10, 40, 80, 120]) | st.integers(1, 200)) if code in DRUG_CODES else None
    dx = draw(st.lists(st.sampled_from(DIAGNOSES), max_size=2, unique=True))
    return {"code": code, "modifiers": mods, "units": units, "dose": dose, "diagnoses": dx}


@st.composite
def bilateral_pair(draw: st.DrawFn) -> list[dict[str, object]]:
    """One procedure code on an RT and an LT line (and sometimes more lines)."""
    code = draw(st.sampled_from(["64479", "64483", "64490", "64493", "27096", "62323"]))
    dx = draw(st.lists(st.sampled_from(DIAGNOSES), max_size=1))
    pair = [{"code": code, "modifiers": [m], "units": 1, "dose": None, "diagnoses": dx} for m in ("RT", "LT")]
    return pair + draw(st.lists(line(), max_size=2))


@st.composite
def session(draw: st.DrawFn, patients: int) -> dict[str, object]:
    return {
        "patient": f"P{draw(st.integers(0, patients - 1))}",
        "day": draw(
            st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31))
            | st.sampled_from([dt.date(2024, 3, 31), dt.date(2024, 4, 1), dt.date(2021, 12, 5), dt.date(2017, 1, 1)])
            | st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
            | st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        ),
        "pos": draw(st.sampled_from(["11", "11", "22", "24", "19"])),
        "payer": draw(st.sampled_from(["medicare", "medicare", "other"])),
        "contractor": draw(st.sampled_from(CONTRACTORS)),
        "lines": draw(st.lists(line(), min_size=1, max_size=4) | bilateral_pair()),
        "claims": draw(st.integers(1, 2)),  # the session's lines on one claim or split over two
        "dotless": draw(st.booleans()),  # diagnoses as claims files carry them: M5416
        "separator": draw(st.sampled_from([" ", ";", ","])),
        "drug_facts": draw(st.none() | drug_facts()),
    }


@st.composite
def drug_facts(draw: st.DrawFn) -> dict[str, object]:
    """The drug facts of a session's dosed lines (one container kind per drug, as the parser requires)."""
    return {
        "container": draw(st.sampled_from(["single_dose_vial", "multi_dose_vial", "ampule", "prefilled_syringe"])),
        "spare": draw(st.none() | st.sampled_from([0, 4, 10, 0.5])),  # container_amount = dose + spare
        "discarded": draw(st.sampled_from(["none", "rest", "zero", "half"])),
        "supplied_by": draw(st.sampled_from([None, "practice", "facility"])),
        "ndc": draw(st.none() | st.sampled_from([0, 1])),  # NDC quantity = dose (+ 1: a mismatch)
        "jw_line": draw(st.booleans()),  # a JW twin of the dosed line
    }


def _facts(s: dict[str, object], dose: float | None) -> dict[str, object]:
    """The drug fields (encounter names) of a dosed line of session ``s``."""
    f = s["drug_facts"]
    if not f or dose is None:
        return {}
    out: dict[str, object] = {"container": f["container"]}
    if f["spare"] is not None:
        out["container_amount"] = dose + f["spare"]
    spare = f["spare"] or 0
    discarded = {"none": None, "rest": spare if f["spare"] is not None else None, "zero": 0, "half": spare / 2}
    if discarded[f["discarded"]] is not None:
        out["discarded"] = discarded[f["discarded"]]
    if f["supplied_by"]:
        out["supplied_by"] = f["supplied_by"]
    if f["ndc"] is not None:
        out["ndc"] = {"code": "00009307301", "unit": "ME", "quantity": dose + f["ndc"]}
    return out


def _with_jw_lines(s: dict[str, object]) -> list[dict[str, object]]:
    """The session's lines, each dosed drug line followed by its JW twin when the facts say so."""
    out = []
    for line in s["lines"]:
        out.append(line)
        if s["drug_facts"] and s["drug_facts"]["jw_line"] and line["dose"] is not None:
            out.append({**line, "modifiers": ["JW"], "units": 2, "dose": None})
    return out


@st.composite
def claims_files(draw: st.DrawFn) -> list[dict[str, object]]:
    patients = draw(st.integers(1, 6))
    sessions = draw(st.lists(session(patients), min_size=MIN_SESSIONS, max_size=MIN_SESSIONS + 12))
    # One session per (patient, day, place, payer, contractor): the audit's sessions.
    unique = {(s["patient"], s["day"], s["pos"], s["payer"], s["contractor"]): s for s in sessions}
    return list(unique.values())


def _rows(sessions: list[dict[str, object]]) -> tuple[list[dict[str, str]], dict[tuple[str, int], tuple[int, int]]]:
    """Claims-file rows, and (claim id, line number) -> (session index, line index in the encounter)."""
    rows, where = [], {}
    for k, s in enumerate(sessions):
        lines = _with_jw_lines(s)
        split = [i % s["claims"] for i in range(len(lines))]
        numbers = [split[: i + 1].count(split[i]) for i in range(len(lines))]
        # The encounter's line order is the audit's: line number, then file order.
        order = sorted(range(len(lines)), key=lambda i: (numbers[i], i))
        for i, line in enumerate(lines):
            claim = f"S{k}C{split[i]}"
            where[(claim, numbers[i])] = (k, order.index(i))
            dx = [d.replace(".", "") for d in line["diagnoses"]] if s["dotless"] else line["diagnoses"]
            rows.append(
                {
                    "patient_id": s["patient"],
                    "claim_id": claim,
                    "line_number": str(numbers[i]),
                    "date_of_service": s["day"].isoformat(),
                    "place_of_service": s["pos"],
                    "code": line["code"],
                    "modifiers": s["separator"].join(line["modifiers"]),
                    "units": str(line["units"]),
                    "diagnosis_codes": s["separator"].join(dx),
                    "rendering_provider": "1234567893",
                    "drug_dose": "" if line["dose"] is None else str(line["dose"]),
                    "payer": s["payer"],
                    "contractor": s["contractor"],
                    **_fact_columns(_facts(s, line["dose"])),
                }
            )
    return rows, where


def _fact_columns(facts: dict[str, object]) -> dict[str, str]:
    """Drug facts as claims-file columns."""
    out = {k: str(v) for k, v in facts.items() if k != "ndc"}
    if "ndc" in facts:
        ndc = facts["ndc"]
        out.update(ndc=ndc["code"], ndc_unit=ndc["unit"], ndc_quantity=str(ndc["quantity"]))
    return out


def _encounter(sessions: list[dict[str, object]], k: int) -> dict[str, object]:
    """Session ``k`` as a claim-only encounter document (lines in the audit's order)."""
    s = sessions[k]
    lines = _with_jw_lines(s)
    split = [i % s["claims"] for i in range(len(lines))]
    numbers = [split[: i + 1].count(split[i]) for i in range(len(lines))]
    ordered = [lines[i] for i in sorted(range(len(lines)), key=lambda i: (numbers[i], i))]
    prior = sorted(
        {
            (o["day"], REGION_OF[line["code"]])
            for o in sessions
            if o["patient"] == s["patient"] and o["payer"] == "medicare" and o["day"] < s["day"]
            for line in o["lines"]
            if REGION_OF.get(line["code"])
        }
    )
    doc: dict[str, object] = {
        "claim_only": True,
        "date_of_service": s["day"].isoformat(),
        "place_of_service": s["pos"],
        "payer": s["payer"],
        "claim": [
            {"code": x["code"], "modifiers": x["modifiers"], "units": x["units"], "diagnoses": x["diagnoses"]}
            for x in ordered
        ],
        "diagnoses": list(dict.fromkeys(d for x in ordered for d in x["diagnoses"])),
        "drugs": [
            {"drug": drug, "dose": x["dose"], "unit": DRUGS[drug]["dose_unit"], **_facts(s, x["dose"])}
            for x in ordered
            if x["dose"] is not None
            for drug in [d for d, row in DRUGS.items() if x["code"] in row["codes"].split()]
        ],
        "prior_sessions": [{"date": d.isoformat(), "region_family": r} for d, r in prior],
    }
    if s["contractor"]:
        doc["contractor"] = s["contractor"]
    return doc


CLAIM_RULE_IDS = {r.id for r in CLAIM_RULES}


@settings(
    max_examples=examples(FILES),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(claims_files())
def test_audit_and_check_agree_on_generated_claims(sessions):
    rows, where = _rows(sessions)
    result = audit(io.StringIO(csv_text(rows)))
    assert len(result.rejects) == 0, result.rejects["reason"].tolist()[:3]
    audited: dict[int, set] = defaultdict(set)
    f = result.findings
    for claim, number, rule, severity, message in zip(
        f["claim_id"], f["line_number"], f["rule_id"], f["severity"], f["message"], strict=True
    ):
        k, i = where[(str(claim), int(number))]
        audited[k].add((str(rule), i + 1, str(severity), message))
    for k in range(len(sessions)):
        report = check(parse_encounter(_encounter(sessions, k)))
        assert {f.rule_id for f in report.findings} <= CLAIM_RULE_IDS
        engine = {(f.rule_id, n, f.severity, f.message) for f in report.findings for n in f.lines}
        assert engine == audited[k], (sessions[k], engine ^ audited[k])


def test_every_claim_level_rule_states_what_a_claims_file_cannot_show():
    assert len(CLAIM_RULES) >= 20
    for r in CLAIM_RULES:
        assert r.claims and r.claims.endswith("."), r.id
        assert rule_by_id(r.id).claim_level


@pytest.mark.parametrize(
    "days", [["2021-01-01", "2021-01-02", "2021-03-04"], ["2021-01-01", "2021-01-02"], ["2021-03-04", "2021-01-01"]]
)
def test_a_date_in_a_message_that_equals_the_representative_day_is_not_rewritten(days):
    """0230T was deleted on 2021-01-01: sessions on that day and later share a signature and a regime, but
    "deleted 2021-01-01" must stay in every message. A session near a breakpoint represents its signature only
    when no other can (first case: the session of 03-04 does, wherever it is in the file); a signature of
    such sessions only splits by day (second case)."""
    rows = [row(patient=f"P{i}", claim=f"C{i}", day=d, code="0230T") for i, d in enumerate(days)]
    result = audit(io.StringIO(csv_text(rows)))
    messages = result.findings.loc[result.findings["rule_id"] == "CPT-CODE-VALID", "message"].tolist()
    assert len(messages) == len(days)
    for day, message in zip(days, messages, strict=True):
        assert f"date of service on {day} (deleted 2021-01-01)" in message, message
