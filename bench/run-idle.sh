#!/usr/bin/env bash
# Relay at idle (no publisher, no viewer, one REST call): per-thread CPU and wake-ups over 60 s, then its timers.
# Usage: bench/run-idle.sh [BUILD_DIR] [K=V ...]   (default: the Release build; K=V are environment variables)
# The timer list needs dotnet-dump (dotnet tool install -g dotnet-dump); without it that part is skipped.
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
DIR="${1:-$ROOT/Relay.Server/bin/Release/net10.0}"; shift || true
if [ "$DIR" = "$ROOT/Relay.Server/bin/Release/net10.0" ]; then ensure_prereqs; fi
DATA=$(mktemp -d)
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
HTTP=$(port); RTMP=$(port)
(cd "$DIR" && exec env "$@" dotnet Relay.Server.dll --urls "http://127.0.0.1:$HTTP" --Relay:DataDir="$DATA" \
  --Relay:Ingest:RtmpPort="$RTMP" --Relay:Hls:Enabled=false --Relay:Recording:Enabled=false >"$DATA/relay.log" 2>&1) &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
sleep 50; curl -s -o /dev/null "http://127.0.0.1:$HTTP/api/v1/channels"; sleep 10
python3 threads.py "$PID" 60
if command -v dotnet-dump >/dev/null; then
  dotnet-dump collect -p "$PID" -o "$DATA/heap.dmp" --type Heap >/dev/null
  dotnet-dump analyze "$DATA/heap.dmp" -c timerinfo -c exit | sed -n '/^ *[0-9]* timers/,$p'
fi
