#!/usr/bin/env bash
# Feed a real log's events to `auditkit plugin` on stdin at a fixed rate and
# report the plugin's CPU and peak RSS (from /usr/bin/time) and whether it
# kept up (the feeder blocks on the pipe when the plugin falls behind).
#
#   bash bench/plugin.sh LOG RATE SECONDS [all|exec] [AUDITKIT] [PLUGIN OPTION...]
#
# RATE is events per second; `exec` keeps only the events with an EXECVE
# record (an execve is SYSCALL, EXECVE, CWD, PATH x2, PROCTITLE), `all`
# takes every event. The events are replayed in log order, over again when
# the log runs out, with their audit(TIME:SERIAL) rewritten to the time they
# are sent and a fresh serial, so the plugin sees a live stream, not a
# replay of one second (STAMP_SHIFT=SECONDS moves the stamps, e.g. -86400
# for a day ago). Alerts go to a temporary directory, removed at the end.
#
# By default what is due is written every 10 ms in one write to a pipe.
# WRITES=record writes as auditd does: each record with its own write, on
# a socketpair (auditd's plugin channel). TICK_MS=1 writes what is due
# every millisecond instead of every 10 (auditd writes records as the
# kernel hands them over).
set -euo pipefail
LOG=${1:?log}; RATE=${2:?events/s}; SECS=${3:?seconds}; KIND=${4:-all}
AK=${5:-target/release/auditkit}
shift $(( $# < 5 ? $# : 5 ))
exec python3 - "$LOG" "$RATE" "$SECS" "$KIND" "$AK" "$@" <<'PY'
import os, re, shutil, socket, subprocess, sys, tempfile, time

log, rate, secs, kind, ak = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
want = int(rate * secs)
hdr = re.compile(rb"msg=audit\((\d+)\.(\d+):(\d+)\)")

# Group the log's records into events by their audit(...) id, in the order
# of each event's first record (auditd interleaves the records of events
# that overlap, so consecutive lines are not enough).
groups = {}
with open(log, "rb") as f:
    for line in f:
        m = hdr.search(line)
        if not m:
            continue
        groups.setdefault(m.group(0), []).append(line)
        if len(groups) >= 4 * want + 1000:
            break
events = list(groups.values())
if kind == "exec":
    events = [e for e in events if any(b"type=EXECVE " in l for l in e)]
if not events:
    sys.exit("no events")

# Pre-build every event's bytes, stamped with the time it is due.
t0 = time.time() + 1.0
shift = float(os.environ.get("STAMP_SHIFT", "0"))  # seconds added to the stamps only
out, records, nbytes = [], 0, 0
for i in range(want):
    e = events[i % len(events)]
    t = t0 + shift + i / rate
    stamp = b"msg=audit(%d.%03d:%d)" % (int(t), int(t * 1000) % 1000, 1000000 + i)
    b = b"".join(hdr.sub(stamp, l, count=1) for l in e)
    out.append(b)
    records += len(e)
    nbytes += len(b)

tmp = tempfile.mkdtemp(prefix="akplugin.")
# /usr/bin/time measures the plugin: the rusage of a child forked from this
# script would count this script's own memory (the pre-built stream) in its
# peak RSS, since the fork shares it until the exec.
tfile = os.path.join(tmp, "time")
per_record = os.environ.get("WRITES", "batch") == "record"
if per_record:
    ours, feed_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
else:
    feed_end = subprocess.PIPE
p = subprocess.Popen(["/usr/bin/time", "-f", "%M %U %S", "-o", tfile, ak, "plugin", "--output=" + os.path.join(tmp, "alerts.json"),
                      "--state=" + os.path.join(tmp, "state")] + sys.argv[6:],
                     stdin=feed_end, stdout=subprocess.DEVNULL)
if per_record:
    feed_end.close()
time.sleep(max(0.0, t0 - time.time()))
start = time.time()
tick = float(os.environ.get("TICK_MS", "10")) / 1000  # write what is due every TICK_MS
i = 0
while i < want:
    due = min(want, int((time.time() - start) * rate) + 1)
    if due > i:
        if per_record:
            for e in out[i:due]:
                for rec in e.splitlines(keepends=True):
                    ours.sendall(rec)
        else:
            p.stdin.write(b"".join(out[i:due]))
            p.stdin.flush()
        i = due
    time.sleep(tick)
sent = time.time() - start
if per_record:
    ours.close()
else:
    p.stdin.close()
status = p.wait()
done = time.time() - start
rss_kb, ut, st = open(tfile).read().split()[-3:]
ut, st = float(ut), float(st)
cpu = ut + st
alerts = sum(1 for _ in open(os.path.join(tmp, "alerts.json"), "rb"))
state = os.path.getsize(os.path.join(tmp, "state")) if os.path.exists(os.path.join(tmp, "state")) else 0
print(f"events {want} ({kind}), records {records}, bytes {nbytes}, rate {rate:g} events/s "
      f"({records / secs:.0f} records/s) for {secs:g} s")
print(f"sent in {sent:.2f} s, plugin done {done:.2f} s after the first write "
      f"(exit status {status}), {alerts} alerts")
print(f"plugin CPU {cpu:.2f} s (user {ut:.2f}, sys {st:.2f}) = "
      f"{100 * cpu / secs:.1f}% of a core over {secs:g} s; peak RSS {int(rss_kb) / 1024:.1f} MB; "
      f"state file {state / 1024:.0f} KiB ({'a write per record' if per_record else 'one write'} "
      f"every {tick * 1000:g} ms)")
shutil.rmtree(tmp)
PY
