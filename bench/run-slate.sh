#!/usr/bin/env bash
# Slate and backup (issue 17): the gap a destination sees at a drop and at the return, and the slate's CPU.
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ensure_prereqs
trap 'cleanup_children' EXIT
python3 slate.py "$@" &
CHILD=$!
wait $CHILD
