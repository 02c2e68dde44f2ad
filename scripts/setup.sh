#!/usr/bin/env bash
# Installs every package Cairn needs to build, test and run (Debian 12 /
# Ubuntu 22.04+). Idempotent: apt runs only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev clang-format
  # libraries (see docs/development.md for why each is here)
  libboost-dev libboost-program-options-dev libssl-dev libcurl4-openssl-dev
  nlohmann-json3-dev libyaml-cpp-dev libzookeeper-mt-dev libsystemd-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # test tools
  openssl curl iproute2 procps python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PACKAGES[@]} packages present"
fi
