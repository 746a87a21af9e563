//! Syscall numbers and names per machine.
//!
//! Each generated table row carries two names: the kernel's (from the uapi
//! headers) and the one audit-userspace 3.0.9 uses (its hand-kept table).
//! They mostly agree; `src/tables/README.md` lists the differences. Tools
//! that must print what ausearch 3.0.9 prints use [`syscall_name_au309`];
//! everything else uses [`syscall_name`], which prefers the audit name but
//! also knows calls 3.0.9 lacks.

use crate::tables;
use crate::Machine;

type Table = &'static [(u32, &'static str, &'static str)];

fn table(m: Machine) -> Table {
    match m {
        Machine::X86_64 => tables::syscalls_x86_64::TABLE,
        Machine::I386 => tables::syscalls_i386::TABLE,
        Machine::Aarch64 => tables::syscalls_aarch64::TABLE,
        Machine::Arm => tables::syscalls_arm::TABLE,
        Machine::Ppc64 => tables::syscalls_ppc64::TABLE,
        Machine::Ppc64le => tables::syscalls_ppc64le::TABLE,
        Machine::Ppc => tables::syscalls_ppc::TABLE,
        Machine::S390x => tables::syscalls_s390x::TABLE,
        Machine::S390 => tables::syscalls_s390::TABLE,
        Machine::Riscv32 => tables::syscalls_riscv32::TABLE,
        Machine::Riscv64 => tables::syscalls_riscv64::TABLE,
    }
}

fn aliases(m: Machine) -> &'static [(u32, &'static str)] {
    match m {
        Machine::X86_64 => tables::syscalls_x86_64::ALIASES,
        Machine::I386 => tables::syscalls_i386::ALIASES,
        Machine::Aarch64 => tables::syscalls_aarch64::ALIASES,
        Machine::Arm => tables::syscalls_arm::ALIASES,
        Machine::Ppc64 => tables::syscalls_ppc64::ALIASES,
        Machine::Ppc64le => tables::syscalls_ppc64le::ALIASES,
        Machine::Ppc => tables::syscalls_ppc::ALIASES,
        Machine::S390x => tables::syscalls_s390x::ALIASES,
        Machine::S390 => tables::syscalls_s390::ALIASES,
        Machine::Riscv32 => tables::syscalls_riscv32::ALIASES,
        Machine::Riscv64 => tables::syscalls_riscv64::ALIASES,
    }
}

fn row(m: Machine, nr: u32) -> Option<&'static (u32, &'static str, &'static str)> {
    let t = table(m);
    t.binary_search_by_key(&nr, |r| r.0).ok().map(|i| &t[i])
}

fn non_empty(s: &'static str) -> Option<&'static str> {
    (!s.is_empty()).then_some(s)
}

/// Name of syscall `nr` on `m`: audit 3.0.9's name when it has one, else
/// the kernel's.
pub fn syscall_name(m: Machine, nr: u32) -> Option<&'static str> {
    let r = row(m, nr)?;
    non_empty(r.2).or_else(|| non_empty(r.1))
}

/// Name of syscall `nr` exactly as libaudit 3.0.9's `audit_syscall_to_name`
/// returns it (`None` where 3.0.9 has no entry, and for RISC-V).
pub fn syscall_name_au309(m: Machine, nr: u32) -> Option<&'static str> {
    non_empty(row(m, nr)?.2)
}

/// Number of syscall `name` on `m`, case-insensitively like libaudit's
/// `audit_name_to_syscall`. Both audit and kernel spellings are accepted
/// (e.g. x86_64 `pread` and `pread64`).
pub fn syscall_number(m: Machine, name: &str) -> Option<u32> {
    let t = table(m);
    t.iter()
        .find(|r| r.2.eq_ignore_ascii_case(name))
        .or_else(|| t.iter().find(|r| r.1.eq_ignore_ascii_case(name)))
        .map(|r| r.0)
        .or_else(|| {
            aliases(m)
                .iter()
                .find(|r| r.1.eq_ignore_ascii_case(name))
                .map(|r| r.0)
        })
}

/// All (number, name) pairs known for `m`, in number order, named as
/// [`syscall_name`] names them.
pub fn syscalls(m: Machine) -> impl Iterator<Item = (u32, &'static str)> {
    table(m)
        .iter()
        .filter_map(|r| Some((r.0, non_empty(r.2).or_else(|| non_empty(r.1))?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_calls() {
        assert_eq!(syscall_name(Machine::X86_64, 59), Some("execve"));
        assert_eq!(syscall_name(Machine::X86_64, 257), Some("openat"));
        assert_eq!(syscall_name(Machine::I386, 11), Some("execve"));
        assert_eq!(syscall_name(Machine::Aarch64, 221), Some("execve"));
        assert_eq!(syscall_name(Machine::Arm, 11), Some("execve"));
        assert_eq!(syscall_name(Machine::Ppc64le, 11), Some("execve"));
        assert_eq!(syscall_name(Machine::S390x, 11), Some("execve"));
        assert_eq!(syscall_name(Machine::Riscv64, 221), Some("execve"));
        assert_eq!(syscall_name(Machine::Riscv32, 221), Some("execve"));
        assert_eq!(syscall_number(Machine::X86_64, "OPENAT"), Some(257));
        assert_eq!(syscall_number(Machine::Aarch64, "open"), None);
        assert_eq!(syscall_name(Machine::X86_64, 100_000), None);
    }

    #[test]
    fn audit_names_win() {
        // 3.0.9 says pread where the kernel says pread64.
        assert_eq!(syscall_name(Machine::X86_64, 17), Some("pread"));
        assert_eq!(syscall_number(Machine::X86_64, "pread64"), Some(17));
        assert_eq!(syscall_number(Machine::X86_64, "pread"), Some(17));
        assert_eq!(syscall_name_au309(Machine::Riscv64, 221), None);
        // libaudit's i386 table lists 219 twice; the first name is printed.
        assert_eq!(syscall_name_au309(Machine::I386, 219), Some("madvise"));
        assert_eq!(syscall_number(Machine::I386, "madvise1"), Some(219));
        // A call 3.0.9's arm table lacks but the kernel has.
        assert_eq!(syscall_name_au309(Machine::Arm, 335), None);
        assert_eq!(syscall_name(Machine::Arm, 335), Some("pselect6"));
    }

    #[test]
    fn tables_sorted() {
        for m in Machine::ALL {
            let t = table(m);
            assert!(t.windows(2).all(|w| w[0].0 < w[1].0), "{m}");
            assert!(t.len() > 250, "{m}");
        }
    }
}
