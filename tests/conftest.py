"""Hypothesis profiles.

* ``dev`` (default): random examples, so every local run explores new encounters.
* ``ci``: derandomised, so CI on a clean clone is reproducible; ``.ci/run`` selects it.

For an exploratory deep run multiply every property's example count: ``HYPOTHESIS_SCALE=20 make test``
(``strategies.examples``).

A counterexample found by ``dev`` or ``deep`` becomes an ``@example`` on the property, so CI keeps it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import settings

# Tests see the shipped CMS tables only, never a data folder installed on the developer's machine.
os.environ["ESI_REFERENCE_DATA"] = str(Path(tempfile.gettempdir()) / "esi-reference-tests-no-data")

settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
