#!/usr/bin/env bash
# deploy/demo.sh — fedlink's three-agency demo, in one command.
#
# On this machine, on loopback: a K-12 education department (edu), a
# higher-education council (highered) and an employment commission
# (employment) each run an agent over their own synthetic records; a
# coordinator links them for an analyst who asks "Which 2016–2018
# high-school graduates enrolled in college, and in which industries are they
# employed?", after each agency's data steward approved the job. The script
#   installs what is missing and builds fedlink; generates the agencies' data
#   (tests/datagen, with realistic overlaps and errors); creates the PKI;
#   ingests; starts the coordinator and the agents; submits, approves, runs
#   and fetches the job; prints a preview of the linked rows, the
#   linkage-quality report, precision and recall against the generator's
#   ground truth, the overlap counts with suppression (a second, aggregate
#   job) and the audit-log verification; stops everything it started (also
#   on Ctrl-C or failure) and says where the files are.
#
# Environment (all optional):
#   FEDLINK_DEMO_DIR    work directory, recreated on every run
#                       (default /var/tmp/fedlink-demo)
#   FEDLINK_BUILD_DIR   build directory (default build/release, configured
#                       with the `release` preset; another directory is
#                       configured alike if it has no CMakeCache.txt)
#   FEDLINK_DEMO_SIZE   population of the synthetic state (default 20000)
#   FEDLINK_DEMO_SEED   generator seed (default 2024)
#   FEDLINK_DEMO_ERROR_SCALE  multiplies the generator's error rates (default
#                       0.4; see "Precision and recall" in deploy/README.md)
#   FEDLINK_DEMO_PORT   the coordinator's port (default: a free one)
#   FEDLINK_DEMO_SKIP_INSTALL=1  do not run deploy/install-deps.sh
#   FEDLINK_DEMO_SKIP_BUILD=1    use the binaries already in the build directory
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
inputs=$repo/deploy/demo

work=$(realpath -m "${FEDLINK_DEMO_DIR:-/var/tmp/fedlink-demo}")
build=${FEDLINK_BUILD_DIR:-build/release}
size=${FEDLINK_DEMO_SIZE:-20000}
seed=${FEDLINK_DEMO_SEED:-2024}
error_scale=${FEDLINK_DEMO_ERROR_SCALE:-0.4}

agencies=(edu highered employment)
declare -A data_file=([edu]=k12 [highered]=higher_ed [employment]=employment)
declare -A ingest_schema=([edu]=ingest-k12.yaml [highered]=ingest-higher-ed.yaml
                          [employment]=ingest-employment.yaml)
declare -A steward=([edu]=rivera [highered]=chen [employment]=okafor)

# ------------------------------------------------------------------ helpers
bold=""; dim=""; off=""
if [[ -t 1 ]]; then bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
note() { printf '   %s\n' "$*"; }
die() { printf '\ndemo: %s\n' "$*" >&2; exit 1; }
indent() { sed 's/^/   /'; }

# Runs a command quietly; on failure shows its output and stops.
quietly() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" | tail -n 30 >&2
    die "failed: $*"
  fi
}

# Copies a template from deploy/demo/ to OUTPUT, replacing each {{NAME}} by
# its VALUE; a placeholder left without a value is an error.
render() {  # template output NAME=VALUE...
  local template=$1 output=$2 text pair
  shift 2
  text=$(<"$inputs/$template")
  for pair in "$@"; do text=${text//"{{${pair%%=*}}}"/${pair#*=}}; done
  if [[ "$text" =~ \{\{[A-Za-z_]+\}\} ]]; then
    die "render $template: no value for ${BASH_REMATCH[0]}"
  fi
  printf '%s\n' "$text" >"$output"
}

seconds_since() { echo $(( $(date +%s) - $1 )); }

# ------------------------------------------------------------ processes
# Every daemon started is recorded in $work/pids (pid and name), so that the
# exit trap stops it — and a later run stops what an interrupted one left.
started=()
start_daemon() {  # name logfile command...
  local name=$1 log=$2
  shift 2
  "$@" >>"$log" 2>&1 &
  local pid=$!
  started+=("$pid")
  printf '%s %s\n' "$pid" "$name" >>"$work/pids"
}

stop_pid() {  # pid: TERM, then KILL after 10 s
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${started[@]+"${started[@]}"}"; do stop_pid "$pid"; done
  for pid in "${started[@]+"${started[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  started=()
}

on_exit() {
  local status=$?
  trap - EXIT INT TERM
  if [[ ${#started[@]} -gt 0 ]]; then
    echo
    note "stopping the coordinator and the agents"
    stop_all
  fi
  if [[ $status -ne 0 && -d "$work/logs" ]]; then
    printf '\ndemo: stopped early; the daemons'"'"' logs are in %s/logs\n' "$work" >&2
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Stops daemons a previous run left behind (a run killed with SIGKILL),
# recognised by their pid *and* a command line naming the work directory.
stop_leftovers() {
  [[ -f "$work/pids" ]] || return 0
  local pid name
  while read -r pid name; do
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF "$work/"; then
      note "stopping $name (pid $pid) left by an earlier run"
      stop_pid "$pid"
    fi
  done <"$work/pids"
}

# -------------------------------------------------------------- the steps
install_and_build() {
  step "Installing missing packages and building (the first build takes a while)"
  if [[ "${FEDLINK_DEMO_SKIP_INSTALL:-0}" != 1 ]]; then deploy/install-deps.sh; fi
  if [[ "${FEDLINK_DEMO_SKIP_BUILD:-0}" != 1 ]]; then
    if [[ "$build" == build/release ]]; then
      quietly cmake --preset release
    elif [[ ! -f "$build/CMakeCache.txt" ]]; then
      quietly cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
    fi
    # Ninja's own progress line (the first build takes a while).
    cmake --build "$build" -j "$(nproc)" \
      --target fedlink-agent fedlink-coordinator fedlink fedlink-datagen ||
      die "the build failed (output above)"
  fi
  local bin_dir=$build
  [[ "$bin_dir" == /* ]] || bin_dir=$repo/$build
  agent_bin=$bin_dir/agent/fedlink-agent
  coordinator_bin=$bin_dir/coordinator/fedlink-coordinator
  fedlink_bin=$bin_dir/coordinator/fedlink_cli/fedlink
  datagen_bin=$bin_dir/tests/datagen/fedlink-datagen
  for bin in "$agent_bin" "$coordinator_bin" "$fedlink_bin" "$datagen_bin"; do
    [[ -x "$bin" ]] || die "built, but $bin is missing"
  done
  note "binaries in $build"
}

prepare_work_dir() {
  step "Work directory $work (recreated)"
  if [[ -e "$work" && ! -f "$work/.fedlink-demo" && -n "$(ls -A "$work" 2>/dev/null)" ]]; then
    die "$work exists and is not a demo work directory; set FEDLINK_DEMO_DIR to another path"
  fi
  stop_leftovers
  rm -rf "$work"
  mkdir -p "$work"/{data,logs,coordinator,analyst,auditor}
  chmod 700 "$work"
  touch "$work/.fedlink-demo" "$work/pids"
  for agency in "${agencies[@]}"; do mkdir -p "$work/agents/$agency/run"; done
  chmod 700 "$work"/agents/*/run
  port=${FEDLINK_DEMO_PORT:-$(python3 -c \
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  if python3 -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' \
      "$port" 2>/dev/null; then
    note "the coordinator will listen on 127.0.0.1:$port"
  else
    die "port $port on 127.0.0.1 is in use; set FEDLINK_DEMO_PORT to a free port"
  fi
}

generate_data() {
  step "Generating synthetic records (population $size, seed $seed)"
  local summary=$work/logs/datagen.txt
  "$datagen_bin" agencies -o "$work/data" --size "$size" --seed "$seed" \
    --error-scale "$error_scale" --eval-column --lf >"$summary"
  awk '/^party /,/^ground truth/' "$summary" | indent
  # The generator's summary has one column per file; "rows, 0 errors" holds
  # the share of clean rows.
  local with_errors
  with_errors=$(awk '/^corruption/ { for (i = 2; i <= NF; i++) name[i] = $i }
    /^rows, 0 errors/ { for (i = 4; i <= NF; i++) { v = $i; sub("%", "", v)
      printf "%s%s %.1f%%", (i > 4 ? ", " : ""), name[i - 2], 100 - v } }' "$summary")
  note "rows with errors ($error_scale x the generator's default rates): $with_errors —"
  note "typos, nicknames, married surnames, swapped day/month, blanks, name swaps;"
  note "one date format per agency; 1% duplicate students; 15% of students transfer"
  note "(two enrolment rows); one wage row per person and quarter with wages."
  note "${dim}eval_key: an evaluation column (random per row; synthetic, demo only) that lets"
  note "the demo score its linkage against ground_truth.csv without any identifier.${off}"
}

make_pki() {
  step "Creating the PKI (deploy/pki.sh): CA, coordinator, agents, analyst, auditor"
  local args=(--out "$work/pki" --coordinator coordinator --analyst alice --auditor audrey)
  for agency in "${agencies[@]}"; do args+=(--agent "$agency"); done
  quietly deploy/pki.sh "${args[@]}"
  note "mutual TLS for every connection; the certificate names the role"
}

# The 32-byte linkage secret the agencies share out of band (never the
# coordinator), and each agent's data directory.
init_agents() {
  step "Initialising the three agents (keys, encrypted record stores)"
  local secret=$work/linkage-secret.hex
  (umask 077 && openssl rand -hex 32 >"$secret")
  for agency in "${agencies[@]}"; do
    local dir=$work/agents/$agency
    quietly "$agent_bin" init --data-dir "$dir/data" --agency "$agency" --linkage-secret "$secret"
    cp "$inputs/${ingest_schema[$agency]}" "$dir/ingest-schema.yaml"
  done
  # Each agency pins its partners' decision keys (the raw Ed25519 key: the
  # last 32 bytes of the DER public key) in its policy.
  local keys=() der
  for agency in "${agencies[@]}"; do
    der=$(openssl pkey -pubin -in "$work/agents/$agency/data/signing_key.pub.pem" -outform DER |
          od -An -tx1 | tr -d ' \n')
    keys+=("KEY_$agency=${der: -64}")
  done
  for agency in "${agencies[@]}"; do
    render "policy-$agency.yaml" "$work/agents/$agency/policy.yaml" "${keys[@]}"
  done
  note "linkage secret shared by the agencies only: $secret"
}

ingest_all() {
  step "Ingesting each agency's export"
  for agency in "${agencies[@]}"; do
    local dir=$work/agents/$agency file=$work/data/${data_file[$agency]}.csv
    note "$agency: ${data_file[$agency]}.csv"
    "$agent_bin" ingest "$file" --schema "$dir/ingest-schema.yaml" --data-dir "$dir/data" \
      --quarantine "$dir/quarantine.csv" >"$work/logs/ingest-$agency.txt"
    grep -E '^ *(rows|committed|quarantined|records in store|time)' "$work/logs/ingest-$agency.txt" |
      indent | indent || true
  done
}

start_coordinator() {
  step "Starting the coordinator on 127.0.0.1:$port"
  render coordinator.yaml "$work/coordinator/coordinator.yaml" PORT="$port" \
    TRAINING_EXPIRES="$(date -u -d '+1 year' +%F)"
  quietly "$coordinator_bin" check-config --config "$work/coordinator/coordinator.yaml"
  start_daemon coordinator "$work/logs/coordinator.log" \
    "$coordinator_bin" serve --config "$work/coordinator/coordinator.yaml"
  local pid=${started[-1]}
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$work/logs/coordinator.log" >&2; die "the coordinator exited"; }
    grep -q "listening on" "$work/logs/coordinator.log" && break
    sleep 0.2
  done
  grep -q "listening on" "$work/logs/coordinator.log" || die "the coordinator did not start in 30 s"
  # The coordinator's audit-log public key, pinned by the agents and the auditor.
  openssl pkey -in "$work/coordinator/data/audit-signing-key.pem" -pubout \
    -out "$work/coordinator/audit-log.pub.pem"
  note "log: $work/logs/coordinator.log"
}

start_agents() {
  step "Starting the agents (they dial out to the coordinator; no agency opens a port)"
  for agency in "${agencies[@]}"; do
    local dir=$work/agents/$agency
    render agent.yaml "$dir/agent.yaml" AGENCY="$agency" PORT="$port"
    start_daemon "agent-$agency" "$work/logs/agent-$agency.log" \
      "$agent_bin" serve --config "$dir/agent.yaml"
  done
  for agency in "${agencies[@]}"; do
    local ok=no
    for _ in $(seq 150); do
      if "$agent_bin" jobs list --config "$work/agents/$agency/agent.yaml" >/dev/null 2>&1; then
        ok=yes; break
      fi
      sleep 0.2
    done
    [[ $ok == yes ]] || { tail -n 20 "$work/logs/agent-$agency.log" >&2; die "agent $agency did not start"; }
    note "$agency: running, admin socket $work/agents/$agency/run/agent.sock"
  done
}

analyst() { "$fedlink_bin" --config "$work/analyst/client.yaml" "$@"; }
auditor() { "$fedlink_bin" --config "$work/auditor/client.yaml" "$@"; }

prepare_analyst() {
  local expires
  expires=$(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)
  render analyst.yaml "$work/analyst/client.yaml" PORT="$port"
  render auditor.yaml "$work/auditor/client.yaml" PORT="$port"
  render job-linked.yaml "$work/analyst/job-linked.yaml" EXPIRES_AT="$expires"
  render job-overlap.yaml "$work/analyst/job-overlap.yaml" EXPIRES_AT="$expires"
  cp "$inputs/linkage-schema.yaml" "$work/analyst/linkage-schema.yaml"
  quietly "$fedlink_bin" keys init --out "$work/analyst/analyst.key" \
    --public-out "$work/analyst/analyst.pub.pem"
}

# Submits a job file; sets job_id.
submit_job() {  # job file
  local out
  out=$(analyst job submit "$1") || die "job submission refused: $out"
  job_id=$(sed -n 's/^submitted job \([^ ]*\) .*/\1/p' <<<"$out")
  [[ -n "$job_id" ]] || die "unexpected answer to job submit: $out"
  note "submitted job $job_id"
}

# Each steward waits for the job at their agent, reviews it and approves.
approve_job() {  # job id
  local job=$1
  for agency in "${agencies[@]}"; do
    local config=$work/agents/$agency/agent.yaml
    for _ in $(seq 150); do
      "$agent_bin" jobs pending --config "$config" 2>/dev/null | grep -qF "$job" && break
      sleep 0.2
    done
    # The steward reads the job (purpose, columns, cohorts, the policy's
    # verdict) and signs an approval of exactly the spec they read.
    local review=$work/logs/review-$agency-$job.txt sha verdict out
    "$agent_bin" jobs show "$job" --config "$config" >"$review" 2>&1 ||
      die "the $agency steward cannot see job $job (see $work/logs/agent-$agency.log)"
    sha=$(sed -n 's/^spec sha256: *//p' "$review")
    verdict=$(sed -n 's/^policy: *//p' "$review")
    out=$("$agent_bin" jobs approve "$job" --config "$config" --steward "${steward[$agency]}" \
          --spec-sha256 "$sha" 2>&1) ||
      { printf '%s\n' "$out" | indent >&2; die "$agency could not approve job $job"; }
    note "$(printf '%-11s' "$agency:") policy check: $verdict"
    note "$(printf '%-11s' '') ${out#"job $job: "}"
  done
}

wait_for_job() {  # job id
  local job=$1 state=""
  for _ in $(seq 600); do
    state=$(analyst job status "$job" 2>/dev/null | sed -n "s/^job $job: \([A-Z_]*\).*/\1/p")
    case "$state" in
      COMPLETE) note "job $job: COMPLETE"; return 0 ;;
      DENIED|FAILED|CANCELLED|PURGED)
        analyst job status "$job" | indent >&2
        die "job $job ended $state" ;;
    esac
    sleep 0.3
  done
  die "job $job not complete after 3 minutes (state ${state:-unknown}); see $work/logs"
}

run_linked_job() {
  step "The analyst's question, as a linked-microdata job"
  note "\"Which 2016-2018 high-school graduates enrolled in college, and in which"
  note "industries are they employed?\"  ($work/analyst/job-linked.yaml)"
  submit_job "$work/analyst/job-linked.yaml"
  linked_job=$job_id
  step "Each agency's data steward reviews and approves"
  approve_job "$linked_job"
  step "Encoding, matching and releasing (agents encode under a per-job key; the"
  printf '%s   coordinator matches encodings only and relays ciphertext)%s\n' "$bold" "$off"
  wait_for_job "$linked_job"
  analyst job results "$linked_job" --key "$work/analyst/analyst.key" \
    --out "$work/analyst/linked.csv" | indent
}

show_linked_rows() {
  step "Preview of the linked data set (decrypted by the analyst: research id + approved columns)"
  python3 "$inputs/linked_report.py" preview "$work/analyst/linked.csv" --rows 8
}

show_quality() {
  step "Linkage-quality report (from the coordinator; counts only)"
  analyst job status "$linked_job" >"$work/analyst/status.txt"
  # The report's section of `fedlink job status` (it ends the output).
  sed -n '/^  quality report:$/,$p' "$work/analyst/status.txt" | sed '1d; s/^    //' | indent
}

show_precision_recall() {
  step "Precision and recall against the generator's ground truth"
  note "${dim}(evaluation column, synthetic, demo only: eval_key joins the linked rows to"
  note "ground_truth.csv; the persons both agencies hold in the job's cohorts)${off}"
  local status=0
  python3 "$inputs/linked_report.py" evaluate "$work/analyst/linked.csv" --data "$work/data" \
    --party edu=k12 --party highered=higher_ed --party employment=employment \
    --cohort edu.graduation_year=2016,2017,2018 --cohort employment.quarter=2021Q4 \
    --min 0.98 >"$work/analyst/evaluation.txt" 2>&1 || status=$?
  indent <"$work/analyst/evaluation.txt"
  [[ $status -eq 0 ]] || die "precision or recall below 0.98 (see deploy/README.md)"
}

run_overlap_job() {
  step "Overlap counts with suppression (an aggregate job: no rows, counts only)"
  submit_job "$work/analyst/job-overlap.yaml"
  overlap_job=$job_id
  approve_job "$overlap_job"
  wait_for_job "$overlap_job"
  analyst job results "$overlap_job" --key "$work/analyst/analyst.key" |
    sed '/^quality report:/,$d' | indent
}

verify_audit() {
  step "Audit: the auditor verifies the coordinator's signed, append-only log"
  local status=0
  auditor audit verify >"$work/auditor/verify.txt" 2>&1 || status=$?
  indent <"$work/auditor/verify.txt"
  [[ $status -eq 0 ]] || die "the audit log did not verify"

  step "Audit: edu's own auditor exports and verifies the agent's local log"
  local dir=$work/agents/edu archive=$work/agents/edu/edu-audit.fla
  "$agent_bin" audit export --out "$archive" --config "$dir/agent.yaml" \
    >"$dir/audit-export.txt" 2>&1 || { indent <"$dir/audit-export.txt"; die "audit export failed"; }
  # Pinned: the agency's own signing key, under the agent log's id.
  printf 'audit:\n  log_key: data/signing_key.pub.pem\n  log_id: agent/edu\n' >"$dir/auditor.yaml"
  status=0
  "$fedlink_bin" --config "$dir/auditor.yaml" audit verify --archive "$archive" \
    >"$dir/audit-verify.txt" 2>&1 || status=$?
  indent <"$dir/audit-verify.txt"
  [[ $status -eq 0 ]] || die "edu's local audit log did not verify"
}

summary() {
  step "Done in $(seconds_since "$demo_start") s after the build; stopping the daemons"
  stop_all
  cat <<EOF
   Files in $work:
     data/                 the agencies' synthetic exports and ground_truth.csv
     pki/                  the deployment CA and every certificate
     coordinator/          coordinator.yaml and its data (jobs, audit log)
     agents/<agency>/      agent.yaml, policy.yaml, ingest-schema.yaml, data/
     analyst/              the job specs, analyst key, linked.csv (decrypted)
     auditor/              client.yaml, the verified audit-log head
     logs/                 each daemon's log, ingest summaries, stewards' reviews
   Run it again any time: the work directory is recreated.
EOF
}

# -------------------------------------------------------------------- main
install_and_build
demo_start=$(date +%s)
prepare_work_dir
generate_data
make_pki
init_agents
ingest_all
start_coordinator
start_agents
prepare_analyst
run_linked_job
show_linked_rows
show_quality
show_precision_recall
run_overlap_job
verify_audit
summary
