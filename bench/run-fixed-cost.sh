#!/usr/bin/env bash
# Relay's fixed cost (docs/benchmarks.md section 7): the shipped native executable (NativeAOT) against the JIT build
# with the same runtime settings and the other start-up modes, with nginx-rtmp and node-media-server in the same run,
# N=1 and N=10.
# Usage: bench/run-fixed-cost.sh [--reps 3] [--window 30] [any other fanout.py option]
# BENCH_NO_COMPOSITE=1 skips the self-contained ReadyToRun composite publish (a few minutes of crossgen2).
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
trap 'cleanup_children' EXIT
# The executable ./run.sh runs, compiled (or found current) by the same function.
NATIVE="$ROOT/out/native"
(cd "$ROOT" && source scripts/prereqs.sh && publish_native)
variants=(
  --variant "shipped (native, NativeAOT)@$NATIVE"
  # The JIT build's rows: the default relay row (runtimeconfig.json as shipped) and environment overrides of it.
  --variant "JIT, previous settings (Server GC, background GC, tiered PGO):DOTNET_gcServer=1,DOTNET_gcConcurrent=1,DOTNET_TieredPGO=1"
  --variant "JIT, TieredCompilation off:DOTNET_TieredCompilation=0"
)
if [ -z "${BENCH_NO_COMPOSITE:-}" ]; then
  COMPOSITE="$ROOT/bench/.cache/relay-r2r-composite"
  echo "== dotnet publish Relay.Server self-contained, ReadyToRun composite -> $COMPOSITE"
  (cd "$ROOT" && dotnet publish Relay.Server/Relay.Server.csproj -c Release --use-current-runtime --self-contained true \
     -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$COMPOSITE" -nologo -v q -clp:ErrorsOnly >/dev/null)
  variants+=(--variant "JIT, self-contained ReadyToRun composite@$COMPOSITE")
fi
python3 fanout.py --n 1,10 --reps 3 --warmup 40 --window 30 --relay-hls-on-n 0 --relay-label "JIT (framework-dependent)" \
  "${variants[@]}" --out results/fanout-i13-fixed-cost.json "$@" &
CHILD=$!
wait $CHILD
