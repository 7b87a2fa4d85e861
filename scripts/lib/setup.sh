# Shared set-up for the project's scripts: installs what is missing (as root, with apt-get)
# or says the one command to run. Sourced, not run.

UDPKNOCK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UDPKNOCK_JAR="$UDPKNOCK_ROOT/target/udpknock.jar"
# The benchmarks' CLI (src/bench/java), built beside the product's jar and never shipped in it.
UDPKNOCK_BENCH_JAR="$UDPKNOCK_ROOT/target/udpknock-bench.jar"

say() { printf 'udpknock: %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=0
# apt_install PACKAGE... : installs Debian packages, running 'apt-get update' once first.
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  ld_cache="" # the library checks read ldconfig again
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# need PACKAGE CHECK... : runs CHECK; when it fails, installs PACKAGE as root or explains.
need() {
  local package="$1"; shift
  if "$@" >/dev/null 2>&1; then return 0; fi
  if is_root && command -v apt-get >/dev/null; then
    say "installing $package"
    apt_install "$package"
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
  java="$(command -v java)" || return 1
  java="$(readlink -f "$java")"
  UDPKNOCK_JAVA_HOME="${java%/bin/java}"
  if [ -r "$UDPKNOCK_JAVA_HOME/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) version="${line#JAVA_VERSION=\"}" ;; esac
    done <"$UDPKNOCK_JAVA_HOME/release"
  else
    version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')"
  fi
  [ "${version%%.*}" -ge 17 ] 2>/dev/null
}

# ldconfig -p is read once per script (apt_install forgets it), not once per library, and matched
# in the shell: no pipeline, so no 'grep -q' whose early exit could fail it with SIGPIPE.
has_libpcap() { ld_cache_has 'libpcap.so'; }
ld_cache=""
ld_cache_has() {
  [ -n "$ld_cache" ] || ld_cache="$(ldconfig -p 2>/dev/null)"
  [[ "$ld_cache" == *"$1"* ]]
}

ensure_java() { need default-jdk-headless java_is_17_or_later; }
ensure_maven() { need maven command -v mvn; }
ensure_libpcap() { need libpcap0.8 has_libpcap; }
# The interface-lifecycle tests create a network namespace and a veth pair with ip(8).
ensure_iproute2() { need iproute2 command -v ip; }
# The live scan-guard test sweeps loopback ports with hping3, as an attacker would.
ensure_hping3() { need hping3 command -v hping3; }
has_libnftables() { ld_cache_has 'libnftables.so.1'; }
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
# The launcher unpacks JNA's stub once per build with unzip (libpcap_options); LauncherLibpcapIT checks it.
ensure_unzip() { need unzip command -v unzip; }
# MetricsIT checks the metrics page with promtool, from Debian's prometheus package (12 s to
# install here). Where systemd runs, the package also starts a Prometheus server on :9090; no test uses it.
ensure_promtool() { need prometheus command -v promtool; }

# newer_than JAR DIR...: true when JAR is missing or a file under DIR... or pom.xml is newer.
newer_than() {
  local jar="$1"; shift
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$@" "$UDPKNOCK_ROOT/pom.xml" -newer "$jar" -print -quit)" ]
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
      say "building target/udpknock.jar and target/udpknock-bench.jar"
      mvn -q -B -Dstyle.color=never -f "$UDPKNOCK_ROOT/pom.xml" -DskipTests package >&2
    fi
  ) 9>"$UDPKNOCK_ROOT/target/.build.lock"
}

# start_options SUBCOMMAND: sets UDPKNOCK_START_OPTS to the JVM's start-up options for it.
# Class data sharing (AppCDS): each subcommand has its own archive of the classes it loads,
# target/cds/NAME.jsa. Its first run after a build (or a JDK upgrade) records one at exit
# (-XX:ArchiveClassesAtExit, into a file of its own pid); a later launch moves it into place once
# the JVM has logged that it wrote it whole, and from then on every start maps it. An archive
# older than the jar or the JVM is never used (a mismatch would only be ignored by the JVM, but a
# cut-short one can crash it): it is recorded again. UDPKNOCK_CDS=off turns this off. Short
# commands also compile with C1 only: they end before C2 pays off; the server and replay keep C2.
start_options() {
  local key="cli"
  case "${1:-}" in server|knock|replay|interfaces|keygen|check-config|import-knockd) key="$1" ;; esac
  UDPKNOCK_START_OPTS=()
  case "$key" in server|replay) ;; *) UDPKNOCK_START_OPTS+=(-XX:TieredStopAtLevel=1) ;; esac
  case "$key" in server|interfaces) libpcap_options ;; esac
  [ "${UDPKNOCK_CDS:-on}" != off ] || return 0
  local dir="$UDPKNOCK_ROOT/target/cds"
  local archive="$dir/$key.jsa" libjvm="${UDPKNOCK_JAVA_HOME:-/nonexistent}/lib/server/libjvm.so"
  # -Xlog: the JVM's CDS messages would go to stdout, into the event stream.
  local quiet=(-Xlog:cds=off -Xlog:cds+dynamic=off)
  promote_archives "$dir" "$key"
  if [ "$archive" -nt "$UDPKNOCK_JAR" ] && { [ ! -e "$libjvm" ] || [ "$archive" -nt "$libjvm" ]; }; then
    UDPKNOCK_START_OPTS+=("${quiet[@]}" -XX:SharedArchiveFile="$archive")
  elif mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ]; then
    UDPKNOCK_START_OPTS+=("${quiet[@]}" -XX:ArchiveClassesAtExit="$dir/$key.$$.jsa"
      -Xlog:cds+dynamic=info:file="$dir/$key.$$.log")
  fi
}

# libpcap_options: what JNA would look for at each start of a command that captures, found once.
# JNA unpacks its native stub from the jar into a new temporary file at every start (about 35 ms
# here): it is unpacked once per build into target/jna, and JNA loads it from there
# (jna.boot.library.path; the stub of the same jar, so its version matches). pcap4j asks JNA
# for "pcap", which it finds by listing every library directory: it gets the path from the
# linker's cache instead (org.pcap4j.core.pcapLibName). Only on x86-64 (the stub's and the
# library's names are those of x86-64), and either is left out when it cannot be had (no unzip).
libpcap_options() {
  local dir="$UDPKNOCK_ROOT/target/jna" stub="com/sun/jna/linux-x86-64/libjnidispatch.so" line
  [ "${HOSTTYPE:-}" = x86_64 ] || return 0
  if [ "$dir/libjnidispatch.so" -nt "$UDPKNOCK_JAR" ] || { command -v unzip >/dev/null \
    && mkdir -p "$dir" 2>/dev/null && unzip -o -q -j "$UDPKNOCK_JAR" "$stub" -d "$dir" 2>/dev/null \
    && touch "$dir/libjnidispatch.so"; }; then
    UDPKNOCK_START_OPTS+=(-Djna.boot.library.path="$dir")
  fi
  [ -n "$ld_cache" ] || ld_cache="$(ldconfig -p 2>/dev/null)"
  while IFS= read -r line; do
    case "$line" in *"libpcap.so.0.8 (libc6,x86-64)"*" => /"*)
      UDPKNOCK_START_OPTS+=(-Dorg.pcap4j.core.pcapLibName="${line##* => }"); break ;;
    esac
  done <<<"$ld_cache"
}

# promote_archives DIR KEY: moves the archive a finished JVM wrote whole into place, and removes
# what an unfinished one (killed, or stopped before it wrote the archive) left.
promote_archives() {
  local log pid recorded
  for log in "$1/$2".*.log; do
    [ -e "$log" ] || continue
    recorded="${log%.log}.jsa"
    pid="${recorded%.jsa}"; pid="${pid##*.}"
    ! kill -0 "$pid" 2>/dev/null || continue # still running
    if [ -s "$recorded" ] && [ "$recorded" -nt "$UDPKNOCK_JAR" ] && grep -q 'Written dynamic archive' "$log"; then
      mv -f "$recorded" "$1/$2.jsa" 2>/dev/null || true
    fi
    rm -f "$log" "$recorded"
  done
}
