#!/usr/bin/env bash
# Installs every package Cairn needs to build, test and run (Debian 12,
# Ubuntu 24.04 or later). Idempotent: apt runs only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang clang-format
  # libraries (docs/development.md says why each is here)
  libboost-dev libfmt-dev libssl-dev libcurl4-openssl-dev
  nlohmann-json3-dev libyaml-cpp-dev libzookeeper-mt-dev libsystemd-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # test tools
  openssl curl iproute2 procps python3 python3-jsonschema python3-yaml
  # agent: archives the fetcher extracts, the Docker engine and a way to
  # build a local test image (no registry is reachable)
  tar gzip bzip2 xz-utils unzip docker.io mmdebstrap
  # HA tests: a real ZooKeeper ensemble (needs a Java runtime, which the
  # package pulls in when none is there), iptables for agent partitions
  zookeeper netcat-openbsd iptables
)

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
updated=0

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

install_missing() {
  local missing=()
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  echo "setup: installing ${missing[*]}"
  if ((updated == 0)); then
    $SUDO apt-get update -qq
    updated=1
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_missing "${PACKAGES[@]}"

# libFuzzer's runtime ships with clang's compiler-rt, packaged per clang
# version (libclang-rt-14-dev on Debian 12); older releases bundle it.
clang_major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
if [[ -n "$clang_major" ]] && apt-cache show "libclang-rt-$clang_major-dev" >/dev/null 2>&1; then
  install_missing "libclang-rt-$clang_major-dev"
fi
echo "setup: done"
