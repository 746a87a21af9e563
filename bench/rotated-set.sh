#!/usr/bin/env bash
# bench/rotated-set.sh LOG DIR
#
# Makes a rotated log set for the `-ts` benchmark: DIR/audit.log.4 (oldest)
# ... DIR/audit.log (newest), five copies of LOG whose event times are
# shifted 0, 1, 2, 3 and 4 hours later, so the set spans five hours of
# real auditd records as a rotated /var/log/audit would.
set -euo pipefail
LOG=${1:?usage: bench/rotated-set.sh LOG DIR}
DIR=${2:?usage: bench/rotated-set.sh LOG DIR}
mkdir -p "$DIR"
for k in 0 1 2 3 4; do
  n=$((4 - k))
  name=audit.log
  [ "$n" -gt 0 ] && name=audit.log.$n
  python3 - "$LOG" "$DIR/$name" $((k * 3600)) <<'PY'
import re
import sys

src, dst, shift = sys.argv[1], sys.argv[2], int(sys.argv[3])
stamp = re.compile(rb"msg=audit\((\d+)\.")
with open(src, "rb") as f, open(dst, "wb") as out:
    for line in f:
        out.write(stamp.sub(lambda m: b"msg=audit(%d." % (int(m.group(1)) + shift), line, count=1))
PY
done
ls -l "$DIR"
