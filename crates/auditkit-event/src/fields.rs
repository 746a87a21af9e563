//! Field tokenization, as auparse does it (`parse_up_record` in
//! `auparse/ellist.c`).
//!
//! The body is split on single spaces, each token at its first `=`. The
//! rules that make real logs readable are all here: the nested user-space
//! `msg='op=... res=success'` is opened up so its fields become ordinary
//! fields, trailing `:` `,` `'` `)` are trimmed (legacy `acct=root :` and
//! `(hostname=` forms), and AVC records get the synthetic `seresult` and
//! `seperms` fields that SELinux leaves unlabelled. Values are returned raw
//! (still quoted or hex): decoding is the job of [`crate::value`], because
//! whether a bare value is hex depends on the field.

use std::borrow::Cow;

/// AVC and USER_AVC record types.
const AUDIT_AVC: i32 = 1400;
const AUDIT_USER_AVC: i32 = 1107;

/// One `name=value` pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field name (`seresult`/`seperms` are synthetic names for AVC).
    pub name: &'a [u8],
    /// The raw value, trimmed as auparse trims it.
    pub value: Cow<'a, [u8]>,
}

/// How to tokenize.
#[derive(Clone, Copy, Debug, Default)]
pub struct FieldsOptions {
    /// The record is ausearch `-i` output: values may contain spaces, so a
    /// token without `=` continues the previous value.
    pub interpreted: bool,
}

/// Iterator over the fields of a record body.
pub struct Fields<'a> {
    s: &'a [u8],
    pos: usize,
    rtype: i32,
    count: usize,
    opts: FieldsOptions,
}

impl<'a> Fields<'a> {
    /// Tokenize `body` (the part of the line after `msg=audit(...):`).
    pub fn new(body: &'a [u8], rtype: i32, opts: FieldsOptions) -> Fields<'a> {
        Fields {
            s: body,
            pos: 0,
            rtype,
            count: 0,
            opts,
        }
    }

    fn next_token(&mut self) -> Option<(usize, usize)> {
        while self.pos < self.s.len() && self.s[self.pos] == b' ' {
            self.pos += 1;
        }
        if self.pos >= self.s.len() {
            return None;
        }
        let start = self.pos;
        let end = memchr::memchr(b' ', &self.s[start..]).map_or(self.s.len(), |p| start + p);
        self.pos = end;
        Some((start, end))
    }

    /// The next token and the offset of its first `=`, in one pass: names
    /// are short, so they are scanned a byte at a time, and the value after
    /// the `=` is searched for its end with `memchr` (values such as
    /// proctitles run long).
    fn next_token_eq(&mut self) -> Option<(usize, usize, Option<usize>)> {
        let s = self.s;
        let mut p = self.pos;
        while p < s.len() && s[p] == b' ' {
            p += 1;
        }
        if p >= s.len() {
            self.pos = p;
            return None;
        }
        let start = p;
        let mut eq = None;
        while p < s.len() {
            match s[p] {
                b' ' => break,
                b'=' => {
                    eq = Some(p - start);
                    p += 1;
                    // Short values end within a few bytes: look there
                    // before paying for a memchr call.
                    let near = s.len().min(p + 16);
                    p = match s[p..near].iter().position(|&c| c == b' ') {
                        Some(q) => p + q,
                        None => memchr::memchr(b' ', &s[near..]).map_or(s.len(), |q| near + q),
                    };
                    break;
                }
                _ => p += 1,
            }
        }
        self.pos = p;
        Some((start, p, eq))
    }

    fn peek_is_continuation(&self) -> bool {
        let mut p = self.pos;
        while p < self.s.len() && self.s[p] == b' ' {
            p += 1;
        }
        if p >= self.s.len() {
            return false;
        }
        let end = memchr::memchr(b' ', &self.s[p..]).map_or(self.s.len(), |q| p + q);
        memchr::memchr(b'=', &self.s[p..end]).is_none()
    }
}

/// auparse's trimming of a value: one trailing `:`, `,`, `'`, then `)`
/// unless the value is `(none)` or `(null)`.
pub fn trim_value(mut v: &[u8]) -> &[u8] {
    for c in [b':', b',', b'\''] {
        if v.last() == Some(&c) {
            v = &v[..v.len() - 1];
        }
    }
    if v.last() == Some(&b')') && v != b"(none)" && v != b"(null)" {
        v = &v[..v.len() - 1];
    }
    v
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        loop {
            let (start, end, eq) = self.next_token_eq()?;
            let mut tok = &self.s[start..end];
            let Some(mut eq) = eq else {
                if self.rtype == AUDIT_AVC || self.rtype == AUDIT_USER_AVC {
                    if let Some(f) = self.avc_token(tok) {
                        self.count += 1;
                        return Some(f);
                    }
                }
                continue;
            };
            if tok.starts_with(b"msg=") {
                match tok.get(4) {
                    Some(b'a') => continue,
                    Some(b'\'') => {
                        tok = &tok[5..];
                        match memchr::memchr(b'=', tok) {
                            Some(e) => eq = e,
                            None => continue,
                        }
                    }
                    _ => {}
                }
            }
            let mut name = &tok[..eq];
            if name.first() == Some(&b'(') {
                name = &name[1..];
            }
            let raw = &tok[eq + 1..];
            if raw.is_empty() {
                continue;
            }
            if self.opts.interpreted && self.peek_is_continuation() {
                // Glue following tokens without '=' back on: "proctitle=bash -c ls".
                let vstart = start + (tok.as_ptr() as usize - self.s[start..].as_ptr() as usize);
                let vstart = vstart + eq + 1;
                while self.peek_is_continuation() {
                    self.next_token();
                }
                let v = &self.s[vstart..self.pos];
                self.count += 1;
                return Some(Field {
                    name,
                    value: Cow::Borrowed(v),
                });
            }
            let value = trim_value(raw);
            self.count += 1;
            return Some(Field {
                name,
                value: Cow::Borrowed(value),
            });
        }
    }
}

impl<'a> Fields<'a> {
    /// The unlabelled tokens of an AVC: `denied` and `{ read write }`.
    fn avc_token(&mut self, tok: &'a [u8]) -> Option<Field<'a>> {
        match self.count {
            0 => {
                if tok.starts_with(b"avc") {
                    return None;
                }
                Some(Field {
                    name: b"seresult",
                    value: Cow::Borrowed(tok),
                })
            }
            1 if tok.first() == Some(&b'{') => {
                let mut perms: Vec<u8> = Vec::new();
                while let Some((a, b)) = self.next_token() {
                    let t = &self.s[a..b];
                    if t.first() == Some(&b'}') {
                        break;
                    }
                    if !perms.is_empty() {
                        perms.push(b',');
                    }
                    perms.extend_from_slice(t);
                }
                Some(Field {
                    name: b"seperms",
                    value: Cow::Owned(perms),
                })
            }
            _ => None,
        }
    }
}

/// Tokenize an enrichment tail (`ARCH=x86_64 SYSCALL=openat AUID="alice"`)
/// as `load_interpretation_list` does: a tail starting with `SADDR=` is one
/// value; otherwise split on spaces. Names are returned as written
/// (upper case); compare them case-insensitively.
pub fn enrichment_fields(tail: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    if let Some(v) = tail.strip_prefix(b"SADDR=") {
        out.push((&tail[..5], v));
        return out;
    }
    for tok in tail.split(|&b| b == b' ') {
        if let Some(eq) = memchr::memchr(b'=', tok) {
            out.push((&tok[..eq], &tok[eq + 1..]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(body: &str, rtype: i32) -> Vec<(String, String)> {
        Fields::new(body.as_bytes(), rtype, FieldsOptions::default())
            .map(|f| {
                (
                    String::from_utf8_lossy(f.name).into_owned(),
                    String::from_utf8_lossy(&f.value).into_owned(),
                )
            })
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn user_msg() {
        let got = f(
            " pid=1 uid=0 msg='op=PAM:session_open acct=\"root\" exe=\"/bin/su\" hostname=? res=success'",
            1105,
        );
        assert_eq!(
            got,
            pairs(&[
                ("pid", "1"),
                ("uid", "0"),
                ("op", "PAM:session_open"),
                ("acct", "\"root\""),
                ("exe", "\"/bin/su\""),
                ("hostname", "?"),
                ("res", "success"),
            ])
        );
    }

    #[test]
    fn legacy_forms() {
        let got = f(" user pid=1 msg='acct=root : exe=\"/x\" (hostname=h, addr=1.2.3.4, terminal=tty1 res=success)'", 1100);
        assert_eq!(
            got,
            pairs(&[
                ("pid", "1"),
                ("acct", "root"),
                ("exe", "\"/x\""),
                ("hostname", "h"),
                ("addr", "1.2.3.4"),
                ("terminal", "tty1"),
                ("res", "success"),
            ])
        );
    }

    #[test]
    fn none_null_kept() {
        let got = f(" tty=(none) key=(null)", 1300);
        assert_eq!(got, pairs(&[("tty", "(none)"), ("key", "(null)")]));
    }

    #[test]
    fn avc() {
        let got = f(
            "  avc:  denied  { read write } for  pid=2 comm=\"x\" scontext=a:b:c",
            1400,
        );
        assert_eq!(
            got,
            pairs(&[
                ("seresult", "denied"),
                ("seperms", "read,write"),
                ("pid", "2"),
                ("comm", "\"x\""),
                ("scontext", "a:b:c"),
            ])
        );
    }

    #[test]
    fn interpreted_values_with_spaces() {
        let got: Vec<_> = Fields::new(
            b" proctitle=bash -c ls a=b",
            1327,
            FieldsOptions { interpreted: true },
        )
        .map(|f| String::from_utf8_lossy(&f.value).into_owned())
        .collect();
        assert_eq!(got, vec!["bash -c ls", "b"]);
    }

    #[test]
    fn enrichment() {
        let e = enrichment_fields(b"ARCH=x86_64 AUID=\"a b\"");
        assert_eq!(e.len(), 2);
        let s = enrichment_fields(b"SADDR={ saddr_fam=inet laddr=1.2.3.4 lport=22 }");
        assert_eq!(s[0].1, b"{ saddr_fam=inet laddr=1.2.3.4 lport=22 }");
    }
}
