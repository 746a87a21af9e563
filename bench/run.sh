#!/usr/bin/env bash
# bench/run.sh LOG [AUDITKIT]
#
# Times auditkit against ausearch (and laurel, for JSON) on the same file in
# the same run, and prints a Markdown table: wall seconds, MB/s and peak RSS
# (/usr/bin/time's %M), after one warm-up read of the file, output to
# /dev/null, under LC_ALL=C TZ=UTC. auditkit's commands run REPEAT times
# (default 5), 2 s apart, and the fastest run is kept, since a shared VM's
# noise is larger than a sub-second run and comes in spells of several
# seconds; the slow reference tools run once.
# Make LOG with ../shared/tools/gen-big-log.sh (a real auditd log).
set -euo pipefail
LOG=${1:?usage: bench/run.sh LOG [AUDITKIT]}
AK=${2:-target/release/auditkit}
export LC_ALL=C TZ=UTC
MB=$(( $(stat -c %s "$LOG") / 1000000 ))
cat "$LOG" > /dev/null   # warm the page cache

LDIR=$(mktemp -d)
cat > "$LDIR/laurel.toml" <<CONF
directory = "$LDIR"
user = "root"
[auditlog]
file = "-"
[state]
file = ""
[translate]
universal = true
user-db = true
CONF

REPEAT=${REPEAT:-5}
row() { # name, command...
  local name=$1; shift
  local n=1 secs= kb= t i
  [ "$1" = "$AK" ] && n=$REPEAT
  for i in $(seq "$n"); do
    if [ "$i" -gt 1 ]; then sleep 2; fi
    /usr/bin/time -o "$LDIR/time" -f "%e %M" "$@" > /dev/null 2>/dev/null || true
    t=$(tail -1 "$LDIR/time")
    if [ -z "$secs" ] || [ "$(echo "${t% *} < $secs" | bc)" = 1 ]; then
      secs=${t% *}; kb=${t#* }
    fi
  done
  printf '| %s | `%s` | %s | %s | %s |\n' "$name" "$*" "$secs" \
    "$(echo "scale=1; $MB / $secs" | bc)" "$((kb / 1024))"
}

echo "file: $LOG, $MB MB, $(wc -l < "$LOG") lines; $(nproc) cores; $(date -u +%F)"
echo
echo "| query | command | seconds | MB/s | peak RSS MB |"
echo "|---|---|---|---|---|"
row "all events, raw" "$AK" search --format raw -if "$LOG"
command -v ausearch >/dev/null && row "all events, raw" ausearch --format raw -if "$LOG"
row "-k big-exec, raw" "$AK" search -k big-exec --format raw -if "$LOG"
command -v ausearch >/dev/null && row "-k big-exec, raw" ausearch -k big-exec --format raw -if "$LOG"
row "-m EXECVE, raw" "$AK" search -m EXECVE --format raw -if "$LOG"
command -v ausearch >/dev/null && row "-m EXECVE, raw" ausearch -m EXECVE --format raw -if "$LOG"
row "-x /usr/bin/grep, raw" "$AK" search -x /usr/bin/grep --format raw -if "$LOG"
command -v ausearch >/dev/null && row "-x /usr/bin/grep, raw" ausearch -x /usr/bin/grep --format raw -if "$LOG"
row "-sc connect, raw" "$AK" search -sc connect --format raw -if "$LOG"
command -v ausearch >/dev/null && row "-sc connect, raw" ausearch -sc connect --format raw -if "$LOG"
row "all events, -i" "$AK" search -i -if "$LOG"
command -v ausearch >/dev/null && row "all events, -i" ausearch -i -if "$LOG"
row "all events, JSON" "$AK" search --format json -if "$LOG"
if command -v laurel >/dev/null; then
  row "all events, JSON (laurel)" sh -c "laurel -c $LDIR/laurel.toml < '$LOG'"
fi
rm -rf "$LDIR"
