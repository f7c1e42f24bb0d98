#!/usr/bin/env bash
# All benchmarks, one after the other (each stops by itself; every process started is stopped on exit).
# Results: bench/results/*.json and *.log; copy the tables into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
(cd "$ROOT" && dotnet build bench/Relay.Bench -c Release -v q -nologo >/dev/null)
trap 'cleanup_children' EXIT
mkdir -p results
echo "== $(date -u) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
step() { echo "== $1"; shift; python3 "$@" & CHILD=$!; wait $CHILD; CHILD=""; }
step "1/4 fan-out CPU/RSS/PSS (Relay vs nginx-rtmp vs node-media-server, N=${FANOUT_N:-1,5,10})" fanout.py --n "${FANOUT_N:-1,5,10}" --reps "${FANOUT_REPS:-2}" --warmup 12 --window 30
step "2/4 added latency (tee: direct vs via the system under test)" latency.py --seconds 30 --reps "${LATENCY_REPS:-2}"
step "3/4 destination added while live: time to first frame" ttff.py
step "4/4 live room: hub fan-out, flash sale, sustained reservations" room.py --hub-conns "${HUB_CONNS:-1000,5000,10000}"
echo "== done $(date -u)"
