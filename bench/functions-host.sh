#!/usr/bin/env bash
# The published Functions worker under the host stand-in (tests/ConnectIssuer.FunctionsHost) beside the published
# Kestrel server, in one run: cold start (alternating, median of COLD_STARTS) and requests/s under the same wrk load
# (alternating rounds). Same OIDC issuer (bench/reference/issuer.mjs), same caller tokens, same settings for both.
# Usage: bench/functions-host.sh   (from anywhere; needs dotnet, node/npm, curl; installs wrk with apt-get if missing)
# Knobs (environment): DURATION=15s HEALTH_DURATION=10s WARMUP=15s HEALTH_WARMUP=5s CONNECTIONS=32 THREADS=1 ROUNDS=2 CUSTOMERS=32 COLD_STARTS=5
#                      ISSUER_PORT=18311 SERVER_PORT=18312 FUNCTIONS_PORT=18313
# Only 127.0.0.1 is ever contacted. Every process started here is stopped by PID on exit; the stand-in gets SIGINT
# (its Ctrl+C path sends worker_terminate and waits for the worker), then its worker and itself are killed if alive.
#
# The stand-in's requests/s are informational: its HTTP front buffers each response and waits for the invocation
# result over gRPC; it is not Azure's front end.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # sets ROOT, REF, AUDIENCE, WORKSPACE_*, PERMITS_PER_MINUTE, PIDS
DURATION="${DURATION:-15s}"
HEALTH_DURATION="${HEALTH_DURATION:-10s}"
# The stand-in is a plain (JIT, not ReadyToRun) build and the worker's invocation path is cold: with a 5 s warm-up its
# first token round ran at about half the second one's rate in two runs, so it is warmed up longer.
WARMUP="${WARMUP:-15s}"
HEALTH_WARMUP="${HEALTH_WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
ROUNDS="${ROUNDS:-2}"
CUSTOMERS="${CUSTOMERS:-32}"
COLD_STARTS="${COLD_STARTS:-5}"
ISSUER_PORT="${ISSUER_PORT:-18311}"
SERVER_PORT="${SERVER_PORT:-18312}"
FUNCTIONS_PORT="${FUNCTIONS_PORT:-18313}"
TOKEN_PATH="/api/integration-app/token"

WORK="$(mktemp -d -t bench-functions-XXXXXX)"
STANDINS=()      # stand-in processes (each with a worker child); plain processes (issuer, server) are in PIDS

# SIGTERM stops the stand-in's internal servers but not its process, and leaves the worker running (checked);
# SIGINT is its Ctrl+C path: worker_terminate, a 5 s grace period, then it exits. Whatever is still alive after
# 10 s (the worker, found as the stand-in's child, and the stand-in) is killed.
stop_standin() {
  local pid="$1" workers
  workers="$(pgrep -P "$pid" 2>/dev/null || true)"
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  for w in $workers; do
    if alive "$w"; then log "worker $w still running after the stand-in's SIGINT; killing it"; kill -9 "$w" 2>/dev/null || true; fi
  done
  if alive "$pid"; then log "stand-in $pid still running after SIGINT; killing it"; kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid" STANDINS
}

cleanup() {
  local pid
  for pid in "${STANDINS[@]}"; do stop_standin "$pid"; done
  cleanup_pids
  rm -rf "$WORK"
}
on_exit cleanup

# --- prerequisites ------------------------------------------------------------------------------------------
require_tools dotnet node curl pgrep
ensure_wrk
require_free_ports ISSUER_PORT SERVER_PORT FUNCTIONS_PORT
ensure_reference
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- publish and build (nothing is built while timing) ----------------------------------------------------------
log "publishing the server (Release, ReadyToRun, as bench/load.sh)"
SERVER_DIR="$WORK/server"
publish_server "$ROOT" "$SERVER_DIR"

# Exactly as test.sh publishes it (the csproj sets ReadyToRun, linux-x64, framework-dependent, invariant globalization).
log "publishing the Functions app (dotnet publish src/ConnectIssuer.Functions -c Release -o <dir>)"
FUNCTIONS_DIR="$WORK/functions"
dotnet publish "$ROOT/src/ConnectIssuer.Functions" -c Release -o "$FUNCTIONS_DIR" -v quiet -nologo \
  >"$WORK/publish-functions.log" 2>&1 || { cat "$WORK/publish-functions.log" >&2; exit 1; }
[[ -f "$FUNCTIONS_DIR/functions.metadata" ]] || { log "the Functions publish has no functions.metadata"; exit 1; }

log "building the stand-in (Release)"
dotnet build "$ROOT/tests/ConnectIssuer.FunctionsHost" -c Release -v quiet -nologo >"$WORK/build-standin.log" 2>&1 \
  || { cat "$WORK/build-standin.log" >&2; exit 1; }
STANDIN_DLL="$ROOT/tests/ConnectIssuer.FunctionsHost/bin/Release/net10.0/ConnectIssuer.FunctionsHost.dll"
[[ -f "$STANDIN_DLL" ]] || { log "no $STANDIN_DLL"; exit 1; }

# --- issuer and tokens --------------------------------------------------------------------------------------
TOKENS="$WORK/tokens.txt"
start_issuer "$ISSUER_PORT" "$AUDIENCE" "$CUSTOMERS" "$TOKENS" "$WORK/issuer.log"

# --- one set of settings for both hosts -----------------------------------------------------------------------
# Those of bench/load.sh (caller_settings in bench/lib.sh: the limiter runs on every request but never refuses), plus
# Microsoft.AspNetCore at Warning: the server's published appsettings.json sets it; the Functions app has no
# appsettings.json, so it gets the same level as an app setting (without it the worker sends ~8 framework lines per
# request to the host).
caller_settings "$ISSUER_PORT"
SETTINGS+=("Logging__LogLevel__Microsoft.AspNetCore=Warning")
# local.settings.json for the stand-in: the same values, plus AZURE_FUNCTIONS_ENVIRONMENT=Production (the stand-in's
# Program.cs sets Development as Core Tools does; a Values entry wins, and Azure leaves it unset = Production).
SETTINGS_FILE="$WORK/local.settings.json"
{
  printf '{\n  "IsEncrypted": false,\n  "Values": {\n    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",\n'
  printf '    "AZURE_FUNCTIONS_ENVIRONMENT": "Production"'
  for kv in "${SETTINGS[@]}"; do printf ',\n    "%s": "%s"' "${kv%%=*}" "${kv#*=}"; done
  printf '\n  }\n}\n'
} >"$SETTINGS_FILE"

start_server() {
  # From its publish folder (the content root, as in a deployment), Production, settings as environment variables.
  start_published_server "$SERVER_DIR" "$SERVER_PORT" Production "$WORK/server.log" "${SETTINGS[@]}"
  SERVER_PID="$STARTED_PID"
}

start_standin() { # log file
  # env --default-signal=INT: a background job of a non-interactive shell starts with SIGINT ignored, and .NET keeps
  # an ignored SIGINT ignored, which would disable the stand-in's Ctrl+C (clean stop) path.
  dotnet_env
  env -i --default-signal=INT "${DOTNET_ENV[@]}" \
    dotnet "$STANDIN_DLL" --port "$FUNCTIONS_PORT" --settings "$SETTINGS_FILE" --app "$FUNCTIONS_DIR" >"$1" 2>&1 &
  STANDINS+=("$!")
  STANDIN_PID="$!"
}

timing() { # log-file key -> value from the stand-in's "standin-timings" line
  sed -nE "s/^standin-timings .*\\b$2=([0-9]+).*/\\1/p" "$1" | head -n 1
}

# --- cold start, alternating: the stand-in + worker, then the server ---------------------------------------------
HEALTH_URL_F="http://127.0.0.1:$FUNCTIONS_PORT/api/health"
TOKEN_URL_F="http://127.0.0.1:$FUNCTIONS_PORT$TOKEN_PATH"
HEALTH_URL_S="http://127.0.0.1:$SERVER_PORT/api/health"
TOKEN_URL_S="http://127.0.0.1:$SERVER_PORT$TOKEN_PATH"
AUTH=(-H "Authorization: Bearer $BEARER" -H 'Content-Type: application/json' -d '{}')
F_HOST=(); F_LOADED=(); F_FRONT=(); F_HEALTH=(); F_TOKEN=(); F_TOTAL=(); S_HEALTH=(); S_TOKEN=()
for ((i = 1; i <= COLD_STARTS; i++)); do
  out="$WORK/standin-cold-$i.log"
  t0="$(now_ms)"
  start_standin "$out"
  wait_200 GET "$HEALTH_URL_F" 1500 || { log "the stand-in did not serve /api/health"; tail -30 "$out" >&2; exit 1; }
  t1="$(now_ms)"
  wait_200 POST "$TOKEN_URL_F" 250 "${AUTH[@]}" || { log "token route failed on the stand-in"; tail -30 "$out" >&2; exit 1; }
  t2="$(now_ms)"
  for _ in $(seq 1 100); do grep -q '^standin-timings ' "$out" && break; sleep 0.05; done
  ws="$(timing "$out" worker_started_unix_ms)"
  [[ -n "$ws" ]] || { log "no standin-timings line"; tail -30 "$out" >&2; exit 1; }
  F_HOST+=($((ws - t0)))
  F_LOADED+=("$(timing "$out" all_loaded_ms)")
  F_FRONT+=("$(timing "$out" front_listening_ms)")
  F_HEALTH+=($((t1 - ws)))
  F_TOKEN+=($((t2 - ws)))
  F_TOTAL+=($((t1 - t0)))
  log "functions cold start $i: stand-in to worker start ${F_HOST[-1]} ms; worker start to all loaded ${F_LOADED[-1]} ms, to front listening ${F_FRONT[-1]} ms, to first 200 health ${F_HEALTH[-1]} ms, token ${F_TOKEN[-1]} ms"
  stop_standin "$STANDIN_PID"

  t0="$(now_ms)"
  start_server
  wait_200 GET "$HEALTH_URL_S" 500 || { log "server did not start"; tail -20 "$WORK/server.log" >&2; exit 1; }
  t1="$(now_ms)"
  wait_200 POST "$TOKEN_URL_S" 250 "${AUTH[@]}" || { log "token route failed on the server"; tail -20 "$WORK/server.log" >&2; exit 1; }
  t2="$(now_ms)"
  S_HEALTH+=($((t1 - t0)))
  S_TOKEN+=($((t2 - t0)))
  log "server cold start $i: first 200 health ${S_HEALTH[-1]} ms, token ${S_TOKEN[-1]} ms"
  stop_pid "$SERVER_PID"
done

# --- load, alternating rounds -------------------------------------------------------------------------------------
STANDIN_LOG="$WORK/standin-load.log"
start_standin "$STANDIN_LOG"
start_server
wait_200 GET "$HEALTH_URL_F" 1500 || { log "the stand-in did not start"; tail -30 "$STANDIN_LOG" >&2; exit 1; }
wait_200 GET "$HEALTH_URL_S" 500 || { log "server did not start"; tail -20 "$WORK/server.log" >&2; exit 1; }
WORKER_PID="$(timing "$STANDIN_LOG" worker_pid)"
[[ -n "$WORKER_PID" ]] || WORKER_PID="$(pgrep -P "$STANDIN_PID" | head -n 1)"
STANDIN_LINES_BEFORE="$(wc -l <"$STANDIN_LOG")"
SERVER_LINES_BEFORE="$(wc -l <"$WORK/server.log")"


run_wrk() { # route host duration -> wrk output file
  local base out
  [[ "$2" == functions ]] && base="http://127.0.0.1:$FUNCTIONS_PORT" || base="http://127.0.0.1:$SERVER_PORT"
  out="$WORK/wrk-$1-$2-$(date +%s%N).txt"
  if [[ "$1" == token ]]; then
    TOKENS_FILE="$TOKENS" TOKEN_PATH="$TOKEN_PATH" wrk_bounded -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency \
      -s "$REF/post.lua" "$base$TOKEN_PATH" >"$out" 2>&1 || { log "wrk failed against $2"; cat "$out" >&2; exit 1; }
  else
    wrk_bounded -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency "$base/api/health" >"$out" 2>&1 \
      || { log "wrk failed against $2"; cat "$out" >&2; exit 1; }
  fi
  echo "$out"
}

for name in functions server; do
  log "warm-up: $name ($WARMUP token, $HEALTH_WARMUP health)"
  run_wrk token "$name" "$WARMUP" >/dev/null
  run_wrk health "$name" "$HEALTH_WARMUP" >/dev/null
done

RESULTS="$WORK/results.tsv"
printf 'route\tround\thost\treq/s\tp50 ms\tp99 ms\tnon-2xx\n' >"$RESULTS"
declare -A SUM=([token-functions]=0 [token-server]=0 [health-functions]=0 [health-server]=0)
for route in token health; do
  [[ "$route" == token ]] && duration="$DURATION" || duration="$HEALTH_DURATION"
  for ((round = 1; round <= ROUNDS; round++)); do
    for name in functions server; do
      out="$(run_wrk "$route" "$name" "$duration")"
      rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
      p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
      p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
      bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
      errors="$(awk '/Socket errors:/ { print }' "$out")"
      if [[ -n "$errors" ]]; then log "$route $name round $round: $errors"; fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$route" "$round" "$name" "$rps" "$p50" "$p99" "${bad:-0}" >>"$RESULTS"
      SUM[$route-$name]="$(awk -v a="${SUM[$route-$name]}" -v b="$rps" 'BEGIN { print a + b }')"
      log "$route round $round $name: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx ${bad:-0}"
    done
  done
done

# --- report -----------------------------------------------------------------------------------------------------
mean() { awk -v s="$1" -v n="$ROUNDS" 'BEGIN { printf "%.0f", s / n }'; }
echo
echo "## Functions worker under the host stand-in vs the Kestrel server (one run)"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); load average at start: $LOAD_AT_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dotnet $(dotnet --version), wrk $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }'); both Production, Oidc callers (bench/reference/issuer.mjs), same settings"
echo
echo "### Cold start ($COLD_STARTS starts each, alternating; medians, then every start in order)"
echo "functions: stand-in process start -> worker process start (stand-in's runtime + gRPC server; not worker time): $(median "${F_HOST[@]}") ms [${F_HOST[*]}]"
echo "functions: worker process start -> all functions loaded (stand-in's Stopwatch): $(median "${F_LOADED[@]}") ms [${F_LOADED[*]}]"
echo "functions: worker process start -> HTTP front listening (after the worker's Kestrel accepts): $(median "${F_FRONT[@]}") ms [${F_FRONT[*]}]"
echo "functions: worker process start -> first 200 /api/health (curl): $(median "${F_HEALTH[@]}") ms [${F_HEALTH[*]}]"
echo "functions: worker process start -> first 200 token route (curl, incl. OIDC metadata fetch): $(median "${F_TOKEN[@]}") ms [${F_TOKEN[*]}]"
echo "functions: stand-in process start -> first 200 /api/health (everything): $(median "${F_TOTAL[@]}") ms [${F_TOTAL[*]}]"
echo "server:    process start -> first 200 /api/health: $(median "${S_HEALTH[@]}") ms [${S_HEALTH[*]}]"
echo "server:    process start -> first 200 token route (incl. OIDC metadata fetch): $(median "${S_TOKEN[@]}") ms [${S_TOKEN[*]}]"
echo
echo "### Load ($CONNECTIONS connections, $THREADS wrk thread(s), token $DURATION / health $HEALTH_DURATION per round, $ROUNDS rounds alternating, after a warm-up of $WARMUP token + $HEALTH_WARMUP health on each)"
column -t -s $'\t' "$RESULTS"
echo
for route in token health; do
  f="$(mean "${SUM[$route-functions]}")"; s="$(mean "${SUM[$route-server]}")"
  echo "$route: mean req/s functions (stand-in) $f, server $s, ratio functions/server $(awk -v a="$f" -v b="$s" 'BEGIN { printf "%.2f", a / b }')"
done
echo "peak RSS (VmHWM, load phase incl. warm-up): worker $(vmhwm_mb "$WORKER_PID") MB + stand-in $(vmhwm_mb "$STANDIN_PID") MB; server $(vmhwm_mb "$SERVER_PID") MB"
echo "log lines during the load phase: stand-in (worker rpc_log + stdout) $(( $(wc -l <"$STANDIN_LOG") - STANDIN_LINES_BEFORE )), server $(( $(wc -l <"$WORK/server.log") - SERVER_LINES_BEFORE ))"
