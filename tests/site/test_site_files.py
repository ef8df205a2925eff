"""The built site, read as files (no browser): pages, links, anchors, alt text, CSV downloads, search index,
local widget JavaScript, and the strict build itself."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from site_helpers import BOOK, ROOT, parse, site_pages

from esi_reference.reference import catalogue

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def test_every_code_has_a_page_showing_its_summary(html_dir):
    for code in catalogue.all_codes():
        page = html_dir / "generated" / "codes" / f"{code.code}.html"
        assert page.is_file(), f"no page for {code.code}"
        text = " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())
        summary = " ".join(code.summary.split())
        assert html.escape(summary, quote=False) in text or summary in html.unescape(text), code.code


def test_unverified_values_are_flagged_visibly(html_dir):
    flagged = [c for c in catalogue.all_codes() if c.unverified]
    assert flagged
    for code in flagged:
        page = (html_dir / "generated" / "codes" / f"{code.code}.html").read_text(encoding="utf-8")
        assert 'class="esi-unverified"' in page, code.code
    clean = next(c for c in catalogue.all_codes() if not c.unverified and c.code == "62321")
    page = (html_dir / "generated" / "codes" / f"{clean.code}.html").read_text(encoding="utf-8")
    assert '<span class="esi-kind">primary</span></p>' in page  # the card's subtitle: kind badge only


def _resolve(page: Path, url: str, html_dir: Path) -> tuple[Path, str]:
    parts = urlsplit(url)
    if not parts.path:
        return page, parts.fragment
    target = (page.parent / unquote(parts.path)).resolve()
    if url.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def test_every_internal_link_and_anchor_resolves(html_dir):
    pages = site_pages(html_dir)
    assert len(pages) > len(catalogue.all_codes())
    ids: dict[Path, set[str]] = {}
    broken = []
    parsed = {p: parse(p) for p in pages}
    for page, doc in parsed.items():
        ids[page.resolve()] = doc.ids
    for page, doc in parsed.items():
        for tag, url in doc.links:
            scheme = urlsplit(url).scheme
            if scheme in ("http", "https", "mailto", "data", "javascript"):
                if tag != "a" and scheme in ("http", "https"):
                    broken.append(f"{page.relative_to(html_dir)}: <{tag}> loads {url} from another host")
                continue
            target, fragment = _resolve(page, url, html_dir)
            if not target.exists():
                broken.append(f"{page.relative_to(html_dir)}: {url} -> missing {target}")
                continue
            if fragment and target.suffix == ".html":
                known = ids.get(target) if target in ids else parse(target).ids
                if fragment not in known:
                    broken.append(f"{page.relative_to(html_dir)}: {url} -> no id {fragment!r}")
    assert not broken, "\n".join(broken[:40])


def test_images_carry_alt_text(html_dir):
    missing = []
    for page in site_pages(html_dir):
        for img in parse(page).images:
            if not (img.get("alt") or "").strip():
                missing.append(f"{page.relative_to(html_dir)}: {img.get('src')}")
    assert not missing, "\n".join(missing)
    spine = parse(html_dir / "generated" / "spine.html").images
    assert any("spine" in (i.get("src") or "") and "T12-L1" in (i.get("alt") or "") for i in spine)


def test_every_generated_table_has_a_csv_download(html_dir):
    pages = sorted((html_dir / "generated").rglob("*.html"))
    checked = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for segment in text.split("<table")[1:]:
            after = segment.split("</table>", 1)[1]
            nxt = re.search(r"<a class=\"reference download internal\"[^>]*href=\"([^\"]+\.csv)\"", after)
            assert nxt and nxt.start() < (after.find("<table") if "<table" in after else len(after)), (
                f"{page.relative_to(html_dir)}: a table without its CSV download"
            )
            target = (page.parent / unquote(nxt.group(1))).resolve()
            assert target.is_file(), target
            with target.open(encoding="utf-8") as fh:
                assert len(next(csv.reader(fh))) >= 2
            checked += 1
    assert checked > 100


def test_full_csv_downloads_keep_codes_as_text(html_dir):
    found = {p.name: p for p in (html_dir / "_downloads").rglob("*.csv")}
    for name in ("codes.csv", "sources.csv", "documentation.csv", "ptp-edits.csv", "rules.csv"):
        assert name in found, name
    with found["codes.csv"].open(encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    assert codes == [c.code for c in catalogue.all_codes()]
    assert "0228T" in codes


def test_search_index_has_the_codes(html_dir):
    index = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    for code in ("62321", "62323", "64479", "0228t"):
        assert f'"{code}"' in index.lower(), code


def test_widget_javascript_is_served_by_the_site(html_dir):
    for name in ("require.js", "embed-amd.js"):
        assert (html_dir / "_static" / "widgets" / name).stat().st_size > 1000
    for page in site_pages(html_dir):
        text = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "cdnjs.cloudflare.com" not in text, page
        assert "unpkg.com/@jupyter-widgets" not in text, page


def test_pages_come_from_the_package():
    generated = BOOK / "generated"
    assert (generated / "index.md").is_file()
    assert len(list((generated / "codes").glob("*.md"))) == len(catalogue.all_codes())
    svg = (generated / "spine.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "64479" in svg and "64493" in svg


STRICT_ARGS = ["-W", "-n", "--keep-going"]


@pytest.mark.site  # the practice pages it links to are written by tools/build_site.py
def test_strict_build_passes(tmp_path):
    """The whole book builds with warnings as errors and every notebook executed."""
    assert (BOOK / "generated" / "index.md").is_file(), "run tools/build_site.py first (make site-build)"
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(BOOK), "--path-output", str(tmp_path), *STRICT_ARGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert "build succeeded" in out
    assert (tmp_path / "_build" / "html" / "generated" / "codes" / "62321.html").is_file()


def test_a_failing_notebook_cell_fails_the_build(tmp_path):
    """Same _config.yml: a cell that raises makes the build fail (execute.raise_on_error)."""
    import nbformat

    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(BOOK / "_config.yml", book / "_config.yml")
    shutil.copytree(BOOK / "_assets", book / "_assets")
    shutil.copytree(BOOK / "_ext", book / "_ext")
    (book / "_widgets").mkdir()
    (book / "_toc.yml").write_text("format: jb-book\nroot: broken\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken"), nbformat.v4.new_code_cell("1 / 0")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, book / "broken.ipynb")
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), *STRICT_ARGS], capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr


def test_home_links_the_live_exercises_when_jupyterlite_is_built(html_dir):
    home = (html_dir / "generated" / "index.html").read_text(encoding="utf-8")
    linked = "../lite/index.html" in home
    assert linked == (ROOT / "tools" / "build_lite.py").exists()
    if linked:
        assert (html_dir / "lite" / "index.html").is_file()
    assert "Start the live exercises" in home
