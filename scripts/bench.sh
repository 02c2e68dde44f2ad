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
echo "== http (lib/http against nginx)"
bash bench/http_bench.sh build
