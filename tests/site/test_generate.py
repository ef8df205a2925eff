"""The generator without a browser: deterministic output, every page module's output under 600 lines of
source, and the prose kept in templates."""

from __future__ import annotations

import hashlib
import sys

from site_helpers import BOOK

sys.path.insert(0, str(BOOK))


def _snapshot() -> dict[str, str]:
    out = BOOK / "generated"
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_generated_pages_are_deterministic():
    import generate

    generate.generate(exercises_exist=True, lite=(BOOK.parent / "tools" / "build_lite.py").exists())
    first = _snapshot()
    generate.generate(exercises_exist=True, lite=(BOOK.parent / "tools" / "build_lite.py").exists())
    assert _snapshot() == first
    assert first, "nothing generated"
    # no clock: "current" means valid on the newest date a source was read (pages.common.AS_OF)
    for module in [BOOK / "generate.py", *(BOOK / "pages").glob("*.py")]:
        text = module.read_text(encoding="utf-8")
        assert "today()" not in text and "now()" not in text, module.name


def test_page_modules_stay_small_and_prose_lives_in_templates():
    sources = [BOOK / "generate.py", *(BOOK / "pages").glob("*.py")]
    assert all(len(p.read_text(encoding="utf-8").splitlines()) <= 600 for p in sources)
    templates = list((BOOK / "templates").glob("*.md.j2"))
    assert len(templates) >= 15
