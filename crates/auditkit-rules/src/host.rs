//! What the library asks of the machine it runs on, through a trait so
//! that the library itself does no I/O.

/// What a path is on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// Nothing is there.
    Missing,
    /// A directory.
    Dir,
    /// Something else (a file, a device, ...).
    Other,
    /// Not known (no host information).
    Unknown,
}

/// Host facts: user and group names, and what paths are.
///
/// auditctl resolves user and group names with `getpwnam`/`getgrnam` and
/// turns `-w DIR` into a `dir=` rule after `stat`; the kernel refuses a
/// watch whose parent directory is missing and a `dir=` that is missing.
pub trait Host {
    /// The uid of a user name.
    fn user(&self, name: &str) -> Option<u32>;
    /// The gid of a group name.
    fn group(&self, name: &str) -> Option<u32>;
    /// What `path` is.
    fn path_kind(&self, path: &str) -> PathKind;
}

/// A host we know nothing about: no names resolve, every path is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHost;

impl Host for NoHost {
    fn user(&self, _: &str) -> Option<u32> {
        None
    }
    fn group(&self, _: &str) -> Option<u32> {
        None
    }
    fn path_kind(&self, _: &str) -> PathKind {
        PathKind::Unknown
    }
}

/// A host built from closures, for callers that have the answers at hand.
pub struct FnHost<'a> {
    /// User name to uid.
    pub user: &'a dyn Fn(&str) -> Option<u32>,
    /// Group name to gid.
    pub group: &'a dyn Fn(&str) -> Option<u32>,
    /// Path to kind.
    pub path: &'a dyn Fn(&str) -> PathKind,
}

impl Host for FnHost<'_> {
    fn user(&self, name: &str) -> Option<u32> {
        (self.user)(name)
    }
    fn group(&self, name: &str) -> Option<u32> {
        (self.group)(name)
    }
    fn path_kind(&self, path: &str) -> PathKind {
        (self.path)(path)
    }
}

/// User and group names as the local account files (`/etc/passwd`,
/// `/etc/group`) list them. The caller reads the files; this only parses
/// and looks up, so it is the same for the CLI and for tests, and it stays
/// free of I/O like the rest of the library.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    users: Vec<(String, u32)>,
    groups: Vec<(String, u32)>,
}

impl Accounts {
    /// Parse the texts of a passwd and a group file (`name:x:id:...`).
    /// Malformed lines are skipped; the first entry of a name wins, as
    /// with `getpwnam`.
    pub fn parse(passwd: &str, group: &str) -> Accounts {
        fn ids(text: &str) -> Vec<(String, u32)> {
            text.lines()
                .filter_map(|l| {
                    let mut f = l.split(':');
                    let name = f.next()?.to_string();
                    let id = f.nth(1)?.parse().ok()?;
                    Some((name, id))
                })
                .collect()
        }
        Accounts {
            users: ids(passwd),
            groups: ids(group),
        }
    }

    /// The uid of a user name.
    pub fn uid(&self, name: &str) -> Option<u32> {
        self.users.iter().find(|u| u.0 == name).map(|u| u.1)
    }

    /// The gid of a group name.
    pub fn gid(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|g| g.0 == name).map(|g| g.1)
    }

    /// The name of a uid.
    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users.iter().find(|u| u.1 == uid).map(|u| u.0.as_str())
    }

    /// The name of a gid.
    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.1 == gid)
            .map(|g| g.0.as_str())
    }
}

/// What a `stat` result says about a path: the caller does the `stat`
/// (`path_kind_of(std::fs::metadata(p))`), this only classifies it.
pub fn path_kind_of(meta: std::io::Result<std::fs::Metadata>) -> PathKind {
    match meta {
        Ok(m) if m.is_dir() => PathKind::Dir,
        Ok(_) => PathKind::Other,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => PathKind::Missing,
        Err(_) => PathKind::Unknown,
    }
}

/// A host made of its account files and a way to ask about paths: what
/// auditctl sees when it resolves `-F uid=name` and `-w DIR`.
pub struct AccountsHost {
    /// Users and groups.
    pub accounts: Accounts,
    /// How paths are answered (`|p| path_kind_of(std::fs::metadata(p))`
    /// for this host, `|_| PathKind::Unknown` for rules meant for another).
    pub paths: Box<dyn Fn(&str) -> PathKind + Send + Sync>,
}

impl Host for AccountsHost {
    fn user(&self, name: &str) -> Option<u32> {
        self.accounts.uid(name)
    }
    fn group(&self, name: &str) -> Option<u32> {
        self.accounts.gid(name)
    }
    fn path_kind(&self, path: &str) -> PathKind {
        (self.paths)(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts() {
        let a = Accounts::parse(
            "root:x:0:0::/root:/bin/bash\nbroken\nalice:x:1000:1000::/h:/bin/sh\nalice:x:7:7::/:/bin/sh\n",
            "root:x:0:\nadm:x:4:alice\n",
        );
        assert_eq!(a.uid("alice"), Some(1000));
        assert_eq!(a.uid("nobody"), None);
        assert_eq!(a.gid("adm"), Some(4));
        assert_eq!(a.user_name(0), Some("root"));
        assert_eq!(a.group_name(4), Some("adm"));
        assert_eq!(path_kind_of(std::fs::metadata("/")), PathKind::Dir);
        assert_eq!(
            path_kind_of(std::fs::metadata("/no/such/path/here")),
            PathKind::Missing
        );
    }
}
