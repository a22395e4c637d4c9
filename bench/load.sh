#!/usr/bin/env bash
# Loopback load comparison: the published ConnectIssuer.Server against the node reference (bench/reference),
# same OIDC issuer, same caller tokens, same wrk load, alternating rounds; plus cold start of the published server.
# Usage: bench/load.sh            (from anywhere; needs dotnet, node/npm, curl; installs wrk with apt-get if missing)
# Knobs (environment): DURATION=15s CONNECTIONS=32 THREADS=1 ROUNDS=2 CUSTOMERS=32 COLD_STARTS=5 READY_TO_RUN=1
#                      ISSUER_PORT=18301 DOTNET_PORT=18302 NODE_PORT=18303 DOTNET_EXTRA_ENV="K=V K2=V2"
# Only 127.0.0.1 is ever contacted. Every process started here is stopped by PID on exit.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # sets ROOT, REF, AUDIENCE, WORKSPACE_*, PERMITS_PER_MINUTE, PIDS
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

WORK="$(mktemp -d -t bench-load-XXXXXX)"
cleanup() {
  cleanup_pids
  rm -rf "$WORK"
}
on_exit cleanup

# --- prerequisites ------------------------------------------------------------------------------------------
require_tools dotnet node curl
ensure_wrk
require_free_ports ISSUER_PORT DOTNET_PORT NODE_PORT
ensure_reference

# --- publish ------------------------------------------------------------------------------------------------
PUBLISH="$WORK/server"
R2R="no"
if [[ "$READY_TO_RUN" == 1 ]] && try_publish_server "$ROOT" "$PUBLISH"; then
  R2R="yes"
else
  [[ "$READY_TO_RUN" == 1 ]] && log "ReadyToRun publish failed (see below); publishing without it" && tail -5 "$PUBLISH.publish.log" >&2
  rm -rf "$PUBLISH"
  publish_server "$ROOT" "$PUBLISH" plain
fi
[[ -x "$PUBLISH/ConnectIssuer.Server" ]] || { log "publish produced no $PUBLISH/ConnectIssuer.Server"; cat "$PUBLISH.publish.log" >&2; exit 1; }

# --- issuer and tokens --------------------------------------------------------------------------------------
TOKENS="$WORK/tokens.txt"
start_issuer "$ISSUER_PORT" "$AUDIENCE" "$CUSTOMERS" "$TOKENS" "$WORK/issuer.log"
caller_settings "$ISSUER_PORT"

# --- servers ------------------------------------------------------------------------------------------------
start_dotnet() {
  # Production settings through environment variables only. It runs from the publish folder, as in a deployment: that
  # is the content root, so the published appsettings.json (Microsoft.AspNetCore at Warning) applies. Started from
  # elsewhere, every request would also log ~10 framework lines at Information.
  # shellcheck disable=SC2086
  start_published_server "$PUBLISH" "$DOTNET_PORT" Production "$WORK/dotnet.log" "${SETTINGS[@]}" ${DOTNET_EXTRA_ENV:-}
  DOTNET_PID="$STARTED_PID"
}

start_node() {
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" NODE_ENV=production PORT="$NODE_PORT" \
    AUTHORITY="http://127.0.0.1:$ISSUER_PORT" AUDIENCE="$AUDIENCE" CUSTOMER_ID_CLAIM=org_id \
    WORKSPACE_KEY="$WORKSPACE_KEY" WORKSPACE_SECRET="$WORKSPACE_SECRET" \
    node "$REF/server.mjs" >>"$WORK/node.log" 2>&1 &
  track_pid "$!"
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
  TOKENS_FILE="$TOKENS" wrk_bounded -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency -s "$REF/post.lua" "$2" >"$out" 2>&1 \
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
