"""Sphinx hook of the inline practice: write the rule core (byte-compiled zip + memory snapshot) into the site.

The practice pages (``book/practice_pages.py``) name ``_static/practice/esi-core-<digest>.zip``; this writes
that file when the HTML build finishes (the digest changes with the package, so browsers never run a
stale core from their cache). Loaded through ``_config.yml`` ``local_extensions``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

BOOK = Path(__file__).resolve().parents[1]


def _write_core(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for folder in (BOOK.parent, BOOK):  # this repository's package and book/practice_pages.py
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    import practice_pages

    name, data, snapshot = practice_pages.prepared_core()
    folder = Path(app.outdir) / "_static" / "practice"
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: data}
    if snapshot is not None:
        files[practice_pages.snapshot_name(name)] = snapshot
    for old in folder.glob("esi-core-*"):
        if old.name not in files:
            old.unlink()
    for file_name, content in files.items():
        tmp = folder / f".{file_name}.tmp"
        tmp.write_bytes(content)
        tmp.replace(folder / file_name)


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _write_core)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
