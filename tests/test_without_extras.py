"""The core install (no extras): every command works or names the extra it needs, never a traceback.

`pip install esi-reference` brings no third-party package; pandas and pyarrow come with the `tables` extra
(the claims audit, data frames), ipywidgets with `widgets`. Each command runs here in a fresh interpreter in
which importing pandas, numpy, pyarrow, ipywidgets or matplotlib fails, as on a core-only install.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKER = """
import sys
class _WithoutExtras:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pandas", "numpy", "pyarrow", "ipywidgets", "matplotlib"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _WithoutExtras())
"""


def esi_ref(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(tmp_path), str(ROOT))), "ESI_REFERENCE_DATA": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "esi_reference.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize(
    "args",
    [
        ("lookup", "62321"),
        ("check", str(ROOT / "examples" / "01-cervical-ilesi-clean.json")),
        ("rules", "--format", "csv"),
        ("scenarios", "generate", "--seed", "3", "--count", "2"),
        ("data", "status"),
    ],
)
def test_core_commands_run_without_the_extras(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = esi_ref(tmp_path, *args)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_the_audit_names_the_extra_it_needs(tmp_path: Path) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text("patient_id,date_of_service,code\nP1,2025-01-02,62321\n")
    done = esi_ref(tmp_path, "audit", str(claims))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "pip install 'esi-reference[tables]'" in done.stderr
    assert "Traceback" not in done.stderr and "P1" not in done.stderr
