//! Recursive-descent parser of the `--where` language.
//!
//! ```text
//! expr    = and ("or" and)*
//! and     = unary ("and" unary)*
//! unary   = "not" unary | primary
//! primary = "(" expr ")" | "has" field | field op value | field "in" "[" value ("," value)* "]"
//! field   = name | TYPE "." name | ("raw" | "interp") "(" field ")"
//! value   = "string" | 'string' | number | word
//! ```

use super::lex::{lex, Tok, Token};
use super::{Expr, FieldRef, Form, Lit, Op, QueryError, Span};

struct Parser<'a> {
    toks: Vec<Token>,
    pos: usize,
    src: &'a str,
}

/// Parse `src` into a syntax tree.
pub fn parse(src: &str) -> Result<Expr, QueryError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(QueryError::new(
            "empty query: expected a condition such as 'exe ~ \"^/tmp/\"'",
            (0, 0),
        ));
    }
    let mut p = Parser { toks, pos: 0, src };
    let e = p.expr()?;
    if let Some(t) = p.peek() {
        return Err(QueryError::new(
            format!(
                "unexpected '{}': expected 'and', 'or' or the end of the query",
                p.text(t.span)
            ),
            t.span,
        ));
    }
    Ok(e)
}

/// Parse `src` as a single field reference (for `--count-by`).
pub fn parse_field(src: &str) -> Result<FieldRef, QueryError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0, src };
    let f = p.field()?;
    if let Some(t) = p.peek() {
        return Err(QueryError::new(
            format!(
                "unexpected '{}': expected only a field name",
                p.text(t.span)
            ),
            t.span,
        ));
    }
    Ok(f)
}

fn is_kw(t: &Tok, kw: &str) -> bool {
    matches!(t, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }
    fn text(&self, s: Span) -> &str {
        &self.src[s.0..s.1]
    }
    fn end_span(&self) -> Span {
        (self.src.len(), self.src.len())
    }
    fn next_span(&self) -> Span {
        self.peek().map_or(self.end_span(), |t| t.span)
    }
    fn found(&self) -> String {
        match self.peek() {
            Some(t) => format!("'{}'", self.text(t.span)),
            None => "the end of the query".to_string(),
        }
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek().is_some_and(|t| is_kw(&t.tok, kw)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_punct(&mut self, p: &str) -> Option<Span> {
        match self.peek() {
            Some(Token {
                tok: Tok::Punct(q),
                span,
            }) if *q == p => {
                let s = *span;
                self.pos += 1;
                Some(s)
            }
            _ => None,
        }
    }
    fn expect_punct(&mut self, p: &str, what: &str) -> Result<Span, QueryError> {
        self.eat_punct(p).ok_or_else(|| {
            QueryError::new(
                format!("expected '{p}' {what}, found {}", self.found()),
                self.next_span(),
            )
        })
    }

    fn expr(&mut self) -> Result<Expr, QueryError> {
        let mut l = self.and()?;
        while self.eat_kw("or") {
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut l = self.unary()?;
        while self.eat_kw("and") {
            let r = self.unary()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.eat_kw("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        if self.eat_punct("(").is_some() {
            let e = self.expr()?;
            self.expect_punct(")", "to close the parenthesis")?;
            return Ok(e);
        }
        if self.eat_kw("has") {
            return Ok(Expr::Has(self.field()?));
        }
        let f = self.field()?;
        if self.eat_kw("in") {
            self.expect_punct("[", "after 'in'")?;
            let mut vals = vec![self.value("in a list")?];
            while self.eat_punct(",").is_some() {
                vals.push(self.value("after ','")?);
            }
            self.expect_punct("]", "to close the list (or ',' and another value)")?;
            return Ok(Expr::In(f, vals));
        }
        let op = match self.peek() {
            Some(Token {
                tok: Tok::Punct(p), ..
            }) => match *p {
                "=" | "==" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                "~" => Op::Match,
                "!~" => Op::NotMatch,
                _ => return Err(self.expected_op(&f)),
            },
            _ => return Err(self.expected_op(&f)),
        };
        self.pos += 1;
        let (lit, span) = self.value(&format!("after '{op}'"))?;
        Ok(Expr::Cmp(f, op, lit, span))
    }

    fn expected_op(&self, f: &FieldRef) -> QueryError {
        QueryError::new(
            format!(
                "expected an operator after '{}' (= != < <= > >= ~ !~ or 'in'), found {}",
                self.text(f.span),
                self.found()
            ),
            self.next_span(),
        )
    }

    fn field(&mut self) -> Result<FieldRef, QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Err(QueryError::new(
                "expected a field name (e.g. exe, auid, EXECVE.a0), found the end of the query",
                self.end_span(),
            ));
        };
        let Tok::Ident(name) = t.tok else {
            return Err(QueryError::new(
                format!(
                    "expected a field name (e.g. exe, auid, EXECVE.a0), found '{}'",
                    self.text(t.span)
                ),
                t.span,
            ));
        };
        self.pos += 1;
        let lower = name.to_ascii_lowercase();
        if (lower == "raw" || lower == "interp") && self.eat_punct("(").is_some() {
            let mut inner = self.field()?;
            let close = self.expect_punct(")", "to close the field")?;
            inner.form = if lower == "raw" {
                Form::Raw
            } else {
                Form::Interp
            };
            inner.span = (t.span.0, close.1);
            return Ok(inner);
        }
        if self.eat_punct(".").is_some() {
            let Some(Token {
                tok: Tok::Ident(field),
                span,
            }) = self.peek().cloned()
            else {
                return Err(QueryError::new(
                    format!(
                        "expected a field name after '{name}.', found {}",
                        self.found()
                    ),
                    self.next_span(),
                ));
            };
            self.pos += 1;
            return Ok(FieldRef {
                rtype: Some(name),
                name: field,
                form: Form::Auto,
                span: (t.span.0, span.1),
            });
        }
        Ok(FieldRef {
            rtype: None,
            name,
            form: Form::Auto,
            span: t.span,
        })
    }

    fn value(&mut self, ctx: &str) -> Result<(Lit, Span), QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Err(QueryError::new(
                format!("expected a value {ctx} (a \"string\", a number or a word), found the end of the query"),
                self.end_span(),
            ));
        };
        let lit = match t.tok {
            Tok::Ident(s) if ["and", "or", "not", "in", "has"].contains(&s.to_ascii_lowercase().as_str()) => {
                return Err(QueryError::new(
                    format!(
                        "expected a value {ctx} (a \"string\", a number or a word), found the keyword '{s}' (quote it to use it as a value)"
                    ),
                    t.span,
                ))
            }
            Tok::Str(s) | Tok::Ident(s) => Lit::Str(s),
            Tok::Num(n) => Lit::Num(n),
            Tok::Punct(_) => {
                return Err(QueryError::new(
                    format!(
                        "expected a value {ctx} (a \"string\", a number or a word), found '{}'",
                        self.text(t.span)
                    ),
                    t.span,
                ))
            }
        };
        self.pos += 1;
        Ok((lit, t.span))
    }
}
