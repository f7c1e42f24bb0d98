#!/usr/bin/env bash
# Fan-out CPU/RSS/PSS: Relay vs nginx-rtmp push vs node-media-server push relay, interleaved in one run.
# Usage: bench/run-fanout.sh [--n 1,10,20] [--reps 2] [--warmup 40] [--window 30] [--channels C]
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
trap 'cleanup_children' EXIT
python3 fanout.py --n 1,10,20 --warmup 40 --window 30 "$@" &
CHILD=$!
wait $CHILD
