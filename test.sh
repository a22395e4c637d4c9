#!/usr/bin/env bash
# The project's test command (README): Bicep build with the real CLI, then the whole xunit suite.
# Needs the .NET 10 SDK and Node.js 20+ with npm; .ci/run installs the rest on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"

echo "== Bicep build (real CLI)"
infra/build.sh

echo "== dotnet test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test tests/ConnectIssuer.Tests --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line that any CI reader understands. dotnet test prints either
# "Passed!  - Failed: 0, Passed: N, ..." (minimal) or "Total tests: / Passed: N / Failed: N" (normal).
count() { grep -E "^[[:space:]]+$1: +[0-9]+[[:space:]]*$" "$log" | tail -n 1 | grep -oE '[0-9]+' || true; }
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -n 1 || true)
if [[ -n "$summary" ]]; then
  passed=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$summary")
  failed=$(sed -nE 's/.*Failed: *([0-9]+).*/\1/p' <<<"$summary")
  skipped=$(sed -nE 's/.*Skipped: *([0-9]+).*/\1/p' <<<"$summary")
else
  passed=$(count Passed)
  failed=$(count Failed)
  skipped=$(count Skipped)
fi
if [[ -z "$passed" ]]; then
  echo "dotnet test printed no summary (exit $status)" >&2
  exit 1
fi
echo "tests: ${passed} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
