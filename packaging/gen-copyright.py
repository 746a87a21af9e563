#!/usr/bin/env python3
"""Write the Debian copyright file (DEP-5) of the auditkit package.

/usr/bin/auditkit is one statically linked Rust program, so the file
covers auditkit's own sources and every crate compiled into it: the
normal (not dev, not build) dependency closure of the `auditkit` package
for the host platform, read from `cargo metadata` on stdin. Each crate's
copyright lines are taken from its own licence files (else its authors),
its licence from its Cargo.toml. A licence this script has no text for
is an error, so a new dependency cannot slip in unlisted.

Usage: cargo metadata --format-version 1 --locked --filter-platform HOST |
       gen-copyright.py LICENSES_DIR COMMIT > copyright
"""

import json
import os
import re
import sys
import textwrap

# SPDX ids (as crates write them) -> DEP-5 short names, and the file in
# LICENSES_DIR with the text (None: in /usr/share/common-licenses).
LICENSES = {
    "MIT": ("Expat", "Expat"),
    "Apache-2.0": ("Apache-2.0", None),
    "ISC": ("ISC", "ISC"),
    "BSD-3-Clause": ("BSD-3-clause", "BSD-3-clause"),
    "Zlib": ("Zlib", "Zlib"),
    "0BSD": ("0BSD", "0BSD"),
    "Unlicense": ("Unlicense", "Unlicense"),
    "Unicode-3.0": ("Unicode-3.0", "Unicode-3.0"),
}

LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|UNLICENSE|NOTICE)", re.I)
# "Copyright 2015 A", "Copyright (c) A", "Copyright © 1991 Unicode"; not the
# licences' own words ("Copyright License", "copyright notice", templates).
COPYRIGHT_LINE = re.compile(
    r"^\s*Copyright\s+(?!notice|and\b|license|holder|owner|\[|\{|<)(.+?)\s*$"
)


def dep5_licence(spdx):
    """A crate's SPDX expression as a DEP-5 License field, and the ids used."""
    expr = spdx.replace("/", " OR ")
    ids = set()

    def name(m):
        word = m.group(0)
        if word in ("OR", "AND"):
            return word.lower()
        if word not in LICENSES:
            sys.exit("gen-copyright: no licence text for %r (in %r)" % (word, spdx))
        ids.add(word)
        return LICENSES[word][0]

    out = re.sub(r"[A-Za-z0-9.+-]+", name, expr)
    # DEP-5 has no parentheses: "(A or B) and C" is "A or B, and C".
    m = re.fullmatch(r"\((.*)\) and (.*)", out)
    if m:
        out = "%s, and %s" % (m.group(1), m.group(2))
    if "(" in out:
        sys.exit("gen-copyright: cannot write %r in DEP-5" % spdx)
    return out, ids


def copyright_lines(pkg):
    """The copyright lines of a crate's licence files, else its authors."""
    root = os.path.dirname(pkg["manifest_path"])
    lines = []
    for f in sorted(os.listdir(root)):
        path = os.path.join(root, f)
        if not LICENSE_FILE.match(f) or not os.path.isfile(path):
            continue
        with open(path, errors="replace") as fh:
            for line in fh:
                m = COPYRIGHT_LINE.match(line)
                if m and "yyyy" not in line and "<year>" not in line:
                    text = re.sub(r"^(\(c\)|\(C\)|©)\s*", "", m.group(1))
                    if text not in lines:
                        lines.append(text)
    if not lines:
        lines = [a for a in pkg.get("authors") or []]
    return lines or ["the %s developers" % pkg["name"]]


def field(name, values):
    """A DEP-5 field whose values go one a line (Copyright)."""
    return "%s: %s" % (name, "\n ".join(values))


def text_block(text, fill=False):
    """Free text as a DEP-5 continuation: one space in front, '.' for an
    empty line; with `fill`, each paragraph wrapped to 72 columns."""
    if fill:
        text = "\n\n".join(
            textwrap.fill(" ".join(p.split()), 72, break_on_hyphens=False) for p in text.strip().split("\n\n")
        )
    out = []
    for line in text.rstrip("\n").split("\n"):
        line = line.rstrip()
        out.append(" " + line if line else " .")
    return "\n".join(out)


def main():
    licenses_dir, commit = sys.argv[1], sys.argv[2]
    meta = json.load(sys.stdin)
    pkgs = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    start = next(p["id"] for p in meta["packages"] if p["name"] == "auditkit")
    # The normal dependency closure (what is compiled into the binary).
    seen, todo = set(), [start]
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        for d in nodes[i]["deps"]:
            if any(k["kind"] is None for k in d["dep_kinds"]):
                todo.append(d["pkg"])
    ours = sorted(
        (pkgs[i] for i in seen if pkgs[i]["source"] is None), key=lambda p: p["name"]
    )
    crates = sorted(
        (pkgs[i] for i in seen if pkgs[i]["source"] is not None),
        key=lambda p: (p["name"], p["version"]),
    )
    used = {"MIT", "Apache-2.0"}
    out = []
    out.append(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: auditkit\n"
        "Source: the auditkit source tree, commit %s (packaging/build-deb.sh)\n"
        "Comment:\n%s\n"
        % (
            commit,
            text_block(
                """\
/usr/bin/auditkit is one statically linked Rust program. The Files
paragraphs name what is compiled into it: auditkit's own crates (paths of
its source tree: %s), then every Rust crate it depends on, as
NAME-VERSION/*, with the copyright lines of the crate's licence files and
the licence its Cargo.toml declares, and the Rust standard library.

Sigma rules and SigmaHQ's Detection Rule License (DRL 1.1): the built-in
detections (crates/auditkit-detect/rules/*.yml, embedded in the binary)
are Sigma rules written for auditkit (author: auditkit), under auditkit's
licence. No rule from SigmaHQ's repository is in this package. SigmaHQ's
rules, which `auditkit detect --rules DIR` and `auditkit plugin --rules
DIR` run when a copy of them is given, are licensed under the DRL 1.1,
which requires that anything a rule produces carries the rule's
attribution: every alert auditkit writes therefore names the rule's
author and, for a rule read from a copy of SigmaHQ's tree, its link
(rule.author and rule.link; /usr/share/doc/auditkit/README.Debian)."""
                % ", ".join("crates/%s" % p["name"] for p in ours),
                fill=True,
            ),
        )
    )
    out.append(
        "Files: *\n"
        "Copyright: 2026 The auditkit developers\n"
        "License: Expat or Apache-2.0\n"
    )
    out.append(
        "Files: crates/auditkit-detect/rules/*\n"
        "Copyright: 2026 The auditkit developers\n"
        "License: Expat or Apache-2.0\n"
        "Comment: the built-in Sigma rules, written for auditkit (not DRL\n"
        " licensed; see the Comment at the top).\n"
    )
    out.append(
        "Files: crates/auditkit-interp/src/tables/*\n"
        "Copyright: 2026 The auditkit developers\n"
        "License: Expat or Apache-2.0\n"
        "Comment:\n%s\n"
        % text_block(
            """\
Generated by crates/auditkit-interp/tools/gen-tables.py and
gen-syscalls.py: the numbers and names of the kernel's and the C
library's interfaces (syscalls, errno, capabilities, message types, ...)
as the C headers of Linux 6.1 and glibc 2.36 define them and as
audit-userspace 3.0.9 (auparse/*tab.h, lib/*tab.h and lib/*_table.h)
spells them, and glibc's strerror texts, so that auditkit interprets
events exactly as ausearch does. Each file's header names its sources.
No code of those projects is included."""
        )
    )
    for p in crates:
        lic, ids = dep5_licence(p["license"] or "")
        used |= ids
        out.append(
            "Files: %s-%s/*\n%s\nLicense: %s\n"
            % (p["name"], p["version"], field("Copyright", copyright_lines(p)), lic)
        )
    out.append(
        "Files: rust-std/*\n"
        "Copyright: The Rust Project Developers\n"
        "License: Expat or Apache-2.0\n"
        "Comment: the Rust standard library (core, alloc, std), linked in.\n"
    )
    for spdx in sorted(used, key=lambda s: LICENSES[s][0]):
        name, path = LICENSES[spdx]
        if path is None:
            body = (
                "On Debian systems, the full text of the %s license can be found\n"
                "in /usr/share/common-licenses/%s." % (name, name)
            )
        else:
            with open(os.path.join(licenses_dir, path)) as fh:
                body = fh.read()
        out.append("License: %s\n%s\n" % (name, text_block(body)))
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
