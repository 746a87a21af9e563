#!/usr/bin/python3
"""Dump auparse 3.0.9's interpretation of every field of every record.

Run by tests/oracle.rs with the system python (python3-audit). For each
file it first prints "F", tab, the hex path; then for each
field it prints one tab-separated line of hex-encoded columns:

  record type, arch@pos, syscall@pos, a0@pos, a1@pos, name, value,
  enrichment tail, interpretation

where the @pos columns are the raw values auparse reads from fixed field
positions (ellist.c) to fill the record's machine/syscall/a0/a1, so the Rust
side can build the same context the way a caller would.
"""
import sys
import auparse


def h(s):
    if s is None:
        return "-"
    if isinstance(s, str):
        s = s.encode("utf-8", "surrogateescape")
    return s.hex()


def tails(path):
    """record text (before 0x1D) -> enrichment tail"""
    out = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if b"\x1d" in line:
                head, tail = line.split(b"\x1d", 1)
                out[head] = tail
    return out


def dump(path):
    print("F\t" + h(path))
    t = tails(path)
    au = auparse.AuParser(auparse.AUSOURCE_FILE, path)
    while au.parse_next_event():
        au.first_record()
        while True:
            try:
                rtype = au.get_type()
            except LookupError:
                if not au.next_record():
                    break
                continue
            text = au.get_record_text()
            tail = t.get(text.encode("utf-8", "surrogateescape")) if text else None
            fields = []
            au.first_field()
            while True:
                name = au.get_field_name()
                try:
                    val = au.get_field_str()
                except RuntimeError:
                    val = None  # e.g. a key whose hex does not decode
                fields.append((name, val))
                if not au.next_field():
                    break
            off = 1 if fields and fields[0][0] == "node" else 0

            def at(pos, want):
                for p in (pos, pos + 9) if want in ("arch", "syscall") else (pos,):
                    i = p + off
                    if i < len(fields) and fields[i][0] == want:
                        return fields[i][1]
                return None
            ctx = [h(at(1, "arch")), h(at(2, "syscall")), h(at(5, "a0")), h(at(6, "a1"))]
            au.first_field()
            i = 0
            while True:
                name, val = fields[i]
                try:
                    interp = h(au.interpret_field()) if val is not None else "!"
                except RuntimeError:
                    interp = "-"  # auparse returned NULL
                except UnicodeDecodeError:
                    # The bindings decode as UTF-8; such values cannot be
                    # compared through them.
                    interp = "!"
                print("\t".join([str(rtype)] + ctx +
                                [h(name), h(val), h(tail), interp]))
                i += 1
                if not au.next_field():
                    break
            if not au.next_record():
                break


for p in sys.argv[1:]:
    dump(p)
