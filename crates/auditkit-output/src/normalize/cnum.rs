//! The C library's number parsing, as auparse relies on it: leading
//! blanks, a sign, a `0x` prefix in base 16, digits up to the first
//! non-digit (none at all reads as 0), and overflow reported (`errno`).

/// `strtoul`/`strtoull`; `None` where errno would be ERANGE.
pub(crate) fn strtoul(s: &[u8], radix: u32) -> Option<u64> {
    let (neg, digits) = prefix(s, radix);
    let v = parse(digits, radix)?;
    Some(if neg { v.wrapping_neg() } else { v })
}

/// `strtol` in base 10 (a C `long`); `None` where errno would be ERANGE.
pub(crate) fn strtol(s: &[u8]) -> Option<i64> {
    let (neg, digits) = prefix(s, 10);
    let v = parse(digits, 10)?;
    if neg {
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

fn prefix(s: &[u8], radix: u32) -> (bool, &[u8]) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    if radix == 16
        && s.len() > i + 2
        && s[i] == b'0'
        && (s[i + 1] | 0x20) == b'x'
        && s[i + 2].is_ascii_hexdigit()
    {
        i += 2;
    }
    (neg, &s[i..])
}

fn parse(s: &[u8], radix: u32) -> Option<u64> {
    let mut v: u64 = 0;
    for &c in s {
        let Some(d) = (c as char).to_digit(radix) else {
            break;
        };
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_c() {
        assert_eq!(strtoul(b"c000003e", 16), Some(0xc000003e));
        assert_eq!(strtoul(b"0x10", 16), Some(16));
        assert_eq!(strtoul(b"zz", 10), Some(0));
        assert_eq!(strtoul(b"-1", 10), Some(u64::MAX));
        assert_eq!(strtoul(b"99999999999999999999", 10), None);
        assert_eq!(strtol(b"4294967295"), Some(4294967295));
        assert_eq!(strtol(b"-5x"), Some(-5));
        assert_eq!(strtol(b"9223372036854775808"), None);
        assert_eq!(strtol(b"-9223372036854775808"), Some(i64::MIN));
    }
}
