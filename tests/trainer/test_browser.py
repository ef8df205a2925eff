"""Real browser test: the built site's practice page -> "open it in JupyterLite" -> JupyterLite (Pyodide,
served from the site itself) -> run the exercise, enter an answer, Grade, read the feedback that Python
computed in the page. No request may leave 127.0.0.1. A missing build FAILS (run `make site-build`)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("ESI_SITE_DIR", ROOT / "book" / "_build" / "html"))  # override: a copy of the site
_spec = importlib.util.spec_from_file_location("bench_lite", ROOT / "benchmarks" / "bench_lite.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built_site() -> Path:
    for needed in (
        HTML / "practice" / "01-interlaminar.html",
        HTML / "lite" / "jupyter-lite.json",
        HTML / "lite" / "files" / "01-interlaminar.ipynb",
    ):
        if not needed.is_file():
            pytest.fail(f"{needed} is missing: run `make site-build` (make test builds the site first)")
    return HTML


def test_exercise_runs_and_grades_in_the_browser_offline(built_site, playwright):
    # pytest-playwright's session-wide `playwright` fixture: a second sync_playwright() in the same run (the
    # site tests use the fixtures) would fail with "Sync API inside the asyncio loop".
    profile = Path(tempfile.mkdtemp(prefix="esi-browser-"))
    with bench.serve(built_site) as base:
        context = bench.launch(playwright, profile)
        watch = bench.Watch(context)
        page = context.new_page()
        # 1. the practice page links to the notebook version in JupyterLite
        page.goto(f"{base}/practice/01-interlaminar.html", wait_until="domcontentloaded")
        link = page.get_by_role("link", name="open it in JupyterLite")
        href = link.get_attribute("href")
        assert href == "../lite/notebooks/index.html?path=01-interlaminar.ipynb"
        # (let the page's inline practice finish starting, so that leaving it aborts no download)
        page.wait_for_selector(".esi-practice-status[data-stage=ready]", timeout=120_000)
        # 2. open it, run the trainer cell, answer wrongly (an interlaminar code reported bilateral), Grade
        try:
            result = bench.open_and_grade(
                page, base, "01-interlaminar.ipynb", "62323", modifiers="50", timeout_ms=180_000
            )
        except Exception:
            page.screenshot(path=str(Path(tempfile.gettempdir()) / "esi-browser-failure.png"))
            print("output area:", page.locator(".jp-OutputArea").first.inner_text(timeout=5_000))
            raise
        text = result["feedback_text"]
        assert "Not yet" in text
        assert "CPT-IL-NOT-BILATERAL" in text and "Source:" in text
        assert "Line 1: 62323-50 x1" in text
        # 3. learner input is shown as text, never run as markup
        code = page.locator(".esi-code input").first
        code.fill("<script>window.pwned=1</script>")
        page.locator(".esi-modifiers input").first.fill("")
        page.get_by_role("button", name="Grade").first.click()
        page.wait_for_function(
            "() => document.querySelector('.esi-feedback').innerText.includes('<script>')", timeout=60_000
        )
        assert page.locator(".esi-feedback script").count() == 0
        assert page.evaluate("() => window.pwned === undefined")
        # 4. the right answer passes, with learning points
        code.fill("62323")
        page.get_by_role("button", name="Grade").first.click()
        page.wait_for_function(
            "() => document.querySelector('.esi-feedback').innerText.includes('Passed: 100%')", timeout=60_000
        )
        assert "Learning points" in page.locator(".esi-feedback").first.inner_text()
        # 5. the kernel really is Python in the browser, and nothing left 127.0.0.1
        assert page.get_by_text("Python (Pyodide)").count() >= 1
        context.close()
    shutil.rmtree(profile, ignore_errors=True)
    assert watch.external == []
    assert not [f for f in watch.failed if "favicon" not in f and "/api/" not in f], watch.failed
