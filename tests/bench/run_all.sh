#!/usr/bin/env bash
# Every figure of BENCHMARKS.md, in its order, with the machine it ran on and
# the load average next to each figure (timings on a shared machine are only
# comparable at equal load; the CPU-time columns much less depend on it).
#
#   tests/bench/run_all.sh [BUILD_DIR] [--quick]
#
# BUILD_DIR defaults to build/release; it must be a RelWithDebInfo or
# Release build with benchmarks on, and these targets built:
#   cmake --build BUILD_DIR --target normalize_fields_bench encode_token_bench \
#     crypto_hmac_bench encode_clk_bench match_dice_bench match_token_join_bench \
#     audit_log_bench fedlink-linkage-bench
# --quick skips the scale runs (1 M × 1 M pipeline and the scaling table),
# which take minutes and several GiB. REPS (default 3) sets the benchmark
# repetitions; medians are shown.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${root}/build/release"
quick=0
for arg in "$@"; do
  case "${arg}" in
    --quick) quick=1 ;;
    *) build="${arg}" ;;
  esac
done
bin="${build}/tests"
reps="${REPS:-3}"

section() {
  echo
  echo "== $1"
  echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Runs a Google Benchmark binary and keeps the median rows (or the plain
# rows of single-iteration benchmarks) and skip messages.
gbench() {
  local binary="$1"
  shift
  if [[ ! -x "${bin}/${binary}" ]]; then
    echo "   ${bin}/${binary} not built"
    return
  fi
  echo "   \$ ${binary} $* --benchmark_repetitions=${reps} --benchmark_report_aggregates_only=true"
  "${bin}/${binary}" "$@" --benchmark_repetitions="${reps}" \
    --benchmark_report_aggregates_only=true 2>&1 |
    grep -E '_median|ERROR|SKIPPED|skipped|Build Type|DEBUG' | sed 's/^/   /' || true
}

echo "fedlink benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), build ${build}"
echo "commit $(git -C "${root}" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs"
flags="$(grep -m1 '^flags' /proc/cpuinfo)"
features=""
for f in popcnt avx2 avx512f avx512_vpopcntdq sha_ni aes; do
  if grep -qw "${f}" <<<"${flags}"; then features+=" ${f}"; fi
done
echo "CPU features:${features}"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "compiler: $(grep -m1 'CMAKE_CXX_COMPILER:' "${build}/CMakeCache.txt" 2>/dev/null | cut -d= -f2) $(c++ -dumpfullversion 2>/dev/null || true)"
echo "build type: $(grep -m1 'CMAKE_BUILD_TYPE:' "${build}/CMakeCache.txt" 2>/dev/null | cut -d= -f2)"
echo "OpenSSL: $(openssl version 2>/dev/null || echo unknown)"

section "Normalisation (values/s per core; FEBRL dataset4a values, accented names)"
gbench normalize_fields_bench

section "Token encoding (tokens/s per core: BM_TokenEncoderEncode tokens/s; target >= 3 M)"
gbench encode_token_bench

section "HMAC-SHA256 implementations (per message, one core)"
gbench crypto_hmac_bench

section "CLK encoding (records/s per core, 5-field FEBRL record; target >= 100 k)"
gbench encode_clk_bench

section "Dice comparisons (pairs/s per core, per popcount path)"
gbench match_dice_bench '--benchmark_filter=BM_ScoreAllPairs|BM_PairKernel|BM_ScoreCandidates'

section "Token join probe (10 M tokens per party)"
gbench match_token_join_bench

# Wall rates (items_per_second with UseRealTime) depend on the disk's fsync
# and on load; the CPU column much less.
section "Audit log (entries/s with a signed tree head per batch; target >= 10 k)"
gbench audit_log_bench

if [[ "${quick}" == 1 ]]; then
  echo
  echo "(--quick: scale runs skipped)"
  exit 0
fi

# The scaling runs include N = 1 M; its full output is the pipeline figure.
out="${OUT:-/tmp/fedlink-scaling}"
section "Scaling table (2 threads; N = 100 k, 1 M, 10 M if it fits)"
OUT="${out}" "${root}/tests/bench/run_scaling.sh" "${build}"

section "Pipeline, 1 M x 1 M (targets: < 60 s, peak RSS < 4 GiB), 2 threads"
echo "   \$ fedlink-linkage-bench --size 1000000 --threads 2 --json ${out}/scaling-1000000.json"
if [[ -f "${out}/scaling-1000000.log" ]]; then
  sed 's/^/   /' "${out}/scaling-1000000.log"
else
  echo "   no 1 M run (see the scaling table)"
fi

section "Agent ingest (target >= 200 k rows/s for 1 M rows, memory flat with the file)"
RUNS=1 DATAGEN="${build}/tests/datagen/fedlink-datagen" \
  "${root}/tests/bench/run_ingest.sh" "${build}/agent/fedlink-agent"
