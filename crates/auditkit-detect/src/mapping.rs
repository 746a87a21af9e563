//! SigmaHQ's Linux rules for other log sources, served from audit
//! events.
//!
//! Those rules are written for Sysmon for Linux: their events are a
//! process creation, a file event or a network connection, with fields
//! such as `Image` and `CommandLine`. An audit *event* (all records of
//! one syscall) holds the same facts, so such a rule is evaluated once
//! per event that is of its kind, on these fields (`docs/detect.md`
//! has the table):
//!
//! | category | the event | field | from |
//! |---|---|---|---|
//! | process_creation | execve/execveat that succeeded | `Image` | SYSCALL `exe` |
//! | | | `CommandLine` | EXECVE arguments joined with spaces (else PROCTITLE) |
//! | | | `CurrentDirectory` | CWD `cwd` |
//! | | | `User` | the enrichment's `UID`, else the uid's name, else the uid |
//! | | | `LogonId` | SYSCALL `auid` |
//! | | | `ProcessId`, `ParentProcessId` | `pid`, `ppid` |
//! | | | `ParentImage`, `ParentCommandLine` | the process tree, by `ppid` |
//! | | | `EffectiveUserId`, `ImageOwnerId` (auditkit's) | SYSCALL `euid`, the executed file's PATH `ouid` |
//! | file_event | a PATH with `nametype=CREATE`, or open/openat/creat for writing, that succeeded | `TargetFilename` | that PATH's `name`, made absolute with CWD |
//! | network_connection | connect (`Initiated: 'true'`), accept/accept4 (`'false'`) to or from an inet address | `DestinationIp`, `DestinationPort` | the SOCKADDR `saddr` (connect) |
//! | | | `SourceIp`, `SourcePort` | the SOCKADDR `saddr` (accept) |
//!
//! `Image`, `User`, `ProcessId` and `CommandLine` (PROCTITLE) exist in all
//! three. A field not in the table (`DestinationHostname`, which would
//! need DNS) makes the rule unsupported, with the field named.

use std::borrow::Cow;

use auditkit_interp::RecordType;

use crate::compile::{Doc, FieldKey};
use crate::context::ProcessTree;
use crate::sysrec::{Slot, SysRec};
use crate::view::RecView;

/// A log source category served through the mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// `process_creation`
    ProcessCreation,
    /// `file_event`
    FileEvent,
    /// `network_connection`
    NetworkConnection,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 3] = [
        Category::ProcessCreation,
        Category::FileEvent,
        Category::NetworkConnection,
    ];

    /// Its Sigma name.
    pub fn name(self) -> &'static str {
        match self {
            Category::ProcessCreation => "process_creation",
            Category::FileEvent => "file_event",
            Category::NetworkConnection => "network_connection",
        }
    }

    /// The category named `s`.
    pub fn from_name(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// A mapped field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mapped {
    /// `Image`
    Image,
    /// `CommandLine`
    CommandLine,
    /// `CurrentDirectory`
    CurrentDirectory,
    /// `User`
    User,
    /// `LogonId`
    LogonId,
    /// `ProcessId`
    ProcessId,
    /// `ParentProcessId`
    ParentProcessId,
    /// `ParentImage`
    ParentImage,
    /// `ParentCommandLine`
    ParentCommandLine,
    /// `TargetFilename`
    TargetFilename,
    /// `DestinationIp`
    DestinationIp,
    /// `DestinationPort`
    DestinationPort,
    /// `SourceIp`
    SourceIp,
    /// `SourcePort`
    SourcePort,
    /// `Initiated`
    Initiated,
    /// `EffectiveUserId` (auditkit's, not Sysmon's): SYSCALL `euid`.
    EffectiveUserId,
    /// `ImageOwnerId` (auditkit's, not Sysmon's): the `ouid` of the
    /// executed file (PATH `item=0`), for "root ran another user's file".
    ImageOwnerId,
}

/// The mapped field `name` of category `c`, if audit events have it.
pub fn field(c: Category, name: &str) -> Option<Mapped> {
    use Mapped::*;
    let common = match name {
        "Image" => Some(Image),
        "User" => Some(User),
        "ProcessId" => Some(ProcessId),
        "CommandLine" => Some(CommandLine),
        _ => None,
    };
    common.or(match (c, name) {
        (Category::ProcessCreation, "CurrentDirectory") => Some(CurrentDirectory),
        (Category::ProcessCreation, "LogonId") => Some(LogonId),
        (Category::ProcessCreation, "ParentProcessId") => Some(ParentProcessId),
        (Category::ProcessCreation, "ParentImage") => Some(ParentImage),
        (Category::ProcessCreation, "ParentCommandLine") => Some(ParentCommandLine),
        (Category::ProcessCreation, "EffectiveUserId") => Some(EffectiveUserId),
        (Category::ProcessCreation, "ImageOwnerId") => Some(ImageOwnerId),
        (Category::FileEvent, "TargetFilename") => Some(TargetFilename),
        (Category::NetworkConnection, "DestinationIp") => Some(DestinationIp),
        (Category::NetworkConnection, "DestinationPort") => Some(DestinationPort),
        (Category::NetworkConnection, "SourceIp") => Some(SourceIp),
        (Category::NetworkConnection, "SourcePort") => Some(SourcePort),
        (Category::NetworkConnection, "Initiated") => Some(Initiated),
        _ => None,
    })
}

/// An event seen as one Sysmon-style event of a category.
pub(crate) struct Mapped1 {
    values: Vec<(Mapped, Vec<u8>)>,
    text: Vec<u8>,
}

impl Mapped1 {
    /// The first value of field `m`, if the event has one.
    pub(crate) fn value(&self, m: Mapped) -> Option<&[u8]> {
        self.values
            .iter()
            .find(|(k, _)| *k == m)
            .map(|(_, v)| v.as_slice())
    }
}

impl Doc for Mapped1 {
    fn each(&self, f: &FieldKey, visit: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        let FieldKey::Mapped(m) = f else { return false };
        self.values
            .iter()
            .filter(|(k, _)| k == m)
            .any(|(_, v)| visit(v))
    }
    fn text(&self) -> &[u8] {
        &self.text
    }
}

fn first<'a>(recs: &'a [RecView<'a>], t: RecordType, name: &[u8]) -> Option<Cow<'a, [u8]>> {
    let r = recs.iter().find(|r| r.rtype == t)?;
    let raw = r.raw(name)?;
    Some(r.decoded(name, raw))
}

/// `saddr` of an inet/inet6 SOCKADDR: address text and port.
pub(crate) fn inet(saddr: &[u8]) -> Option<(String, u16)> {
    let b = auditkit_event::value::decode_hex(saddr)?;
    let fam = u16::from_le_bytes([*b.first()?, *b.get(1)?]);
    let port = u16::from_be_bytes([*b.get(2)?, *b.get(3)?]);
    match fam {
        2 => {
            let a: [u8; 4] = b.get(4..8)?.try_into().ok()?;
            Some((std::net::Ipv4Addr::from(a).to_string(), port))
        }
        10 => {
            let a: [u8; 16] = b.get(8..24)?.try_into().ok()?;
            let ip = std::net::Ipv6Addr::from(a);
            // A v4-mapped address is the v4 address.
            let s = match ip.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => ip.to_string(),
            };
            Some((s, port))
        }
        _ => None,
    }
}

/// Open flags that write: O_WRONLY, O_RDWR, O_CREAT, O_TRUNC (the same
/// bits on every architecture auditd logs, except alpha/sparc/parisc).
const WRITE_FLAGS: u64 = 0o1 | 0o2 | 0o100 | 0o1000;

/// What an event is, read from its raw records without building their
/// views: enough to tell the categories [`event`] would refuse it for.
/// Each test here is implied by [`event`]'s (looser where that is
/// cheaper), so an event it rules out is one [`event`] gives `None` for.
pub(crate) struct Kind<'s> {
    /// There is a SYSCALL record (the first one is read).
    sys: bool,
    /// Its syscall's name, lower case as the tables write it.
    name: Option<&'s [u8]>,
    /// `success=yes`, or no `success` (or no SYSCALL record).
    success: bool,
    /// `exit=-115` (EINPROGRESS).
    in_progress: bool,
    /// An open for writing (the flags of open/openat), or creat.
    writes: bool,
    execve: bool,
    sockaddr: bool,
    /// A PATH record may say `nametype=CREATE`, or `NORMAL`.
    path_create: bool,
    path_normal: bool,
}

/// `nametype=`, searched for in PATH bodies.
fn nametype_finder() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"nametype="));
    &F
}

impl<'s> Kind<'s> {
    /// What `ev` is; `sys` is its first SYSCALL record, read
    /// ([`SysRec::of`]).
    pub(crate) fn of<E: auditkit_event::EventFields + ?Sized>(
        ev: &E,
        sys: Option<&'s SysRec<'_>>,
    ) -> Kind<'s> {
        use auditkit_event::RecordFields;
        let mut k = Kind {
            sys: sys.is_some(),
            name: sys.and_then(|s| s.name.as_deref()),
            success: sys
                .and_then(|s| s.get(Slot::Success))
                .is_none_or(|v| v == b"yes"),
            in_progress: sys.and_then(|s| s.get(Slot::Exit)) == Some(b"-115"),
            writes: false,
            execve: false,
            sockaddr: false,
            path_create: false,
            path_normal: false,
        };
        for r in ev.records() {
            match r.rtype() {
                RecordType::EXECVE => k.execve = true,
                RecordType::SOCKADDR => k.sockaddr = true,
                RecordType::PATH => match r.raw_body() {
                    Some(b) if !r.is_interpreted() => {
                        // Every `nametype=` of the body, as the two
                        // searches for `nametype=CREATE` and `=NORMAL` would
                        // find them, in one pass.
                        let mut at = 0;
                        while let Some(p) = nametype_finder().find(&b[at..]) {
                            let v = &b[at + p + 9..];
                            k.path_create = k.path_create || v.starts_with(b"CREATE");
                            k.path_normal = k.path_normal || v.starts_with(b"NORMAL");
                            at += p + 9;
                        }
                    }
                    _ => {
                        let nt = r.field(b"nametype");
                        k.path_create |= nt.as_deref() == Some(b"CREATE");
                        k.path_normal |= nt.as_deref() == Some(b"NORMAL");
                    }
                },
                _ => {}
            }
        }
        let flags = |v: Option<&[u8]>| {
            v.and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|v| u64::from_str_radix(v, 16).ok())
                .unwrap_or(0)
        };
        k.writes = match k.name {
            Some(b"open") => flags(sys.and_then(|s| s.get(Slot::A1))) & WRITE_FLAGS != 0,
            Some(b"openat") => flags(sys.and_then(|s| s.get(Slot::A2))) & WRITE_FLAGS != 0,
            Some(b"creat") => true,
            _ => false,
        };
        k
    }

    /// Whether [`event`] may take the event as category `c`.
    pub(crate) fn may_be(&self, c: Category) -> bool {
        let name = self.name.unwrap_or(b"");
        match c {
            Category::ProcessCreation => {
                let is_exec = matches!(name, b"execve" | b"execveat");
                (is_exec || !self.sys && self.execve) && self.success
            }
            Category::FileEvent => {
                self.success && self.sys && (self.path_create || self.writes && self.path_normal)
            }
            Category::NetworkConnection => {
                matches!(name, b"connect" | b"accept" | b"accept4")
                    && (self.success || self.in_progress)
                    && self.sockaddr
            }
        }
    }
}

/// The event as category `c`, if it is one of its kind.
pub(crate) fn event(
    c: Category,
    recs: &[RecView<'_>],
    tree: &dyn ProcessTree,
    accounts: &auditkit_host::Accounts,
) -> Option<Mapped1> {
    let sys = recs.iter().find(|r| r.rtype == RecordType::SYSCALL);
    let name = sys.and_then(|s| s.syscall_name());
    let name = name.as_deref().unwrap_or(b"");
    let success = sys
        .and_then(|s| s.raw(b"success"))
        .is_none_or(|v| v == b"yes");
    let mut values: Vec<(Mapped, Vec<u8>)> = Vec::new();
    let cwd = first(recs, RecordType::CWD, b"cwd");
    match c {
        Category::ProcessCreation => {
            let execve = recs.iter().find(|r| r.rtype == RecordType::EXECVE);
            let is_exec = matches!(name, b"execve" | b"execveat");
            if !(is_exec || sys.is_none() && execve.is_some()) || !success {
                return None;
            }
            if let Some(d) = &cwd {
                values.push((Mapped::CurrentDirectory, d.to_vec()));
            }
            if let Some(s) = sys {
                if let Some(ppid) = s.raw(b"ppid") {
                    values.push((Mapped::ParentProcessId, ppid.to_vec()));
                    if let Some(p) = std::str::from_utf8(ppid)
                        .ok()
                        .and_then(|p| p.parse().ok())
                        .and_then(|p| tree.process(p))
                    {
                        if let Some(e) = p.exe {
                            values.push((Mapped::ParentImage, e));
                        }
                        if let Some(c) = p.cmdline {
                            values.push((Mapped::ParentCommandLine, c));
                        }
                    }
                }
                if let Some(a) = s.raw(b"auid") {
                    values.push((Mapped::LogonId, a.to_vec()));
                }
                if let Some(u) = s.raw(b"euid") {
                    values.push((Mapped::EffectiveUserId, u.to_vec()));
                }
            }
            let image = recs
                .iter()
                .find(|r| r.rtype == RecordType::PATH && r.raw(b"item") == Some(b"0"));
            if let Some(o) = image.and_then(|p| p.raw(b"ouid")) {
                values.push((Mapped::ImageOwnerId, o.to_vec()));
            }
        }
        Category::FileEvent => {
            if !success || sys.is_none() {
                return None;
            }
            let s = sys?;
            let flags = |reg: &[u8]| {
                s.raw(reg)
                    .and_then(|v| std::str::from_utf8(v).ok())
                    .and_then(|v| u64::from_str_radix(v, 16).ok())
                    .unwrap_or(0)
            };
            let writes = match name {
                b"open" => flags(b"a1") & WRITE_FLAGS != 0,
                b"openat" => flags(b"a2") & WRITE_FLAGS != 0,
                b"creat" => true,
                _ => false,
            };
            for r in recs.iter().filter(|r| r.rtype == RecordType::PATH) {
                let nt = r.raw(b"nametype").unwrap_or(b"");
                if !(nt == b"CREATE" || writes && nt == b"NORMAL") {
                    continue;
                }
                let Some(raw) = r.raw(b"name") else { continue };
                let n = r.decoded(b"name", raw);
                if n.as_ref() == b"(null)" {
                    continue;
                }
                let full = match (&cwd, n.first()) {
                    (Some(d), Some(c)) if *c != b'/' => {
                        let mut f = d.to_vec();
                        if f.last() != Some(&b'/') {
                            f.push(b'/');
                        }
                        f.extend_from_slice(n.strip_prefix(b"./").unwrap_or(&n));
                        f
                    }
                    _ => n.into_owned(),
                };
                values.push((Mapped::TargetFilename, full));
            }
            if values.is_empty() {
                return None;
            }
        }
        Category::NetworkConnection => {
            let initiated = match name {
                b"connect" => true,
                b"accept" | b"accept4" => false,
                _ => return None,
            };
            // A non-blocking connect reports EINPROGRESS and goes on.
            let in_progress = sys.and_then(|s| s.raw(b"exit")) == Some(b"-115");
            if !success && !in_progress {
                return None;
            }
            let saddr = recs
                .iter()
                .filter(|r| r.rtype == RecordType::SOCKADDR)
                .find_map(|r| r.raw(b"saddr").and_then(inet))?;
            let (ip, port) = saddr;
            let (fi, fp) = if initiated {
                (Mapped::DestinationIp, Mapped::DestinationPort)
            } else {
                (Mapped::SourceIp, Mapped::SourcePort)
            };
            values.push((fi, ip.into_bytes()));
            values.push((fp, port.to_string().into_bytes()));
            values.push((
                Mapped::Initiated,
                if initiated {
                    b"true".to_vec()
                } else {
                    b"false".to_vec()
                },
            ));
        }
    }
    // Common to every category.
    if let Some(s) = sys {
        if let Some(e) = s.raw(b"exe") {
            values.push((Mapped::Image, s.decoded(b"exe", e).into_owned()));
        }
        if let Some(p) = s.raw(b"pid") {
            values.push((Mapped::ProcessId, p.to_vec()));
        }
        let user = s
            .enrichment
            .and_then(|t| {
                auditkit_event::fields::enrichment_fields(t)
                    .into_iter()
                    .find(|(n, _)| *n == b"UID")
                    .map(|(_, v)| auditkit_event::value::decode_str(v).into_owned())
            })
            .or_else(|| {
                let uid = s.raw(b"uid")?;
                let n: u32 = std::str::from_utf8(uid).ok()?.parse().ok()?;
                Some(
                    accounts
                        .user_name(n)
                        .map_or_else(|| uid.to_vec(), |s| s.as_bytes().to_vec()),
                )
            });
        if let Some(u) = user {
            values.push((Mapped::User, u));
        }
    }
    let cmdline = recs
        .iter()
        .find_map(|r| r.args.as_ref().map(|a| a.join(&b' ')))
        .or_else(|| first(recs, RecordType::PROCTITLE, b"proctitle").map(Cow::into_owned));
    if let Some(c) = cmdline {
        values.push((Mapped::CommandLine, c));
    }
    let mut text = Vec::new();
    for (_, v) in &values {
        text.extend_from_slice(v);
        text.push(b' ');
    }
    Some(Mapped1 { values, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddrs() {
        // 127.0.0.1:4444
        assert_eq!(
            inet(b"0200115C7F0000010000000000000000"),
            Some(("127.0.0.1".to_string(), 4444))
        );
        // [::1]:22
        assert_eq!(
            inet(b"0A000016000000000000000000000000000000000000000100000000"),
            Some(("::1".to_string(), 22))
        );
        assert_eq!(
            inet(b"01002F746D70"),
            None,
            "unix sockets are not connections"
        );
        assert_eq!(inet(b"zz"), None);
    }

    #[test]
    fn fields_per_category() {
        assert_eq!(
            field(Category::ProcessCreation, "ParentImage"),
            Some(Mapped::ParentImage)
        );
        assert_eq!(field(Category::FileEvent, "ParentImage"), None);
        assert_eq!(
            field(Category::NetworkConnection, "DestinationHostname"),
            None
        );
        assert_eq!(field(Category::FileEvent, "Image"), Some(Mapped::Image));
    }
}
