#!/usr/bin/env bash
# Second command of the README (and CI): set up what is missing, then lint and
# run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
