#!/usr/bin/env bash
# Runs `systemd-analyze verify` on the given unit files and fails on any
# finding. verify still exits 0 on much that it only warns about (an unknown
# key, a value it cannot parse: "..., ignoring"), and such a unit would run
# without the setting it was written with, so any output is a failure too.
# Needs no running systemd: works as root in a container.
# Usage: verify_systemd_units.sh UNIT_FILE...
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 UNIT_FILE..." >&2; exit 2; }
if ! command -v systemd-analyze >/dev/null; then
  echo "verify_systemd_units: systemd-analyze not found; install the systemd package" \
       "(deploy/install-deps.sh does)" >&2
  exit 1
fi

status=0
output=$(systemd-analyze verify "$@" 2>&1) || status=$?
if [ "$status" -ne 0 ] || [ -n "$output" ]; then
  echo "systemd-analyze verify $* exited $status:" >&2
  printf '%s\n' "$output" >&2
  exit 1
fi
echo "systemd-analyze verify: $# unit(s) without findings"
