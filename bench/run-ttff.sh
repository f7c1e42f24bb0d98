#!/usr/bin/env bash
# Destination added while live: time to first frame at its sink (Relay vs node-media-server).
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
trap 'cleanup_children' EXIT
python3 ttff.py "$@" &
CHILD=$!
wait $CHILD
