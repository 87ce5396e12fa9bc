#!/usr/bin/env bash
# First command of the README: set everything up, then run the demo in ./demo-home.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gbiz-review --home "${GBIZ_REVIEW_HOME:-demo-home}" demo "$@"
