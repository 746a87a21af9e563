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
