//! The handful of C string functions ausearch's record parser is built
//! on, over byte slices and positions instead of pointers.
//!
//! ausearch finds fields with `strstr` from a moving position and reads
//! numbers with `strtoul`, which is why a field name that is a suffix of
//! another (`uid=` inside `auid=`) or a field in an unexpected order
//! changes what it extracts, and why some records make it give up. To be
//! bug-for-bug compatible the port keeps the same primitives.

/// `strchr(hay + from, c)`.
pub fn strchr(hay: &[u8], from: usize, c: u8) -> Option<usize> {
    let h = cstr_at(hay, from);
    memchr::memchr(c, h).map(|p| from + p)
}

/// The C string starting at `from` (up to the end or the first NUL).
pub fn cstr_at(hay: &[u8], from: usize) -> &[u8] {
    let h = hay.get(from..).unwrap_or(&[]);
    match memchr::memchr(0, h) {
        Some(n) => &h[..n],
        None => h,
    }
}

/// Byte at `i`, or NUL past the end (as reading a C string would).
pub fn at(hay: &[u8], i: usize) -> u8 {
    hay.get(i).copied().unwrap_or(0)
}

/// The bytes from `from` up to (not including) `to`, or to the end of the
/// C string when `to` is `None`.
pub fn span(hay: &[u8], from: usize, to: Option<usize>) -> Vec<u8> {
    match to {
        Some(t) if t >= from => hay[from..t].to_vec(),
        _ => cstr_at(hay, from).to_vec(),
    }
}

/// glibc `strtoull` (base 0 detects `0x` and octal); `Err(())` on
/// overflow (`ERANGE`), `Ok(0)` when there are no digits, as in C.
pub fn strtoul(s: &[u8], base: u32) -> Result<u64, ()> {
    auditkit_interp::cnum::strtoul(cstr_at(s, 0), base).map_err(|_| ())
}

/// glibc `strtoll`: like [`strtoul`] but signed; out of range is an error.
pub fn strtoll(s: &[u8], base: u32) -> Result<i64, ()> {
    auditkit_interp::cnum::strtol(cstr_at(s, 0), base).map_err(|_| ())
}

/// ausearch's `unescape`: a value that starts with `(` is kept up to and
/// including the `)`; otherwise the leading hex digits are decoded in
/// pairs (an odd last digit becomes the high nibble of a last byte). The
/// result is a C string, so it ends at the first decoded NUL. `None` when
/// there is nothing to decode (fewer than 2 hex digits, or no `)`).
pub fn unescape(s: &[u8]) -> Option<Vec<u8>> {
    let s = cstr_at(s, 0);
    if s.first() == Some(&b'(') {
        let close = memchr::memchr(b')', s)?;
        return Some(s[..=close].to_vec());
    }
    let n = s.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if n < 2 {
        return None;
    }
    let mut out = unescape_bytes(&s[..n]);
    if let Some(z) = memchr::memchr(0, &out) {
        out.truncate(z);
    }
    Some(out)
}

/// Hex pairs to bytes, without the C-string cut (sockaddr needs them all).
pub fn unescape_bytes(hex: &[u8]) -> Vec<u8> {
    let nib = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    hex.chunks(2)
        .map(|p| (nib(p[0]) << 4) | p.get(1).map_or(0, |&c| nib(c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoul_like_glibc() {
        assert_eq!(strtoul(b"123 x", 10), Ok(123));
        assert_eq!(strtoul(b"-1", 10), Ok(u64::MAX));
        assert_eq!(strtoul(b"x", 10), Ok(0));
        assert_eq!(strtoul(b"c000003e ", 16), Ok(0xc000003e));
        assert_eq!(strtoul(b"99999999999999999999", 10), Err(()));
        assert_eq!(strtoll(b"-13", 0), Ok(-13));
        assert_eq!(strtoll(b"0x10", 0), Ok(16));
        assert_eq!(strtoll(b"010", 0), Ok(8));
    }

    #[test]
    fn unescape_like_ausearch() {
        assert_eq!(unescape(b"2F746D70 x").as_deref(), Some(&b"/tmp"[..]));
        assert_eq!(unescape(b"(null)").as_deref(), Some(&b"(null)"[..]));
        assert_eq!(unescape(b"A"), None);
        assert_eq!(unescape(b"410042").as_deref(), Some(&b"A"[..]));
        assert_eq!(unescape(b"414").as_deref(), Some(&b"A@"[..]));
    }

    #[test]
    fn search_stops_at_nul() {
        assert_eq!(strchr(b"ab\0cd", 0, b'd'), None);
        assert_eq!(strchr(b"abcd", 0, b'd'), Some(3));
    }
}
