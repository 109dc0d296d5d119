#!/usr/bin/env bash
# The agent's ingest rate and memory: `fedlink-agent ingest` of FEBRL-like
# CSV files from the seeded generator (party a of `fedlink-datagen pair`,
# overlap 0.5, seed 7: FEBRL columns, %Y%m%d dates, CRLF, quoted fields)
# with deploy/examples/febrl-ingest-schema.yaml, each into a fresh data
# directory (init with a new at-rest key and a linkage secret).
#
#   tests/bench/run_ingest.sh [AGENT_BINARY ...]
#
# With several binaries (say this build and an older one), the runs of the
# binaries alternate, so that they see the machine alike: its speed drifts
# over the day on this shared host, which wall and CPU time both show.
#
# Environment:
#   SIZES    rows per file (default "200000 1000000 2000000")
#   RUNS     runs per binary and size (default 3)
#   BATCH    records per committed batch (default: the agent's, 25 000)
#   DATA     where the generated files are kept (default /var/tmp/fedlink-ingest-data;
#            made once per size, reused)
#   WORK     scratch for the data directories (default /var/tmp/fedlink-ingest-runs)
#   DATAGEN  the generator (default build/release/tests/datagen/fedlink-datagen)
#
# Prints a Markdown table: per run the wall time, rows per second (wall),
# user + system CPU seconds and the peak RSS (GNU time's maximum resident
# set size, the kernel's high-water mark), and the 1-minute load average at
# its start. Default binary: build/release/agent/fedlink-agent.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
if (($# == 0)); then set -- "${repo}/build/release/agent/fedlink-agent"; fi
sizes="${SIZES:-200000 1000000 2000000}"
runs="${RUNS:-3}"
data="${DATA:-/var/tmp/fedlink-ingest-data}"
work="${WORK:-/var/tmp/fedlink-ingest-runs}"
datagen="${DATAGEN:-${repo}/build/release/tests/datagen/fedlink-datagen}"
schema="${repo}/deploy/examples/febrl-ingest-schema.yaml"

for bin in "$@" "$datagen"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build the release preset first" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time): apt-get install time" >&2; exit 2; }

mkdir -p "$data" "$work"
secret="${work}/linkage-secret"
if [[ ! -s "$secret" ]]; then
  (umask 077 && openssl rand -hex 32 > "$secret")
fi

batch_args=()
if [[ -n "${BATCH:-}" ]]; then batch_args=(--batch-size "$BATCH"); fi

echo "| binary | rows | run | wall | rows/s | user + sys CPU | peak RSS | load |"
echo "|---|---|---|---|---|---|---|---|"
for size in $sizes; do
  csv="${data}/pair-${size}/a.csv"
  if [[ ! -s "$csv" ]]; then
    "$datagen" pair --size "$size" --overlap 0.5 --seed 7 -o "${data}/pair-${size}" >&2
  fi
  rows=$(($(wc -l < "$csv") - 1))
  for ((run = 1; run <= runs; ++run)); do
    for bin in "$@"; do
      dir="${work}/store"
      rm -rf "$dir"
      "$bin" init --data-dir "$dir" --agency bench --linkage-secret "$secret" > /dev/null
      load=$(cut -d' ' -f1 /proc/loadavg)
      timing="${work}/time.txt"
      if ! /usr/bin/time -f "%e %U %S %M" -o "$timing" \
        "$bin" ingest "$csv" --schema "$schema" --data-dir "$dir" \
        "${batch_args[@]+"${batch_args[@]}"}" > /dev/null 2> "${work}/ingest.log"; then
        cat "${work}/ingest.log" >&2
        exit 1
      fi
      read -r wall user sys rss_kib < "$timing"
      awk -v b="$bin" -v n="$rows" -v r="$run" -v w="$wall" -v u="$user" \
          -v s="$sys" -v m="$rss_kib" -v l="$load" 'BEGIN {
        printf "| %s | %d | %d | %.2f s | %.0f k | %.2f + %.2f s | %.0f MiB | %s |\n",
               b, n, r, w, n / w / 1000, u, s, m / 1024, l }'
      rm -rf "$dir"
    done
  done
done
