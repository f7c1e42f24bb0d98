#!/usr/bin/env bash
# Sustained reservations/s on PostgreSQL (fsync on) and on SQLite in the same run. Usage: bench/run-commerce.sh [--reps 3] [--conns 200] [--seconds 20]
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
for t in dotnet python3 redis-server psql; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }; done
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  echo "== dotnet build Relay.Server -c Release"; (cd "$ROOT" && dotnet build Relay.Server -c Release -v q -nologo >/dev/null)
fi
echo "== dotnet build bench/Relay.Bench bench/Relay.LedgerBench -c Release"
(cd "$ROOT" && dotnet build bench/Relay.Bench -c Release -v q -nologo >/dev/null && dotnet build bench/Relay.LedgerBench -c Release -v q -nologo >/dev/null)
trap 'cleanup_children' EXIT
python3 commerce.py "$@" &
CHILD=$!
wait $CHILD
