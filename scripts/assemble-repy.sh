#!/bin/sh
# Assembles a runnable Repy V2 (the original runtime, on CPython 2.7) from local git clones of SeattleTestbed's
# repy_v2, seattlelib_v2, portability and common, for side-by-side figures: `REPY_V2=<out> BENCH=repy npm run bench`.
# Their code stays out of this repository. The result runs as `python2.7 <out>/repy.py <restrictions> <program>`.
#
# Usage: scripts/assemble-repy.sh <out dir> <repy_v2> <seattlelib_v2> <portability> <common>
#   each source a clone (or its .git folder); their .py files are copied flat, repy_v2's last, so its own win.
set -eu
if [ $# -ne 5 ]; then
  echo "usage: scripts/assemble-repy.sh <out dir> <repy_v2> <seattlelib_v2> <portability> <common>" >&2
  exit 2
fi
OUT="$1"
mkdir -p "$OUT"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/assemble-repy.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT INT TERM
for src in "$5" "$4" "$3" "$2"; do
  rm -rf "$TMP/x" && mkdir "$TMP/x"
  git -C "$src" archive HEAD | tar -x -C "$TMP/x"
  find "$TMP/x" -maxdepth 1 -name '*.py' -exec cp {} "$OUT" \;
done
echo "Repy V2 assembled in $OUT: python2.7 $OUT/repy.py <restrictions> <program>"
