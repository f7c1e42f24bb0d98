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
# 40 s of warm-up: Relay's JIT (tiered compilation) is still promoting methods for the first ~45 s; a stream runs
# for hours, so the steady state is what is measured (the peers get the same warm-up).
step "1/5 fan-out CPU/RSS/PSS (Relay vs nginx-rtmp vs node-media-server, N=${FANOUT_N:-1,10,20})" fanout.py --n "${FANOUT_N:-1,10,20}" --reps "${FANOUT_REPS:-2}" --warmup 40 --window 30
step "2/5 fan-out, 10 channels x 3 destinations at once" fanout.py --n 3 --channels 10 --reps 1 --warmup 40 --window 30 --relay-hls-on-n 0 --out results/fanout-10x3.json
step "3/5 added latency (tee: direct vs via the system under test)" latency.py --seconds 30 --reps "${LATENCY_REPS:-2}"
step "4/5 destination added while live: time to first frame" ttff.py
step "5/5 live room: hub fan-out, flash sale, sustained reservations" room.py --hub-conns "${HUB_CONNS:-1000,5000,10000}"
echo "== done $(date -u)"
