#!/usr/bin/env bash
# Installs what is needed, builds fedlink and runs the whole test suite.
#   tests/run.sh               optimised build (with the benchmarks) + every test
#   tests/run.sh --sanitize    instead an ASan+UBSan build (-O0) + every test
# FEDLINK_WERROR=ON turns compiler warnings into errors. CI runs
# `FEDLINK_WERROR=ON tests/run.sh --sanitize`: one build, not two, because
# compiling everything twice no longer fits CI's 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sanitize=0
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

deploy/install-deps.sh

jobs=$(nproc)
preset=release
[ "$sanitize" = 1 ] && preset=asan
werror=OFF
[ "${FEDLINK_WERROR:-OFF}" = "ON" ] && werror=ON

echo "== fedlink: configure + build ($preset, warnings as errors: $werror)"
cmake --preset "$preset" -DFEDLINK_WERROR="$werror" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
echo "== fedlink: tests ($preset)"
ctest --preset "$preset" -j "$jobs"
