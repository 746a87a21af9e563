//! Checking and evaluating `--where` queries.

use std::borrow::Cow;
use std::cmp::Ordering;

use auditkit_event::value::{decode_hex, is_hex_encoded, split_keys, unescape_tty};
use auditkit_event::{EventFields, EventId, RecordFields};
use auditkit_host::Accounts;
use auditkit_interp::{field_type, interpret, Ctx, EscapeMode, FieldType, Machine, RecordType};
use regex::bytes::Regex;

use super::{Expr, FieldRef, Form, Lit, Op, QueryError};

/// Pseudo-fields: facts about the event or record that are not `name=value`
/// pairs in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pseudo {
    /// The record type name (`SYSCALL`).
    Type,
    /// `node=`
    Node,
    /// The event serial.
    Serial,
    /// The event time in seconds.
    Time,
    /// The command line: EXECVE arguments, else PROCTITLE.
    Cmdline,
}

#[derive(Debug)]
pub(crate) struct F {
    rtype: Option<RecordType>,
    name: Vec<u8>,
    pseudo: Option<Pseudo>,
    form: Form,
}

#[derive(Debug)]
pub(crate) enum Test {
    Cmp(Op, Lit),
    Re(Regex),
}

/// A checked query node.
#[derive(Debug)]
pub(crate) enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Has(F),
    /// Any occurrence passes one of the tests (`in` has several).
    Any(F, Vec<Test>),
    /// Present, and no occurrence passes the test (`!=`, `!~`).
    None(F, Test),
}

pub(crate) fn field(f: &FieldRef) -> Result<F, QueryError> {
    let rtype = match &f.rtype {
        None => None,
        Some(q) => Some(
            auditkit_interp::msgtype::from_name(&q.to_ascii_uppercase())
                .ok_or_else(|| {
                    QueryError::new(
                        format!(
                            "unknown record type '{q}': expected a type such as SYSCALL, EXECVE, PATH or USER_LOGIN before '.'"
                        ),
                        (f.span.0, f.span.0 + q.len()),
                    )
                })?,
        ),
    };
    let pseudo = match f.name.as_str() {
        "type" => Some(Pseudo::Type),
        "node" => Some(Pseudo::Node),
        "serial" => Some(Pseudo::Serial),
        "time" => Some(Pseudo::Time),
        "cmdline" => Some(Pseudo::Cmdline),
        _ => None,
    };
    Ok(F {
        rtype,
        name: f.name.as_bytes().to_vec(),
        pseudo,
        form: f.form,
    })
}

fn test(op: Op, lit: &Lit, span: super::Span) -> Result<Test, QueryError> {
    match op {
        Op::Match | Op::NotMatch => {
            let Lit::Str(s) = lit else {
                return Err(QueryError::new(
                    format!("expected a regular expression string after '{op}'"),
                    span,
                ));
            };
            Regex::new(s)
                .map(Test::Re)
                .map_err(|e| QueryError::new(format!("invalid regular expression: {e}"), span))
        }
        _ => Ok(Test::Cmp(op, lit.clone())),
    }
}

/// Check a parsed query and turn it into evaluable nodes.
pub(crate) fn check(e: &Expr) -> Result<Node, QueryError> {
    Ok(match e {
        Expr::And(a, b) => Node::And(Box::new(check(a)?), Box::new(check(b)?)),
        Expr::Or(a, b) => Node::Or(Box::new(check(a)?), Box::new(check(b)?)),
        Expr::Not(a) => Node::Not(Box::new(check(a)?)),
        Expr::Has(f) => Node::Has(field(f)?),
        Expr::Cmp(f, op, lit, span) => {
            let fl = field(f)?;
            match op {
                Op::Ne => Node::None(fl, test(Op::Eq, lit, *span)?),
                Op::NotMatch => Node::None(fl, test(Op::Match, lit, *span)?),
                _ => Node::Any(fl, vec![test(*op, lit, *span)?]),
            }
        }
        Expr::In(f, vals) => Node::Any(
            field(f)?,
            vals.iter()
                .map(|(l, s)| test(Op::Eq, l, *s))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// Name lookups for interpreted values.
pub struct Names<'a> {
    /// uid/gid names.
    pub ids: &'a Accounts,
}

struct Rec<'e> {
    rtype: RecordType,
    type_name: &'e [u8],
    fields: Vec<(&'e [u8], Cow<'e, [u8]>)>,
    enriched: Option<&'e [u8]>,
    /// ausearch `-i` output: `fields` hold what it printed, and each value
    /// is mapped back to its logged form when it is compared (with the
    /// machine its printed `arch=` names, for syscall names).
    interpreted: Option<Option<Machine>>,
}

/// An event prepared for evaluation: its records tokenized once, read
/// through [`EventFields`], the field-access trait every representation
/// of an event implements (parsed logs, stored events, collector frames).
/// The evaluator reads nothing else, so one compiled query runs on all of
/// them.
pub struct EventView<'e> {
    id: EventId,
    node: Option<&'e [u8]>,
    recs: Vec<Rec<'e>>,
}

impl<'e> EventView<'e> {
    /// Tokenize the event's records.
    pub fn new<E: EventFields + ?Sized>(ev: &'e E) -> EventView<'e> {
        let recs = ev
            .records()
            .map(|r| {
                let fields: Vec<_> = r.fields().map(|f| (f.name, f.value)).collect();
                let interpreted = r.is_interpreted().then(|| {
                    fields
                        .iter()
                        .find(|(n, _)| *n == b"arch")
                        .and_then(|(_, v)| crate::uninterp::machine_of(v))
                });
                Rec {
                    rtype: r.rtype(),
                    type_name: r.type_name(),
                    fields,
                    enriched: r.enrichment(),
                    interpreted,
                }
            })
            .collect();
        EventView {
            id: ev.id(),
            node: ev.node(),
            recs,
        }
    }
}

/// One occurrence of a field: its raw bytes and what is needed to decode.
struct Occ<'a> {
    raw: Cow<'a, [u8]>,
    ft: FieldType,
    rec: Option<&'a Rec<'a>>,
    name: &'a [u8],
    /// What ausearch `-i` printed, for an interpreted record's field: its
    /// interpreted form (`raw` is then the logged form mapped back).
    printed: Option<&'a [u8]>,
}

fn decoded<'a>(o: &'a Occ<'a>) -> Cow<'a, [u8]> {
    let v: &[u8] = &o.raw;
    if let Some(rest) = v.strip_prefix(b"\"") {
        return Cow::Borrowed(rest.strip_suffix(b"\"").unwrap_or(rest));
    }
    let hexy = matches!(
        o.ft,
        FieldType::Escaped | FieldType::EscapedFile | FieldType::EscapedKey | FieldType::Proctitle
    );
    if hexy && is_hex_encoded(v) {
        if let Some(mut b) = decode_hex(v) {
            if o.ft == FieldType::Proctitle {
                while b.last() == Some(&0) {
                    b.pop();
                }
                for c in b.iter_mut() {
                    if *c == 0 {
                        *c = b' ';
                    }
                }
            }
            return Cow::Owned(b);
        }
    }
    Cow::Borrowed(v)
}

fn number(v: &[u8], ft: FieldType) -> Option<i128> {
    let s = std::str::from_utf8(v).ok()?;
    if let Some(h) = s.strip_prefix("0x") {
        return i128::from_str_radix(h, 16).ok();
    }
    match ft {
        FieldType::A0 | FieldType::A1 | FieldType::A2 | FieldType::A3 | FieldType::Arch => {
            i128::from_str_radix(s, 16).ok()
        }
        FieldType::Mode | FieldType::ModeShort if s.starts_with('0') => {
            i128::from_str_radix(s, 8).ok()
        }
        _ => s.parse().ok(),
    }
}

fn hexnum(r: &Rec, name: &[u8]) -> Option<u64> {
    let v = r.fields.iter().find(|(n, _)| *n == name)?.1.clone();
    u64::from_str_radix(std::str::from_utf8(&v).ok()?, 16).ok()
}

fn interp(o: &Occ, names: &Names) -> Option<Vec<u8>> {
    if let Some(p) = o.printed {
        return Some(unescape_tty(p).into_owned());
    }
    let r = o.rec?;
    let name = std::str::from_utf8(o.name).ok()?;
    let machine = hexnum(r, b"arch").and_then(|a| Machine::from_elf(a as u32));
    let syscall = r
        .fields
        .iter()
        .find(|(n, _)| *n == b"syscall")
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse().ok());
    let ctx = Ctx {
        machine,
        syscall,
        a0: hexnum(r, b"a0").unwrap_or(0),
        a1: hexnum(r, b"a1").unwrap_or(0),
        cwd: None,
        enriched: r.enriched,
        names: names.ids,
        escape: EscapeMode::Raw,
    };
    let mut out = Vec::new();
    interpret(o.ft, name, &o.raw, &ctx, &mut out);
    Some(out)
}

fn cmp_one(v: &[u8], ft: FieldType, op: Op, lit: &Lit) -> bool {
    let ord = match lit {
        Lit::Num(n) => match number(v, ft) {
            Some(x) => x.cmp(n),
            None => return false,
        },
        Lit::Str(s) => v.cmp(s.as_bytes()),
    };
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        _ => false,
    }
}

fn passes(o: &Occ, t: &Test, form: Form, names: &Names) -> bool {
    let check = |v: &[u8], ft: FieldType| match t {
        Test::Re(re) => re.is_match(v),
        Test::Cmp(op, lit) => cmp_one(v, ft, *op, lit),
    };
    match form {
        Form::Raw => check(&o.raw, o.ft),
        Form::Interp => interp(o, names).is_some_and(|v| check(&v, FieldType::Unclassified)),
        Form::Auto => {
            if check(&decoded(o), o.ft) {
                return true;
            }
            let wordy = matches!(t, Test::Re(_) | Test::Cmp(_, Lit::Str(_)));
            wordy
                && o.rec.is_some()
                && interp(o, names).is_some_and(|v| check(&v, FieldType::Unclassified))
        }
    }
}

/// Fields whose decoded and interpreted values are both made of the
/// record's own text: the value as logged (quotes stripped) or its hex
/// decoded (the escaped types of auparse), never a name looked up or a
/// number rendered.
const TEXT_FIELDS: &[&[u8]] = &[b"exe", b"comm", b"key", b"cwd", b"name", b"path"];

impl Node {
    /// Strings one of which is inside a field value of every event the
    /// node can match, for the engine's prefilter: equality (`=`, `in`)
    /// of a text field (see [`TEXT_FIELDS`]) with a string, through
    /// `and` (either side) and `or` (both sides). `None` when the node
    /// gives no such strings (negations, ranges, regexes, numbers).
    pub(crate) fn needles(&self) -> Option<Vec<Vec<u8>>> {
        match self {
            Node::And(a, b) => a.needles().or_else(|| b.needles()),
            Node::Or(a, b) => {
                let mut n = a.needles()?;
                n.extend(b.needles()?);
                Some(n)
            }
            Node::Any(f, tests)
                if f.pseudo.is_none()
                    && f.form != Form::Raw
                    && TEXT_FIELDS.contains(&f.name.as_slice()) =>
            {
                tests
                    .iter()
                    .map(|t| match t {
                        Test::Cmp(Op::Eq, Lit::Str(s)) => Some(s.as_bytes().to_vec()),
                        _ => None,
                    })
                    .collect()
            }
            _ => None,
        }
    }

    pub(crate) fn eval(&self, ev: &EventView, names: &Names) -> bool {
        match self {
            Node::And(a, b) => a.eval(ev, names) && b.eval(ev, names),
            Node::Or(a, b) => a.eval(ev, names) || b.eval(ev, names),
            Node::Not(a) => !a.eval(ev, names),
            Node::Has(f) => occurrences(ev, f, names, &mut |_| true),
            Node::Any(f, tests) => occurrences(ev, f, names, &mut |o| {
                tests.iter().any(|t| passes(o, t, f.form, names))
            }),
            Node::None(f, t) => {
                let mut present = false;
                let hit = occurrences(ev, f, names, &mut |o| {
                    present = true;
                    passes(o, t, f.form, names)
                });
                present && !hit
            }
        }
    }
}

/// Call `visit` on each occurrence of `f` until it returns true; returns
/// whether one did.
fn occurrences(ev: &EventView, f: &F, names: &Names, visit: &mut dyn FnMut(&Occ) -> bool) -> bool {
    let pseudo_occ = |v: Vec<u8>| Occ {
        raw: Cow::Owned(v),
        ft: FieldType::Unclassified,
        rec: None,
        name: b"",
        printed: None,
    };
    match f.pseudo {
        Some(Pseudo::Serial) => return visit(&pseudo_occ(ev.id.serial.to_string().into())),
        Some(Pseudo::Time) => return visit(&pseudo_occ(ev.id.sec.to_string().into())),
        Some(Pseudo::Node) => {
            return ev.node.is_some_and(|n| visit(&pseudo_occ(n.to_vec())));
        }
        Some(Pseudo::Type) => {
            return ev
                .recs
                .iter()
                .filter(|r| f.rtype.is_none_or(|t| t == r.rtype))
                .any(|r| visit(&pseudo_occ(r.type_name.to_vec())));
        }
        Some(Pseudo::Cmdline) => {
            let execve: Vec<&Rec> = ev
                .recs
                .iter()
                .filter(|r| r.rtype == RecordType::EXECVE)
                .collect();
            let line = if !execve.is_empty() {
                let fields = execve
                    .iter()
                    .flat_map(|r| r.fields.iter().map(|(n, v)| (*n, v.as_ref())));
                // ausearch -i printed the arguments decoded.
                let decode = if execve.iter().any(|r| r.interpreted.is_some()) {
                    unescape_tty
                } else {
                    auditkit_event::value::decode_str
                };
                Some(auditkit_event::value::execve_args_with(fields, decode).join(&b' '))
            } else {
                ev.recs
                    .iter()
                    .flat_map(|r| r.fields.iter().map(move |f| (r, f)))
                    .find(|(_, (n, _))| *n == b"proctitle")
                    .map(|(r, (_, v))| match r.interpreted {
                        // Printed with its arguments joined by spaces already.
                        Some(_) => unescape_tty(v).into_owned(),
                        None => auditkit_event::value::proctitle_args(v).join(&b' '),
                    })
            };
            return line.is_some_and(|l| visit(&pseudo_occ(l)));
        }
        None => {}
    }
    for r in &ev.recs {
        if f.rtype.is_some_and(|t| t != r.rtype) {
            continue;
        }
        for (name, value) in &r.fields {
            if *name != f.name.as_slice() {
                continue;
            }
            let (raw, printed) = match r.interpreted {
                Some(machine) => (
                    crate::uninterp::raw_value(r.rtype, name, value, machine, names.ids),
                    Some(value.as_ref()),
                ),
                None => (Cow::Borrowed(value.as_ref()), None),
            };
            let raw = &raw;
            let name_s = std::str::from_utf8(name).unwrap_or("");
            let ft = field_type(r.rtype, name_s, raw);
            if f.name == b"key" && f.form == Form::Auto {
                for k in split_keys(raw) {
                    let o = Occ {
                        raw: Cow::Owned(format!("\"{}\"", String::from_utf8_lossy(&k)).into()),
                        ft,
                        rec: None,
                        name,
                        printed: None,
                    };
                    if visit(&o) {
                        return true;
                    }
                }
                continue;
            }
            let o = Occ {
                raw: Cow::Borrowed(raw.as_ref()),
                ft,
                rec: Some(r),
                name,
                printed,
            };
            if visit(&o) {
                return true;
            }
        }
    }
    false
}

/// The distinct values of `f` in the event (for tallies).
pub(crate) fn values(ev: &EventView, f: &F, names: &Names) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    occurrences(ev, f, names, &mut |o| {
        let v = match f.form {
            Form::Raw => o.raw.to_vec(),
            Form::Interp => interp(o, names).unwrap_or_else(|| decoded(o).into_owned()),
            Form::Auto => decoded(o).into_owned(),
        };
        if !out.contains(&v) {
            out.push(v);
        }
        false
    });
    out
}
