"""Junk fed to every public function gives a typed error (EsiError) or a clean answer - never a crash."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from strategies import JUNK

import esi_reference as esi
from esi_reference import EsiError
from esi_reference.engine import check, suggest_claim
from esi_reference.reference.catalogue import is_known
from esi_reference.reference.documentation import documentation_items
from esi_reference.rules import rule_by_id

BIG = "6" * 10_000_000
JUNK_VALUES = [
    None,
    "",
    "62321x",
    "🦴",
    BIG,
    0,
    -1,
    3.5,
    b"62321",
    object(),
    [],
    {},
    ("62321",),
    True,
    dt.date(2025, 1, 1),
    "<script>",
    " 62321 ",
]
PUBLIC = {
    "lookup": esi.lookup,
    "search": esi.search,
    "source": esi.source,
    "codes_family": lambda v: esi.codes(family=v),
    "codes_as_of": lambda v: esi.codes(as_of=v),
    "codes_kind": lambda v: esi.codes(kind=v),
    "documentation_items": documentation_items,
    "check": check,
    "suggest_claim": suggest_claim,
    "rule_by_id": rule_by_id,
    "check_as_of": lambda v: check(
        {"date_of_service": "2025-01-01", "place_of_service": "11", "procedures": []}, as_of=v
    ),
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
@pytest.mark.parametrize(
    "value", JUNK_VALUES, ids=lambda v: type(v).__name__ + str(len(v) if isinstance(v, str) else "")
)
def test_junk_gives_typed_error(name: str, value: object) -> None:
    try:
        PUBLIC[name](value)
    except EsiError as exc:
        assert str(exc) and len(str(exc)) < 2000
    # a non-raising call is fine: e.g. lookup(" 62321 ") normalises


@settings(max_examples=1500, deadline=None)
@given(JUNK)
def test_lookup_junk(value: object) -> None:
    with contextlib.suppress(EsiError):
        esi.lookup(value)
    assert is_known(value) in (True, False)
