"""The built site's practice part (no browser): every exercise page has the inline form and no dead widget,
the rule core it loads is standard-library only, and no hidden (assessment) scenario is shipped anywhere
in the site - not in a page, not in the search index, not inside the practice zip or the JupyterLite wheel.
A missing build FAILS (run `make site-build`)."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from esi_reference.trainer.scenarios import TOPICS, scenarios

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("ESI_SITE_DIR", ROOT / "book" / "_build" / "html"))
HIDDEN = [s for s in scenarios() if s.hidden]
TEXT_SUFFIXES = {".html", ".js", ".json", ".txt", ".md", ".ipynb", ".csv", ".py", ".svg", ".css", ".map"}
ARCHIVES = {".zip", ".whl"}


@pytest.fixture(scope="module")
def site() -> Path:
    if not (HTML / "practice" / "01-interlaminar.html").is_file():
        pytest.fail(f"{HTML}/practice is missing: run `make site-build` (make test builds the site first)")
    return HTML


def _needles(s) -> list[str]:
    """What would give a hidden scenario away: its id (as a file name or a value) and its narrative."""
    return [f"{s.id}.json", f'"{s.id}"', " ".join(s.narrative.split())[:80]]


def _texts(root: Path):
    """(where, text) for every text file of the built site, and every text member of its zips and wheels."""
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES:
            yield str(path.relative_to(root)), path.read_text(encoding="utf-8", errors="ignore")
        elif path.suffix in ARCHIVES:
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    yield f"{path.relative_to(root)}!{name}", name + "\n" + z.read(name).decode("utf-8", "ignore")


def test_the_bank_has_hidden_scenarios_to_protect():
    assert HIDDEN, "no hidden scenario in the bank: this test would prove nothing"


def test_no_hidden_scenario_is_shipped_in_the_site(site):
    archives = [p for p in site.rglob("*") if p.suffix in ARCHIVES]
    assert any("esi-core-" in p.name for p in archives) and any(p.name.startswith("esi_reference-") for p in archives)
    found = []
    for where, text in _texts(site):
        flat = " ".join(text.split())
        found += [f"{s.id} in {where}" for s in HIDDEN for needle in _needles(s) if needle in flat]
    assert found == []


def test_every_topic_has_an_inline_practice_page_without_a_dead_widget(site):
    pages = sorted((site / "practice").glob("0*.html"))
    assert [p.stem.split("-", 1)[1] for p in pages[: len(TOPICS)]] == list(TOPICS)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-state+json" not in text, page.name  # no static widget
        if page.stem == "08-instructors":
            continue
        assert 'class="esi-practice"' in text and "practice.js" in text, page.name
        config = json.loads(re.search(r'class="esi-practice-config">(.*?)</script>', text).group(1))
        for url in (
            config["core"],
            config["worker"],
            config["pyodide"] + "pyodide.mjs",
            config["pyodide"] + "pyodide.asm.wasm",
            config["pyodide"] + "python_stdlib.zip",
            *([config["snapshot"]] if config.get("snapshot") else []),
        ):
            assert not url.startswith(("http:", "https:", "//")), url  # served by the site itself
            assert (page.parent / url).resolve().is_file(), f"{page.name}: {url} missing"


def test_the_practice_core_is_the_standard_library_rule_core(site):
    (core,) = (site / "_static" / "practice").glob("esi-core-*.zip")
    with zipfile.ZipFile(io.BytesIO(core.read_bytes())) as z:
        names = z.namelist()
    modules = {n.rsplit(".", 1)[0] for n in names if n.endswith((".py", ".pyc"))}
    assert {
        "esi_reference/trainer/grading",
        "esi_reference/trainer/practice",
        "esi_reference/trainer/generator",
        "esi_reference/engine/__init__",
    } <= modules
    assert not modules & {"esi_reference/trainer/widgets", "esi_reference/views/frames", "esi_reference/cli/__init__"}
    assert not any(n.startswith("esi_reference/audit") for n in names)
    public = {f"esi_reference/data/scenarios/{s.id}.json" for s in scenarios(include_hidden=False)}
    assert public <= set(names)


def test_instructors_page_explains_practice_versus_assessment(site):
    text = (site / "practice" / "08-instructors.html").read_text(encoding="utf-8")
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "can derive every practice answer in the browser" in flat
    assert "graded offline" in flat and "esi-ref grade" in flat
