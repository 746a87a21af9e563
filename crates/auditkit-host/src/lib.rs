//! Host facts: what auditkit needs to know about the machine whose logs
//! or rules it reads, parsed in one place.
//!
//! * users and groups, both ways ([`Accounts`]: uid -> name for `-i`
//!   output, name -> uid for `ausearch -ui NAME` and `auditctl -F
//!   uid=NAME`), read as glibc's files backend reads passwd(5) and
//!   group(5), so the names are those ausearch and auditctl see;
//! * login.defs ([`LoginDefs`]: `UID_MIN` and the other id ranges);
//! * the mount table ([`Mount`], [`privileged_mount_points`]: which file
//!   systems hold local files);
//! * auditd.conf ([`AuditdConf`]: every keyword of audit 3.0.9, typed,
//!   with auditd's own checks and errors with line numbers);
//! * the running processes ([`procs`]: `/proc/PID/stat`, `exe`,
//!   `cmdline`, for a live detector's process tree).
//!
//! # Why a crate of its own
//! Every layer needs these facts: interpretation prints user names, the
//! query crate compares them (`-ui NAME`), the writers normalise `acct=`
//! names, the rules crate resolves `-F uid=NAME` and checks auditd.conf
//! for CIS, and the sources find `log_file`. Those crates may not depend
//! on each other sideways (the rules crate may depend only on interp), so
//! the facts must live below all of them. Before this crate the workspace
//! had five passwd parsers, four traits for names and two auditd.conf
//! parsers, and they disagreed (first or last entry wins, `\r` stripped
//! or not, `key=value` accepted or not). Now there is one answer.
//!
//! # Shape
//! The parsers are pure functions of text: no I/O, no global state, no
//! panics on any input, and they are the same for this host, another
//! host's copied `/etc` and a test. One function reads files, [`read`] in
//! [`load`], from a root directory and with the explicit `--passwd FILE` /
//! `--group FILE` overrides of [`HostPaths`]; nothing else in auditkit
//! should open these files. The crate depends on std only, so any crate
//! can use it.
//!
//! Names are resolved through the concrete [`Accounts`] rather than a
//! trait: the only other implementation anyone needed was "knows no
//! names", which is [`Accounts::empty()`].

mod accounts;
pub mod auditd_conf;
pub mod load;
mod login_defs;
mod mounts;
pub mod procs;

pub use accounts::{Accounts, Group, User};
pub use auditd_conf::AuditdConf;
pub use load::{read, Fact, HostPaths, LoadError};
pub use login_defs::LoginDefs;
pub use mounts::{
    is_local, nodev_filesystems, parse_mounts, privileged_mount_points, Mount, REMOTE,
};
