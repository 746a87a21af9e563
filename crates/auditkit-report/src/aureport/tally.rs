//! The `--summary` forms of the list reports: totals per value of the
//! report's main column (`per_event_summary` and `print_wrap_up`).
//!
//! aureport keeps a list per report and sorts it by hits with a stable
//! bubble sort, so equal totals keep the list's order: the order values
//! were first seen for strings (`slist`), ascending for numbers (`ilist`,
//! kept sorted on insert). Here each worker counts into its own map; a
//! value a worker sees for the first time is also noted in the batch's
//! output, and the ordered stage, which sees batches in log order, gives
//! each value its rank at its first note: the first note of a value is in
//! the batch of its first occurrence. Merged at the end: counts from the
//! workers, ranks from the ordered stage.
//!
//! Memory: one entry per distinct value (per worker, and one rank). The
//! values a report can list are bounded by [`Tally::BUDGET`] bytes per
//! worker: past it, events with new values are not counted, and the
//! report says so on stderr (aureport has no bound; a list report of a
//! hundred million distinct values is not a summary anyone reads).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::{self, Write};

use auditkit_event::Event;
use auditkit_interp::fxhash::FxHasher;
use auditkit_interp::RecordType;
use auditkit_query::items::S_FAILED;
use auditkit_query::SearchItems;

use super::list::{safe, type_name, Names};
use super::types::*;
use super::{has, has_range, head_type, Options, Report};

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// How a report's values are kept and printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Record types (`do_type_summary_output`): numbers, names with `-i`.
    Type,
    /// Process ids (`do_int_summary_output`).
    Int,
    /// Strings printed as they are (`do_string_summary_output`).
    Plain,
    /// Strings printed escaped (`do_file_summary_output`).
    Escaped,
    /// Users (`do_user_summary_output`): numbers looked up again.
    User,
}

/// The kind of values of a report's summary form.
pub fn kind(r: Report) -> Kind {
    use Report::*;
    match r {
        Config | AcctMod | Event | Anomaly | Response | Mac | Integ | Virt | Crypto => Kind::Type,
        Pid => Kind::Int,
        Avc | Host | Term => Kind::Plain,
        File | Exe | Comm | Key | Syscall => Kind::Escaped,
        Auth | Login | User => Kind::User,
        Summary | Time | Tty => Kind::Plain,
    }
}

/// One worker's totals.
#[derive(Debug, Default)]
pub struct Tally {
    strs: FxMap<Box<[u8]>, u64>,
    ints: FxMap<i32, u64>,
    bytes: usize,
    /// Events with a value past the budget, not counted.
    pub dropped: u64,
    scratch: Vec<u8>,
}

/// Values first seen by a worker in one batch, in order.
#[derive(Debug, Default)]
pub struct NewKeys {
    buf: Vec<u8>,
    ends: Vec<u32>,
    /// `--by-node`: the node of the values pushed (see [`node_prefix`]).
    prefix: Vec<u8>,
}

/// What tells one node's values from another's in [`Ranks`] with
/// `--by-node`: the node's length and bytes.
pub fn node_prefix(out: &mut Vec<u8>, node: &[u8]) {
    out.clear();
    out.extend_from_slice(&(node.len() as u32).to_le_bytes());
    out.extend_from_slice(node);
}

impl NewKeys {
    /// Empty it for another batch.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    /// The node of the values pushed next (`--by-node`).
    pub fn set_node(&mut self, node: &[u8]) {
        node_prefix(&mut self.prefix, node);
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0usize;
        self.ends.iter().map(move |&e| {
            let s = &self.buf[start..e as usize];
            start = e as usize;
            s
        })
    }
}

impl Tally {
    /// Bytes of distinct values a worker keeps.
    pub const BUDGET: usize = 32 << 20;

    fn add_str(&mut self, v: &[u8], new: &mut NewKeys) {
        if let Some(n) = self.strs.get_mut(v) {
            *n += 1;
            return;
        }
        if self.bytes + v.len() > Self::BUDGET {
            self.dropped += 1;
            return;
        }
        self.bytes += v.len() + 48;
        self.strs.insert(v.into(), 1);
        new.buf.extend_from_slice(&new.prefix);
        new.buf.extend_from_slice(v);
        new.ends.push(new.buf.len() as u32);
    }

    fn add_int(&mut self, v: i32) {
        *self.ints.entry(v).or_default() += 1;
    }

    /// Count one event kept by [`Options::scan`] (`per_event_summary`).
    pub fn add(&mut self, names: &Names, ev: &Event, s: &SearchItems, new: &mut NewKeys) {
        use Report::*;
        let head = head_type(ev).0;
        match names.opts.report {
            Avc => {
                if has(ev, AVC) || has(ev, USER_AVC) {
                    for an in super::list::avc_items(s, false) {
                        if let Some(t) = &an.tcontext {
                            self.add_str(t, new);
                        }
                    }
                }
            }
            Mac => {
                if has_range(ev, MAC_POLICY_LOAD, MAC_MAP_DEL)
                    || has_range(ev, FIRST_USER_LSPP_MSG, LAST_USER_LSPP_MSG)
                {
                    self.add_int(head);
                }
            }
            Integ => {
                if has_range(ev, INTEGRITY_FIRST_MSG, INTEGRITY_LAST_MSG) {
                    self.add_int(head);
                }
            }
            Virt => {
                if has_range(ev, FIRST_VIRT_MSG, LAST_VIRT_MSG) {
                    self.add_int(head);
                }
            }
            Config | AcctMod | Anomaly | Response | Crypto => {
                if super::list::listed(names.opts.report, ev, s) {
                    self.add_int(head);
                }
            }
            Event => {
                if head != -1 {
                    self.add_int(head);
                }
            }
            Auth | Login => {
                let counted = if names.opts.report == Auth {
                    has(ev, USER_AUTH) || (has(ev, USER_MGMT) && s.success == S_FAILED)
                } else {
                    has(ev, USER_LOGIN)
                };
                if counted {
                    let acct = if names.opts.report == Auth {
                        s.acct.as_deref().filter(|_| s.loginuid == u32::MAX - 1)
                    } else {
                        s.acct.as_deref().filter(|_| (s.loginuid as i32) < 0)
                    };
                    let mut t = std::mem::take(&mut self.scratch);
                    t.clear();
                    match acct {
                        Some(a) => t.extend_from_slice(a),
                        None => names.uid(&mut t, Some(ev), s.loginuid),
                    }
                    self.add_str(&t, new);
                    self.scratch = t;
                }
            }
            User => {
                if s.loginuid != u32::MAX - 1 {
                    let mut t = std::mem::take(&mut self.scratch);
                    t.clear();
                    names.uid_cap(&mut t, Some(ev), s.loginuid, 31);
                    self.add_str(&t, new);
                    self.scratch = t;
                }
            }
            File => {
                for f in s.filename.iter().flatten() {
                    self.add_str(f, new);
                }
            }
            Host => {
                if let Some(h) = &s.hostname {
                    self.add_str(h, new);
                }
            }
            Pid => {
                if s.pid != -1 {
                    self.add_int(s.pid);
                }
            }
            Syscall => {
                if s.syscall > 0 {
                    let mut t = std::mem::take(&mut self.scratch);
                    t.clear();
                    names.syscall(&mut t, ev, s);
                    t.truncate(31);
                    self.add_str(&t, new);
                    self.scratch = t;
                }
            }
            Term => {
                if let Some(t) = &s.terminal {
                    self.add_str(t, new);
                }
            }
            Exe => {
                if let Some(x) = &s.exe {
                    self.add_str(x, new);
                }
            }
            Comm => {
                if let Some(c) = &s.comm {
                    self.add_str(c, new);
                }
            }
            Key => {
                for k in s.key.iter().flatten() {
                    if k.as_slice() != b"(null)" {
                        self.add_str(k, new);
                    }
                }
            }
            Summary | Time | Tty => {}
        }
    }

    /// Add another worker's totals.
    pub fn merge(&mut self, o: Tally) {
        for (k, n) in o.strs {
            *self.strs.entry(k).or_default() += n;
        }
        for (k, n) in o.ints {
            *self.ints.entry(k).or_default() += n;
        }
        self.dropped += o.dropped;
    }
}

/// The ranks of string values (the order aureport's list has them in),
/// kept by the ordered stage.
#[derive(Debug, Default)]
pub struct Ranks {
    rank: FxMap<Box<[u8]>, u64>,
}

impl Ranks {
    /// Note a batch's new values, in order.
    pub fn note(&mut self, new: &NewKeys) {
        for k in new.iter() {
            if !self.rank.contains_key(k) {
                let n = self.rank.len() as u64;
                self.rank.insert(k.into(), n);
            }
        }
    }
}

/// One line of a summary-form report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The total.
    pub count: u64,
    /// The value: a string, or a number for [`Kind::Type`] and
    /// [`Kind::Int`].
    pub value: RowValue,
}

/// A summary row's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowValue {
    /// A number (record type or pid).
    Int(i32),
    /// A string, as aureport keeps it.
    Str(Vec<u8>),
}

/// The rows in aureport's order: most hits first, ties in list order.
/// `prefix`: the node's [`node_prefix`] with `--by-node`, else empty.
pub fn rows(t: Tally, ranks: &Ranks, k: Kind, prefix: &[u8]) -> Vec<Row> {
    match k {
        Kind::Type | Kind::Int => {
            let mut v: Vec<(i32, u64)> = t.ints.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v.into_iter()
                .map(|(n, c)| Row {
                    count: c,
                    value: RowValue::Int(n),
                })
                .collect()
        }
        _ => {
            let mut v: Vec<(u64, Box<[u8]>, u64)> = t
                .strs
                .into_iter()
                .map(|(s, c)| {
                    let r = if prefix.is_empty() {
                        ranks.rank.get(&s).copied()
                    } else {
                        ranks.rank.get(&[prefix, &s].concat()[..]).copied()
                    };
                    (r.unwrap_or(u64::MAX), s, c)
                })
                .collect();
            v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
            v.into_iter()
                .map(|(_, s, c)| Row {
                    count: c,
                    value: RowValue::Str(s.into_vec()),
                })
                .collect()
        }
    }
}

/// The value of a row as aureport prints it.
pub fn value_text(out: &mut Vec<u8>, names: &Names, k: Kind, v: &RowValue) {
    match (k, v) {
        (Kind::Type, RowValue::Int(n)) => {
            if names.opts.interpret {
                type_name(out, RecordType(*n));
            } else {
                let _ = write!(out, "{n}");
            }
        }
        (_, RowValue::Int(n)) => {
            let _ = write!(out, "{n}");
        }
        (Kind::Plain, RowValue::Str(s)) => out.extend_from_slice(s),
        (Kind::User, RowValue::Str(s)) => {
            if s.first().is_some_and(|&c| c == b'-' || c.is_ascii_digit()) {
                let uid = c_strtol(s) as u32;
                let mut t = Vec::new();
                names.uid(&mut t, None, uid);
                safe(out, Some(&t), names.opts.escape);
            } else {
                safe(out, Some(s), names.opts.escape);
            }
        }
        (_, RowValue::Str(s)) => safe(out, Some(s), names.opts.escape),
    }
}

/// `strtol(s, NULL, 10)` truncated to `long` then to `uid_t`.
fn c_strtol(s: &[u8]) -> i64 {
    let (neg, d) = match s.strip_prefix(b"-") {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut v: i64 = 0;
    for &c in d.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// Print the rows (`<no events of interest were found>` when none).
pub fn write_text(w: &mut dyn Write, names: &Names, k: Kind, rows: &[Row]) -> io::Result<()> {
    let mut b = Vec::with_capacity(64 * 1024);
    if rows.is_empty() {
        b.extend_from_slice(b"<no events of interest were found>\n\n");
    }
    for r in rows {
        let _ = write!(b, "{}  ", r.count);
        value_text(&mut b, names, k, &r.value);
        b.push(b'\n');
        if b.len() > 60 * 1024 {
            w.write_all(&b)?;
            b.clear();
        }
    }
    w.write_all(&b)
}

/// The title of a summary form (`print_title_summary`), after the blank
/// line and the `Failed `/`Success ` prefix. `None` where aureport has
/// no summary form (it stops with "Unimplemented option").
pub fn title(r: Report) -> Option<(&'static str, &'static str, usize)> {
    use Report::*;
    Some(match r {
        Summary => ("Summary Report", "", 22),
        Avc => ("Avc Object Summary Report", "obj", 33),
        Mac => ("MAC Summary Report", "type", 18),
        Integ => ("Integrity Summary Report", "type", 24),
        Virt => ("Virtualization Summary Report", "type", 29),
        Config => ("Config Change Summary Report", "type", 28),
        Auth => ("Authentication Summary Report", "acct", 29),
        Login => ("Login Summary Report", "auid", 28),
        AcctMod => ("Acct Modification Summary Report", "type", 32),
        Event => ("Event Summary Report", "type", 22),
        File => ("File Summary Report", "file", 27),
        Host => ("Host Summary Report", "host", 27),
        Pid => ("Pid Summary Report", "pid", 26),
        Syscall => ("Syscall Summary Report", "syscall", 26),
        Term => ("Terminal Summary Report", "terminal", 31),
        User => ("User Summary Report", "auid", 27),
        Exe => ("Executable Summary Report", "file", 33),
        Comm => ("Command Summary Report", "command", 33),
        Anomaly => ("Anomaly Summary Report", "type", 22),
        Response => ("Anomaly Response Summary Report", "type", 31),
        Crypto => ("Crypto Summary Report", "type", 21),
        Key => ("Key Summary Report", "key", 27),
        Time | Tty => return None,
    })
}

/// The title block of a summary form.
pub fn title_text(o: &Options) -> Option<Vec<u8>> {
    let (t, col, n) = title(o.report)?;
    let mut b = Vec::new();
    b.extend_from_slice(super::summary::failed_prefix(o).as_bytes());
    let rule = "=".repeat(n);
    let _ = writeln!(b, "{t}\n{rule}");
    if !col.is_empty() {
        let _ = writeln!(b, "total  {col}\n{rule}");
    }
    Some(b)
}

/// The rows as JSON lines: `{"total":N,"COL":VALUE}` where COL is the
/// report's column (`file`, `auid`, `type`, ...); a record type is a
/// number, or its name with `-i`; a pid is a number.
pub fn write_json(b: &mut Vec<u8>, names: &Names, k: Kind, rows: &[Row], node: Option<&[u8]>) {
    let col = title(names.opts.report).map_or("value", |t| t.1);
    let mut v = Vec::new();
    for r in rows {
        let _ = write!(b, "{{\"total\":{},\"{col}\":", r.count);
        match (&r.value, k, names.opts.interpret) {
            (RowValue::Int(n), Kind::Type, true) => match RecordType(*n).name() {
                Some(s) => auditkit_output::json::json_str(b, s.as_bytes()),
                None => b.extend_from_slice(b"null"),
            },
            (RowValue::Int(n), _, _) => {
                let _ = write!(b, "{n}");
            }
            (RowValue::Str(s), Kind::User, _) => {
                v.clear();
                user_value(&mut v, names, s);
                auditkit_output::json::json_str(b, &v);
            }
            (RowValue::Str(s), _, _) => auditkit_output::json::json_str(b, s),
        }
        if let Some(n) = node {
            b.extend_from_slice(b",\"node\":");
            auditkit_output::json::json_str(b, n);
        }
        b.extend_from_slice(b"}\n");
    }
}

/// The CSV header of a summary form: `total,COL` (`,node`).
pub fn csv_header(r: Report, by_node: bool) -> Vec<u8> {
    let col = title(r).map_or("value", |t| t.1);
    let mut b = format!("total,{col}").into_bytes();
    if by_node {
        b.extend_from_slice(b",node");
    }
    b.push(b'\n');
    b
}

/// The rows as CSV.
pub fn write_csv(b: &mut Vec<u8>, names: &Names, k: Kind, rows: &[Row], node: Option<&[u8]>) {
    let mut v = Vec::new();
    for r in rows {
        let _ = write!(b, "{},", r.count);
        v.clear();
        match (&r.value, k) {
            (RowValue::Str(s), Kind::User) => user_value(&mut v, names, s),
            (RowValue::Str(s), _) => v.extend_from_slice(s),
            (RowValue::Int(n), Kind::Type) if names.opts.interpret => {
                v.extend_from_slice(RecordType(*n).name().unwrap_or("").as_bytes())
            }
            (RowValue::Int(n), _) => {
                let _ = write!(v, "{n}");
            }
        }
        super::format::csv_field(b, &v);
        if let Some(n) = node {
            b.push(b',');
            super::format::csv_field(b, n);
        }
        b.push(b'\n');
    }
}

/// A user row's value unescaped (numbers looked up again, as the text).
fn user_value(out: &mut Vec<u8>, names: &Names, s: &[u8]) {
    if s.first().is_some_and(|&c| c == b'-' || c.is_ascii_digit()) {
        names.uid(out, None, c_strtol(s) as u32);
    } else {
        out.extend_from_slice(s);
    }
}
