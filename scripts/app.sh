#!/usr/bin/env bash
# Set everything up (first time) and open the workbench on the bundled demo pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKBENCH_GUI=1 bash scripts/setup.sh
exec .venv/bin/workbench gui "${1:-resources/pipelines/coins.json}" "${@:2}"
