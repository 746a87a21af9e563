//! Numeric fields: table lookups and flag lists (the `print_*` functions of
//! interpret.c that take a number). Each converts with glibc's strtoul or
//! strtol into the C type auparse uses, because the truncation to `int` or
//! `unsigned int` is visible in the output.

use super::{conv_err, wrap};
use crate::cnum::{strtol, strtoul};
use crate::tables::{self, i2s};
use crate::Machine;

type Table = &'static [(i32, &'static str)];

/// `strtoul` or the `conversion error(...)` text.
pub(crate) fn ul(val: &[u8], base: u32) -> Result<u64, Vec<u8>> {
    strtoul(val, base).map_err(|_| conv_err(val))
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return e,
        }
    };
}
pub(crate) use tri;

/// Names of the table entries whose bits are set in `flags`, in table
/// order, joined by `sep` (the transtab loops of interpret.c).
pub(crate) fn join_flags(table: &[(i32, &str)], flags: u64, sep: &str, buf: &mut String) {
    for (v, name) in table {
        if (*v as i64 as u64) & flags != 0 {
            if !buf.is_empty() {
                buf.push_str(sep);
            }
            buf.push_str(name);
        }
    }
}

/// Table name or `<prefix>val<suffix>`.
pub(crate) fn name_or(t: Table, key: i32, prefix: &str, val: &[u8], suffix: &str) -> Vec<u8> {
    match i2s(t, key) {
        Some(s) => s.as_bytes().to_vec(),
        None => wrap(prefix, val, suffix),
    }
}

/// Flag list, or `0x` + the raw value when no flag matched.
fn flags_or_hex(buf: String, val: &[u8]) -> Vec<u8> {
    if buf.is_empty() {
        wrap("0x", val, "")
    } else {
        buf.into_bytes()
    }
}

pub(crate) fn print_arch(val: &[u8], machine: Option<Machine>) -> Vec<u8> {
    // With a known machine numbered up to MACH_AARCH64 auparse prints its
    // name; otherwise (none, or ppc64le) it decodes the value itself.
    let m = match machine.filter(|m| m.au309_number().is_some_and(|n| n <= 9)) {
        Some(m) => Some(m),
        None => match strtoul(val, 16) {
            Err(_) => return wrap("conversion error(", val, ") "),
            Ok(v) => Machine::from_elf(v as u32).filter(|m| m.known_to_au309()),
        },
    };
    match m {
        Some(m) => m.name().as_bytes().to_vec(),
        None => wrap("unknown-elf-type(", val, ")"),
    }
}

pub(crate) fn print_exit(val: &[u8]) -> Vec<u8> {
    let v = tri!(strtol(val, 10).map_err(|_| conv_err(val)));
    if v >= 0 {
        return val.to_vec();
    }
    let e = v.wrapping_neg() as i32;
    let name = crate::errno::name(e).unwrap_or("(null)");
    format!("{name}({})", crate::errno::strerror_c(i64::from(e))).into_bytes()
}

pub(crate) fn print_perm(val: &[u8]) -> Vec<u8> {
    let mut v = tri!(strtol(val, 10).map_err(|_| conv_err(val))) as i32;
    if v == 0 {
        v = 0x0F; // the kernel treats nothing as everything
    }
    let mut buf = String::new();
    for (bit, name) in [(4, "read"), (2, "write"), (1, "exec"), (8, "attr")] {
        if v & bit != 0 {
            if !buf.is_empty() {
                buf.push(',');
            }
            buf.push_str(name);
        }
    }
    buf.into_bytes()
}

pub(crate) fn print_mode(val: &[u8], base: u32) -> Vec<u8> {
    let v = tri!(ul(val, base)) as u32;
    let fmt = v & 0o170000;
    let mut buf = match i2s(tables::ftypes::TABLE, fmt as i32) {
        Some(n) => n.to_string(),
        None => format!("{:03o}", fmt / 0o010000),
    };
    for (bit, name) in [(0o4000, ",suid"), (0o2000, ",sgid"), (0o1000, ",sticky")] {
        if v & bit != 0 {
            buf.push_str(name);
        }
    }
    format!("{buf},{:03o}", v & 0o777).into_bytes()
}

pub(crate) fn mode_short_int(v: u32) -> String {
    let mut buf = String::new();
    for (bit, name) in [(0o4000, "suid"), (0o2000, "sgid"), (0o1000, "sticky")] {
        if v & bit != 0 {
            if !buf.is_empty() {
                buf.push(',');
            }
            buf.push_str(name);
        }
    }
    if buf.is_empty() {
        format!("0{:03o}", v & 0o777)
    } else {
        format!("{buf},0{:03o}", v & 0o777)
    }
}

pub(crate) fn print_mode_short(val: &[u8], base: u32) -> Vec<u8> {
    mode_short_int(tri!(ul(val, base)) as u32).into_bytes()
}

pub(crate) fn print_flags(val: &[u8]) -> Vec<u8> {
    let f = tri!(ul(val, 16)) as i32;
    if f == 0 {
        return b"none".to_vec();
    }
    let mut buf = String::new();
    join_flags(tables::path_flags::TABLE, f as u32 as u64, ",", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_promisc(val: &[u8]) -> Vec<u8> {
    let v = tri!(strtol(val, 10).map_err(|_| conv_err(val))) as i32;
    if v == 0 {
        b"no".to_vec()
    } else {
        b"yes".to_vec()
    }
}

pub(crate) fn print_capability(val: &[u8], base: u32) -> Vec<u8> {
    let v = tri!(ul(val, base)) as i32;
    let prefix = if base == 16 {
        "unknown-capability(0x"
    } else {
        "unknown-capability("
    };
    name_or(tables::caps::TABLE, v, prefix, val, ")")
}

/// `CAP_LAST_CAP` of the kernel headers 3.0.9 was built with (Linux 6.1).
const CAP_LAST_CAP: u32 = 40;

pub(crate) fn print_cap_bitmap(val: &[u8]) -> Vec<u8> {
    let v = tri!(ul(val, 16));
    let mut buf = String::new();
    let mut found = false;
    for i in 0..=CAP_LAST_CAP {
        if v & (1u64 << i) != 0 {
            if found {
                buf.push(',');
            }
            if let Some(n) = i2s(tables::caps::TABLE, i as i32) {
                buf.push_str(n);
            }
            found = true;
        }
    }
    if found {
        buf.into_bytes()
    } else {
        b"none".to_vec()
    }
}

pub(crate) fn print_success(val: &[u8]) -> Vec<u8> {
    if !val.first().is_some_and(u8::is_ascii_digit) {
        return val.to_vec();
    }
    match tri!(ul(val, 10)) as i32 {
        0 => b"no".to_vec(),
        1 => b"yes".to_vec(),
        _ => b"unset".to_vec(),
    }
}

pub(crate) fn print_open_flags(val: &[u8]) -> Vec<u8> {
    let f = tri!(ul(val, 16)) as u32;
    let mut buf = String::new();
    if f & 3 == 0 {
        buf.push_str("O_RDONLY");
    }
    join_flags(tables::open_flags::TABLE, u64::from(f), "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_clone_flags(val: &[u8]) -> Vec<u8> {
    let f = tri!(ul(val, 16)) as u32;
    let mut buf = String::new();
    join_flags(tables::clone_flags::TABLE, u64::from(f), "|", &mut buf);
    let sig = f & 0xFF;
    if sig != 0 && sig < 32 {
        if let Some(s) = i2s(tables::signals::TABLE, sig as i32) {
            if !buf.is_empty() {
                buf.push('|');
            }
            buf.push_str(s);
        }
    }
    if buf.is_empty() {
        format!("0x{f:x}").into_bytes()
    } else {
        buf.into_bytes()
    }
}

pub(crate) fn print_fcntl_cmd(val: &[u8]) -> Vec<u8> {
    let c = tri!(ul(val, 16)) as i32;
    match i2s(tables::fcntl_cmds::TABLE, c) {
        Some(s) => s.as_bytes().to_vec(),
        None => format!("unknown-fcntl-command({c})").into_bytes(),
    }
}

pub(crate) fn print_epoll_ctl(val: &[u8]) -> Vec<u8> {
    let c = tri!(ul(val, 16)) as i32;
    match i2s(tables::epoll_ctl::TABLE, c) {
        Some(s) => s.as_bytes().to_vec(),
        None => format!("unknown-epoll_ctl-operation({c})").into_bytes(),
    }
}

/// Lookup only for `key < limit` (signed), as several printers guard it.
fn below(t: Table, key: i32, limit: i32, prefix: &str, val: &[u8]) -> Vec<u8> {
    match (key < limit).then(|| i2s(t, key)).flatten() {
        Some(s) => s.as_bytes().to_vec(),
        None => wrap(prefix, val, ")"),
    }
}

pub(crate) fn print_clock_id(val: &[u8]) -> Vec<u8> {
    let i = tri!(ul(val, 16)) as i32;
    below(tables::clocks::TABLE, i, 7, "unknown-clk_id(0x", val)
}

pub(crate) fn print_prot(val: &[u8], is_mmap: bool) -> Vec<u8> {
    let p = tri!(ul(val, 16)) as u32;
    if p & 7 == 0 {
        return b"PROT_NONE".to_vec();
    }
    let limit = if is_mmap { 4 } else { 3 };
    let t = tables::protections::TABLE;
    let mut buf = String::new();
    join_flags(&t[..limit.min(t.len())], u64::from(p), "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_mmap(val: &[u8]) -> Vec<u8> {
    let m = tri!(ul(val, 16)) as u32;
    let mut buf = String::new();
    if m & 0x0F == 0 {
        buf.push_str("MAP_FILE");
    }
    join_flags(tables::mmap_flags::TABLE, u64::from(m), "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_personality(val: &[u8]) -> Vec<u8> {
    let p = tri!(ul(val, 16)) as i32;
    match i2s(tables::personalities::TABLE, p & 0x00ff) {
        Some(s) if p & 0x0040000 != 0 => format!("{s}|~ADDR_NO_RANDOMIZE").into_bytes(),
        Some(s) => s.as_bytes().to_vec(),
        None => wrap("unknown-personality(0x", val, ")"),
    }
}

pub(crate) fn print_ptrace(val: &[u8]) -> Vec<u8> {
    let v = tri!(ul(val, 16)) as i32;
    name_or(tables::ptrace_reqs::TABLE, v, "unknown-ptrace(0x", val, ")")
}

pub(crate) fn print_prctl_opt(val: &[u8]) -> Vec<u8> {
    let v = tri!(ul(val, 16)) as i32;
    name_or(
        tables::prctl_opts::TABLE,
        v,
        "unknown-prctl-option(0x",
        val,
        ")",
    )
}

pub(crate) fn print_mount(val: &[u8]) -> Vec<u8> {
    let m = tri!(ul(val, 16)) as u32;
    let mut buf = String::new();
    join_flags(tables::mount_flags::TABLE, u64::from(m), "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_rlimit(val: &[u8]) -> Vec<u8> {
    let i = tri!(ul(val, 16)) as i32;
    below(tables::rlimits::TABLE, i, 17, "unknown-rlimit(0x", val)
}

pub(crate) fn print_recv(val: &[u8]) -> Vec<u8> {
    let r = tri!(ul(val, 16)) as u32;
    let mut buf = String::new();
    join_flags(tables::recv_flags::TABLE, u64::from(r), "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_access(val: &[u8]) -> Vec<u8> {
    let m = tri!(ul(val, 16));
    if m & 0xF == 0 {
        return b"F_OK".to_vec();
    }
    let t = tables::access::TABLE;
    let mut buf = String::new();
    join_flags(&t[..3.min(t.len())], m, "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_dirfd(val: &[u8]) -> Vec<u8> {
    if tri!(ul(val, 16)) as u32 == 0xffff_ff9c {
        b"AT_FDCWD".to_vec()
    } else {
        wrap("0x", val, "")
    }
}

pub(crate) fn print_sched(val: &[u8]) -> Vec<u8> {
    let p = tri!(ul(val, 16)) as u32;
    match i2s(tables::sched_policies::TABLE, (p & 0x0F) as i32) {
        Some(s) if p & 0x4000_0000 != 0 => format!("{s}|SCHED_RESET_ON_FORK").into_bytes(),
        Some(s) => s.as_bytes().to_vec(),
        None => wrap("unknown-scheduler-policy(0x", val, ")"),
    }
}

/// `getprotobynumber(n)->p_name` on the reference machine.
fn protocol_name(n: i32) -> Option<&'static str> {
    i2s(tables::protocols::TABLE, n)
}

pub(crate) fn print_sock_opt_level(val: &[u8]) -> Vec<u8> {
    let l = tri!(ul(val, 16)) as i32;
    if l == 1 {
        return b"SOL_SOCKET".to_vec();
    }
    match protocol_name(l) {
        Some(p) => p.as_bytes().to_vec(),
        None => name_or(
            tables::sock_levels::TABLE,
            l,
            "unknown-sockopt-level(0x",
            val,
            ")",
        ),
    }
}

pub(crate) fn print_sock_opt_name(val: &[u8], machine: Option<Machine>) -> Vec<u8> {
    let mut o = tri!(ul(val, 16)) as i32;
    // PPC's numbers differ (not ppc64le: 3.0.9 only checks these two).
    if matches!(machine, Some(Machine::Ppc64 | Machine::Ppc)) && (16..=21).contains(&o) {
        o += 100;
    }
    name_or(
        tables::sock_opt_names::TABLE,
        o,
        "unknown-sockopt-name(0x",
        val,
        ")",
    )
}

pub(crate) fn print_opt_name(t: Table, what: &str, val: &[u8]) -> Vec<u8> {
    let o = tri!(ul(val, 16)) as i32;
    name_or(t, o, &format!("unknown-{what}-name(0x"), val, ")")
}

pub(crate) fn print_udp_opt_name(val: &[u8]) -> Vec<u8> {
    match tri!(ul(val, 16)) as i32 {
        1 => b"UDP_CORK".to_vec(),
        100 => b"UDP_ENCAP".to_vec(),
        _ => wrap("unknown-udpopt-name(0x", val, ")"),
    }
}

pub(crate) fn print_shmflags(val: &[u8]) -> Vec<u8> {
    let f = tri!(ul(val, 16)) as u32;
    let mut buf = String::new();
    join_flags(
        tables::ipc_cmds::TABLE,
        u64::from(f & 0o3000),
        "|",
        &mut buf,
    );
    join_flags(
        tables::shm_modes::TABLE,
        u64::from(f & 0o14000),
        "|",
        &mut buf,
    );
    if !buf.is_empty() {
        buf.push('|');
    }
    buf.push_str(&mode_short_int(f & 0o777));
    buf.into_bytes()
}

pub(crate) fn print_seek(val: &[u8]) -> Vec<u8> {
    let w = (tri!(ul(val, 16)) & 0xFF) as i32;
    name_or(tables::seek_whence::TABLE, w, "unknown-whence(", val, ")")
}

pub(crate) fn print_umount(val: &[u8]) -> Vec<u8> {
    let f = tri!(ul(val, 16)) as u32;
    let mut buf = String::new();
    join_flags(tables::umount_flags::TABLE, u64::from(f), "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_ioctl_req(val: &[u8]) -> Vec<u8> {
    let r = tri!(ul(val, 16)) as i32;
    match i2s(tables::ioctl_reqs::TABLE, r) {
        Some(s) => s.as_bytes().to_vec(),
        None => format!("0x{:x}", r as u32).into_bytes(),
    }
}

pub(crate) fn print_fanotify(val: &[u8]) -> Vec<u8> {
    if !val.first().is_some_and(u8::is_ascii_digit) {
        return val.to_vec();
    }
    match tri!(ul(val, 10)) as i32 {
        1 => b"allow".to_vec(),
        2 => b"deny".to_vec(),
        _ => b"unknown".to_vec(),
    }
}

pub(crate) fn print_exit_syscall(val: &[u8]) -> Vec<u8> {
    match val {
        b"0" => b"EXIT_SUCCESS".to_vec(),
        b"1" => b"EXIT_FAILURE".to_vec(),
        _ => b"UNKNOWN".to_vec(),
    }
}

pub(crate) fn print_bpf(val: &[u8]) -> Vec<u8> {
    let c = tri!(ul(val, 16)) as i32;
    name_or(tables::bpf::TABLE, c, "unknown-bpf-cmd(", val, ")")
}

pub(crate) fn print_resolve(val: &[u8]) -> Vec<u8> {
    let r = tri!(ul(val, 16));
    let mut buf = String::new();
    join_flags(tables::resolve_flags::TABLE, r, "|", &mut buf);
    flags_or_hex(buf, val)
}

pub(crate) fn print_signal(val: &[u8], base: u32) -> Vec<u8> {
    let i = tri!(ul(val, base)) as i32;
    let prefix = if base == 16 {
        "unknown-signal(0x"
    } else {
        "unknown-signal("
    };
    below(tables::signals::TABLE, i, 32, prefix, val)
}

pub(crate) fn print_nfproto(val: &[u8]) -> Vec<u8> {
    let p = tri!(ul(val, 10)) as i32;
    name_or(
        tables::nf_protos::TABLE,
        p,
        "unknown-netfilter-protocol(",
        val,
        ")",
    )
}

pub(crate) fn print_icmptype(val: &[u8]) -> Vec<u8> {
    let t = tri!(ul(val, 10)) as i32;
    name_or(tables::icmp_types::TABLE, t, "unknown-icmp-type(", val, ")")
}

pub(crate) fn print_protocol(val: &[u8]) -> Vec<u8> {
    let p = tri!(ul(val, 10)) as i32;
    protocol_name(p)
        .unwrap_or("undefined protocol")
        .as_bytes()
        .to_vec()
}

pub(crate) fn print_socket_proto(val: &[u8]) -> Vec<u8> {
    let p = tri!(ul(val, 16)) as u32;
    match protocol_name(p as i32) {
        Some(n) => n.as_bytes().to_vec(),
        None => wrap("unknown-proto(", val, ")"),
    }
}

pub(crate) fn print_socket_domain(val: &[u8]) -> Vec<u8> {
    let d = tri!(ul(val, 16)) as i32;
    name_or(tables::families::TABLE, d, "unknown-family(0x", val, ")")
}

pub(crate) fn print_socket_type(val: &[u8]) -> Vec<u8> {
    let t = (tri!(ul(val, 16)) & 0xFF) as i32;
    name_or(tables::sock_types::TABLE, t, "unknown-type(", val, ")")
}

pub(crate) fn print_hook(val: &[u8]) -> Vec<u8> {
    let h = tri!(ul(val, 16)) as i32;
    name_or(tables::inet_hooks::TABLE, h, "unknown-hook(", val, ")")
}

pub(crate) fn print_netaction(val: &[u8]) -> Vec<u8> {
    let a = tri!(ul(val, 16)) as i32;
    name_or(tables::net_actions::TABLE, a, "unknown-action(", val, ")")
}

pub(crate) fn print_macproto(val: &[u8]) -> Vec<u8> {
    match tri!(ul(val, 16)) as i32 {
        0x0800 => b"IP".to_vec(),
        0x0806 => b"ARP".to_vec(),
        _ => b"UNKNOWN".to_vec(),
    }
}

pub(crate) fn print_list(val: &[u8]) -> Vec<u8> {
    let l = tri!(ul(val, 10)) as i32;
    name_or(tables::filter_lists::TABLE, l, "unknown-list(", val, ")")
}

pub(crate) fn print_session(val: &[u8]) -> Vec<u8> {
    if val == b"4294967295" {
        b"unset".to_vec()
    } else {
        val.to_vec()
    }
}

pub(crate) fn print_seccomp(val: &[u8]) -> Vec<u8> {
    let c = tri!(ul(val, 16));
    name_or(
        tables::seccomp_actions::TABLE,
        (c & 0x7fff_0000) as i32,
        "unknown-seccomp-code(",
        val,
        ")",
    )
}

pub(crate) fn print_nlmcgrp(val: &[u8]) -> Vec<u8> {
    match tri!(ul(val, 16)) {
        1 => b"audit-netlink-multicast".to_vec(),
        _ => b"audit-none".to_vec(),
    }
}
