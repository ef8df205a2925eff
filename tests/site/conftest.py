"""Fixtures for the site tests: the built book (a missing build FAILS, never skips), a local http.server
on a free 127.0.0.1 port, and Playwright driving Debian's Chromium (never `playwright install`)."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"
# One definition of the Chromium binary and flags, shared with the browser benchmark (benchmarks/bench_lite.py).
_spec = importlib.util.spec_from_file_location("bench_lite", ROOT / "benchmarks" / "bench_lite.py")
_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench)
CHROMIUM = _bench.CHROMIUM
CHROMIUM_ARGS = _bench.CHROMIUM_ARGS


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """book/_build/html; fails (not skips) when the site has not been built."""
    home = HTML / "generated" / "index.html"
    if not home.is_file():
        pytest.fail(
            f"the site is not built ({home} is missing): run `make site-build` (make test builds it before pytest)"
        )
    return HTML


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site_url(html_dir: Path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(html_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "/index.html", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("the local http.server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright override: Debian's Chromium with the flags from toolchain.md."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
