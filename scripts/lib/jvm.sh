# The JVM's options for each udpknock command, in one place for both launchers: scripts/udpknock
# (a clone; through scripts/lib/setup.sh) and /usr/bin/udpknock (the Debian package installs this
# file as /usr/share/udpknock/jvm.sh). Sourced, not run. The caller sets UDPKNOCK_JAR (the jar)
# and UDPKNOCK_CACHE (a directory for the class-data archives, cds/, and JNA's stub, jna/), and may
# set UDPKNOCK_JAVA_HOME (the JDK whose lib/server/libjvm.so the archives are checked against).

ld_cache="${ld_cache:-}"

# A process costs milliseconds of each start (6 to 9 ms each on a machine of 2026-12-03, where a
# JVM hello world took 120 ms): the lookups below answer Debian's usual case with the shell's
# own file tests, and start a process only otherwise.

# java_on_path: sets java to the java command that PATH gives, as 'command -v java' would print it,
# from the shell's table of commands (hash) rather than in a subshell; false when PATH has none.
java_on_path() {
  hash java 2>/dev/null || return 1
  java="${BASH_CMDS[java]}"
}

# java_home JAVA: sets UDPKNOCK_JAVA_HOME to the home of the JDK whose launcher JAVA is. A JDK
# that Debian installs (/usr/lib/jvm/*, default-java among them when default-jdk is installed) is
# recognised by -ef (the same file, through every symbolic link), without readlink's process;
# on a machine without default-java, that process was ~5 ms of each start. Any name of the JDK
# will do: its libjvm.so is the same file through each.
java_home() {
  local home
  for home in /usr/lib/jvm/*; do
    if [ "$1" -ef "$home/bin/java" ]; then
      UDPKNOCK_JAVA_HOME="$home"
      return 0
    fi
  done
  UDPKNOCK_JAVA_HOME="$(readlink -f "$1")"
  UDPKNOCK_JAVA_HOME="${UDPKNOCK_JAVA_HOME%/bin/java}"
}

# library_path SONAME: sets library to the file of the shared library SONAME for this machine's
# architecture, from Debian's multiarch directory where it is there, else from the linker's cache
# (ldconfig -p, read once); false if neither has it.
library_path() {
  local line
  library="/usr/lib/${HOSTTYPE:-}-linux-gnu/$1"
  [ ! -e "$library" ] || return 0
  [ -n "$ld_cache" ] || ld_cache="$(ldconfig -p 2>/dev/null)"
  while IFS= read -r line; do
    case "$line" in *"$1 (libc6,x86-64)"*" => /"*|*"$1 (libc6,AArch64)"*" => /"*)
      library="${line##* => }"
      return 0 ;;
    esac
  done <<<"$ld_cache"
  return 1
}

# The server's memory and JIT options (why: jvm_options below), named once: scripts/bench
# jvm-footprint measures them.
UDPKNOCK_SERVER_HEAP="-Xmx72m -Xmn4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"

# jvm_options SUBCOMMAND [ARGS...]: sets UDPKNOCK_JVM_OPTS, the options to give java before -jar
# for the command line SUBCOMMAND ARGS... (replay's files choose its compilers: start_options).
# The server's memory is bounded by design (about 45 bytes per tracked source, 1,000,000 sources
# by default), but the JVM would grow its heap with the garbage of a flood (libpcap hands over a
# fresh array per packet) before collecting. For the server (README: Performance, scripts/bench
# jvm-footprint): a 72 MB heap, the smallest the default bounds fit (MemoryBudget checks it),
# with a 4 MB young generation, the serial collector, and C1 alone (C2's compilations left ~10 MB
# of resident malloc memory and did not lower the CPU per packet). The other commands keep a
# 128 MB heap: replay's tables are as large, and C2 pays off on a long replay. Replay keeps C2
# from inlining the engine's entry points into their callers (dontinline; CompileCommand=quiet
# keeps its notice off stdout): each hot caller recompiled the whole engine inlined, and C2's
# compilations took more CPU than the engine itself (scripts/bench replay: C2 1.3-1.9 s of CPU
# for 10 M packets, 0.9-1.2 s without; a call per packet costs a few ns). The same for the
# engine's rarer branches, a grant and a reset (grant, drop), which each hot method had inlined
# with the door's event writing behind them: by hand, 10 M packets, alternating runs, 3 of 4
# pairs faster without (medians of 9: 2037 against 2205 ms wall, 3.63 against 3.84 s of CPU).
# The same for the grant's way through the door (Door::grant) and the writing of its line
# (TextEventWriter::granted, ::head): C2 compiled each of them on its own once hot, then again
# inside each caller, the whole chain each time (JFR's compilation events: 0.6 s of C2's 1.0-1.6 s
# went to that chain). By hand, 10 M packets, 12 alternated pairs: C2 1.07 against 1.46 s
# (medians of the first 5, -XX:+CITime), 9 of 12 pairs faster with the three.
# Replay's heap also asks for transparent huge pages (madvise) where the kernel has them: its
# tables and the young generation it fills are a few 2 MB pages instead of thousands of 4 KB ones,
# each a page fault at first touch, and a random lookup in the tables misses the TLB less. By
# hand, 10 M packets, 6 alternated pairs (2026-12-04): 1.17-1.28 s (median 1.235) against
# 1.24-1.47 s (median 1.30), faster in 5 of 6, with less CPU. Where the kernel has none, the JVM
# would warn at each start, so the option is given only when the kernel's switch exists.
# UDPKNOCK_JAVA_OPTS replaces these defaults.
# -XX:+DisplayVMOutputToStderr: the JVM's own output (the thread dump of SIGQUIT) goes to stderr,
# so it never lands in the event stream (--json) on stdout. It is kept whatever the options, as is
# -XX:-RestrictContended: the JVM then pads the classes marked @Contended from their neighbours in
# memory, as it pads its own (see BatchedReplay; without it, the JVM ignores the mark).
# Start-up options (class data sharing, the JIT of short commands, JNA's library; start_options)
# come first, so that UDPKNOCK_JAVA_OPTS can override them.
jvm_options() {
  local heap extra
  case "${1:-}" in
    server) heap="$UDPKNOCK_SERVER_HEAP" ;;
    replay) heap="-Xmx128m -XX:+UseSerialGC -XX:CompileCommand=quiet"
      heap+=" -XX:CompileCommand=dontinline,org.udpknock.core.KnockEngine::onDatagram"
      heap+=" -XX:CompileCommand=dontinline,org.udpknock.core.KnockEngine::onKnock"
      heap+=" -XX:CompileCommand=dontinline,org.udpknock.core.KnockEngine::grant"
      heap+=" -XX:CompileCommand=dontinline,org.udpknock.core.KnockEngine::drop"
      heap+=" -XX:CompileCommand=dontinline,org.udpknock.door.Door::grant"
      heap+=" -XX:CompileCommand=dontinline,org.udpknock.report.TextEventWriter::granted"
      heap+=" -XX:CompileCommand=dontinline,org.udpknock.report.TextEventWriter::head"
      [ ! -e /sys/kernel/mm/transparent_hugepage/enabled ] || heap+=" -XX:+UseTransparentHugePages" ;;
    *) heap="-Xmx128m -XX:+UseSerialGC" ;;
  esac
  start_options "$@"
  read -r -a extra <<<"${UDPKNOCK_JAVA_OPTS:-$heap}"
  UDPKNOCK_JVM_OPTS=(-XX:+DisplayVMOutputToStderr -XX:-RestrictContended "${UDPKNOCK_START_OPTS[@]}" "${extra[@]}")
}

# recorded_after FILE PATH...: whether FILE exists and was written after each PATH that exists was
# put in place: after PATH's modification time and after that of its directory, which changes
# when a file is renamed into it, as dpkg installs one, whatever modification time the file keeps
# (dpkg gives it the package's build time). The shell's own tests: a find of the change times, as
# before, was a process and a subshell, ~8 ms of each start on a machine of 2026-12-04.
recorded_after() {
  local file="$1" path
  shift
  [ -e "$file" ] || return 1
  for path in "$@"; do
    [ -e "$path" ] || continue
    { [ "$file" -nt "$path" ] && [ "$file" -nt "${path%/*}" ]; } || return 1
  done
}

# start_options SUBCOMMAND [ARGS...]: sets UDPKNOCK_START_OPTS to the JVM's start-up options for it.
# Class data sharing (AppCDS): each subcommand has its own archive of the classes it loads,
# $UDPKNOCK_CACHE/cds/NAME.jsa. Its first run after a build (or a JDK upgrade) records one at exit
# (-XX:ArchiveClassesAtExit, into a file of its own pid); a later launch moves it into place once
# the JVM has logged that it wrote it whole, and from then on every start maps it. An archive
# older than the jar or the JVM is never used (a mismatch would only be ignored by the JVM, but a
# cut-short one can crash it): it is recorded again. "Older" is recorded_after's: dpkg gives an
# installed file its package's build time as modification time, older than an archive recorded
# before the upgrade, but the directory it is renamed into changes then. Where the cache
# cannot be written (a user other than root, on an installed system), an archive already there is
# used and none is recorded. UDPKNOCK_CDS=off turns this off. Short commands also compile with C1
# only: they end before C2 pays off, and so does a replay that reads little (replay_reads_much);
# the server's compilers come with its memory options (jvm_options). Every command but the server
# runs without the JVM's performance-data file (-XX:-UsePerfData: a file in /tmp made and removed
# at each run, a few milliseconds of a start); the server keeps it, for jcmd and jstat.
start_options() {
  local key="cli"
  case "${1:-}" in server|knock|replay|interfaces|keygen|check-config|import-knockd) key="$1" ;; esac
  UDPKNOCK_START_OPTS=()
  case "$key" in
    server) ;;
    replay) replay_reads_much "$@" || UDPKNOCK_START_OPTS+=(-XX:TieredStopAtLevel=1) ;;
    *) UDPKNOCK_START_OPTS+=(-XX:TieredStopAtLevel=1) ;;
  esac
  [ "$key" = server ] || UDPKNOCK_START_OPTS+=(-XX:-UsePerfData)
  case "$key" in server|interfaces) libpcap_options ;; esac
  [ "${UDPKNOCK_CDS:-on}" != off ] || return 0
  local dir="$UDPKNOCK_CACHE/cds"
  local archive="$dir/$key.jsa" libjvm="${UDPKNOCK_JAVA_HOME:-/nonexistent}/lib/server/libjvm.so"
  # -Xlog: the JVM's CDS messages would go to stdout, into the event stream.
  local quiet=(-Xlog:cds=off -Xlog:cds+dynamic=off)
  [ ! -w "$dir" ] || promote_archives "$dir" "$key"
  if [ -f "$archive" ] && recorded_after "$archive" "$UDPKNOCK_JAR" "$libjvm"; then
    UDPKNOCK_START_OPTS+=("${quiet[@]}" -XX:SharedArchiveFile="$archive")
  elif mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ]; then
    UDPKNOCK_START_OPTS+=("${quiet[@]}" -XX:ArchiveClassesAtExit="$dir/$key.$$.jsa"
      -Xlog:cds+dynamic=info:file="$dir/$key.$$.log")
  fi
}

# replay_reads_much replay ARGS...: whether the replay reads enough for C2 to pay off: more than
# 256 MiB of regular files, or a FIFO or standard input (of unknown length). Below that, C1 alone
# ends sooner, as C2's compilations share the two threads' cores (by hand, 2026-12-02: 100k
# packets, 5.9 MB, 250-290 against 322-367 ms; 1 M packets, 59 MB, 447-591 against 705-732 ms;
# 10 M packets, 590 MB, C2 ahead, 3.8 against 4.2-5.6 s). An argument that is not a file (an
# option, or an option's value) counts for nothing; a config or key file only adds its size.
replay_reads_much() {
  local arg files=() total=0 size
  shift
  for arg in "$@"; do
    if [ "$arg" = - ] || [ -p "$arg" ]; then
      return 0
    elif [ "${arg:0:1}" != - ] && [ -f "$arg" ]; then
      files+=("$arg")
    fi
  done
  [ "${#files[@]}" -gt 0 ] || return 0 # no file named: picocli says what is missing, whichever compiler
  while read -r size; do total=$((total + size)); done < <(stat -L -c %s -- "${files[@]}" 2>/dev/null)
  [ "$total" -gt $((256 << 20)) ]
}

# libpcap_options: what JNA would look for at each start of a command that captures, found once.
# JNA unpacks its native stub from the jar into a new temporary file at every start (about 35 ms
# here): it is unpacked once per build into $UDPKNOCK_CACHE/jna, and JNA loads it from there
# (jna.boot.library.path; the stub of the same jar, so its version matches). pcap4j asks JNA
# for "pcap", which it finds by listing every library directory: it gets the path from the
# linker's cache instead (org.pcap4j.core.pcapLibName). JNA itself runs 'ldconfig -p' at its
# first use (a process, and 560 lines read in the interpreter: about 20 ms of the server's way to
# libpcap), unless it is given its system library directory: the one libpcap is in
# (jna.platform.library.path; the other libraries are loaded by their sonames). Only on x86-64
# (the stub's and the library's names are those of x86-64), and either is left out when it cannot
# be had (no unzip).
# The stub is current when it was unpacked after the jar was last installed (recorded_after, as
# for the class-data archives).
# Under systemd without the stub, JNA's temporary file goes to the unit's RuntimeDirectory: its
# default, ~/.cache, does not exist for the service's user.
libpcap_options() {
  local dir="$UDPKNOCK_CACHE/jna" stub="com/sun/jna/linux-x86-64/libjnidispatch.so"
  if [ "${HOSTTYPE:-}" = x86_64 ] && { recorded_after "$dir/libjnidispatch.so" "$UDPKNOCK_JAR" || {
    command -v unzip >/dev/null && mkdir -p "$dir" 2>/dev/null \
    && unzip -o -q -j "$UDPKNOCK_JAR" "$stub" -d "$dir" 2>/dev/null && touch "$dir/libjnidispatch.so"; }; }; then
    UDPKNOCK_START_OPTS+=(-Djna.boot.library.path="$dir")
  elif [ -n "${RUNTIME_DIRECTORY:-}" ]; then
    UDPKNOCK_START_OPTS+=(-Djna.tmpdir="${RUNTIME_DIRECTORY%%:*}")
  fi
  [ "${HOSTTYPE:-}" = x86_64 ] || return 0
  local library
  if library_path libpcap.so.0.8; then
    UDPKNOCK_START_OPTS+=(-Dorg.pcap4j.core.pcapLibName="$library" -Djna.platform.library.path="${library%/*}")
  fi
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
    if [ -s "$recorded" ] && recorded_after "$recorded" "$UDPKNOCK_JAR" \
      && grep -q 'Written dynamic archive' "$log"; then
      mv -f "$recorded" "$1/$2.jsa" 2>/dev/null || true
    fi
    rm -f "$log" "$recorded"
  done
}
