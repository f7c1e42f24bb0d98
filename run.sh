#!/usr/bin/env bash
# Runs Relay on its embedded default (SQLite under ./data, built-in order API).
# Installs what it needs when missing (as root) or says the exact command to run.
# Extra arguments go to Relay, e.g. ./run.sh --urls http://0.0.0.0:9090 --Relay:Ingest:RtmpPort=1936
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh

need_dotnet
ensure_apt_packages ffmpeg
ensure_frontend

echo "==> Building Relay (Release)..."
dotnet build Relay.Server/Relay.Server.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
echo "==> Starting Relay (Ctrl+C to stop)"
exec dotnet Relay.Server/bin/Release/net10.0/Relay.Server.dll "$@"
