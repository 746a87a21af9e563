//! What the library asks of the machine it runs on, through a trait so
//! that the library itself does no I/O.

pub use auditkit_host::Accounts;

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

/// What rules resolution asks of a host: its accounts and what paths are.
///
/// auditctl resolves user and group names with `getpwnam`/`getgrnam` and
/// turns `-w DIR` into a `dir=` rule after `stat`; the kernel refuses a
/// watch whose parent directory is missing and a `dir=` that is missing.
/// The names come from [`Accounts`] (the host-facts crate, one parser for
/// every crate); only paths differ between callers.
pub trait Host {
    /// The users and groups names resolve against.
    fn accounts(&self) -> &Accounts;
    /// What `path` is.
    fn path_kind(&self, path: &str) -> PathKind;
}

/// A host we know nothing about: no names resolve, every path is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHost;

impl Host for NoHost {
    fn accounts(&self) -> &Accounts {
        Accounts::empty()
    }
    fn path_kind(&self, _: &str) -> PathKind {
        PathKind::Unknown
    }
}

/// A host built from accounts and a closure for paths, for callers that
/// have the answers at hand.
pub struct FnHost<'a> {
    /// Users and groups.
    pub accounts: &'a Accounts,
    /// Path to kind.
    pub path: &'a dyn Fn(&str) -> PathKind,
}

impl Host for FnHost<'_> {
    fn accounts(&self) -> &Accounts {
        self.accounts
    }
    fn path_kind(&self, path: &str) -> PathKind {
        (self.path)(path)
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
    fn accounts(&self) -> &Accounts {
        &self.accounts
    }
    fn path_kind(&self, path: &str) -> PathKind {
        (self.paths)(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_kinds() {
        assert_eq!(path_kind_of(std::fs::metadata("/")), PathKind::Dir);
        assert_eq!(
            path_kind_of(std::fs::metadata("/no/such/path/here")),
            PathKind::Missing
        );
    }
}
