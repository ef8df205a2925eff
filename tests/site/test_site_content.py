"""Every code page's quick-facts card against the package: each fact derived from ``lookup()``, the policy
constants and the rule registry, then compared with what the built page shows (no browser needed)."""

from __future__ import annotations

import html
import json
import re

import pytest

from esi_reference.reference import catalogue, policy
from esi_reference.reference.catalogue import REGION_LABELS
from esi_reference.rules import rule_by_id, rules_for_code
from esi_reference.views.facts import quick_facts

_FACT = re.compile(r'<div class="esi-fact" data-fact="([a-z_]+)"><dt[^>]*>(.*?)</dt><dd>(.*?)</dd></div>', re.S)
_TAG = re.compile(r"<[^>]+>")


def card(html_dir, code: str) -> dict[str, str]:
    page = (html_dir / "generated" / "codes" / f"{code}.html").read_text(encoding="utf-8")
    assert 'id="quick-facts"' in page, code
    return {k: " ".join(html.unescape(_TAG.sub(" ", v)).split()) for k, _, v in _FACT.findall(page)}


@pytest.mark.parametrize("row", catalogue.all_codes(), ids=lambda c: c.code)
def test_card_shows_the_package_facts(html_dir, row: catalogue.Code):
    shown = card(html_dir, row.code)
    quick = quick_facts(row.code)
    # the card is exactly the package's quick facts (the same ones `esi-ref lookup` prints)
    expected = {f.key: f.value + (" unverified" if f.unverified else "") for f in quick.facts if f.key != "definition"}
    assert shown == expected
    # and each fact says what the catalogue, the policy and the rule registry say
    c = catalogue.lookup(row.code)
    if c.region_family:
        assert shown["region"] == REGION_LABELS[c.region_family]
    if c.approach == "interlaminar_caudal":
        assert ("caudal" in shown["approach"]) == (c.region_family == "lumbar_sacral"), "caudal entry is sacral"
    if c.is_esi and rule_by_id("LCD-FREQUENCY") in rules_for_code(c.code):
        assert f"at most {policy.MAX_SESSIONS_PER_12_MONTHS} sessions" in shown["frequency"]
        assert REGION_LABELS[c.region_family] in shown["frequency"]
    if c.mue is not None:
        assert shown["mue"].startswith(f"{c.mue} per day")
    if c.valid_from:
        assert shown["valid_from"] == c.valid_from.isoformat()
    if c.valid_to:
        assert shown["valid_to"].startswith(c.valid_to.isoformat())
    else:
        assert shown["valid_to"] == "no end date (current)"
    if c.global_days:
        assert shown["global_days"].startswith(c.global_days)
    if c.primary_codes:
        assert shown["addon_of"].startswith(" or ".join(c.primary_codes))
    for value in shown.values():
        assert value not in ("always", "not loaded") and "Valid: always" not in value


def test_wording_fixed_at_the_source(html_dir):
    assert card(html_dir, "62321")["approach"] == "interlaminar"
    assert card(html_dir, "62323")["approach"] == "interlaminar or caudal"
    assert "first 15 minutes" in card(html_dir, "99152")["units"]
    assert "per 15 minutes of sedation time" not in card(html_dir, "99152")["units"]
    assert card(html_dir, "0213T")["region"] == "cervical/thoracic"
    faq = (html_dir / "generated" / "faq.html").read_text(encoding="utf-8")
    ultrasound = faq[faq.index('id="ultrasound"') :][:3000]
    assert "0230T" in ultrasound and "64483" in ultrasound  # the lumbar alternative is 64483, not 64479
    for page in (html_dir / "generated" / "codes").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "not loaded" not in text and "Valid: always" not in text, page.name


def test_code_pages_say_what_the_code_is(html_dir):
    page = (html_dir / "generated" / "codes" / "62321.html").read_text(encoding="utf-8")
    assert "<title>62321 - cervical/thoracic interlaminar epidural, imaging included" in page


def _pages_with_term(html_dir, term: str) -> set[str]:
    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    hits = index["terms"].get(term, [])
    return {index["docnames"][i] for i in ([hits] if isinstance(hits, int) else hits)}


def test_rule_tables_are_kept_out_of_the_search_index(html_dir):
    """The rule and NCCI tables and the card's boilerplate facts are on the page but not indexed for it."""
    page = (html_dir / "generated" / "codes" / "62321.html").read_text(encoding="utf-8")
    assert "LCD-CONTRAST" in page and "Frequency limit" in page
    for term in ("kx", "transforamin", "frequenc"):
        assert "generated/codes/62321" not in _pages_with_term(html_dir, term), term
    assert "generated/codes/62321" in _pages_with_term(html_dir, "anesthet")  # its own summary still is
    assert "generated/codes/62321" not in _pages_with_term(html_dir, "62310none")  # card cells stay apart


def test_new_pages_and_favicon_exist(html_dir):
    for name in ("indications", "drugs", "contractors", "fees"):
        assert (html_dir / "generated" / f"{name}.html").is_file(), name
    for name in ("instructors", "developers", "claims-audit"):
        assert (html_dir / f"{name}.html").is_file(), name
    assert (html_dir / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    indications = (html_dir / "generated" / "indications.html").read_text(encoding="utf-8")
    assert "M54.16" in indications and "esi-unverified" in indications
