//! Tokens of the `--where` language.

use super::{QueryError, Span};

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name: field, record type, keyword or bare word value.
    Ident(String),
    /// A quoted string (escapes resolved).
    Str(String),
    /// An integer.
    Num(i128),
    /// An operator or punctuation: `= == != < <= > >= ~ !~ ( ) [ ] , .`
    Punct(&'static str),
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What.
    pub tok: Tok,
    /// Where.
    pub span: Span,
}

const PUNCT: [&str; 15] = [
    "==", "!=", "<=", ">=", "!~", "=", "<", ">", "~", "(", ")", "[", "]", ",", ".",
];

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'/' | b':' | b'@')
}

/// Split `src` into tokens.
pub fn lex(src: &str) -> Result<Vec<Token>, QueryError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'"' || c == b'\'' {
            let mut s = Vec::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => {
                        return Err(QueryError::new(
                            format!("unterminated string: expected a closing {}", c as char),
                            (start, b.len()),
                        ))
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => {
                        let e = b.get(i + 1).copied().ok_or_else(|| {
                            QueryError::new("expected a character after '\\'", (i, i + 1))
                        })?;
                        s.push(match e {
                            b'n' => b'\n',
                            b't' => b'\t',
                            other => other,
                        });
                        i += 2;
                    }
                    Some(&o) => {
                        s.push(o);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(String::from_utf8_lossy(&s).into_owned()),
                span: (start, i),
            });
            continue;
        }
        if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            let text = &src[start..i];
            let (neg, body) = match text.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, text),
            };
            // 0x.. is hex, and like C (and `mode=0100644` in logs) a
            // leading 0 means octal.
            let v = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                Some(h) => i128::from_str_radix(h, 16),
                None if body.len() > 1 && body.starts_with('0') => i128::from_str_radix(&body[1..], 8),
                None => body.parse::<i128>(),
            }
            .map_err(|_| {
                QueryError::new(
                    format!("'{text}' is not a number (expected digits, 0 and octal digits, or 0x and hex digits)"),
                    (start, i),
                )
            })?;
            out.push(Token {
                tok: Tok::Num(if neg { -v } else { v }),
                span: (start, i),
            });
            continue;
        }
        if ident_start(c) {
            while i < b.len() && ident_char(b[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[start..i].to_string()),
                span: (start, i),
            });
            continue;
        }
        if let Some(p) = PUNCT.iter().find(|p| src[i..].starts_with(**p)) {
            i += p.len();
            out.push(Token {
                tok: Tok::Punct(p),
                span: (start, i),
            });
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return Err(QueryError::new(
            format!("unexpected character '{ch}': expected a field, a value, an operator or a parenthesis"),
            (i, i + ch.len_utf8()),
        ));
    }
    Ok(out)
}
