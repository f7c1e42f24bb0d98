#!/usr/bin/env bash
# Runs the whole test suite: unit, integration (real ffmpeg, real sockets, real SignalR
# clients), browser and monitoring tests. Installs what the tests need when missing (as root)
# or says the exact command to run. Extra arguments go to 'dotnet test', e.g.
#   ./test.sh --filter "FullyQualifiedName~Ingest"
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh

need_dotnet
ensure_test_prerequisites
ensure_browser
ensure_frontend

echo "==> Building tests..."
dotnet build Relay.Tests/Relay.Tests.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
echo "==> Running tests..."
results=$(mktemp -d)
set +e
# A hung test is dumped and killed instead of eating the CI budget.
dotnet test Relay.Tests/Relay.Tests.csproj -c Release --no-build --nologo \
  --blame-hang-timeout 5min --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=relay.trx" --results-directory "$results" "$@"
status=$?
set -e
trx="$results/relay.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { sed -E "s/.* $1=\"([0-9]+)\".*/\1/" <<<"$counters"; }
  skipped=$(( $(count total) - $(count executed) ))
  echo "Tests: $(count passed) passed, $(count failed) failed, ${skipped} skipped"
fi
rm -rf "$results"
exit "$status"
