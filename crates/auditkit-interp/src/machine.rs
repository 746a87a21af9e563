//! Machines (audit "arches"): the ELF audit-arch numbers the kernel writes in
//! `arch=` and the names auditd tools print for them.

/// A machine the audit system knows a syscall table for.
///
/// auparse 3.0.9 knows every variant except the two RISC-V ones; see
/// [`Machine::known_to_au309`] for what that means for interpretation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Machine {
    X86_64,
    I386,
    Aarch64,
    Arm,
    Ppc64,
    Ppc64le,
    Ppc,
    S390x,
    S390,
    Riscv32,
    Riscv64,
}

/// `__AUDIT_ARCH_64BIT` from linux/audit.h.
const ARCH_64BIT: u32 = 0x8000_0000;

impl Machine {
    /// Every machine, in declaration order.
    pub const ALL: [Machine; 11] = [
        Machine::X86_64,
        Machine::I386,
        Machine::Aarch64,
        Machine::Arm,
        Machine::Ppc64,
        Machine::Ppc64le,
        Machine::Ppc,
        Machine::S390x,
        Machine::S390,
        Machine::Riscv32,
        Machine::Riscv64,
    ];

    /// The `AUDIT_ARCH_*` value (linux/audit.h) the kernel logs as `arch=`.
    pub fn elf(self) -> u32 {
        match self {
            Machine::X86_64 => 0xc000_003e,
            Machine::I386 => 0x4000_0003,
            Machine::Aarch64 => 0xc000_00b7,
            Machine::Arm => 0x4000_0028,
            Machine::Ppc64 => 0x8000_0015,
            Machine::Ppc64le => 0xc000_0015,
            Machine::Ppc => 0x14,
            Machine::S390x => 0x8000_0016,
            Machine::S390 => 0x16,
            Machine::Riscv32 => 0x4000_00f3,
            Machine::Riscv64 => 0xc000_00f3,
        }
    }

    /// Inverse of [`Machine::elf`].
    pub fn from_elf(elf: u32) -> Option<Machine> {
        Machine::ALL.into_iter().find(|m| m.elf() == elf)
    }

    /// The name auparse prints for the machine (`audit_machine_to_name`).
    ///
    /// 32-bit ARM prints as `armeb` because that is the first ARM entry of
    /// libaudit's machine table, which is the one its reverse lookup returns.
    /// RISC-V names are the kernel's; auparse 3.0.9 never prints them.
    pub fn name(self) -> &'static str {
        match self {
            Machine::X86_64 => "x86_64",
            Machine::I386 => "i386",
            Machine::Aarch64 => "aarch64",
            Machine::Arm => "armeb",
            Machine::Ppc64 => "ppc64",
            Machine::Ppc64le => "ppc64le",
            Machine::Ppc => "ppc",
            Machine::S390x => "s390x",
            Machine::S390 => "s390",
            Machine::Riscv32 => "riscv32",
            Machine::Riscv64 => "riscv64",
        }
    }

    /// Parse a machine name as `uname -m` or auditctl's `-F arch=` spells it
    /// (libaudit's `audit_name_to_machine`, case-insensitive), plus
    /// `riscv32`/`riscv64`.
    pub fn from_name(name: &str) -> Option<Machine> {
        let n = name.to_ascii_lowercase();
        Some(match n.as_str() {
            "i386" | "i486" | "i586" | "i686" => Machine::I386,
            "x86_64" => Machine::X86_64,
            "ppc64" => Machine::Ppc64,
            "ppc64le" => Machine::Ppc64le,
            "ppc" => Machine::Ppc,
            "s390x" => Machine::S390x,
            "s390" => Machine::S390,
            "armeb" | "arm" | "armv5tejl" | "armv5tel" | "armv6l" | "armv7l" => Machine::Arm,
            "aarch64" | "armv8l" => Machine::Aarch64,
            "riscv32" => Machine::Riscv32,
            "riscv64" => Machine::Riscv64,
            _ => return None,
        })
    }

    /// Resolve an auditctl `-F arch=` value the way libaudit's
    /// `audit_determine_machine` does: `b64`/`b32` (any case) relative to
    /// `native`, a machine name, or a hex ELF number.
    ///
    /// As in 3.0.9, `b32` maps x86_64→i386, ppc64→ppc, s390x→s390,
    /// aarch64→arm (we add riscv64→riscv32); other 64-bit machines keep
    /// their own arch (3.0.9 quirk, e.g. ppc64le), and `b64` on a 32-bit
    /// machine is an error (`None`).
    pub fn from_rule_arch(arch: &str, native: Machine) -> Option<Machine> {
        let (machine, bits) = if arch.eq_ignore_ascii_case("b64") {
            (native, Some(64))
        } else if arch.eq_ignore_ascii_case("b32") {
            (native, Some(32))
        } else if let Some(m) = Machine::from_name(arch) {
            (m, None)
        } else {
            let v = crate::cnum::strtoul(arch.as_bytes(), 16).ok()?;
            (Machine::from_elf(u32::try_from(v).ok()?)?, None)
        };
        let machine = match (bits, machine) {
            (Some(32), Machine::X86_64) => Machine::I386,
            (Some(32), Machine::Ppc64) => Machine::Ppc,
            (Some(32), Machine::S390x) => Machine::S390,
            (Some(32), Machine::Aarch64) => Machine::Arm,
            (Some(32), Machine::Riscv64) => Machine::Riscv32,
            (_, m) => m,
        };
        if bits == Some(64) && machine.bits() == 32 {
            return None;
        }
        Some(machine)
    }

    /// The machine this library was compiled for (`audit_detect_machine`
    /// asks `uname`; a build for another target would do the same).
    pub fn native() -> Machine {
        if cfg!(target_arch = "x86") {
            Machine::I386
        } else if cfg!(target_arch = "aarch64") {
            Machine::Aarch64
        } else if cfg!(target_arch = "arm") {
            Machine::Arm
        } else if cfg!(all(target_arch = "powerpc64", target_endian = "little")) {
            Machine::Ppc64le
        } else if cfg!(target_arch = "powerpc64") {
            Machine::Ppc64
        } else if cfg!(target_arch = "powerpc") {
            Machine::Ppc
        } else if cfg!(target_arch = "s390x") {
            Machine::S390x
        } else if cfg!(target_arch = "riscv64") {
            Machine::Riscv64
        } else if cfg!(target_arch = "riscv32") {
            Machine::Riscv32
        } else {
            Machine::X86_64
        }
    }

    /// Word size: 64 or 32.
    pub fn bits(self) -> u32 {
        if self.elf() & ARCH_64BIT != 0 {
            64
        } else {
            32
        }
    }

    /// Whether auparse 3.0.9 (as Debian builds it) knows this machine.
    /// For the others `audit_elf_to_machine` fails, so ausearch prints
    /// `arch=unknown-elf-type(...)` and treats the record's machine as -1.
    pub fn known_to_au309(self) -> bool {
        !matches!(self, Machine::Riscv32 | Machine::Riscv64)
    }

    /// libaudit's `MACH_*` number (used where auparse compares it).
    pub(crate) fn au309_number(self) -> Option<u32> {
        Some(match self {
            Machine::I386 => 0,
            Machine::X86_64 => 1,
            Machine::Ppc64 => 3,
            Machine::Ppc => 4,
            Machine::S390x => 5,
            Machine::S390 => 6,
            Machine::Arm => 8,
            Machine::Aarch64 => 9,
            Machine::Ppc64le => 10,
            Machine::Riscv32 | Machine::Riscv64 => return None,
        })
    }
}

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elf_round_trip() {
        for m in Machine::ALL {
            assert_eq!(Machine::from_elf(m.elf()), Some(m));
            assert_eq!(Machine::from_name(m.name()), Some(m));
        }
        assert_eq!(Machine::from_elf(0xc000_003e), Some(Machine::X86_64));
        assert_eq!(Machine::from_elf(0x1234), None);
        assert_eq!(Machine::from_name("i686"), Some(Machine::I386));
        assert_eq!(Machine::from_name("ARMv7l"), Some(Machine::Arm));
        assert_eq!(Machine::from_name("sparc"), None);
    }

    #[test]
    fn rule_arch() {
        let x = Machine::X86_64;
        assert_eq!(Machine::from_rule_arch("b64", x), Some(x));
        assert_eq!(Machine::from_rule_arch("B32", x), Some(Machine::I386));
        assert_eq!(Machine::from_rule_arch("b64", Machine::I386), None);
        assert_eq!(
            Machine::from_rule_arch("b32", Machine::Aarch64),
            Some(Machine::Arm)
        );
        assert_eq!(
            Machine::from_rule_arch("c000003e", Machine::Aarch64),
            Some(x)
        );
        assert_eq!(Machine::from_rule_arch("x86_64", Machine::I386), Some(x));
        assert_eq!(Machine::from_rule_arch("nonsense", x), None);
        assert_eq!(Machine::I386.bits(), 32);
        assert_eq!(Machine::S390x.bits(), 64);
    }
}
