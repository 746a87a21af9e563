//! glibc `strtoul`/`strtol` semantics on byte strings.
//!
//! auparse converts every field with `strtoul(val, NULL, base)` and reports
//! `conversion error(...)` only when errno is set, which glibc does only on
//! overflow (`ERANGE`). Garbage therefore converts to 0, `-1` converts to
//! `ULONG_MAX`, leading blanks, a sign and (base 16) a `0x` prefix are
//! accepted, and parsing stops at the first non-digit. Reproducing that
//! exactly is what makes our output match on odd input.
//!
//! This is the one copy in the workspace: the record header parser, the
//! ausearch writers and the search items all call it.

/// Overflow (`ERANGE`), the only failure glibc reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range;

fn digit(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// Returns (negative, magnitude, overflowed).
fn scan(s: &[u8], mut base: u32) -> (bool, u64, bool) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        neg = s[i] == b'-';
        i += 1;
    }
    if base == 10 {
        // The common case (every timestamp of every record): a tight loop;
        // 19 decimal digits always fit in a u64, so checks start after.
        let start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        let (head, tail) = digits.split_at(digits.len().min(19));
        let mut v = head.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
        let mut over = false;
        for &c in tail {
            match v
                .checked_mul(10)
                .and_then(|x| x.checked_add(u64::from(c - b'0')))
            {
                Some(n) => v = n,
                None => over = true,
            }
        }
        return (neg, v, over);
    }
    let hex_prefix = (base == 16 || base == 0)
        && s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x') | Some(b'X'))
        && s.get(i + 2).and_then(|&c| digit(c)).is_some_and(|d| d < 16);
    if hex_prefix {
        base = 16;
        i += 2;
    } else if base == 0 {
        // C's base 0: a leading 0 means octal, otherwise decimal.
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let mut v: u64 = 0;
    let mut over = false;
    while let Some(d) = s.get(i).and_then(|&c| digit(c)).filter(|&d| d < base) {
        match v
            .checked_mul(u64::from(base))
            .and_then(|x| x.checked_add(u64::from(d)))
        {
            Some(n) => v = n,
            None => over = true,
        }
        i += 1;
    }
    (neg, v, over)
}

/// `strtoul`/`strtoull` on LP64.
pub fn strtoul(s: &[u8], base: u32) -> Result<u64, Range> {
    let (neg, v, over) = scan(s, base);
    if over {
        return Err(Range);
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// `strtol`/`strtoll` on LP64.
pub fn strtol(s: &[u8], base: u32) -> Result<i64, Range> {
    let (neg, v, over) = scan(s, base);
    if over {
        return Err(Range);
    }
    if neg {
        if v > 1u64 << 63 {
            return Err(Range);
        }
        Ok((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).map_err(|_| Range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_glibc() {
        assert_eq!(strtoul(b"ff", 16), Ok(255));
        assert_eq!(strtoul(b"0xff", 16), Ok(255));
        assert_eq!(strtoul(b"0x", 16), Ok(0));
        assert_eq!(strtoul(b"  12z", 10), Ok(12));
        assert_eq!(strtoul(b"-1", 10), Ok(u64::MAX));
        assert_eq!(strtoul(b"zz", 10), Ok(0));
        assert_eq!(strtoul(b"", 10), Ok(0));
        assert_eq!(strtoul(b"18446744073709551615", 10), Ok(u64::MAX));
        assert_eq!(strtoul(b"18446744073709551616", 10), Err(Range));
        assert_eq!(strtol(b"-13", 10), Ok(-13));
        assert_eq!(strtol(b"9223372036854775808", 10), Err(Range));
        assert_eq!(strtol(b"-9223372036854775808", 10), Ok(i64::MIN));
        assert_eq!(strtoul(b"755", 8), Ok(0o755));
        assert_eq!(strtoul(b"789", 8), Ok(7));
    }
}
