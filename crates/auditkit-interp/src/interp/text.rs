//! Encoded strings: hex/quoted decoding (`au_unescape`, `print_escaped`),
//! proctitle, TTY keystrokes, CWD-relative paths and the escape modes.

use super::{cstr, EscapeMode};

/// [`hex_val`] of every byte, for the decoding loop.
static HEX: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = hex_val(i as u8);
        i += 1;
    }
    t
};

const fn hex_val(c: u8) -> u8 {
    // x2c(): a non-hex byte (only ever the terminating NUL here) counts 0.
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// `au_unescape`'s whole result buffer, not just its C string: the decoded
/// bytes, then the zeros it writes up to half the input length, then what
/// is left of the hex text it decoded in place, then a NUL. proctitle and
/// sockaddr decoding read past the first NUL, so they see these leftovers
/// (`00414243` as a proctitle prints `ABC 43`). `None` when fewer than two
/// hex digits lead (callers then use the value as is).
pub(crate) fn unescape_buf(buf: &[u8]) -> Option<Vec<u8>> {
    let buf = cstr(buf);
    if buf.first() == Some(&b'(') {
        let close = buf.iter().position(|&c| c == b')')?;
        let mut v = buf[..=close].to_vec();
        v.push(0);
        return Some(v);
    }
    let h = buf.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if h < 2 {
        return None;
    }
    // The decoded bytes, then the rest of the hex text from where they
    // end, then the NUL: the buffer au_unescape leaves, built in one pass.
    let c = h.div_ceil(2);
    let zero_end_min = (buf.len() / 2 + 1).max(c + 1);
    let mut v = Vec::with_capacity((h + 1).max(zero_end_min) + 1);
    let (pairs, odd) = buf[..h].as_chunks::<2>();
    v.extend(
        pairs
            .iter()
            .map(|&[a, b]| HEX[a as usize] << 4 | HEX[b as usize]),
    );
    if let [a] = odd {
        v.push(HEX[*a as usize] << 4);
    }
    v.extend_from_slice(&buf[c..h]);
    v.push(0);
    let zero_end = (buf.len() / 2 + 1).max(c + 1);
    if v.len() < zero_end {
        v.resize(zero_end, 0);
    }
    v[c..zero_end].fill(0);
    if v.last() != Some(&0) {
        v.push(0);
    }
    Some(v)
}

/// The decoded bytes of [`unescape_buf`] (`ceil(digits / 2)` of them).
pub(crate) fn unescape(buf: &[u8]) -> Option<Vec<u8>> {
    let h = cstr(buf)
        .iter()
        .take_while(|c| c.is_ascii_hexdigit())
        .count();
    let mut v = unescape_buf(buf)?;
    if buf.first() == Some(&b'(') {
        v.pop();
    } else {
        v.truncate(h.div_ceil(2));
    }
    Some(v)
}

/// `print_escaped` as its whole C buffer (see [`unescape_buf`]).
fn escaped_buf(val: &[u8]) -> Vec<u8> {
    let val = cstr(val);
    if let Some(rest) = val.strip_prefix(b"\"") {
        return match rest.iter().position(|&c| c == b'"') {
            Some(end) => rest[..end].to_vec(),
            None => b" ".to_vec(),
        };
    }
    let decoded = if val.starts_with(b"00") {
        unescape_buf(&val[2..])
    } else {
        unescape_buf(val)
    };
    decoded.unwrap_or_else(|| val.to_vec())
}

/// `print_escaped`: a quoted value loses its quotes, anything else is
/// hex-decoded (a leading `00` is skipped: abstract unix socket names); when
/// decoding fails the value is returned unchanged. A quote that never closes
/// gives a single space.
pub(crate) fn escaped(val: &[u8]) -> Vec<u8> {
    let mut v = escaped_buf(val);
    let end = cstr(&v).len();
    v.truncate(end);
    v
}

/// `print_escaped_ext`: with a CWD, a relative name is joined to it and
/// `..` is resolved (`path_norm`); without one, plain [`escaped`].
pub(crate) fn escaped_ext(val: &[u8], cwd: Option<&[u8]>) -> Vec<u8> {
    let Some(cwd) = cwd else {
        return escaped(val);
    };
    let name = cstr(&escaped(val)).to_vec();
    let full = if name.first() != Some(&b'/') {
        let mut p = cstr(&escaped(cwd)).to_vec();
        p.push(b'/');
        p.extend_from_slice(&name);
        p
    } else if !name.windows(2).any(|w| w == b"..") {
        return name;
    } else {
        name
    };
    path_norm(&full).unwrap_or(full)
}

/// auparse's `path_norm` (after glibc realpath, without touching the file
/// system). Reproduces its habit of leaving the buffer unterminated after
/// a final `..` (so `/a/b/..` stays `/a/b`).
fn path_norm(name: &[u8]) -> Option<Vec<u8>> {
    if name.is_empty() {
        return None;
    }
    if name[0] == b'.' {
        return Some(name.to_vec());
    }
    let mut work: Vec<u8> = Vec::new(); // bytes written so far (may be stale)
    let mut dest = 0usize;
    let mut i = 0usize;
    let put = |work: &mut Vec<u8>, at: usize, c: u8| {
        if at < work.len() {
            work[at] = c;
        } else {
            work.push(c);
        }
    };
    loop {
        while i < name.len() && name[i] == b'/' {
            i += 1;
        }
        let start = i;
        while i < name.len() && name[i] != b'/' {
            i += 1;
        }
        let comp = &name[start..i];
        if comp.is_empty() {
            break;
        } else if comp == b"." {
        } else if comp == b".." {
            if dest > 1 {
                dest -= 1;
                while dest > 0 && work[dest - 1] != b'/' {
                    dest -= 1;
                }
            }
        } else {
            if dest == 0 || work[dest - 1] != b'/' {
                put(&mut work, dest, b'/');
                dest += 1;
            }
            for &c in comp {
                put(&mut work, dest, c);
                dest += 1;
            }
            put(&mut work, dest, 0);
        }
    }
    Some(cstr(&work).to_vec())
}

/// `print_proctitle`: decode; NULs between the arguments become spaces.
pub(crate) fn proctitle(val: &[u8]) -> Vec<u8> {
    let val = cstr(val);
    let mut out = escaped_buf(val);
    if val.first() != Some(&b'"') {
        // The C code blanks NULs before strlen(val)/2 in au_unescape's
        // buffer, so a trailing 00 becomes a trailing space.
        let len = val.len() / 2;
        if out.len() < len {
            out.resize(len, 0);
        }
        for b in out.iter_mut().take(len) {
            if *b == 0 {
                *b = b' ';
            }
        }
    }
    cstr(&out).to_vec()
}

/// `print_tty_data`: hex keystrokes as `"text",<name>,...` (ausearch's
/// `-i` of TTY `data=`, and aureport's `--tty` report).
pub fn tty_data(raw: &[u8]) -> Vec<u8> {
    let raw = cstr(raw);
    if !raw.iter().all(u8::is_ascii_hexdigit) {
        return raw.to_vec();
    }
    let Some(mut data) = unescape(raw) else {
        // auparse returns NULL here; ausearch prints that as "(null)".
        return b"(null)".to_vec();
    };
    data.truncate(raw.len() / 2);
    let mut out = Vec::new();
    let mut in_text = false;
    let mut pos = 0;
    while pos < data.len() {
        let c = data[pos];
        let named = if c >= b' ' && !(0x7F..0xA0).contains(&c) {
            None
        } else {
            crate::tables::tty_keys::TABLE
                .iter()
                .find(|(seq, _)| data[pos..].starts_with(seq))
        };
        if let Some((seq, name)) = named {
            if in_text {
                out.push(b'"');
                in_text = false;
            }
            if !out.is_empty() {
                out.push(b',');
            }
            out.push(b'<');
            out.extend_from_slice(name.as_bytes());
            out.push(b'>');
            pos += seq.len();
        } else {
            if !in_text {
                if !out.is_empty() {
                    out.push(b',');
                }
                out.push(b'"');
                in_text = true;
            }
            if !(0x20..=0x7E).contains(&c) {
                out.extend_from_slice(&octal(c));
            } else {
                if c == b'\\' || c == b'"' {
                    out.push(b'\\');
                }
                out.push(c);
            }
            pos += 1;
        }
    }
    if in_text {
        out.push(b'"');
    }
    out
}

fn octal(c: u8) -> [u8; 4] {
    [
        b'\\',
        b'0' + (c >> 6),
        b'0' + ((c >> 3) & 7),
        b'0' + (c & 7),
    ]
}

const SHELL: &[u8] = b"\"'`$\\!()| ";
const SHELL_QUOTE: &[u8] = b"\"'`$\\!()| ;#&*?[]<>{}";

/// Append `s` escaped for `mode` (auparse's tty/shell/shell_quote escape).
pub(crate) fn escape_into(s: &[u8], mode: EscapeMode, out: &mut Vec<u8>) {
    let set: &[u8] = match mode {
        EscapeMode::Raw => {
            out.extend_from_slice(s);
            return;
        }
        EscapeMode::Tty => b"",
        EscapeMode::Shell => SHELL,
        EscapeMode::ShellQuote => SHELL_QUOTE,
    };
    // Nearly every value needs no escape: copy it in one piece.
    if !s.iter().any(|&c| c < 32 || set.contains(&c)) {
        out.extend_from_slice(s);
        return;
    }
    for &c in s {
        if c < 32 {
            out.extend_from_slice(&octal(c));
        } else if set.contains(&c) {
            out.push(b'\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
}
