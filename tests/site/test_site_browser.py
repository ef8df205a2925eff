"""The built site in Debian's Chromium (pytest-playwright) against a local http.server on 127.0.0.1."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from esi_reference.reference import catalogue

pytestmark = pytest.mark.browser

#: Pages a reader meets first; console and network are watched on each.
KEY_PAGES = [
    "generated/index.html",
    "generated/faq.html",
    "generated/spine.html",
    "generated/codes.html",
    "generated/compare/interlaminar-matrix.html",
    "generated/compare/transforaminal.html",
    "generated/compare/62321-vs-62323.html",
    "generated/compare/esi-facet-si.html",
    "generated/checklist.html",
    "generated/rules.html",
    "generated/sources.html",
    "generated/glossary.html",
    "generated/downloads.html",
    "explore.html",
    "generated/codes/62321.html",
    "generated/codes/64479.html",
    "generated/codes/0228T.html",
    "search.html?q=62321",
]


def _watch(page: Page, base: str) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on(
        "request",
        lambda r: (
            foreign.append(r.url)
            if not (r.url.startswith(base + "/") or r.url.startswith(("data:", "blob:")))
            else None
        ),
    )
    return errors, foreign


def test_every_code_page_shows_its_summary_and_quick_facts_card(page: Page, site_url: str):
    for code in catalogue.all_codes():
        response = page.goto(f"{site_url}/generated/codes/{code.code}.html")
        assert response is not None and response.ok, code.code
        expect(page.locator("article.bd-article h1").first).to_contain_text(code.code)
        summary = page.locator("p.esi-summary")
        expect(summary).to_be_visible()
        assert " ".join(summary.inner_text().split()) == " ".join(code.summary.split()), code.code
        # the quick-facts card opens the page, with every key fact filled in
        card = page.locator("#quick-facts")
        box = card.bounding_box()
        assert box is not None and box["y"] < 400, code.code
        facts = card.locator("[data-fact] dd").all_inner_texts()
        assert len(facts) >= 16 and all(f.strip() for f in facts), code.code


def test_search_page_finds_62321(page: Page, site_url: str):
    page.goto(f"{site_url}/search.html?q=62321")
    hit = page.locator("#search-results a[href*='generated/codes/62321.html']").first
    expect(hit).to_be_visible(timeout=15_000)


def test_theme_search_box_goes_to_results(page: Page, site_url: str):
    page.goto(f"{site_url}/generated/index.html")
    page.keyboard.press("Control+k")
    box = page.locator("#pst-search-dialog input[name=q]")
    expect(box).to_be_visible()
    box.fill("62321")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"search\.html\?q=62321"))
    expect(page.locator("#search-results a[href*='62321']").first).to_be_visible(timeout=15_000)


@pytest.mark.parametrize(
    ("path", "must_show"),
    [
        (
            "generated/compare/interlaminar-matrix.html",
            ["62320", "62321", "62322", "62323", "62324", "62325", "62326", "62327"],
        ),
        (
            "generated/compare/transforaminal.html",
            ["64479", "64480", "64483", "64484", "0228T", "0229T", "0230T", "0231T"],
        ),
        ("generated/compare/62321-vs-62323.html", ["62321", "62323", "cervical/thoracic", "lumbar/sacral"]),
        ("generated/compare/esi-facet-si.html", ["64479", "64493", "27096", "62321"]),
    ],
)
def test_comparison_tables_render(page: Page, site_url: str, path: str, must_show: list[str]):
    page.goto(f"{site_url}/{path}")
    table = page.locator("article table").first
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 2
    text = table.inner_text()
    for needle in must_show:
        assert needle in text, (path, needle)
    expect(page.locator("a.download[href$='.csv']").first).to_be_visible()


def test_matrix_has_one_code_per_cell(page: Page, site_url: str):
    page.goto(f"{site_url}/generated/compare/interlaminar-matrix.html")
    cells = page.locator("article table").first.locator("tbody td")
    codes = [c.strip() for c in cells.all_inner_texts() if re.fullmatch(r"\s*\d{5}\s*", c)]
    assert sorted(codes) == [f"6232{i}" for i in range(8)]


def test_spine_diagram_renders(page: Page, site_url: str):
    page.goto(f"{site_url}/generated/spine.html")
    img = page.locator("figure img[src*='spine']")
    expect(img).to_be_visible()
    width = img.evaluate("i => i.complete ? i.naturalWidth : 0")
    assert width > 300
    assert "T12-L1" in (img.get_attribute("alt") or "")
    box = img.bounding_box()
    assert box is not None and box["height"] > 300
    levels = page.locator("article table").first
    expect(levels).to_contain_text("T12-L1")


def test_key_pages_have_no_console_errors_and_stay_on_127_0_0_1(page: Page, site_url: str):
    errors, foreign = _watch(page, site_url)
    for path in KEY_PAGES:
        page.goto(f"{site_url}/{path}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
    assert not errors, errors
    assert not foreign, foreign


def test_every_code_page_stays_local(page: Page, site_url: str):
    errors, foreign = _watch(page, site_url)
    for code in catalogue.all_codes():
        page.goto(f"{site_url}/generated/codes/{code.code}.html", wait_until="load")
    assert not foreign, foreign
    assert not errors, errors


def test_exercise_pages_load_without_errors(page: Page, site_url: str, html_dir):
    pages = sorted((html_dir / "exercises").glob("*.html"))
    assert pages, "the Practice part has no page"
    errors, foreign = _watch(page, site_url)
    for p in pages:
        page.goto(f"{site_url}/exercises/{p.name}", wait_until="load")
        page.wait_for_timeout(300)
    assert not foreign, foreign
    assert not errors, errors


def test_home_page_fits_a_390_px_phone(page: Page, site_url: str):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site_url}/generated/index.html")
    page.wait_for_load_state("load")
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client == 390, (scroll, client)
    expect(page.locator("article.bd-article h1").first).to_be_visible()


def test_root_redirects_to_the_home_page(page: Page, site_url: str):
    page.goto(f"{site_url}/")
    expect(page).to_have_url(re.compile(r"generated/index\.html$"))
    expect(page.locator("article.bd-article h1").first).to_contain_text("Epidural steroid injection")


# ------------------------------------------------------------------ reference site (quick facts, search, layout)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("62321", "generated/codes/62321.html"),
        ("64483", "generated/codes/64483.html"),
        ("0228T", "generated/codes/0228T.html"),
        ("T12-L1", "generated/spine.html"),
        ("99213", "generated/codes/99202-99215.html"),  # a code inside a listed range
    ],
)
def test_search_ranks_the_answer_first(page: Page, site_url: str, query: str, first: str):
    page.goto(f"{site_url}/search.html?q={query}")
    top = page.locator("#search-results li a").first
    expect(top).to_be_visible(timeout=15_000)
    assert (top.get_attribute("href") or "").startswith(first), top.get_attribute("href")
    if query[0].isdigit():  # the snippet is the code's own summary
        summary = " ".join(catalogue.lookup(query).summary.split())[:60]
        expect(page.locator("#search-results li").first).to_contain_text(summary)


PHONE_PAGES = [
    *[f"generated/codes/{c}.html" for c in ("62321", "64479", "64480", "0228T", "J1010", "99152")],
    "generated/compare/interlaminar-matrix.html",
    "generated/compare/transforaminal.html",
    "generated/compare/62321-vs-62323.html",
    "generated/compare/esi-facet-si.html",
    "generated/sources.html",
]


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_no_horizontal_overflow_at_390_px(page: Page, site_url: str, path: str):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site_url}/{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the key (first) column of every table is on screen
    lefts = page.eval_on_selector_all(
        "article table td:first-child", "els => els.map(e => e.getBoundingClientRect().left)"
    )
    assert all(0 <= x < 390 for x in lefts), lefts[:5]


def test_checklist_prints_on_one_page_with_visible_boxes(page: Page, site_url: str, tmp_path):
    page.goto(f"{site_url}/generated/checklist.html")
    page.emulate_media(media="print")
    box = page.locator("ul.contains-task-list input[type=checkbox]").first
    assert page.evaluate("e => getComputedStyle(e).borderTopWidth", box.element_handle()) not in ("0px", "")
    assert page.evaluate("e => getComputedStyle(e).borderTopColor", box.element_handle()) == "rgb(0, 0, 0)"
    pdf = page.pdf(format="Letter")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def test_favicon_is_served(page: Page, site_url: str):
    response = page.request.get(f"{site_url}/favicon.ico")
    assert response.ok and response.body()[:4] == b"\x00\x00\x01\x00"
