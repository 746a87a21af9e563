//! The machine `auditkit rules` looks at: user and group names for
//! resolving rules ([`local_host`]), and the files the compliance check
//! reads, either of this host ([`HostSystem`]) or of a copied `/etc/audit`
//! tree ([`ConfigSystem`]). The library does no I/O; this is where it
//! happens.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use auditkit_host::{privileged_mount_points, Accounts, HostPaths};
use auditkit_rules::{path_kind_of, AccountsHost, FileStat, PathKind, System};

/// This host's users, groups and paths (`/etc/passwd`, `/etc/group`; no
/// NSS, which is what a rules check needs: local system accounts), read
/// now. With `no_paths`, every path is answered as unknown (checking rules
/// meant for another host).
pub fn local_host(no_paths: bool) -> AccountsHost {
    let paths: Box<dyn Fn(&str) -> PathKind + Send + Sync> = if no_paths {
        Box::new(|_| PathKind::Unknown)
    } else {
        Box::new(|p| path_kind_of(fs::metadata(p)))
    };
    AccountsHost {
        // Default files only: an unreadable one means no names.
        accounts: HostPaths::this_host().accounts().unwrap_or_default(),
        paths,
    }
}

fn stat(p: &Path) -> Option<FileStat> {
    let m = fs::metadata(p).ok()?;
    Some(FileStat {
        mode: m.mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
    })
}

fn list(p: &Path) -> Option<Vec<String>> {
    let mut v: Vec<String> = fs::read_dir(p)
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    Some(v)
}

/// This host, read live (the default of `rules check`).
pub struct HostSystem<'a> {
    /// Names of uids and gids.
    pub host: &'a AccountsHost,
    /// The setuid/setgid files, found once: walking every local file
    /// system takes seconds, and `check --loaded` asks twice.
    privileged: std::sync::OnceLock<Vec<String>>,
}

impl<'a> HostSystem<'a> {
    /// This host, with `host` for uid and gid names.
    pub fn new(host: &'a AccountsHost) -> HostSystem<'a> {
        HostSystem {
            host,
            privileged: std::sync::OnceLock::new(),
        }
    }
}

impl System for HostSystem<'_> {
    fn read(&self, path: &str) -> Option<String> {
        fs::read_to_string(path).ok()
    }
    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        list(Path::new(path))
    }
    fn stat(&self, path: &str) -> Option<FileStat> {
        stat(Path::new(path))
    }
    fn accounts(&self) -> &Accounts {
        &self.host.accounts
    }
    fn privileged_files(&self) -> Option<Vec<String>> {
        Some(self.privileged.get_or_init(privileged_files).clone())
    }
}

/// A copy of `/etc/audit` (`--config DIR`): `/etc/audit/...` is read below
/// DIR; nothing else of the target is known.
pub struct ConfigSystem<'a> {
    /// The directory standing for `/etc/audit`.
    pub dir: PathBuf,
    /// Names of uids and gids.
    pub host: &'a AccountsHost,
}

impl ConfigSystem<'_> {
    fn map(&self, path: &str) -> Option<PathBuf> {
        let rest = path.strip_prefix("/etc/audit")?;
        Some(self.dir.join(rest.trim_start_matches('/')))
    }
}

impl System for ConfigSystem<'_> {
    fn read(&self, path: &str) -> Option<String> {
        fs::read_to_string(self.map(path)?).ok()
    }
    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        list(&self.map(path)?)
    }
    fn stat(&self, path: &str) -> Option<FileStat> {
        stat(&self.map(path)?)
    }
    fn accounts(&self) -> &Accounts {
        &self.host.accounts
    }
    fn privileged_files(&self) -> Option<Vec<String>> {
        None
    }
}

/// Every setuid/setgid regular file on this host's local file systems
/// (what CIS 6.2.3.6 calls privileged commands).
pub fn privileged_files() -> Vec<String> {
    local_files(false)
}

/// Setuid/setgid files plus executables with file capabilities
/// (`security.capability`, what `getcap` lists): the hardened set audits
/// both, as harden.sh does with `filecap`.
pub fn privileged_and_capability_files() -> Vec<String> {
    local_files(true)
}

fn local_files(with_caps: bool) -> Vec<String> {
    let (mounts, nodev) = HostPaths::this_host().mounts();
    let mut found = BTreeSet::new();
    for m in privileged_mount_points(&mounts, &nodev) {
        walk(Path::new(&m), with_caps, &mut found);
    }
    found.into_iter().collect()
}

/// Whether a file carries file capabilities (a `security.capability`
/// extended attribute).
fn has_file_caps(p: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: both strings are NUL-terminated and live across the call; a
    // null buffer of size 0 asks only for the attribute's size.
    let n = unsafe {
        libc::lgetxattr(
            c.as_ptr(),
            c"security.capability".as_ptr(),
            std::ptr::null_mut(),
            0,
        )
    };
    n > 0
}

/// Walk one mount without crossing into other file systems (each local
/// mount is walked on its own) and without following symlinks. Collects
/// setuid/setgid files and, with `with_caps`, executables with file
/// capabilities.
pub fn walk(root: &Path, with_caps: bool, found: &mut BTreeSet<String>) {
    let Ok(meta) = fs::symlink_metadata(root) else {
        return;
    };
    let dev = meta.dev();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.dev() != dev {
                continue;
            }
            if m.is_dir() {
                stack.push(e.path());
            } else if m.is_file()
                && (m.mode() & 0o6000 != 0
                    || (with_caps && m.mode() & 0o111 != 0 && has_file_caps(&e.path())))
            {
                found.insert(e.path().to_string_lossy().into_owned());
            }
        }
    }
}

/// Home directories of people (uid >= `uid_min`, not `nobody`) among
/// `accounts`, for the per-person rules of the hardened set.
pub fn people_homes(accounts: &Accounts, uid_min: u32) -> Vec<String> {
    let mut homes: Vec<String> = accounts
        .users()
        .iter()
        .filter(|u| u.uid >= uid_min && u.uid != 65534 && u.home.starts_with('/'))
        .map(|u| u.home.clone())
        .collect();
    homes.sort();
    homes.dedup();
    homes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_finds_setuid_and_capability_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("auditkit-walk-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).unwrap();
        let plain = dir.join("plain");
        let suid = dir.join("sub/suid");
        let caps = dir.join("caps");
        for p in [&plain, &suid, &caps] {
            fs::write(p, b"#!/bin/sh\n").unwrap();
            fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
        }
        fs::set_permissions(&suid, fs::Permissions::from_mode(0o4755)).unwrap();
        let with_caps = std::process::Command::new("setcap")
            .arg("cap_net_raw+ep")
            .arg(&caps)
            .status()
            .is_ok_and(|s| s.success());
        let mut only = BTreeSet::new();
        walk(&dir, false, &mut only);
        let mut all = BTreeSet::new();
        walk(&dir, true, &mut all);
        let _ = fs::remove_dir_all(&dir);
        let s = |p: &Path| p.to_string_lossy().into_owned();
        assert_eq!(only.into_iter().collect::<Vec<_>>(), vec![s(&suid)]);
        if with_caps {
            let mut want = vec![s(&caps), s(&suid)];
            want.sort();
            assert_eq!(all.into_iter().collect::<Vec<_>>(), want);
        } else {
            auditkit_testsupport::skip("(in part) setcap is not available or not permitted here");
        }
    }

    #[test]
    fn people_are_at_or_above_uid_min() {
        let a = Accounts::parse(
            b"root:x:0:0::/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n\
              nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\nv:x:1001:1001::rel:/bin/sh\n\
              w:x:1002:1002::/home/u:/bin/sh\n",
            b"",
        );
        assert_eq!(people_homes(&a, 1000), ["/home/u"]);
    }
}
