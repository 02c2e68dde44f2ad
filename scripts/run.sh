#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, validates the
# single-machine cluster spec and starts a standalone cairn-master on
# 127.0.0.1:5050 in the foreground (Ctrl-C stops it). Its registry lives
# under .cache/dev/master. Agents join it over the agent protocol; the
# whole single-machine cluster (master + agents, `cairn dev`) comes with
# cairn-agent.
#   scripts/run.sh [SPEC]     (default: config-schema/examples/single-node.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh release
spec=${1:-config-schema/examples/single-node.yaml}
build/cli/cairn spec validate "$spec"
mkdir -p .cache/dev/master
echo "cairn-master: http://127.0.0.1:${CAIRN_PORT:-5050}/  (try /master/state, /metrics/snapshot, /help)"
exec build/daemons/master/cairn-master --config="$spec" --ip=127.0.0.1 \
  --port="${CAIRN_PORT:-5050}" --work_dir=.cache/dev/master
