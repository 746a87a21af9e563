//! Sigma conditions: `sel and not (filter1 or 1 of filter_*)`.
//!
//! Grammar (precedence `not` > `and` > `or`, as the specification says):
//!
//! ```text
//! or    := and ("or" and)*
//! and   := unary ("and" unary)*
//! unary := "not" unary | "(" or ")" | quant | NAME
//! quant := ("1" | "any" | "all") "of" (PATTERN | "them")
//! ```
//!
//! Names are resolved to selection indexes here, so evaluation never
//! looks a name up. `1 of them`/`all of them` cover the selections whose
//! name does not start with `_`. `|` (Sigma v1 aggregations such as
//! `| count() by host > 50`) and `near` are refused with the reason, as
//! is a name or pattern that matches no selection.

use crate::rule::Unsupported;

/// A condition, with selections as indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// One selection.
    Sel(usize),
    /// `not`
    Not(Box<Cond>),
    /// `and` of all.
    And(Vec<Cond>),
    /// `or` of all.
    Or(Vec<Cond>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Open,
    Close,
    Pipe,
}

fn lex(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let push = |cur: &mut String, out: &mut Vec<Tok>| {
        if !cur.is_empty() {
            out.push(Tok::Word(std::mem::take(cur)));
        }
    };
    for c in s.chars() {
        match c {
            '(' | ')' | '|' => {
                push(&mut cur, &mut out);
                out.push(match c {
                    '(' => Tok::Open,
                    ')' => Tok::Close,
                    _ => Tok::Pipe,
                });
            }
            '#' => break, // a trailing comment, as in `| near sel # requires both`
            c if c.is_whitespace() => push(&mut cur, &mut out),
            c => cur.push(c),
        }
    }
    push(&mut cur, &mut out);
    out
}

/// Deepest parenthesis nesting accepted.
const MAX_DEPTH: usize = 64;

struct P<'a> {
    toks: Vec<Tok>,
    pos: usize,
    names: &'a [String],
    depth: usize,
}

fn err(m: impl Into<String>) -> Unsupported {
    Unsupported::Condition(m.into())
}

/// Names matching a `*` pattern.
fn expand(pat: &str, names: &[String], them: bool) -> Vec<usize> {
    names
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            if them {
                return !n.starts_with('_');
            }
            glob(pat.as_bytes(), n.as_bytes())
        })
        .map(|(i, _)| i)
        .collect()
}

/// `*` glob over names (case-sensitive, as selection names are).
fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.iter().position(|&c| c == b'*') {
        None => p == s,
        Some(i) => {
            if s.len() < i || p[..i] != s[..i] {
                return false;
            }
            let rest = &p[i + 1..];
            (i..=s.len()).any(|j| glob(rest, &s[j..]))
        }
    }
}

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn word(&self) -> Option<&str> {
        match self.peek() {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Cond, Unsupported> {
        let mut v = vec![self.and()?];
        while self.word().is_some_and(|w| w.eq_ignore_ascii_case("or")) {
            self.pos += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Cond::Or(v)
        })
    }

    fn and(&mut self) -> Result<Cond, Unsupported> {
        let mut v = vec![self.unary()?];
        while self.word().is_some_and(|w| w.eq_ignore_ascii_case("and")) {
            self.pos += 1;
            v.push(self.unary()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Cond::And(v)
        })
    }

    fn unary(&mut self) -> Result<Cond, Unsupported> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err("nested too deeply"));
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Cond, Unsupported> {
        match self.peek().cloned() {
            None => Err(err("ends where a selection was expected")),
            Some(Tok::Pipe) => Err(err(
                "'|' aggregations (Sigma v1 '| count() ...') are not supported; \
                 write a Sigma correlation rule",
            )),
            Some(Tok::Close) => Err(err("')' where a selection was expected")),
            Some(Tok::Open) => {
                self.pos += 1;
                let c = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(err("missing ')'"));
                }
                self.pos += 1;
                Ok(c)
            }
            Some(Tok::Word(w)) => {
                let lw = w.to_ascii_lowercase();
                if lw == "not" {
                    self.pos += 1;
                    return Ok(Cond::Not(Box::new(self.unary()?)));
                }
                if matches!(lw.as_str(), "and" | "or" | "of" | "them") {
                    return Err(err(format!("'{w}' where a selection was expected")));
                }
                if lw == "near" {
                    return Err(err("'near' is not supported"));
                }
                let quant = match lw.as_str() {
                    "1" | "any" => Some(false),
                    "all" => Some(true),
                    _ => None,
                };
                let next_is_of = matches!(self.toks.get(self.pos + 1), Some(Tok::Word(o)) if o.eq_ignore_ascii_case("of"));
                if let (Some(all), true) = (quant, next_is_of) {
                    self.pos += 2;
                    let Some(target) = self.word().map(str::to_string) else {
                        return Err(err(format!("'{w} of' needs a pattern or 'them'")));
                    };
                    self.pos += 1;
                    let them = target.eq_ignore_ascii_case("them");
                    let idx = expand(&target, self.names, them);
                    if idx.is_empty() {
                        return Err(err(format!("'{w} of {target}' matches no selection")));
                    }
                    let v: Vec<Cond> = idx.into_iter().map(Cond::Sel).collect();
                    return Ok(if all { Cond::And(v) } else { Cond::Or(v) });
                }
                if let Some(n) = w.parse::<u64>().ok().filter(|_| next_is_of) {
                    return Err(err(format!(
                        "'{n} of' is not supported (only 1 of, all of)"
                    )));
                }
                self.pos += 1;
                match self.names.iter().position(|n| *n == w) {
                    Some(i) => Ok(Cond::Sel(i)),
                    None => Err(err(format!("'{w}' is not a selection of this rule"))),
                }
            }
        }
    }
}

/// Parse `src` against the rule's selection names.
pub fn parse(src: &str, names: &[String]) -> Result<Cond, Unsupported> {
    let toks = lex(src);
    // What the engine does not do is said first, whatever else is wrong.
    if toks
        .iter()
        .any(|t| matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case("near")))
    {
        return Err(err(
            "'near' (temporal proximity within one rule) is not supported",
        ));
    }
    if toks.contains(&Tok::Pipe) {
        return Err(err(
            "'|' aggregations (Sigma v1 '| count() ...') are not supported; \
             write a Sigma correlation rule",
        ));
    }
    let mut p = P {
        toks,
        pos: 0,
        names,
        depth: 0,
    };
    let c = p.or()?;
    match p.peek() {
        None => Ok(c),
        Some(Tok::Pipe) => Err(err(
            "'|' aggregations (Sigma v1 '| count() ...') are not supported; \
             write a Sigma correlation rule",
        )),
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("near") => Err(err("'near' is not supported")),
        Some(t) => Err(err(format!("unexpected {t:?} after a complete condition"))),
    }
}

impl Cond {
    /// Evaluate with `sel` deciding each selection.
    pub fn eval(&self, sel: &mut dyn FnMut(usize) -> bool) -> bool {
        match self {
            Cond::Sel(i) => sel(*i),
            Cond::Not(c) => !c.eval(sel),
            Cond::And(v) => v.iter().all(|c| c.eval(sel)),
            Cond::Or(v) => v.iter().any(|c| c.eval(sel)),
        }
    }

    /// The selections the condition can only be true with (one of which
    /// must match, from an `and` on any side and an `or` on every side),
    /// for routing; `None` when there is no such set (a `not` at the top).
    pub fn required(&self) -> Option<Vec<usize>> {
        match self {
            Cond::Sel(i) => Some(vec![*i]),
            Cond::Not(_) => None,
            Cond::And(v) => v.iter().filter_map(Cond::required).min_by_key(Vec::len),
            Cond::Or(v) => {
                let mut all = Vec::new();
                for c in v {
                    all.extend(c.required()?);
                }
                Some(all)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn ev(src: &str, n: &[&str], truth: &[bool]) -> bool {
        let c = parse(src, &names(n)).unwrap();
        c.eval(&mut |i| truth[i])
    }

    #[test]
    fn precedence_is_not_and_or() {
        let n = ["a", "b", "c"];
        assert!(ev("a or b and c", &n, &[true, false, false]));
        assert!(!ev("not a and b", &n, &[true, true, false]));
        assert!(ev("not a or b", &n, &[true, true, false]));
        assert!(!ev("(a or b) and c", &n, &[true, false, false]));
        assert!(ev("a and not (b or c)", &n, &[true, false, false]));
        assert!(ev("a AND NOT b", &n, &[true, false, false]));
    }

    #[test]
    fn quantifiers() {
        let n = ["sel_a", "sel_b", "filter", "_hidden"];
        assert!(ev("1 of sel_*", &n, &[false, true, false, false]));
        assert!(!ev("all of sel_*", &n, &[false, true, false, false]));
        assert!(ev("all of sel_*", &n, &[true, true, false, false]));
        assert!(ev("any of sel*", &n, &[true, false, false, false]));
        assert!(ev("1 of them", &n, &[false, false, true, false]));
        assert!(!ev("1 of them", &n, &[false, false, false, true]));
        assert!(ev("all of them", &n, &[true, true, true, false]));
        assert!(!ev("all of them", &n, &[true, true, false, true]));
        assert!(ev(
            "sel_a and not 1 of filter*",
            &n,
            &[true, false, false, false]
        ));
    }

    #[test]
    fn refusals_say_why() {
        let n = names(&["selection", "sel2"]);
        for (src, why) in [
            ("selection | count() by host > 50", "aggregations"),
            ("selection_proctitle |near selection_syscall", "near"),
            ("selection near sel2", "near"),
            ("nosuch", "not a selection"),
            ("1 of x*", "matches no selection"),
            ("2 of sel*", "only 1 of"),
            ("(selection", "missing ')'"),
            ("selection and", "ends where"),
            ("selection sel2", "unexpected"),
        ] {
            let e = parse(src, &n).unwrap_err().to_string();
            assert!(e.contains(why), "{src}: {e}");
        }
        let deep = "(".repeat(100) + "selection" + &")".repeat(100);
        assert!(parse(&deep, &n).is_err());
    }

    #[test]
    fn required_selections() {
        let n = names(&["a", "b", "c"]);
        assert_eq!(parse("a and not b", &n).unwrap().required(), Some(vec![0]));
        assert_eq!(
            parse("a or (b and c)", &n).unwrap().required(),
            Some(vec![0, 1])
        );
        assert_eq!(parse("not a", &n).unwrap().required(), None);
    }
}
