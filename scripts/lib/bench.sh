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

# expected_value FILE KEY: a value from a FILE.expected written by 'udpknock generate-flood'.
expected_value() { awk -v key="$2" '$1 == key { print $2 }' "$1"; }

# verdict CONDITION_TEXT OK: prints MET or MISSED.
verdict() { if [ "$2" -eq 1 ]; then echo "MET"; else echo "MISSED"; fi; }

BENCH_WORK="$(mktemp -d /tmp/udpknock-bench.XXXXXX)"
bench_cleanup() {
  local pid
  for pid in $(jobs -p); do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$BENCH_WORK"
}
trap bench_cleanup EXIT
UDPKNOCK=(java -jar "$UDPKNOCK_JAR")
