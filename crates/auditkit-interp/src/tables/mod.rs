//! Generated tables of facts (see each file's header for its source) and
//! the two lookups auparse performs on them.
//!
//! `tools/gen-syscalls.py` writes `syscalls_*.rs`; `tools/gen-tables.py`
//! writes the rest. `README.md` in this directory records how our kernel
//! derived syscall names differ from audit 3.0.9's own tables.

macro_rules! tables {
    ($($m:ident),* $(,)?) => { $(pub(crate) mod $m;)* };
}

tables!(
    syscalls_x86_64,
    syscalls_i386,
    syscalls_aarch64,
    syscalls_arm,
    syscalls_ppc64,
    syscalls_ppc64le,
    syscalls_ppc,
    syscalls_s390x,
    syscalls_s390,
    syscalls_riscv32,
    syscalls_riscv64,
    msg_types,
    errno_names,
    errno_messages,
    ftypes,
    filter_lists,
    field_types,
    access,
    bpf,
    caps,
    clocks,
    clone_flags,
    epoll_ctl,
    families,
    fcntl_cmds,
    path_flags,
    icmp_types,
    inet_hooks,
    ioctl_reqs,
    ip6_opt_names,
    ipc_cmds,
    ipc_calls,
    ip_opt_names,
    mmap_flags,
    mount_flags,
    net_actions,
    nf_protos,
    open_flags,
    resolve_flags,
    personalities,
    pkt_opt_names,
    prctl_opts,
    protections,
    ptrace_reqs,
    recv_flags,
    rlimits,
    sched_policies,
    seccomp_actions,
    seek_whence,
    shm_modes,
    signals,
    sock_levels,
    sock_opt_names,
    socketcalls,
    sock_types,
    tcp_opt_names,
    umount_flags,
    protocols,
    tty_keys,
);

/// Number → name, first row wins (gen_tables' `i2s`; with duplicate values
/// the first one in the header is the one printed).
pub(crate) fn i2s(table: &'static [(i32, &'static str)], v: i32) -> Option<&'static str> {
    table.iter().find(|r| r.0 == v).map(|r| r.1)
}
