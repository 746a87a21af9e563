#!/usr/bin/python3
"""Generate src/tables/syscalls_<machine>.rs from the kernel's own syscall lists.

Primary source: the uapi `asm/unistd*.h` headers that Debian ships in
linux-libc-dev (host) and linux-libc-dev-<arch>-cross.  Each header is run
through `cpp -undef -nostdinc -dM` with the target's predefined macros, so the
kernel's own `#ifdef __ARCH_WANT_*` / `__BITS_PER_LONG` logic decides which
calls exist (this is how riscv32, which Debian ships no header for, is
derived: asm-generic/unistd.h evaluated with a 32-bit pointer size).

Second source (for byte-identical `ausearch -i` output): audit-userspace
3.0.9's hand-kept tables (lib/<arch>_table.h), read from AU309 (default
/tmp/au309).  Each generated row carries both names; `""` means "absent".

Usage: tools/gen-syscalls.py [AU309_DIR]   (run from the crate root)
"""
import os
import re
import subprocess
import sys

AU = sys.argv[1] if len(sys.argv) > 1 else "/tmp/au309"
OUT = "src/tables"

# machine -> (include dir, header, cpp defines, debian package, audit table)
MACHINES = {
    "x86_64": ("/usr/include/x86_64-linux-gnu", "asm/unistd_64.h", [],
               "linux-libc-dev", "x86_64"),
    "i386": ("/usr/i686-linux-gnu/include", "asm/unistd_32.h", [],
             "linux-libc-dev-i386-cross", "i386"),
    "aarch64": ("/usr/aarch64-linux-gnu/include", "asm/unistd.h",
                ["__aarch64__", "__LP64__", "__SIZEOF_POINTER__=8"],
                "linux-libc-dev-arm64-cross", "aarch64"),
    "arm": ("/usr/arm-linux-gnueabihf/include", "asm/unistd.h",
            ["__arm__", "__ARM_EABI__", "__SIZEOF_POINTER__=4"],
            "linux-libc-dev-armhf-cross", "arm"),
    "ppc64": ("/usr/powerpc64le-linux-gnu/include", "asm/unistd_64.h", [],
              "linux-libc-dev-ppc64el-cross", "ppc"),
    "ppc64le": ("/usr/powerpc64le-linux-gnu/include", "asm/unistd_64.h", [],
                "linux-libc-dev-ppc64el-cross", "ppc"),
    "ppc": ("/usr/powerpc-linux-gnu/include", "asm/unistd_32.h", [],
            "linux-libc-dev-powerpc-cross", "ppc"),
    "s390x": ("/usr/s390x-linux-gnu/include", "asm/unistd_64.h", [],
              "linux-libc-dev-s390x-cross", "s390x"),
    "s390": ("/usr/s390x-linux-gnu/include", "asm/unistd_32.h", [],
             "linux-libc-dev-s390x-cross", "s390"),
    "riscv64": ("/usr/riscv64-linux-gnu/include", "asm/unistd.h",
                ["__riscv", "__LP64__", "__SIZEOF_POINTER__=8",
                 "__riscv_xlen=64"],
                "linux-libc-dev-riscv64-cross", None),
    "riscv32": ("/usr/riscv64-linux-gnu/include", "asm/unistd.h",
                ["__riscv", "__SIZEOF_POINTER__=4", "__riscv_xlen=32"],
                "linux-libc-dev-riscv64-cross", None),
}

# Macros that live in the __NR_ namespace but are not system calls.
NOT_CALLS = {"syscalls", "arch_specific_syscall", "SYSCALL_BASE",
             "OABI_SYSCALL_BASE", "syscall_max", "Linux",
             "SYSCALL_MASK"}


def pkg_version(pkg):
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def kernel_table(inc, header, defines):
    args = ["cpp", "-undef", "-nostdinc", "-dM", "-I", inc]
    args += ["-D" + d for d in defines]
    args.append(os.path.join(inc, header))
    out = subprocess.run(args, capture_output=True, text=True,
                         check=True).stdout
    macros = {}
    for line in out.splitlines():
        m = re.match(r"#define (\w+) (.*)$", line)
        if m:
            macros[m.group(1)] = m.group(2).strip()

    def value(expr, depth=0):
        if depth > 20:
            raise ValueError(expr)
        expr = re.sub(r"\b([A-Za-z_]\w*)\b",
                      lambda m: "(%d)" % value(macros[m.group(1)], depth + 1),
                      expr)
        expr = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr)
        return int(eval(expr, {"__builtins__": {}}))

    table = {}
    for name, expr in macros.items():
        if not name.startswith("__NR_"):
            continue
        call = name[5:]
        if call in NOT_CALLS or not expr:
            continue
        nr = value(expr)
        table.setdefault(nr, call)
    return table


def audit_table(arch):
    """(first name per number, later duplicate names): libaudit's i2s
    returns the first entry for a number, its s2i accepts all of them."""
    table, aliases = {}, []
    if arch is None:
        return table, aliases
    with open(os.path.join(AU, "lib", arch + "_table.h")) as f:
        for m in re.finditer(r'_S\((\d+),\s*"([^"]+)"\)', f.read()):
            nr = int(m.group(1))
            if nr in table:
                aliases.append((nr, m.group(2)))
            else:
                table[nr] = m.group(2)
    return table, aliases


def main():
    os.makedirs(OUT, exist_ok=True)
    for mach, (inc, header, defines, pkg, arch) in MACHINES.items():
        k = kernel_table(inc, header, defines)
        a, aliases = audit_table(arch)
        rows = sorted(set(k) | set(a))
        path = os.path.join(OUT, "syscalls_%s.rs" % mach)
        with open(path, "w") as f:
            f.write("// @generated by tools/gen-syscalls.py; do not edit.\n")
            f.write("//\n// Kernel names: %s/%s from Debian package %s %s\n"
                    % (inc, header, pkg, pkg_version(pkg)))
            if defines:
                f.write("// (cpp -undef -nostdinc with -D%s)\n"
                        % " -D".join(defines))
            if arch:
                f.write("// ausearch 3.0.9 names: audit-userspace v3.0.9 "
                        "lib/%s_table.h\n" % arch)
            else:
                f.write("// ausearch 3.0.9 has no table for this machine.\n")
            f.write("//\n// Columns: number, kernel name, audit 3.0.9 name "
                    "(\"\" = absent).\n\n")
            f.write("pub(crate) static TABLE: &[(u32, &str, &str)] = &[\n")
            for nr in rows:
                f.write('    (%d, "%s", "%s"),\n'
                        % (nr, k.get(nr, ""), a.get(nr, "")))
            f.write("];\n\n/// Further audit 3.0.9 names for a number (accepted by name lookup).\n")
            f.write("pub(crate) static ALIASES: &[(u32, &str)] = &[\n")
            for nr, name in aliases:
                f.write('    (%d, "%s"),\n' % (nr, name))
            f.write("];\n")
        diff_name = [nr for nr in rows if nr in k and nr in a and k[nr] != a[nr]]
        print("%-8s kernel=%d audit=%d kernel-only=%d audit-only=%d renamed=%s"
              % (mach, len(k), len(a), len([n for n in k if n not in a]),
                 len([n for n in a if n not in k]),
                 ", ".join("%d:%s->%s" % (n, k[n], a[n]) for n in diff_name)))


if __name__ == "__main__":
    main()
