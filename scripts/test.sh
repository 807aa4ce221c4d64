#!/usr/bin/env bash
# Set everything up (first time) and run the test suite. Extra arguments go to pytest.
# pytest's exit code is passed through unchanged (5 = no test ran is a failure too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
