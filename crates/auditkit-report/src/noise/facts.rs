//! What an event says about the syscall that made it: the values the
//! kernel's exit filter looked at (arch, syscall, exit, ids, exe, a0-a3)
//! and the names of its PATH records, read once per event.
//!
//! Values are read in the raw log's forms (`arch=c000003e`, `a0=7ffc...`,
//! `exit=-13`, quoted or hex strings). Logs already interpreted by
//! `ausearch -i` carry names instead; such values simply stay unknown, and
//! matching treats an unknown value as "could be" (see `rules.rs`).

use std::borrow::Cow;

use auditkit_event::value::{decode_str, split_keys};
use auditkit_event::{Event, RecordType};

/// Kernel ids of the task, in the order of [`auditkit_rules::Field`]'s uid
/// and gid groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ids {
    /// `pid`.
    pub pid: Option<u32>,
    /// `ppid`.
    pub ppid: Option<u32>,
    /// `uid`, `euid`, `suid`, `fsuid`.
    pub uid: [Option<u32>; 4],
    /// `gid`, `egid`, `sgid`, `fsgid`.
    pub gid: [Option<u32>; 4],
    /// `auid` (4294967295 is unset).
    pub auid: Option<u32>,
    /// `ses`.
    pub ses: Option<u32>,
}

/// The facts of one event that attribution and the tallies use.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The event has a SYSCALL record (it went through the exit filter).
    pub syscall_event: bool,
    /// The type of the first record that is not EOE.
    pub first_type: RecordType,
    /// The first record type of a syscall event that is not part of the
    /// syscall's own description (CONFIG_CHANGE, LOGIN, ...): what the
    /// kernel audited on its own inside the syscall.
    pub own_type: Option<RecordType>,
    /// `arch=` as the ELF audit arch.
    pub arch: Option<u32>,
    /// `syscall=`.
    pub syscall: Option<u32>,
    /// `success=yes|no`.
    pub success: Option<bool>,
    /// `exit=` (the syscall's return value).
    pub exit: Option<i64>,
    /// `a0`..`a3`.
    pub args: [Option<u64>; 4],
    /// The task's ids.
    pub ids: Ids,
    /// `exe=`, decoded.
    pub exe: Option<Vec<u8>>,
    /// `comm=`, decoded.
    pub comm: Option<Vec<u8>>,
    /// The keys of `key=`, decoded, in order (several keys of one rule are
    /// joined by 0x01 in the log).
    pub keys: Vec<Vec<u8>>,
    /// PATH `name=` values, made absolute with the CWD record when relative.
    pub paths: Vec<Vec<u8>>,
    /// PATH `ouid=`/`ogid=` pairs.
    pub owners: Vec<(Option<u32>, Option<u32>)>,
    /// PATH `inode=` values.
    pub inodes: Vec<u64>,
    /// `res=failed` (user-space records) or `success=no`.
    pub failed: bool,
}

/// Record types that describe the syscall itself (its paths, arguments,
/// process title, ...), as opposed to what the kernel logs on its own.
fn is_syscall_part(t: RecordType) -> bool {
    matches!(
        t.name(),
        Some(
            "SYSCALL"
                | "PATH"
                | "CWD"
                | "EXECVE"
                | "PROCTITLE"
                | "SOCKADDR"
                | "BPRM_FCAPS"
                | "EOE"
                | "MMAP"
                | "FD_PAIR"
                | "IPC"
                | "IPC_SET_PERM"
                | "OBJ_PID"
                | "CAPSET"
                | "SOCKETCALL"
                | "MQ_OPEN"
                | "MQ_SENDRECV"
                | "MQ_NOTIFY"
                | "MQ_GETSETATTR"
                | "KERN_MODULE"
                | "TIME_ADJNTPVAL"
                | "TIME_INJOFFSET"
                | "OPENAT2"
                | "URINGOP"
                | "NETFILTER_CFG"
                | "BPF"
                | "DM_CTRL"
                | "DM_EVENT"
                | "FANOTIFY"
                | "MAC_UNLBL_ALLOW"
        )
    )
}

fn num(v: &[u8]) -> Option<u32> {
    std::str::from_utf8(v).ok()?.parse::<u32>().ok()
}

fn signed(v: &[u8]) -> Option<i64> {
    std::str::from_utf8(v).ok()?.parse::<i64>().ok()
}

fn hex(v: &[u8]) -> Option<u64> {
    u64::from_str_radix(std::str::from_utf8(v).ok()?, 16).ok()
}

fn text(v: &[u8]) -> Option<Vec<u8>> {
    if matches!(v, b"(null)" | b"(none)" | b"?") {
        return None;
    }
    Some(decode_str(v).into_owned())
}

impl Facts {
    /// Read the facts of `ev`.
    pub fn of(ev: &Event) -> Facts {
        let mut f = Facts::default();
        let mut cwd: Option<Vec<u8>> = None;
        let mut names: Vec<Vec<u8>> = Vec::new();
        for rec in ev.records() {
            let t = rec.rtype();
            if f.first_type == RecordType::default() && t != RecordType::EOE {
                f.first_type = t;
            }
            if f.own_type.is_none() && !is_syscall_part(t) {
                f.own_type = Some(t);
            }
            if t == RecordType::SYSCALL {
                f.syscall_event = true;
                f.syscall_fields(&rec);
            } else if t == RecordType::CWD {
                cwd = rec.field(b"cwd").and_then(|v| text(&v));
            } else if t == RecordType::PATH {
                let mut owner = (None, None);
                for fl in rec.fields() {
                    match fl.name {
                        b"name" => {
                            if let Some(n) = text(&fl.value) {
                                names.push(n);
                            }
                        }
                        b"inode" => {
                            if let Some(i) = num(&fl.value) {
                                f.inodes.push(u64::from(i));
                            }
                        }
                        b"ouid" => owner.0 = num(&fl.value),
                        b"ogid" => owner.1 = num(&fl.value),
                        _ => {}
                    }
                }
                f.owners.push(owner);
            } else if !f.syscall_event {
                // A record outside a syscall (user space, daemon, kernel):
                // its own subject fields.
                f.other_fields(&rec);
            }
        }
        for n in names {
            f.paths.push(absolute(n, cwd.as_deref()));
        }
        f
    }

    fn syscall_fields(&mut self, rec: &auditkit_event::Record<'_>) {
        for fl in rec.fields() {
            let v: &[u8] = &fl.value;
            match fl.name {
                b"arch" => self.arch = hex(v).and_then(|a| u32::try_from(a).ok()),
                b"syscall" => self.syscall = num(v),
                b"success" => {
                    self.success = match v {
                        b"yes" => Some(true),
                        b"no" => Some(false),
                        _ => None,
                    };
                    self.failed |= v == b"no";
                }
                b"exit" => self.exit = signed(v),
                b"a0" => self.args[0] = hex(v),
                b"a1" => self.args[1] = hex(v),
                b"a2" => self.args[2] = hex(v),
                b"a3" => self.args[3] = hex(v),
                b"key" => self.keys = split_keys(v).into_iter().map(Cow::into_owned).collect(),
                _ => self.id_field(fl.name, v),
            }
        }
    }

    fn other_fields(&mut self, rec: &auditkit_event::Record<'_>) {
        for fl in rec.fields() {
            let v: &[u8] = &fl.value;
            match fl.name {
                b"res" => self.failed |= matches!(v, b"failed" | b"fail" | b"0"),
                b"key" if self.keys.is_empty() => {
                    self.keys = split_keys(v).into_iter().map(Cow::into_owned).collect()
                }
                _ => self.id_field(fl.name, v),
            }
        }
    }

    fn id_field(&mut self, name: &[u8], v: &[u8]) {
        let slot = match name {
            b"pid" => &mut self.ids.pid,
            b"ppid" => &mut self.ids.ppid,
            b"uid" => &mut self.ids.uid[0],
            b"euid" => &mut self.ids.uid[1],
            b"suid" => &mut self.ids.uid[2],
            b"fsuid" => &mut self.ids.uid[3],
            b"gid" => &mut self.ids.gid[0],
            b"egid" => &mut self.ids.gid[1],
            b"sgid" => &mut self.ids.gid[2],
            b"fsgid" => &mut self.ids.gid[3],
            b"auid" => &mut self.ids.auid,
            b"ses" => &mut self.ids.ses,
            b"exe" => {
                if self.exe.is_none() {
                    self.exe = text(v);
                }
                return;
            }
            b"comm" => {
                if self.comm.is_none() {
                    self.comm = text(v);
                }
                return;
            }
            _ => return,
        };
        if slot.is_none() {
            *slot = num(v);
        }
    }

    /// The keys as one string, joined by 0x01 the way the rule holds them.
    pub fn joined_key(&self) -> Option<String> {
        if self.keys.is_empty() {
            return None;
        }
        let parts: Vec<Cow<str>> = self
            .keys
            .iter()
            .map(|k| String::from_utf8_lossy(k))
            .collect();
        Some(parts.join("\u{1}"))
    }
}

/// `name` made absolute against `cwd`, with `.` and `..` components
/// folded, so that it compares with a watched path.
fn absolute(name: Vec<u8>, cwd: Option<&[u8]>) -> Vec<u8> {
    let joined = if name.starts_with(b"/") {
        name
    } else {
        match cwd {
            Some(c) => {
                let mut j = c.to_vec();
                j.push(b'/');
                j.extend_from_slice(&name);
                j
            }
            None => return name,
        }
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for p in joined.split(|&b| b == b'/') {
        match p {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = Vec::with_capacity(joined.len());
    for p in parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::absolute;

    #[test]
    fn relative_names_follow_the_cwd() {
        let a = |n: &str, c: Option<&str>| {
            String::from_utf8(absolute(n.as_bytes().to_vec(), c.map(str::as_bytes))).unwrap()
        };
        assert_eq!(a("shadow", Some("/etc")), "/etc/shadow");
        assert_eq!(a("../etc/./passwd", Some("/root")), "/etc/passwd");
        assert_eq!(a("/etc//hosts", None), "/etc/hosts");
        assert_eq!(a("x", None), "x");
        assert_eq!(a("..", Some("/")), "/");
    }
}
