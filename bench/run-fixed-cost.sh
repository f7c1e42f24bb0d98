#!/usr/bin/env bash
# Relay's fixed cost: the shipped runtime settings against the previous ones and the other start-up modes measured for
# docs/benchmarks.md ("Fixed cost"), with nginx-rtmp and node-media-server in the same run, N=1 and N=10.
# Usage: bench/run-fixed-cost.sh [--reps 3] [--window 30] [any other fanout.py option]
# BENCH_NO_COMPOSITE=1 skips the self-contained ReadyToRun composite publish (a few minutes of crossgen2).
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
trap 'cleanup_children' EXIT
variants=(
  # Every variant below runs the same Release build; environment variables override its runtimeconfig.json.
  --variant "previous settings (Server GC, background GC, tiered PGO):DOTNET_gcServer=1,DOTNET_gcConcurrent=1,DOTNET_TieredPGO=1"
  --variant "TieredCompilation off:DOTNET_TieredCompilation=0"
  --variant "W^X off:DOTNET_EnableWriteXorExecute=0"
  --variant "gen0 budget 4 MB:DOTNET_GCgen0size=400000"
)
if [ -z "${BENCH_NO_COMPOSITE:-}" ]; then
  COMPOSITE="$ROOT/bench/.cache/relay-r2r-composite"
  echo "== dotnet publish Relay.Server self-contained, ReadyToRun composite -> $COMPOSITE"
  (cd "$ROOT" && dotnet publish Relay.Server/Relay.Server.csproj -c Release -r linux-x64 --self-contained true \
     -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$COMPOSITE" -nologo -v q -clp:ErrorsOnly >/dev/null)
  variants+=(--variant "self-contained ReadyToRun composite@$COMPOSITE")
fi
python3 fanout.py --n 1,10 --reps 3 --warmup 40 --window 30 --relay-hls-on-n 0 --relay-label "relay (shipped)" \
  "${variants[@]}" --out results/fanout-i13-fixed-cost.json "$@" &
CHILD=$!
wait $CHILD
