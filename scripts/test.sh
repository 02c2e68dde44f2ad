#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, builds, and
# runs every test: unit and cluster tests, the same unit tests under
# ASan+UBSan, a short fuzz run of every fuzz target, and the e2e tests.
#   scripts/test.sh            everything
#   CAIRN_TEST_LABELS=unit scripts/test.sh   only tests with that CTest label
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

label_args=()
if [[ -n "${CAIRN_TEST_LABELS:-}" ]]; then label_args=(-L "$CAIRN_TEST_LABELS"); fi

echo "== $(date +%T) release build and tests"
bash scripts/build.sh release
(cd build && ctest --output-on-failure -j 2 "${label_args[@]}")

echo "== $(date +%T) ASan+UBSan build, unit and in-process cluster tests"
bash scripts/build.sh asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j 2 -L "unit|integration")

echo "== $(date +%T) fuzzing (short run)"
bash scripts/build.sh fuzz
bash scripts/fuzz.sh "${CAIRN_FUZZ_SECONDS:-30}"
echo "== $(date +%T) done"
