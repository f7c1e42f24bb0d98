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
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Front-end libraries (SignalR client, mpegts.js, hls.js) come from npm at build time.
ensure_frontend() {
  [ -f Relay.Server/frontend/package.json ] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    ensure_apt_packages nodejs npm
  fi
  if [ ! -d Relay.Server/frontend/node_modules ] || [ Relay.Server/frontend/package-lock.json -nt Relay.Server/frontend/node_modules ]; then
    echo "==> Installing front-end packages (npm ci)..."
    (cd Relay.Server/frontend && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Browser tests drive Debian's chromium through Playwright (never a downloaded browser). Without it and
# without root, the tests skip with the reason instead of blocking the whole suite.
ensure_browser() {
  dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed" && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Note: Debian's chromium is missing, so the browser tests will be skipped." >&2
    echo "      Install it with:  sudo apt-get update && sudo apt-get install -y chromium" >&2
    return 0
  fi
  ensure_apt_packages chromium
}
