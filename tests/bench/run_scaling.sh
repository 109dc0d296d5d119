#!/usr/bin/env bash
# Scaling table of the two-party pipeline: fedlink-linkage-bench for
# N = 100 k, 1 M and 10 M persons per party (pair preset, overlap 0.5,
# generated in memory), method both, default threshold, on THREADS threads.
#
#   tests/bench/run_scaling.sh [BUILD_DIR]
#
# Environment:
#   SIZES    persons per party to run (default "100000 1000000 10000000")
#   THREADS  worker threads (default 2)
#   OUT      directory for the per-run JSON and log files (default /tmp/fedlink-scaling)
#   EXTRA    more fedlink-linkage-bench options, e.g. "--threshold 0.85"
#
# A size is skipped, with a note in the table, when the run before it
# suggests that it would not fit: its peak RSS scaled linearly must stay
# below 80% of MemAvailable, and its pipeline time scaled linearly below
# MAX_SECONDS (default 1800). Prints a Markdown table on stdout; each row
# also carries the 1-minute load average at the start of the run, because
# timings on a shared machine are only comparable at equal load.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-${root}/build/release}"
bench="${build}/tests/tools/fedlink-linkage-bench"
sizes="${SIZES:-100000 1000000 10000000}"
threads="${THREADS:-2}"
out="${OUT:-/tmp/fedlink-scaling}"
max_seconds="${MAX_SECONDS:-1800}"
extra="${EXTRA:-}"

if [[ ! -x "${bench}" ]]; then
  echo "run_scaling.sh: ${bench} not found; build it first:" >&2
  echo "  cmake --build ${build} --target fedlink-linkage-bench" >&2
  exit 1
fi
mkdir -p "${out}"

# Reads one run's JSON and prints its table row.
row() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
load = sys.argv[2]
p = r["parties"]
records = sum(x["records"] for x in p)
enc = r["encode_seconds"]
link = r["link_seconds"]
q = r["quality"]
c = r["counts"]
print(f'| {p[0]["records"]:,} × {p[1]["records"]:,} | {load} | {enc:.1f} '
      f'({records / enc / 1e3:.0f} k rec/s) | {link["token_join"]:.1f} | {link["blocking"]:.1f} '
      f'| {link["scoring"]:.1f} | {link["solving"]:.1f} | {r["pipeline_seconds"]:.1f} '
      f'| {r["pipeline_cpu_seconds"]:.1f} '
      f'| {c["candidate_pairs"]:,} | {c["comparisons"]:,} '
      f'| {r["peak_rss_bytes"] / 2**30:.2f} | {q["precision"]:.4f} | {q["recall"]:.4f} '
      f'| {q["f1"]:.4f} |')
PY
}

echo "fedlink-linkage-bench scaling, ${threads} threads, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "build: ${build}; extra options: ${extra:-none}"
echo
echo "| persons per party (A × B records) | load avg | normalise+encode s | token join s | blocking s | scoring s | solving s | pipeline s | pipeline CPU s | candidate pairs | comparisons | peak RSS GiB | precision | recall | F1 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"

prev_n=""
prev_json=""
for n in ${sizes}; do
  if [[ -n "${prev_json}" ]]; then
    # Linear extrapolation from the previous size.
    verdict="$(python3 - "${prev_json}" "${prev_n}" "${n}" "${max_seconds}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
scale = int(sys.argv[3]) / int(sys.argv[2])
mem = r["peak_rss_bytes"] * scale
secs = r["run_seconds"] * scale
avail = int([l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemAvailable")][0]) * 1024
if mem > 0.8 * avail:
    print(f"skipped: needs ~{mem / 2**30:.0f} GiB by extrapolation, {avail / 2**30:.0f} GiB available")
elif secs > float(sys.argv[4]):
    print(f"skipped: ~{secs:.0f} s by extrapolation, over MAX_SECONDS={sys.argv[4]}")
PY
)"
    if [[ -n "${verdict}" ]]; then
      echo "| ${n} | | ${verdict} ||||||||||||"
      continue
    fi
  fi
  json="${out}/scaling-${n}.json"
  log="${out}/scaling-${n}.log"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  # shellcheck disable=SC2086  # EXTRA is a list of options
  if ! "${bench}" --size "${n}" --threads "${threads}" --json "${json}" ${extra} >"${log}" 2>&1; then
    echo "| ${n} | ${load} | failed: see ${log} ||||||||||||"
    continue
  fi
  row "${json}" "${load}"
  prev_n="${n}"
  prev_json="${json}"
done
echo
echo "pipeline = normalise+encode of both parties + LinkParties total, wall (data generation"
echo "excluded); pipeline CPU = the same in CPU seconds of all threads: on an unloaded machine"
echo "the wall time approaches CPU / threads for the parallel phases."
echo "per-run logs and JSON in ${out}"
