#!/usr/bin/env bash
# The forwarder's and the ClickHouse sink's benchmark (BENCHMARKS.md,
# issue 11). Makes N distinct records from examples/raw.log (the serials
# renumbered), then:
#   1. `auditkit forward` from a file on stdin into one `auditkit collect`
#      over loopback, pipelined (the default window) and with --window 1
#      (stop-and-wait, as against auditd's listener): records/s, from the
#      start of the forwarder to its exit with the queue empty (every
#      record fsynced in the queue, sent, acked after the collector's
#      fsync);
#   2. if CH_URL is set (a ClickHouse, e.g. a private 18.16 server), a
#      collector started with --clickhouse over the filled store, its
#      checkpoint removed: records/s until `count() FINAL` has them all.
#   cargo build --release -p auditkit
#   [CH_URL=http://127.0.0.1:18123] bash bench/forward.sh [N] [DIR]
set -euo pipefail
n=${1:-200000}
dir=${2:-/tmp/auditkit-bench-forward}
bin=${BIN:-target/release}
rm -rf "$dir" && mkdir -p "$dir"
grep -v 'type=EOE' examples/raw.log >"$dir/base.log"
python3 - "$dir/base.log" "$n" >"$dir/in.log" <<'PY'
import re, sys
base = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines() if l]
n = int(sys.argv[2]); i = 0; rnd = 0
while i < n:
    for l in base:
        if i >= n:
            break
        print(re.sub(r":(\d+)\)", lambda m: ":%d)" % (int(m.group(1)) + rnd * 1000000), l, count=1))
        i += 1
    rnd += 1
PY
echo "records: $(wc -l <"$dir/in.log"), bytes: $(wc -c <"$dir/in.log")"
run() {
  local name=$1; shift
  rm -rf "$dir/store" "$dir/q"
  "$bin/auditkit" collect --listen 127.0.0.1:0 --store "$dir/store" --stats-interval 0 2>"$dir/c.log" &
  local pid=$!
  sleep 0.5
  local addr
  addr=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$dir/c.log")
  local t0 t1
  t0=$(date +%s.%N)
  "$bin/auditkit" forward --to "$addr" --queue "$dir/q" "$@" <"$dir/in.log" 2>"$dir/f.log"
  t1=$(date +%s.%N)
  kill -TERM $pid; wait $pid || true
  echo "$name: $(python3 -c "print('%.0f records/s in %.2f s' % ($n / ($t1 - $t0), $t1 - $t0))")"
  tail -1 "$dir/f.log"
  tail -1 "$dir/c.log"
}
run "forward, window 256"
run "forward, stop-and-wait" --window 1
if [ -n "${CH_URL:-}" ]; then
  db=bench_$$
  rm -f "$dir/store/clickhouse.pos"
  t0=$(date +%s.%N)
  "$bin/auditkit" collect --listen 127.0.0.1:0 --store "$dir/store" --stats-interval 0 \
    --clickhouse "$CH_URL/?database=$db" 2>"$dir/ch.log" &
  pid=$!
  until [ "$(curl -s --data-binary "SELECT count() FROM $db.records FINAL" "$CH_URL/" 2>/dev/null)" = "$n" ]; do
    sleep 0.2
  done
  t1=$(date +%s.%N)
  kill -TERM $pid; wait $pid || true
  echo "clickhouse sink: $(python3 -c "print('%.0f records/s in %.2f s' % ($n / ($t1 - $t0), $t1 - $t0))")"
  grep clickhouse: "$dir/ch.log" | tail -2
  curl -s --data-binary "SELECT count() FROM $db.events FINAL" "$CH_URL/"
  curl -s --data-binary "DROP DATABASE $db" "$CH_URL/"
fi
uptime
