//! errno numbers, names (libaudit 3.0.9 `lib/errtab.h`) and glibc's
//! English messages, which auparse prints as `EACCES(Permission denied)`.

use crate::tables::{self, errno_messages, errno_names};

/// `EPERM` for 1, ... (`audit_errno_to_name`; `None` for negatives).
pub fn name(n: i32) -> Option<&'static str> {
    if n < 0 {
        return None;
    }
    tables::i2s(errno_names::TABLE, n)
}

/// Number for an errno name, case-insensitively like libaudit.
pub fn number(name: &str) -> Option<i32> {
    errno_names::TABLE
        .iter()
        .find(|r| r.1.eq_ignore_ascii_case(name))
        .map(|r| r.0)
}

/// glibc's `strerror(n)` text for the errnos libaudit names (C locale).
/// For other numbers glibc says `Unknown error N`; see [`strerror_c`].
pub fn strerror(n: i32) -> Option<&'static str> {
    tables::i2s(errno_messages::TABLE, n)
}

/// `strerror(n)` exactly as glibc returns it, including its
/// `Unknown error N` fallback (0 is `Success`).
pub fn strerror_c(n: i64) -> String {
    if n == 0 {
        return "Success".to_string();
    }
    match i32::try_from(n).ok().and_then(strerror) {
        Some(s) => s.to_string(),
        None => format!("Unknown error {}", n as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(name(13), Some("EACCES"));
        assert_eq!(name(-13), None);
        assert_eq!(name(0), None);
        assert_eq!(number("eacces"), Some(13));
        assert_eq!(strerror(13), Some("Permission denied"));
        assert_eq!(strerror(2), Some("No such file or directory"));
        assert_eq!(strerror_c(9999), "Unknown error 9999");
    }
}
