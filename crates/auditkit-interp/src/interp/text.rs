//! Encoded strings: hex/quoted decoding (`au_unescape`, `print_escaped`),
//! proctitle, TTY keystrokes, CWD-relative paths and the escape modes.

use super::{cstr, EscapeMode};

fn hex_val(c: u8) -> u8 {
    // x2c(): a non-hex byte (only ever the terminating NUL here) counts 0.
    (c as char).to_digit(16).map_or(0, |d| d as u8)
}

/// `au_unescape`: decode the leading hex digits of `buf` (or keep a
/// `(...)` sentinel). `None` when fewer than two hex digits lead, which
/// callers turn into "print the value as is".
///
/// Returns the decoded bytes; an odd last digit decodes as its high
/// nibble, as the C code pairs it with the terminating NUL.
pub(crate) fn unescape(buf: &[u8]) -> Option<Vec<u8>> {
    let buf = cstr(buf);
    if buf.first() == Some(&b'(') {
        let close = buf.iter().position(|&c| c == b')')?;
        return Some(buf[..=close].to_vec());
    }
    let n = buf.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if n < 2 {
        return None;
    }
    let hex = &buf[..n];
    Some(
        hex.chunks(2)
            .map(|p| hex_val(p[0]) << 4 | p.get(1).map_or(0, |&c| hex_val(c)))
            .collect(),
    )
}

/// `print_escaped`: a quoted value loses its quotes, anything else is
/// hex-decoded (a leading `00` is skipped: abstract unix socket names); when
/// decoding fails the value is returned unchanged. A quote that never closes
/// gives a single space.
pub(crate) fn escaped(val: &[u8]) -> Vec<u8> {
    let val = cstr(val);
    if let Some(rest) = val.strip_prefix(b"\"") {
        return match rest.iter().position(|&c| c == b'"') {
            Some(end) => rest[..end].to_vec(),
            None => b" ".to_vec(),
        };
    }
    let decoded = if val.starts_with(b"00") {
        unescape(&val[2..])
    } else {
        unescape(val)
    };
    decoded.unwrap_or_else(|| val.to_vec())
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
    let mut out = escaped(val);
    if val.first() != Some(&b'"') {
        // The C code blanks NULs before strlen(val)/2 in a zero-filled
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
    out
}

/// `print_tty_data`: hex keystrokes as `"text",<name>,...`.
pub(crate) fn tty_data(raw: &[u8]) -> Vec<u8> {
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
