#!/bin/bash
# gen-test-logs.sh OUTDIR
#
# Makes small, real audit logs with the real auditd of this machine, for
# auditkit's tests and its bundled example: execs (incl. from /tmp and a
# long non-ASCII argument that the kernel splits into aN[i] chunks), sudo,
# an ssh login, connects (inet refused, inet accepted, abstract unix), a
# watched file, a failed open (EACCES) and a rule with two keys.
# It writes OUTDIR/raw.log, OUTDIR/enriched.log and OUTDIR/node.log
# (raw with node=), one auditd run each.
#
# Safety: needs root. Never loads -e 2 or -f 2. Holds the kernel lock
# /tmp/auditkit-kernel.lock while it runs, stops an auditd it finds
# running only for its own run (and does not restart it), adds rules
# tagged with keys starting "akgen-" and deletes exactly those at the end.
# Noise from other processes is kept out by filtering on a login uid that
# the script gives its own process tree (auid 1500).
set -u
OUT=${1:?usage: gen-test-logs.sh OUTDIR}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
PY=$(command -v /usr/bin/python3 || command -v python3)  # not a pyenv shim: its helper scripts would flood the log
for t in auditd auditctl sudo sshd ssh ssh-keygen flock; do
  command -v $t >/dev/null || { echo "needs $t (apt-get install -y auditd sudo openssh-server openssh-client)" >&2; exit 2; }
done
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/akgen.XXXXXX)
exec 9>/tmp/auditkit-kernel.lock
flock 9

AUID=1500
USERNAME=akuser
if ! id "$USERNAME" >/dev/null 2>&1; then
  useradd -m -u $AUID -s /bin/bash "$USERNAME"
fi
echo "$USERNAME ALL=(ALL) NOPASSWD: /usr/bin/id, /usr/bin/ls" > /etc/sudoers.d/akgen
chmod 440 /etc/sudoers.d/akgen
UHOME=$(getent passwd $USERNAME | cut -d: -f6)
mkdir -p "$UHOME/.ssh"; rm -f "$WORK/key" "$WORK/key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/key"
cp "$WORK/key.pub" "$UHOME/.ssh/authorized_keys"
chown -R $USERNAME: "$UHOME/.ssh"; chmod 700 "$UHOME/.ssh"; chmod 600 "$UHOME/.ssh/authorized_keys"
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey"
cat > "$WORK/sshd_config" <<CONF
Port 2222
ListenAddress 127.0.0.1
HostKey $WORK/hostkey
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
PidFile $WORK/sshd.pid
CONF

AUDITD_PID=
cleanup() {
  for k in akgen-exec akgen-net akgen-access akgen-watch akgen-del akgen-multi; do
    auditctl -D -k $k >/dev/null 2>&1
  done
  [ -f "$WORK/sshd.pid" ] && kill "$(cat "$WORK/sshd.pid")" 2>/dev/null
  if [ -n "$AUDITD_PID" ]; then kill "$AUDITD_PID" 2>/dev/null; wait "$AUDITD_PID" 2>/dev/null; fi
  rm -f /etc/sudoers.d/akgen
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for p in $(pgrep -x auditd); do echo "stopping running auditd pid $p" >&2; kill "$p"; done
for i in $(seq 50); do pgrep -x auditd >/dev/null || break; sleep 0.2; done

run_auditd() { # $1 = log file, $2 = RAW|ENRICHED, $3 = name_format, $4 = name
  local conf=$WORK/conf; mkdir -p "$conf/plugins.d"
  cat > "$conf/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $1
log_group = root
log_format = $2
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 100
max_log_file_action = IGNORE
space_left = 10
space_left_action = IGNORE
admin_space_left = 5
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
name_format = $3
name = $4
plugin_dir = $conf/plugins.d
q_depth = 4000
end_of_event_timeout = 2
CONF
  chmod 640 "$conf/auditd.conf"
  rm -f "$1"
  /usr/sbin/auditd -n -s enable -c "$conf" & AUDITD_PID=$!
  for i in $(seq 50); do [ "$(auditctl -s | awk '/^pid/{print $2}')" = "$AUDITD_PID" ] && return 0; sleep 0.2; done
  echo "auditd did not start" >&2; exit 1
}

stop_auditd() {
  kill "$AUDITD_PID"; wait "$AUDITD_PID" 2>/dev/null; AUDITD_PID=
}

add_rules() {
  auditctl -a always,exit -F arch=b64 -S execve -F auid=$AUID -k akgen-exec >/dev/null
  auditctl -a always,exit -F arch=b64 -S connect -F auid=$AUID -k akgen-net >/dev/null
  auditctl -a always,exit -F arch=b64 -S openat -F exit=-EACCES -F auid=$AUID -k akgen-access >/dev/null
  auditctl -a always,exit -F arch=b64 -S unlinkat -F auid=$AUID -k akgen-del -k akgen-multi >/dev/null
  auditctl -w "$WORK/watched" -p wa -k akgen-watch >/dev/null
}

activity() { # runs with loginuid $AUID
  cp /bin/true "$WORK/tmp-true"
  "$WORK/tmp-true"
  /bin/ls / >/dev/null
  sh -c 'echo hi >/dev/null'
  LONG=$("$PY" -c 'print(("héllo wörld " * 800)[:9000])')
  /bin/echo "$LONG" >/dev/null
  /bin/echo 'quote"d' $'tab\there' >/dev/null
  echo data > "$WORK/watched"
  rm -f "$WORK/watched"
  runuser -u $USERNAME -- cat /etc/shadow 2>/dev/null
  runuser -u $USERNAME -- sudo -n /usr/bin/id >/dev/null 2>&1
  "$PY" - <<'PY'
import socket
for fam, addr in ((socket.AF_INET, ("127.0.0.1", 9)), (socket.AF_INET6, ("::1", 9))):
    s = socket.socket(fam, socket.SOCK_STREAM)
    try: s.connect(addr)
    except OSError: pass
    s.close()
u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try: u.connect("\0akgen-abstract")
except OSError: pass
PY
  ssh -q -p 2222 -i "$WORK/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o BatchMode=yes $USERNAME@127.0.0.1 'id; ls /tmp >/dev/null' >/dev/null 2>&1
}

one_run() { # $1 = out file, $2 = format, $3 = name_format, $4 = name
  run_auditd "$WORK/audit.log" "$2" "$3" "$4"
  add_rules
  /usr/sbin/sshd -f "$WORK/sshd_config"
  sleep 0.5
  ( echo $AUID > /proc/self/loginuid; activity )
  sleep 1
  kill "$(cat "$WORK/sshd.pid")" 2>/dev/null; rm -f "$WORK/sshd.pid"
  sleep 0.5
  for k in akgen-exec akgen-net akgen-access akgen-watch akgen-del; do auditctl -D -k $k >/dev/null 2>&1; done
  stop_auditd
  cp "$WORK/audit.log" "$1"
  chmod 644 "$1"
  echo "$1: $(wc -l < "$1") lines" >&2
}

one_run "$OUT/raw.log" RAW NONE none
one_run "$OUT/enriched.log" ENRICHED NONE none
one_run "$OUT/node.log" RAW USER akgen-node
auditctl -e 1 >/dev/null 2>&1 || true
