#!/usr/bin/env bash
# One linkage job end to end with the real daemons, at scale: three agencies
# of SIZE records each (fedlink-datagen three: FEBRL-like columns, overlap
# 0.5, default error rates), a coordinator and three agents on loopback with
# mTLS, one linked-microdata job (tokens and Bloom filters) approved by every
# agency, results fetched and decrypted by the analyst and scored against
# the generator's ground truth.
#
#   tests/bench/run_e2e_job.sh [BUILD_DIR]
#
# Environment:
#   SIZE     records per agency (default 1000000)
#   SEED     generator seed (default 11)
#   METHOD   tokens | bloom | tokens_and_bloom (default tokens_and_bloom)
#   BLOOM_THRESHOLD  Dice threshold (default 0.7, as the FEBRL e2e test)
#   WORK     work directory, recreated (default /var/tmp/fedlink-bench-job)
#
# Prints a Markdown summary: per phase (from the coordinator's log of state
# transitions) the wall time and the coordinator's resident memory at the
# end of the phase, its peak (VmHWM), the agents' peaks, ingest times,
# precision and recall. RSS is sampled from /proc every 0.5 s; the peak is
# the kernel's high-water mark, exact. Needs the release build of
# fedlink-agent, fedlink-coordinator, fedlink and fedlink-datagen.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(realpath "${1:-${repo}/build/release}")"
size="${SIZE:-1000000}"
seed="${SEED:-11}"
method="${METHOD:-tokens_and_bloom}"
bloom_threshold="${BLOOM_THRESHOLD:-0.7}"
work="$(realpath -m "${WORK:-/var/tmp/fedlink-bench-job}")"
agencies=(a b c)

agent_bin=$build/agent/fedlink-agent
coordinator_bin=$build/coordinator/fedlink-coordinator
fedlink_bin=$build/coordinator/fedlink_cli/fedlink
datagen_bin=$build/tests/datagen/fedlink-datagen
for bin in "$agent_bin" "$coordinator_bin" "$fedlink_bin" "$datagen_bin"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build the release preset first" >&2; exit 2; }
done

log() { printf '[%s] %s\n' "$(date -u +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]+"${pids[@]}"}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Peak and current resident memory of a process, in MiB; its CPU time
# (user + system) in seconds, which depends less on the machine's load
# than wall time does.
hwm_mib() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
rss_mib() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
ticks=$(getconf CLK_TCK)
cpu_seconds() { awk -v t="$ticks" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / t }' "/proc/$1/stat"; }

rm -rf "$work"
mkdir -p "$work"/{data,logs,coordinator,analyst,pki}
cd "$work"

log "generating 3 x $size records (seed $seed)"
"$datagen_bin" three --size "$size" --seed "$seed" --eval-column --lf --threads 2 -o data \
  >logs/datagen.txt

log "PKI"
pki_args=(--out pki --coordinator coordinator --analyst alice)
for agency in "${agencies[@]}"; do pki_args+=(--agent "$agency"); done
"$repo/deploy/pki.sh" "${pki_args[@]}" >logs/pki.txt 2>&1 || die "pki.sh (logs/pki.txt)"

# The FEBRL ingest schema plus the evaluation column as a public attribute.
ingest_schema=$work/ingest-schema.yaml
{
  cat "$repo/deploy/examples/febrl-ingest-schema.yaml"
  printf '\nattributes:\n  - {column: eval_key, sensitivity: public}\n'
} >"$ingest_schema"

(umask 077 && openssl rand -hex 32 >linkage-secret.hex)
declare -A ingest_seconds ingest_peak
for agency in "${agencies[@]}"; do
  dir=$work/agents/$agency
  mkdir -p "$dir/run" && chmod 700 "$dir/run"
  "$agent_bin" init --data-dir "$dir/data" --agency "$agency" \
    --linkage-secret linkage-secret.hex >/dev/null
  log "ingesting $agency"
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "logs/ingest-$agency.rss" "$agent_bin" ingest "data/$agency.csv" \
    --schema "$ingest_schema" --data-dir "$dir/data" >"logs/ingest-$agency.txt" 2>&1 ||
    die "ingest $agency (logs/ingest-$agency.txt)"
  ingest_seconds[$agency]=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
  ingest_peak[$agency]=$(( $(tail -1 "logs/ingest-$agency.rss") / 1024 ))
done

# Partners' raw Ed25519 decision keys (the last 32 bytes of the DER key).
declare -A raw_key
for agency in "${agencies[@]}"; do
  der=$(openssl pkey -pubin -in "agents/$agency/data/signing_key.pub.pem" -outform DER |
        od -An -tx1 | tr -d ' \n')
  raw_key[$agency]=${der: -64}
done
for agency in "${agencies[@]}"; do
  {
    echo "version: 1"
    echo "agency: $agency"
    echo "partners:"
    for other in "${agencies[@]}"; do
      [[ $other == "$agency" ]] && continue
      echo "  - {agency: $other, ed25519_public_key: ${raw_key[$other]}}"
    done
    echo "analysts: [alice]"
    echo "attributes: {allow: [eval_key], max_sensitivity: public}"
    echo "methods: [tokens, bloom, tokens_and_bloom]"
    echo "output_modes: [linked_microdata, aggregate]"
    echo "max_cohort_size: $((size * 2))"
    echo "min_cell_count: 10"
    echo "max_job_days: 30"
  } >"agents/$agency/policy.yaml"
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  echo "version: 1"
  echo "listen: 127.0.0.1:$port"
  echo "data_dir: data"
  echo "log_format: text"
  echo "tls: {ca: ../pki/ca.crt, cert: ../pki/coordinator/coordinator.crt, key: ../pki/coordinator/coordinator.key}"
  echo "agencies:"
  for agency in "${agencies[@]}"; do
    echo "  - {id: $agency, decision_key: ../agents/$agency/data/signing_key.pub.pem}"
  done
  echo "analysts:"
  echo "  - {name: alice, training_expires: $(date -u -d '+1 year' +%F)}"
} >coordinator/coordinator.yaml
"$coordinator_bin" check-config --config coordinator/coordinator.yaml >/dev/null ||
  die "coordinator.yaml"

log "starting the coordinator on 127.0.0.1:$port"
(cd coordinator && exec "$coordinator_bin" serve --config coordinator.yaml) >logs/coordinator.log 2>&1 &
coordinator_pid=$!
pids+=("$coordinator_pid")
for _ in $(seq 150); do
  grep -q "listening on" logs/coordinator.log && break
  kill -0 "$coordinator_pid" 2>/dev/null || die "the coordinator exited (logs/coordinator.log)"
  sleep 0.2
done
openssl pkey -in coordinator/data/audit-signing-key.pem -pubout -out coordinator/audit-log.pub.pem

declare -A agent_pid
for agency in "${agencies[@]}"; do
  cat >"agents/$agency/agent.yaml" <<EOF
version: 1
agency: $agency
data_dir: data
policy_file: policy.yaml
ingest_schema_file: $ingest_schema
coordinator:
  address: 127.0.0.1:$port
  ca_file: ../../pki/ca.crt
  cert_file: ../../pki/agent/$agency.crt
  key_file: ../../pki/agent/$agency.key
  tree_head_key: ../../coordinator/audit-log.pub.pem
admin: {socket: $work/agents/$agency/run/agent.sock, mode: "0600"}
log: {format: text, level: info}
encoding: {threads: 0, max_records_per_batch: 65536}
EOF
  (cd "agents/$agency" && exec "$agent_bin" serve --config agent.yaml) >"logs/agent-$agency.log" 2>&1 &
  agent_pid[$agency]=$!
  pids+=("$!")
done
for agency in "${agencies[@]}"; do
  for _ in $(seq 150); do
    "$agent_bin" jobs list --config "agents/$agency/agent.yaml" >/dev/null 2>&1 && break
    kill -0 "${agent_pid[$agency]}" 2>/dev/null || die "agent $agency exited (logs/agent-$agency.log)"
    sleep 0.2
  done
done

cat >analyst/client.yaml <<EOF
coordinator: 127.0.0.1:$port
ca: ../pki/ca.crt
cert: ../pki/analyst/alice.crt
key: ../pki/analyst/alice.key
EOF
analyst() { (cd analyst && "$fedlink_bin" --config client.yaml "$@"); }
analyst keys init --out analyst.key --public-out analyst.pub.pem >/dev/null
cp "$repo/deploy/examples/febrl-linkage-schema.yaml" analyst/linkage-schema.yaml
{
  echo "title: Benchmark, three agencies of $size records"
  echo "purpose: Measures a three-party job's phase times and peak memory."
  echo "irb_reference: BENCH-IRB-1"
  echo "data_sharing_agreement: BENCH-DSA-1"
  echo "expires_at: $(date -u -d '+7 days' +%Y-%m-%dT00:00:00Z)"
  echo "method: $method"
  echo "output: linked_microdata"
  echo "linkage_schema: linkage-schema.yaml"
  echo "match: {min_shared_tokens: 1, bloom_threshold: $bloom_threshold}"
  echo "analyst_key: {public_key: analyst.pub.pem, aead: aes-128-gcm, label: bench}"
  echo "parties:"
  for agency in "${agencies[@]}"; do echo "  - {agency: $agency, columns: [eval_key]}"; done
} >analyst/job.yaml

log "submitting the job"
out=$(analyst job submit job.yaml) || die "submit: $out"
job=$(sed -n 's/^submitted job \([^ ]*\) .*/\1/p' <<<"$out")
[[ -n "$job" ]] || die "unexpected answer to job submit: $out"
for agency in "${agencies[@]}"; do
  config=agents/$agency/agent.yaml
  for _ in $(seq 150); do
    "$agent_bin" jobs pending --config "$config" 2>/dev/null | grep -qF "$job" && break
    sleep 0.2
  done
  sha=$("$agent_bin" jobs show "$job" --config "$config" | sed -n 's/^spec sha256: *//p')
  "$agent_bin" jobs approve "$job" --config "$config" --steward bench --spec-sha256 "$sha" \
    >/dev/null || die "approve $agency"
done
log "approved by every agency: job $job"

# Samples the coordinator's resident memory until the job completes; the
# state is read from the coordinator's log ("job J FROM -> TO").
declare -A rss_at_end cpu_in
samples=logs/coordinator-rss.tsv
state=""
cpu_before=$(cpu_seconds "$coordinator_pid")
while :; do
  printf '%s\t%s\n' "$(date +%s.%N)" "$(rss_mib "$coordinator_pid")" >>"$samples"
  last=$(grep -F "job $job " logs/coordinator.log | tail -1 | sed -n 's/.* -> \([A-Z_]*\).*/\1/p')
  if [[ "$last" != "$state" ]]; then
    cpu_now=$(cpu_seconds "$coordinator_pid")
    if [[ -n "$state" ]]; then
      rss_at_end[$state]=$(rss_mib "$coordinator_pid")
      cpu_in[$state]=$(echo "$cpu_now - $cpu_before" | bc)
    fi
    cpu_before=$cpu_now
    state=$last
    log "state $state (coordinator RSS $(rss_mib "$coordinator_pid") MiB)"
  fi
  case "$state" in
    COMPLETE) break ;;
    DENIED | FAILED | CANCELLED | PURGED) die "job ended $state (logs/)" ;;
  esac
  kill -0 "$coordinator_pid" 2>/dev/null || die "the coordinator exited (logs/coordinator.log)"
  sleep 0.5
done
coordinator_peak_job=$(hwm_mib "$coordinator_pid")
declare -A agent_cpu_job
for agency in "${agencies[@]}"; do agent_cpu_job[$agency]=$(cpu_seconds "${agent_pid[$agency]}"); done

log "fetching the results"
start=$(date +%s.%N)
analyst job results "$job" --key analyst.key --out linked.csv >logs/results.txt ||
  die "results (logs/results.txt)"
fetch_seconds=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
analyst job status "$job" >logs/status.txt
coordinator_peak=$(hwm_mib "$coordinator_pid")
declare -A agent_peak
for agency in "${agencies[@]}"; do agent_peak[$agency]=$(hwm_mib "${agent_pid[$agency]}"); done

python3 "$repo/deploy/demo/linked_report.py" evaluate analyst/linked.csv --data data \
  --party a=a --party b=b --party c=c >logs/evaluation.txt 2>&1 || true

# Phase durations from the transition lines' timestamps
# ("2026-12-01T13:06:54.129Z info job J APPROVED -> ENCODING").
phases=$(grep -F "job $job " logs/coordinator.log | python3 -c '
import re, sys, datetime
rows = []
for line in sys.stdin:
    m = re.match(r"(\S+?)Z? .* (\w+) -> (\w+)", line)
    if m:
        rows.append((datetime.datetime.fromisoformat(m.group(1)), m.group(2), m.group(3)))
for (t0, _, state), (t1, _, _) in zip(rows, rows[1:]):
    print(f"{state}\t{(t1 - t0).total_seconds():.1f}")
')

linked_rows=$(($(wc -l <analyst/linked.csv) - 1))
{
  echo "three agencies x $size records, method $method, bloom_threshold $bloom_threshold, seed $seed"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| step | wall | coordinator CPU | coordinator RSS at its end |"
  echo "|---|---|---|---|"
  for agency in "${agencies[@]}"; do
    echo "| ingest $agency (fedlink-agent ingest, peak RSS ${ingest_peak[$agency]} MiB) | ${ingest_seconds[$agency]} s | | |"
  done
  while IFS=$'\t' read -r phase seconds; do
    [[ -n "$phase" ]] || continue
    echo "| job phase $phase | $seconds s | ${cpu_in[$phase]:-?} s | ${rss_at_end[$phase]:-?} MiB |"
  done <<<"$phases"
  echo "| results fetched and decrypted ($linked_rows linked rows) | $fetch_seconds s | | |"
  echo
  echo "coordinator peak RSS (VmHWM): $coordinator_peak_job MiB until COMPLETE, $coordinator_peak MiB after the fetch"
  for agency in "${agencies[@]}"; do
    echo "agent $agency peak RSS (VmHWM): ${agent_peak[$agency]} MiB; CPU until COMPLETE ${agent_cpu_job[$agency]} s"
  done
  echo
  sed -n '/precision\|recall\|pair/Ip' logs/evaluation.txt | head -12
} | tee "$work/summary.md"
