"""The built site in Debian's Chromium (pytest-playwright) against a local http.server on 127.0.0.1."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from esi_reference import catalogue

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


def test_every_code_page_shows_its_summary(page: Page, site_url: str):
    for code in catalogue.all_codes():
        response = page.goto(f"{site_url}/generated/codes/{code.code}.html")
        assert response is not None and response.ok, code.code
        expect(page.locator("article.bd-article h1").first).to_contain_text(code.code)
        summary = page.locator("p.esi-summary")
        expect(summary).to_be_visible()
        assert " ".join(summary.inner_text().split()) == " ".join(code.summary.split()), code.code


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
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client == 390, (scroll, client)
    expect(page.locator("article.bd-article h1").first).to_be_visible()


def test_root_redirects_to_the_home_page(page: Page, site_url: str):
    page.goto(f"{site_url}/")
    expect(page).to_have_url(re.compile(r"generated/index\.html$"))
    expect(page.locator("article.bd-article h1").first).to_contain_text("Epidural steroid injection")
