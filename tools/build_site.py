"""Build the reference site: widget JavaScript, generated pages, strict Jupyter Book build, then JupyterLite.

    .venv/bin/python tools/build_site.py     # what `make site` / `make site-build` run

Steps (each timed):
1. widget JS: install ``@jupyter-widgets/html-manager`` and ``requirejs`` from npm into a scratch folder
   and copy the bundles into ``book/_widgets/widgets/`` (skipped when they are already there), so pages
   with widgets load their JavaScript from the site itself, never from a CDN;
2. ``book/generate.py`` writes ``book/generated/`` from ``esi_reference`` (unchanged files are left untouched,
   so a rebuild with nothing changed stays incremental);
3. ``jupyter-book build book -W -n --keep-going`` (warnings are errors; notebooks are executed and a
   failing cell fails the build);
4. ``tools/build_lite.py`` (the in-browser exercises under ``book/_build/html/lite/``) when that file exists.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"
WIDGETS = BOOK / "_widgets" / "widgets"
NPM_DIR = BOOK / "_build" / ".widget-npm"
NPM_PACKAGES = {"@jupyter-widgets/html-manager": "1.0.6", "requirejs": "2.3.7"}
ASSET_SUFFIXES = (".js", ".woff", ".woff2", ".ttf", ".eot", ".svg")
#: html-manager asks for its icon fonts under this path, relative to the page.
FONT_URL_DIR = Path("@jupyter-widgets") / "html-manager" / "dist"

sys.path.insert(0, str(BOOK))
sys.path.insert(0, str(ROOT))


def step(name: str, timings: list[tuple[str, float]]):
    class _Timer:
        def __enter__(self):
            print(f"== {name}", flush=True)
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            timings.append((name, time.perf_counter() - self.start))
            return False

    return _Timer()


def ensure_widget_js() -> str:
    """Copy the widget bundles into book/_widgets/widgets (npm install once; idempotent)."""
    wanted = [WIDGETS / "embed-amd.js", WIDGETS / "require.js"]
    if all(p.is_file() and p.stat().st_size > 0 for p in wanted):
        return "already present, skipped"
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed once to fetch the widget JavaScript (apt-get install npm)")
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    (NPM_DIR / "package.json").write_text(
        json.dumps({"name": "esi-reference-widget-js", "private": True, "dependencies": NPM_PACKAGES}, indent=2)
    )
    dist = NPM_DIR / "node_modules" / "@jupyter-widgets" / "html-manager" / "dist"
    require = NPM_DIR / "node_modules" / "requirejs" / "require.js"
    if not (dist.is_dir() and require.is_file()):
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=NPM_DIR,
            check=True,
        )
    staging = WIDGETS.with_name("widgets.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for f in dist.iterdir():
        if f.is_file() and f.suffix in ASSET_SUFFIXES:
            shutil.copy2(f, staging / f.name)
    shutil.copy2(require, staging / "require.js")
    shutil.rmtree(WIDGETS, ignore_errors=True)
    staging.rename(WIDGETS)
    return f"installed {len(list(WIDGETS.iterdir()))} files from npm"


def ensure_exercises_page() -> bool:
    """The Practice part globs book/exercises/*: keep it non-empty (placeholder until exercises land)."""
    folder = BOOK / "exercises"
    folder.mkdir(exist_ok=True)
    pages = [p for p in folder.iterdir() if p.suffix in (".md", ".ipynb") and not p.name.startswith(".")]
    if pages:
        return any(p.name != "index.md" for p in pages)
    (folder / "index.md").write_text(
        "# Practice exercises\n\n"
        "Practice scenarios: read a short clinical note, choose the codes, units and modifiers, and get "
        "feedback\n"
        "that cites the rule behind each correction. The exercises are notebooks; run them live in the "
        "browser\n"
        "(JupyterLite, no install) or locally with `make site`.\n\n"
        "No exercise notebook has been added to `book/exercises/` yet.\n",
        encoding="utf-8",
    )
    return False


def copy_widget_fonts() -> int:
    """Serve html-manager's icon fonts where it asks for them.

    The bundle resolves its font URLs against the page, so a page in ``exercises/`` requests
    ``exercises/@jupyter-widgets/html-manager/dist/<hash>.woff2`` (and ``exercises/@jupyter-widgets/<hash>.woff2``).
    Copy the fonts next to every page that embeds widget state; returns the number of folders served.
    """
    fonts = [f for f in WIDGETS.iterdir() if f.suffix in (".woff", ".woff2", ".ttf", ".eot", ".svg")]
    folders = {
        p.parent
        for p in HTML.rglob("*.html")
        if "lite" not in p.relative_to(HTML).parts[:1]
        and "application/vnd.jupyter.widget-state+json" in p.read_text(encoding="utf-8", errors="ignore")
    }
    for folder in folders:
        for target in (folder / FONT_URL_DIR, folder / FONT_URL_DIR.parts[0]):
            target.mkdir(parents=True, exist_ok=True)
            for f in fonts:
                shutil.copy2(f, target / f.name)
    return len(folders)


def sync_assets() -> int:
    """Copy changed files of book/_assets into the output.

    Sphinx skips copying static files when no page is out of date, so an edit of the stylesheet alone
    would otherwise not reach an incremental build. Returns the number of files copied.
    """
    copied = 0
    for f in (BOOK / "_assets").iterdir():
        target = HTML / "_static" / f.name
        if f.is_file() and (not target.exists() or target.read_bytes() != f.read_bytes()):
            shutil.copy2(f, target)
            copied += 1
    return copied


def main() -> int:
    timings: list[tuple[str, float]] = []
    total = time.perf_counter()
    with step("widget JavaScript (npm)", timings):
        print("   ", ensure_widget_js())
    lite_script = ROOT / "tools" / "build_lite.py"
    with step("generate pages from esi_reference", timings):
        import generate

        has_exercises = ensure_exercises_page()
        written = generate.generate(exercises_exist=has_exercises, lite=lite_script.exists())
        print(f"    {len(written)} pages in {generate.OUT.relative_to(ROOT)}")
        import practice_pages  # the Practice part: inline practice pages (book/practice/)

        print(f"    {len(practice_pages.generate())} practice pages in {practice_pages.OUT.relative_to(ROOT)}")
    with step("jupyter-book build (strict)", timings):
        jb = Path(sys.executable).with_name("jupyter-book")
        cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(BOOK), "-W", "-n", "--keep-going"]
        result = subprocess.run(cmd, cwd=ROOT)
        if result.returncode != 0:
            print("jupyter-book build failed (warnings are errors); see the log above", file=sys.stderr)
            return result.returncode
        print(f"    widget fonts served in {copy_widget_fonts()} folder(s); {sync_assets()} changed asset(s) synced")
    if lite_script.exists():
        with step("JupyterLite (tools/build_lite.py)", timings):
            subprocess.run([sys.executable, str(lite_script)], check=True, cwd=ROOT)
    print("\nTimings:")
    for name, seconds in timings:
        print(f"  {name:<40} {seconds:7.1f} s")
    print(f"  {'total':<40} {time.perf_counter() - total:7.1f} s")
    print(f"\nSite: {HTML.relative_to(ROOT)}/index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
