#!/usr/bin/env bash
# The project's test command (README): Bicep, the build of every project, the published Functions app,
# then the whole xunit suite (both hosts: the standalone server and the published Functions worker).
# Needs the .NET 10 SDK and Debian's chromium (browser test); .ci/run installs what a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")"

echo "== Bicep build (real CLI)"
infra/build.sh

echo "== dotnet build Functions.sln (warnings are errors)"
dotnet build Functions.sln

# The folder `func azure functionapp publish` uploads; the end-to-end suite runs the worker from it.
echo "== dotnet publish src/ConnectIssuer.Functions -> artifacts/functions"
rm -rf artifacts/functions
dotnet publish src/ConnectIssuer.Functions -c Release -o artifacts/functions
export CONNECTISSUER_FUNCTIONS_APP="$PWD/artifacts/functions"

echo "== dotnet test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test tests/ConnectIssuer.Tests --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
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
