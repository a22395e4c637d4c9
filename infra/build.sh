#!/usr/bin/env bash
# Compiles infra/ with the real Bicep CLI, the way azd and `az deployment group create` do:
#   bicep build infra/main.bicep               -> <out>/main.json            (ARM template)
#   bicep build-params infra/main.bicepparam   -> <out>/main.parameters.json (azd's sample environment)
# and fails on any error or warning. The linter rules are raised to errors in infra/bicepconfig.json,
# so the compiler itself fails; any warning that is not a linter rule (BCPxxx) fails here.
#
# The CLI comes from the NuGet package Azure.Bicep.CommandLine.linux-x64 (version in
# infra/bicep-cli/BicepCli.props), restored by plain `dotnet restore`: no download of its own.
# Usage: infra/build.sh [output folder, default artifacts/infra]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$repo/artifacts/infra"}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The Bicep CLI needs no network here: no registry (br:) modules, nothing to restore.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cli_project="$repo/infra/bicep-cli/BicepCli.csproj"
bicep=$(dotnet msbuild "$cli_project" -getProperty:BicepCliPath 2>/dev/null || true)
if [[ ! -f "$bicep" ]]; then
  dotnet restore "$cli_project" --verbosity quiet >&2
  bicep=$(dotnet msbuild "$cli_project" -getProperty:BicepCliPath)
fi
[[ -x "$bicep" ]] || chmod +x "$bicep"

# The environment values azd provides (azd env), with sample values; everything else takes the
# defaults in main.bicepparam. A caller's own values win.
export AZURE_ENV_NAME=${AZURE_ENV_NAME:-ci}
export AZURE_LOCATION=${AZURE_LOCATION:-westeurope}
export AZURE_SUBSCRIPTION_ID=${AZURE_SUBSCRIPTION_ID:-00000000-0000-0000-0000-000000000000}
export AZURE_RESOURCE_GROUP=${AZURE_RESOURCE_GROUP:-rg-connect-issuer-ci}
export AZURE_PRINCIPAL_ID=${AZURE_PRINCIPAL_ID:-00000000-0000-0000-0000-000000000001}
export AZURE_PRINCIPAL_TYPE=${AZURE_PRINCIPAL_TYPE:-User}

log="$out/bicep-build.log"
: >"$log"
run() {
  echo "+ bicep $*" | sed "s|$repo/||g" >>"$log"
  local status=0
  # Time-boxed: a CLI that waits on the network must fail the build, not hang it.
  timeout 300 "$bicep" "$@" >>"$log" 2>&1 || status=$?
  return "$status"
}

status=0
run build "$repo/infra/main.bicep" --outfile "$out/main.json" || status=$?
if ((status == 0)); then
  run build-params "$repo/infra/main.bicepparam" --outfile "$out/main.parameters.json" || status=$?
fi

sed "s|$repo/||g" "$log"
if ((status != 0)); then
  echo "bicep failed (exit $status)" >&2
  exit "$status"
fi
if grep -qE ': (Warning|Error) ' "$log"; then
  echo "bicep reported diagnostics (warnings count as failures)" >&2
  exit 1
fi
echo "bicep $("$bicep" --version | sed -E 's/^Bicep CLI version //'): infra/main.bicep and infra/main.bicepparam compiled with no diagnostics -> ${out#"$repo/"}"
