//! Value patterns: Sigma's case-insensitive strings with `*` and `?`,
//! compiled to the cheapest test that decides them.
//!
//! Sigma values are whole-value matches, case-insensitive, with `*` (any
//! run) and `?` (one character) live, and `\` escaping `*`, `?` and `\`
//! (a `\` before anything else is a literal backslash: the sudo rule's
//! `a1: '\'`). `contains`, `startswith` and `endswith` wrap the value in
//! `*`. Most values then have no wildcard in the middle, so they become
//! one of equality, prefix, suffix or substring with ASCII case folding
//! (hayabusa's "fast match"); a `*` in the middle is a sequence of
//! literal pieces found left to right, still without a regex. Only a `?`
//! and non-ASCII text (whose case folding is Unicode's) go to `regex`,
//! as does the `re` modifier, which is case-sensitive unless its flags
//! say otherwise.

use memchr::memmem;
use regex::bytes::Regex;

/// A compiled value test.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// The whole value, ASCII case-insensitive (the literal is lower case).
    Eq(Vec<u8>),
    /// A prefix.
    Prefix(Vec<u8>),
    /// A suffix.
    Suffix(Vec<u8>),
    /// A substring.
    Contains(Vec<u8>, Box<memmem::Finder<'static>>),
    /// Literal pieces separated by `*`: the first anchored at the start
    /// unless `open_start`, the last at the end unless `open_end`.
    Pieces {
        /// The lower-case pieces, none empty.
        pieces: Vec<Vec<u8>>,
        /// A `*` before the first piece.
        open_start: bool,
        /// A `*` after the last piece.
        open_end: bool,
    },
    /// Anything (the value `*`).
    Any,
    /// A regular expression (the `re` modifier, or a pattern with `?` or
    /// non-ASCII letters).
    Re(Regex),
    /// An IPv4 or IPv6 network (the `cidr` modifier).
    Cidr(std::net::IpAddr, u8),
}

/// One token of a Sigma string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Lit(u8),
    Star,
    One,
}

fn tokens(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if matches!(b.get(i + 1), Some(b'*' | b'?' | b'\\')) => {
                out.push(Tok::Lit(b[i + 1]));
                i += 2;
                continue;
            }
            b'*' => out.push(Tok::Star),
            b'?' => out.push(Tok::One),
            c => out.push(Tok::Lit(c)),
        }
        i += 1;
    }
    out
}

/// How a value is anchored by its modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Plain value: the whole value.
    Whole,
    /// `contains`
    Contains,
    /// `startswith`
    Starts,
    /// `endswith`
    Ends,
}

/// Why a pattern does not compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A bad regular expression.
    #[error("regular expression '{0}': {1}")]
    Regex(String, String),
    /// A bad `cidr` value.
    #[error("'{0}' is not a network (ADDRESS/BITS)")]
    Cidr(String),
}

impl Pattern {
    /// Compile a Sigma string value with its anchoring.
    pub fn sigma(s: &str, anchor: Anchor) -> Result<Pattern, PatternError> {
        let mut t = tokens(s);
        if matches!(anchor, Anchor::Contains | Anchor::Ends) {
            t.insert(0, Tok::Star);
        }
        if matches!(anchor, Anchor::Contains | Anchor::Starts) {
            t.push(Tok::Star);
        }
        t.dedup_by(|a, b| *a == Tok::Star && *b == Tok::Star);
        let needs_regex =
            t.contains(&Tok::One) || t.iter().any(|x| matches!(x, Tok::Lit(c) if !c.is_ascii()));
        if needs_regex {
            return glob_regex(&t, s);
        }
        let open_start = t.first() == Some(&Tok::Star);
        let open_end = t.len() > usize::from(open_start) && t.last() == Some(&Tok::Star);
        let mut pieces: Vec<Vec<u8>> = vec![Vec::new()];
        for x in &t {
            match x {
                Tok::Lit(c) => pieces
                    .last_mut()
                    .map_or((), |p| p.push(c.to_ascii_lowercase())),
                _ => pieces.push(Vec::new()),
            }
        }
        pieces.retain(|p| !p.is_empty());
        Ok(match (pieces.len(), open_start, open_end) {
            (0, false, false) => Pattern::Eq(Vec::new()),
            (0, _, _) => Pattern::Any,
            (1, false, false) => Pattern::Eq(pieces.remove(0)),
            (1, false, true) => Pattern::Prefix(pieces.remove(0)),
            (1, true, false) => Pattern::Suffix(pieces.remove(0)),
            (1, true, true) => {
                let p = pieces.remove(0);
                let f = Box::new(memmem::Finder::new(&p).into_owned());
                Pattern::Contains(p, f)
            }
            _ => Pattern::Pieces {
                pieces,
                open_start,
                open_end,
            },
        })
    }

    /// Compile a `re` value; `flags` are the `i`, `m`, `s` sub-modifiers.
    pub fn regex(s: &str, flags: &str) -> Result<Pattern, PatternError> {
        let src = if flags.is_empty() {
            s.to_string()
        } else {
            format!("(?{flags}){s}")
        };
        regex::bytes::RegexBuilder::new(&src)
            .size_limit(1 << 20)
            .build()
            .map(Pattern::Re)
            .map_err(|e| PatternError::Regex(s.to_string(), e.to_string()))
    }

    /// Compile a `cidr` value.
    pub fn cidr(s: &str) -> Result<Pattern, PatternError> {
        let bad = || PatternError::Cidr(s.to_string());
        let (a, bits) = s.split_once('/').ok_or_else(bad)?;
        let ip: std::net::IpAddr = a.trim().parse().map_err(|_| bad())?;
        let bits: u8 = bits.trim().parse().map_err(|_| bad())?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        if bits > max {
            return Err(bad());
        }
        Ok(Pattern::Cidr(ip, bits))
    }

    /// Whether `v` matches.
    pub fn matches(&self, v: &[u8]) -> bool {
        match self {
            Pattern::Eq(p) => v.eq_ignore_ascii_case(p),
            Pattern::Prefix(p) => v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p),
            Pattern::Suffix(p) => {
                v.len() >= p.len() && v[v.len() - p.len()..].eq_ignore_ascii_case(p)
            }
            Pattern::Contains(p, f) => {
                if v.iter().any(u8::is_ascii_uppercase) {
                    find_ci(v, p).is_some()
                } else {
                    f.find(v).is_some()
                }
            }
            Pattern::Pieces {
                pieces,
                open_start,
                open_end,
            } => pieces_match(v, pieces, *open_start, *open_end),
            Pattern::Any => true,
            Pattern::Re(re) => re.is_match(v),
            Pattern::Cidr(net, bits) => cidr_match(v, net, *bits),
        }
    }

    /// A lower-case literal every matching value contains, if there is
    /// one (for prefilters).
    pub fn literal(&self) -> Option<&[u8]> {
        match self {
            Pattern::Eq(p) | Pattern::Prefix(p) | Pattern::Suffix(p) | Pattern::Contains(p, _) => {
                Some(p)
            }
            Pattern::Pieces { pieces, .. } => {
                pieces.iter().max_by_key(|p| p.len()).map(Vec::as_slice)
            }
            _ => None,
        }
    }
}

/// Offset of the lower-case `needle` in `hay`, ASCII case-insensitive.
pub fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let up = first.to_ascii_uppercase();
    let last_start = hay.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        let p = if up == first {
            memchr::memchr(first, &hay[i..=last_start])
        } else {
            memchr::memchr2(first, up, &hay[i..=last_start])
        }?;
        let at = i + p;
        if hay[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn pieces_match(v: &[u8], pieces: &[Vec<u8>], open_start: bool, open_end: bool) -> bool {
    let (mut lo, mut hi) = (0usize, v.len());
    let mut inner = pieces;
    if !open_start {
        let Some((p, rest)) = inner.split_first() else {
            return true;
        };
        if v.len() < p.len() || !v[..p.len()].eq_ignore_ascii_case(p) {
            return false;
        }
        lo = p.len();
        inner = rest;
    }
    if !open_end {
        let Some((p, rest)) = inner.split_last() else {
            return open_start || lo == v.len();
        };
        if hi < lo + p.len() || !v[hi - p.len()..hi].eq_ignore_ascii_case(p) {
            return false;
        }
        hi -= p.len();
        inner = rest;
    }
    // Leftmost placement of each middle piece is optimal for `*` globs.
    for p in inner {
        match find_ci(&v[lo..hi], p) {
            Some(at) => lo += at + p.len(),
            None => return false,
        }
    }
    true
}

fn glob_regex(t: &[Tok], src: &str) -> Result<Pattern, PatternError> {
    let mut re = String::from("(?is)^");
    let mut lit: Vec<u8> = Vec::new();
    let flush = |lit: &mut Vec<u8>, re: &mut String| {
        re.push_str(&regex::escape(&String::from_utf8_lossy(lit)));
        lit.clear();
    };
    for x in t {
        match x {
            Tok::Lit(c) => lit.push(*c),
            Tok::Star => {
                flush(&mut lit, &mut re);
                re.push_str(".*");
            }
            Tok::One => {
                flush(&mut lit, &mut re);
                re.push('.');
            }
        }
    }
    flush(&mut lit, &mut re);
    re.push('$');
    regex::bytes::RegexBuilder::new(&re)
        .size_limit(1 << 20)
        .build()
        .map(Pattern::Re)
        .map_err(|e| PatternError::Regex(src.to_string(), e.to_string()))
}

fn cidr_match(v: &[u8], net: &std::net::IpAddr, bits: u8) -> bool {
    let Some(ip) = std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse::<std::net::IpAddr>().ok())
    else {
        return false;
    };
    let (a, b): (Vec<u8>, Vec<u8>) = match (ip, net) {
        (std::net::IpAddr::V4(x), std::net::IpAddr::V4(y)) => {
            (x.octets().to_vec(), y.octets().to_vec())
        }
        (std::net::IpAddr::V6(x), std::net::IpAddr::V6(y)) => {
            (x.octets().to_vec(), y.octets().to_vec())
        }
        _ => return false,
    };
    let full = usize::from(bits / 8);
    if a[..full] != b[..full] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[full] & mask) == (b[full] & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, a: Anchor, v: &str) -> bool {
        Pattern::sigma(p, a).unwrap().matches(v.as_bytes())
    }

    #[test]
    fn plain_values_are_whole_and_case_insensitive() {
        assert!(m("EXECVE", Anchor::Whole, "execve"));
        assert!(m("execve", Anchor::Whole, "EXECVE"));
        assert!(!m("exec", Anchor::Whole, "execve"));
        assert!(m("", Anchor::Whole, ""));
        assert!(!m("", Anchor::Whole, "x"));
    }

    #[test]
    fn modifiers_anchor() {
        assert!(m("/tmp/", Anchor::Starts, "/TMP/x"));
        assert!(!m("/tmp/", Anchor::Starts, "/var/tmp/x"));
        assert!(m("/bin/sh", Anchor::Ends, "/usr/bin/sh"));
        assert!(!m("/bin/sh", Anchor::Ends, "/bin/shx"));
        assert!(m("passwd", Anchor::Contains, "cat /etc/PASSWD now"));
        assert!(!m("passwd", Anchor::Contains, "cat /etc/shadow"));
    }

    #[test]
    fn wildcards_stay_live() {
        assert!(m("/home/*/.bashrc", Anchor::Whole, "/home/alice/.bashrc"));
        assert!(!m("/home/*/.bashrc", Anchor::Whole, "/home/alice/.bashrc~"));
        assert!(m("/etc/*release", Anchor::Whole, "/etc/os-release"));
        assert!(m(
            "/home/*/public_html/",
            Anchor::Starts,
            "/home/bob/public_html/x.php"
        ));
        assert!(m("a*b*c", Anchor::Whole, "aXbYc"));
        assert!(!m("a*b*c", Anchor::Whole, "aXcYb"));
        assert!(m("ab*ab", Anchor::Whole, "abab"));
        assert!(!m("ab*ab", Anchor::Whole, "aba"));
        assert!(m("*", Anchor::Whole, ""));
        assert!(m("a?c", Anchor::Whole, "ABC"));
        assert!(!m("a?c", Anchor::Whole, "abbc"));
    }

    #[test]
    fn escapes() {
        assert!(m("\\", Anchor::Whole, "\\"));
        assert!(m("a\\*", Anchor::Whole, "a*"));
        assert!(!m("a\\*", Anchor::Whole, "ab"));
        assert!(m("a\\?", Anchor::Whole, "a?"));
        assert!(m("c:\\\\x", Anchor::Whole, "c:\\x"));
        assert!(m("\\d", Anchor::Whole, "\\d"));
    }

    #[test]
    fn non_ascii_folds_as_unicode() {
        assert!(m("ÄRGER", Anchor::Contains, "viel ärger hier"));
    }

    #[test]
    fn regexes_are_case_sensitive_unless_flagged() {
        let re = Pattern::regex("(^|\\/)\\.[^.\\/]", "").unwrap();
        assert!(re.matches(b"/home/u/.hidden"));
        assert!(!re.matches(b"/home/u/x.y"));
        assert!(!Pattern::regex("ABC", "").unwrap().matches(b"abc"));
        assert!(Pattern::regex("ABC", "i").unwrap().matches(b"abc"));
        assert!(Pattern::regex("(", "").is_err());
    }

    #[test]
    fn networks() {
        let p = Pattern::cidr("10.0.0.0/8").unwrap();
        assert!(p.matches(b"10.1.2.3"));
        assert!(!p.matches(b"11.1.2.3"));
        assert!(Pattern::cidr("172.16.0.0/12")
            .unwrap()
            .matches(b"172.31.255.1"));
        assert!(!Pattern::cidr("172.16.0.0/12")
            .unwrap()
            .matches(b"172.32.0.1"));
        assert!(Pattern::cidr("::1/128").unwrap().matches(b"::1"));
        assert!(!Pattern::cidr("::1/128").unwrap().matches(b"127.0.0.1"));
        assert!(Pattern::cidr("1.2.3.4").is_err());
        assert!(Pattern::cidr("1.2.3.4/33").is_err());
    }
}
