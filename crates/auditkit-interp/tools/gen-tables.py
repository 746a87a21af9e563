#!/usr/bin/python3
"""Generate the lookup tables in src/tables/ (everything but syscalls).

Why a C dumper: audit-userspace keeps its tables as `_S(VALUE, "name")`
headers whose VALUEs are symbolic constants (AUDIT_*, E*, SIG*, CLONE_*,
O_*, ...).  The names are what ausearch 3.0.9 prints; the numbers are
facts of the kernel/glibc headers.  We therefore compile each table header
against this machine's glibc + linux-libc-dev headers (Debian 12, the
environment Debian's auditd 3.0.9 was built in) with a printf `_S`, exactly
as upstream's own build does with lib/gen_tables.c, and write the resulting
(number, name) rows in file order.  No upstream code is copied: only the
facts (numbers and names) end up in our tables.

errno messages come from glibc's strerror (via Python's os.strerror), which
is what auparse prints in `EACCES(Permission denied)`.

Usage: tools/gen-tables.py [AU309_DIR]   (run from the crate root)
"""
import os
import re
import subprocess
import sys
import tempfile

AU = sys.argv[1] if len(sys.argv) > 1 else "/tmp/au309"
OUT = "src/tables"

PRELUDE = r"""
#include <errno.h>
#include <limits.h>
#include <linux/net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/personality.h>
#include <sys/mount.h>
#include <signal.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/if_packet.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <linux/icmp.h>
#include <linux/seccomp.h>
#include <linux/bpf.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <termios.h>
#include "libaudit.h"
#include "auparse-defs.h"
#define SEMOP 1
#define SEMGET 2
#define SEMCTL 3
#define SEMTIMEDOP 4
#define MSGSND 11
#define MSGRCV 12
#define MSGGET 13
#define MSGCTL 14
#define SHMAT 21
#define SHMDT 22
#define SHMGET 23
#define SHMCTL 24
#define DIPC 25
#ifndef EHWPOISON
#define EHWPOISON 133
#endif
int main(void) {
#define _S(v, s) printf("%d\t%s\n", (int)(v), s);
"""

# (rust file stem, header relative to AU, what it is)
TABLES = [
    ("msg_types", "lib/msg_typetab.h", "audit message types"),
    ("errno_names", "lib/errtab.h", "errno names"),
    ("ftypes", "lib/ftypetab.h", "file types (S_IF*)"),
    ("filter_lists", "lib/flagtab.h", "rule filter lists"),
    ("field_types", "auparse/typetab.h", "field name -> AUPARSE_TYPE_*"),
    ("access", "auparse/accesstab.h", "access(2) modes"),
    ("bpf", "auparse/bpftab.h", "bpf(2) commands"),
    ("caps", "auparse/captab.h", "capabilities"),
    ("clocks", "auparse/clocktab.h", "clock ids"),
    ("clone_flags", "auparse/clone-flagtab.h", "clone flags"),
    ("epoll_ctl", "auparse/epoll_ctl.h", "epoll_ctl ops"),
    ("families", "auparse/famtab.h", "socket address families"),
    ("fcntl_cmds", "auparse/fcntl-cmdtab.h", "fcntl commands"),
    ("path_flags", "auparse/flagtab.h", "PATH record flags (RHEL4)"),
    ("icmp_types", "auparse/icmptypetab.h", "ICMP types"),
    ("inet_hooks", "auparse/inethooktab.h", "netfilter inet hooks"),
    ("ioctl_reqs", "auparse/ioctlreqtab.h", "ioctl requests"),
    ("ip6_opt_names", "auparse/ip6optnametab.h", "IPv6 socket options"),
    ("ipc_cmds", "auparse/ipccmdtab.h", "IPC_* command flags"),
    ("ipc_calls", "auparse/ipctab.h", "ipc(2) calls"),
    ("ip_opt_names", "auparse/ipoptnametab.h", "IPv4 socket options"),
    ("mmap_flags", "auparse/mmaptab.h", "mmap flags"),
    ("mount_flags", "auparse/mounttab.h", "mount flags"),
    ("net_actions", "auparse/netactiontab.h", "netfilter actions"),
    ("nf_protos", "auparse/nfprototab.h", "netfilter protocols"),
    ("open_flags", "auparse/open-flagtab.h", "open flags"),
    ("resolve_flags", "auparse/openat2-resolvetab.h", "openat2 RESOLVE_*"),
    ("personalities", "auparse/persontab.h", "personalities"),
    ("pkt_opt_names", "auparse/pktoptnametab.h", "packet socket options"),
    ("prctl_opts", "auparse/prctl-opt-tab.h", "prctl options"),
    ("protections", "auparse/prottab.h", "mmap/mprotect prot"),
    ("ptrace_reqs", "auparse/ptracetab.h", "ptrace requests"),
    ("recv_flags", "auparse/recvtab.h", "send/recv flags"),
    ("rlimits", "auparse/rlimittab.h", "rlimit resources"),
    ("sched_policies", "auparse/schedtab.h", "scheduler policies"),
    ("seccomp_actions", "auparse/seccomptab.h", "seccomp actions"),
    ("seek_whence", "auparse/seektab.h", "lseek whence"),
    ("shm_modes", "auparse/shm_modetab.h", "shmget mode flags"),
    ("signals", "auparse/signaltab.h", "signals"),
    ("sock_levels", "auparse/sockleveltab.h", "socket option levels"),
    ("sock_opt_names", "auparse/sockoptnametab.h", "SOL_SOCKET options"),
    ("socketcalls", "auparse/socktab.h", "socketcall(2) calls"),
    ("sock_types", "auparse/socktypetab.h", "socket types"),
    ("tcp_opt_names", "auparse/tcpoptnametab.h", "TCP socket options"),
    ("umount_flags", "auparse/umounttab.h", "umount2 flags"),
]


def pkg_version(pkg):
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def dump(header, tmp):
    src = os.path.join(tmp, "dump.c")
    with open(os.path.join(tmp, "config.h"), "w") as f:
        f.write("#define WITH_ARM 1\n#define WITH_AARCH64 1\n#define WITH_APPARMOR 1\n")
    with open(src, "w") as f:
        f.write(PRELUDE)
        f.write('#include "%s"\nreturn 0; }\n' % os.path.join(AU, header))
    exe = os.path.join(tmp, "dump")
    subprocess.run(["gcc", "-w", "-include", os.path.join(tmp, "config.h"),
                    "-I", os.path.join(AU, "lib"), "-I",
                    os.path.join(AU, "auparse"), "-I", os.path.join(AU, "common"),
                    "-o", exe, src], check=True)
    out = subprocess.run([exe], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        v, s = line.split("\t", 1)
        rows.append((int(v), s))
    return rows


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header(f, what, source):
    f.write("// @generated by tools/gen-tables.py; do not edit.\n//\n")
    f.write("// %s: names from audit-userspace v3.0.9 %s,\n" % (what, source))
    f.write("// numbers from the C headers of glibc %s and linux-libc-dev %s.\n\n"
            % (pkg_version("libc6-dev"), pkg_version("linux-libc-dev")))


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for stem, hdr, what in TABLES:
            rows = dump(hdr, tmp)
            with open(os.path.join(OUT, stem + ".rs"), "w") as f:
                header(f, what, hdr)
                f.write("/// (value as a C `int`, name), in the header's order.\n")
                f.write("pub(crate) static TABLE: &[(i32, &str)] = &[\n")
                for v, s in rows:
                    f.write("    (%d, %s),\n" % (v, rust_str(s)))
                f.write("];\n")
            print("%-16s %d rows" % (stem, len(rows)))
        # errno messages: glibc's strerror for every errno audit names.
        rows = dump("lib/errtab.h", tmp)
        with open(os.path.join(OUT, "errno_messages.rs"), "w") as f:
            f.write("// @generated by tools/gen-tables.py; do not edit.\n//\n")
            f.write("// glibc %s strerror() texts (C locale) for errno 1..=%d.\n\n"
                    % (pkg_version("libc6"), max(v for v, _ in rows)))
            f.write("pub(crate) static TABLE: &[(i32, &str)] = &[\n")
            for n in range(1, max(v for v, _ in rows) + 1):
                f.write("    (%d, %s),\n" % (n, rust_str(os.strerror(n))))
            f.write("];\n")


def c_string(lit):
    """Decode a C string literal body (hex, octal and letter escapes)."""
    out = bytearray()
    i = 0
    while i < len(lit):
        c = lit[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = lit[i + 1]
        if n == "x":
            m = re.match(r"[0-9a-fA-F]+", lit[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        elif n in "01234567":
            m = re.match(r"[0-7]{1,3}", lit[i + 1:])
            out.append(int(m.group(0), 8))
            i += 1 + len(m.group(0))
        else:
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "e": b"\x1b",
                    "\\": b"\\", '"': b'"'}[n]
            i += 2
    return bytes(out)


def gen_tty_keys():
    src = open(os.path.join(AU, "auparse/tty_named_keys.h")).read()
    rows = []
    for m in re.finditer(r'^E\(((?:"(?:[^"\\]|\\.)*"\s*)+),\s*"([^"]*)"\)', src, re.M):
        seq = b"".join(c_string(x) for x in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        rows.append((seq, m.group(2)))
    with open(os.path.join(OUT, "tty_keys.rs"), "w") as f:
        f.write("// @generated by tools/gen-tables.py; do not edit.\n//\n")
        f.write("// TTY key sequences and the names auparse prints for them, from\n")
        f.write("// audit-userspace v3.0.9 auparse/tty_named_keys.h (first match wins).\n\n")
        f.write("pub(crate) static TABLE: &[(&[u8], &str)] = &[\n")
        for seq, name in rows:
            f.write("    (b\"%s\", %s),\n" % ("".join("\\x%02x" % b for b in seq), rust_str(name)))
        f.write("];\n")
    print("%-16s %d rows" % ("tty_keys", len(rows)))


def gen_protocols():
    """getprotobynumber(): first /etc/protocols line with that number."""
    rows = []
    seen = set()
    for line in open("/etc/protocols"):
        line = line.split("#", 1)[0].split()
        if len(line) >= 2 and int(line[1]) not in seen:
            seen.add(int(line[1]))
            rows.append((int(line[1]), line[0]))
    with open(os.path.join(OUT, "protocols.rs"), "w") as f:
        f.write("// @generated by tools/gen-tables.py; do not edit.\n//\n")
        f.write("// /etc/protocols of Debian netbase %s: what glibc's\n" % pkg_version("netbase"))
        f.write("// getprotobynumber() returns on the reference machine.\n\n")
        f.write("pub(crate) static TABLE: &[(i32, &str)] = &[\n")
        for v, s in rows:
            f.write("    (%d, %s),\n" % (v, rust_str(s)))
        f.write("];\n")
    print("%-16s %d rows" % ("protocols", len(rows)))


if __name__ == "__main__":
    gen_tty_keys()
    gen_protocols()
    main()
