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

use auditkit_interp::RecordType;

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
    /// The record is ausearch `-i` output, whose values are
    /// interpretations and may hold spaces: see [`Fields`].
    pub interpreted: bool,
}

/// Iterator over the fields of a record body.
///
/// ## ausearch `-i` output
///
/// `output_interpreted_record` (ausearch-report.c) prints, for each `=`
/// of the raw record, the text before it (the name, and any words between
/// fields such as AVC's `avc:  denied  { read } for`) and then the
/// interpretation of the value followed by one space, unquoted and with
/// control bytes escaped as `\ooo`. An interpretation can contain spaces
/// (`exit=EACCES(Permission denied)`, `cmd=php -r system(/bin/sh)`,
/// `saddr={ saddr_fam=inet laddr=10.0.0.1 lport=4444 }`) and even `=`
/// (`proctitle=env A=1 sh`), so where a value ends is decided from what
/// can follow it:
///
/// * `proctitle=` of a PROCTITLE record is the rest of the line;
/// * a value that opens with `{ ` runs to the token `}` (socket addresses);
/// * otherwise a value runs over the following words until one that starts
///   a field: `name=` with a name such as auditd writes (lower-case ASCII
///   letter, then letters, digits, `_` and `-`; in EXECVE records only
///   `argc` and `aN`, `aN_len`, `aN[i]` from the current argument on),
///   optionally after `(` or `'` as in the legacy and nested forms. A lone
///   `:` (the legacy `acct=root : exe=`) also ends a value, except in
///   EXECVE records.
///
/// Values are not trimmed as raw ones are (an interpretation may end with
/// `)` or `:`), except for the syntax around them: one trailing `,`, the
/// `'` that closes the nested `msg='...'`, and the `)` that closes a legacy
/// `(hostname=... res=success)`. What cannot be told apart is a value that
/// itself contains ` name=` followed by the field that really comes next,
/// and spaces at a value's end: such values are read shorter.
pub struct Fields<'a> {
    s: &'a [u8],
    pos: usize,
    rtype: RecordType,
    count: usize,
    opts: FieldsOptions,
    /// Interpreted records: inside the nested `msg='...'`.
    in_msg: bool,
    /// Interpreted records: a field name opened with `(` whose `)` has not
    /// been seen.
    paren: bool,
    /// Interpreted EXECVE records: the index of the current argument.
    arg: u64,
}

impl<'a> Fields<'a> {
    /// Tokenize `body` (the part of the line after `msg=audit(...):`).
    pub fn new(body: &'a [u8], rtype: RecordType, opts: FieldsOptions) -> Fields<'a> {
        let mut pos = 0;
        if opts.interpreted {
            // The ` : ` ausearch prints after the timestamp is not a word
            // of the record (AVC's unlabelled words must be counted from
            // after it).
            let t = body.iter().take_while(|&&b| b == b' ').count();
            if body.get(t) == Some(&b':') && body.get(t + 1).is_none_or(|&b| b == b' ') {
                pos = t + 1;
            }
        }
        Fields {
            s: body,
            pos,
            rtype,
            count: 0,
            opts,
            in_msg: false,
            paren: false,
            arg: 0,
        }
    }

    fn next_token(&mut self) -> Option<(usize, usize)> {
        crate::header::space_token(self.s, &mut self.pos)
    }

    /// The next token and the offset of its first `=`: the first space or
    /// `=` after the token's start, then, after an `=`, the next space.
    /// Names and most values are a few bytes long, so both are searched
    /// eight bytes at a time ([`find2`], [`find_space`]) rather than a
    /// byte at a time or with a `memchr` call per field.
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
        p = match find2(s, p, b' ', b'=') {
            Some(q) if s[q] == b'=' => {
                eq = Some(q - start);
                find_space(s, q + 1)
            }
            Some(q) => q,
            None => s.len(),
        };
        self.pos = p;
        Some((start, p, eq))
    }
}

/// One bit (the high one) in each byte of `v` that is zero, and none in
/// the others: exact, since no sum carries out of its byte.
#[inline]
fn zero_bytes(v: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((v & LOW7).wrapping_add(LOW7)) | v | LOW7)
}

/// Each byte of a word set to `b`.
#[inline]
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The eight bytes of `s` at `at` as a word, the first byte lowest.
#[inline]
fn word_at(s: &[u8], at: usize) -> Option<u64> {
    let w: [u8; 8] = s.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// The first `a` or `b` in `s` from `at`.
#[inline]
fn find2(s: &[u8], mut at: usize, a: u8, b: u8) -> Option<usize> {
    // Two words first (a name, a short value), then the library's search.
    for _ in 0..2 {
        let Some(w) = word_at(s, at) else {
            return s[at..]
                .iter()
                .position(|&c| c == a || c == b)
                .map(|q| at + q);
        };
        let m = zero_bytes(w ^ splat(a)) | zero_bytes(w ^ splat(b));
        if m != 0 {
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    memchr::memchr2(a, b, &s[at..]).map(|q| at + q)
}

/// The first space in `s` from `at`, or its end.
#[inline]
fn find_space(s: &[u8], mut at: usize) -> usize {
    for _ in 0..2 {
        let Some(w) = word_at(s, at) else {
            return s[at.min(s.len())..]
                .iter()
                .position(|&c| c == b' ')
                .map_or(s.len(), |q| at + q);
        };
        let m = zero_bytes(w ^ splat(b' '));
        if m != 0 {
            return at + (m.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    memchr::memchr(b' ', &s[at..]).map_or(s.len(), |q| at + q)
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
        if self.opts.interpreted {
            return self.next_interpreted();
        }
        loop {
            let (start, end, eq) = self.next_token_eq()?;
            let mut tok = &self.s[start..end];
            let Some(mut eq) = eq else {
                if self.rtype == RecordType::AVC || self.rtype == RecordType::USER_AVC {
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
    /// The next field of an interpreted record (see [`Fields`]).
    fn next_interpreted(&mut self) -> Option<Field<'a>> {
        let s = self.s;
        loop {
            let (start, end) = self.next_token()?;
            let mut tok = &s[start..end];
            let Some(mut eq) = memchr::memchr(b'=', tok) else {
                if self.rtype == RecordType::AVC || self.rtype == RecordType::USER_AVC {
                    if let Some(f) = self.avc_token(tok) {
                        self.count += 1;
                        return Some(f);
                    }
                }
                continue;
            };
            let mut vstart = start + eq + 1;
            if let Some(inner) = tok.strip_prefix(b"msg='") {
                // The nested message: its first field follows the quote.
                self.in_msg = true;
                let Some(e) = memchr::memchr(b'=', inner) else {
                    continue;
                };
                tok = inner;
                eq = e;
                vstart = start + 5 + e + 1;
            }
            let mut name = &tok[..eq];
            if let Some(n) = name.strip_prefix(b"(") {
                name = n;
                self.paren = true;
            } else if let Some(n) = name.strip_prefix(b"'") {
                name = n;
            }
            let execve = self.rtype == RecordType::EXECVE;
            if vstart >= end && !execve {
                continue;
            }
            if execve {
                if let Some(i) = execve_index(name) {
                    self.arg = i;
                }
            }
            let kind = value_kind(self.rtype, name, &s[vstart..end]);
            let vend = if self.rtype == RecordType::PROCTITLE && name == b"proctitle" {
                self.pos = s.len();
                s.len() - s.iter().rev().take_while(|&&b| b == b' ').count()
            } else if s[vstart..].starts_with(b"{ ") {
                match find_token(s, vstart, b"}") {
                    Some(e) => {
                        self.pos = e;
                        e
                    }
                    None => {
                        self.pos = s.len();
                        s.len()
                    }
                }
            } else {
                let mut vend = end;
                self.pos = end;
                while let Some((a, b)) = self.peek_token() {
                    if kind == ValueKind::Word || self.starts_field(&s[a..b]) {
                        break;
                    }
                    vend = b;
                    self.pos = b;
                }
                if execve {
                    // The kernel separates EXECVE fields by one space and
                    // ausearch prints one after each value, so any more
                    // are the argument's own.
                    let gap = s[vend..].iter().take_while(|&&b| b == b' ').count();
                    vend += gap.saturating_sub(1);
                    self.pos = vend;
                }
                vend
            };
            let mut v = &s[vstart.min(vend)..vend];
            if kind != ValueKind::Text && v.last() == Some(&b',') {
                v = &v[..v.len() - 1];
            }
            let last = s[self.pos..].iter().all(|&b| b == b' ');
            if self.in_msg && last && v.last() == Some(&b'\'') {
                v = &v[..v.len() - 1];
            }
            if self.paren && v.last() == Some(&b')') {
                v = &v[..v.len() - 1];
                self.paren = false;
            }
            if v.is_empty() && !execve {
                continue;
            }
            self.count += 1;
            return Some(Field {
                name,
                value: Cow::Borrowed(v),
            });
        }
    }

    /// The next token, without consuming it.
    fn peek_token(&self) -> Option<(usize, usize)> {
        crate::header::space_token(self.s, &mut self.pos.clone())
    }

    /// Whether a word of an interpreted record starts a field (rather than
    /// continuing the value before it).
    fn starts_field(&self, tok: &[u8]) -> bool {
        if tok == b":" {
            // The legacy `acct=root : exe=`; EXECVE arguments are text
            // from the command line, never that.
            return self.rtype != RecordType::EXECVE;
        }
        let Some(eq) = memchr::memchr(b'=', tok) else {
            return false;
        };
        let mut name = &tok[..eq];
        if name == b"msg" {
            return true;
        }
        if let Some(n) = name.strip_prefix(b"(").or_else(|| name.strip_prefix(b"'")) {
            name = n;
        }
        if self.rtype == RecordType::EXECVE {
            return name == b"argc" || execve_index(name).is_some_and(|i| i >= self.arg);
        }
        is_field_name(name)
    }
}

/// What an interpreted value may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// One word: ausearch printed a value without spaces.
    Word,
    /// An interpretation that may hold spaces (an errno's text, an error).
    Spaced,
    /// Text from the log (a name, a path, a command line, an argument):
    /// anything, even a trailing `,`.
    Text,
}

/// What the value of field `name` may hold, from the field's type; `first`
/// is the value's first word.
fn value_kind(rtype: RecordType, name: &[u8], first: &[u8]) -> ValueKind {
    use auditkit_interp::FieldType as T;
    if rtype == RecordType::EXECVE {
        return ValueKind::Text;
    }
    let (t, name_s) = (rtype, std::str::from_utf8(name).unwrap_or(""));
    // A field whose type depends on how its value was logged (`acct`) is
    // text when it was logged as text, which its interpretation now is.
    let logged: &[u8] = if auditkit_interp::field_type_uses_value(t, name_s) {
        b"\"\""
    } else {
        first
    };
    let ft = auditkit_interp::field_type(t, name_s, logged);
    match ft {
        T::Escaped | T::EscapedFile | T::EscapedKey | T::Proctitle | T::TtyData => ValueKind::Text,
        T::Exit | T::Sockaddr => ValueKind::Spaced,
        // A value ausearch could not interpret (`conversion error(x)`), or
        // an uninterpreted one it printed in its quotes.
        _ if first.starts_with(b"conversion")
            || (first.starts_with(b"\"") && !first[1..].ends_with(b"\"")) =>
        {
            ValueKind::Spaced
        }
        _ => ValueKind::Word,
    }
}

/// A name as auditd writes field names: a lower-case ASCII letter, then
/// letters, digits, `_` and `-`.
fn is_field_name(name: &[u8]) -> bool {
    name.first().is_some_and(u8::is_ascii_lowercase)
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The argument index of an EXECVE field name: `a3`, `a3_len`, `a3[0]`.
fn execve_index(name: &[u8]) -> Option<u64> {
    let rest = name.strip_prefix(b"a")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let tail = &rest[digits..];
    let ok = tail.is_empty()
        || tail == b"_len"
        || (tail.len() > 2
            && tail[0] == b'['
            && tail[tail.len() - 1] == b']'
            && tail[1..tail.len() - 1].iter().all(u8::is_ascii_digit));
    if !ok {
        return None;
    }
    rest[..digits]
        .iter()
        .try_fold(0u64, |v, &b| Some(v * 10 + u64::from(b - b'0')))
}

/// The end of the first token equal to `want` at or after `from`.
fn find_token(s: &[u8], from: usize, want: &[u8]) -> Option<usize> {
    let mut p = from;
    while p < s.len() {
        let end = memchr::memchr(b' ', &s[p..]).map_or(s.len(), |q| p + q);
        if &s[p..end] == want {
            return Some(end);
        }
        p = end + 1;
    }
    None
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

    /// The word-at-a-time searches find what a byte-at-a-time one does,
    /// at every start, on every length around the word size, with the
    /// bytes in every place and bytes with the high bit set around them.
    #[test]
    fn word_searches_agree_with_bytes() {
        let alphabet = [b'a', b' ', b'=', 0x80, 0xa0, 0xbd, 0, b'\''];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 41) as usize;
            let s: Vec<u8> = (0..len)
                .map(|i| alphabet[((seed >> (i % 60)) as usize + i * 7) % alphabet.len()])
                .collect();
            for at in 0..=len {
                let naive2 = s[at..]
                    .iter()
                    .position(|&c| c == b' ' || c == b'=')
                    .map(|q| at + q);
                assert_eq!(find2(&s, at, b' ', b'='), naive2, "{s:?} at {at}");
                let naive = s[at..]
                    .iter()
                    .position(|&c| c == b' ')
                    .map_or(len, |q| at + q);
                assert_eq!(find_space(&s, at), naive, "{s:?} at {at}");
            }
        }
    }

    fn f(body: &str, rtype: RecordType) -> Vec<(String, String)> {
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
            RecordType::USER_START,
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
        let got = f(" user pid=1 msg='acct=root : exe=\"/x\" (hostname=h, addr=1.2.3.4, terminal=tty1 res=success)'", RecordType::USER_AUTH);
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
        let got = f(" tty=(none) key=(null)", RecordType::SYSCALL);
        assert_eq!(got, pairs(&[("tty", "(none)"), ("key", "(null)")]));
    }

    #[test]
    fn avc() {
        let got = f(
            "  avc:  denied  { read write } for  pid=2 comm=\"x\" scontext=a:b:c",
            RecordType::AVC,
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

    /// The fields of a line of ausearch `-i` output, as (name, value).
    fn interp(line: &str) -> Vec<(String, String)> {
        let h = crate::header::parse_header(line.as_bytes()).unwrap();
        assert_eq!(h.format, crate::LineFormat::Interpreted, "{line}");
        let body = &line.as_bytes()[h.ts_close as usize + 1..];
        Fields::new(body, h.rtype, FieldsOptions { interpreted: true })
            .map(|f| {
                (
                    String::from_utf8_lossy(f.name).into_owned(),
                    String::from_utf8_lossy(&f.value).into_owned(),
                )
            })
            .collect()
    }

    fn get(fields: &[(String, String)], name: &str) -> String {
        let v: Vec<&String> = fields
            .iter()
            .filter(|f| f.0 == name)
            .map(|f| &f.1)
            .collect();
        assert_eq!(v.len(), 1, "{name} in {fields:?}");
        v[0].clone()
    }

    // The lines below are what `LC_ALL=C TZ=UTC ausearch -i` 3.0.9 printed
    // for records written to show the cases of issue 8 (the raw records
    // are in the comments), trailing space included.

    #[test]
    fn interpreted_proctitle_is_the_rest_of_the_line() {
        // proctitle=706870002D720073797374656D282F62696E2F736829
        let f = interp("type=PROCTITLE msg=audit(11/14/23 22:13:20.100:500) : proctitle=php -r system(/bin/sh) ");
        assert_eq!(f, pairs(&[("proctitle", "php -r system(/bin/sh)")]));
        // proctitle=7368002D630065636820613D62: `=` inside
        let f = interp(
            "type=PROCTITLE msg=audit(11/14/23 22:13:21.200:501) : proctitle=sh -c ech a=b ",
        );
        assert_eq!(f, pairs(&[("proctitle", "sh -c ech a=b")]));
    }

    #[test]
    fn interpreted_execve_keeps_its_parentheses_and_spaces() {
        // argc=3 a0="php" a1="-r" a2="system(/bin/sh)"
        let f = interp("type=EXECVE msg=audit(11/14/23 22:13:20.100:500) : argc=3 a0=php a1=-r a2=system(/bin/sh) ");
        assert_eq!(
            f,
            pairs(&[
                ("argc", "3"),
                ("a0", "php"),
                ("a1", "-r"),
                ("a2", "system(/bin/sh)")
            ])
        );
        // argc=4 a0="env" a1="A=1" a2=hex("x a1=y") a3=hex("two  spaces ")
        let f = interp("type=EXECVE msg=audit(11/14/23 22:13:23.400:503) : argc=4 a0=env a1=A=1 a2=x a1=y a3=two  spaces  ");
        assert_eq!(
            f,
            pairs(&[
                ("argc", "4"),
                ("a0", "env"),
                ("a1", "A=1"),
                ("a2", "x a1=y"),
                ("a3", "two  spaces "),
            ])
        );
        // ausearch -i of a log of real auditd, shortened: bash's
        // `declare -f` text as an argument, with a ` : ` inside.
        let f = interp("type=EXECVE msg=audit(12/01/26 21:25:36.144:1097) : argc=3 a0=bash a1=-c a2=worker () \\012{ \\012    : 2> /dev/null < /dev/tcp/127.0.0.1/9;\\012}; worker 1 ");
        assert_eq!(
            get(&f, "a2"),
            "worker () \\012{ \\012    : 2> /dev/null < /dev/tcp/127.0.0.1/9;\\012}; worker 1"
        );
    }

    #[test]
    fn interpreted_nested_msg_with_spaces() {
        // msg='cwd="/home/u" cmd=hex("php -r system(/bin/sh)") terminal=pts/1 res=success'
        let f = interp("type=USER_CMD msg=audit(11/14/23 22:13:22.300:502) : pid=103 uid=cloudsdk auid=cloudsdk ses=3 msg='cwd=/home/u cmd=php -r system(/bin/sh) terminal=pts/1 res=success' ");
        assert_eq!(
            f,
            pairs(&[
                ("pid", "103"),
                ("uid", "cloudsdk"),
                ("auid", "cloudsdk"),
                ("ses", "3"),
                ("cwd", "/home/u"),
                ("cmd", "php -r system(/bin/sh)"),
                ("terminal", "pts/1"),
                ("res", "success"),
            ])
        );
    }

    #[test]
    fn interpreted_sockaddr_and_errno() {
        // saddr=0200115C0A0000010000000000000000
        let f = interp("type=SOCKADDR msg=audit(11/14/23 22:13:21.200:501) : saddr={ saddr_fam=inet laddr=10.0.0.1 lport=4444 } ");
        assert_eq!(
            f,
            pairs(&[("saddr", "{ saddr_fam=inet laddr=10.0.0.1 lport=4444 }")])
        );
        // exit=-13
        let f = interp("type=SYSCALL msg=audit(11/14/23 22:13:21.200:501) : arch=x86_64 syscall=connect success=no exit=EACCES(Permission denied) a0=0x3 a1=0x7ffd a2=0x10 a3=0x0 items=0 ppid=101 pid=102 auid=cloudsdk uid=cloudsdk gid=cloudsdk euid=cloudsdk suid=cloudsdk fsuid=cloudsdk egid=cloudsdk sgid=cloudsdk fsgid=cloudsdk tty=pts1 ses=3 comm=sh exe=/usr/bin/dash key=net ");
        assert_eq!(get(&f, "exit"), "EACCES(Permission denied)");
        assert_eq!(get(&f, "a0"), "0x3");
        assert_eq!(get(&f, "key"), "net");
        assert_eq!(f.len(), 25);
    }

    #[test]
    fn interpreted_legacy_and_avc_forms() {
        // From audit-userspace's auparse/test/test.log.
        let f = interp("type=USER_START msg=audit(01/28/07 22:00:01.344:297) : user pid=13015 uid=root auid=root subj=system_u:system_r:crond_t:s0-s0:c0.c1023 msg='PAM: session open acct=root : exe=/usr/sbin/crond (hostname=?, addr=?  terminal=cron res=success)' ");
        assert_eq!(
            f,
            pairs(&[
                ("pid", "13015"),
                ("uid", "root"),
                ("auid", "root"),
                ("subj", "system_u:system_r:crond_t:s0-s0:c0.c1023"),
                ("acct", "root"),
                ("exe", "/usr/sbin/crond"),
                ("hostname", "?"),
                ("addr", "?"),
                ("terminal", "cron"),
                ("res", "success"),
            ])
        );
        let f = interp("type=AVC msg=audit(01/28/07 21:58:13.977:293) : avc:  denied  { read write } for  pid=13010 comm=pickup name=maildrop dev=hda7 ino=14911367 scontext=system_u:system_r:postfix_pickup_t:s0 tcontext=system_u:object_r:postfix_spool_maildrop_t:s0 tclass=dir ");
        assert_eq!(
            &f[..3],
            &pairs(&[
                ("seresult", "denied"),
                ("seperms", "read,write"),
                ("pid", "13010")
            ])[..]
        );
        // go-libaudit's test2.log: words between fields are not values.
        let f = interp("type=LOGIN msg=audit(01/28/07 21:00:01.343:296) : login pid=13015 uid=root old auid=unset new auid=root ");
        assert_eq!(
            f,
            pairs(&[
                ("pid", "13015"),
                ("uid", "root"),
                ("auid", "unset"),
                ("auid", "root")
            ])
        );
    }

    #[test]
    fn enrichment() {
        let e = enrichment_fields(b"ARCH=x86_64 AUID=\"a b\"");
        assert_eq!(e.len(), 2);
        let s = enrichment_fields(b"SADDR={ saddr_fam=inet laddr=1.2.3.4 lport=22 }");
        assert_eq!(s[0].1, b"{ saddr_fam=inet laddr=1.2.3.4 lport=22 }");
    }
}
