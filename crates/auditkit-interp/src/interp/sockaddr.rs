//! `saddr=`: a hex-encoded `struct sockaddr` (`print_sockaddr`).

use super::{cstr, text, wrap};
use crate::tables::{families, i2s};

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// `printf("%.Ns", p)`.
fn bounded(p: &[u8], n: usize) -> &[u8] {
    cstr(&p[..n.min(p.len())])
}

pub(crate) fn print_sockaddr(val: &[u8]) -> Vec<u8> {
    let val = cstr(val);
    let slen = val.len() / 2;
    let Some(mut b) = text::unescape_buf(val) else {
        return wrap("malformed-host(", val, ")");
    };
    // Reads past au_unescape's buffer are taken as zeros.
    b.resize(b.len().max(128), 0);
    let family = u16_at(&b, 0);
    let Some(fam) = i2s(families::TABLE, i32::from(family)) else {
        return format!("unknown-family({family})").into_bytes();
    };
    let mut out = format!("{{ saddr_fam={fam} ").into_bytes();
    match family {
        1 => {
            if slen < 4 {
                out.extend_from_slice(b"sockaddr len too short");
            } else {
                let path = if b[2] != 0 { &b[2..] } else { &b[3..] };
                out.extend_from_slice(b"path=");
                out.extend_from_slice(bounded(path, 108));
            }
        }
        2 => {
            if slen < 16 {
                out.extend_from_slice(b"sockaddr len too short");
            } else {
                let port = u16::from_be_bytes([b[2], b[3]]);
                let a = &b[4..8];
                let s = format!("laddr={}.{}.{}.{} lport={port}", a[0], a[1], a[2], a[3]);
                out.extend_from_slice(s.as_bytes());
            }
        }
        3 => {
            // `%c` of a NUL ends the C string right there.
            out.extend_from_slice(b"call=");
            out.extend_from_slice(&b[2..9]);
        }
        8 => {
            let itf = i16::from_le_bytes([b[4], b[5]]);
            out.extend_from_slice(format!("int={itf}").as_bytes());
        }
        9 => {
            out.extend_from_slice(b"laddr=");
            out.extend_from_slice(bounded(&b[2..], 15));
        }
        10 => {
            if slen < 28 {
                out.extend_from_slice(b"sockaddr6 len too short");
            } else {
                let port = u16::from_be_bytes([b[2], b[3]]);
                let mut a = [0u8; 16];
                a.copy_from_slice(&b[8..24]);
                let scope = u32_at(&b, 24);
                let mut host = inet6_ntop(&a);
                let link_local =
                    (a[0] == 0xfe && a[1] & 0xc0 == 0x80) || (a[0] == 0xff && a[1] & 0x0f == 0x02);
                if scope != 0 && link_local {
                    // glibc would print the interface name if this host
                    // has one with that index; we cannot know it.
                    host.push_str(&format!("%{scope}"));
                }
                out.extend_from_slice(format!("laddr={host} lport={port}").as_bytes());
            }
        }
        16 => {
            if slen < 12 {
                out.extend_from_slice(b"len too short");
            } else {
                let s = format!("nlnk-fam={family} nlnk-pid={}", u32_at(&b, 4));
                out.extend_from_slice(s.as_bytes());
            }
        }
        _ => out.extend_from_slice(b"(unsupported)"),
    }
    out.extend_from_slice(b" }");
    cstr(&out).to_vec()
}

/// glibc's `inet_ntop(AF_INET6)`: the longest run (first on ties) of two or
/// more zero words becomes `::`; `::a.b.c.d` and `::ffff:a.b.c.d` keep the
/// IPv4 tail dotted.
pub(crate) fn inet6_ntop(a: &[u8; 16]) -> String {
    let w: Vec<u16> = a
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let (mut best, mut best_len) = (None, 0usize);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best = Some(start);
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = None;
    }
    let in_run = |i: usize| best.is_some_and(|b| i >= b && i < b + best_len);
    let mut s = String::new();
    for i in 0..8 {
        if in_run(i) {
            if best == Some(i) {
                s.push(':');
            }
            continue;
        }
        if i != 0 {
            s.push(':');
        }
        if i == 6 && best == Some(0) && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            s.push_str(&format!("{}.{}.{}.{}", a[12], a[13], a[14], a[15]));
            return s;
        }
        s.push_str(&format!("{:x}", w[i]));
    }
    if best.is_some_and(|b| b + best_len == 8) {
        s.push(':');
    }
    s
}
