# Shell helpers shared by bench/load.sh, bench/functions-host.sh and bench/compare.sh (sourced, not run).
# Sourcing sets ROOT (the repository), REF (bench/reference), the settings every script gives its servers, and an
# empty PIDS list. Only 127.0.0.1 is ever contacted. A script starts its processes with start_issuer,
# start_published_server or `... &` followed by track_pid "$!", and calls cleanup_pids from its exit trap (on_exit):
# every process it started is then stopped by PID on exit, also after Ctrl-C, SIGTERM or a failure.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REF="$ROOT/bench/reference"

# The same caller audience, Integration.app workspace and limiter setting in every script.
AUDIENCE="api://connect-issuer"
WORKSPACE_KEY="bench-workspace-key"
WORKSPACE_SECRET="bench-workspace-secret-0123456789abcdef0123456789abcdef"
# Single customers send thousands of requests a second here; 100000 (the setting's maximum) per customer per
# minute, spread over $CUSTOMERS customers, keeps the limiter running but never refusing during the load.
PERMITS_PER_MINUTE=100000

log() { printf '%s\n' "$*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- prerequisites ------------------------------------------------------------------------------------------

# Exits with "<tool> is required" unless every tool named is on PATH.
require_tools() {
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null || { log "$tool is required"; exit 1; }; done
}

ensure_wrk() {
  if ! command -v wrk >/dev/null; then
    log "installing wrk with apt-get"
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  fi
}

# Takes the names of the port variables (e.g. ISSUER_PORT SERVER_PORT) and exits unless every port is free.
require_free_ports() {
  local name names
  names="$(IFS=/; echo "$*")"
  for name in "$@"; do
    port_free "${!name}" || { log "port ${!name} is in use; set $names"; exit 1; }
  done
}

# The node reference's packages (bench/reference: the issuer, the node server, jose), installed once.
ensure_reference() {
  if [[ ! -d "$REF/node_modules" ]]; then
    (cd "$REF" && npm ci --no-audit --no-fund --silent)
  fi
}

# --- processes: started here, stopped by PID ----------------------------------------------------------------
PIDS=()

alive() { kill -0 "$1" 2>/dev/null; }

track_pid() { PIDS+=("$1"); }

forget_pid() { # pid [array name, default PIDS]
  local -n list="${2:-PIDS}"
  local keep=() pid
  for pid in "${list[@]}"; do [[ "$pid" == "$1" ]] || keep+=("$pid"); done
  list=("${keep[@]}")
}

# SIGTERM, up to 5 s for the process to end, then SIGKILL; reaped and forgotten.
stop_pid() {
  local pid="$1"
  if alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# Stops every process still in PIDS (for the exit trap).
cleanup_pids() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
}

# Runs the function named $1 on exit: normal end, failure under set -e, Ctrl-C (exit 130) or SIGTERM.
on_exit() {
  # shellcheck disable=SC2064  # $1 is meant to be expanded now
  trap "$1" EXIT
  trap 'exit 130' INT TERM
}

# Waits (at most $3 tries, 20 ms apart) until $2 answers 200 with method $1; extra curl args after.
wait_200() {
  local method="$1" url="$2" tries="$3"; shift 3
  local i code
  for ((i = 0; i < tries; i++)); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X "$method" "$@" "$url" || true)"
    [[ "$code" == 200 ]] && return 0
    sleep 0.02
  done
  return 1
}

# Starts the local OIDC issuer (bench/reference/issuer.mjs) on 127.0.0.1:$1 for audience $2 with caller tokens for
# $3 customers written one per line to $4, its output in $5; waits for its JWKS and the tokens file, then sets
# BEARER to the first customer's token.
start_issuer() {
  local port="$1" audience="$2" customers="$3" tokens="$4" out="$5"
  node "$REF/issuer.mjs" --port "$port" --audience "$audience" --customers "$customers" --tokens "$tokens" >"$out" 2>&1 &
  track_pid "$!"
  wait_200 GET "http://127.0.0.1:$port/jwks" 250 || { log "issuer did not start"; cat "$out" >&2; exit 1; }
  for _ in $(seq 1 100); do [[ -s "$tokens" ]] && break; sleep 0.05; done
  [[ -s "$tokens" ]] || { log "issuer wrote no tokens to $tokens"; cat "$out" >&2; exit 1; }
  BEARER="$(head -n 1 "$tokens")"
}

# --- the published server -----------------------------------------------------------------------------------

# Publishes src/ConnectIssuer.Server of the source tree $1 into $2 (Release, ReadyToRun, linux-x64,
# framework-dependent), the build output in $2.publish.log; with a third argument "plain", without ReadyToRun and runtime
# identifier. Returns non-zero if the publish fails.
try_publish_server() {
  local rid=(-r linux-x64 --self-contained false -p:PublishReadyToRun=true)
  [[ "${3:-}" == plain ]] && rid=()
  dotnet publish "$1/src/ConnectIssuer.Server" -c Release -o "$2" "${rid[@]}" -v quiet -nologo >"$2.publish.log" 2>&1
}

# As try_publish_server, but exits (with the build output) unless it produced $2/ConnectIssuer.Server.
publish_server() {
  try_publish_server "$@" || { cat "$2.publish.log" >&2; exit 1; }
  [[ -x "$2/ConnectIssuer.Server" ]] || { log "publish produced no $2/ConnectIssuer.Server"; cat "$2.publish.log" >&2; exit 1; }
}

# Sets SETTINGS to the settings (NAME=VALUE) every bench server gets: Oidc callers from the issuer on 127.0.0.1:$1
# (audience $AUDIENCE, customer from org_id), the Integration.app workspace, and the limiter at $PERMITS_PER_MINUTE.
caller_settings() {
  SETTINGS=(
    "Auth__Mode=Oidc"
    "Auth__Authority=http://127.0.0.1:$1"
    "Auth__RequireHttpsMetadata=false"
    "Auth__Audiences__0=$AUDIENCE"
    "Auth__CustomerIdClaim=org_id"
    "IntegrationApp__WorkspaceKey=$WORKSPACE_KEY"
    "IntegrationApp__Fields__plan=plan"
    "Secrets__IntegrationAppWorkspaceSecret=$WORKSPACE_SECRET"
    "RateLimit__PermitsPerMinute=$PERMITS_PER_MINUTE"
  )
}

# The environment `env -i` keeps for a started .NET process: PATH, HOME and DOTNET_ROOT (the folder of the dotnet
# on PATH unless DOTNET_ROOT is set).
dotnet_env() {
  DOTNET_ENV=(PATH="$PATH" HOME="${HOME:-/tmp}" DOTNET_ROOT="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}")
}

# Starts the published server in folder $1 on 127.0.0.1:$2 in environment $3 (Production, Development), output
# appended to $4, with only DOTNET_ENV and the NAME=VALUE words after $4 as its environment. It runs from its publish
# folder, as in a deployment: that is its content root, so the published appsettings.json applies. Tracks the process
# and sets STARTED_PID.
start_published_server() {
  local dir="$1" port="$2" environment="$3" out="$4"; shift 4
  dotnet_env
  (cd "$dir" && exec env -i "${DOTNET_ENV[@]}" ASPNETCORE_ENVIRONMENT="$environment" DOTNET_ENVIRONMENT="$environment" \
    ASPNETCORE_URLS="http://127.0.0.1:$port" Urls="http://127.0.0.1:$port" "$@" "$dir/ConnectIssuer.Server") >>"$out" 2>&1 &
  track_pid "$!"
  STARTED_PID="$!"
}

# --- figures ------------------------------------------------------------------------------------------------

# wrk with the arguments given, stopped after 120 s at the most. --foreground keeps it in the script's process group, so
# Ctrl-C reaches it at once (wrk stops and reports) instead of the script waiting for the run to end.
wrk_bounded() { timeout --foreground 120 wrk "$@"; }

# Peak resident memory of a process in MB ("?" once it is gone).
vmhwm_mb() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

to_ms() { # wrk latency (e.g. 812.00us, 1.20ms, 2.01s) -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# CPU time (user + system) a process has used so far, in milliseconds (fields 14 and 15 of /proc/PID/stat).
cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/$1/stat"
}
