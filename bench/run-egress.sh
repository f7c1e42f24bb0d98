#!/usr/bin/env bash
# Egress CPU per destination (native push and one transcoding ffmpeg), in-process against a real nginx-rtmp:
#   bench/run-egress.sh [native|transcode]
# Was Relay.Tests' EgressBenchmarks (RELAY_EGRESS_BENCH=1); the figures are in docs/egress.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  dotnet build bench/Relay.EgressBench/Relay.EgressBench.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
fi
# The harness generates its 4-second test clip with ffmpeg into /tmp on each run.
exec dotnet bench/Relay.EgressBench/bin/Release/net10.0/Relay.EgressBench.dll "$@"
