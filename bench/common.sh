# Shared helpers for the bench scripts (sourced).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHILD=""
ensure_prereqs() {
  for t in ffmpeg nginx node dotnet python3; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }; done
  if [ ! -d "$ROOT/Relay.Tests/Common/Peers/node/node_modules/node-media-server" ]; then
    echo "== npm ci in Relay.Tests/Common/Peers/node"; (cd "$ROOT/Relay.Tests/Common/Peers/node" && npm ci --no-audit --no-fund >/dev/null)
  fi
  if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    echo "== dotnet build Relay.Server -c Release"; (cd "$ROOT" && dotnet build Relay.Server -c Release -v q -nologo >/dev/null)
  fi
}
# Stop the python driver (it stops everything it started in its finally/stop_all); then its process group leftovers.
cleanup_children() {
  local rc=$?
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$CHILD" 2>/dev/null || true
  fi
  return $rc
}
