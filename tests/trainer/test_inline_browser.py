"""Real browser test of the inline practice on an exercise page (Debian Chromium, fresh profile).

Python (Pyodide, served by the site) grades in the page's web worker: a wrong answer (feedback says what
is wrong, with rule and source, and does not name the correct code), a ``<script>`` answer (shown as
text, never run), a right answer (passes; the key appears), then Hint, Show answer, add/remove lines, New
case, the keyboard alone, progress kept across a reload, "Download my answers" (graded by the
gradebook), and the form at 390 px. No request may leave 127.0.0.1. A missing build FAILS.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from esi_reference.trainer.gradebook import grade_rows
from esi_reference.trainer.practice import topic_cases
from esi_reference.trainer.scenarios import get

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("ESI_SITE_DIR", ROOT / "book" / "_build" / "html"))
PAGE = "practice/01-interlaminar.html"
_spec = importlib.util.spec_from_file_location("bench_inline", ROOT / "benchmarks" / "bench_inline.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
lite = bench.lite

pytestmark = pytest.mark.browser
FIRST = topic_cases("interlaminar")[0]
KEY = get(FIRST["id"]).expected_lines[0].code  # the caudal case: 62323


@pytest.fixture(scope="module")
def session(playwright):
    if not (HTML / PAGE).is_file():
        pytest.fail(f"{HTML / PAGE} is missing: run `make site-build` (make test builds the site first)")
    profile = Path(tempfile.mkdtemp(prefix="esi-inline-"))
    with lite.serve(HTML) as base:
        context = lite.launch(playwright, profile)
        context.set_default_timeout(90_000)
        watch = lite.Watch(context)
        page = context.new_page()
        page.goto(f"{base}/{PAGE}")
        yield base, context, page, watch
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def feedback(page) -> str:
    return page.locator(".esi-practice .esi-feedback").inner_text()


def test_loading_state_then_wrong_script_and_right_answers(session):
    _, _, page, watch = session
    status = page.locator(".esi-practice-status")
    # the case is readable at once, while Python starts (the visible loading state)
    assert page.locator(".esi-practice-title").inner_text() == FIRST["title"]
    assert status.get_attribute("data-stage") != "ready" or "ready" in status.inner_text()
    # 1. wrong answer: a cervical/thoracic code for a caudal injection
    text = bench.grade_inline(page, "62321")
    assert "Not yet" in text
    assert "region" in text and "CPT-REGION" in text and "Source:" in text
    assert KEY not in text and KEY not in page.locator(".esi-feedback").inner_html()  # the code stays hidden
    # 2. learner input is shown as text, never run as markup
    text = bench.grade_inline(page, "<script>window.pwned=1</script>")
    assert "<script>" in text
    assert page.locator(".esi-feedback script").count() == 0
    assert page.evaluate("() => window.pwned === undefined")
    # 3. the right answer passes, and only now the key and the learning points appear
    text = bench.grade_inline(page, KEY)
    assert "Passed: 100%" in text and f"Answer key: {KEY} x1" in text and "Learning points" in text
    assert status.get_attribute("data-stage") == "ready" and "Python is ready" in status.inner_text()
    assert watch.external == [], watch.external
    assert not watch.errors, watch.errors


def test_hint_show_answer_lines_and_new_case(session):
    _, _, page, watch = session
    form = page.locator(".esi-practice")
    form.get_by_role("button", name="Next", exact=True).click()
    second = topic_cases("interlaminar")[1]
    assert page.locator(".esi-practice-title").inner_text() == second["title"]
    assert page.evaluate("() => document.activeElement.classList.contains('esi-practice-title')")
    form.get_by_role("button", name="Hint", exact=True).click()
    hints = page.locator(".esi-practice-hints")
    hints.locator("li").first.wait_for()
    assert hints.locator("li").first.inner_text() == get(second["id"]).hints[0]
    key = str(get(second["id"]).expected_lines[0])
    assert key.split()[0].split("-")[0] not in hints.inner_text()
    form.get_by_role("button", name="Add line").click()
    assert form.locator(".esi-line").count() == 2
    assert page.evaluate("() => document.activeElement === document.querySelectorAll('input.esi-code')[1]")
    form.get_by_role("button", name="Remove line 2").click()
    assert form.locator(".esi-line").count() == 1
    form.get_by_role("button", name="Show answer").click()
    page.wait_for_function("() => document.querySelector('.esi-feedback').innerText.includes('Answer key')")
    assert key in feedback(page)
    form.get_by_role("button", name="New case").click()
    page.wait_for_function("() => document.querySelector('.esi-practice-position').innerText.includes('generated')")
    assert page.locator(".esi-practice-narrative").inner_text().strip()
    assert not watch.errors, watch.errors


def test_keyboard_alone_and_labels(session):
    _, _, page, _ = session
    page.locator(".esi-practice-title").focus()
    for _ in range(10):  # Tab forward from the heading to the first code field
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('esi-code')"):
            break
    else:
        pytest.fail("the code field is not reachable with Tab")
    since = page.locator(".esi-feedback").get_attribute("data-graded")
    page.keyboard.type("64483")
    page.keyboard.press("Enter")  # Enter in a field grades (the form's submit button)
    bench.wait_graded(page, since, 60_000)
    assert "%" in feedback(page)
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('.esi-practice input, .esi-practice select')]
        .filter(i => !i.labels || i.labels.length === 0).map(i => i.outerHTML)""")
    assert unlabelled == []
    unnamed = page.evaluate("""() => [...document.querySelectorAll('.esi-practice button')]
        .filter(b => !(b.getAttribute('aria-label') || b.innerText).trim()).length""")
    assert unnamed == 0


def test_progress_survives_a_reload_and_downloads_as_a_gradebook_csv(session):
    _, _, page, watch = session
    page.reload()
    summary = page.locator(".esi-practice-summary")
    row = summary.locator("tr", has_text="Interlaminar and caudal")
    cells = row.locator("td").all_inner_texts()
    assert int(cells[0]) >= 2 and int(cells[1]) >= 1, cells  # tried, passed
    page.get_by_label("Your name (for the file)").fill("Ana Learner")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my answers").click()
    csv_text = Path(info.value.path()).read_text()
    assert csv_text.splitlines()[0] == "learner,scenario,line,code,modifiers,units"
    book = grade_rows(io.StringIO(csv_text))
    assert not book.bad_rows
    assert book.grades[("Ana Learner", FIRST["id"])].passed  # the last answer to the first case was right
    assert watch.external == []


def test_the_form_fits_a_390_px_phone(session):
    _, _, page, _ = session
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator(".esi-practice input.esi-code").first.wait_for()
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, (scroll, client)
    outside = page.evaluate("""() => [...document.querySelectorAll('.esi-practice input, .esi-practice button')]
        .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.left < 0 || r.right > 390); })
        .map(e => e.className + ':' + (e.innerText || e.id))""")
    assert outside == []
    clipped = page.evaluate("""() => [...document.querySelectorAll('.esi-practice button')]
        .filter(b => b.offsetWidth > 0 && b.scrollWidth > b.clientWidth + 1).map(b => b.innerText)""")
    assert clipped == []
    page.set_viewport_size({"width": 1366, "height": 900})
