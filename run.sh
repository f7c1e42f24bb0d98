#!/usr/bin/env bash
# Runs Relay on its embedded default (SQLite under ./data, built-in order API).
# Installs what it needs when missing (as root) or says the exact command to run.
# Relay runs as its native (NativeAOT) executable, compiled on the first run and after a change.
# RELAY_RUNTIME=jit ./run.sh runs the framework-dependent build under `dotnet` instead (quicker to build).
# Extra arguments go to Relay, e.g. ./run.sh --urls http://0.0.0.0:9090 --Relay:Ingest:RtmpPort=1936
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh

need_dotnet
ensure_apt_packages ffmpeg
ensure_frontend

if [ "${RELAY_RUNTIME:-native}" != "jit" ]; then
  if publish_native; then
    echo "==> Starting Relay (Ctrl+C to stop)"
    exec "$NATIVE_BINARY" "$@"
  fi
  echo "The native build failed (errors above); running the JIT build instead. RELAY_RUNTIME=jit skips the native step." >&2
fi
echo "==> Building Relay (Release)..."
dotnet build Relay.Server/Relay.Server.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
echo "==> Starting Relay (Ctrl+C to stop)"
exec dotnet Relay.Server/bin/Release/net10.0/Relay.Server.dll "$@"
