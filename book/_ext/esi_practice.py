"""Sphinx hook of the inline practice: write the rule-core zip (byte-compiled) into the built site.

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
    sys.path.insert(0, str(BOOK))
    import practice_pages

    name, data = practice_pages.compiled_core_zip()
    folder = Path(app.outdir) / "_static" / "practice"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("esi-core-*.zip"):
        if old.name != name:
            old.unlink()
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(data)
    tmp.replace(folder / name)


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _write_core)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
