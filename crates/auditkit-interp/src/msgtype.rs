//! Audit message (record) types: `type=SYSCALL` ⇄ 1300.
//!
//! Names are libaudit 3.0.9's (`lib/msg_typetab.h`, built with AppArmor
//! support as Debian does), which is what auditd writes and ausearch prints.
//!
//! [`RecordType`] is the one type for a record's type everywhere in the
//! workspace. It holds a C `int`, as libaudit does: `audit_name_to_msg_type`
//! returns `int`, -1 when a token names no type, and ausearch's and
//! auparse's tests on it (`type < AUDIT_FIRST_EVENT`) are signed
//! comparisons that carry over unchanged. Every value a log can hold
//! (`UNKNOWN[N]` with up to 7 digits, a decimal number cast to `int`) fits.
//! Its named constants are the rows of the generated table that the code
//! refers to; a test checks each name and number against the table, so the
//! two cannot disagree.

use std::fmt;

use crate::tables::{self, msg_types::TABLE};

/// A record's type number (`type=SYSCALL` is 1300).
///
/// A plain `i32` underneath: comparisons and copies cost what the number
/// costs; only [`RecordType::name`] and `Display` look at the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct RecordType(pub i32);

/// Defines named constants and the list a test checks against [`TABLE`].
macro_rules! named_types {
    ($($name:ident = $n:literal,)*) => {
        impl RecordType {
            $(
                #[doc = concat!("`", stringify!($name), "` (", stringify!($n), ").")]
                pub const $name: RecordType = RecordType($n);
            )*
        }

        /// Every named constant with its name, for the test against the table.
        #[cfg(test)]
        const NAMED: &[(RecordType, &str)] = &[$((RecordType::$name, stringify!($name)),)*];
    };
}

named_types! {
    USER = 1005,
    LOGIN = 1006,
    USER_AUTH = 1100,
    USER_START = 1105,
    USER_END = 1106,
    USER_AVC = 1107,
    USER_CHAUTHTOK = 1108,
    USER_LOGIN = 1112,
    ADD_GROUP = 1116,
    DEL_GROUP = 1117,
    TRUSTED_APP = 1121,
    USER_TTY = 1124,
    GRP_MGMT = 1132,
    DAEMON_START = 1200,
    DAEMON_END = 1201,
    DAEMON_ABORT = 1202,
    DAEMON_CONFIG = 1203,
    DAEMON_ROTATE = 1205,
    DAEMON_RESUME = 1206,
    DAEMON_ACCEPT = 1207,
    DAEMON_CLOSE = 1208,
    SYSCALL = 1300,
    PATH = 1302,
    IPC = 1303,
    CONFIG_CHANGE = 1305,
    SOCKADDR = 1306,
    CWD = 1307,
    EXECVE = 1309,
    MQ_OPEN = 1312,
    OBJ_PID = 1318,
    TTY = 1319,
    EOE = 1320,
    BPRM_FCAPS = 1321,
    NETFILTER_PKT = 1324,
    NETFILTER_CFG = 1325,
    SECCOMP = 1326,
    PROCTITLE = 1327,
    FEATURE_CHANGE = 1328,
    KERN_MODULE = 1330,
    EVENT_LISTENER = 1335,
    AVC = 1400,
    AVC_PATH = 1402,
    MAC_POLICY_LOAD = 1403,
    MAC_STATUS = 1404,
    MAC_UNLBL_ALLOW = 1406,
    MAC_UNLBL_STCDEL = 1417,
    MAC_CALIPSO_DEL = 1419,
    ANOM_PROMISCUOUS = 1700,
    ANOM_ABEND = 1701,
    ANOM_LINK = 1702,
    INTEGRITY_DATA = 1800,
    INTEGRITY_RULE = 1805,
    KERNEL = 2000,
    ANOM_LOGIN_FAILURES = 2100,
    CRYPTO_KEY_USER = 2404,
    VIRT_RESOURCE = 2501,
    VIRT_MACHINE_ID = 2502,
}

impl RecordType {
    /// What `audit_name_to_msg_type` returns for a token that names no type.
    pub const INVALID: RecordType = RecordType(-1);

    // Bounds of the number ranges in libaudit.h 3.0.9 (`AUDIT_FIRST_*`,
    // `AUDIT_LAST_*`): not types of their own, so not in the table.
    /// `AUDIT_FIRST_USER_MSG`: first user-space message.
    pub const FIRST_USER_MSG: RecordType = RecordType(1100);
    /// `AUDIT_LAST_USER_MSG`.
    pub const LAST_USER_MSG: RecordType = RecordType(1199);
    /// `AUDIT_FIRST_EVENT`: first kernel event record.
    pub const FIRST_EVENT: RecordType = RecordType(1300);
    /// `AUDIT_FIRST_ANOM_MSG`: first user-space anomaly message.
    pub const FIRST_ANOM_MSG: RecordType = RecordType(2100);
    /// `AUDIT_FIRST_USER_MSG2`: first of the second user-space range.
    pub const FIRST_USER_MSG2: RecordType = RecordType(2100);
    /// `AUDIT_LAST_USER_MSG2`.
    pub const LAST_USER_MSG2: RecordType = RecordType(2999);

    /// Name of this type (`audit_msg_type_to_name`), `None` when the
    /// table has none.
    pub fn name(self) -> Option<&'static str> {
        name(self)
    }
}

/// The table's name, or `UNKNOWN[N]` as auparse prints an unnamed type.
impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(s) => f.write_str(s),
            None => write!(f, "UNKNOWN[{}]", self.0),
        }
    }
}

/// Name of message type `t` (`audit_msg_type_to_name`).
pub fn name(t: RecordType) -> Option<&'static str> {
    tables::i2s(TABLE, t.0)
}

/// Number of a message type name, case-insensitively like libaudit.
pub fn from_name(name: &str) -> Option<RecordType> {
    // A hash map keyed by the upper-case name (first entry wins, as a scan
    // of the table would): the header parser and `-m` look names up often.
    static BY_NAME: std::sync::LazyLock<crate::fxhash::FxMap<String, RecordType>> =
        std::sync::LazyLock::new(|| {
            let mut m = crate::fxhash::FxMap::default();
            for &(n, s) in TABLE {
                if n >= 0 {
                    m.entry(s.to_ascii_uppercase()).or_insert(RecordType(n));
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
pub fn parse_type_token(tok: &[u8]) -> Option<RecordType> {
    if let Some(n) = std::str::from_utf8(tok).ok().and_then(from_name) {
        return Some(n);
    }
    if let Some(rest) = tok.strip_prefix(b"UNKNOWN[") {
        let end = rest.iter().position(|&c| c == b']')?;
        let digits = &rest[..end.min(7)];
        return non_negative(crate::cnum::strtol(digits, 10).ok()?);
    }
    if tok.first().is_some_and(u8::is_ascii_digit) {
        return non_negative(crate::cnum::strtol(tok, 10).ok()?);
    }
    None
}

/// `strtol` result stored in a C `int`, as libaudit does.
fn non_negative(v: i64) -> Option<RecordType> {
    let n = v as i32;
    (n >= 0).then_some(RecordType(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_tables() {
        for &(t, s) in NAMED {
            assert_eq!(name(t), Some(s), "{s}");
            assert_eq!(from_name(s), Some(t), "{s}");
        }
        // The range bounds that share a number with a type.
        assert_eq!(RecordType::FIRST_USER_MSG, RecordType::USER_AUTH);
        assert_eq!(RecordType::FIRST_EVENT, RecordType::SYSCALL);
        assert_eq!(RecordType::FIRST_ANOM_MSG, RecordType::ANOM_LOGIN_FAILURES);
    }

    #[test]
    fn display() {
        assert_eq!(RecordType::SYSCALL.to_string(), "SYSCALL");
        assert_eq!(RecordType(1334).to_string(), "BPF");
        assert_eq!(RecordType(9999).to_string(), "UNKNOWN[9999]");
        assert_eq!(RecordType::INVALID.to_string(), "UNKNOWN[-1]");
    }

    #[test]
    fn names() {
        assert_eq!(name(RecordType::SYSCALL), Some("SYSCALL"));
        assert_eq!(name(RecordType(1327)), Some("PROCTITLE"));
        assert_eq!(name(RecordType(1500)), Some("APPARMOR"));
        assert_eq!(name(RecordType(9999)), None);
        assert_eq!(from_name("syscall"), Some(RecordType::SYSCALL));
        assert_eq!(from_name("NOPE"), None);
    }

    #[test]
    fn tokens() {
        let p = |t: &[u8]| parse_type_token(t).map(|t| t.0);
        assert_eq!(p(b"SYSCALL"), Some(1300));
        assert_eq!(p(b"UNKNOWN[1334]"), Some(1334));
        assert_eq!(p(b"UNKNOWN[12345678]"), Some(1234567));
        assert_eq!(p(b"UNKNOWN[12"), None);
        assert_eq!(p(b"UNKNOWN[-5]"), None);
        assert_eq!(p(b"1400"), Some(1400));
        assert_eq!(p(b"12x"), Some(12));
        // strtol's long cast to int: 2^32 + 300 is 300, 2^31 negative.
        assert_eq!(p(b"4294967596"), Some(300));
        assert_eq!(p(b"2147483647"), Some(i32::MAX));
        assert_eq!(p(b"2147483648"), None);
        assert_eq!(p(b"bogus"), None);
        assert_eq!(p(b""), None);
    }
}
