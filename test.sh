#!/usr/bin/env bash
# Runs the whole test suite: unit, integration (real ffmpeg, real sockets, real SignalR
# clients), end-to-end (browser, OBS, monitoring) and fault tests. Installs what the tests need
# when missing (as root) or says the exact command to run.
#   ./test.sh --lane unit|integration|e2e|faults   one lane (its namespace, Relay.Tests.<Lane>.)
# Extra arguments go to 'dotnet test', e.g.
#   ./test.sh --filter "FullyQualifiedName~Ingest"
#   ./test.sh --lane unit --filter "FullyQualifiedName~Rtmp"   (the two filters are and-ed)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh

lane_filter=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --lane)
      [ $# -ge 2 ] || { echo "--lane needs one of: unit, integration, e2e, faults" >&2; exit 2; }
      case "$2" in
        unit) lane_filter="FullyQualifiedName~Relay.Tests.Unit." ;;
        integration) lane_filter="FullyQualifiedName~Relay.Tests.Integration." ;;
        e2e) lane_filter="FullyQualifiedName~Relay.Tests.EndToEnd." ;;
        faults) lane_filter="FullyQualifiedName~Relay.Tests.Faults." ;;
        *) echo "unknown lane '$2': use unit, integration, e2e or faults" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --filter)
      [ $# -ge 2 ] || { echo "--filter needs an expression" >&2; exit 2; }
      user_filter="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
filter="${lane_filter}"
if [ -n "${user_filter:-}" ]; then
  filter="${filter:+(${filter})&}(${user_filter})"
fi
[ -z "$filter" ] || args+=(--filter "$filter")

need_dotnet
if [ "$lane_filter" != "FullyQualifiedName~Relay.Tests.Unit." ]; then
  # The unit lane needs no ffmpeg, peers or browser: only the build.
  ensure_test_prerequisites
  ensure_browser
fi
ensure_frontend
if [ -z "${user_filter:-}" ] && { [ -z "$lane_filter" ] || [ "$lane_filter" = "FullyQualifiedName~Relay.Tests.EndToEnd." ]; }; then
  # The shipped executable, for the native tests (EndToEnd/Native) to run as an operator would. With a --filter the
  # tests compile it themselves only if the filter selects them.
  publish_native
  export RELAY_NATIVE_BINARY="$PWD/$NATIVE_BINARY"
fi

echo "==> Building tests..."
dotnet build Relay.Tests/Relay.Tests.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
echo "==> Running tests..."
results=$(mktemp -d)
set +e
# A hung test is dumped and killed instead of eating the CI budget.
dotnet test Relay.Tests/Relay.Tests.csproj -c Release --no-build --nologo \
  --blame-hang-timeout 5min --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=relay.trx" --results-directory "$results" ${args[@]+"${args[@]}"}
status=$?
set -e
trx="$results/relay.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { sed -E "s/.* $1=\"([0-9]+)\".*/\1/" <<<"$counters"; }
  skipped=$(( $(count total) - $(count executed) ))
  echo "Tests: $(count passed) passed, $(count failed) failed, ${skipped} skipped"
  if [ "$(count failed)" != "0" ]; then
    # The console log is long and CI keeps only part of it: name each failure and its message last, where it is read.
    echo "==> Failed tests:"
    perl -0ne 'while (/<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="Failed".*?<Message>(.*?)<\/Message>/gs) {
      my ($n, $m) = ($1, $2); for ($n, $m) { s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/&/g; }
      print "  - $n\n    ", substr($m, 0, 1500) =~ s/\n/\n    /gr, "\n"; }' "$trx" || true
  fi
fi
rm -rf "$results"
exit "$status"
