#!/usr/bin/env bash
# Live-room benchmarks (hub fan-out, flash sale, sustained reservations). Usage: bench/run-room.sh [--hub-conns 1000,5000,10000] [--only hub,sale,sustained]
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
echo "== dotnet build bench/Relay.Bench -c Release"; (cd "$ROOT" && dotnet build bench/Relay.Bench -c Release -v q -nologo >/dev/null)
trap 'cleanup_children' EXIT
python3 room.py "$@" &
CHILD=$!
wait $CHILD
