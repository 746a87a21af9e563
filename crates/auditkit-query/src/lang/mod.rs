//! The `--where` language: a small filter language over the fields of an
//! event's records.
//!
//! ```text
//! EXECVE.a0 = "curl" and not auid in [0, unset]
//! exe ~ "^/tmp/" or (syscall = execve and has key)
//! raw(auid) >= 1000 and ses != unset
//! ```
//!
//! Like jq/jaq it is built as a pipeline: [`lex`] turns text into tokens
//! with byte spans, [`parse`] builds an [`Expr`] tree (each leaf keeps its
//! span), [`compile`] checks it (record types exist, regexes compile) and
//! [`Query::matches`] evaluates it on an event. Every error carries a span
//! and says what was expected, and [`QueryError::render`] draws a caret
//! under the column.
//!
//! Semantics in one paragraph (the full text is `docs/query.md`): a field
//! reference means "some occurrence of this field in some record" (of the
//! given type when qualified); a comparison holds when any occurrence
//! satisfies it, except `!=`/`!~`, which hold when the field is present
//! and *no* occurrence equals/matches. Values are decoded (quotes removed,
//! hex strings decoded); a number literal compares numerically with values
//! that are numbers (hex for `a0..a3` and `arch`); a word or string also
//! matches the interpreted value (`syscall = execve`, `auid = unset`,
//! `uid = root`). `raw(f)` and `interp(f)` select one form explicitly.

mod eval;
mod lex;
mod parse;

use std::fmt;

pub use eval::{EventView, Names};
pub use lex::{lex, Tok, Token};
pub use parse::{parse, parse_field};

/// A span of the query text: byte offsets `[start, end)`.
pub type Span = (usize, usize);

/// Which form of a field's value to compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Decoded, and for words also the interpreted form (the default).
    Auto,
    /// Exactly as logged (quotes and hex kept).
    Raw,
    /// As `ausearch -i` would print it.
    Interp,
}

/// A field reference: optional record type qualifier and the field name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    /// `EXECVE` in `EXECVE.a0`.
    pub rtype: Option<String>,
    /// The field name (or a pseudo-field: `type`, `node`, `serial`,
    /// `time`, `cmdline`).
    pub name: String,
    /// Which value form.
    pub form: Form,
    /// Where it was written.
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=` or `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `~` (regex search)
    Match,
    /// `!~`
    NotMatch,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// A quoted string or a bare word.
    Str(String),
    /// An integer (decimal, `0x` hex, or negative).
    Num(i128),
}

/// The syntax tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `has field`
    Has(FieldRef),
    /// `field op value`
    Cmp(FieldRef, Op, Lit, Span),
    /// `field in [v, ...]`
    In(FieldRef, Vec<(Lit, Span)>),
}

/// A query error: what went wrong, where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (column {})", .span.0 + 1)]
pub struct QueryError {
    /// Human text, e.g. "expected a value after '='".
    pub message: String,
    /// Where.
    pub span: Span,
}

impl QueryError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> QueryError {
        QueryError {
            message: message.into(),
            span,
        }
    }

    /// The error with the query and a caret line under the culprit.
    pub fn render(&self, src: &str) -> String {
        let col = src[..self.span.0.min(src.len())].chars().count();
        let width = src
            .get(self.span.0..self.span.1.max(self.span.0 + 1).min(src.len()))
            .map_or(1, |s| s.chars().count().max(1));
        format!(
            "{} (column {})\n  {}\n  {}{}",
            self.message,
            col + 1,
            src,
            " ".repeat(col),
            "^".repeat(width)
        )
    }
}

/// A compiled query.
#[derive(Debug)]
pub struct Query {
    pub(crate) root: eval::Node,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Match => "~",
            Op::NotMatch => "!~",
        })
    }
}

/// Parse and check `src`.
pub fn compile(src: &str) -> Result<Query, QueryError> {
    let expr = parse(src)?;
    Ok(Query {
        root: eval::check(&expr)?,
    })
}

impl Query {
    /// Strings one of which every event the query matches holds in a
    /// text field's value (see `crate::prefilter`), if the query gives
    /// such strings.
    pub fn needles(&self) -> Option<Vec<Vec<u8>>> {
        self.root.needles()
    }

    /// Whether the event satisfies the query.
    pub fn matches(&self, ev: &EventView<'_>, names: &Names<'_>) -> bool {
        self.root.eval(ev, names)
    }
}

/// A compiled field reference, for tallies (`--count-by`).
#[derive(Debug)]
pub struct FieldSel {
    f: eval::F,
}

/// Parse and check a field reference such as `exe`, `SYSCALL.auid` or
/// `interp(syscall)`.
pub fn compile_field(src: &str) -> Result<FieldSel, QueryError> {
    Ok(FieldSel {
        f: eval::field(&parse_field(src)?)?,
    })
}

impl FieldSel {
    /// The distinct values of the field in the event, in the field's form
    /// (decoded by default), in order of appearance.
    pub fn values(&self, ev: &EventView<'_>, names: &Names<'_>) -> Vec<Vec<u8>> {
        eval::values(ev, &self.f, names)
    }
}
