//! **The loader: the one place auditkit reads host facts from disk.**
//!
//! Everything else in this crate is a pure function of text. [`read`] is
//! the only function that opens a file; the helpers on [`HostPaths`]
//! call it and hand the text to the parsers. A caller chooses the root
//! (`/` for this host, a directory holding another host's `/etc`) and may
//! name a passwd or group file explicitly (`--passwd FILE`,
//! `--group FILE`), which then replaces `ROOT/etc/passwd`.
//!
//! Missing and unreadable files are treated differently depending on who
//! named them: a file the user gave must be readable (an error says which
//! and why), while a default file that cannot be read simply means the
//! host does not have that fact (no names, default UID_MIN, no mounts),
//! which is what ausearch and auditctl do when getpwuid or login.defs
//! fail.

use std::fmt;
use std::path::PathBuf;

use crate::{parse_mounts, Accounts, AuditdConf, LoginDefs, Mount};

/// A host fact that lives in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// `/etc/passwd`.
    Passwd,
    /// `/etc/group`.
    Group,
    /// `/etc/login.defs`.
    LoginDefs,
    /// `/etc/audit/auditd.conf`.
    AuditdConf,
    /// `/proc/self/mounts`.
    Mounts,
    /// `/proc/filesystems`.
    Filesystems,
}

impl Fact {
    /// Where the fact lives on a host, relative to its root.
    pub const fn path(self) -> &'static str {
        match self {
            Fact::Passwd => "etc/passwd",
            Fact::Group => "etc/group",
            Fact::LoginDefs => "etc/login.defs",
            Fact::AuditdConf => "etc/audit/auditd.conf",
            Fact::Mounts => "proc/self/mounts",
            Fact::Filesystems => "proc/filesystems",
        }
    }
}

/// A file the user named could not be read.
#[derive(Debug)]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Where a host's facts are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPaths {
    root: PathBuf,
    passwd: Option<PathBuf>,
    group: Option<PathBuf>,
}

impl Default for HostPaths {
    fn default() -> Self {
        HostPaths::this_host()
    }
}

impl HostPaths {
    /// This host (root `/`).
    pub fn this_host() -> HostPaths {
        HostPaths::under("/")
    }

    /// Another host's files below `root` (`root/etc/passwd`, ...).
    pub fn under(root: impl Into<PathBuf>) -> HostPaths {
        HostPaths {
            root: root.into(),
            passwd: None,
            group: None,
        }
    }

    /// Read users from this file instead (`--passwd FILE`).
    pub fn with_passwd(mut self, file: Option<PathBuf>) -> HostPaths {
        self.passwd = file;
        self
    }

    /// Read groups from this file instead (`--group FILE`).
    pub fn with_group(mut self, file: Option<PathBuf>) -> HostPaths {
        self.group = file;
        self
    }

    /// The file a fact is read from, and whether the user named it.
    pub fn path_of(&self, fact: Fact) -> (PathBuf, bool) {
        let given = match fact {
            Fact::Passwd => self.passwd.as_ref(),
            Fact::Group => self.group.as_ref(),
            _ => None,
        };
        match given {
            Some(p) => (p.clone(), true),
            None => (self.root.join(fact.path()), false),
        }
    }

    /// Users and groups.
    pub fn accounts(&self) -> Result<Accounts, LoadError> {
        let passwd = read(self, Fact::Passwd)?.unwrap_or_default();
        let group = read(self, Fact::Group)?.unwrap_or_default();
        Ok(Accounts::parse(&passwd, &group))
    }

    /// login.defs (empty, so every default, when the host has none).
    pub fn login_defs(&self) -> LoginDefs {
        let text = read(self, Fact::LoginDefs)
            .ok()
            .flatten()
            .unwrap_or_default();
        LoginDefs::parse(&String::from_utf8_lossy(&text))
    }

    /// auditd.conf, `None` when the host has none (or it is unreadable).
    pub fn auditd_conf(&self) -> Option<AuditdConf> {
        let text = read(self, Fact::AuditdConf).ok().flatten()?;
        Some(AuditdConf::parse(&String::from_utf8_lossy(&text)))
    }

    /// The log file auditd writes on this host: `log_file` as auditd (and
    /// ausearch and aureport, which look it up the same way) applied it,
    /// that is up to the first line auditd refuses, or auditd's default
    /// when the host has no auditd.conf.
    pub fn log_file(&self) -> PathBuf {
        let text = read(self, Fact::AuditdConf).ok().flatten();
        let conf = text.map_or_else(AuditdConf::default, |t| {
            AuditdConf::applied_until_error(&String::from_utf8_lossy(&t))
        });
        self.root.join(conf.log_file.trim_start_matches('/'))
    }

    /// The mount table and the `nodev` file system types.
    pub fn mounts(&self) -> (Vec<Mount>, Vec<String>) {
        let text = |f| {
            String::from_utf8_lossy(&read(self, f).ok().flatten().unwrap_or_default()).into_owned()
        };
        (
            parse_mounts(&text(Fact::Mounts)),
            crate::nodev_filesystems(&text(Fact::Filesystems)),
        )
    }
}

/// **THE LOADER.** Read the file of one fact: `Ok(None)` when a default
/// file cannot be read, an error when a file the user named cannot.
pub fn read(paths: &HostPaths, fact: Fact) -> Result<Option<Vec<u8>>, LoadError> {
    let (path, given) = paths.path_of(fact);
    match std::fs::read(&path) {
        Ok(b) => Ok(Some(b)),
        Err(source) if given => Err(LoadError { path, source }),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_and_defaults() {
        let dir = std::env::temp_dir().join(format!("auditkit-host-load-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::write(
            dir.join("etc/passwd"),
            "bob:x:1500:1500::/home/bob:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(dir.join("etc/login.defs"), "UID_MIN 1500\n").unwrap();
        let other = dir.join("other-passwd");
        std::fs::write(&other, "carol:x:1600:1600::/:/bin/sh\n").unwrap();

        let h = HostPaths::under(&dir);
        let a = h.accounts().unwrap();
        assert_eq!(a.uid("bob"), Some(1500));
        assert_eq!(
            a.gid("anything"),
            None,
            "no group file: no groups, no error"
        );
        assert_eq!(h.login_defs().uid_min(), 1500);
        assert!(h.auditd_conf().is_none());
        assert_eq!(h.log_file(), dir.join("var/log/audit/audit.log"));
        std::fs::create_dir_all(dir.join("etc/audit")).unwrap();
        std::fs::write(
            dir.join("etc/audit/auditd.conf"),
            "log_file = /srv/audit/a.log\nflush data\nlog_file = /never/b.log\n",
        )
        .unwrap();
        assert_eq!(
            h.log_file(),
            dir.join("srv/audit/a.log"),
            "what auditd applied before the line it refused"
        );

        let a = h.clone().with_passwd(Some(other)).accounts().unwrap();
        assert_eq!((a.uid("bob"), a.uid("carol")), (None, Some(1600)));

        let e = h
            .with_group(Some(dir.join("missing")))
            .accounts()
            .unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
