#!/bin/sh
# Runs repy_v2's own unit tests (testsV2/) against Flotilla's Repy runtime. Their code stays out of this
# repository: this exports testsV2/ from a repy_v2 git checkout into a temp directory and runs
# scripts/repy-testsv2.ts on it (builds dist/ first, since the sandbox host runs from there).
#
# Usage: scripts/repy-testsv2.sh [--repo <repy_v2 git dir>] [runner options: --only name, --json, --jobs N]
#   --repo   a repy_v2 clone or mirror (default: $REPY_V2_REPO, else /work/.mirror/SeattleTestbed+repy_v2/repo)
#   SKIP_BUILD=1 skips `npm run build`.
# Examples:
#   scripts/repy-testsv2.sh
#   scripts/repy-testsv2.sh --only getlasterror
#   scripts/repy-testsv2.sh --json > testsv2.json
set -eu
cd "$(dirname "$0")/.."
REPO="${REPY_V2_REPO:-/work/.mirror/SeattleTestbed+repy_v2/repo}"
if [ "${1:-}" = "--repo" ]; then REPO="$2"; shift 2; fi
TMP="$(mktemp -d "${TMPDIR:-/tmp}/repy-testsv2.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT INT TERM
git -C "$REPO" archive HEAD testsV2 | tar -x -C "$TMP"
if [ -z "${SKIP_BUILD:-}" ]; then npm run build --silent >&2; fi
status=0
npx tsx scripts/repy-testsv2.ts "$TMP/testsV2" "$@" || status=$?
exit $status
