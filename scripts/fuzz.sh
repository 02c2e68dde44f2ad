#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/ for SECONDS each (default 30),
# starting from its seed corpus in tests/fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
status=0
for bin in build-fuzz/tests/fuzz/*_fuzz; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin")
  work=$(mktemp -d)
  corpora=("$work")
  if [[ -d tests/fuzz/corpus/$name ]]; then corpora+=("tests/fuzz/corpus/$name"); fi
  echo "fuzz: $name for ${seconds}s"
  # New inputs go to the scratch corpus (first), never into the repository.
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$work/" "${corpora[@]}" 2>"$work/log"; then
    tail -50 "$work/log"
    echo "fuzz: $name FAILED (artifacts in $work)"
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/log" | sed "s/^/fuzz: $name /"
  fi
done
exit $status
