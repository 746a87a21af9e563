//! Turning raw audit field values into what people read, exactly as
//! auparse 3.0.9 (`ausearch -i`) does.
//!
//! The kernel and auditd log numbers and encodings: `arch=c000003e`,
//! `syscall=257`, `a1=80000`, `mode=0100644`, `saddr=0200...`,
//! `proctitle=2F62696E...`. auparse turns each field into a readable value
//! in two steps, and this crate has one function for each:
//!
//! 1. [`field_type`] decides what kind of value a field holds, from its
//!    name (auparse's `typetab.h`) corrected by the record type and the
//!    value itself (`auparse_interp_adjust_type`).
//! 2. [`interpret`] renders the value for that type, using the record's
//!    context ([`Ctx`]: machine, syscall, a0/a1, the enrichment tail, a
//!    uid/gid resolver and the escape mode).
//!
//! Everything is a pure function over bytes plus tables. The tables are
//! facts generated from primary sources by the scripts in `tools/`: kernel
//! uapi headers (syscalls per machine), glibc headers and messages (errno,
//! signals, flags), and audit-userspace 3.0.9's own name tables, because
//! the goal is byte-identical output with ausearch 3.0.9, including its
//! quirks (documented where they are reproduced). Looking names up in
//! `/etc/passwd` is the caller's job: it passes the host's
//! [`auditkit_host::Accounts`] ([`auditkit_host::Accounts::empty`] for
//! numbers only), so
//! this crate does no I/O and its results depend only on its inputs.
//!
//! Deliberate or unavoidable differences from auparse 3.0.9 (everything
//! else is checked field by field against libauparse itself, see
//! `tests/oracle.rs`):
//! * IPv6 link-local `saddr` with a scope id: glibc prints the interface
//!   name when this host has one with that index; we print the number.
//! * Protocol names (`proto=`, socket a2, sockopt levels) come from the
//!   `/etc/protocols` of Debian netbase captured in `tables/protocols.rs`,
//!   not from the running host.
//! * Where auparse returns NULL (hex `data=` shorter than two digits) we
//!   append `(null)`, which is what ausearch prints for it.
//! * Where auparse reads past its own heap buffer (very short `saddr`
//!   values of some families) we read zeros; `path_norm`'s static buffer
//!   does not carry stale bytes from one call to the next.
//! * RISC-V: 3.0.9 has no RISC-V tables; we reproduce its output
//!   (`unknown-elf-type`, native syscall table) while [`syscall_name`]
//!   still knows the kernel's RISC-V names.
//!
//! The crate also serves the rules side: [`Machine`], [`syscall_number`],
//! [`syscall_name`] and [`msgtype`] are what auditctl-compatible parsing
//! needs.

pub mod cnum;
pub mod errno;
pub mod fxhash;
mod machine;
pub mod msgtype;
pub use msgtype::RecordType;
mod syscalls;
mod tables;

pub use machine::Machine;
pub use syscalls::{syscall_name, syscall_name_au309, syscall_number, syscalls};
mod fieldtype;
pub use fieldtype::{field_type, field_type_uses_value, FieldType};
mod interp;
pub use interp::{interpret, tty_data, ArgsRead, Ctx, EscapeMode};
