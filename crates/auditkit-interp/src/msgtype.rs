//! Audit message (record) types: `type=SYSCALL` ⇄ 1300.
//!
//! Names are libaudit 3.0.9's (`lib/msg_typetab.h`, built with AppArmor
//! support as Debian does), which is what auditd writes and ausearch prints.

use crate::tables::{self, msg_types::TABLE};

/// Name of message type `n` (`audit_msg_type_to_name`).
pub fn name(n: u32) -> Option<&'static str> {
    tables::i2s(TABLE, i32::try_from(n).ok()?)
}

/// Number of a message type name, case-insensitively like libaudit.
pub fn from_name(name: &str) -> Option<u32> {
    // A hash map keyed by the upper-case name (first entry wins, as a scan
    // of the table would): the header parser and `-m` look names up often.
    static BY_NAME: std::sync::LazyLock<crate::fxhash::FxMap<String, u32>> =
        std::sync::LazyLock::new(|| {
            let mut m = crate::fxhash::FxMap::default();
            for &(n, s) in TABLE {
                if let Ok(n) = u32::try_from(n) {
                    m.entry(s.to_ascii_uppercase()).or_insert(n);
                }
            }
            m
        });
    if name.bytes().any(|b| b.is_ascii_lowercase()) {
        BY_NAME.get(&name.to_ascii_uppercase()).copied()
    } else {
        BY_NAME.get(name).copied()
    }
}

/// What `audit_name_to_msg_type` makes of a `type=` token: a known name,
/// `UNKNOWN[1234]` (at most 7 digits inside the brackets are read), or a
/// decimal number. Returns `None` where libaudit returns -1 (and for
/// negative results, which a record type can never be).
pub fn parse_type_token(tok: &[u8]) -> Option<u32> {
    if let Some(n) = std::str::from_utf8(tok).ok().and_then(from_name) {
        return Some(n);
    }
    if let Some(rest) = tok.strip_prefix(b"UNKNOWN[") {
        let end = rest.iter().position(|&c| c == b']')?;
        let digits = &rest[..end.min(7)];
        return to_u32(crate::cnum::strtol(digits, 10).ok()?);
    }
    if tok.first().is_some_and(u8::is_ascii_digit) {
        return to_u32(crate::cnum::strtol(tok, 10).ok()?);
    }
    None
}

/// `strtol` result stored in a C `int`, as libaudit does.
fn to_u32(v: i64) -> Option<u32> {
    u32::try_from(v as i32).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name(1300), Some("SYSCALL"));
        assert_eq!(name(1327), Some("PROCTITLE"));
        assert_eq!(name(1500), Some("APPARMOR"));
        assert_eq!(name(9999), None);
        assert_eq!(from_name("syscall"), Some(1300));
        assert_eq!(from_name("NOPE"), None);
    }

    #[test]
    fn tokens() {
        assert_eq!(parse_type_token(b"SYSCALL"), Some(1300));
        assert_eq!(parse_type_token(b"UNKNOWN[1334]"), Some(1334));
        assert_eq!(parse_type_token(b"UNKNOWN[12345678]"), Some(1234567));
        assert_eq!(parse_type_token(b"UNKNOWN[12"), None);
        assert_eq!(parse_type_token(b"1400"), Some(1400));
        assert_eq!(parse_type_token(b"12x"), Some(12));
        assert_eq!(parse_type_token(b"bogus"), None);
        assert_eq!(parse_type_token(b""), None);
    }
}
