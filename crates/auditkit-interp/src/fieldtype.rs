//! What kind of value a field holds: auparse's `AUPARSE_TYPE_*`.

use crate::tables::field_types;
use crate::RecordType;

/// auparse 3.0.9's field types (`auparse-defs.h`, same order and numbers).
///
/// Later auparse versions add `TRUST`, `FAN_TYPE`, `FAN_INFO`, `ERRNO` and
/// `URINGOP`; 3.0.9 never assigns them, so they are not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FieldType {
    Unclassified = 0,
    Uid,
    Gid,
    Syscall,
    Arch,
    Exit,
    Escaped,
    Perm,
    Mode,
    Sockaddr,
    Flags,
    Promisc,
    Capability,
    Success,
    A0,
    A1,
    A2,
    A3,
    Signal,
    List,
    TtyData,
    Session,
    CapBitmap,
    Nfproto,
    Icmptype,
    Protocol,
    Addr,
    Personality,
    Seccomp,
    Oflag,
    Mmap,
    ModeShort,
    MacLabel,
    Proctitle,
    Hook,
    Netaction,
    Macproto,
    IoctlReq,
    EscapedKey,
    EscapedFile,
    Fanotify,
    Nlmcgrp,
    Resolve,
}

impl FieldType {
    const ALL: [FieldType; 43] = [
        FieldType::Unclassified,
        FieldType::Uid,
        FieldType::Gid,
        FieldType::Syscall,
        FieldType::Arch,
        FieldType::Exit,
        FieldType::Escaped,
        FieldType::Perm,
        FieldType::Mode,
        FieldType::Sockaddr,
        FieldType::Flags,
        FieldType::Promisc,
        FieldType::Capability,
        FieldType::Success,
        FieldType::A0,
        FieldType::A1,
        FieldType::A2,
        FieldType::A3,
        FieldType::Signal,
        FieldType::List,
        FieldType::TtyData,
        FieldType::Session,
        FieldType::CapBitmap,
        FieldType::Nfproto,
        FieldType::Icmptype,
        FieldType::Protocol,
        FieldType::Addr,
        FieldType::Personality,
        FieldType::Seccomp,
        FieldType::Oflag,
        FieldType::Mmap,
        FieldType::ModeShort,
        FieldType::MacLabel,
        FieldType::Proctitle,
        FieldType::Hook,
        FieldType::Netaction,
        FieldType::Macproto,
        FieldType::IoctlReq,
        FieldType::EscapedKey,
        FieldType::EscapedFile,
        FieldType::Fanotify,
        FieldType::Nlmcgrp,
        FieldType::Resolve,
    ];

    /// The `AUPARSE_TYPE_*` number.
    pub fn as_c(self) -> u32 {
        self as u32
    }

    /// From an `AUPARSE_TYPE_*` number.
    pub fn from_c(n: u32) -> Option<FieldType> {
        FieldType::ALL.get(usize::try_from(n).ok()?).copied()
    }

    /// Field type by name alone (auparse's `lookup_type`: `typetab.h`,
    /// case-sensitive; unknown names are [`FieldType::Unclassified`]).
    pub fn by_name(name: &str) -> FieldType {
        // Called for every field an interpreting writer prints: a hash map
        // instead of a scan of the ~200-entry table (first entry wins, as
        // the scan did).
        static BY_NAME: std::sync::LazyLock<crate::fxhash::FxMap<&'static str, FieldType>> =
            std::sync::LazyLock::new(|| {
                let mut m = crate::fxhash::FxMap::default();
                for &(n, s) in field_types::TABLE {
                    if let Some(ft) = u32::try_from(n).ok().and_then(FieldType::from_c) {
                        m.entry(s).or_insert(ft);
                    }
                }
                m
            });
        BY_NAME
            .get(name)
            .copied()
            .unwrap_or(FieldType::Unclassified)
    }
}

/// C-string view: auparse sees the value only up to its first NUL.
fn cstr(v: &[u8]) -> &[u8] {
    memchr::memchr(0, v).map_or(v, |i| &v[..i])
}

fn is_hex(v: &[u8]) -> bool {
    v.iter().all(u8::is_ascii_hexdigit)
}

fn is_int(v: &[u8]) -> bool {
    v.iter().all(u8::is_ascii_digit)
}

/// The type auparse 3.0.9 gives field `name` with raw `value` in a record
/// of type `rtype` (`auparse_interp_adjust_type`): the name's type from
/// `typetab.h`, except for the fields whose meaning depends on the record
/// or on how the value is written.
pub fn field_type(rtype: RecordType, name: &str, value: &[u8]) -> FieldType {
    debug_assert!(
        field_type_uses_value(rtype, name) || {
            let a = field_type_of(rtype, name, b"");
            a == field_type_of(rtype, name, b"\"x\"") && a == field_type_of(rtype, name, b"41")
        }
    );
    field_type_of(rtype, name, value)
}

/// Whether [`field_type`] looks at the value for this record type and
/// field name. When it does not, writers can remember the type per (record
/// type, name) instead of asking again for every field of every record.
pub fn field_type_uses_value(rtype: RecordType, name: &str) -> bool {
    name == "acct" || rtype == RecordType::TRUSTED_APP
}

fn field_type_of(rtype: RecordType, name: &str, value: &[u8]) -> FieldType {
    let val = cstr(value);
    if rtype == RecordType::EXECVE
        && name.starts_with('a')
        && name != "argc"
        && !name.contains("_len")
    {
        FieldType::Escaped
    } else if rtype == RecordType::AVC && name == "saddr" {
        FieldType::Unclassified
    } else if rtype == RecordType::USER_TTY && name == "msg" {
        FieldType::Escaped
    } else if rtype == RecordType::NETFILTER_PKT && name == "saddr" {
        FieldType::Addr
    } else if name == "acct" {
        if val.first() == Some(&b'"') || is_hex(val) {
            FieldType::Escaped
        } else {
            FieldType::Unclassified
        }
    } else if rtype == RecordType::PATH && name == "flags" {
        FieldType::Flags
    } else if rtype == RecordType::MQ_OPEN && name == "mode" {
        FieldType::ModeShort
    } else if rtype == RecordType::CRYPTO_KEY_USER && name == "fp" {
        FieldType::Unclassified
    } else if name == "id"
        && matches!(
            rtype,
            RecordType::ADD_GROUP | RecordType::GRP_MGMT | RecordType::DEL_GROUP
        )
    {
        FieldType::Gid
    } else if rtype == RecordType::TRUSTED_APP {
        if val.first() == Some(&b'"') {
            FieldType::Escaped
        } else if is_int(val) {
            FieldType::Unclassified
        } else if is_hex(val) {
            FieldType::Escaped
        } else {
            FieldType::Unclassified
        }
    } else if rtype == RecordType::KERN_MODULE && name == "name" {
        FieldType::Escaped
    } else {
        FieldType::by_name(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_context() {
        assert_eq!(FieldType::by_name("auid"), FieldType::Uid);
        assert_eq!(FieldType::by_name("AUID"), FieldType::Unclassified);
        assert_eq!(FieldType::by_name("name"), FieldType::EscapedFile);
        assert_eq!(FieldType::by_name("flags"), FieldType::Mmap);
        assert_eq!(FieldType::by_name("apparmor"), FieldType::Escaped);
        // (record type, name, value, type): the record type and the value
        // decide for some names, as in auparse's `auparse_interp_adjust_type`.
        let cases: &[(RecordType, &str, &[u8], FieldType)] = &[
            (RecordType::PATH, "flags", b"1", FieldType::Flags),
            (RecordType::EXECVE, "a1", b"\"x\"", FieldType::Escaped),
            (RecordType::EXECVE, "a1_len", b"9", FieldType::Unclassified),
            (RecordType::EXECVE, "argc", b"2", FieldType::Unclassified),
            (RecordType::SYSCALL, "a1", b"2", FieldType::A1),
            (
                RecordType::USER_LOGIN,
                "acct",
                b"\"root\"",
                FieldType::Escaped,
            ),
            (
                RecordType::USER_LOGIN,
                "acct",
                b"726F6F74",
                FieldType::Escaped,
            ),
            (
                RecordType::USER_LOGIN,
                "acct",
                b"root",
                FieldType::Unclassified,
            ),
            (RecordType::ADD_GROUP, "id", b"5", FieldType::Gid),
            (RecordType::SYSCALL, "id", b"5", FieldType::Uid),
            (
                RecordType::TRUSTED_APP,
                "x",
                b"123",
                FieldType::Unclassified,
            ),
            (RecordType::TRUSTED_APP, "x", b"abc", FieldType::Escaped),
            (
                RecordType::TRUSTED_APP,
                "x",
                b"xyz",
                FieldType::Unclassified,
            ),
            (RecordType::AVC, "saddr", b"01", FieldType::Unclassified),
            (
                RecordType::NETFILTER_PKT,
                "saddr",
                b"1.2.3.4",
                FieldType::Addr,
            ),
        ];
        for &(rtype, name, value, want) in cases {
            assert_eq!(
                field_type(rtype, name, value),
                want,
                "{rtype} {name}={}",
                String::from_utf8_lossy(value)
            );
        }
        for t in FieldType::ALL {
            assert_eq!(FieldType::from_c(t.as_c()), Some(t));
        }
        assert_eq!(FieldType::from_c(43), None);
    }
}
