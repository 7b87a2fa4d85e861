# Shared set-up for the project's scripts: installs what is missing (as root, with apt-get)
# or says the one command to run. Sourced, not run.

# Every start runs this, so it starts no process and no subshell: on a machine of 2026-12-04 each
# fork took ~3 ms, each process ~5 ms, and a launcher's ~48 ms before java were mostly those.
UDPKNOCK_ROOT="${BASH_SOURCE[0]%/*}" # dirname without a process
[ "$UDPKNOCK_ROOT" != "${BASH_SOURCE[0]}" ] || UDPKNOCK_ROOT=.
# The clone's root as pwd prints it: there and back with this shell's own cd, not in a subshell.
if CDPATH='' cd -- "$UDPKNOCK_ROOT/../.."; then
  UDPKNOCK_ROOT="$PWD"
  CDPATH='' cd -- "$OLDPWD" || { printf 'udpknock: cannot return to the current directory %s\n' "$OLDPWD" >&2; return 1; }
else
  printf 'udpknock: cannot enter the clone at %s\n' "$UDPKNOCK_ROOT/../.." >&2
  return 1
fi
UDPKNOCK_JAR="$UDPKNOCK_ROOT/target/udpknock.jar"
# The benchmarks' CLI (src/bench/java), built beside the product's jar and never shipped in it.
UDPKNOCK_BENCH_JAR="$UDPKNOCK_ROOT/target/udpknock-bench.jar"

say() { printf 'udpknock: %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=0
# apt_install PACKAGE... : installs Debian packages, running 'apt-get update' once first; apt's and
# dpkg's output (hundreds of lines, debconf's among them) goes to the set-up log, not the terminal.
# The lock timeout lets launchers that start together wait for each other's install.
apt_install() {
  setup_log >/dev/null || return 1
  local log="$UDPKNOCK_SETUP_LOG"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300)
  if [ "$apt_updated" -eq 0 ]; then
    "${apt[@]}" update >>"$log" 2>&1 || true # an install may still succeed from the lists there are
    apt_updated=1
  fi
  ld_cache="" # the library checks read ldconfig again
  "${apt[@]}" install -y --no-install-recommends "$@" >>"$log" 2>&1 </dev/null
}

# setup_log: prints the set-up log's path: target/setup.log of the clone, or a new file under /tmp
# when target/ cannot be written; the first call of a script empties it.
UDPKNOCK_SETUP_LOG=""
setup_log() {
  if [ -z "$UDPKNOCK_SETUP_LOG" ]; then
    if mkdir -p "$UDPKNOCK_ROOT/target" 2>/dev/null && : 2>/dev/null >"$UDPKNOCK_ROOT/target/setup.log"; then
      UDPKNOCK_SETUP_LOG="$UDPKNOCK_ROOT/target/setup.log"
    else
      UDPKNOCK_SETUP_LOG="$(mktemp "${TMPDIR:-/tmp}/udpknock-setup.XXXXXX.log")" || return 1
    fi
  fi
  printf '%s\n' "$UDPKNOCK_SETUP_LOG"
}

# need PACKAGE CHECK... : runs CHECK; when it fails, installs PACKAGE as root (one line on stderr;
# a failed install names its log) or explains.
need() {
  local package="$1"; shift
  if "$@" >/dev/null 2>&1; then return 0; fi
  if is_root && command -v apt-get >/dev/null; then
    setup_log >/dev/null || return 1
    say "installing $package (log: $UDPKNOCK_SETUP_LOG)"
    if ! apt_install "$package"; then
      say "installing $package failed: apt-get's output is in $UDPKNOCK_SETUP_LOG"
      return 1
    fi
    "$@" >/dev/null 2>&1 && return 0
  fi
  say "$package is missing; install it with: sudo apt-get install $package"
  return 1
}

# java_is_17_or_later: read from the release file of the JDK whose java is on PATH, without
# starting a JVM (that probe cost a whole JVM start, about a hello world, on every launch); a java
# without a release file is asked, as before. Sets UDPKNOCK_JAVA_HOME.
java_is_17_or_later() {
  local java line version=""
  java_on_path || return 1
  java_home "$java"
  if [ -r "$UDPKNOCK_JAVA_HOME/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) version="${line#JAVA_VERSION=\"}" ;; esac
    done <"$UDPKNOCK_JAVA_HOME/release"
  else
    version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')"
  fi
  [ "${version%%.*}" -ge 17 ] 2>/dev/null
}

# library_path (jvm.sh) reads ldconfig -p at most once per script (apt_install forgets it), and
# matches it in the shell: no pipeline, so no 'grep -q' whose early exit could fail it with SIGPIPE.
# libpcap.so.0.8 is the library of Debian's libpcap0.8, the one the launcher gives pcap4j.
has_libpcap() { local library; library_path libpcap.so.0.8; }
ld_cache=""

ensure_java() { need default-jdk-headless java_is_17_or_later; }
ensure_maven() { need maven command -v mvn; }
ensure_libpcap() { need libpcap0.8 has_libpcap; }
# The interface-lifecycle tests create a network namespace and a veth pair with ip(8).
ensure_iproute2() { need iproute2 command -v ip; }
# The live scan-guard test sweeps loopback ports with hping3, as an attacker would.
ensure_hping3() { need hping3 command -v hping3; }
has_libnftables() { local library; library_path libnftables.so.1; }
# The kernel-guard tests: the server drives libnftables, the test reads the table with nft.
ensure_nftables() { need nftables command -v nft && need libnftables1 has_libnftables; }
# AuthReplayNamespaceIT captures a knock with tcpdump, re-sends it with scapy (Debian's python3,
# not whichever python3 comes first on PATH) and reads the service port with netcat-openbsd.
ensure_tcpdump() { need tcpdump command -v tcpdump; }
ensure_scapy() { need python3-scapy /usr/bin/python3 -c 'import scapy.all'; }
ensure_netcat() { need netcat-openbsd command -v nc; }
# ForwardSshTest runs a real sshd behind a forward door and a real ssh through it.
ensure_openssh() { need openssh-server test -x /usr/sbin/sshd && need openssh-client command -v ssh; }
# ScannerSeesClosedIT scans the knock and guard ports with nmap -sU and -sS, as an attacker would.
# knockd's package also has its client, knock.
ensure_knockd() { need knockd command -v knock; }
ensure_nmap() { need nmap command -v nmap; }
# SshBehindNftablesIT serves a second guarded port with socat (a listener that forks per connection).
ensure_socat() { need socat command -v socat; }
# The launcher unpacks JNA's stub once per build with unzip (libpcap_options); LauncherLibpcapIT checks it.
ensure_unzip() { need unzip command -v unzip; }
# MetricsIT checks the metrics page with promtool, from Debian's prometheus package (12 s to
# install here). Where systemd runs, the package also starts a Prometheus server on :9090; no test uses it.
ensure_promtool() { need prometheus command -v promtool; }
# The fleet's grant store tests start their own redis-server (and openssl makes their TLS certificates).
ensure_redis() { need redis-server test -x /usr/bin/redis-server && need redis-tools command -v redis-cli && need openssl command -v openssl; }

# newer_than JAR DIR...: true when JAR is missing or pom.xml, or a file or directory under DIR...
# (a directory changes when a file in it is removed), is newer. Bash's own globbing, not find: a
# process and a subshell cost ~9 ms of each start, the glob ~2 ms for the 200 paths of src/main.
newer_than() {
  local jar="$1" dir path found=1 restore=()
  shift
  [ -f "$jar" ] || return 0
  [ ! "$UDPKNOCK_ROOT/pom.xml" -nt "$jar" ] || return 0
  shopt -q globstar || restore+=(globstar)
  shopt -q nullglob || restore+=(nullglob)
  shopt -s globstar nullglob
  for dir in "$@"; do
    for path in "$dir"/**; do
      if [ "$path" -nt "$jar" ]; then
        found=0
        break 2
      fi
    done
  done
  [ "${#restore[@]}" -eq 0 ] || shopt -u "${restore[@]}"
  return "$found"
}

jar_is_stale() { newer_than "$UDPKNOCK_JAR" "$UDPKNOCK_ROOT/src/main"; }
bench_jar_is_stale() {
  jar_is_stale || newer_than "$UDPKNOCK_BENCH_JAR" "$UDPKNOCK_ROOT/src/main" "$UDPKNOCK_ROOT/src/bench"
}

# ensure_jar: builds target/udpknock.jar when it is missing or older than the sources.
ensure_jar() { build_when jar_is_stale; }
# ensure_bench_jar: the same for target/udpknock-bench.jar (one 'mvn package' builds both).
ensure_bench_jar() { build_when bench_jar_is_stale; }

# build_when CHECK: runs 'mvn package' (both jars) when CHECK says a jar is stale.
build_when() {
  "$1" || return 0
  ensure_maven || return 1
  mkdir -p "$UDPKNOCK_ROOT/target"
  (
    # One build at a time when several launchers start together.
    flock 9
    if "$1"; then
      say "building target/udpknock.jar and target/udpknock-bench.jar (log: target/build.log)"
      maven_logged "$UDPKNOCK_ROOT/target/build.log" -DskipTests package
    fi
  ) 9>"$UDPKNOCK_ROOT/target/.build.lock"
}

# maven_logged LOG ARGS...: runs Maven on the project with its whole output in LOG. When it fails,
# prints Maven's [ERROR] lines (its last lines if it wrote none) and one sentence naming LOG.
# (.mvn/jvm.config keeps Maven's jansi from writing a colour reset at exit, even into a file.)
maven_logged() {
  local log="$1"; shift
  if mvn -B -ntp -Dstyle.color=never -f "$UDPKNOCK_ROOT/pom.xml" "$@" >"$log" 2>&1 </dev/null; then
    return 0
  fi
  grep '^\[ERROR\]' "$log" >&2 || tail -n 20 "$log" >&2
  say "the build failed (mvn $*); Maven's full output is in $log"
  return 1
}

# The JVM's options per command (heap, JIT, class data sharing, JNA), kept in one file that the
# Debian package's launcher sources too; its archives and JNA's stub go under target/.
UDPKNOCK_CACHE="$UDPKNOCK_ROOT/target"
. "$UDPKNOCK_ROOT/scripts/lib/jvm.sh"
