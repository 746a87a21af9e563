//! The machine `auditkit rules` looks at: user and group names for
//! resolving rules ([`local_host`]), and the files the compliance check
//! reads, either of this host ([`HostSystem`]) or of a copied `/etc/audit`
//! tree ([`ConfigSystem`]). The library does no I/O; this is where it
//! happens.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use auditkit_rules::{path_kind_of, Accounts, AccountsHost, FileStat, PathKind, System};

/// This host's users, groups and paths (`/etc/passwd`, `/etc/group`; no
/// NSS, which is what a rules check needs: local system accounts), read
/// now. With `no_paths`, every path is answered as unknown (checking rules
/// meant for another host).
pub fn local_host(no_paths: bool) -> AccountsHost {
    let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
    let paths: Box<dyn Fn(&str) -> PathKind + Send + Sync> = if no_paths {
        Box::new(|_| PathKind::Unknown)
    } else {
        Box::new(|p| path_kind_of(fs::metadata(p)))
    };
    AccountsHost {
        accounts: Accounts::parse(&read("/etc/passwd"), &read("/etc/group")),
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
    fn user_name(&self, uid: u32) -> Option<String> {
        self.host.accounts.user_name(uid).map(str::to_owned)
    }
    fn group_name(&self, gid: u32) -> Option<String> {
        self.host.accounts.group_name(gid).map(str::to_owned)
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
    fn user_name(&self, uid: u32) -> Option<String> {
        self.host.accounts.user_name(uid).map(str::to_owned)
    }
    fn group_name(&self, gid: u32) -> Option<String> {
        self.host.accounts.group_name(gid).map(str::to_owned)
    }
    fn privileged_files(&self) -> Option<Vec<String>> {
        None
    }
}

/// File systems that hold no local files of their own even though
/// `/proc/filesystems` does not mark them `nodev`, or that are remote.
const REMOTE: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "ncpfs",
    "afs",
    "ceph",
    "glusterfs",
    "9p",
    "fuse.sshfs",
    "fuse.glusterfs",
    "fuse.s3fs",
    "fuse.rclone",
    "lustre",
    "gpfs",
    "ocfs2",
];

/// Mount points worth walking: local, not `nodev` (proc, sysfs, tmpfs,
/// overlay and friends), not remote, not `noexec` (a setuid file there
/// cannot be run) and not `nosuid` (the kernel ignores setuid, setgid and
/// file capabilities there). These are the mounts CIS's audit procedure for
/// privileged commands walks (`findmnt` without nodev types, then no
/// `noexec|nosuid`). Squashfs mounts (snaps) and the root file system (with
/// `/var/lib/docker` and `/usr/games`) are included.
pub fn local_mounts(mounts: &str, filesystems: &str) -> Vec<String> {
    let nodev: HashSet<&str> = filesystems
        .lines()
        .filter_map(|l| l.strip_prefix("nodev"))
        .map(str::trim)
        .collect();
    let mut out = Vec::new();
    for l in mounts.lines() {
        let f: Vec<&str> = l.split(' ').collect();
        if f.len() < 4 {
            continue;
        }
        let (dir, fstype, opts) = (f[1], f[2], f[3]);
        if nodev.contains(fstype) || REMOTE.contains(&fstype) || fstype.starts_with("fuse") {
            continue;
        }
        if opts.split(',').any(|o| o == "noexec" || o == "nosuid") {
            continue;
        }
        // /proc/self/mounts escapes spaces and such as \040.
        out.push(unescape(dir));
    }
    out.sort();
    out.dedup();
    out
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let filesystems = fs::read_to_string("/proc/filesystems").unwrap_or_default();
    let mut found = BTreeSet::new();
    for m in local_mounts(&mounts, &filesystems) {
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

/// Home directories of people (uid >= `uid_min`, not `nobody`) from
/// /etc/passwd, for the per-person rules of the hardened set.
pub fn people_homes(uid_min: u32) -> Vec<String> {
    let text = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let mut homes: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            let uid: u32 = f.get(2)?.parse().ok()?;
            let home = f.get(5)?;
            (uid >= uid_min && uid != 65534 && home.starts_with('/')).then(|| home.to_string())
        })
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
    fn mounts_keep_local_exec_file_systems() {
        let fsys = "nodev\tsysfs\nnodev\tproc\nnodev\ttmpfs\nnodev\toverlay\n\text4\n\tsquashfs\n";
        let mounts = "/dev/sda1 / ext4 rw,relatime 0 0\n\
            proc /proc proc rw 0 0\n\
            tmpfs /tmp tmpfs rw,nosuid 0 0\n\
            /dev/loop0 /snap/core22/1 squashfs ro,nodev 0 0\n\
            overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0\n\
            srv:/x /mnt/nfs nfs4 rw 0 0\n\
            /dev/sdb1 /data ext4 rw,noexec 0 0\n\
            /dev/sdd1 /home ext4 rw,nosuid,nodev 0 0\n\
            /dev/sdc1 /media/my\\040disk ext4 rw 0 0\n";
        assert_eq!(
            local_mounts(mounts, fsys),
            ["/", "/media/my disk", "/snap/core22/1"]
        );
    }
}
