"""Writes the book's reference pages, CSV downloads, spine diagram and search scorer from ``esi_reference``.

Run by ``tools/build_site.py`` before ``jupyter-book build``. Everything lands in ``book/generated/``
(git-ignored). The page modules in ``book/pages/`` compute values from the package (when a page needs a
decision it asks the package) and render the prose templates in ``book/templates/``; the output is
deterministic (no build date). Every table on a generated page is also written as a CSV file and followed by
its download link.

Hook for more generated pages (for example the exercises' inline practice): append a callable to
:data:`EXTRA_PAGES`; it receives the set of exercise notebook names and returns a list of ``Page``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pages import codes, compare, coverage, reference, search, spine, start
from pages.common import BOOK, OUT, Page, written

#: Extra page builders registered by other parts of the book: ``fn(exercises: set[str]) -> list[Page]``.
EXTRA_PAGES: list[Callable[[set[str]], list[Page]]] = []


def exercise_names() -> set[str]:
    """Names of the exercise notebooks (``01-interlaminar``...), for the code pages' practice links."""
    folder = BOOK / "exercises"
    return {p.stem for p in folder.glob("*.ipynb")} if folder.is_dir() else set()


def generate(exercises_exist: bool = True, lite: bool = False) -> list[Path]:
    """(Re)write every generated page; returns the written paths."""
    written().clear()
    exercises = exercise_names()
    pages = [
        *start.pages(exercises_exist, lite),
        *codes.pages(exercises),
        *spine.pages(),
        *compare.pages(),
        *coverage.pages(),
        *reference.pages(),
    ]
    for extra in EXTRA_PAGES:
        pages += extra(exercises)
    paths = [p.write() for p in pages]
    search.scorer(pages)
    for stale in [f for f in OUT.rglob("*") if f.is_file() and f not in written()]:
        stale.unlink()
    return paths


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(BOOK))
    print(f"wrote {len(generate())} pages to {OUT}")
