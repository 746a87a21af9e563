//! The catalogue of lint codes: one entry per code with its severity and
//! what it means, so a code's severity is decided in one place (not at each
//! place that reports it), `auditkit rules lint --codes` can list them, and
//! a test (`tests/lint.rs`) holds every entry against a rule that makes it
//! fire and its corrected form.
//!
//! Ranges: `AR001` the line does not parse; `AR1xx` auditctl 3.0.9 or the
//! kernel would refuse the rule (errors, except those that depend on the
//! host or on the version of auditctl and of our tables: warnings);
//! `AR2xx` rules that load but are probably not what was meant.

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Probably a mistake, or depends on the host.
    Warning,
    /// The rule will not load, or loading stops.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One lint code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable code (`AR201`).
    pub code: &'static str,
    /// How bad every finding with this code is.
    pub severity: Severity,
    /// What the code means, in one line.
    pub summary: &'static str,
}

const fn c(code: &'static str, severity: Severity, summary: &'static str) -> Code {
    Code {
        code,
        severity,
        summary,
    }
}

use Severity::{Error as E, Info as I, Warning as W};

/// Every code, in order.
pub const CODES: &[Code] = &[
    c(
        "AR001",
        E,
        "the line does not parse as auditctl 3.0.9 reads it",
    ),
    c(
        "AR101",
        E,
        "a filter list auditctl 3.0.9 does not know (io_uring)",
    ),
    c(
        "AR102",
        W,
        "the deprecated `possible` action: auditctl ignores the rule",
    ),
    c("AR103", E, "syscalls (-S) on a list that takes none"),
    c(
        "AR104",
        E,
        "a syscall that does not exist on the rule's machine, or a number out of range",
    ),
    c("AR105", E, "-C (field comparison) outside the exit list"),
    c("AR106", E, "-C compares two fields that cannot be compared"),
    c("AR107", E, "-p without a watch or path before it"),
    c(
        "AR108",
        E,
        "a key without a watch, syscall, path/perm or exe before it",
    ),
    c("AR109", E, "the keys together are longer than 256 bytes"),
    c("AR110", E, "a key on the exclude list"),
    c("AR111", E, "more fields than the kernel takes (63)"),
    c(
        "AR112",
        W,
        "a syscall name auditctl 3.0.9 does not know (newer auditctl does)",
    ),
    c("AR113", W, "a syscall name no table of ours knows"),
    c("AR120", E, "a field the rule's list does not take"),
    c("AR121", E, "an operator the field does not take"),
    c("AR122", E, "a field the exclude list does not take"),
    c(
        "AR123",
        W,
        "a user name this host does not know (auditctl refuses it)",
    ),
    c(
        "AR124",
        W,
        "a group name this host does not know (auditctl refuses it)",
    ),
    c("AR125", E, "an unknown errno name in exit="),
    c("AR126", E, "msgtype outside the exclude and user lists"),
    c("AR127", E, "an unknown message type name"),
    c("AR128", E, "a value longer than PATH_MAX"),
    c("AR129", E, "-F arch= after -S"),
    c("AR130", E, "an unknown arch"),
    c("AR131", E, "perm= letters other than r, w, x, a"),
    c("AR132", E, "an unknown file type"),
    c("AR133", E, "fstype outside the filesystem list"),
    c("AR134", E, "an unknown file system type"),
    c(
        "AR135",
        E,
        "a field that takes a number given something else",
    ),
    c("AR136", E, "an address family not below AF_MAX"),
    c(
        "AR137",
        E,
        "a watched path longer than PATH_MAX, or a component longer than NAME_MAX",
    ),
    c(
        "AR140",
        E,
        "a field other than fstype and key on the filesystem list (the kernel refuses it)",
    ),
    c(
        "AR141",
        E,
        "& or &= on a field other than a0-a3, pers, devminor (the kernel refuses it)",
    ),
    c(
        "AR142",
        E,
        "auid compared with unset by other than = and != (the kernel refuses it)",
    ),
    c(
        "AR143",
        E,
        "a uid or gid field other than auid equal to -1 (the kernel refuses it)",
    ),
    c(
        "AR144",
        E,
        "path or dir with other than = (the kernel refuses it)",
    ),
    c(
        "AR145",
        E,
        "path or dir not absolute, or path= ending in / (the kernel refuses it)",
    ),
    c(
        "AR146",
        E,
        "more than one of path, dir and inode in a rule (the kernel refuses it)",
    ),
    c(
        "AR147",
        E,
        "more than one exe in a rule (the kernel refuses it)",
    ),
    c("AR201", W, "a syscall rule without -F arch="),
    c(
        "AR202",
        I,
        "a b64 syscall rule with no b32 rule for the same syscalls",
    ),
    c("AR203", W, "-F perm= without path= or dir="),
    c("AR204", I, "perm= without an arch (slower)"),
    c("AR205", W, "options after -w other than -p and -k"),
    c("AR206", I, "a rule without a key in a file that uses keys"),
    c("AR207", W, "a key containing 0x01, the key separator"),
    c(
        "AR208",
        E,
        "a duplicate rule: the kernel refuses it and auditctl -R stops",
    ),
    c(
        "AR209",
        W,
        "an always rule that an earlier never rule shadows",
    ),
    c(
        "AR210",
        W,
        "a field that must equal two values: the rule never matches",
    ),
    c(
        "AR211",
        W,
        "-e 2 before other lines, which then cannot load",
    ),
    c("AR212", W, "several -e lines"),
    c("AR213", W, "-D after rules"),
    c("AR214", I, "a small backlog limit (-b below 8192)"),
    c(
        "AR215",
        W,
        "-f 2 (panic) without a comment saying it is intended",
    ),
    c(
        "AR216",
        W,
        "a watch or dir= whose directory does not exist on this host",
    ),
    c("AR217", W, "-S all on the exit list"),
    c("AR218", I, "the old list,action order (exit,always)"),
    c(
        "AR219",
        I,
        "a watched path that does not exist on this host (yet)",
    ),
    c("AR221", W, "auid>=N without auid!=unset"),
    c("AR222", W, "a Windows line end (\\r)"),
    c("AR224", W, "-p outside a -w watch"),
    c("AR225", W, "wildcards or relative parts in a watch path"),
];

/// The catalogue entry of a code.
pub fn code(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

/// The severity of a code; a code missing from the catalogue counts as an
/// error (a test keeps the catalogue complete).
pub fn severity(code: &str) -> Severity {
    self::code(code).map_or(Severity::Error, |c| c.severity)
}
