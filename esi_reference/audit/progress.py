"""A small progress bar for long audit runs, written to stderr only on a terminal or when asked.

>>> import io
>>> out = io.StringIO()
>>> p = Progress(2, enabled=True, stream=out)
>>> p.step("reading claims"); p.step("checking"); p.done()
>>> out.getvalue().splitlines()[-1].startswith("[##########")
True
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Stage-based progress: ``step(label)`` before each stage, ``done()`` at the end."""

    def __init__(self, total: int, enabled: bool | None = None, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.count = 0
        self.width = width
        self.started = time.perf_counter()

    def _draw(self, label: str, end: str = "") -> None:
        if not self.enabled:
            return
        total = max(self.total, 1)
        filled = min(self.width, round(self.width * self.count / total))
        elapsed = time.perf_counter() - self.started
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {self.count}/{total} {elapsed:5.1f}s {label}"
        self.stream.write("\r" + line.ljust(78)[:78] + end)
        self.stream.flush()

    def step(self, label: str) -> None:
        self._draw(label)
        self.count += 1

    def done(self, label: str = "done") -> None:
        self.count = self.total
        self._draw(label, "\n")
