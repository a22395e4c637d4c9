# Shell helpers shared by bench/load.sh and bench/functions-host.sh (sourced, not run).

log() { printf '%s\n' "$*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

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
