"""Fixtures: a data folder for installs, and a download folder of small files in CMS's exact layouts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from esi_reference.cmsdata import samples, store
from esi_reference.cmsdata.tables import refresh

from .cms_rows import MUE_ROWS, write_quarter


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data folder that check/lookup/audit read (ESI_REFERENCE_DATA)."""
    root = tmp_path / "data"
    monkeypatch.setenv(store.ENV, str(root))
    refresh()
    yield root
    refresh()


@pytest.fixture
def cms_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cms"
    write_quarter(folder)
    samples.write_mue(folder / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", MUE_ROWS)
    samples.write_rvu(
        folder / "PPRRVU26_JUL.csv",
        [samples.rvu_row("62323", work="1.90", cf="33.4009"), samples.rvu_row("64483", bilat="1", cf="33.4009")],
    )
    return folder
