//! Version ordering of file names, as GNU `ls -v` and `sort -V` order them
//! (gnulib `filevercmp`, coreutils 9.1 on Debian 12).
//!
//! The rules, written from the gnulib documentation and checked against the
//! real `sort -V` in the tests:
//! - the empty name sorts first; then `.`, then `..`, then other names that
//!   start with `.`, then the rest;
//! - a trailing suffix made of `.` + a letter or `~` + letters, digits and
//!   `~` (repeated, the longest such tail) is compared only when the names
//!   are equal without it;
//! - the remaining text is compared the Debian way: runs of non-digits
//!   byte by byte, where `~` sorts before everything (even the end), the end
//!   before anything else, letters before other bytes; then runs of digits
//!   by numeric value (leading zeros ignored);
//! - names that still compare equal are ordered by their bytes (`sort`'s
//!   last-resort comparison, `ls`'s `strcmp`).

use std::cmp::Ordering;

/// Compare two names like `sort -V` (in the C locale).
pub fn version_cmp(a: &str, b: &str) -> Ordering {
    filevercmp(a.as_bytes(), b.as_bytes()).then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

fn filevercmp(a: &[u8], b: &[u8]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    let rank = |s: &[u8]| match s {
        b"." => 0,
        b".." => 1,
        [b'.', ..] => 2,
        _ => 3,
    };
    let (ra, rb) = (rank(a), rank(b));
    if ra != rb || ra < 2 {
        return ra.cmp(&rb);
    }
    let (pa, pb) = (prefix_len(a), prefix_len(b));
    let r = verrevcmp(&a[..pa], &b[..pb]);
    if r != Ordering::Equal || (pa == a.len() && pb == b.len()) {
        return r;
    }
    verrevcmp(a, b)
}

/// Length of `s` without its longest suffix matching
/// `(\.[A-Za-z~][A-Za-z0-9~]*)*$`. The suffix may start at the very first
/// byte (so `.hidden` is all suffix), which is what coreutils 9.1 does.
fn prefix_len(s: &[u8]) -> usize {
    (0..s.len())
        .find(|&p| is_suffix(&s[p..]))
        .unwrap_or(s.len())
}

fn is_suffix(mut s: &[u8]) -> bool {
    while !s.is_empty() {
        if s.len() < 2 || s[0] != b'.' || !(s[1].is_ascii_alphabetic() || s[1] == b'~') {
            return false;
        }
        let end = s[2..]
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || *c == b'~'))
            .map_or(s.len(), |p| p + 2);
        s = &s[end..];
    }
    true
}

/// Sort weight of the byte at `pos` (the end of the string counts).
fn order(s: &[u8], pos: usize) -> i32 {
    match s.get(pos) {
        None => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(*c),
        Some(b'~') => -2,
        Some(c) => i32::from(*c) + 256,
    }
}

fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (x, y) = (order(a, i), order(b, j));
            if x != y {
                return x.cmp(&y);
            }
            i += 1;
            j += 1;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while i < a.len() && j < b.len() && a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if i < a.len() && a[i].is_ascii_digit() {
            return Ordering::Greater;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_order() {
        let mut v = vec![
            "10-a.rules",
            "9-b.rules",
            "010-c.rules",
            "1.rules",
            "a~.rules",
            "a.rules",
        ];
        v.sort_by(|a, b| version_cmp(a, b));
        // Equal numbers (10, 010) fall back to byte order, as sort -V does.
        assert_eq!(
            v,
            [
                "1.rules",
                "9-b.rules",
                "10-a.rules",
                "010-c.rules",
                "a~.rules",
                "a.rules"
            ]
        );
    }
}
