# The checks of scripts/test-package, run by bash inside the fresh Debian root it made:
#   bash package-checks.sh /tmp/udpknock_VERSION_all.deb
# Every step says what it checks; the first failure names what went wrong and stops with exit 1.
set -euo pipefail
deb="$1"
cd "$(dirname "$deb")"
deb="./${deb##*/}"
export DEBIAN_FRONTEND=noninteractive

step() { printf 'package test: %s\n' "$*"; }
fail() { printf 'package test: FAILED: %s\n' "$*" >&2; exit 1; }
# apt_get LOG ARGS...: apt-get, its output in /tmp/LOG.log (copied to target/test-package/).
apt_get() {
  local log="/tmp/$1.log"; shift
  apt-get -y -q -o Dpkg::Options::=--force-confold "$@" >"$log" 2>&1 || fail "apt-get $* (log: $(basename "$log"))"
}
# The file system, without what the kernel, the test and apt's own bookkeeping hold.
# dependencies: the Depends and Recommends of the package, the first of each alternative.
dependencies() {
  { dpkg-deb -f "$deb" Depends; dpkg-deb -f "$deb" Recommends; } | tr ',' '\n' \
    | sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' | grep .
}
snapshot() {
  find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /run \) -prune -o -print \
    | sort >"$1"
}

# The package's dependencies first (the first of each alternative), so that the file system
# before udpknock can be compared with the one after its purge: then every new path is its.
step "apt-get install its dependencies: $(dependencies | tr '\n' ' ')"
apt_get dependencies install $(dependencies)
snapshot /tmp/before.list

step "apt-get install $deb"
apt_get install install "$deb"
grep -q "the service is not enabled" /tmp/install.log || fail "the postinst did not say that the service is not enabled"
grep '^udpknock: ' /tmp/install.log
[ ! -e /etc/systemd/system/multi-user.target.wants/udpknock.service ] || fail "the service was enabled on install"
for path in /usr/bin/udpknock /usr/share/udpknock/udpknock.jar /lib/systemd/system/udpknock.service \
  /etc/udpknock/udpknock.toml /usr/share/bash-completion/completions/udpknock; do
  [ -e "$path" ] || fail "$path is not installed"
done

step "the unit: systemd-analyze verify, not enabled"
systemd-analyze verify /lib/systemd/system/udpknock.service >/tmp/verify.log 2>&1 \
  || fail "systemd-analyze verify udpknock.service: $(cat /tmp/verify.log)"
[ "$(systemctl is-enabled udpknock.service 2>&1)" = disabled ] \
  || fail "systemctl is-enabled udpknock: $(systemctl is-enabled udpknock.service 2>&1)"

version="$(dpkg-query -W -f '${Version}' udpknock)"
step "udpknock --version"
[ "$(udpknock --version)" = "udpknock ${version//\~/-}" ] || fail "udpknock --version printed '$(udpknock --version)'"

step "udpknock replay on the shipped capture"
examples=/usr/share/doc/udpknock/examples
udpknock replay "$examples/lo-udpknock-happy.pcap" >/tmp/replay.out
diff -u "$examples/lo-udpknock-happy.events" /tmp/replay.out || fail "replay's events differ from the capture's events file"
grep -q '^[^ ]* granted default 127.0.0.1$' /tmp/replay.out || fail "replay granted no one"

step "class data: the first runs record an archive in /var/cache/udpknock, later ones use it"
udpknock check-config /etc/udpknock/udpknock.toml >/dev/null
udpknock check-config /etc/udpknock/udpknock.toml >/dev/null
[ -s /var/cache/udpknock/cds/check-config.jsa ] || fail "no class-data archive in /var/cache/udpknock/cds"

step "the service's user reads a key file it owns (mode 0600), not root's"
getent passwd udpknock | grep -q ':/nonexistent:/usr/sbin/nologin$' || fail "no system user udpknock: $(getent passwd udpknock)"
grep -q '^User=udpknock$' /lib/systemd/system/udpknock.service || fail "the unit does not run as udpknock"
udpknock keygen /etc/udpknock/ssh.key >/dev/null
cp /etc/udpknock/udpknock.toml /tmp/auth.toml
printf '[[door]]\nname = "signed"\nsequence = [12011, 12012, 12013]\nport = 2224\nsecret_file = "/etc/udpknock/ssh.key"\n' >>/tmp/auth.toml
chmod 644 /tmp/auth.toml
runuser -u udpknock -- udpknock check-config /tmp/auth.toml >/tmp/auth.out 2>&1 \
  && fail "the service's user read root's key file: $(cat /tmp/auth.out)"
grep -q 'ssh.key' /tmp/auth.out || fail "check-config as udpknock did not name the key file: $(cat /tmp/auth.out)"
chown udpknock: /etc/udpknock/ssh.key
runuser -u udpknock -- udpknock check-config /tmp/auth.toml >/tmp/auth.out 2>&1 \
  || fail "check-config as udpknock, its own key file: $(cat /tmp/auth.out)"
rm /etc/udpknock/ssh.key

step "man -w udpknock; man udpknock and man udpknock.toml render"
[ "$(man -w udpknock)" = /usr/share/man/man1/udpknock.1.gz ] || fail "man -w udpknock: $(man -w udpknock 2>&1)"
for page in udpknock udpknock-server udpknock-replay udpknock.toml; do
  MANWIDTH=80 man -P cat "$page" >/tmp/man.out 2>/tmp/man.err || fail "man $page failed: $(cat /tmp/man.err)"
  [ ! -s /tmp/man.err ] || fail "man $page warned: $(cat /tmp/man.err)"
  grep -q '^SYNOPSIS' /tmp/man.out || fail "man $page has no SYNOPSIS"
done
MANWIDTH=80 man -P cat udpknock-server | grep -q -- '--config=FILE' || fail "udpknock-server(1) lacks --config"
MANWIDTH=80 man -P cat udpknock.toml | grep -q 'nft_table' || fail "udpknock.toml(5) lacks nft_table"

step "udpknock check-config /etc/udpknock/udpknock.toml"
udpknock check-config /etc/udpknock/udpknock.toml | tee /tmp/check.out
grep -q 'ok, 1 door' /tmp/check.out || fail "check-config did not pass the shipped config"

step "tab completion: 'udpknock ser<TAB>' and 'udpknock server --con<TAB>'"
# complete WORD...: what bash's completion function gives for the last word, as TAB would.
complete_words() {
  bash -c '. /usr/share/bash-completion/completions/udpknock
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _complete_udpknock udpknock "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
    printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}
[ "$(complete_words udpknock ser)" = server ] || fail "udpknock ser<TAB> gave '$(complete_words udpknock ser)'"
[ "$(complete_words udpknock server --con)" = --config ] \
  || fail "udpknock server --con<TAB> gave '$(complete_words udpknock server --con)'"

step "the admin enables the unit (systemctl enable, offline); the purge must undo it"
systemctl enable udpknock.service >/tmp/enable.log 2>&1 || fail "systemctl enable udpknock: $(cat /tmp/enable.log)"
[ -L /etc/systemd/system/multi-user.target.wants/udpknock.service ] || fail "systemctl enable made no link"

step "a changed conffile survives a reinstall and a remove, and goes with the purge"
echo '# changed by the admin' >>/etc/udpknock/udpknock.toml
apt_get reinstall install --reinstall "$deb"
grep -q '^# changed by the admin$' /etc/udpknock/udpknock.toml || fail "the reinstall replaced the changed conffile"
apt_get remove remove udpknock
[ ! -e /usr/bin/udpknock ] && [ ! -e /usr/share/udpknock ] || fail "remove left the program"
grep -q '^# changed by the admin$' /etc/udpknock/udpknock.toml || fail "remove took the changed conffile"
[ "$(dpkg-query -W -f '${db:Status-Abbrev}' udpknock)" = "rc " ] || fail "after remove, udpknock is not in state rc"
apt_get purge purge udpknock
[ ! -e /etc/udpknock ] || fail "purge left /etc/udpknock: $(ls -A /etc/udpknock)"
[ ! -e /var/cache/udpknock ] || fail "purge left /var/cache/udpknock"
[ ! -L /etc/systemd/system/multi-user.target.wants/udpknock.service ] || fail "purge left the unit enabled"
! dpkg-query -W udpknock >/dev/null 2>&1 || fail "udpknock is still known to dpkg after the purge"

step "nothing of the package is left"
snapshot /tmp/after.list
# Every path the purge left that was not there before the install. Left aside: apt's and dpkg's
# bookkeeping and logs, and man-db's index; /etc is checked above (no /etc/udpknock).
comm -13 /tmp/before.list /tmp/after.list \
  | grep -Ev '^/(etc|var/lib/(dpkg|apt)|var/cache/(apt|debconf|man)|var/log)(/|$)' >/tmp/left.list || true
if [ -s /tmp/left.list ]; then
  fail "left after the purge: $(tr '\n' ' ' </tmp/left.list)"
fi
# man-db's cached pages (/var/cache/man/cat*, made as the pages were read) are its own, and its
# daily job expires them.
if find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /var/cache/man \) -prune \
  -o -name '*udpknock*' -print | grep .; then
  fail "files named udpknock are left after the purge"
fi
step "all checks passed"
