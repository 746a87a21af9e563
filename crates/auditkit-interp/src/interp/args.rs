//! `syscall=` and the syscall arguments `a0`..`a3`, whose meaning depends
//! on the record's syscall (`print_syscall`, `print_a0`..`print_a3`).

use super::num::{self, tri, ul};
use super::{ids, wrap, Ctx};
use crate::cnum::strtol;
use crate::tables::{self, i2s};
use crate::Machine;

/// Which of the record's `a0` and `a1` the interpretations of its
/// `syscall` and `a0`..`a3` read, for a cache of interpretations: a
/// busy log repeats the same calls with the same flags, but `a0`/`a1` are
/// often pointers that never repeat, so keying every argument's
/// interpretation by both would never find it again. Each flag follows
/// the match of the printer it names (the tests check every syscall of
/// several machines against the printers themselves).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArgsRead {
    /// `syscall` reads `a0` (socketcall and ipc name their real call there).
    pub syscall_a0: bool,
    /// `a1` reads `a0` (prctl's option).
    pub a1_a0: bool,
    /// `a2` reads `a1` (fcntl's command, a socket option's level, open's
    /// flags).
    pub a2_a1: bool,
}

impl ArgsRead {
    /// What the interpretations of the record `ctx` describes read. All
    /// of them read the machine and the syscall number besides.
    pub fn of(ctx: &Ctx) -> ArgsRead {
        let syscall_a0 = syscall_machine(ctx)
            .and_then(|m| crate::syscall_name_au309(m, u32::try_from(ctx.syscall_c()).ok()?))
            .is_some_and(|s| s == "socketcall" || s == "ipc");
        let Some(sys) = ctx.syscall_name() else {
            return ArgsRead {
                syscall_a0,
                ..ArgsRead::default()
            };
        };
        ArgsRead {
            syscall_a0,
            a1_a0: sys == "prctl",
            a2_a1: sys.starts_with("fcntl")
                || (sys.len() > 1 && &sys[1..] == "etsockopt")
                || sys == "open"
                || sys == "mq_open",
        }
    }
}

/// The machine `print_syscall` names the call on: the record's, else the
/// native one (auparse asks uname, audit_detect_machine).
fn syscall_machine(ctx: &Ctx) -> Option<Machine> {
    ctx.machine309()
        .or_else(|| Some(Machine::native()).filter(|m| m.known_to_au309()))
}

pub(crate) fn print_syscall(val: &[u8], ctx: &Ctx) -> Vec<u8> {
    let Some(machine) = syscall_machine(ctx) else {
        return val.to_vec();
    };
    let nr = ctx.syscall_c();
    let name = u32::try_from(nr)
        .ok()
        .and_then(|n| crate::syscall_name_au309(machine, n));
    let Some(sys) = name else {
        return format!("unknown-syscall({nr})").into_bytes();
    };
    // socketcall/ipc: the real call is in a0 (only if it fits an int).
    let a0 = ctx.a0;
    let func = if (a0 as i32) as i64 as u64 != a0 {
        None
    } else if sys == "socketcall" {
        i2s(tables::socketcalls::TABLE, a0 as i32)
    } else if sys == "ipc" {
        i2s(tables::ipc_calls::TABLE, a0 as i32)
    } else {
        None
    };
    match func {
        Some(f) => format!("{sys}({f})").into_bytes(),
        None => sys.as_bytes().to_vec(),
    }
}

fn print_call(val: &[u8], t: &'static [(i32, &'static str)], what: &str) -> Vec<u8> {
    let v = tri!(strtol(val, 16).map_err(|_| super::conv_err(val))) as i32;
    num::name_or(t, v, &format!("unknown-{what}("), val, ")")
}

fn hex(val: &[u8]) -> Vec<u8> {
    wrap("0x", val, "")
}

pub(crate) fn print_a0(val: &[u8], ctx: &Ctx) -> Vec<u8> {
    let Some(sys) = ctx.syscall_name() else {
        return hex(val);
    };
    let uid = |v| ids::print_uid(v, 16, ctx.names);
    let gid = |v| ids::print_gid(v, 16, ctx.names);
    match sys {
        "rt_sigaction" => num::print_signal(val, 16),
        "readlinkat" | "mkdirat" | "mknodat" | "fchownat" | "futimesat" | "fchmodat"
        | "futimensat" | "unlinkat" | "utimensat" | "linkat" | "newfstatat"
        | "name_to_handle_at" => num::print_dirfd(val),
        s if s.starts_with("renameat") || s.starts_with("faccessat") => num::print_dirfd(val),
        s if s.starts_with("openat") => num::print_dirfd(val),
        "clock_settime" => num::print_clock_id(val),
        "personality" => num::print_personality(val),
        "ptrace" => num::print_ptrace(val),
        "prctl" => num::print_prctl_opt(val),
        "unshare" => num::print_clone_flags(val),
        s if s.len() > 1 && &s[1..] == "etrlimit" => num::print_rlimit(val),
        "setuid" | "setreuid" | "setresuid" | "setfsuid" => uid(val),
        "setgid" | "setregid" | "setresgid" | "setfsgid" => gid(val),
        "socket" => num::print_socket_domain(val),
        "socketcall" => print_call(val, tables::socketcalls::TABLE, "socketcall"),
        "ipccall" => print_call(val, tables::ipc_calls::TABLE, "ipccall"),
        s if s.starts_with("exit") => num::print_exit_syscall(val),
        "bpf" => num::print_bpf(val),
        _ => hex(val),
    }
}

// prctl options whose a1 auparse decodes (linux/prctl.h).
const PR_SET_PDEATHSIG: u64 = 1;
const PR_CAPBSET_READ: u64 = 23;
const PR_CAPBSET_DROP: u64 = 24;

pub(crate) fn print_a1(val: &[u8], ctx: &Ctx) -> Vec<u8> {
    let Some(sys) = ctx.syscall_name() else {
        return hex(val);
    };
    let uid = |v| ids::print_uid(v, 16, ctx.names);
    let gid = |v| ids::print_gid(v, 16, ctx.names);
    match sys {
        "fchmod" | "chmod" | "creat" | "mkdir" => num::print_mode_short(val, 16),
        s if s.starts_with("fcntl") => num::print_fcntl_cmd(val),
        s if s.starts_with('c') && s.contains("chown") => uid(val),
        s if s.len() > 1 && &s[1..] == "etsockopt" => num::print_sock_opt_level(val),
        "setreuid" | "setresuid" => uid(val),
        "setregid" | "setresgid" => gid(val),
        "socket" => num::print_socket_type(val),
        "setns" => num::print_clone_flags(val),
        "sched_setscheduler" => num::print_sched(val),
        "mknod" => num::print_mode(val, 16),
        "mq_open" | "open" => num::print_open_flags(val),
        "access" => num::print_access(val),
        "epoll_ctl" => num::print_epoll_ctl(val),
        "kill" | "tkill" => num::print_signal(val, 16),
        "prctl" => match ctx.a0 {
            PR_CAPBSET_READ | PR_CAPBSET_DROP => num::print_capability(val, 16),
            PR_SET_PDEATHSIG => num::print_signal(val, 16),
            _ => hex(val),
        },
        "umount2" => num::print_umount(val),
        "ioctl" => num::print_ioctl_req(val),
        _ => hex(val),
    }
}

// Constants print_a2 compares a1 with (glibc/kernel headers).
const F_SETOWN: u64 = 8;
const F_SETFD: u64 = 2;
const FD_CLOEXEC: u32 = 1;
const O_CREAT: u64 = 0o100;
const IPPROTO_IP: u64 = 0;
const SOL_SOCKET: u64 = 1;
const IPPROTO_TCP: u64 = 6;
const IPPROTO_UDP: u64 = 17;
const IPPROTO_IPV6: u64 = 41;
const SOL_PACKET: u64 = 263;

pub(crate) fn print_a2(val: &[u8], ctx: &Ctx) -> Vec<u8> {
    let Some(sys) = ctx.syscall_name() else {
        return hex(val);
    };
    let machine = ctx.machine309();
    match sys {
        s if s.starts_with("fcntl") => {
            let v = tri!(ul(val, 16)) as u32;
            match ctx.a1 {
                F_SETOWN => ids::print_uid(val, 16, ctx.names),
                F_SETFD if v == FD_CLOEXEC => b"FD_CLOEXEC".to_vec(),
                _ => hex(val),
            }
        }
        s if s.len() > 1 && &s[1..] == "etsockopt" => match ctx.a1 {
            IPPROTO_IP => num::print_opt_name(tables::ip_opt_names::TABLE, "ipopt", val),
            SOL_SOCKET => num::print_sock_opt_name(val, machine),
            IPPROTO_TCP => num::print_opt_name(tables::tcp_opt_names::TABLE, "tcpopt", val),
            IPPROTO_UDP => num::print_udp_opt_name(val),
            IPPROTO_IPV6 => num::print_opt_name(tables::ip6_opt_names::TABLE, "ip6opt", val),
            SOL_PACKET => num::print_opt_name(tables::pkt_opt_names::TABLE, "pktopt", val),
            _ => hex(val),
        },
        "openat" | "open_by_handle_at" => num::print_open_flags(val),
        "open" | "mq_open" if ctx.a1 & O_CREAT != 0 => num::print_mode_short(val, 16),
        "fchmodat" | "mkdirat" | "mknodat" => num::print_mode_short(val, 16),
        s if s.starts_with("faccessat") => num::print_access(val),
        "setresuid" => ids::print_uid(val, 16, ctx.names),
        "setresgid" => ids::print_gid(val, 16, ctx.names),
        "socket" => num::print_socket_proto(val),
        "sendmsg" | "recvmsg" => num::print_recv(val),
        "shmget" => num::print_shmflags(val),
        "mmap" => num::print_prot(val, true),
        "mprotect" => num::print_prot(val, false),
        "readlinkat" | "linkat" => num::print_dirfd(val),
        s if s.starts_with("renameat") => num::print_dirfd(val),
        "lseek" => num::print_seek(val),
        "clone" | "clone2" => num::print_clone_flags(val),
        // The C code only reaches its chown test for names not starting
        // with o, f, s, m, r, l or c.
        s if !s.starts_with(['o', 'f', 's', 'm', 'r', 'l', 'c']) && s.contains("chown") => {
            ids::print_gid(val, 16, ctx.names)
        }
        "tgkill" => num::print_signal(val, 16),
        _ => hex(val),
    }
}

pub(crate) fn print_a3(val: &[u8], ctx: &Ctx) -> Vec<u8> {
    let Some(sys) = ctx.syscall_name() else {
        return hex(val);
    };
    match sys {
        "mmap" => num::print_mmap(val),
        "mount" => num::print_mount(val),
        "recv" | "recvfrom" | "recvmmsg" | "send" | "sendto" | "sendmmsg" => num::print_recv(val),
        _ => hex(val),
    }
}
