#!/usr/bin/env bash
# Installs what is needed, builds fedlink and runs the whole test suite.
#   tests/run.sh               optimised build + every test
#   tests/run.sh --sanitize    also an ASan+UBSan build that runs every test again
# FEDLINK_WERROR=ON turns compiler warnings into errors (CI sets it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sanitize=0
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

deploy/install-deps.sh

jobs=$(nproc)
preset=release
[ "${FEDLINK_WERROR:-OFF}" = "ON" ] && preset=ci

run_preset() {
  local p=$1
  echo "== fedlink: configure + build ($p)"
  cmake --preset "$p" >/dev/null
  cmake --build --preset "$p" -j "$jobs"
  echo "== fedlink: tests ($p)"
  ctest --preset "$p" -j "$jobs"
}

run_preset "$preset"
if [ "$sanitize" = 1 ]; then
  run_preset asan
fi
