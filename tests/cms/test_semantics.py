"""Property tests of CMS's semantics: edit dates, modifier indicators, bypass modifiers, quarter choice."""

from __future__ import annotations

import datetime as dt

from esi_asserts import base_encounter, findings
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from esi_reference.cmsdata.tables import PtpEdit, Table, choose, quarter_end
from esi_reference.engine import check, suggest_claim
from esi_reference.model.encounter import parse_encounter
from esi_reference.reference import ncci

DAYS = st.dates(min_value=dt.date(2017, 1, 1), max_value=dt.date(2027, 12, 31))
FACET_AND_ESI = {
    "procedures": [
        {"approach": "interlaminar", "levels": ["L4-L5"], "guidance": "fluoroscopy", "contrast": "used"},
        {"approach": "facet", "levels": ["L4-L5"], "side": "left", "guidance": "fluoroscopy"},
    ],
}


def _edit(effective: dt.date, deletion: dt.date | None, indicator: str) -> PtpEdit:
    # 62323 / 64493 (ESI and facet): no such edit in the shipped table, so only this one can fire.
    return PtpEdit("62323", "64493", deletion, indicator, "synthetic", ("CMS-PTP-PRAC-USER",), effective, "test")


@settings(max_examples=examples(40), deadline=None)
@given(day=DAYS, effective=DAYS, length=st.none() | st.integers(0, 2000), indicator=st.sampled_from("019"))
def test_an_edit_applies_from_effective_through_deletion_never_with_indicator_9(day, effective, length, indicator):
    deletion = None if length is None else effective + dt.timedelta(days=length)
    if indicator == "9":
        deletion = effective  # CMS: indicator 9 where the edit's effective and deletion dates are the same
    edit = _edit(effective, deletion, indicator)
    in_force = indicator != "9" and effective <= day and (deletion is None or day <= deletion)
    assert edit.active_on(day) is in_force
    data = base_encounter(
        date_of_service=day.isoformat(), claim=[{"code": "62323"}, {"code": "64493"}], **FACET_AND_ESI
    )
    with ncci.using_tables(ptp=(edit,), label="test"):
        got = findings(data)
    assert ("NCCI-PTP" in got) is in_force


@settings(max_examples=examples(30), deadline=None)
@given(day=DAYS, gap_start=st.integers(10, 600), gap=st.integers(1, 400))
def test_a_pair_deleted_and_re_added_applies_only_inside_its_windows(day, gap_start, gap):
    start = dt.date(2017, 1, 1)
    deleted = start + dt.timedelta(days=gap_start)
    re_added = deleted + dt.timedelta(days=gap)
    edits = (_edit(start, deleted, "0"), _edit(re_added, None, "0"))
    expected = start <= day <= deleted or day >= re_added
    assert bool(ncci.edits_between("62323", "64493", day, edits)) is expected


def test_an_edit_is_not_flagged_before_its_effective_date():
    edit = _edit(dt.date(2017, 4, 1), None, "0")
    data = base_encounter(date_of_service="2017-02-15", claim=[{"code": "62323"}, {"code": "64493"}], **FACET_AND_ESI)
    with ncci.using_tables(ptp=(edit,), label="test"):
        assert "NCCI-PTP" not in findings(data)
        assert findings(dict(data, date_of_service="2017-04-01"))["NCCI-PTP"] == "error"


def test_indicator_9_never_lists_a_code_as_do_not_bill():
    edit = _edit(dt.date(2020, 1, 1), dt.date(2020, 1, 1), "9")
    data = base_encounter(date_of_service="2020-01-01", **FACET_AND_ESI)
    data.pop("claim")
    with ncci.using_tables(ptp=(edit,), label="test"):
        suggestion = suggest_claim(parse_encounter(data))
    assert "64493" in {line.code for line in suggestion.lines}
    assert "64493" not in {n.code for n in suggestion.not_billable}


MODIFIERS = st.lists(st.sampled_from(["59", "XS", "XU", "25", "57", "24", "58", "79", "91", "RT", "LT", "F1", "50",
                                      "76", "KX", "GA"]), max_size=3, unique=True)  # fmt: skip
CODES = st.sampled_from(["64493", "99213", "99215", "77003", "85025"])


@settings(max_examples=examples(80))
@given(indicator=st.sampled_from("019"), code2=CODES, mods1=MODIFIERS, mods2=MODIFIERS)
def test_bypass_modifiers_follow_the_ncci_manual(indicator, code2, mods1, mods2):
    edit = PtpEdit("62323", code2, None, indicator, "x")
    got = ncci.bypass_modifier(edit, tuple(mods1), tuple(mods2))
    if indicator != "1":
        assert got is None
        return
    em = code2.startswith("992")
    expected = (
        any(m in ncci.DISTINCT_SERVICE_MODIFIERS for m in mods2)
        or (em and any(m in {"24", "25", "57"} for m in mods2))
        or (not em and any(m in {"58", "79"} for m in mods2))
        or (code2 == "85025" and "91" in mods2)
        or (
            bool(set(mods1) & ncci.ANATOMIC_MODIFIERS)
            and bool(set(mods2) & ncci.ANATOMIC_MODIFIERS)
            and not set(mods1) & set(mods2) & ncci.ANATOMIC_MODIFIERS
        )
    )
    assert (got is not None) is expected
    if got is not None:
        assert got in ncci.NCCI_ASSOCIATED_MODIFIERS and got not in {"76", "77", "50"}


def test_em_codes_are_looked_up_one_by_one_and_25_bypasses():
    edit = PtpEdit("62323", "99213", None, "1", "Standards of medical/surgical practice", ("CMS-PTP-PRAC-USER",),
                   dt.date(2017, 1, 1), "test")  # fmt: skip
    base = base_encounter(
        date_of_service="2026-08-03",
        other_services=[{"code": "99213", "separately_identifiable": True}],
    )
    with ncci.using_tables(ptp=(edit,), label="test"):
        without = check(parse_encounter(dict(base, claim=[{"code": "62323"}, {"code": "99213"}])))
        with_25 = check(parse_encounter(dict(base, claim=[{"code": "62323"}, {"code": "99213", "modifiers": ["25"]}])))
    assert [f.severity for f in without.findings if f.rule_id == "NCCI-PTP"] == ["error"]
    assert [f.severity for f in with_25.findings if f.rule_id == "NCCI-PTP"] == ["info"]
    assert "bypassed with 25" in next(f.message for f in with_25.findings if f.rule_id == "NCCI-PTP")


QUARTERS = st.lists(st.tuples(st.integers(2018, 2027), st.integers(1, 4)), min_size=1, max_size=6, unique=True)


@settings(max_examples=examples(80))
@given(quarters=QUARTERS, day=DAYS)
def test_the_quarter_in_force_is_chosen_and_a_gap_is_said(quarters, day):
    tables = [Table("ptp", f"{y}Q{q}", dt.date(y, 3 * q - 2, 1), (f"f{y}{q}",), "installed", True) for y, q in quarters]
    chosen, note = choose(tables, day)
    covering = [t for t in tables if t.effective <= day <= quarter_end(t.effective)]
    if covering:
        assert chosen is covering[0] and not note
    else:
        earlier = [t for t in tables if t.effective <= day]
        expected = max(earlier, key=lambda t: t.effective) if earlier else min(tables, key=lambda t: t.effective)
        assert chosen is expected and chosen.vintage in note
