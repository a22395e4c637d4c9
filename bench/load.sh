#!/usr/bin/env bash
# Loopback load comparison: the published ConnectIssuer.Server against the node reference (bench/reference),
# same OIDC issuer, same caller tokens, same wrk load, alternating rounds; plus cold start of the published server.
# Usage: bench/load.sh            (from anywhere; needs dotnet, node/npm, curl; installs wrk with apt-get if missing)
# Knobs (environment): DURATION=15s CONNECTIONS=32 THREADS=1 ROUNDS=2 CUSTOMERS=32 COLD_STARTS=5 READY_TO_RUN=1
#                      ISSUER_PORT=18301 DOTNET_PORT=18302 NODE_PORT=18303 DOTNET_EXTRA_ENV="K=V K2=V2"
# Only 127.0.0.1 is ever contacted. Every process started here is stopped by PID on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
REF="$ROOT/bench/reference"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
ROUNDS="${ROUNDS:-2}"
CUSTOMERS="${CUSTOMERS:-32}"
COLD_STARTS="${COLD_STARTS:-5}"
READY_TO_RUN="${READY_TO_RUN:-1}"
ISSUER_PORT="${ISSUER_PORT:-18301}"
DOTNET_PORT="${DOTNET_PORT:-18302}"
NODE_PORT="${NODE_PORT:-18303}"
AUDIENCE="api://connect-issuer"
WORKSPACE_KEY="bench-workspace-key"
WORKSPACE_SECRET="bench-workspace-secret-0123456789abcdef0123456789abcdef"
# Single customers send thousands of requests a second here; 100000 (the setting's maximum) per customer per
# minute, spread over $CUSTOMERS customers, keeps the limiter running but never refusing during the load.
PERMITS_PER_MINUTE=100000

WORK="$(mktemp -d -t bench-load-XXXXXX)"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


forget_pid() {
  local keep=() pid
  for pid in "${PIDS[@]}"; do [[ "$pid" == "$1" ]] || keep+=("$pid"); done
  PIDS=("${keep[@]}")
}

stop_pid() {
  local pid="$1"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}




# --- prerequisites ------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || { log "dotnet is required"; exit 1; }
command -v node >/dev/null || { log "node is required"; exit 1; }
command -v curl >/dev/null || { log "curl is required"; exit 1; }
if ! command -v wrk >/dev/null; then
  log "installing wrk with apt-get"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
for port in "$ISSUER_PORT" "$DOTNET_PORT" "$NODE_PORT"; do
  port_free "$port" || { log "port $port is in use; set ISSUER_PORT/DOTNET_PORT/NODE_PORT"; exit 1; }
done
if [[ ! -d "$REF/node_modules" ]]; then
  (cd "$REF" && npm ci --no-audit --no-fund --silent)
fi

# --- publish ------------------------------------------------------------------------------------------------
PUBLISH="$WORK/server"
R2R="no"
if [[ "$READY_TO_RUN" == 1 ]] && dotnet publish "$ROOT/src/ConnectIssuer.Server" -c Release -o "$PUBLISH" \
    -r linux-x64 --self-contained false -p:PublishReadyToRun=true -v quiet -nologo >"$WORK/publish.log" 2>&1; then
  R2R="yes"
else
  [[ "$READY_TO_RUN" == 1 ]] && log "ReadyToRun publish failed (see below); publishing without it" && tail -5 "$WORK/publish.log" >&2
  rm -rf "$PUBLISH"
  dotnet publish "$ROOT/src/ConnectIssuer.Server" -c Release -o "$PUBLISH" -v quiet -nologo >"$WORK/publish.log" 2>&1 \
    || { cat "$WORK/publish.log" >&2; exit 1; }
fi
SERVER_EXE="$PUBLISH/ConnectIssuer.Server"
[[ -x "$SERVER_EXE" ]] || { log "publish produced no $SERVER_EXE"; cat "$WORK/publish.log" >&2; exit 1; }
DOTNET_HOME="$(dirname "$(readlink -f "$(command -v dotnet)")")"

# --- issuer and tokens --------------------------------------------------------------------------------------
TOKENS="$WORK/tokens.txt"
node "$REF/issuer.mjs" --port "$ISSUER_PORT" --audience "$AUDIENCE" --customers "$CUSTOMERS" --tokens "$TOKENS" \
  >"$WORK/issuer.log" 2>&1 &
PIDS+=("$!")
wait_200 GET "http://127.0.0.1:$ISSUER_PORT/jwks" 250 || { log "issuer did not start"; cat "$WORK/issuer.log" >&2; exit 1; }
for _ in $(seq 1 100); do [[ -s "$TOKENS" ]] && break; sleep 0.05; done
BEARER="$(head -n 1 "$TOKENS")"

# --- servers ------------------------------------------------------------------------------------------------
start_dotnet() {
  # Production settings through environment variables only. The working directory is the publish folder, as in a
  # deployment: it is the content root, so the published appsettings.json (Microsoft.AspNetCore at Warning) applies.
  # Started from elsewhere, every request would also log ~10 framework lines at Information.
  cd "$PUBLISH"
  # shellcheck disable=SC2086
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" DOTNET_ROOT="${DOTNET_ROOT:-$DOTNET_HOME}" \
    ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
    ASPNETCORE_URLS="http://127.0.0.1:$DOTNET_PORT" Urls="http://127.0.0.1:$DOTNET_PORT" \
    Auth__Mode=Oidc Auth__Authority="http://127.0.0.1:$ISSUER_PORT" Auth__RequireHttpsMetadata=false \
    Auth__Audiences__0="$AUDIENCE" Auth__CustomerIdClaim=org_id \
    IntegrationApp__WorkspaceKey="$WORKSPACE_KEY" IntegrationApp__Fields__plan=plan \
    Secrets__IntegrationAppWorkspaceSecret="$WORKSPACE_SECRET" \
    RateLimit__PermitsPerMinute="$PERMITS_PER_MINUTE" \
    ${DOTNET_EXTRA_ENV:-} \
    "$SERVER_EXE" >>"$WORK/dotnet.log" 2>&1 &
  PIDS+=("$!")
  DOTNET_PID="$!"
  cd "$ROOT"
}

start_node() {
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" NODE_ENV=production PORT="$NODE_PORT" \
    AUTHORITY="http://127.0.0.1:$ISSUER_PORT" AUDIENCE="$AUDIENCE" CUSTOMER_ID_CLAIM=org_id \
    WORKSPACE_KEY="$WORKSPACE_KEY" WORKSPACE_SECRET="$WORKSPACE_SECRET" \
    node "$REF/server.mjs" >>"$WORK/node.log" 2>&1 &
  PIDS+=("$!")
  NODE_PID="$!"
}

# --- cold start: process start to first 200 (health, then the token route) ---------------------------------
COLD_HEALTH=()
COLD_TOKEN=()
for ((i = 1; i <= COLD_STARTS; i++)); do
  t0="$(now_ms)"
  start_dotnet
  wait_200 GET "http://127.0.0.1:$DOTNET_PORT/api/health" 500 || { log "server did not start"; tail -20 "$WORK/dotnet.log" >&2; exit 1; }
  t1="$(now_ms)"
  wait_200 POST "http://127.0.0.1:$DOTNET_PORT/api/integration-app/token" 250 \
    -H "Authorization: Bearer $BEARER" -H 'Content-Type: application/json' -d '{}' || { log "token route failed"; tail -20 "$WORK/dotnet.log" >&2; exit 1; }
  t2="$(now_ms)"
  COLD_HEALTH+=($((t1 - t0)))
  COLD_TOKEN+=($((t2 - t0)))
  log "cold start $i: first 200 on /api/health after $((t1 - t0)) ms, on the token route after $((t2 - t0)) ms"
  stop_pid "$DOTNET_PID"
done
# The node reference's start to first 200 in the same run, as a yardstick for how loaded the machine is.
COLD_NODE=()
for ((i = 1; i <= COLD_STARTS; i++)); do
  t0="$(now_ms)"
  start_node
  wait_200 GET "http://127.0.0.1:$NODE_PORT/api/health" 500 || { log "reference did not start"; tail -20 "$WORK/node.log" >&2; exit 1; }
  t1="$(now_ms)"
  COLD_NODE+=($((t1 - t0)))
  stop_pid "$NODE_PID"
done

# --- load -----------------------------------------------------------------------------------------------------
start_dotnet
start_node
wait_200 GET "http://127.0.0.1:$DOTNET_PORT/api/health" 500 || { log "server did not start"; tail -20 "$WORK/dotnet.log" >&2; exit 1; }
wait_200 GET "http://127.0.0.1:$NODE_PORT/api/health" 500 || { log "reference did not start"; tail -20 "$WORK/node.log" >&2; exit 1; }

run_wrk() { # name url duration -> wrk output file
  local out="$WORK/wrk-$1-$(date +%s%N).txt"
  TOKENS_FILE="$TOKENS" timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency -s "$REF/post.lua" "$2" >"$out" 2>&1 \
    || { log "wrk failed against $1"; cat "$out" >&2; exit 1; }
  echo "$out"
}


declare -A URL=([dotnet]="http://127.0.0.1:$DOTNET_PORT/api/integration-app/token" [node]="http://127.0.0.1:$NODE_PORT/api/integration-app/token")
declare -A PID_OF=([dotnet]="$DOTNET_PID" [node]="$NODE_PID")
declare -A SUM_RPS=([dotnet]=0 [node]=0)

for name in dotnet node; do
  log "warm-up: $name (5 s)"
  run_wrk "$name" "${URL[$name]}" 5s >/dev/null
done

RESULTS="$WORK/results.tsv"
printf 'round\tserver\treq/s\tp50 ms\tp99 ms\tnon-2xx\tpeak RSS MB\n' >"$RESULTS"
for ((round = 1; round <= ROUNDS; round++)); do
  for name in dotnet node; do
    out="$(run_wrk "$name" "${URL[$name]}" "$DURATION")"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
    bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
    errors="$(awk '/Socket errors:/ { print }' "$out")"
    [[ -n "$errors" ]] && log "$name round $round: $errors"
    rss="$(vmhwm_mb "${PID_OF[$name]}")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$rps" "$p50" "$p99" "${bad:-0}" "$rss" >>"$RESULTS"
    SUM_RPS[$name]="$(awk -v a="${SUM_RPS[$name]}" -v b="$rps" 'BEGIN { print a + b }')"
    log "round $round $name: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx ${bad:-0}, peak RSS $rss MB"
  done
done

# --- report -----------------------------------------------------------------------------------------------------
echo
echo "## Loopback load: POST /api/integration-app/token, $CONNECTIONS connections, $THREADS wrk thread(s), $DURATION per round, $ROUNDS rounds (alternating)"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dotnet $(dotnet --version) (server published ReadyToRun: $R2R), node $(node --version), wrk $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')"
echo
column -t -s $'\t' "$RESULTS"
echo
dot="$(awk -v s="${SUM_RPS[dotnet]}" -v n="$ROUNDS" 'BEGIN { printf "%.0f", s / n }')"
nod="$(awk -v s="${SUM_RPS[node]}" -v n="$ROUNDS" 'BEGIN { printf "%.0f", s / n }')"
echo "mean req/s: dotnet $dot, node $nod, ratio dotnet/node $(awk -v a="$dot" -v b="$nod" 'BEGIN { printf "%.2f", a / b }')"
echo "peak RSS (VmHWM, whole run incl. warm-up): dotnet $(vmhwm_mb "$DOTNET_PID") MB, node $(vmhwm_mb "$NODE_PID") MB"
echo "cold start to first 200 (published server, $COLD_STARTS starts): /api/health median $(median "${COLD_HEALTH[@]}") ms [${COLD_HEALTH[*]}]; token route (incl. OIDC metadata fetch) median $(median "${COLD_TOKEN[@]}") ms [${COLD_TOKEN[*]}]"
echo "node reference start to first 200 in the same run (yardstick): median $(median "${COLD_NODE[@]}") ms [${COLD_NODE[*]}]"
echo "dotnet log lines: $(wc -l <"$WORK/dotnet.log"), node log lines: $(wc -l <"$WORK/node.log")"
