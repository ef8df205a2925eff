"""The Practice pages of the site: inline practice (Python in a web worker) and the instructors' page.

``generate()`` writes ``book/practice/`` (git-ignored, rebuilt on every site build):

* ``01-interlaminar.md`` ... one page per trainer topic. Each holds the topic's public scenarios as JSON
  (narrative, setting, no key) and a ``<div class="esi-practice">`` that ``_assets/practice.js`` turns into
  the claim form (code, modifiers, units per line; add/remove lines), Grade, Hint, Show answer, Next,
  New case, a per-topic score summary and "Download my answers". Grading runs in a web worker
  (``_assets/practice-worker.js``): the site's own Pyodide core (the one ``tools/build_lite.py`` ships for
  JupyterLite) plus :func:`core_zip`, the standard-library rule core, unpacked into the in-memory file
  system. No request leaves the site;
* ``07-generated.md``: practice on generated cases (a seed an instructor can hand out);
* ``08-instructors.md``: what an instructor needs for a class, and why assessment is graded offline.

:func:`core_zip` is the package minus everything the in-page trainer does not import (pandas tables,
audit, widgets, command line) and **minus the hidden scenarios**, which are never shipped in the site.
The import closure is computed from the source, and a third-party import in it fails the build.
The Sphinx extension ``_ext/esi_practice.py`` writes it (byte-compiled, with a Pyodide memory snapshot that
the worker boots from: :func:`prepared_core`) into the built site.
"""

from __future__ import annotations

import ast
import hashlib
import html
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from esi_reference.trainer import practice
from esi_reference.trainer.scenarios import TOPICS, scenarios

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent

OUT = BOOK / "practice"
PACKAGE = ROOT / "esi_reference"
#: What the worker imports; the zip holds these modules and everything they import from the package.
ENTRY_MODULES = ("esi_reference", "esi_reference.trainer.practice", "esi_reference.trainer.generator")
PYODIDE_DIR = "lite/static/pyodide/"  # where tools/build_lite.py puts the Pyodide core, from the site root
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


# ------------------------------------------------------------------------------------------- core zip
def _module_file(name: str) -> Path:
    rel = Path(*name.split("."))
    package = ROOT / rel / "__init__.py"
    return package if package.exists() else (ROOT / rel).with_suffix(".py")


def _imports(name: str) -> tuple[set[str], set[str]]:
    """(package modules, third-party top-level names) imported anywhere in module ``name``."""
    path = _module_file(name)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
            inside.add(target)
            for alias in node.names:  # `from . import catalogue` names a module
                if _module_file(f"{target}.{alias.name}").exists():
                    inside.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            (inside if node.module.startswith("esi_reference") else outside).add(node.module)
            if node.module.startswith("esi_reference"):  # `from esi_reference.reference import catalogue`
                inside.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                (inside if alias.name.startswith("esi_reference") else outside).add(alias.name)
    return {m for m in inside if _module_file(m).exists()}, {m.split(".")[0] for m in outside}


def core_modules() -> list[str]:
    """The package modules the in-page trainer needs (the import closure of :data:`ENTRY_MODULES`)."""
    seen: set[str] = set()
    todo = list(ENTRY_MODULES)
    foreign: dict[str, set[str]] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages
        inside, outside = _imports(name)
        todo.extend(inside)
        non_stdlib = outside - set(sys.stdlib_module_names) - {"__future__"}
        if non_stdlib:
            foreign[name] = non_stdlib
    if foreign:
        raise SystemExit(f"practice core: not standard-library Python (cannot run in the page): {foreign}")
    return sorted(seen)


def hidden_scenario_files() -> set[str]:
    return {f"{s.id}.json" for s in scenarios() if s.hidden}


def core_zip() -> bytes:
    """The rule core as a zip (deterministic bytes: sorted names, fixed times)."""
    hidden = hidden_scenario_files()
    files = [_module_file(m) for m in core_modules()]
    files += sorted(
        p
        for p in (PACKAGE / "data").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not (p.parent.name == "scenarios" and p.name in hidden)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path in sorted(set(files)):
            info = zipfile.ZipInfo(path.relative_to(ROOT).as_posix(), ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, path.read_bytes())
    return buf.getvalue()


def core_zip_name(data: bytes | None = None) -> str:
    return f"esi-core-{hashlib.sha256(data or core_zip()).hexdigest()[:12]}.zip"


def snapshot_name(zip_name: str) -> str:
    return zip_name.removesuffix(".zip") + ".snapshot.gz"


def can_prepare() -> bool:
    """Whether the build can byte-compile the core and snapshot it (Node is on PATH)."""
    return shutil.which("node") is not None


def prepared_core(data: bytes | None = None) -> tuple[str, bytes, bytes | None]:
    """(zip name, zip bytes, snapshot bytes or None): what the site serves for the inline practice.

    ``tools/build_practice_core.mjs`` runs the site's own Pyodide in Node: it byte-compiles every module of
    :func:`core_zip` (sourceless ``.pyc``) and takes a memory snapshot after importing the package and
    running each page call once, which the worker boots from. Cached under ``build/practice-cache/`` by the
    source zip's digest and the Pyodide version. Without Node the source zip is served and there is no
    snapshot (a slower start, the same behaviour).
    """
    data = data or core_zip()
    name = core_zip_name(data)
    if not can_prepare():
        print("practice: node not found, serving the rule core as source without a snapshot (slower start)")
        return name, data, None
    sys.path.insert(0, str(ROOT / "tools"))
    import build_lite

    cache = ROOT / "build" / "practice-cache" / build_lite.PYODIDE_VERSION
    zip_file, snap_file = cache / name, cache / snapshot_name(name)
    if not (zip_file.exists() and snap_file.exists()):
        pyodide = build_lite.pyodide_core(build_lite.CACHE)
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        src = cache / f".{name}.src"
        src.write_bytes(data)
        tmp_zip, tmp_snap = cache / f".{name}.tmp", cache / f".{name}.snap.tmp"
        script = ROOT / "tools" / "build_practice_core.mjs"
        subprocess.run(
            [shutil.which("node"), str(script), str(pyodide), str(src), str(tmp_zip), str(tmp_snap)],
            check=True,
            timeout=900,
        )
        src.unlink()
        tmp_zip.replace(zip_file)
        tmp_snap.replace(snap_file)
    return name, zip_file.read_bytes(), snap_file.read_bytes()


# ---------------------------------------------------------------------------------------------- pages
def _json_for_script(data: object) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` can end it early)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page_slug(i: int, topic: str) -> str:
    return f"{i:02d}-{topic}"


def _widget(topic: str | None, cases: list[dict], zip_name: str, mode: str) -> str:
    root = "../"
    config = {
        "topic": topic,
        "mode": mode,
        "pyodide": root + PYODIDE_DIR,
        "core": f"{root}_static/practice/{zip_name}",
        "snapshot": f"{root}_static/practice/{snapshot_name(zip_name)}" if can_prepare() else None,
        "worker": f"{root}_static/practice-worker.js",
        "topics": {k: v[0] for k, v in TOPICS.items()},
    }
    title = html.escape(TOPICS[topic][0] if topic else "Generated cases")
    return "\n".join(
        [
            f'<link rel="stylesheet" href="{root}_static/practice.css">',
            f'<section class="esi-practice" aria-label="Practice: {title}" data-mode="{mode}">',
            '<p class="esi-practice-status" role="status">Loading the practice form...</p>',
            "<noscript><p>The practice form needs JavaScript: it runs the package's Python rules in your browser."
            " The notebooks (below) and <code>esi-ref grade</code> work without it.</p></noscript>",
            "</section>",
            f'<script type="application/json" class="esi-practice-config">{_json_for_script(config)}</script>',
            f'<script type="application/json" class="esi-practice-cases">{_json_for_script(cases)}</script>',
            # not deferred: the worker starts as soon as the parser gets here, not after the whole page
            f'<script src="{root}_static/practice.js"></script>',
            "",
        ]
    )


def topic_page(i: int, topic: str, zip_name: str) -> str:
    title, blurb = TOPICS[topic]
    cases = practice.topic_cases(topic)
    notebook = f"{_page_slug(i, topic)}.ipynb"
    return "\n".join(
        [
            f"# Practice: {title}",
            "",
            f"{blurb}. {len(cases)} scenarios, from introductory to advanced, and **New case** for as many generated "
            "ones as you like.",
            "",
            "Read the note, enter one line per code you would report (code, modifiers separated by spaces, units), "
            "then **Grade**. Feedback marks each line, says what is wrong (region, approach, imaging, units, "
            "modifier, bundling, coverage ...) with the rule and its source, but never names the code you are "
            "looking for: **Hint** gives one nudge at a time, **Show answer** gives the key. The pass mark is 80%. "
            "Python runs in your browser: nothing you type leaves this page, and your progress stays in this "
            "browser (download it for your instructor with **Download my answers**).",
            "",
            _widget(topic, cases, zip_name, "topic"),
            "## As a notebook",
            "",
            f'The same exercise as a notebook: <a href="../lite/notebooks/index.html?path={notebook}">open it in '
            "JupyterLite</a> (Python in the browser, slower to start) and run the first cell, or run "
            f"`book/exercises/{notebook}` in Jupyter.",
            "",
        ]
    )


def generated_page(zip_name: str) -> str:
    return "\n".join(
        [
            "# Practice: generated cases",
            "",
            "New cases drawn from the rule engine's own parameters: approach, levels and region, side, guidance, "
            "catheter, date of service (2016 onwards, so deleted and date-bound codes come up), place of service, "
            "prior sessions, drugs, payer and same-day services. The narrative comes from templates and the answer "
            "key from the engine (`suggest_claim`), so every case is graded like the bank's.",
            "",
            "A set is fixed by its **seed**: with the same seed everyone gets the same cases, in the same order "
            "(`esi-ref scenarios generate --seed N --count K` prints them with their keys for the instructor).",
            "",
            _widget(None, [], zip_name, "generated"),
        ]
    )


def instructors_page() -> str:
    public = scenarios(include_hidden=False)
    hidden = [s for s in scenarios() if s.hidden]
    return "\n".join(
        [
            "# For instructors",
            "",
            "## Practice is not assessment",
            "",
            "The practice pages run the package's rule engine in the learner's browser, so that feedback is "
            "instant and nothing is sent anywhere. The same engine computes the answer key of any case from its "
            "facts: **a learner who wants to can derive every practice answer in the browser**. The feedback does "
            "not name the code the learner is looking for, and the key appears only on *Show answer* (recorded "
            "in the learner's answers) or after a pass; that keeps practice honest, not secure.",
            "",
            f"Assessment is therefore graded **offline**. The bank holds {len(public)} practice scenarios and "
            f"{len(hidden)} hidden ones. Hidden scenarios are never shipped in this site (not in the pages, not in "
            "the Python the pages load, not in the JupyterLite wheel; a test searches the built site for them). "
            "Give them to the class on paper or in your own learning system, collect the answers as a CSV and "
            "grade them with the gradebook:",
            "",
            "```bash",
            "esi-ref scenarios list --include-hidden    # hidden (assessment) cases marked",
            "esi-ref grade answers.csv --out gradebook/ --chart gradebook/scores.svg",
            "```",
            "",
            "## Collecting practice work",
            "",
            "Each learner's progress stays in their browser (local storage; clearing site data resets it). "
            "**Download my answers** on any practice page saves their last answer to every case they tried, in "
            "the gradebook's CSV format (`learner,scenario,line,code,modifiers,units`); the learner types the "
            "name to put in the file. Concatenate the class's files (one header) and run `esi-ref grade` on "
            "them: scores are recomputed from the answers, so an edited score column cannot help. The file "
            "does not say whether the learner pressed *Show answer* first (the page counts that only for the "
            "learner): treat downloaded practice as practice, and grade assessment offline.",
            "",
            "## The same cases for everyone",
            "",
            "Generated cases are reproducible: give the class a seed for the *generated cases* page (or run "
            "`esi-ref scenarios generate --seed N --count K --out cases/` to get the cases with their keys as "
            "scenario files). Answers to generated cases carry ids such as `gen-7-3`, which `esi-ref grade` "
            "rebuilds from the seed, so they are graded like bank scenarios.",
            "",
            "## Where the scenarios live",
            "",
            "One JSON file per case in `esi_reference/data/scenarios/` (schema `exercises/schema.json`), each "
            'answer key tested to equal the engine\'s suggestion. `"hidden": true` keeps a case out of the site.',
            "",
        ]
    )


def write_if_changed(target: Path, text: str) -> Path:
    if not (target.exists() and target.read_text(encoding="utf-8") == text):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return target


def generate() -> list[Path]:
    """(Re)write ``book/practice/``; returns the written pages."""
    zip_name = core_zip_name()
    pages = {f"{_page_slug(i, t)}.md": topic_page(i, t, zip_name) for i, t in enumerate(TOPICS, 1)}
    pages["07-generated.md"] = generated_page(zip_name)
    pages["08-instructors.md"] = instructors_page()
    written = [write_if_changed(OUT / name, text) for name, text in pages.items()]
    for stale in OUT.glob("*.md"):
        if stale not in written:
            stale.unlink()
    return written


if __name__ == "__main__":
    print(f"wrote {len(generate())} pages to {OUT}")
