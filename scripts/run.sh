#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and starts a
# whole single-machine Cairn cluster in the foreground with `cairn dev`: a
# standalone cairn-master on 127.0.0.1:5050, one cairn-agent, and a demo
# service so a task is running within seconds. Ctrl-C stops everything.
#   scripts/run.sh [cairn dev flags...]   e.g. --agents=3, --no-demo, --port=6050
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh release
build/cli/cairn spec validate config-schema/examples/single-node.yaml >/dev/null
exec build/cli/cairn dev --demo --work_dir=.cache/dev "$@"
