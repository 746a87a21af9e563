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

/// Of the literal sets of the sides of an `and` (`None`: no set), the
/// one whose shortest literal is longest (fewer chance hits).
pub(crate) fn best<'a>(sets: impl Iterator<Item = Option<Vec<&'a [u8]>>>) -> Option<Vec<&'a [u8]>> {
    sets.flatten()
        .max_by_key(|v| v.iter().map(|l| l.len()).min().unwrap_or(0))
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
    /// Literals one of which every value this test matches contains, or
    /// `None`. Tests that can hold without a value (`null`, `exists`),
    /// patterns without a literal (`re`, `cidr`, `*`, empty) and the
    /// audit fields whose values are computed rather than logged (the
    /// `SYSCALL` name, `syscall` by name, the enrichment's upper-case
    /// names) have none; `type` has none either, since rules are routed
    /// by it already.
    pub(crate) fn needs(&self) -> Option<Vec<&[u8]>> {
        if self.null || self.exists.is_some() || self.pats.is_empty() {
            return None;
        }
        if let Some(FieldKey::Audit(n)) = &self.field {
            if n == b"SYSCALL"
                || n == b"syscall"
                || n == b"type"
                || n.first().is_some_and(u8::is_ascii_uppercase)
            {
                return None;
            }
        }
        if self.all {
            // Every pattern must match: the longest literal is enough.
            self.pats
                .iter()
                .filter_map(non_empty_literal)
                .max_by_key(|l| l.len())
                .map(|l| vec![l])
        } else {
            self.pats.iter().map(non_empty_literal).collect()
        }
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

    /// Literals (lower case, none empty) one of which the text of every
    /// document this selection matches contains, ASCII case-insensitively,
    /// or `None` when there is no such set. Sound only where every value
    /// a test reads is a substring of [`Doc::text`] (see
    /// [`Test::needs`]).
    pub(crate) fn needs(&self) -> Option<Vec<&[u8]>> {
        let mut out = Vec::new();
        for a in &self.alts {
            out.extend(best(a.iter().map(Test::needs))?);
        }
        Some(out)
    }

    /// The record type names every alternative pins with `type:` (lower
    /// case), or `None` when one alternative does not pin a type.
    pub(crate) fn types(&self) -> Option<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for a in &self.alts {
            let t = a.iter().find(|t| {
                t.field.as_ref() == Some(&FieldKey::Audit(b"type".to_vec()))
                    && !t.all
                    && !t.null
                    && t.exists.is_none()
                    && !t.pats.is_empty()
                    && t.pats.iter().all(|p| matches!(p, Pattern::Eq(_)))
            })?;
            for p in &t.pats {
                if let Pattern::Eq(l) = p {
                    out.push(l.clone());
                }
            }
        }
        Some(out)
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

    #[test]
    fn prefilter_literals_only_where_the_text_shows_the_value() {
        let needs = |y: &str| {
            sel(y)
                .needs()
                .map(|v| v.iter().map(|l| l.to_vec()).collect::<Vec<_>>())
        };
        assert_eq!(
            needs("type: EXECVE\na0|contains: [Wget, curl]\n"),
            Some(vec![b"wget".to_vec(), b"curl".to_vec()])
        );
        assert_eq!(
            needs("- {exe|endswith: /nc}\n- {name: '/etc/*shadow'}\n"),
            Some(vec![b"/nc".to_vec(), b"shadow".to_vec()])
        );
        // Computed values, absent values and regexes give none.
        assert_eq!(needs("type: SYSCALL\nSYSCALL: ptrace\n"), None);
        assert_eq!(needs("syscall: execve\n"), None);
        assert_eq!(needs("AUID: root\n"), None);
        assert_eq!(needs("a0: [x, null]\n"), None);
        assert_eq!(needs("a0|exists: true\n"), None);
        assert_eq!(needs("exe|re: 'nc$'\n"), None);
        assert_eq!(needs("a0: [x, '*']\n"), None);
        // `all`: the longest is enough; keywords are in the text.
        assert_eq!(
            needs("a0|contains|all: [ab, abcd]\n"),
            Some(vec![b"abcd".to_vec()])
        );
        assert_eq!(needs("- 'if='\n"), Some(vec![b"if=".to_vec()]));
    }

    #[test]
    fn routing_types() {
        assert_eq!(
            sel("type: EXECVE\na0: x\n").types(),
            Some(vec![b"execve".to_vec()])
        );
        assert_eq!(
            sel("- {type: PATH}\n- {type: [SYSCALL, TTY]}\n")
                .types()
                .map(|v| v.len()),
            Some(3)
        );
        assert_eq!(sel("- {type: PATH}\n- {a0: x}\n").types(), None);
        assert_eq!(sel("type|contains: EXEC\n").types(), None);
    }
}
