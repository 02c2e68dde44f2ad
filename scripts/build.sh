#!/usr/bin/env bash
# Configures and builds Cairn.
#   scripts/build.sh            release build in build/
#   scripts/build.sh asan       ASan+UBSan build of the unit tests in build-asan/
#   scripts/build.sh fuzz       libFuzzer targets (clang) in build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."

variant=${1:-release}
jobs=${CAIRN_JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$PWD/.cache/ccache}

case "$variant" in
  release)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build -j "$jobs"
    ;;
  asan)
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON \
      -DCAIRN_BENCH=OFF >/dev/null
    cmake --build build-asan -j "$jobs"
    ;;
  fuzz)
    CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCAIRN_FUZZ=ON -DCAIRN_TESTS=OFF -DCAIRN_BENCH=OFF >/dev/null
    cmake --build build-fuzz -j "$jobs" --target fuzz_targets
    ;;
  *)
    echo "usage: $0 [release|asan|fuzz]" >&2
    exit 2
    ;;
esac
