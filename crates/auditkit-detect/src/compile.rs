//! Selections to matchers: a selection body (a mapping of `field|mods:
//! values`, a list of such mappings, or a keyword list) becomes
//! alternatives of field tests, each with its patterns compiled once.
//!
//! | written | meaning |
//! |---|---|
//! | mapping | every key holds (AND) |
//! | list of mappings | one of them holds (OR) |
//! | list of values for a key | one value matches (OR); with `all`, every one |
//! | bare list, or the key `'|all'` | keywords: substrings of the record's text |
//! | `null` | the field is absent or empty |
//! | YAML integer `777` | the string `777` (audit values are text) |
//!
//! Modifiers: `contains`, `startswith`, `endswith`, `all`, `re` (with
//! `i`, `m`, `s`), `cidr`, `exists`. Any other is [`Unsupported`].

use crate::mapping::{Category, Mapped};
use crate::pattern::{Anchor, Pattern};
use crate::rule::Unsupported;
use crate::yaml::Node;

/// What a test reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldKey {
    /// An audit field by its name (`type`, `a0`, `SYSCALL`, `unit`).
    Audit(Vec<u8>),
    /// A field of a mapped log source (`Image`).
    Mapped(Mapped),
}

/// One `field|mods: values` test, or a keyword test (`field: None`).
#[derive(Debug)]
pub(crate) struct Test {
    pub field: Option<FieldKey>,
    pub pats: Vec<Pattern>,
    /// Every pattern must match (some value each), not one.
    pub all: bool,
    /// `null` among the values: absent or empty matches.
    pub null: bool,
    /// `exists: true|false`.
    pub exists: Option<bool>,
}

/// A compiled selection: one of `alts` holds, and an alternative holds
/// when all its tests do.
#[derive(Debug)]
pub(crate) struct Selection {
    pub alts: Vec<Vec<Test>>,
}

/// A value as the rule wrote it: a string, or null.
fn scalar_value(n: &Node) -> Result<Option<String>, Unsupported> {
    match n {
        Node::Scalar { text, plain, .. } => {
            if n.is_null() {
                return Ok(None);
            }
            if *plain {
                // YAML 1.2 core schema integers are compared as their
                // decimal text; booleans as true/false.
                if let Ok(i) = text.parse::<i64>() {
                    return Ok(Some(i.to_string()));
                }
                if let Some(h) = text.strip_prefix("0x") {
                    if let Ok(i) = i64::from_str_radix(h, 16) {
                        return Ok(Some(i.to_string()));
                    }
                }
                if matches!(text.as_str(), "true" | "True" | "TRUE") {
                    return Ok(Some("true".into()));
                }
                if matches!(text.as_str(), "false" | "False" | "FALSE") {
                    return Ok(Some("false".into()));
                }
            }
            Ok(Some(text.clone()))
        }
        _ => Err(Unsupported::Malformed(format!(
            "line {}: a value must be a string, a number or null",
            n.line()
        ))),
    }
}

fn values(n: &Node) -> Result<Vec<Option<String>>, Unsupported> {
    match n {
        Node::Seq(v, _) => v.iter().map(scalar_value).collect(),
        other => Ok(vec![scalar_value(other)?]),
    }
}

/// Which fields a selection may name.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fields {
    /// auditd's own names.
    Audit,
    /// A mapped log source.
    Mapped(Category),
}

fn test(key: &str, value: &Node, fields: Fields) -> Result<Test, Unsupported> {
    let mut parts = key.split('|');
    let name = parts.next().unwrap_or("");
    let mut anchor = Anchor::Whole;
    let mut all = false;
    let mut re: Option<String> = None;
    let mut cidr = false;
    let mut exists = false;
    for m in parts {
        match m {
            "contains" => anchor = Anchor::Contains,
            "startswith" => anchor = Anchor::Starts,
            "endswith" => anchor = Anchor::Ends,
            "all" => all = true,
            "re" => re = Some(String::new()),
            "i" | "m" | "s" if re.is_some() => {
                if let Some(f) = re.as_mut() {
                    f.push_str(m);
                }
            }
            "cidr" => cidr = true,
            "exists" => exists = true,
            other => {
                return Err(Unsupported::Modifier {
                    field: key.to_string(),
                    modifier: other.to_string(),
                })
            }
        }
    }
    let field = if name.is_empty() {
        None
    } else {
        Some(match fields {
            Fields::Audit => FieldKey::Audit(name.as_bytes().to_vec()),
            Fields::Mapped(c) => {
                FieldKey::Mapped(crate::mapping::field(c, name).ok_or_else(|| {
                    Unsupported::Field {
                        field: name.to_string(),
                        category: c.name().to_string(),
                    }
                })?)
            }
        })
    };
    if exists {
        let v = values(value)?;
        let b = match v.as_slice() {
            [Some(s)] if s == "true" => true,
            [Some(s)] if s == "false" => false,
            _ => {
                return Err(Unsupported::Malformed(format!(
                    "{key}: exists takes true or false"
                )))
            }
        };
        return Ok(Test {
            field,
            pats: Vec::new(),
            all: false,
            null: false,
            exists: Some(b),
        });
    }
    // Keywords are substrings of the record's text.
    if field.is_none() {
        anchor = Anchor::Contains;
    }
    let mut pats = Vec::new();
    let mut null = false;
    for v in values(value)? {
        let Some(s) = v else {
            null = true;
            continue;
        };
        let bad = |e: crate::pattern::PatternError| Unsupported::Malformed(format!("{key}: {e}"));
        pats.push(match (&re, cidr) {
            (Some(flags), _) => Pattern::regex(&s, flags).map_err(bad)?,
            (None, true) => Pattern::cidr(&s).map_err(bad)?,
            (None, false) => Pattern::sigma(&s, anchor).map_err(bad)?,
        });
    }
    Ok(Test {
        field,
        pats,
        all,
        null,
        exists: None,
    })
}

fn map_tests(m: &[(String, Node)], fields: Fields) -> Result<Vec<Test>, Unsupported> {
    m.iter().map(|(k, v)| test(k, v, fields)).collect()
}

/// Compile a selection body.
pub(crate) fn selection(body: &Node, fields: Fields) -> Result<Selection, Unsupported> {
    let alts = match body {
        Node::Map(m, _) => vec![map_tests(m, fields)?],
        Node::Seq(items, _)
            if items.iter().all(|i| matches!(i, Node::Map(..))) && !items.is_empty() =>
        {
            let mut alts = Vec::new();
            for i in items {
                if let Node::Map(m, _) = i {
                    alts.push(map_tests(m, fields)?);
                }
            }
            alts
        }
        Node::Seq(items, _) if items.iter().all(|i| matches!(i, Node::Scalar { .. })) => {
            vec![vec![test("", body, fields)?]]
        }
        Node::Scalar { .. } => vec![vec![test("", body, fields)?]],
        _ => {
            return Err(Unsupported::Malformed(format!(
                "line {}: a selection mixes mappings and values",
                body.line()
            )))
        }
    };
    Ok(Selection { alts })
}

fn non_empty_literal(p: &Pattern) -> Option<&[u8]> {
    p.literal().filter(|l| !l.is_empty())
}

/// The shortest literal worth prefiltering on: one or two bytes occur in
/// nearly every record, so they would filter nothing and slow the
/// automaton down with matches. Two bytes of punctuation that audit
/// records seldom hold next to each other are worth it (the hidden-path
/// rule's `/.`).
pub(crate) const MIN_LITERAL: usize = 3;

/// Whether a literal is worth prefiltering on (see [`MIN_LITERAL`]).
fn worth(l: &[u8]) -> bool {
    const RARE: &[u8] = b"/.\\|;&$`!#%+@^[]{}<>~";
    l.len() >= MIN_LITERAL || l.len() == 2 && l.iter().all(|c| RARE.contains(c))
}

/// One thing a prefilter looks for (see [`crate::prefilter`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Atom<'a> {
    /// A lower-case literal, ASCII case-insensitively, in a value of the
    /// audit field `field` (so in the record's raw body, or in the
    /// decoded hex value of that field), or anywhere in the document's
    /// text (`field: None`: keywords, and the fields of mapped rules).
    Lit {
        /// The literal.
        lit: &'a [u8],
        /// The audit field whose values hold it.
        field: Option<&'a [u8]>,
    },
    /// The syscall's name of a SYSCALL record (lower case), as the
    /// `SYSCALL` field gives it: `SYSCALL: ptrace`.
    Syscall(&'a [u8]),
}

impl Atom<'_> {
    /// How well it filters: longer literals occur less by chance; the
    /// syscall name is exact.
    fn score(&self) -> usize {
        match self {
            Atom::Lit { lit, .. } => lit.len(),
            Atom::Syscall(_) => 64,
        }
    }
}

/// What a document must show for a condition (or part of one) to hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Need<'a> {
    /// It cannot hold here (a selection pinned to other record types).
    Never,
    /// Nothing known: always try it.
    Any,
    /// One of these must be seen.
    Atoms(Vec<Atom<'a>>),
}

/// Of the needs of the sides of an `and`: `Never` if one is; else the
/// atom set whose weakest atom filters best; else `Any`.
pub(crate) fn best<'a>(sides: impl Iterator<Item = Need<'a>>) -> Need<'a> {
    let mut out = Need::Any;
    let mut score = 0;
    for n in sides {
        match n {
            Need::Never => return Need::Never,
            Need::Any => {}
            Need::Atoms(v) => {
                let s = v.iter().map(Atom::score).min().unwrap_or(0);
                if matches!(out, Need::Any) || s > score {
                    score = s;
                    out = Need::Atoms(v);
                }
            }
        }
    }
    out
}

/// The need of an `or`: every side that can hold must give atoms.
pub(crate) fn union<'a>(sides: impl Iterator<Item = Need<'a>>) -> Need<'a> {
    let mut all = Vec::new();
    let mut any = false;
    let mut possible = false;
    for n in sides {
        match n {
            Need::Never => {}
            Need::Any => {
                possible = true;
                any = true;
            }
            Need::Atoms(v) => {
                possible = true;
                all.extend(v);
            }
        }
    }
    match (possible, any) {
        (false, _) => Need::Never,
        (true, true) => Need::Any,
        (true, false) => Need::Atoms(all),
    }
}

/// Which records a need is computed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    /// Documents without record types (mapped rules): nothing is pinned.
    Anything,
    /// Records of this type.
    Type(auditkit_interp::RecordType),
    /// Records of a type that no selection of any rule pins.
    Unpinned,
}

/// What a compiled test reads from an event: its values for a field,
/// and the text keywords search.
pub(crate) trait Doc {
    /// Call `visit` on each value of `f` until it returns true; whether
    /// one did.
    fn each(&self, f: &FieldKey, visit: &mut dyn FnMut(&[u8]) -> bool) -> bool;
    /// The text keywords are searched in.
    fn text(&self) -> &[u8];
}

impl Test {
    /// Atoms one of which every document this test holds on shows, or
    /// `None`. Tests that can hold without a value (`null`, `exists`),
    /// patterns without a literal (`re`, `cidr`, `*`, empty) or with one
    /// shorter than [`MIN_LITERAL`] (but see [`worth`]), and the audit fields whose values
    /// are computed rather than logged (`syscall` by name, the
    /// enrichment's upper-case names) have none; nor has `type`, which
    /// routes rules instead. `SYSCALL` with plain names gives
    /// [`Atom::Syscall`]s.
    pub(crate) fn atoms(&self) -> Option<Vec<Atom<'_>>> {
        if self.null || self.exists.is_some() || self.pats.is_empty() {
            return None;
        }
        let field = match &self.field {
            None | Some(FieldKey::Mapped(_)) => None,
            Some(FieldKey::Audit(n)) => {
                if n == b"SYSCALL" {
                    if self.all {
                        return None;
                    }
                    return self
                        .pats
                        .iter()
                        .map(|p| match p {
                            Pattern::Eq(l) if !l.is_empty() => Some(Atom::Syscall(l)),
                            _ => None,
                        })
                        .collect();
                }
                if n == b"syscall" || n == b"type" || n.first().is_some_and(u8::is_ascii_uppercase)
                {
                    return None;
                }
                Some(n.as_slice())
            }
        };
        let lits: Vec<&[u8]> = if self.all {
            // Every pattern must match: the longest literal is enough.
            vec![self
                .pats
                .iter()
                .filter_map(non_empty_literal)
                .max_by_key(|l| l.len())?]
        } else {
            self.pats
                .iter()
                .map(non_empty_literal)
                .collect::<Option<_>>()?
        };
        if !lits.iter().all(|l| worth(l)) {
            return None;
        }
        Some(
            lits.into_iter()
                .map(|lit| Atom::Lit { lit, field })
                .collect(),
        )
    }

    pub(crate) fn eval(&self, d: &dyn Doc) -> bool {
        let Some(f) = &self.field else {
            let hay = d.text();
            return if self.all {
                self.pats.iter().all(|p| p.matches(hay))
            } else {
                self.pats.iter().any(|p| p.matches(hay))
            };
        };
        if let Some(want) = self.exists {
            return d.each(f, &mut |_| true) == want;
        }
        if self.all {
            return self.pats.iter().all(|p| d.each(f, &mut |v| p.matches(v)))
                && (!self.null || !d.each(f, &mut |v| !v.is_empty()));
        }
        let mut seen = false;
        let null = self.null;
        let hit = d.each(f, &mut |v| {
            seen = true;
            (null && v.is_empty()) || self.pats.iter().any(|p| p.matches(v))
        });
        hit || (null && !seen)
    }
}

impl Selection {
    pub(crate) fn eval(&self, d: &dyn Doc) -> bool {
        self.alts.iter().any(|a| a.iter().all(|t| t.eval(d)))
    }

    /// What a document of `at` must show for this selection to hold:
    /// each alternative's best test (an alternative that pins other
    /// record types with `type:` cannot hold), for every alternative.
    /// Sound only where every value a test reads is in what the
    /// prefilter scans (see [`Test::atoms`] and [`crate::prefilter`]).
    pub(crate) fn need(&self, at: At) -> Need<'_> {
        union(self.alts.iter().map(|a| {
            let pinned_elsewhere = match (at, alt_types(a)) {
                (_, None) | (At::Anything, _) => false,
                (At::Type(t), Some(ts)) => !ts.contains(&t),
                (At::Unpinned, Some(_)) => true,
            };
            if pinned_elsewhere {
                return Need::Never;
            }
            best(a.iter().map(|t| t.atoms().map_or(Need::Any, Need::Atoms)))
        }))
    }

    /// The record types every alternative pins with `type:`, or `None`
    /// when one alternative does not pin a type.
    pub(crate) fn types(&self) -> Option<Vec<auditkit_interp::RecordType>> {
        let mut out = Vec::new();
        for a in &self.alts {
            out.extend(alt_types(a)?);
        }
        out.sort();
        out.dedup();
        Some(out)
    }

    /// The record types the alternatives that pin one pin.
    pub(crate) fn pinned_types(&self) -> Vec<auditkit_interp::RecordType> {
        self.alts
            .iter()
            .filter_map(|a| alt_types(a))
            .flatten()
            .collect()
    }

    /// Whether any test reads one of the parent fields.
    pub(crate) fn reads_parent(&self) -> bool {
        self.alts.iter().flatten().any(|t| {
            matches!(
                t.field,
                Some(FieldKey::Mapped(
                    Mapped::ParentImage | Mapped::ParentCommandLine
                ))
            )
        })
    }
}

/// The record types an alternative pins with a `type:` test: names
/// (`type: EXECVE`), or a prefix of names (`type|startswith: ANOM_`).
///
/// A record's type name is the table's name of its number (in any case,
/// or `UNKNOWN[N]` mapped to it), the number written in decimal, `UNKNOWN[N]`
/// for a number the table does not name, or, for a record whose type is
/// not a number at all ([`RecordType::INVALID`]), the token as written.
/// So a known name matches only records of its number, and a prefix that
/// starts with a letter and is not `UNKNOWN[`'s only those of the numbers
/// whose names it starts, and records of no number. Anything else (an
/// unknown name, `type: 1300`) pins nothing.
///
/// [`RecordType::INVALID`]: auditkit_interp::RecordType::INVALID
fn alt_types(alt: &[Test]) -> Option<Vec<auditkit_interp::RecordType>> {
    use auditkit_interp::{msgtype, RecordType};
    let t = alt.iter().find(|t| {
        t.field.as_ref() == Some(&FieldKey::Audit(b"type".to_vec()))
            && !t.all
            && !t.null
            && t.exists.is_none()
            && !t.pats.is_empty()
            && t.pats.iter().all(|p| match p {
                Pattern::Eq(_) => true,
                Pattern::Prefix(p) => letter_prefix(p),
                _ => false,
            })
    })?;
    let mut out = Vec::new();
    for p in &t.pats {
        match p {
            Pattern::Eq(l) => {
                let n = String::from_utf8_lossy(l).to_ascii_uppercase();
                out.push(msgtype::from_name(&n)?);
            }
            Pattern::Prefix(p) => {
                out.extend(known_types().iter().filter_map(|&(t, name)| {
                    (name.len() >= p.len() && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p))
                        .then_some(t)
                }));
                out.push(RecordType::INVALID);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A prefix that only type names can start with: a letter first, and
/// neither a prefix of `unknown[` nor starting with it.
fn letter_prefix(p: &[u8]) -> bool {
    const UNKNOWN: &[u8] = b"unknown[";
    let n = p.len().min(UNKNOWN.len());
    p.first().is_some_and(u8::is_ascii_alphabetic) && !p[..n].eq_ignore_ascii_case(&UNKNOWN[..n])
}

/// Every record type the table names, with its name.
fn known_types() -> &'static [(auditkit_interp::RecordType, &'static str)] {
    static ALL: std::sync::LazyLock<Vec<(auditkit_interp::RecordType, &'static str)>> =
        std::sync::LazyLock::new(|| {
            (0..=u16::MAX as i32)
                .map(auditkit_interp::RecordType)
                .filter_map(|t| Some((t, t.name()?)))
                .collect()
        });
    &ALL
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as name/value pairs and a text.
    struct D(Vec<(&'static str, &'static str)>, &'static str);
    impl Doc for D {
        fn each(&self, f: &FieldKey, visit: &mut dyn FnMut(&[u8]) -> bool) -> bool {
            let FieldKey::Audit(n) = f else { return false };
            self.0
                .iter()
                .filter(|(k, _)| k.as_bytes() == n.as_slice())
                .any(|(_, v)| visit(v.as_bytes()))
        }
        fn text(&self) -> &[u8] {
            self.1.as_bytes()
        }
    }

    fn sel(yaml: &str) -> Selection {
        let d = crate::yaml::parse(yaml).unwrap();
        selection(&d[0], Fields::Audit).unwrap()
    }

    fn is(yaml: &str, d: &D) -> bool {
        sel(yaml).eval(d)
    }

    #[test]
    fn maps_are_and_lists_are_or() {
        let d = D(vec![("type", "EXECVE"), ("a0", "curl"), ("a1", "-O")], "");
        assert!(is("type: execve\na0: [wget, curl]\n", &d));
        assert!(!is("type: execve\na0: wget\n", &d));
        assert!(is("- {a0: wget}\n- {a1: '-o'}\n", &d));
        assert!(!is("- {a0: wget}\n- {a1: '-x'}\n", &d));
    }

    #[test]
    fn every_modifier() {
        let d = D(
            vec![
                ("name", "/home/u/.bashrc"),
                ("a1", "777"),
                ("exe", "/usr/bin/Python3"),
            ],
            "",
        );
        assert!(is("name|startswith: /home/\n", &d));
        assert!(is("name|endswith: /.bashrc\n", &d));
        assert!(is("name|contains: /u/\n", &d));
        assert!(is("name|contains|all: [home, bash]\n", &d));
        assert!(!is("name|contains|all: [home, zsh]\n", &d));
        assert!(is("name|re: '(^|\\/)\\.[^.\\/]'\n", &d));
        assert!(!is("exe|re: python\n", &d));
        assert!(is("exe|re|i: python\n", &d));
        assert!(is("a1: 777\n", &d), "YAML numbers are their decimal text");
        assert!(is("name|exists: true\n", &d));
        assert!(is("nosuch|exists: false\n", &d));
        assert!(!is("nosuch|exists: true\n", &d));
        let e = selection(
            &crate::yaml::parse("a|base64offset: x\n").unwrap()[0],
            Fields::Audit,
        );
        assert!(
            matches!(e, Err(Unsupported::Modifier { modifier, .. }) if modifier == "base64offset")
        );
    }

    #[test]
    fn absent_fields_and_null() {
        let d = D(vec![("a0", "x"), ("a1", "")], "");
        assert!(!is("a5: x\n", &d), "a missing field is false");
        assert!(is("a5: null\n", &d));
        assert!(is("a1: null\n", &d));
        assert!(!is("a0: null\n", &d));
    }

    #[test]
    fn keywords() {
        let d = D(vec![], "type=EXECVE argc=3 a0=\"dd\" a1=\"if=/dev/zero\"");
        assert!(is("- 'if='\n- nothere\n", &d));
        assert!(!is("- nothere\n", &d));
        assert!(is("'|all':\n  - dd\n  - 'IF='\n", &d));
        assert!(!is("'|all':\n  - dd\n  - 'of='\n", &d));
    }

    /// The literals of a selection's need (with the field they are in),
    /// or its syscall names as `SYSCALL=name`.
    fn needs_at(y: &str, at: At) -> Option<Vec<String>> {
        match sel(y).need(at) {
            Need::Atoms(v) => Some(
                v.iter()
                    .map(|a| match a {
                        Atom::Lit { lit, field } => format!(
                            "{}:{}",
                            field.map_or("*".into(), |f| String::from_utf8_lossy(f)),
                            String::from_utf8_lossy(lit)
                        ),
                        Atom::Syscall(n) => format!("SYSCALL={}", String::from_utf8_lossy(n)),
                    })
                    .collect(),
            ),
            Need::Any => None,
            Need::Never => Some(vec!["never".into()]),
        }
    }

    fn needs(y: &str) -> Option<Vec<String>> {
        needs_at(y, At::Anything)
    }

    fn v(s: &[&str]) -> Option<Vec<String>> {
        Some(s.iter().map(|x| x.to_string()).collect())
    }

    #[test]
    fn prefilter_atoms_only_where_the_record_shows_the_value() {
        assert_eq!(
            needs("type: EXECVE\na0|contains: [Wget, curl]\n"),
            v(&["a0:wget", "a0:curl"])
        );
        assert_eq!(
            needs("- {exe|endswith: /nc1}\n- {name: '/etc/*shadow'}\n"),
            v(&["exe:/nc1", "name:shadow"])
        );
        // The syscall's name is exact.
        assert_eq!(
            needs("type: SYSCALL\nSYSCALL: [ptrace, Mknod]\n"),
            v(&["SYSCALL=ptrace", "SYSCALL=mknod"])
        );
        assert_eq!(
            needs("type: SYSCALL\nSYSCALL: ptrace\na0: '4'\n"),
            v(&["SYSCALL=ptrace"])
        );
        // Computed values, absent values, regexes and short literals
        // give none.
        assert_eq!(needs("SYSCALL|contains: trace\n"), None);
        assert_eq!(needs("syscall: execve\n"), None);
        assert_eq!(needs("AUID: root\n"), None);
        assert_eq!(needs("a0: [xyz, null]\n"), None);
        assert_eq!(needs("a0|exists: true\n"), None);
        assert_eq!(needs("exe|re: 'nc$'\n"), None);
        assert_eq!(needs("a0: [xyz, '*']\n"), None);
        assert_eq!(needs("a0: [xyz, ab]\n"), None);
        assert_eq!(needs("name|contains: '/.'\n"), v(&["name:/."]));
        assert_eq!(needs("name|contains: '=\"'\n"), None);
        // `all`: the longest is enough; keywords are anywhere in the text.
        assert_eq!(needs("a0|contains|all: [ab, abcd]\n"), v(&["a0:abcd"]));
        assert_eq!(needs("- 'if=/'\n"), v(&["*:if=/"]));
    }

    #[test]
    fn alternatives_pinned_to_other_types_cannot_hold() {
        use auditkit_interp::RecordType;
        let y = "- {type: SYSCALL, exe|endswith: /useradd}\n- {type: ADD_USER}\n";
        assert_eq!(
            needs_at(y, At::Type(RecordType::SYSCALL)),
            v(&["exe:/useradd"])
        );
        assert_eq!(needs_at(y, At::Type(RecordType(1114))), None);
        assert_eq!(needs_at(y, At::Type(RecordType::PATH)), v(&["never"]));
        assert_eq!(needs_at(y, At::Unpinned), v(&["never"]));
        assert_eq!(needs_at(y, At::Anything), None);
        // An unpinned alternative holds anywhere.
        assert_eq!(
            needs_at("- {type: PATH}\n- {a0: xyz}\n", At::Unpinned),
            v(&["a0:xyz"])
        );
    }

    #[test]
    fn routing_types() {
        use auditkit_interp::RecordType;
        assert_eq!(
            sel("type: EXECVE\na0: x\n").types(),
            Some(vec![RecordType::EXECVE])
        );
        assert_eq!(
            sel("- {type: PATH}\n- {type: [SYSCALL, TTY]}\n")
                .types()
                .map(|v| v.len()),
            Some(3)
        );
        assert_eq!(sel("- {type: PATH}\n- {a0: x}\n").types(), None);
        assert_eq!(sel("type|contains: EXEC\n").types(), None);
        assert_eq!(sel("type: '1300'\n").types(), None);
        // A prefix of names: those types, and records of no known type
        // (whose name is the token as written).
        let anom = sel("type|startswith: anom_\n").types().unwrap();
        assert!(anom.contains(&RecordType::INVALID));
        assert!(anom.len() > 5, "{anom:?}");
        assert!(anom
            .iter()
            .all(|t| *t == RecordType::INVALID || t.name().unwrap().starts_with("ANOM_")));
        // Prefixes that decimal or UNKNOWN[N] names could start with pin
        // nothing.
        assert_eq!(sel("type|startswith: UNK\n").types(), None);
        assert_eq!(sel("type|startswith: '13'\n").types(), None);
    }
}
