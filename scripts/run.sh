#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and starts the
# main job. Until the master and agent exist that job is validating the
# single-machine example cluster spec and printing its summary.
#   scripts/run.sh [SPEC]     (default: config-schema/examples/single-node.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh release
spec=${1:-config-schema/examples/single-node.yaml}
exec build/cli/cairn spec validate "$spec"
