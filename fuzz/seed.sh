#!/usr/bin/env bash
# Build the fuzz targets' seed corpora from the shared real data
# (../shared/corpus from the project root) into fuzz/corpus/TARGET, which
# is git-ignored: the corpus is not ours to copy into the repository.
#
# Log targets get every log cut into pieces of at most 4 KiB at line ends
# (libFuzzer's default -max_len is 4096, and small inputs mutate faster);
# the rules target gets every rule file whole; the query target gets the
# `--where` examples of the docs. Seeds are named by their content hash,
# so running this again adds nothing twice. Usage: fuzz/seed.sh [CORPUS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-$here/../../shared/corpus}"
out="$here/corpus"
[ -d "$src/logs" ] || { echo "seed.sh: no corpus at $src (expected logs/ and rules/)" >&2; exit 1; }

python3 - "$src" "$out" "$here/.." <<'PY'
import hashlib, os, re, sys

src, out, root = sys.argv[1:4]
LOG_TARGETS = ["parse_lines", "writers", "items"]
MAX = 4096

def files(d, docs=False):
    """Data files under d (or, with docs, the Markdown files)."""
    for base, _, names in os.walk(d):
        for n in sorted(names):
            if n.endswith(".md") == docs and n != "LICENSE":
                yield os.path.join(base, n)

def put(target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
        return 1
    return 0

def pieces(data):
    """Line-aligned pieces of at most MAX bytes (a longer line is cut)."""
    cur = b""
    for line in data.splitlines(keepends=True):
        while len(line) > MAX:
            if cur:
                yield cur
                cur = b""
            yield line[:MAX]
            line = line[MAX:]
        if len(cur) + len(line) > MAX:
            yield cur
            cur = b""
        cur += line
    if cur:
        yield cur

counts = {}
for path in files(os.path.join(src, "logs")):
    with open(path, "rb") as f:
        data = f.read()
    for piece in pieces(data):
        for t in LOG_TARGETS:
            counts[t] = counts.get(t, 0) + put(t, piece)

for path in files(os.path.join(src, "rules")):
    with open(path, "rb") as f:
        data = f.read()
    for piece in pieces(data):
        counts["rules"] = counts.get("rules", 0) + put("rules", piece)

# The items target also reads its input as -ts/-te words and as a
# --checkpoint file: a few of each, in the forms ausearch documents.
for seed in ["now", "recent", "boot", "today", "yesterday", "this-week",
             "week-ago", "this-month", "this-year", "01/01/2020 10:00:00",
             "12/31/99 23:59:60", "today 25:00", "1/2/3 4:5:6",
             "dev=0x803\ninode=1234\noutput=node1 1700000000.123:42 0x550\n",
             "dev=0x803\ninode=1234\noutput=- 1.0:0 0x0\n"]:
    counts["items"] = counts.get("items", 0) + put("items", seed.encode())

# The frames target: corpus record lines as a client sends them, one
# managed frame each (16-byte header, little-endian, as lib/private.h
# packs it) after a first byte that picks the piece size, and as ascii
# lines.
import struct
def frame(kind, seq, payload):
    return struct.pack("<IBBIHI", 0xff0000fe, 0, 0, kind, len(payload), seq) + payload
seq = 0
for path in files(os.path.join(src, "logs")):
    with open(path, "rb") as f:
        lines = [l for l in f.read().splitlines() if l.startswith((b"type=", b"node="))]
    for i in range(0, len(lines), 8):
        wire = b""
        for l in lines[i:i + 8]:
            seq += 1
            wire += frame(0, seq, l[:64])
        wire += frame(1, seq + 1, b"")
        counts["frames"] = counts.get("frames", 0) + put("frames", bytes([seq % 32]) + wire)
    if lines:
        counts["frames"] = counts.get("frames", 0) + put("frames", b"\x07" + b"\n".join(l[:64] for l in lines[:8]) + b"\n")

# --where examples: every quoted query in the docs and the README.
where = re.compile(r"--where '([^']*)'")
for d in ("docs", "README.md"):
    p = os.path.join(root, d)
    for path in ([p] if os.path.isfile(p) else list(files(p, docs=True))):
        try:
            text = open(path, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            continue
        for q in where.findall(text):
            counts["query_where"] = counts.get("query_where", 0) + put("query_where", q.encode())

for t in sorted(counts):
    print(f"seed.sh: {t}: {counts[t]} new seed(s) in {os.path.join(out, t)}")
PY
