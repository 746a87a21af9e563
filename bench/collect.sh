#!/usr/bin/env bash
# The collector's benchmark (BENCHMARKS.md, issue 11): N stop-and-wait
# clients of the audisp-remote protocol over loopback (auditkit-loadgen)
# against `auditkit collect`, acks after fsync; prints the load
# generator's records/s and ack latency percentiles, the collector's
# counters, and the CPU seconds each side used (the machine may be shared:
# the load average is printed too).
#   cargo build --release -p auditkit -p auditkit-collect --bins
#   bash bench/collect.sh [STORE_DIR] [CLIENTS] [SECONDS] [PORT]
set -euo pipefail
store=${1:-/tmp/auditkit-bench-store}
clients=${2:-1000}
secs=${3:-10}
port=${4:-16100}
bin=${BIN:-target/release}
rm -rf "$store"
ulimit -n $((clients * 2 + 1024))
"$bin/auditkit" collect --listen "127.0.0.1:$port" --store "$store" \
  --max-per-addr $((clients + 1)) --max-connections $((clients + 16)) \
  --stats-interval 0 ${COLLECT_ARGS:-} 2>"$store.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
sleep 0.5
/usr/bin/time -f "loadgen_cpu_s user=%U sys=%S" \
  "$bin/auditkit-loadgen" --to "127.0.0.1:$port" --clients "$clients" --seconds "$secs" --threads 1
tck=$(getconf CLK_TCK)
read -r ut st < <(awk '{print $14, $15}' "/proc/$pid/stat")
echo "collector_cpu_s user=$(echo "scale=2; $ut/$tck" | bc) sys=$(echo "scale=2; $st/$tck" | bc)"
kill -TERM $pid
wait $pid || true
trap - EXIT
tail -1 "$store.log"
uptime
