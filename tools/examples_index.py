"""Write examples/README.md: one row per example encounter with its documented result.

The documented result lives in each file's ``expected`` field (error and warning rule ids, exit status of
``esi-ref check``); tests/test_examples.py checks both that the engine still gives it and that this index
is current. Run after adding or changing an example: ``python tools/examples_index.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

HEADER = """# Example encounters

Each `*.json` file is one encounter (see `esi-ref schema`) with the claim that was billed, and an
`expected` field documenting what `esi-ref check FILE` reports: the rule ids of its error and warning
findings and the exit status (0 clean, 1 error findings). `esi-ref suggest FILE` shows the claim that
should have been billed. The tests check every file against this documentation.
Regenerate this index with `python tools/examples_index.py`.

| file | scenario | errors | warnings | exit |
|---|---|---|---|---|
"""


def render() -> str:
    rows = []
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        exp = data["expected"]
        rows.append(
            f"| `{path.name}` | {data.get('title', '')} | {', '.join(exp['errors']) or '-'} | "
            f"{', '.join(exp['warnings']) or '-'} | {exp['exit']} |"
        )
    return HEADER + "\n".join(rows) + "\n"


def main() -> int:
    (EXAMPLES / "README.md").write_text(render(), encoding="utf-8")
    print(f"wrote {EXAMPLES / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
