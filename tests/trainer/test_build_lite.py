"""tools/build_lite.py: the rewritten Pyodide lock (sha256 of the shipped files, closure, dropped depends)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_lite", ROOT / "tools" / "build_lite.py")
bl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bl)


def make_wheel(folder: Path, name: str, version: str, requires: list[str], package: str) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    meta = "\n".join([f"Name: {name}", f"Version: {version}", *(f"Requires-Dist: {r}" for r in requires)])
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{package}/__init__.py", "X = 1\n")
        z.writestr(f"{name}-{version}.dist-info/METADATA", "Metadata-Version: 2.1\n" + meta + "\n")
    return path


def fake_core(folder: Path, lock_entries: dict) -> Path:
    folder.mkdir()
    for f in bl.CORE_FILES:
        (folder / f).write_text(f"core {f}")
    (folder / "pyodide-lock.json").write_text(json.dumps({"info": {"python": "3.14.2"}, "packages": lock_entries}))
    return folder


def test_lock_closure_follows_depends():
    lock = {
        "packages": {"a": {"depends": ["b"]}, "b": {"depends": ["c_d"]}, "c-d": {"depends": []}, "z": {"depends": []}}
    }
    assert [e for e in bl.lock_closure(lock, ("a",))] == [
        lock["packages"]["a"],
        lock["packages"]["b"],
        lock["packages"]["c-d"],
    ]


def test_assembled_lock_has_the_shipped_files_sha256(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    six = make_wheel(wheels, "six", "1.17.0", [], "six")
    ours = make_wheel(
        wheels, "esi_reference", "0.1.0", ["six", "pandas>=2; extra == 'tables'", "missing-dist"], "esi_reference"
    )
    core = fake_core(
        tmp_path / "core",
        {
            "six": {
                "name": "six",
                "version": "1.17.0",
                "file_name": six.name,
                "sha256": "0" * 64,
                "depends": [],
                "imports": ["six"],
            }
        },
    )
    out = tmp_path / "lite" / "static" / "pyodide"
    lock = bl.assemble_pyodide(core, [six], [ours], out)
    assert lock["packages"]["six"]["sha256"] == hashlib.sha256(six.read_bytes()).hexdigest() != "0" * 64
    mine = lock["packages"]["esi-reference"]
    assert mine["imports"] == ["esi_reference"]
    # the extra is ignored, the unshippable dependency dropped, ipywidgets added only if shipped (here: not)
    assert mine["depends"] == ["six"]
    assert mine["sha256"] == hashlib.sha256((out / ours.name).read_bytes()).hexdigest()
    assert json.loads((out / "pyodide-lock.json").read_text()) == lock
    assert all((out / f).exists() for f in bl.CORE_FILES)


def test_lite_config_disables_pypi_and_preloads_only_locked_packages():
    lock = {"packages": {bl.norm(p): {} for p in bl.PRELOAD}}
    cfg = bl.lite_config(True, lock)["jupyter-config-data"]["litePluginSettings"][f"{bl.KERNEL_EXT}:kernel"]
    assert cfg["disablePyPIFallback"] is True
    assert cfg["loadPyodideOptions"]["packages"] == list(bl.PRELOAD)
    plain = bl.lite_config(False, lock)["jupyter-config-data"]["litePluginSettings"][f"{bl.KERNEL_EXT}:kernel"]
    assert "loadPyodideOptions" not in plain


def test_check_output_catches_a_stale_sha(tmp_path):
    pyo = tmp_path / "static" / "pyodide"
    pyo.mkdir(parents=True)
    (pyo / "w.whl").write_bytes(b"wheel")
    entry = {"file_name": "w.whl", "sha256": hashlib.sha256(b"wheel").hexdigest()}
    (pyo / "pyodide-lock.json").write_text(json.dumps({"packages": {"esi-reference": entry}}))
    settings = {"pyodideUrl": "./static/pyodide/pyodide.mjs", "disablePyPIFallback": True}
    (tmp_path / "jupyter-lite.json").write_text(
        json.dumps({"jupyter-config-data": {"litePluginSettings": {f"{bl.KERNEL_EXT}:kernel": settings}}})
    )
    assert bl.check_output(tmp_path) == []
    (pyo / "w.whl").write_bytes(b"changed")
    assert bl.check_output(tmp_path) == ["esi-reference: sha256 in the lock does not match w.whl"]


def test_stage_contents_copies_only_notebooks(tmp_path):
    src = tmp_path / "src"
    (src / ".ipynb_checkpoints").mkdir(parents=True)
    (src / "a.ipynb").write_text("{}")
    (src / "index.md").write_text("# x")
    (src / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    bl.stage_contents([src], tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")) == ["a.ipynb"]


def test_service_worker_can_be_disabled():
    lock = {"packages": {bl.norm(p): {} for p in bl.PRELOAD}}
    assert "disabledExtensions" not in bl.lite_config(True, lock)["jupyter-config-data"]
    data = bl.lite_config(True, lock, service_worker=False)["jupyter-config-data"]
    assert data["disabledExtensions"] == [bl.SERVICE_WORKER_PLUGIN]
