#!/usr/bin/env bash
# SRT ingest CPU beside RTMP ingest: one Relay, one clip (1280x720 30 fps H.264 3 Mbps CBR + AAC, 2 s GOP, made once),
# published with -c copy over RTMP and then over SRT, each for 40 s; Relay's CPU (and, for SRT, its remux ffmpeg's)
# measured over 30 s of each publish, no viewer, no destination. Repeats REPS times (default 3) alternating the order.
# Usage: bench/run-srt.sh [BUILD_DIR]   (default: the Release build); results: bench/results/srt-ingest.{log,jsonl}
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
DIR="${1:-$ROOT/Relay.Server/bin/Release/net10.0}"
REPS="${REPS:-3}"
DATA=$(mktemp -d)
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
udp_port() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
HTTP=$(port); RTMP=$(port); SRT=$(udp_port)
CLIP="$DATA/clip.ts"
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 45 \
  -c:v libx264 -preset veryfast -b:v 3M -minrate 3M -maxrate 3M -bufsize 1M -g 60 -c:a aac -b:a 128k -f mpegts "$CLIP"
(cd "$DIR" && exec dotnet Relay.Server.dll --urls "http://127.0.0.1:$HTTP" --Relay:DataDir="$DATA/data" \
  --Relay:Ingest:RtmpPort="$RTMP" --Relay:Ingest:SrtPort="$SRT" --Relay:Hls:Enabled=false --Relay:Recording:Enabled=false >"$DATA/relay.log" 2>&1) &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do grep -q "OBS Stream Key  sk_" "$DATA/relay.log" 2>/dev/null && break; sleep 0.5; done
KEY=$(grep -o "OBS Stream Key  sk_[A-Za-z0-9_-]*" "$DATA/relay.log" | head -1 | awk '{print $4}')
[ -n "$KEY" ] || { echo "no stream key in the banner" >&2; cat "$DATA/relay.log" >&2; exit 1; }
sleep 5
OUT=results/srt-ingest.jsonl
: >"$OUT"
measure() { # protocol url format
  ffmpeg -hide_banner -loglevel error -re -i "$CLIP" -t 40 -c copy -f "$3" "$2" &
  local pub=$!
  sleep 8
  local line; line=$(python3 srt_cpu.py "$PID" 30)
  wait $pub || true
  echo "{\"protocol\":\"$1\",${line#\{}" | tee -a "$OUT"
  sleep 4
}
for rep in $(seq 1 "$REPS"); do
  if [ $((rep % 2)) -eq 1 ]; then
    measure rtmp "rtmp://127.0.0.1:$RTMP/live/$KEY" flv
    measure srt "srt://127.0.0.1:$SRT?streamid=publish:live/$KEY" mpegts
  else
    measure srt "srt://127.0.0.1:$SRT?streamid=publish:live/$KEY" mpegts
    measure rtmp "rtmp://127.0.0.1:$RTMP/live/$KEY" flv
  fi
done
grep -E "is live|is offline|SRT link" "$DATA/relay.log" | sed -E 's/sk_[A-Za-z0-9_-]+/sk_****/g' > results/srt-ingest.log || true
