//! Decoding of field values: quoted strings, bare hex, sentinels, keys,
//! EXECVE arguments and PROCTITLE.
//!
//! The kernel writes an untrusted string in double quotes when it is clean
//! and as bare upper-case hex when any byte is `"`, a control character, a
//! space or above 0x7E. Whether a *bare* value is hex therefore depends on
//! the field (`pid=1234` is a number, `exe=2F746D70` is hex), so the
//! decoders here are called by whoever knows the field's type.

use std::borrow::Cow;

/// The sentinels auditd writes instead of a value.
pub fn is_sentinel(v: &[u8]) -> bool {
    matches!(v, b"(null)" | b"(none)" | b"?" | b"unset")
}

/// Decode an untrusted-string value: `"text"` gives `text`, bare hex gives
/// its bytes, a sentinel or anything else is returned as it is.
pub fn decode_str(v: &[u8]) -> Cow<'_, [u8]> {
    if let Some(rest) = v.strip_prefix(b"\"") {
        let end = memchr::memchr(b'"', rest).unwrap_or(rest.len());
        return Cow::Borrowed(&rest[..end]);
    }
    if is_sentinel(v) {
        return Cow::Borrowed(v);
    }
    match decode_hex(v) {
        Some(b) => Cow::Owned(b),
        None => Cow::Borrowed(v),
    }
}

/// Whether a value is written in the kernel's hex encoding.
pub fn is_hex_encoded(v: &[u8]) -> bool {
    !v.is_empty() && v.len().is_multiple_of(2) && v.iter().all(u8::is_ascii_hexdigit)
}

/// Decode a hex string; `None` when it is not one.
pub fn decode_hex(v: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(v.len() / 2);
    decode_hex_into(v, &mut out).then_some(out)
}

/// [`decode_hex`] appending to a buffer the caller reuses; returns false
/// (and appends nothing) when the value is not hex.
pub fn decode_hex_into(v: &[u8], out: &mut Vec<u8>) -> bool {
    if v.is_empty() || !v.len().is_multiple_of(2) {
        return false;
    }
    // One pass: decode, and note any byte that is not a hex digit (its
    // table entry has the high bit set); on one, undo and refuse.
    let start = out.len();
    // Sized once, then filled: no capacity check per byte.
    out.resize(start + v.len() / 2, 0);
    let mut bad = 0u8;
    for (o, p) in out[start..].iter_mut().zip(v.chunks_exact(2)) {
        let (h, l) = (HEX[p[0] as usize], HEX[p[1] as usize]);
        bad |= h | l;
        *o = (h << 4) | (l & 0x0f);
    }
    if bad & 0x80 != 0 {
        out.truncate(start);
        return false;
    }
    true
}

/// Hex digit values; 0x80 marks a byte that is not a hex digit.
static HEX: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// The keys of a `key=` value: `"k"` is one key, `(null)` none, and hex is
/// several keys joined by 0x01 (a rule with several `-k`).
pub fn split_keys(v: &[u8]) -> Vec<Cow<'_, [u8]>> {
    if v == b"(null)" || v == b"(none)" {
        return Vec::new();
    }
    match decode_str(v) {
        Cow::Borrowed(b) => b
            .split(|&c| c == 0x01)
            .filter(|k| !k.is_empty())
            .map(Cow::Borrowed)
            .collect(),
        Cow::Owned(b) => b
            .split(|&c| c == 0x01)
            .filter(|k| !k.is_empty())
            .map(|k| Cow::Owned(k.to_vec()))
            .collect(),
    }
}

/// PROCTITLE: the process's argv, hex with NUL separators (or quoted when
/// it is a single clean argument). Returns the arguments.
pub fn proctitle_args(v: &[u8]) -> Vec<Vec<u8>> {
    let d = decode_str(v);
    let mut args: Vec<Vec<u8>> = d.split(|&c| c == 0).map(<[u8]>::to_vec).collect();
    // A trailing NUL leaves an empty last element.
    if args.len() > 1 && args.last().is_some_and(Vec::is_empty) {
        args.pop();
    }
    args
}

/// Reassemble EXECVE arguments from the fields of one or more EXECVE
/// records: `argc=N a0=.. a1_len=.. a1[0]=.. a1[1]=..`. Each argument (or
/// chunk) is quoted or hex; chunks are decoded and concatenated. Missing
/// arguments (lost records) are returned as empty.
pub fn execve_args<'a, I>(fields: I) -> Vec<Vec<u8>>
where
    I: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    execve_args_with(fields, decode_str)
}

/// [`execve_args`] with the values decoded by `decode` (ausearch `-i`
/// output has them decoded already: see [`unescape_tty`]).
pub fn execve_args_with<'a, I>(fields: I, decode: fn(&'a [u8]) -> Cow<'a, [u8]>) -> Vec<Vec<u8>>
where
    I: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    let mut argc: Option<usize> = None;
    let mut args: Vec<Vec<u8>> = Vec::new();
    for (name, value) in fields {
        if name == b"argc" {
            argc = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok());
            continue;
        }
        let Some(rest) = name.strip_prefix(b"a") else {
            continue;
        };
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            continue;
        }
        let Some(idx) = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            continue;
        };
        let tail = &rest[digits..];
        if tail == b"_len" {
            continue;
        }
        if idx > 1 << 20 {
            continue; // nonsense index: do not allocate for it
        }
        if args.len() <= idx {
            args.resize(idx + 1, Vec::new());
        }
        // a1 or a1[3]: either way, append the decoded text.
        if tail.is_empty() || (tail.first() == Some(&b'[') && tail.last() == Some(&b']')) {
            args[idx].extend_from_slice(&decode(value));
        }
    }
    if let Some(n) = argc {
        if n <= 1 << 20 && args.len() < n {
            args.resize(n, Vec::new());
        }
    }
    args
}

/// Undo ausearch's default `--escape tty` of an interpreted value: it
/// writes a control byte (below 0x20) as `\` and three octal digits
/// (`tty_escape` in auparse/interpret.c) and leaves every other byte as it
/// is. Only sequences that stand for a control byte are undone; a value
/// that really contained such a sequence cannot be told apart.
pub fn unescape_tty(v: &[u8]) -> Cow<'_, [u8]> {
    let is_seq = |w: &[u8]| {
        w.len() >= 4
            && w[0] == b'\\'
            && w[1] == b'0'
            && (b'0'..=b'3').contains(&w[2])
            && (b'0'..=b'7').contains(&w[3])
    };
    let Some(first) = memchr::memchr_iter(b'\\', v).find(|&p| is_seq(&v[p..])) else {
        return Cow::Borrowed(v);
    };
    let mut out = Vec::with_capacity(v.len());
    out.extend_from_slice(&v[..first]);
    let mut i = first;
    while i < v.len() {
        if is_seq(&v[i..]) {
            out.push(((v[i + 2] - b'0') << 3) | (v[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings() {
        assert_eq!(&*decode_str(b"\"abc\""), b"abc");
        assert_eq!(&*decode_str(b"2F746D70"), b"/tmp");
        assert_eq!(&*decode_str(b"(null)"), b"(null)");
        assert_eq!(&*decode_str(b"xyz"), b"xyz");
        assert_eq!(&*decode_str(b"ABC"), b"ABC"); // odd length: not hex
    }

    #[test]
    fn hex_table_matches_the_digits() {
        for a in 0..=255u8 {
            for b in [b'0', b'f', b'G', a] {
                let v = [b'4', a, b, b'1'];
                let want = v.iter().all(u8::is_ascii_hexdigit).then(|| {
                    let s = std::str::from_utf8(&v).unwrap_or("");
                    u16::from_str_radix(s, 16)
                        .unwrap_or(0)
                        .to_be_bytes()
                        .to_vec()
                });
                let mut out = b"x".to_vec();
                let ok = decode_hex_into(&v, &mut out);
                assert_eq!(decode_hex(&v), want, "{v:?}");
                assert_eq!(ok, want.is_some());
                assert_eq!(out.len(), if ok { 3 } else { 1 }, "nothing left behind");
            }
        }
    }

    #[test]
    fn keys() {
        let k = split_keys(b"6B6579310161726368");
        assert_eq!(
            k,
            vec![Cow::Borrowed(&b"key1"[..]), Cow::Borrowed(&b"arch"[..])]
        );
        assert!(split_keys(b"(null)").is_empty());
        assert_eq!(split_keys(b"\"one\"").len(), 1);
    }

    #[test]
    fn proctitle() {
        assert_eq!(
            proctitle_args(b"2F62696E2F7368002D63006C73"),
            vec![b"/bin/sh".to_vec(), b"-c".to_vec(), b"ls".to_vec()]
        );
        assert_eq!(proctitle_args(b"\"bash\""), vec![b"bash".to_vec()]);
    }

    #[test]
    fn tty_escapes() {
        assert_eq!(&*unescape_tty(b"tab\\011here"), b"tab\there");
        assert_eq!(&*unescape_tty(b"a\\012b\\037"), b"a\nb\x1f");
        assert!(matches!(unescape_tty(b"plain"), Cow::Borrowed(_)));
        // Not a control byte, or too short: left alone.
        assert_eq!(&*unescape_tty(b"x\\101 \\01"), b"x\\101 \\01");
    }

    #[test]
    fn execve() {
        let f: Vec<(&[u8], &[u8])> = vec![
            (b"argc", b"3"),
            (b"a0", b"\"echo\""),
            (b"a1_len", b"6"),
            (b"a1[0]", b"\"abc\""),
            (b"a1[1]", b"646566"),
            (b"a2", b"\"x\""),
        ];
        assert_eq!(
            execve_args(f),
            vec![b"echo".to_vec(), b"abcdef".to_vec(), b"x".to_vec()]
        );
    }
}
