#!/usr/bin/env bash
# The collector's benchmark (BENCHMARKS.md, issue 11): N stop-and-wait
# clients of the audisp-remote protocol over loopback (auditkit-loadgen)
# against `auditkit collect`, acks after fsync. Prints one summary line:
# records/s acked, the ack latency percentiles, and the CPU each side
# used per acked record (user + system from /proc, the collector's
# counted from the load generator's start to its end, so startup is left
# out), and the load average before and after (the machine may be shared:
# CPU per record is the steadier figure, records/s is what the share of
# the machine this run got gave).
#   cargo build --release -p auditkit -p auditkit-collect --bins
#   bash bench/collect.sh [STORE_DIR] [CLIENTS] [SECONDS] [PORT]
# Environment: BIN (the binaries' directory, default target/release),
# ASSEMBLE=0 (event assembly off), COLLECT_ARGS (more collector flags),
# LOADGEN_ARGS (more load generator flags).
set -euo pipefail
store=${1:-/tmp/auditkit-bench-store}
clients=${2:-1000}
secs=${3:-10}
port=${4:-16100}
bin=${BIN:-target/release}
rm -rf "$store" "$store.toml"
ulimit -n $((clients * 2 + 1024))
cfg=()
if [ "${ASSEMBLE:-1}" = 0 ]; then
  echo "assemble = false" >"$store.toml"
  cfg=(--config "$store.toml")
fi
# shellcheck disable=SC2086
"$bin/auditkit" collect "${cfg[@]}" --listen "127.0.0.1:$port" --store "$store" \
  --max-per-addr $((clients + 1)) --max-connections $((clients + 16)) \
  --stats-interval 0 ${COLLECT_ARGS:-} 2>"$store.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q listening "$store.log" 2>/dev/null && break
  sleep 0.1
done
tck=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15, $14, $15}' "/proc/$1/stat"; }
# CPU ticks per collector thread name (runtime workers, writer, events).
threads() {
  for t in /proc/"$1"/task/*; do
    # comm may hold spaces; the fields after it are counted from its ')'.
    sed 's/^[0-9]* (\(.*\)) /\1\t/' "$t/stat" | awk -F'\t' '{split($2, f, " "); print $1, f[12] + f[13]}'
  done 2>/dev/null | awk '{c[$1] += $2} END {for (k in c) print k, c[k]}' | sort
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r _ cu0 cs0 < <(ticks $pid)
th0=$(threads $pid)
out=$(mktemp)
# The load generator's CPU: its own rusage, printed by /usr/bin/time
# (connecting the clients included; small next to the run).
# shellcheck disable=SC2086
/usr/bin/time -f "loadgen_cpu %U %S" -o "$out.time" \
  "$bin/auditkit-loadgen" --to "127.0.0.1:$port" --clients "$clients" \
  --seconds "$secs" ${LOADGEN_ARGS:-} >"$out"
read -r _ cu1 cs1 < <(ticks $pid)
th1=$(threads $pid)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM $pid
wait $pid || true
trap - EXIT
line=$(cat "$out")
acked=$(sed -n 's/.* acked=\([0-9]*\).*/\1/p' "$out")
read -r _ lu ls <"$out.time"
rm -f "$out" "$out.time"
stats=$(grep 'stopped:' "$store.log" | sed 's/.*stopped: //')
batches=$(sed -n 's/.*batches=\([0-9]*\).*/\1/p' <<<"$stats")
fsync=$(sed -n 's/.*fsync_avg_us=\([0-9]*\).*/\1/p' <<<"$stats")
awk -v a="$acked" -v cu=$((cu1 - cu0)) -v cs=$((cs1 - cs0)) -v t="$tck" \
  -v lu="$lu" -v ls="$ls" -v b="$batches" -v f="$fsync" \
  -v l0="$load0" -v l1="$load1" -v line="$line" 'BEGIN {
    us = (a > 0 ? 1e6 / a : 0)
    printf "%s\n", line
    printf "collector_cpu_s user=%.2f sys=%.2f  loadgen_cpu_s user=%.2f sys=%.2f\n", cu/t, cs/t, lu, ls
    printf "cpu_us_per_record collector=%.1f (user %.1f sys %.1f) loadgen=%.1f (user %.1f sys %.1f) both=%.1f\n",
      (cu+cs)/t*us, cu/t*us, cs/t*us, (lu+ls)*us, lu*us, ls*us, ((cu+cs)/t + lu + ls)*us
    both = (cu+cs)/t + lu + ls
    printf "projected_records_per_sec_on_2_idle_cores=%.0f  batches=%s (avg %.0f records) fsync_avg_us=%s\n",
      (both > 0 ? 2 * a / both : 0), b, (b > 0 ? a / b : 0), f
    printf "load_average before=%s after=%s\n", l0, l1
  }'
# The collector's CPU per record by thread (threads that ended during the
# run, none in this benchmark, are not counted).
join -a2 <(echo "$th0") <(echo "$th1") | awk -v a="$acked" -v t="$tck" '
  NF == 3 { d = $3 - $2 } NF == 2 { d = $2 }
  a > 0 { printf "%s%s=%.1f", (n++ ? " " : "collector_us_per_record_by_thread "), $1, d / t * 1e6 / a }
  END { print "" }'
