//! Option parsing of one rules-file line, following auditctl 3.0.9's
//! `setopt` (getopt_long with `hicslDvtC:e:f:r:b:a:A:d:S:F:m:R:w:W:k:p:q:`).
//!
//! The parser checks syntax only: known options, a `list,action` pair, a
//! field name and operator, permission letters, numbers where numbers are
//! required. Constraints that depend on the combination (a field on the wrong
//! list, `arch` after `-S`, a key without a syscall) are left to
//! [`crate::lint`] so that they get a code, a severity and a fix, and to
//! [`crate::resolve`], which refuses what the kernel would refuse.

use crate::ast::*;
use crate::error::ParseError;
use crate::fields::{Action, Field, FilterList, Op, PermError, Perms};
use crate::lexer::{lex_line, Lexed, Word};

/// Parse a whole rules file. Every line is parsed; errors are collected and
/// the line is kept as [`LineKind::Invalid`].
pub fn parse_file(name: &str, text: &str) -> (RuleFile, Vec<ParseError>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut body = text;
    // A final newline does not start another line.
    if let Some(stripped) = body.strip_suffix('\n') {
        body = stripped;
    }
    if !text.is_empty() {
        for (i, raw) in body.split('\n').enumerate() {
            let number = i as u32 + 1;
            let kind = match parse_line(name, number, raw) {
                Ok(kind) => kind,
                Err(e) => {
                    errors.push(e);
                    LineKind::Invalid
                }
            };
            lines.push(Line {
                number,
                text: raw.to_string(),
                kind,
            });
        }
    }
    (
        RuleFile {
            name: name.to_string(),
            lines,
        },
        errors,
    )
}

/// Parse one line (without its `\n`).
pub fn parse_line(file: &str, number: u32, raw: &str) -> Result<LineKind, ParseError> {
    match lex_line(raw) {
        Lexed::Blank => Ok(LineKind::Blank),
        Lexed::Comment => Ok(LineKind::Comment),
        Lexed::Words(words) => {
            let mut p = LineParser {
                file,
                line: number,
                raw,
                words: &words,
                pos: 0,
            };
            p.parse().map(LineKind::Command)
        }
    }
}

struct LineParser<'a> {
    file: &'a str,
    line: u32,
    raw: &'a str,
    words: &'a [Word],
    pos: usize,
}

/// Options taking an argument, per the getopt string.
const WITH_ARG: &str = "CefrbaAdSFmRwWkpq";
/// Long options: name, takes an argument.
const LONG: [(&str, bool); 5] = [
    ("loginuid-immutable", false),
    ("backlog_wait_time", true),
    ("reset-lost", false),
    ("reset_backlog_wait_time_actual", false),
    ("signal", true),
];

/// One option occurrence with its argument.
struct Opt {
    name: String,
    arg: Option<(String, Span)>,
    span: Span,
}

impl<'a> LineParser<'a> {
    fn span_of(&self, w: &Word) -> Span {
        Span {
            line: self.line,
            col: w.col,
            len: w.raw_len,
        }
    }

    fn end_span(&self) -> Span {
        Span {
            line: self.line,
            col: self.raw.len() as u32 + 1,
            len: 0,
        }
    }

    fn err(&self, span: Span, expected: impl Into<String>, found: Option<&str>) -> ParseError {
        ParseError {
            file: self.file.to_string(),
            line: span.line,
            col: span.col,
            expected: expected.into(),
            found: found.map(str::to_string),
        }
    }

    /// getopt: split words into options with their arguments.
    fn options(&mut self) -> Result<Vec<Opt>, ParseError> {
        let mut out = Vec::new();
        let words = self.words;
        while self.pos < words.len() {
            let w = &words[self.pos];
            let span = self.span_of(w);
            self.pos += 1;
            let t = w.text.as_str();
            if let Some(long) = t.strip_prefix("--") {
                if long.is_empty() {
                    let rest = words.get(self.pos).map(|w| w.text.as_str());
                    return Err(self.err(span, "an option", rest.or(Some("--"))));
                }
                let (name, attached) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let exact = LONG.iter().find(|(n, _)| *n == name);
                let cands: Vec<_> = LONG.iter().filter(|(n, _)| n.starts_with(name)).collect();
                let (lname, has_arg) = match (exact, cands.as_slice()) {
                    (Some(e), _) => *e,
                    (None, [one]) => **one,
                    _ => return Err(self.err(span, "a known long option", Some(t))),
                };
                let arg = if has_arg {
                    match attached {
                        Some(v) => Some((v, span)),
                        None => match words.get(self.pos) {
                            Some(n) => {
                                self.pos += 1;
                                Some((n.text.clone(), self.span_of(n)))
                            }
                            None => {
                                return Err(self.err(
                                    self.end_span(),
                                    format!("a value after --{lname}"),
                                    None,
                                ))
                            }
                        },
                    }
                } else if attached.is_some() {
                    return Err(self.err(span, format!("no value after --{lname}"), Some(t)));
                } else {
                    None
                };
                out.push(Opt {
                    name: format!("--{lname}"),
                    arg,
                    span,
                });
            } else if t.len() > 1 && t.starts_with('-') {
                let chars: Vec<char> = t[1..].chars().collect();
                let mut k = 0;
                while k < chars.len() {
                    let c = chars[k];
                    k += 1;
                    if WITH_ARG.contains(c) {
                        let rest: String = chars[k..].iter().collect();
                        let arg = if !rest.is_empty() {
                            let off = t.len() - rest.len();
                            Some((
                                rest,
                                Span {
                                    line: self.line,
                                    col: w.col + off as u32,
                                    len: (t.len() - off) as u32,
                                },
                            ))
                        } else {
                            match words.get(self.pos) {
                                Some(n) => {
                                    self.pos += 1;
                                    Some((n.text.clone(), self.span_of(n)))
                                }
                                None => {
                                    return Err(self.err(
                                        self.end_span(),
                                        format!("{} after -{c}", arg_name(c)),
                                        None,
                                    ))
                                }
                            }
                        };
                        out.push(Opt {
                            name: format!("-{c}"),
                            arg,
                            span,
                        });
                        break;
                    } else if "hicslDvt".contains(c) {
                        out.push(Opt {
                            name: format!("-{c}"),
                            arg: None,
                            span,
                        });
                    } else {
                        return Err(self.err(span, "an auditctl option", Some(t)));
                    }
                }
            } else {
                return Err(self.err(span, "an option (a value was given without one)", Some(t)));
            }
        }
        Ok(out)
    }

    fn parse(&mut self) -> Result<Command, ParseError> {
        let opts = self.options()?;
        let first = &opts[0];
        let whole = Span {
            line: self.line,
            col: first.span.col,
            len: self.raw.len() as u32 + 1 - first.span.col,
        };
        // -D alone, or -D -k key.
        if first.name == "-D" {
            return match opts.as_slice() {
                [_] => Ok(Command::Control(Spanned {
                    value: Control::DeleteAll(None),
                    span: whole,
                })),
                [_, k] if k.name == "-k" => {
                    let key = k.arg.as_ref().map(|a| a.0.clone());
                    Ok(Command::Control(Spanned {
                        value: Control::DeleteAll(key),
                        span: whole,
                    }))
                }
                [_, o, ..] => Err(self.err(o.span, "nothing or -k key after -D", Some(&o.name))),
                [] => unreachable!("options() returns at least one option for a non-empty line"),
            };
        }
        let is_control = |o: &Opt| {
            matches!(
                o.name.as_str(),
                "-e" | "-f"
                    | "-b"
                    | "-r"
                    | "-i"
                    | "-c"
                    | "--backlog_wait_time"
                    | "--loginuid-immutable"
                    | "--reset-lost"
                    | "--reset_backlog_wait_time_actual"
            )
        };
        if is_control(first) {
            if let Some(extra) = opts.get(1) {
                return Err(self.err(extra.span, "one control option per line", Some(&extra.name)));
            }
            let arg = first.arg.clone();
            let control = match first.name.as_str() {
                "-e" | "-f" => {
                    let (v, sp) = arg.unwrap_or_default();
                    let n = match v.as_str() {
                        "0" => 0,
                        "1" => 1,
                        "2" => 2,
                        _ => {
                            return Err(self.err(
                                sp,
                                format!("0, 1 or 2 after {}", first.name),
                                Some(&v),
                            ))
                        }
                    };
                    if first.name == "-e" {
                        Control::Enable(n)
                    } else {
                        Control::Failure(n)
                    }
                }
                "-b" | "-r" | "--backlog_wait_time" => {
                    let (v, sp) = arg.unwrap_or_default();
                    let n = parse_c_ulong(&v)
                        .filter(|_| v.starts_with(|c: char| c.is_ascii_digit()))
                        .ok_or_else(|| {
                            self.err(sp, format!("a number after {}", first.name), Some(&v))
                        })?;
                    match first.name.as_str() {
                        "-b" => Control::Backlog(n),
                        "-r" => Control::RateLimit(n),
                        _ => Control::BacklogWaitTime(n),
                    }
                }
                "-i" => Control::IgnoreErrors,
                "-c" => Control::ContinueOnError,
                "--loginuid-immutable" => Control::LoginuidImmutable,
                "--reset-lost" => Control::ResetLost,
                _ => Control::ResetBacklogWaitTimeActual,
            };
            return Ok(Command::Control(Spanned {
                value: control,
                span: whole,
            }));
        }
        self.parse_rule(opts, whole).map(Command::Rule)
    }

    fn parse_rule(&self, opts: Vec<Opt>, whole: Span) -> Result<Rule, ParseError> {
        let mut head: Option<(RuleOp, FilterList, Action, Span, bool)> = None;
        let mut watch: Option<(RuleOp, Spanned<String>)> = None;
        let mut items = Vec::new();
        for o in opts {
            let (arg, asp) = o.arg.clone().unwrap_or_default();
            match o.name.as_str() {
                "-a" | "-A" | "-d" => {
                    if head.is_some() {
                        return Err(self.err(o.span, "one -a/-A/-d per rule", Some(&o.name)));
                    }
                    if watch.is_some() {
                        return Err(self.err(
                            o.span,
                            "no -a/-A/-d in a -w/-W watch",
                            Some(&o.name),
                        ));
                    }
                    let (list, action, list_first) = self.list_action(&arg, asp)?;
                    let op = match o.name.as_str() {
                        "-a" => RuleOp::Append,
                        "-A" => RuleOp::Prepend,
                        _ => RuleOp::Delete,
                    };
                    head = Some((op, list, action, asp, list_first));
                }
                "-w" | "-W" => {
                    if head.is_some() || watch.is_some() {
                        return Err(self.err(
                            o.span,
                            "a watch without -a/-A/-d or another -w",
                            Some(&o.name),
                        ));
                    }
                    if !arg.starts_with('/') {
                        return Err(self.err(
                            asp,
                            format!("an absolute path after {}", o.name),
                            Some(&arg),
                        ));
                    }
                    let op = if o.name == "-w" {
                        RuleOp::Append
                    } else {
                        RuleOp::Delete
                    };
                    watch = Some((
                        op,
                        Spanned {
                            value: arg,
                            span: asp,
                        },
                    ));
                }
                "-S" => {
                    let mut list = Vec::new();
                    let mut off = 0u32;
                    for piece in arg.split(',') {
                        let sp = Span {
                            line: self.line,
                            col: asp.col + off,
                            len: piece.len() as u32,
                        };
                        off += piece.len() as u32 + 1;
                        if piece.is_empty() {
                            continue;
                        }
                        let spec = if piece == "all" {
                            SyscallSpec::All
                        } else if piece.starts_with(|c: char| c.is_ascii_digit()) {
                            match parse_c_long(piece) {
                                Some(n) if (0..=u32::MAX as i64).contains(&n) => {
                                    SyscallSpec::Number(n as u32)
                                }
                                _ => {
                                    return Err(self.err(
                                        sp,
                                        "a syscall name or number",
                                        Some(piece),
                                    ))
                                }
                            }
                        } else {
                            SyscallSpec::Name(piece.to_string())
                        };
                        list.push(Spanned {
                            value: spec,
                            span: sp,
                        });
                    }
                    if list.is_empty() {
                        return Err(self.err(asp, "a syscall name or number after -S", Some(&arg)));
                    }
                    items.push(Item::Syscalls(list));
                }
                "-F" => {
                    if head.is_none() && watch.is_none() {
                        return Err(self.err(o.span, "-a list,action before -F", Some("-F")));
                    }
                    if let Some(k) = arg.strip_prefix("key=") {
                        let sp = Span {
                            col: asp.col + 4,
                            len: asp.len.saturating_sub(4),
                            ..asp
                        };
                        items.push(Item::Key(
                            Spanned {
                                value: k.to_string(),
                                span: sp,
                            },
                            KeyForm::Field,
                        ));
                        continue;
                    }
                    let Some((name, op, value, at)) = Op::split(&arg) else {
                        return Err(self.err(
                            asp,
                            "an operator (= != < > <= >= & &=) in -F",
                            Some(&arg),
                        ));
                    };
                    if name.is_empty() {
                        return Err(self.err(asp, "a field name after -F", Some(&arg)));
                    }
                    let Some(field) = Field::from_name(name) else {
                        return Err(self.err(asp, "a field name after -F", Some(name)));
                    };
                    let vcol = asp.col + (at + op.symbol().len()) as u32;
                    if value.is_empty() {
                        let sp = Span {
                            col: vcol,
                            len: 0,
                            ..asp
                        };
                        return Err(self.err(sp, format!("a value after {name}{op}"), None));
                    }
                    items.push(Item::Field(FieldCond {
                        field,
                        written: name.to_string(),
                        op,
                        value: Spanned {
                            value: value.to_string(),
                            span: Span {
                                col: vcol,
                                len: value.len() as u32,
                                ..asp
                            },
                        },
                        span: asp,
                    }));
                }
                "-C" => {
                    let (l, op, r) = if let Some((l, r)) = arg.split_once("!=") {
                        (l, Op::Ne, r)
                    } else if let Some((l, r)) = arg.split_once('=') {
                        (l, Op::Eq, r)
                    } else {
                        return Err(self.err(
                            asp,
                            "field=field or field!=field after -C",
                            Some(&arg),
                        ));
                    };
                    let left = Field::from_name(l)
                        .ok_or_else(|| self.err(asp, "a field name after -C", Some(l)))?;
                    let right = Field::from_name(r).ok_or_else(|| {
                        let col = asp.col + (l.len() + op.symbol().len()) as u32;
                        self.err(
                            Span { col, ..asp },
                            format!("a field name after -C {l}{op}"),
                            Some(r),
                        )
                    })?;
                    items.push(Item::Compare(Compare {
                        left,
                        op,
                        right,
                        span: asp,
                    }));
                }
                "-p" => {
                    if head.is_none() && watch.is_none() {
                        return Err(self.err(o.span, "-w path before -p", Some("-p")));
                    }
                    let perms = Perms::parse(&arg).map_err(|e| match e {
                        PermError::TooLong => {
                            self.err(asp, "at most 4 permission letters (rwxa)", Some(&arg))
                        }
                        PermError::BadLetter(i, c) => {
                            let sp = Span {
                                col: asp.col + i as u32,
                                len: 1,
                                ..asp
                            };
                            self.err(sp, "a permission letter r, w, x or a", Some(&c.to_string()))
                        }
                    })?;
                    items.push(Item::Perm(Spanned {
                        value: perms,
                        span: asp,
                    }));
                }
                "-k" => items.push(Item::Key(
                    Spanned {
                        value: arg,
                        span: asp,
                    },
                    KeyForm::DashK,
                )),
                "-D" => return Err(self.err(o.span, "-D on a line of its own", Some("-D"))),
                "-R" => {
                    return Err(self.err(
                        o.span,
                        "no -R in a rules file (nested files are not supported)",
                        Some("-R"),
                    ))
                }
                other => {
                    return Err(self.err(
                        o.span,
                        "a rule option (-a -A -d -w -W -S -F -C -p -k) or a control option",
                        Some(other),
                    ))
                }
            }
        }
        let (op, list, action, head_span, list_first, watch) = match (head, watch) {
            (Some((op, l, a, s, lf)), None) => (op, l, a, s, lf, None),
            (None, Some((op, w))) => (op, FilterList::Exit, Action::Always, w.span, false, Some(w)),
            _ => return Err(self.err(whole, "-a list,action or -w path in a rule", None)),
        };
        Ok(Rule {
            op,
            list,
            action,
            head: head_span,
            list_first,
            watch,
            items,
            span: whole,
        })
    }

    /// `list,action` or `action,list` (auditctl's `audit_rule_setup`).
    fn list_action(&self, arg: &str, sp: Span) -> Result<(FilterList, Action, bool), ParseError> {
        let Some((a, b)) = arg.split_once(',') else {
            return Err(self.err(sp, "list,action (e.g. always,exit)", Some(arg)));
        };
        if b.contains(',') {
            return Err(self.err(sp, "list,action with one comma", Some(arg)));
        }
        let bcol = Span {
            col: sp.col + a.len() as u32 + 1,
            len: b.len() as u32,
            ..sp
        };
        let asp = Span {
            len: a.len() as u32,
            ..sp
        };
        if let Some(action) = Action::from_name(a) {
            let list = FilterList::from_name(b)
                .ok_or_else(|| self.err(bcol, list_expectation(b), Some(b)))?;
            Ok((list, action, false))
        } else if let Some(list) = FilterList::from_name(a) {
            let action = Action::from_name(b).ok_or_else(|| {
                self.err(bcol, "an action (always, never) after the list", Some(b))
            })?;
            Ok((list, action, true))
        } else {
            Err(self.err(asp, list_expectation(a), Some(a)))
        }
    }
}

fn list_expectation(found: &str) -> &'static str {
    if found == "entry" {
        "a filter list (the entry list was removed from the kernel: use exit)"
    } else {
        "a filter list (exit, task, user, exclude, filesystem) or an action (always, never)"
    }
}

fn arg_name(c: char) -> &'static str {
    match c {
        'a' | 'A' | 'd' => "list,action",
        'w' | 'W' => "a path",
        'S' => "a syscall",
        'F' => "a field",
        'C' => "a field comparison",
        'k' => "a key",
        'p' => "permissions",
        _ => "a value",
    }
}

/// `strtol(s, NULL, 0)`: optional sign, `0x` hex, leading `0` octal, decimal;
/// stops at the first byte that is not a digit. `None` if no digit at all or
/// the value does not fit in an i64.
pub fn parse_c_long(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) =
        if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            if h.starts_with(|c: char| c.is_ascii_hexdigit()) {
                (16, h)
            } else {
                (10, "0")
            }
        } else if rest.starts_with('0') && rest.len() > 1 {
            (8, rest)
        } else {
            (10, rest)
        };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let v = i64::from_str_radix(&digits[..end], radix).ok()?;
    Some(if neg { -v } else { v })
}

/// `strtoul` into a u32 (auditctl stores 32-bit values); `None` when it
/// does not fit.
pub fn parse_c_ulong(s: &str) -> Option<u32> {
    let v = parse_c_long(s)?;
    if v < 0 {
        // strtoul negates in unsigned arithmetic; auditctl then truncates.
        return Some((v as i32) as u32);
    }
    u32::try_from(v).ok()
}
