#!/usr/bin/env bash
# One-command demo: installs what is missing, builds fedlink, and links the
# FEBRL4 benchmark (5000 records at "agency A", their corrupted duplicates at
# "agency B") through the privacy-preserving pipeline: normalise, encode under
# a per-job key (salted-hash tokens + Bloom filters), match the encodings only,
# and score the result against the ground truth.
#
# Until the agent and coordinator daemons land (see the issues), the demo runs
# the pipeline in one process; it never prints an identifier.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

deploy/install-deps.sh
echo "== fedlink demo: building (first run takes a few minutes)"
cmake --preset release >/dev/null
cmake --build --preset release --target fedlink-febrl-demo -j "$(nproc)" >/dev/null
data=${FEDLINK_FEBRL_DIR:-../shared/data/febrl}
if [ ! -r "$data/dataset4a.csv" ]; then
  echo "demo: FEBRL data not found in $data (set FEDLINK_FEBRL_DIR)" >&2
  exit 1
fi
exec build/release/tests/tools/fedlink-febrl-demo \
  --schema deploy/examples/febrl-linkage-schema.yaml \
  --a "$data/dataset4a.csv" --b "$data/dataset4b.csv"
