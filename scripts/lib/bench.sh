# Shared helpers for scripts/bench-*: sourced, not run.
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# now_ns: the realtime clock in nanoseconds.
now_ns() { date +%s%N; }

# machine: one line naming the machine the figures come from.
machine() {
  local cpu
  cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "$(nproc) cores ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), $(java -version 2>&1 | head -1)"
}

# expected_value FILE KEY: a value from a FILE.expected written by 'udpknock_bench generate-flood'.
expected_value() { awk -v key="$2" '$1 == key { print $2 }' "$1"; }

# verdict CONDITION_TEXT OK: prints MET or MISSED.
verdict() { if [ "$2" -eq 1 ]; then echo "MET"; else echo "MISSED"; fi; }

# proc_cpu_seconds PID / proc_peak_rss_mb PID: from /proc, read before the process stops.
proc_cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
proc_peak_rss_mb() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# wait_for TEXT FILE SECONDS: until FILE contains TEXT.
wait_for() {
  local deadline=$(( SECONDS + $3 ))
  until grep -q "$1" "$2" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { say "no '$1' in $2 after $3 s"; return 1; }
    sleep 0.05
  done
}

# free_tcp_port: a TCP port free on loopback now (for a server's --service-port).
free_tcp_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 2299
}

BENCH_WORK="$(mktemp -d /tmp/udpknock-bench.XXXXXX)"
bench_cleanup() {
  local pid
  for pid in $(jobs -p); do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$BENCH_WORK"
}
trap bench_cleanup EXIT
UDPKNOCK=(java -jar "$UDPKNOCK_JAR")
# udpknock_bench ARGS...: the benchmarks' CLI (src/bench/java, org.udpknock.cli.BenchMain):
# 'generate-flood' (a flood capture and FILE.expected) and 'knock' (timed rounds:
# --rounds, --warmup-rounds, --max-pause, --witness-file, --latency-report) and 'redis-floor'
# (Redis's own PUBLISH -> subscriber time, for scripts/bench-fleet); built when stale.
udpknock_bench() { ensure_bench_jar && java ${UDPKNOCK_JAVA_OPTS:-} -jar "$UDPKNOCK_BENCH_JAR" "$@"; }
