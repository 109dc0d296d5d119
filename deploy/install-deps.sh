#!/usr/bin/env bash
# Installs every Debian (bookworm) package fedlink needs to build, test and run.
# Idempotent: when everything is already present it checks and exits quietly.
# Usage: deploy/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # LLVM's linker: links the test executables about 2.5x faster than GNU ld
  lld
  # wire contract and RPC
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  # core libraries
  libabsl-dev libssl-dev openssl librocksdb-dev
  libutf8proc-dev libyaml-cpp-dev libcli11-dev libspdlog-dev
  prometheus-cpp-dev libcivetweb-dev nlohmann-json3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # demo, scripts and the Python client example (its stubs come from
  # protobuf-compiler and protobuf-compiler-grpc's grpc_python_plugin)
  python3 python3-grpcio python3-protobuf procps
  # `systemd-analyze verify` of the units (test deploy_systemd_verify)
  systemd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (missing: ${missing[*]})" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
