"""Mutated encounters: valid encounters (tests/strategies.py) with fields replaced by junk, keys removed or
added, and claims of junk lines; check, suggest_claim and the report renderings give a result or a typed
error (EsiError) - nothing else - and an error message stays bounded."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import JUNK, encounters, examples

from esi_reference import EsiError
from esi_reference.engine import check, suggest_claim

CLAIM_LINE = st.fixed_dictionaries(
    {"code": st.sampled_from(["64483", "64484", "62323", "77003", "J3301", "99214", "J2001", "62321x"]) | JUNK},
    optional={"modifiers": st.lists(st.sampled_from(["50", "RT", "LT", "59", "XS", "25", "GZ"])) | JUNK,
              "units": st.integers(-2, 12) | JUNK},
)  # fmt: skip


@st.composite
def mutated_encounters(draw: st.DrawFn) -> object:
    data = draw(encounters())
    if draw(st.booleans()):
        data["claim"] = draw(st.lists(CLAIM_LINE, max_size=6) | JUNK)
    for _ in range(draw(st.integers(0, 3))):
        node = data
        for _depth in range(draw(st.integers(0, 3))):  # walk down to a random container
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            containers = [(k, v) for k, v in children if isinstance(v, dict | list) and v]
            if not containers:
                break
            _key, node = draw(st.sampled_from(containers))
        if isinstance(node, dict):
            action = draw(st.integers(0, 2))
            keys = sorted(node, key=str)
            if action == 0 and keys:
                node[draw(st.sampled_from(keys))] = draw(JUNK)
            elif action == 1 and keys:
                del node[draw(st.sampled_from(keys))]
            else:
                node[draw(st.text(max_size=8))] = draw(JUNK)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(JUNK)
    return data


@settings(max_examples=examples(2000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_encounters(), st.sampled_from([None, None, "2025-01-01", "1989-12-31", "x"]))
def test_mutated_encounters_give_a_report_or_a_typed_error(data, as_of):
    try:
        report = check(data, as_of=as_of)
    except EsiError as exc:
        assert 0 < len(str(exc)) < 10_000
        return
    json.dumps(report.to_dict())
    assert report.text()
    try:
        suggestion = suggest_claim(data)
    except EsiError:
        return
    json.dumps(suggestion.to_dict())
