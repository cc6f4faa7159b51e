#!/usr/bin/env bash
# npm test after the build: the type check of the tests (tsc -p tsconfig.test.json, about 8 s of one core) runs
# beside vitest instead of before it, since the suite spends much of its time waiting on processes and sockets. Its
# errors are printed after vitest's report; either failing fails the run. Arguments go to vitest. The check is
# incremental (its state in node_modules/.cache, shared with `npm run typecheck`): a run after one before it took
# 4.4-4.9 s of cpu instead of 12; a fresh clone's first run costs the same as before.
set -u
cd "$(dirname "$0")/.."
types=$(mktemp)
trap 'rm -f "$types"' EXIT
npx tsc -p tsconfig.test.json --incremental --tsBuildInfoFile node_modules/.cache/tsc-test.tsbuildinfo >"$types" 2>&1 &
tsc=$!
npx vitest run "$@"
tests=$?
wait "$tsc"
typed=$?
if [ "$typed" -ne 0 ]; then
  cat "$types"
  echo "npm test: the type check of the tests failed (tsc -p tsconfig.test.json)" >&2
fi
[ "$tests" -ne 0 ] && exit "$tests"
exit "$typed"
