#!/usr/bin/env bash
# Before/after on one machine: the published server built from BASE (a git commit) against the one built from this
# working tree, side by side, in alternating wrk rounds on two routes:
#   token  POST /api/integration-app/token  in-process work only: caller validation, mint, audit
#   alloy  POST /api/alloy/token            one vendor call per request through the vendor HTTP stack, against the
#                                           sandbox's Alloy simulation served by a third (Development) server
# Each round runs base and head back to back (the order flips every round) and reports head/base; the spread of
# that ratio over the rounds is the noise to read a difference against.
# Each run also reports the server process's CPU time per request (user + system over the wrk run), which does not
# depend on how the two cores are shared with wrk and the vendor sandbox.
# Usage: BASE=<commit> bench/compare.sh     (needs dotnet, node/npm, curl, git; installs wrk with apt-get if missing)
#        BASE=<commit> HEAD_REF=<commit> bench/compare.sh   compares two commits (a bisection step); the vendor
#        sandbox is still served by this working tree's build
# Knobs (environment): DURATION=10s CONNECTIONS=16 THREADS=1 ROUNDS=4 CUSTOMERS=32 ISSUER_PORT=18311
#                      BASE_PORT=18312 HEAD_PORT=18313 VENDOR_PORT=18314
# Only 127.0.0.1 is ever contacted. Every process started here is stopped by PID on exit.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # sets ROOT, REF, AUDIENCE, WORKSPACE_*, PERMITS_PER_MINUTE, PIDS
BASE="${BASE:?set BASE to the commit to compare against, e.g. BASE=HEAD~5}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-1}"
ROUNDS="${ROUNDS:-4}"
CUSTOMERS="${CUSTOMERS:-32}"
ISSUER_PORT="${ISSUER_PORT:-18311}"
BASE_PORT="${BASE_PORT:-18312}"
HEAD_PORT="${HEAD_PORT:-18313}"
VENDOR_PORT="${VENDOR_PORT:-18314}"
# The sandbox's Alloy simulation accepts only its own development key (src/ConnectIssuer.Sandbox/SandboxExtensions.cs).
ALLOY_KEY="sandbox-fake-alloy-api-key-not-a-real-credential"

WORK="$(mktemp -d -t bench-compare-XXXXXX)"
BASE_TREE="$WORK/base-src"
HEAD_TREE="$ROOT"
[[ -n "${HEAD_REF:-}" ]] && HEAD_TREE="$WORK/head-src"

cleanup() {
  cleanup_pids
  git -C "$ROOT" worktree remove --force "$BASE_TREE" >/dev/null 2>&1 || true
  [[ "$HEAD_TREE" == "$ROOT" ]] || git -C "$ROOT" worktree remove --force "$HEAD_TREE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
on_exit cleanup

# --- prerequisites --------------------------------------------------------------------------------------------
require_tools dotnet node curl git
ensure_wrk
require_free_ports ISSUER_PORT BASE_PORT HEAD_PORT VENDOR_PORT
ensure_reference
BASE_SHA="$(git -C "$ROOT" rev-parse --short "$BASE^{commit}")"
if [[ -n "${HEAD_REF:-}" ]]; then
  HEAD_SHA="$(git -C "$ROOT" rev-parse --short "$HEAD_REF^{commit}")"
else
  HEAD_SHA="$(git -C "$ROOT" rev-parse --short HEAD)"
  git -C "$ROOT" diff --quiet HEAD -- src || HEAD_SHA="$HEAD_SHA+changes"
fi

# --- publish both (ReadyToRun, as bench/load.sh) ----------------------------------------------------------------
git -C "$ROOT" worktree add --detach "$BASE_TREE" "$BASE" >/dev/null 2>&1 || { log "cannot check out $BASE"; exit 1; }
log "publishing base $BASE_SHA and head $HEAD_SHA"
if [[ "$HEAD_TREE" != "$ROOT" ]]; then
  git -C "$ROOT" worktree add --detach "$HEAD_TREE" "$HEAD_REF" >/dev/null 2>&1 || { log "cannot check out $HEAD_REF"; exit 1; }
fi
publish_server "$BASE_TREE" "$WORK/base"
publish_server "$HEAD_TREE" "$WORK/head"
VENDOR_BUILD="$WORK/head"
if [[ "$HEAD_TREE" != "$ROOT" ]]; then
  VENDOR_BUILD="$WORK/vendor"
  publish_server "$ROOT" "$VENDOR_BUILD"
fi

# --- issuer and tokens -----------------------------------------------------------------------------------------
TOKENS="$WORK/tokens.txt"
start_issuer "$ISSUER_PORT" "$AUDIENCE" "$CUSTOMERS" "$TOKENS" "$WORK/issuer.log"

# --- servers ----------------------------------------------------------------------------------------------------
declare -A PID_OF PORT_OF=([base]="$BASE_PORT" [head]="$HEAD_PORT")

# The vendor: this working tree's build in Development with its sandbox on, used only for its Alloy simulation.
start_published_server "$VENDOR_BUILD" "$VENDOR_PORT" Development "$WORK/vendor.log" Logging__LogLevel__Default=Warning
wait_200 GET "http://127.0.0.1:$VENDOR_PORT/api/health" 500 || { log "vendor sandbox did not start"; tail -20 "$WORK/vendor.log" >&2; exit 1; }

# Production settings from environment variables only (those of bench/load.sh, plus the Alloy route against the
# vendor); each runs from its publish folder, the content root, as in a deployment.
caller_settings "$ISSUER_PORT"
SETTINGS+=(
  "Alloy__BaseUrl=http://127.0.0.1:$VENDOR_PORT/sandbox/alloy"
  "Alloy__UsernamePrefix=bench."
  "Secrets__AlloyApiKey=$ALLOY_KEY"
)
for build in base head; do
  start_published_server "$WORK/$build" "${PORT_OF[$build]}" Production "$WORK/$build.log" "${SETTINGS[@]}"
  PID_OF[$build]="$STARTED_PID"
done
for build in base head; do
  url="http://127.0.0.1:${PORT_OF[$build]}"
  wait_200 GET "$url/api/health" 500 || { log "$build did not start"; tail -20 "$WORK/$build.log" >&2; exit 1; }
  for path in /api/integration-app/token /api/alloy/token; do
    wait_200 POST "$url$path" 250 -H "Authorization: Bearer $BEARER" -H 'Content-Type: application/json' -d '{}' \
      || { log "$build: $path does not answer 200"; tail -20 "$WORK/$build.log" >&2; exit 1; }
  done
done

# --- rounds ------------------------------------------------------------------------------------------------------
declare -A PATH_OF=([token]=/api/integration-app/token [alloy]=/api/alloy/token)
run_wrk() { # build route duration -> wrk output file
  local out="$WORK/wrk-$1-$2-$(date +%s%N).txt"
  TOKENS_FILE="$TOKENS" TOKEN_PATH="${PATH_OF[$2]}" wrk_bounded -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency \
    -s "$REF/post.lua" "http://127.0.0.1:${PORT_OF[$1]}${PATH_OF[$2]}" >"$out" 2>&1 \
    || { log "wrk failed against $1 $2"; cat "$out" >&2; exit 1; }
  echo "$out"
}

for route in token alloy; do
  for build in base head; do
    log "warm-up: $build $route (5 s)"
    run_wrk "$build" "$route" 5s >/dev/null
  done
done

RESULTS="$WORK/results.tsv"
RATIOS="$WORK/ratios.tsv"
CPU_RATIOS="$WORK/cpu-ratios.tsv"
printf 'round\troute\tbuild\treq/s\tp50 ms\tp99 ms\tnon-2xx\tcpu us/req\n' >"$RESULTS"
: >"$RATIOS"
: >"$CPU_RATIOS"
for ((round = 1; round <= ROUNDS; round++)); do
  order=(base head)
  (( round % 2 == 0 )) && order=(head base)
  for route in token alloy; do
    declare -A RPS=() CPU=()
    for build in "${order[@]}"; do
      cpu_before="$(cpu_ms "${PID_OF[$build]}")"
      out="$(run_wrk "$build" "$route" "$DURATION")"
      cpu_after="$(cpu_ms "${PID_OF[$build]}")"
      requests="$(awk '/requests in/ { print $1 }' "$out")"
      cpu="$(awk -v c="$((cpu_after - cpu_before))" -v n="$requests" 'BEGIN { printf "%.1f", c * 1000 / n }')"
      rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
      p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
      p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
      bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
      RPS[$build]="$rps"
      CPU[$build]="$cpu"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$route" "$build" "$rps" "$p50" "$p99" "${bad:-0}" "$cpu" >>"$RESULTS"
      log "round $round $route $build: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx ${bad:-0}, $cpu us CPU/request"
    done
    printf '%s\t%s\n' "$route" "$(awk -v h="${RPS[head]}" -v b="${RPS[base]}" 'BEGIN { printf "%.3f", h / b }')" >>"$RATIOS"
    printf '%s\t%s\n' "$route" "$(awk -v h="${CPU[head]}" -v b="${CPU[base]}" 'BEGIN { printf "%.3f", h / b }')" >>"$CPU_RATIOS"
  done
done

# --- report ------------------------------------------------------------------------------------------------------
echo
echo "## Before/after: base $BASE_SHA vs head $HEAD_SHA, $CONNECTIONS connections, $THREADS wrk thread(s), $DURATION per run, $ROUNDS rounds (order flips each round)"
echo "machine: $(nproc) cores, load average now: $(cut -d' ' -f1-3 /proc/loadavg); dotnet $(dotnet --version), wrk $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')"
echo
column -t -s $'\t' "$RESULTS"
echo
summary() { # file route what
  awk -v r="$2" -v w="$3" -F'\t' '$1 == r { n++; s += $2; if (min == "" || $2 < min) min = $2; if (max == "" || $2 > max) max = $2; all = all " " $2 }
    END { printf "%s: head/base %s mean %.3f, per round [%s ], range %.3f..%.3f\n", r, w, s / n, all, min, max }' "$1"
}
for route in token alloy; do
  summary "$RATIOS" "$route" "req/s"
  summary "$CPU_RATIOS" "$route" "server CPU per request (lower is cheaper)"
done
echo "peak RSS (VmHWM, whole run): base $(vmhwm_mb "${PID_OF[base]}") MB, head $(vmhwm_mb "${PID_OF[head]}") MB"
for build in base head; do
  echo "$build log lines: $(wc -l <"$WORK/$build.log"), of which warnings or errors: $(grep -ciE 'warn|fail|error' "$WORK/$build.log" || true)"
done
