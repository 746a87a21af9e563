#!/usr/bin/env bash
# Test the Debian package on this machine, for real (root needed):
#   bash packaging/test-deb.sh [DEB]
# builds it (packaging/build-deb.sh) unless DEB is given, runs lintian,
# installs it with dpkg -i, checks what it installed (the README's main
# job against the cargo-built binary, the man pages through man, the
# completions in the three shells from where they load them, the
# collector's unit with systemd-analyze, the collector on the installed
# configuration, the plugins.d files), then removes and purges it and
# checks that nothing of it is left. Prints one line per check; exits 1 if
# any failed.
#
# Not root: SKIP, which is a failure when AUDITKIT_REQUIRE_ORACLES=1 (as
# .ci/run sets it), like a test whose tool is missing. A missing tool
# (lintian, man, zsh, fish, systemd-analyze) is the same.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
require="${AUDITKIT_REQUIRE_ORACLES:-0}"

failures=0
skips=0
ok() { echo "test-deb: ok   $*"; }
fail() {
  echo "test-deb: FAIL $*"
  failures=$((failures + 1))
}
skip() {
  if [ "$require" = 1 ]; then
    fail "$* (AUDITKIT_REQUIRE_ORACLES=1 makes a skip a failure)"
  else
    echo "SKIP test-deb: $*"
    skips=$((skips + 1))
  fi
}
# check NAME COMMAND...: ok if the command succeeds, else FAIL with its output.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$name"; else
    fail "$name"
    printf '%s\n' "$out" | sed 's/^/    /' | head -40
  fi
}
finish() {
  if [ "$failures" -gt 0 ]; then
    echo "test-deb: $failures check(s) failed"
    exit 1
  fi
  if [ "$skips" -gt 0 ]; then
    echo "test-deb: no check failed, $skips skipped"
  else
    echo "test-deb: all checks passed"
  fi
  exit 0
}

if [ "$(id -u)" != 0 ]; then
  skip "not root: dpkg -i and dpkg --purge need root"
  finish
fi

# One run at a time on a machine (the package is installed system-wide).
exec 9>/tmp/auditkit-test-deb.lock
flock 9

if dpkg-query -W -f='${Status}' auditkit 2>/dev/null | grep -q 'installed\|config-files'; then
  fail "auditkit is already installed here; this test installs and purges it (dpkg --purge auditkit first)"
  finish
fi

# dpkg with a wait for its lock (apt may be busy with another job).
dpkg_retry() {
  local i out
  for i in $(seq 1 60); do
    if out=$(dpkg "$@" 2>&1); then
      printf '%s\n' "$out"
      return 0
    fi
    if ! grep -qi 'lock' <<<"$out"; then
      printf '%s\n' "$out"
      return 1
    fi
    sleep 5
  done
  printf '%s\n' "$out"
  return 1
}

deb="${1:-}"
if [ -z "$deb" ]; then
  bash packaging/build-deb.sh || {
    fail "build-deb.sh"
    finish
  }
  version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
  deb="${CARGO_TARGET_DIR:-$top/target}/debian/auditkit_${version}-${DEB_REVISION:-1}_$(dpkg --print-architecture).deb"
fi
[ -f "$deb" ] || {
  fail "no package at $deb"
  finish
}
echo "test-deb: testing $deb"

# What the package holds: its files (and links), and its directories that
# do not exist yet (those must go again with it).
mapfile -t files < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's|^\./|/|')
mapfile -t dirs < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep '/$' | sed 's|^\./|/|; s|/$||' | grep .)
new_dirs=()
for d in "${dirs[@]}"; do [ -e "$d" ] || new_dirs+=("$d"); done

# lintian: no error (warnings are printed; the few that do not apply are
# overridden in the package, each with its reason).
if command -v lintian >/dev/null; then
  lint=$(mktemp)
  lintian --fail-on error --display-info --pedantic "$deb" >"$lint" 2>&1
  rc=$?
  tags=$(grep -c '^[EWIPX]:' "$lint")
  if [ "$rc" = 0 ] && ! grep -q '^E:' "$lint"; then ok "lintian: no errors ($tags other tags)"; else
    fail "lintian (status $rc)"
  fi
  grep -v 'running with root privileges' "$lint" | sed 's/^/    /'
  rm -f "$lint"
else
  skip "lintian is not installed (apt-get install lintian)"
fi

# Whatever happens below, the package does not stay installed.
installed=0
cleanup() { [ "$installed" = 1 ] && dpkg_retry --purge auditkit >/dev/null 2>&1; }
trap cleanup EXIT

if out=$(dpkg_retry -i "$deb"); then
  installed=1
  ok "dpkg -i"
else
  fail "dpkg -i"
  printf '%s\n' "$out" | sed 's/^/    /'
  finish
fi
check "dpkg: installed" bash -c "dpkg-query -W -f='\${Status}' auditkit | grep -qx 'install ok installed'"
check "dpkg --verify (md5sums of every file)" dpkg --verify auditkit
check "conffiles: the four files under /etc" bash -c \
  "[ \"\$(dpkg-query -W -f='\${Conffiles}\n' auditkit | awk 'NF {print \$1}' | sort | tr '\n' ' ')\" = \
'/etc/audit/plugins.d/auditkit-detect.conf /etc/audit/plugins.d/auditkit-forward.conf /etc/auditkit/collect.toml /etc/auditkit/sigma.d/README ' ]"

# The binary.
version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
check "/usr/bin/auditkit --version is $version" bash -c "[ \"\$(/usr/bin/auditkit --version)\" = 'auditkit $version' ]"
if command -v readelf >/dev/null; then
  # (.debug_gdb_scripts is loaded data, rustc's pretty-printer hint.)
  check "/usr/bin/auditkit is stripped (no .symtab, no debug info)" bash -c \
    "! readelf -SW /usr/bin/auditkit | grep -qE '\.symtab|\.debug_(info|line|str|abbrev)'"
else
  skip "readelf is not installed (binutils): cannot check that the binary is stripped"
fi

# The README's main job, installed binary against the cargo-built one.
ref="${CARGO_TARGET_DIR:-$top/target}/debug/auditkit"
cargo build --locked -p auditkit -q || fail "cargo build (the reference binary)"
main_job() { "$1" search -i -if examples/raw.log -k akgen-exec; }
got=$(main_job /usr/bin/auditkit 2>&1)
got_rc=$?
want=$(main_job "$ref" 2>&1)
want_rc=$?
if [ "$got_rc" = 0 ] && [ "$got" = "$want" ] && [ "$want_rc" = 0 ] && grep -q 'type=EXECVE' <<<"$got"; then
  ok "main job: /usr/bin/auditkit search -i -if examples/raw.log -k akgen-exec = the cargo build's ($(grep -c '^----' <<<"$got") events)"
else
  fail "main job: installed (status $got_rc) and cargo-built (status $want_rc) differ"
  diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -20 | sed 's/^/    /'
fi

# Man pages: man finds and renders each one, with the flags of --help.
if command -v man >/dev/null; then
  check "man auditkit-search renders, with its flags" bash -c \
    "MANPAGER=cat MANWIDTH=80 man auditkit-search 2>&1 | grep -q -- '--executable' &&
     MANPAGER=cat MANWIDTH=80 man auditkit-search | grep -q '^NAME'"
  pages=0 bad=()
  while read -r cmd; do
    if [ "$cmd" = auditkit ]; then page=auditkit; else page="auditkit-${cmd// /-}"; fi
    where=$(man -w "$page" 2>/dev/null)
    if [ "$where" = "/usr/share/man/man1/$page.1.gz" ] &&
      MANPAGER=cat man "$page" 2>/dev/null | grep -q "^NAME"; then
      pages=$((pages + 1))
    else bad+=("$page"); fi
  done < <(/usr/bin/auditkit help --man-pages)
  if [ ${#bad[@]} = 0 ]; then ok "man: all $pages pages installed and rendered"; else fail "man: ${bad[*]}"; fi
else
  skip "man is not installed (apt-get install man-db)"
fi

# Completions, loaded from where each shell looks for them.
check "bash completion (installed file) completes --executable" bash -c \
  'source /usr/share/bash-completion/completions/auditkit &&
   COMP_WORDS=(auditkit search --execu) COMP_CWORD=2 && _auditkit &&
   [ "${COMPREPLY[*]}" = --executable ]'
if command -v zsh >/dev/null; then
  check "zsh -n _auditkit, in zsh's default fpath" bash -c \
    'zsh -f -n /usr/share/zsh/vendor-completions/_auditkit &&
     zsh -f -c "print -l \$fpath" | grep -qx /usr/share/zsh/vendor-completions'
else
  skip "zsh is not installed (apt-get install zsh)"
fi
if command -v fish >/dev/null; then
  fishhome=$(mktemp -d)
  check "fish -n auditkit.fish; fish autoloads it and completes --executable" bash -c \
    "fish --no-config -n /usr/share/fish/vendor_completions.d/auditkit.fish &&
     HOME=$fishhome XDG_CONFIG_HOME=$fishhome XDG_DATA_HOME=$fishhome \
       fish -c 'complete -C\"auditkit search --execu\"' | cut -f1 | grep -qx -- --executable"
  rm -rf "$fishhome"
else
  skip "fish is not installed (apt-get install fish)"
fi

# The collector's unit, as installed.
unit=/lib/systemd/system/auditkit-collect.service
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify $unit (no complaint; its man page found)" bash -c \
    "out=\$(systemd-analyze verify $unit 2>&1) && [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
  check "systemd-analyze security: exposure at most 2.0" \
    systemd-analyze security --offline=true --threshold=20 --no-pager "$unit"
else
  skip "systemd-analyze is not installed (apt-get install systemd)"
fi
check "unit: a dynamic user, no account made" bash -c \
  "grep -qx 'DynamicUser=yes' $unit && ! getent passwd auditkit-collect >/dev/null"

# The collector runs on the installed configuration (the unit's command,
# with a private port and store), and stops cleanly on SIGTERM.
store=$(mktemp -d)
/usr/bin/auditkit collect --config /etc/auditkit/collect.toml --listen 127.0.0.1:0 --store "$store/s" \
  2>"$store/err" &
pid=$!
for _ in $(seq 1 300); do
  grep -q 'listening on' "$store/err" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if grep -q 'listening on 127.0.0.1:' "$store/err"; then
  kill -TERM "$pid"
  wait "$pid"
  rc=$?
  if [ "$rc" = 0 ] && grep -q 'stopped:' "$store/err"; then ok "collect runs on /etc/auditkit/collect.toml and stops on SIGTERM"; else
    fail "collect: status $rc on SIGTERM"
    sed 's/^/    /' "$store/err"
  fi
else
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  fail "collect did not start on /etc/auditkit/collect.toml"
  sed 's/^/    /' "$store/err"
fi
rm -rf "$store"

# The auditd plugins: inactive, pointing at the installed binary, with
# auditd's modes; the detect plugin's rules directory loads.
for conf in /etc/audit/plugins.d/auditkit-detect.conf /etc/audit/plugins.d/auditkit-forward.conf; do
  check "$conf: active = no, path = /usr/bin/auditkit, 0640 root" bash -c \
    "grep -qx 'active = no' $conf && grep -qx 'path = /usr/bin/auditkit' $conf &&
     [ \"\$(stat -c '%a %U' $conf)\" = '640 root' ]"
done
check "auditkit detect --rules /etc/auditkit/sigma.d --check-rules" \
  /usr/bin/auditkit detect --rules /etc/auditkit/sigma.d --check-rules

# Remove: the program goes, the configuration stays; an enabled unit
# (systemctl enable works without a running systemd) leaves no link after
# the purge.
systemctl enable auditkit-collect.service >/dev/null 2>&1 || true
wants=/etc/systemd/system/multi-user.target.wants/auditkit-collect.service
check "systemctl enable made $wants" test -L "$wants"
if out=$(dpkg_retry --remove auditkit); then ok "dpkg --remove"; else
  fail "dpkg --remove"
  printf '%s\n' "$out" | sed 's/^/    /'
fi
check "after remove: /usr/bin/auditkit gone, /etc/auditkit/collect.toml kept" bash -c \
  "[ ! -e /usr/bin/auditkit ] && [ -f /etc/auditkit/collect.toml ]"
if out=$(dpkg_retry --purge auditkit); then
  installed=0
  ok "dpkg --purge"
else
  fail "dpkg --purge"
  printf '%s\n' "$out" | sed 's/^/    /'
fi
left=()
for f in "${files[@]}"; do [ -e "$f" ] || [ -L "$f" ] && left+=("$f"); done
for d in "${new_dirs[@]}"; do [ -e "$d" ] && left+=("$d/"); done
[ -L "$wants" ] && left+=("$wants")
ls /var/lib/dpkg/info/auditkit.* >/dev/null 2>&1 && left+=(/var/lib/dpkg/info/auditkit.*)
if [ ${#left[@]} = 0 ]; then
  ok "after purge: none of the package's ${#files[@]} files and ${#new_dirs[@]} new directories is left, no enable link, no dpkg state"
else
  fail "after purge, left: ${left[*]}"
fi
check "after purge: dpkg knows no auditkit" bash -c "! dpkg-query -W -f='\${Status}' auditkit 2>/dev/null | grep -q 'installed\|config-files'"

finish
