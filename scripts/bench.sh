#!/usr/bin/env bash
# Builds the release tree and runs every benchmark in bench/, printing
# figures (Google Benchmark's table). Benchmarks never assert on time.
#   scripts/bench.sh [--benchmark_filter=REGEX ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
for b in build/bench/*_bench; do
  [[ -x "$b" ]] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.2 "$@"
done
echo "== allocator (full DRF cycles, 1k-50k agents)"
build/bench/allocator/allocator_bench
if [[ -x build/bench/master_load/master_load ]]; then
  echo "== master load (real cairn-master, simulated agents and frameworks over HTTP)"
  build/bench/master_load/master_load
fi
if [[ -x build/bench/failover/failover_bench ]]; then
  echo "== failover (SIGKILL the leading HA master: 1k agents, 10k tasks, ZooKeeper on loopback)"
  build/bench/failover/failover_bench || [[ $? -eq 77 ]]  # 77: no ZooKeeper here, skipped
fi
echo "== http (lib/http against nginx)"
bash bench/http_bench.sh build
