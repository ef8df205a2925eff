"""The exercise notebooks (JupyterLite and Jupyter) agree with the scenario bank and name their practice page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from esi_reference.trainer.scenarios import TOPICS, scenarios

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book" / "exercises").glob("*.ipynb"))


def test_one_notebook_per_topic():
    assert [p.stem.split("-", 1)[1] for p in NOTEBOOKS] == list(TOPICS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_matches_bank_and_links_to_lite(path):
    topic = path.stem.split("-", 1)[1]
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python"  # JupyterLite's kernel name
    intro = "".join(nb["cells"][0]["source"])
    assert f"practice/{path.stem}.html" in intro  # the inline version on the site (the notebook is not a page)
    public = scenarios(topic, include_hidden=False)
    assert f"{len(public)} scenarios" in intro
    first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert f'trainer("{topic}")' in "".join(first_code["source"])
    table = "".join(nb["cells"][2]["source"])
    assert re.findall(r"^\| \d+ \| (.+?) \|", table, re.M) == [s.title for s in public]
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")  # committed clean
