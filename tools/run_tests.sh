#!/usr/bin/env bash
# Runs the whole pytest suite (package, doctests, notebooks via nbval, browser tests) and refuses
# pytest's exit code 5 ("no tests collected"): a run that tested nothing is a failure here.
set -u
cd "$(dirname "$0")/.."
.venv/bin/pytest --nbval-lax --nbval-current-env -p no:randomly "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit "$rc"
