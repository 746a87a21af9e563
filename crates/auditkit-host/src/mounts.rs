//! The mount table (`/proc/self/mounts`, fstab(5) format) and
//! `/proc/filesystems`, and which mounts hold local files.
//!
//! A mount line is `SOURCE TARGET FSTYPE OPTIONS FREQ PASSNO`, fields
//! separated by spaces or tabs; the kernel writes a space, tab, newline
//! and backslash inside a field as `\040`, `\011`, `\012` and `\134`
//! (glibc's `getmntent` decodes the same). A line with fewer than four
//! fields is skipped.

/// One mounted file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// What is mounted (a device, `proc`, `server:/export`, ...).
    pub source: String,
    /// Where (the mount point), decoded.
    pub target: String,
    /// The file system type (`ext4`, `nfs4`, `fuse.sshfs`, ...).
    pub fstype: String,
    /// The mount options (`rw`, `nodev`, `noexec`, ...).
    pub options: Vec<String>,
}

impl Mount {
    /// Whether the mount has option `o`.
    pub fn has_option(&self, o: &str) -> bool {
        self.options.iter().any(|x| x == o)
    }
}

/// Parse a mount table.
pub fn parse_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches([' ', '\t']);
            if l.starts_with('#') {
                return None;
            }
            let mut f = l.split([' ', '\t']).filter(|s| !s.is_empty());
            let (source, target, fstype, options) = (f.next()?, f.next()?, f.next()?, f.next()?);
            Some(Mount {
                source: unescape(source),
                target: unescape(target),
                fstype: unescape(fstype),
                options: unescape(options).split(',').map(str::to_string).collect(),
            })
        })
        .collect()
}

/// File system types `/proc/filesystems` marks `nodev` (no block device:
/// proc, sysfs, tmpfs, overlay, ...).
pub fn nodev_filesystems(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("nodev"))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// File systems that are remote (or stand for remote storage) even when
/// `/proc/filesystems` does not mark them `nodev`.
pub const REMOTE: &[&str] = &[
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

/// Whether a mount holds local files: its type is not `nodev`, not
/// remote and not FUSE (user space file systems are usually remote or
/// synthetic).
pub fn is_local(m: &Mount, nodev: &[String]) -> bool {
    !nodev.contains(&m.fstype)
        && !REMOTE.contains(&m.fstype.as_str())
        && !m.fstype.starts_with("fuse")
}

/// Mount points of local file systems where a setuid program works: not
/// `noexec` (it cannot be run) and not `nosuid` (the kernel ignores
/// setuid, setgid and file capabilities there), sorted and without
/// duplicates. Squashfs mounts (snaps) and the root file system are
/// included. These are the mounts CIS's audit procedure for privileged
/// commands (6.2.3.6) walks: `findmnt` without nodev types, then no
/// `noexec|nosuid`.
pub fn privileged_mount_points(mounts: &[Mount], nodev: &[String]) -> Vec<String> {
    let mut out: Vec<String> = mounts
        .iter()
        .filter(|m| is_local(m, nodev) && !m.has_option("noexec") && !m.has_option("nosuid"))
        .map(|m| m.target.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Decode the kernel's octal escapes (`\NNN`).
fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if let Some(d) = b.get(i + 1..i + 4) {
                if d.iter().all(|c| (b'0'..=b'7').contains(c)) {
                    let v = u32::from(d[0] - b'0') * 64
                        + u32::from(d[1] - b'0') * 8
                        + u32::from(d[2] - b'0');
                    if let Ok(v) = u8::try_from(v) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileged_mounts() {
        let fsys = "nodev\tsysfs\nnodev\tproc\nnodev\ttmpfs\nnodev\toverlay\n\text4\n\tsquashfs\n";
        let mounts = "/dev/sda1 / ext4 rw,relatime 0 0\n\
            proc /proc proc rw 0 0\n\
            tmpfs /tmp tmpfs rw,nosuid 0 0\n\
            /dev/loop0 /snap/core22/1 squashfs ro,nodev 0 0\n\
            overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0\n\
            srv:/x /mnt/nfs nfs4 rw 0 0\n\
            /dev/sdb1 /data ext4 rw,noexec 0 0\n\
            /dev/sdf1 /home ext4 rw,nosuid,nodev 0 0\n\
            /dev/sdc1 /media/my\\040disk ext4 rw 0 0\n\
            short line\n\
            /dev/sdd1\t/tabbed\text4\trw 0 0\n\
            /dev/sde1 /back\\134slash\\777 ext4 rw 0 0\n\
            /dev/sda1 / ext4 rw 0 0\n";
        let m = parse_mounts(mounts);
        assert_eq!(m.len(), 12);
        assert_eq!(
            privileged_mount_points(&m, &nodev_filesystems(fsys)),
            [
                "/",
                "/back\\slash\\777",
                "/media/my disk",
                "/snap/core22/1",
                "/tabbed"
            ]
        );
        assert!(m[2].has_option("nosuid"));
    }

    #[test]
    fn this_host_has_a_root() {
        let Ok(t) = std::fs::read_to_string("/proc/self/mounts") else {
            eprintln!("SKIP: no /proc/self/mounts");
            return;
        };
        let m = parse_mounts(&t);
        assert_eq!(m.len(), t.lines().count(), "every kernel line parses");
        assert!(m.iter().any(|m| m.target == "/"));
    }
}
