# Shared by run.sh and test.sh: check or install what Relay needs. Packages come only from
# Debian's archive and the npm registry; nothing else is downloaded.

APT_UPDATED=0

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET SDK 10 is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
    exit 1
  fi
}

# ensure_apt_packages PKG... : installs the Debian packages that are not installed yet.
ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "==> Installing ${missing[*]} (apt-get)..."
  if [ "$APT_UPDATED" -eq 0 ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  # Packages such as nginx and prometheus start a system service on install; Relay's tests start
  # their own instances on free loopback ports, so keep the package scripts from starting any.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  [ "$own_policy" -eq 1 ] && rm -f "$policy"
  return 0
}

# ensure_npm_packages DIR : npm ci in DIR when its node_modules is missing or older than the lock.
ensure_npm_packages() {
  local dir=$1
  [ -f "$dir/package.json" ] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    ensure_apt_packages nodejs npm
  fi
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "==> Installing npm packages in $dir (npm ci)..."
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Front-end libraries (SignalR client, mpegts.js, hls.js) come from npm at build time.
ensure_frontend() {
  ensure_npm_packages Relay.Server/frontend
}

# What the test suite runs besides Relay: RTMP peers (nginx-rtmp with a TLS terminator,
# node-media-server, ffmpeg), Prometheus + promtool for the monitoring tests, Caddy for the TLS proxy test, and OBS Studio
# headless on Xvfb (obs-plugins holds its x264 encoder and RTMP output; Mesa's llvmpipe comes as a
# dependency). Tests start their own instances on free loopback ports.
# node and npm are checked as commands (ensure_npm_packages): the SDK images may carry their own.
TEST_APT_PACKAGES=(ffmpeg nginx libnginx-mod-rtmp libnginx-mod-stream openssl prometheus obs-studio obs-plugins xvfb postgresql redis-server caddy)

ensure_test_prerequisites() {
  ensure_apt_packages "${TEST_APT_PACKAGES[@]}"
  ensure_npm_packages Relay.Tests/Common/Peers/node
}

# Browser tests drive Debian's chromium through Playwright (never a downloaded browser). Without it and
# without root, the tests skip with the reason instead of blocking the whole suite. A CJK font comes with it:
# without one the zh-CN pages (and their screenshots in docs/images) show empty boxes instead of Chinese.
BROWSER_APT_PACKAGES=(chromium fonts-wqy-microhei)

ensure_browser() {
  local package missing=()
  for package in "${BROWSER_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Note: ${missing[*]} missing: without chromium the browser tests are skipped, without the font Chinese shows as boxes." >&2
    echo "      Install with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 0
  fi
  ensure_apt_packages "${missing[@]}"
}

# Relay ships as one NativeAOT executable (docs/benchmarks.md section 7: about half the memory of the JIT build at
# the same CPU). The compiler is in the .NET SDK; it links with clang against zlib, both from Debian's archive.
NATIVE_APT_PACKAGES=(clang zlib1g-dev)
NATIVE_DIR=out/native
NATIVE_BINARY=$NATIVE_DIR/Relay.Server

# native_is_current : true when $NATIVE_BINARY exists and no source, project or page file is newer.
native_is_current() {
  [ -x "$NATIVE_BINARY" ] || return 1
  local newer
  newer=$(find Relay.Common Relay.Ingest Relay.Chat Relay.Server Directory.Build.props Directory.Packages.props \
    -newer "$NATIVE_BINARY" -type f \
    -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/node_modules/*' -print -quit 2>/dev/null)
  [ -z "$newer" ]
}

# publish_native : compiles Relay.Server to $NATIVE_BINARY unless it is current. Returns non-zero (with the
# compiler's errors on stderr) when it cannot; the caller decides what to do then.
publish_native() {
  ensure_apt_packages "${NATIVE_APT_PACKAGES[@]}"
  if native_is_current; then
    echo "==> Native build is current ($NATIVE_BINARY)"
    return 0
  fi
  echo "==> Compiling Relay to native code (NativeAOT; a few minutes the first time, then only after a change)..."
  local log
  log=$(mktemp)
  if ! dotnet publish Relay.Server/Relay.Server.csproj -c Release --use-current-runtime -p:PublishAot=true \
      -o "$NATIVE_DIR" -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  touch "$NATIVE_BINARY"
}
