#!/usr/bin/env bash
# Runs a command while every core is also kept busy by a plain shell loop (nice 0), as on a donor's machine doing
# its own work: the test suite must hold there too. The loops end with the command; its exit status is returned.
# Usage: scripts/with-cpu-hogs.sh <command...>     e.g. scripts/with-cpu-hogs.sh npm test
set -u
[ $# -gt 0 ] || { echo "usage: scripts/with-cpu-hogs.sh <command...>" >&2; exit 2; }
hogs=()
for _ in $(seq 1 "$(nproc)"); do ( while :; do :; done ) & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT INT TERM
echo "with-cpu-hogs: ${#hogs[@]} busy loops running beside: $*" >&2
"$@"
