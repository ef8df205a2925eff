"""Reads the package's data files (CSV) once, through ``importlib.resources``.

Standard library only: this module also runs in the browser under Pyodide.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


@cache
def read_rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``esi_reference/data/<name>`` as dicts of stripped strings (cached, read-only use)."""
    text = resources.files("esi_reference").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(io.StringIO(text)))


def split_ids(value: str) -> tuple[str, ...]:
    """Split a space-separated list field ("62321 62323") into a tuple."""
    return tuple(value.split())
