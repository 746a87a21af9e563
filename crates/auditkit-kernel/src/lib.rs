//! The kernel's audit subsystem over netlink, without auditctl: read the
//! status and the loaded rules, add and delete rules, change settings,
//! apply a whole rule set atomically, and read the live records beside
//! auditd from the multicast group ([`multicast`]).
//!
//! # Shape
//!
//! Three layers, the first two pure:
//!
//! 1. **Bytes** ([`wire`], [`rule_data`], [`status`]): netlink framing,
//!    `struct audit_rule_data` <-> [`KernelRule`] (the rule model of
//!    `auditkit-rules`, so a loaded rule prints with
//!    [`auditkit_rules::canonical`] exactly as `auditctl -l` shows it, and
//!    compares equal to the same rule read from a file), and
//!    `struct audit_status`. Everything here is tested without a kernel.
//! 2. **Socket** (`socket`, private): the only `unsafe` code, a
//!    `NETLINK_AUDIT` socket with send and receive-with-timeout.
//! 3. **Requests** ([`Audit`]) and **transactions** ([`apply()`]): a request
//!    waits for the kernel's ack and its data (which arrive in either
//!    order); [`apply()`] plans the smallest change, carries it out, lists
//!    the rules again to verify, and restores the previous rules byte for
//!    byte when anything fails.
//!
//! # Safety rails
//!
//! `-e 2` locks the audit configuration until reboot and `-f 2` panics the
//! machine when records are lost. Neither is ever set unless the caller
//! passes [`Allow::Permit`]; [`apply()`] checks a whole file before it
//! touches anything.
//!
//! # Why raw bytes are kept
//!
//! `AUDIT_DEL_RULE` deletes only a rule identical to the one given. A rule
//! loaded by another tool may use a field this crate does not know; keeping
//! the bytes the kernel listed ([`ListedRule::raw`]) means such a rule can
//! still be deleted and restored exactly.

pub mod apply;
mod client;
pub mod consts;
pub mod multicast;
pub mod rule_data;
mod socket;
pub mod status;
pub mod wire;

pub use apply::{apply, plan, restore, ApplyError, Desired, FileProblem, Plan, RuleKernel, Step};
pub use auditkit_rules::KernelRule;
pub use client::{Allow, Audit, ListedRule};
pub use rule_data::{decode, encode, DecodeError, EncodeError};
pub use status::{Features, Setting, Status};

/// Why a request to the kernel failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The socket could not be created (no audit support in the kernel).
    #[error("cannot open the audit netlink socket: {0}")]
    Open(#[source] std::io::Error),
    /// Sending or receiving failed.
    #[error("{op}: netlink I/O failed: {source}")]
    Io {
        /// The request.
        op: &'static str,
        /// The system error.
        #[source]
        source: std::io::Error,
    },
    /// The kernel answered with an error code.
    #[error("the kernel refused the {request}: {}", errno_text(*errno))]
    Kernel {
        /// The request.
        request: &'static str,
        /// The positive errno.
        errno: i32,
    },
    /// No complete answer in time.
    #[error("no answer from the kernel to the {0}")]
    Timeout(&'static str),
    /// The kernel's answer was not valid netlink.
    #[error(transparent)]
    Frame(#[from] wire::FrameError),
    /// A rule could not be encoded.
    #[error("cannot send the rule: {0}")]
    Encode(#[from] EncodeError),
    /// A listed rule could not be read.
    #[error("loaded rule {index} cannot be read: {source}")]
    Decode {
        /// Its position in the listing.
        index: usize,
        /// Why.
        #[source]
        source: DecodeError,
    },
    /// `-e 2` or `-f 2` without explicit permission.
    #[error("refusing `{}`: it {}; pass the explicit permission to allow it", .0.as_line(), refusal_reason(*.0))]
    Refused(Setting),
    /// The configuration is locked (`enabled 2`) until reboot.
    #[error("the audit configuration is locked (enabled 2) until the next reboot")]
    Locked,
    /// After changing the rules, the listing is not what was asked.
    #[error("the kernel holds {found} rules that are not the {expected} asked for")]
    Verify {
        /// Rules wanted.
        expected: usize,
        /// Rules listed.
        found: usize,
    },
}

fn errno_text(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match errno {
        libc::EEXIST => format!("{text} (Rule exists)"),
        libc::ENOENT => format!("{text} (no such rule, or a watched path's parent is missing)"),
        _ => text,
    }
}

fn refusal_reason(s: Setting) -> &'static str {
    match s {
        Setting::Enabled(_) => "locks the audit configuration until reboot",
        _ => "panics the machine when audit records are lost",
    }
}

impl Error {
    /// The errno of a kernel refusal or a socket error.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno, .. } => Some(*errno),
            Error::Open(e) | Error::Io { source: e, .. } => e.raw_os_error(),
            _ => None,
        }
    }
}
