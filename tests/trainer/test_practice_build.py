"""Building the inline practice (no browser, no site build): the rule core zip and the JupyterLite wheel."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest

from esi_reference.trainer.scenarios import scenarios

ROOT = Path(__file__).resolve().parents[2]
_pages_spec = importlib.util.spec_from_file_location("practice_pages", ROOT / "book" / "practice_pages.py")
practice_pages = importlib.util.module_from_spec(_pages_spec)
_pages_spec.loader.exec_module(practice_pages)

_spec = importlib.util.spec_from_file_location("build_lite", ROOT / "tools" / "build_lite.py")
build_lite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_lite)
HIDDEN = {f"esi_reference/data/scenarios/{s.id}.json" for s in scenarios() if s.hidden}


def test_core_is_the_import_closure_without_pandas_widgets_or_cli():
    modules = practice_pages.core_modules()
    assert {
        "esi_reference.trainer.practice",
        "esi_reference.trainer.grading",
        "esi_reference.engine",
        "esi_reference.rules.cpt",
    } <= set(modules)
    assert not [m for m in modules if m.endswith((".widgets", ".frames", ".cli", ".gradebook")) or ".audit" in m]


def test_core_zip_is_deterministic_and_has_no_hidden_scenario():
    data = practice_pages.core_zip()
    assert data == practice_pages.core_zip()  # same bytes, same cache-busting name
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert HIDDEN and not names & HIDDEN
    assert "esi_reference/data/sources.csv" in names and "esi_reference/data/codes.csv" in names


def test_a_third_party_import_in_the_core_fails_the_build(monkeypatch):
    real = practice_pages._imports

    def with_pandas(name):
        inside, outside = real(name)
        return inside, outside | ({"pandas"} if name == "esi_reference.trainer.grading" else set())

    monkeypatch.setattr(practice_pages, "_imports", with_pandas)
    with pytest.raises(SystemExit, match="pandas"):
        practice_pages.core_modules()


def test_pages_embed_public_cases_without_keys(tmp_path, monkeypatch):
    monkeypatch.setattr(practice_pages, "OUT", tmp_path)
    written = practice_pages.generate()
    assert [p.name for p in written][:2] == ["01-interlaminar.md", "02-transforaminal.md"]
    text = (tmp_path / "01-interlaminar.md").read_text()
    cases = json.loads(text.split('class="esi-practice-cases">')[1].split("</script>")[0])
    assert cases and all("expected" not in c and "hints" in c for c in cases)
    assert not {c["id"] for c in cases} & {s.id for s in scenarios() if s.hidden}


def test_json_for_script_cannot_close_the_tag():
    assert "</script>" not in practice_pages._json_for_script({"t": "</script><b>&"})


def test_the_jupyterlite_wheel_loses_the_hidden_scenarios(tmp_path):
    wheel = tmp_path / "esi_reference-0.1.0-py3-none-any.whl"
    keep = "esi_reference/data/scenarios/caudal-fluoro.json"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("esi_reference/__init__.py", "")
        z.writestr(keep, "{}")
        for name in HIDDEN:
            z.writestr(name, "{}")
        record = "".join(f"{n},sha256=x,2\n" for n in ["esi_reference/__init__.py", keep, *sorted(HIDDEN)])
        z.writestr("esi_reference-0.1.0.dist-info/RECORD", record)
    assert build_lite.without_hidden_scenarios(wheel) == len(HIDDEN)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        record = z.read("esi_reference-0.1.0.dist-info/RECORD").decode()
    assert keep in names and not names & HIDDEN
    assert keep in record and not any(h in record for h in HIDDEN)
    build_lite.without_hidden_scenarios(wheel)  # idempotent
    assert keep in zipfile.ZipFile(wheel).namelist()
