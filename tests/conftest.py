"""Hypothesis profiles.

* ``dev`` (default): random examples, so every local run explores new encounters.
* ``ci``: derandomised, so CI on a clean clone is reproducible; ``.ci/run`` selects it.

For an exploratory deep run multiply every property's example count: ``HYPOTHESIS_SCALE=20 make test``
(``strategies.examples``).

A counterexample found by ``dev`` or ``deep`` becomes an ``@example`` on the property, so CI keeps it.

Tests that read the built site get the ``site`` marker here (from the fixture they use), so
``make test-fast`` (``-m "not browser and not site"``) passes on a clean checkout.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Tests see the shipped CMS tables only, never a data folder installed on the developer's machine.
os.environ["ESI_REFERENCE_DATA"] = str(Path(tempfile.gettempdir()) / "esi-reference-tests-no-data")

settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Fixtures that hand a test the built site: such tests are marked ``site`` (``make test-fast`` skips them).
SITE_FIXTURES = frozenset({"html_dir", "built_site", "site_url", "site"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.site)
