//! What a compliance check knows of the target machine: the files it may
//! read ([`System`]), what it is given besides the rules
//! ([`CheckContext`]), and the placeholder values read from it (UID_MIN,
//! sudo's log file, the log directory). Both the rules items
//! ([`crate::check`]) and the other items (`check_system`) read the target
//! through this module, which depends on neither.

use auditkit_host::{Accounts, AuditdConf, LoginDefs};
use auditkit_interp::Machine;

use crate::host::Host;
use crate::profile::Profile;

/// File metadata the checker needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// Permission bits (`st_mode & 07777`).
    pub mode: u32,
    /// Owner uid.
    pub uid: u32,
    /// Group gid.
    pub gid: u32,
}

/// What the checker may read on the target machine.
pub trait System {
    /// A file's text.
    fn read(&self, path: &str) -> Option<String>;
    /// The names in a directory.
    fn list_dir(&self, path: &str) -> Option<Vec<String>>;
    /// A file's mode and owners (following symlinks).
    fn stat(&self, path: &str) -> Option<FileStat>;
    /// The target's users and groups (names of file owners).
    fn accounts(&self) -> &Accounts;
    /// Every setuid/setgid file on local file systems, if known.
    fn privileged_files(&self) -> Option<Vec<String>>;
}

/// A target we can read nothing of.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSystem;

impl System for NoSystem {
    fn read(&self, _: &str) -> Option<String> {
        None
    }
    fn list_dir(&self, _: &str) -> Option<Vec<String>> {
        None
    }
    fn stat(&self, _: &str) -> Option<FileStat> {
        None
    }
    fn accounts(&self) -> &Accounts {
        Accounts::empty()
    }
    fn privileged_files(&self) -> Option<Vec<String>> {
        None
    }
}

/// What a check needs besides the profile and the rules.
pub struct CheckContext<'a> {
    /// The machine whose b64/b32 the rules mean.
    pub native: Machine,
    /// User and group names and path kinds, for resolving the rules.
    pub host: &'a dyn Host,
    /// The target's files.
    pub system: &'a dyn System,
    /// Require each item's keys (on top of the profile's own setting).
    pub require_keys: bool,
    /// `auditctl -l` lines of the running kernel, for the "loaded" item.
    pub loaded: Option<&'a [String]>,
    /// Placeholder values that win over the host's and the profile's.
    pub params: &'a [(String, String)],
    /// A `never` rule that drops only part of an item's events fails it too.
    pub strict: bool,
}

/// Placeholder values: explicit, then read from the target, then defaults.
pub(crate) struct Params {
    values: Vec<(String, String)>,
    /// Names the target answered "not configured" for, with the reason.
    absent: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn new(profile: &Profile, cx: &CheckContext) -> Params {
        let mut values: Vec<(String, String)> = cx.params.to_vec();
        let mut absent = Vec::new();
        let sys = cx.system;
        if let Some(defs) = sys.read("/etc/login.defs") {
            if let Some(v) = LoginDefs::parse(&defs).number("UID_MIN") {
                values.push(("uid_min".into(), v.to_string()));
            }
        }
        if let Some(conf) = sys.read("/etc/audit/auditd.conf") {
            let c = AuditdConf::parse(&conf);
            if let Some(f) = c.accepted("log_file") {
                let dir = f.rsplit_once('/').map(|x| x.0).unwrap_or("/");
                values.push(("log_dir".into(), dir.to_string()));
            }
            if let Some(g) = c.accepted("log_group") {
                values.push(("log_group".into(), g.to_string()));
            }
        }
        match sudo_logfile(sys) {
            Some(Some(f)) => values.push(("sudo_logfile".into(), f)),
            Some(None) => absent.push((
                "sudo_logfile".into(),
                "sudoers sets no `Defaults logfile=`, so sudo keeps no log file of its own".into(),
            )),
            // /etc can be listed but holds no sudoers: sudo is not installed.
            None if sys
                .list_dir("/etc")
                .is_some_and(|names| !names.iter().any(|n| n == "sudoers")) =>
            {
                absent.push((
                    "sudo_logfile".into(),
                    "sudo is not installed (no /etc/sudoers), so there is no sudo log file".into(),
                ))
            }
            None => {}
        }
        values.extend(profile.params.iter().cloned());
        Params { values, absent }
    }

    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn why_missing(&self, name: &str) -> String {
        match self.absent.iter().find(|(n, _)| n == name) {
            Some((_, why)) => why.clone(),
            None => format!(
                "needs {{{name}}} from the target, which gave none (not read with --offline \
                 or --config, or not readable without root); give --param {name}=VALUE"
            ),
        }
    }
}

/// `Some(Some(file))`, `Some(None)` when sudoers can be read but sets no
/// log file, `None` when it cannot be read.
fn sudo_logfile(sys: &dyn System) -> Option<Option<String>> {
    let mut texts = vec![sys.read("/etc/sudoers")?];
    for name in sys.list_dir("/etc/sudoers.d").unwrap_or_default() {
        if !name.contains('.') && !name.ends_with('~') {
            texts.extend(sys.read(&format!("/etc/sudoers.d/{name}")));
        }
    }
    let mut found = None;
    for t in &texts {
        for l in t.lines() {
            let l = l.trim();
            if let Some(rest) = l.strip_prefix("Defaults") {
                for part in rest.split(',') {
                    if let Some((k, v)) = part.split_once('=') {
                        if k.trim() == "logfile" {
                            found = Some(v.trim().trim_matches('"').to_string());
                        }
                    }
                }
            }
        }
    }
    Some(found)
}
