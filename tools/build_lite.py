"""Assemble the in-browser trainer: a JupyterLite site with a local, offline Pyodide.

Run after ``jupyter-book build`` (``tools/build_site.py`` calls :func:`main`)::

    python tools/build_lite.py                 # -> book/_build/html/lite/
    python tools/build_lite.py --check         # build, then verify the output is self-contained

The recipe is the one verified in ``live-kernel.md`` (part B):

1. the Pyodide *core* from the npm package ``pyodide@314.0.6`` (wasm, stdlib, lock; no wheels);
2. the pure-Python wheels the kernel needs, at the exact versions pinned in that lock (the closure of
   ``micropip``, ``ipython`` and ``jedi``), downloaded from PyPI;
3. ``comm``, ``ipywidgets`` and ``jupyterlab_widgets`` at the versions installed in this venv (so the
   widget JavaScript that ``jupyter lite build`` copies from the venv matches the Python side);
4. this package's own wheel (``python -m build --wheel``), without the hidden (assessment) scenarios;
5. a rewritten ``pyodide-lock.json`` holding only those packages, **with each sha256 recomputed from
   the file we ship** (PyPI's wheels differ byte-for-byte from Pyodide's own builds, and Pyodide
   checks integrity), and the PyPI fallback disabled in ``jupyter-lite.json``.

One speed-up on top of the recipe (``--no-preload`` turns it off): the kernel's own wheels
(``piplite``, the ``ipykernel`` shim, ``pyodide-kernel``) are also put in the lock, and every package the
kernel and the exercises need is listed in ``loadPyodideOptions.packages``. Pyodide then fetches and
installs them all in one parallel batch while it boots, instead of the kernel's sequential
``micropip``/``piplite`` installs, and ``import esi_reference`` / ``import ipywidgets`` in the first cell
find them already installed.

Downloads and built wheels are cached under ``build/lite-cache/`` (git-ignored), so a rebuild with
nothing changed makes no network request and rebuilds nothing but the JupyterLite output.
Standard library only (plus the ``jupyter lite`` and ``build`` commands of the venv).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "lite-cache"
DEFAULT_CONTENTS = ROOT / "book" / "exercises"
DEFAULT_OUTPUT = ROOT / "book" / "_build" / "html" / "lite"

PYODIDE_VERSION = "314.0.6"  # tied to jupyterlite-pyodide-kernel 0.8.x (its PYODIDE_VERSION)
CORE_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "package.json")
KERNEL_ROOTS = ("micropip", "ipython", "jedi")  # what the pyodide-kernel worker installs at boot
EXTRA_DISTS = ("comm", "ipywidgets", "jupyterlab_widgets")  # pinned to the versions in this venv
KERNEL_EXT = "@jupyterlite/pyodide-kernel-extension"
# Kernel-side wheels bundled in the extension (its static/pypi/); shipped in our lock for preloading.
KERNEL_WHEELS = ("piplite", "ipykernel", "pyodide_kernel")
# What the kernel worker installs itself when not preloaded (see the worker's initKernel).
PRELOAD = (
    "micropip",
    "piplite",
    "ipykernel",
    "comm",
    "pyodide-kernel",
    "jedi",
    "ipython",
    "ipywidgets",
    "esi-reference",
)
PIP_PLATFORM = [
    "--only-binary=:all:",
    "--no-deps",
    "--python-version",
    "3.14",
    "--implementation",
    "py",
    "--abi",
    "none",
    "--platform",
    "any",
]
#: Dependencies added in the browser lock: the exercise widgets import ipywidgets (an optional extra of the
#: package), so ``import esi_reference.trainer.widgets`` must pull it in even when nothing is preloaded.
BROWSER_DEPENDS = {"esi-reference": ("ipywidgets",)}
STAMP = ".esi-lite-stamp.json"


def log(msg: str) -> None:
    print(f"[build_lite] {msg}", flush=True)


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(cmd: list[str], **kw) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)


def venv_bin(name: str) -> str:
    """A console script next to this interpreter (the venv's), falling back to PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


# --------------------------------------------------------------------------------------------- inputs
def pyodide_core(cache: Path) -> Path:
    """The npm package's folder (``package/``), fetched once with ``npm pack``."""
    dest = cache / "npm" / f"pyodide-{PYODIDE_VERSION}"
    pkg = dest / "package"
    if all((pkg / f).exists() for f in (*CORE_FILES, "pyodide-lock.json")):
        return pkg
    dest.mkdir(parents=True, exist_ok=True)
    run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(dest), "--silent"])
    tgz = dest / f"pyodide-{PYODIDE_VERSION}.tgz"
    with tarfile.open(tgz) as tar:
        tar.extractall(dest, filter="data")
    tgz.unlink()
    return pkg


def lock_closure(lock: dict, roots: tuple[str, ...]) -> list[dict]:
    """Lock entries for ``roots`` and everything they depend on."""
    by_name = {norm(k): v for k, v in lock["packages"].items()}
    seen: dict[str, dict] = {}
    todo = [norm(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        entry = by_name[name]
        seen[name] = entry
        todo.extend(norm(d) for d in entry.get("depends", []))
    return [seen[k] for k in sorted(seen)]


def pip_download(reqs: list[str], dest: Path, expected: list[str]) -> list[Path]:
    """Download pure wheels for Python 3.14 (once): ``expected`` are the file names that must result."""
    dest.mkdir(parents=True, exist_ok=True)
    missing = [r for r, f in zip(reqs, expected, strict=True) if not (dest / f).exists()]
    if missing:
        run([sys.executable, "-m", "pip", "download", "-q", *PIP_PLATFORM, "-d", str(dest), *missing])
    paths = [dest / f for f in expected]
    absent = [p.name for p in paths if not p.exists()]
    if absent:
        raise SystemExit(f"build_lite: pip did not produce {absent}")
    return paths


def kernel_wheels(cache: Path) -> list[Path]:
    """The pure wheels the Pyodide kernel installs at boot, at the versions Pyodide's lock pins."""
    lock = json.loads((pyodide_core(cache) / "pyodide-lock.json").read_text())
    entries = lock_closure(lock, KERNEL_ROOTS)
    impure = [e["file_name"] for e in entries if not e["file_name"].endswith("-none-any.whl")]
    if impure:
        raise SystemExit(f"build_lite: not pure-Python, cannot come from PyPI: {impure}")
    return pip_download(
        [f"{e['name']}=={e['version']}" for e in entries], cache / "wheels-lock", [e["file_name"] for e in entries]
    )


def extra_wheels(cache: Path) -> list[Path]:
    reqs, names = [], []
    for dist in EXTRA_DISTS:
        version = metadata.version(dist)
        reqs.append(f"{dist}=={version}")
        names.append(f"{dist}-{version}-py3-none-any.whl")
    return pip_download(reqs, cache / "wheels-extra", names)


def source_digest() -> str:
    """A digest of everything that goes into our wheel (to skip rebuilding it when nothing changed)."""
    h = hashlib.sha256()
    files = [ROOT / "pyproject.toml", *sorted((ROOT / "esi_reference").rglob("*"))]
    for f in files:
        if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc",):
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def own_wheel(cache: Path) -> Path:
    """``python -m build --wheel`` of this repository, cached by a digest of its sources."""
    out = cache / "own-wheel" / source_digest()
    found = sorted(out.glob("esi_reference-*-none-any.whl"))
    if found:
        without_hidden_scenarios(found[0])  # idempotent: also for a wheel cached by an older build
        return found[0]
    shutil.rmtree(cache / "own-wheel", ignore_errors=True)
    out.mkdir(parents=True)
    # An isolated build (the build backend pinned in pyproject.toml, from PyPI); cached by source digest.
    run([sys.executable, "-m", "build", "--wheel", "-o", str(out), str(ROOT)], stdout=subprocess.DEVNULL)
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)
    shutil.rmtree(ROOT / "build" / "bdist.linux-x86_64", ignore_errors=True)
    found = sorted(out.glob("esi_reference-*-none-any.whl"))
    if not found:
        raise SystemExit("build_lite: python -m build produced no pure wheel")
    without_hidden_scenarios(found[0])
    with zipfile.ZipFile(found[0]) as z:
        names = z.namelist()
    for needed in ("esi_reference/__init__.py", "esi_reference/data/sources.csv"):
        if needed not in names:
            raise SystemExit(f"build_lite: {found[0].name} lacks {needed}")
    return found[0]


def without_hidden_scenarios(wheel: Path) -> int:
    """Rewrite ``wheel`` without the scenario files marked hidden (assessment cases never ship in the site);
    their RECORD lines go too. Returns the number of files dropped."""
    hidden = set()
    for f in (ROOT / "esi_reference" / "data" / "scenarios").glob("*.json"):
        if json.loads(f.read_text(encoding="utf-8")).get("hidden") is True:
            hidden.add(f"esi_reference/data/scenarios/{f.name}")
    tmp = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(wheel) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in hidden:
                continue
            data = zin.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                data = b"".join(
                    line for line in data.splitlines(keepends=True) if line.split(b",", 1)[0].decode() not in hidden
                )
            zout.writestr(info, data)
    tmp.replace(wheel)
    return len(hidden)


def bundled_kernel_wheels() -> list[Path]:
    """piplite / ipykernel shim / pyodide_kernel wheels from the installed kernel extension."""
    from jupyter_core.paths import jupyter_path

    for base in jupyter_path("labextensions"):
        pypi = Path(base) / KERNEL_EXT / "static" / "pypi"
        if pypi.is_dir():
            wheels = []
            for dist in KERNEL_WHEELS:
                found = sorted(pypi.glob(f"{dist}-*-none-any.whl"))
                if not found:
                    raise SystemExit(f"build_lite: no {dist} wheel in {pypi}")
                wheels.append(found[-1])
            return wheels
    raise SystemExit(f"build_lite: {KERNEL_EXT} is not installed in this environment")


# ------------------------------------------------------------------------------------------- assemble
def wheel_meta(path: Path) -> tuple[str, str, list[str], list[str]]:
    """(name, version, top-level imports, unconditional requirements) read from a wheel."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = z.read(meta_name).decode()
        top = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        if top:
            tops = [t.strip() for t in z.read(top[0]).decode().split() if t.strip()]
        else:
            tops = sorted(
                {
                    n.split("/")[0].removesuffix(".py")
                    for n in names
                    if not n.split("/")[0].endswith((".dist-info", ".data")) and (n.endswith(".py") or "/" in n)
                }
            )
    name = re.search(r"^Name: (.+)$", text, re.M).group(1).strip()
    version = re.search(r"^Version: (.+)$", text, re.M).group(1).strip()
    reqs = [
        re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0]
        for r in re.findall(r"^Requires-Dist: (.+)$", text, re.M)
        if "extra ==" not in r
    ]
    return name, version, tops, reqs


def assemble_pyodide(core: Path, lock_wheels: list[Path], extras: list[Path], dest: Path) -> dict:
    """Write ``dest`` = Pyodide core + wheels + a lock whose sha256 values match the shipped files."""
    src_lock = json.loads((core / "pyodide-lock.json").read_text())
    by_file = {e["file_name"]: e for e in src_lock["packages"].values()}
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for f in CORE_FILES:
        shutil.copy2(core / f, dest / f)
    packages: dict[str, dict] = {}
    for wheel in lock_wheels:
        entry = dict(by_file[wheel.name], sha256=sha256(wheel))
        packages[norm(entry["name"])] = entry
        shutil.copy2(wheel, dest / wheel.name)
    for wheel in extras:
        name, version, imports, reqs = wheel_meta(wheel)
        shutil.copy2(wheel, dest / wheel.name)
        packages[norm(name)] = {
            "name": name,
            "version": version,
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": sha256(wheel),
            "package_type": "package",
            "imports": imports,
            "depends": [*reqs, *BROWSER_DEPENDS.get(norm(name), ())],
            "unvendored_tests": False,
        }
    for name, entry in packages.items():
        dropped = [d for d in entry["depends"] if norm(d) not in packages]
        if dropped:
            log(f"lock: {name}: dropping depends not shipped offline {dropped}")
        entry["depends"] = [norm(d) for d in entry["depends"] if norm(d) in packages]
    lock = {"info": src_lock["info"], "packages": dict(sorted(packages.items()))}
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    log(f"lock: {len(packages)} packages -> {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
    return lock


#: JupyterLite's service worker only serves the kernel's view of the notebook files (and stdin); the
#: exercises need neither, and without it no request is routed through a worker.
SERVICE_WORKER_PLUGIN = "@jupyterlite/application-extension:service-worker-manager"


def lite_config(preload: bool, lock: dict, service_worker: bool = True) -> dict:
    settings: dict = {"disablePyPIFallback": True}
    if preload:
        missing = [p for p in PRELOAD if norm(p) not in lock["packages"]]
        if missing:
            raise SystemExit(f"build_lite: cannot preload {missing}: not in the lock")
        settings["loadPyodideOptions"] = {"packages": list(PRELOAD)}
    data: dict = {"appName": "ESI trainer", "litePluginSettings": {f"{KERNEL_EXT}:kernel": settings}}
    if not service_worker:
        data["disabledExtensions"] = [SERVICE_WORKER_PLUGIN]
    return {"jupyter-lite-schema-version": 0, "jupyter-config-data": data}


def stage_contents(contents: list[Path], dest: Path) -> None:
    """Copy the notebooks (only ``*.ipynb``) to a clean staging folder for ``--contents``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for src in contents:
        notebooks = [src] if src.is_file() else sorted(src.rglob("*.ipynb"))
        for nb in notebooks:
            if ".ipynb_checkpoints" in nb.parts or "_build" in nb.parts:
                continue
            rel = nb.name if src.is_file() else nb.relative_to(src)
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, dest / rel)


def check_output(out: Path) -> list[str]:
    """Problems that would make the site reach the network or fail to boot (empty list = fine)."""
    problems = []
    cfg = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = cfg.get("litePluginSettings", {}).get(f"{KERNEL_EXT}:kernel", {})
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.mjs":
        problems.append(f"pyodideUrl is {kernel.get('pyodideUrl')!r}, not the local copy")
    if kernel.get("disablePyPIFallback") is not True:
        problems.append("PyPI fallback is not disabled")
    pyo = out / "static" / "pyodide"
    lock = json.loads((pyo / "pyodide-lock.json").read_text())
    for name, entry in lock["packages"].items():
        f = pyo / entry["file_name"]
        if not f.exists():
            problems.append(f"{name}: {entry['file_name']} missing")
        elif sha256(f) != entry["sha256"]:
            problems.append(f"{name}: sha256 in the lock does not match {entry['file_name']}")
    if "esi-reference" not in lock["packages"]:
        problems.append("esi-reference is not in the lock")
    return problems


def build(
    contents: list[Path], output: Path, cache: Path = CACHE, preload: bool = True, service_worker: bool = True
) -> Path:
    t0 = time.perf_counter()
    core = pyodide_core(cache)
    lock_wheels = kernel_wheels(cache)
    extras = [*extra_wheels(cache), own_wheel(cache)]
    if preload:
        extras += bundled_kernel_wheels()
    lite_dir = cache / "lite-dir"
    lite_dir.mkdir(parents=True, exist_ok=True)
    pyo = lite_dir / "static" / "pyodide"
    inputs = [core / f for f in CORE_FILES] + lock_wheels + extras
    stamp = {"inputs": {p.name: sha256(p) for p in inputs}, "preload": preload, "version": 3}
    stamp_file = lite_dir / STAMP
    fresh = stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp
    if fresh and (pyo / "pyodide-lock.json").exists():
        lock = json.loads((pyo / "pyodide-lock.json").read_text())
        log("static/pyodide is up to date")
    else:
        lock = assemble_pyodide(core, lock_wheels, extras, pyo)
        stamp_file.write_text(json.dumps(stamp, indent=1))
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config(preload, lock, service_worker), indent=2) + "\n")
    staged = cache / "contents"
    stage_contents(contents, staged)
    shutil.rmtree(output, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    # A fresh doit state each time: the output folder is wiped above, so cached task state would lie.
    for state in (lite_dir / ".jupyterlite.doit.db",):
        state.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    run(
        [
            venv_bin("jupyter"),
            "lite",
            "build",
            "--lite-dir",
            str(lite_dir),
            "--contents",
            str(staged),
            "--no-sourcemaps",
            "--output-dir",
            str(output),
        ],
        cwd=lite_dir,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    problems = check_output(output)
    if problems:
        raise SystemExit("build_lite: " + "; ".join(problems))
    n = sum(1 for _ in staged.rglob("*.ipynb"))
    log(f"JupyterLite with {n} notebook(s) -> {output} ({time.perf_counter() - t0:.1f} s)")
    return output


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--contents",
        type=Path,
        action="append",
        help="notebook folder or file to ship (repeatable; default book/exercises)",
    )
    ap.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--cache-dir", type=Path, default=CACHE)
    ap.add_argument(
        "--no-preload",
        dest="preload",
        action="store_false",
        help="let the kernel install its packages itself at boot (the plain recipe; slower)",
    )
    ap.add_argument(
        "--no-service-worker",
        dest="service_worker",
        action="store_false",
        help="disable JupyterLite's service worker (the kernel then cannot read the notebook files)",
    )
    args = ap.parse_args(argv)
    contents = args.contents or [DEFAULT_CONTENTS]
    build(contents, args.output_dir.resolve(), args.cache_dir.resolve(), args.preload, args.service_worker)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
