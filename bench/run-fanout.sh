#!/usr/bin/env bash
# Fan-out CPU/RSS/PSS: Relay vs nginx-rtmp push vs node-media-server push relay, interleaved in one run.
# Usage: bench/run-fanout.sh [--n 1,5,10] [--reps 2] [--warmup 12] [--window 30]
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
trap 'cleanup_children' EXIT
python3 fanout.py --warmup 12 --window 30 "$@" &
CHILD=$!
wait $CHILD
