#!/usr/bin/env bash
# Live-room benchmarks (hub fan-out, flash sale, coupon claims, sustained reservations), on the embedded store and on a cluster.
# Usage: bench/run-room.sh [--hub-conns 1000,5000,10000] [--only hub,sale,sustained,coupon] [--topologies sqlite,cluster2]
#        [--relay native|jit] [--out results/room.json]
# cluster2 needs postgresql and redis-server (scripts/prereqs.sh installs them with the test prerequisites).
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
echo "== dotnet build bench/Relay.Bench -c Release"; (cd "$ROOT" && dotnet build bench/Relay.Bench -c Release -v q -nologo >/dev/null)
case " $* " in
  *" --relay jit "*) ;;
  # The executable ./run.sh runs, compiled (or found current) by the same function.
  *) (cd "$ROOT" && source scripts/prereqs.sh && publish_native) ;;
esac
trap 'cleanup_children' EXIT
python3 room.py "$@" &
CHILD=$!
wait $CHILD
