//! `--format json|csv`: the same reports as rows with named columns, for
//! cron jobs and SIEMs that should not scrape aureport's layout.
//!
//! The columns of a list report are aureport's own header (`# date time
//! exe term host auid event` gives `date,time,exe,term,host,auid,event`),
//! after a line number `n`; the values are those the text prints, not
//! escaped, and a value aureport prints as `?` or `(null)` because it is
//! missing is `null` in JSON and empty in CSV. docs/report.md lists every
//! report's columns; they are stable.

use std::io::Write;

use auditkit_event::Event;
use auditkit_output::json::json_str;
use auditkit_query::items::S_FAILED;
use auditkit_query::SearchItems;

use super::list::{avc_items, success, Names};
use super::{head_type, Report};

/// How reports are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// aureport's layout.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
    /// Comma-separated values with a header line.
    Csv,
}

/// The columns of a list report, after `n` (aureport's header).
pub fn columns(r: Report) -> &'static [&'static str] {
    use Report::*;
    match r {
        Avc => &[
            "date",
            "time",
            "comm",
            "subj",
            "syscall",
            "class",
            "permission",
            "obj",
            "result",
            "event",
        ],
        Config => &["date", "time", "type", "auid", "success", "event"],
        Auth => &[
            "date", "time", "acct", "host", "term", "exe", "success", "event",
        ],
        Login => &[
            "date", "time", "auid", "host", "term", "exe", "success", "event",
        ],
        AcctMod => &[
            "date", "time", "auid", "addr", "term", "exe", "acct", "success", "event",
        ],
        Event => &["date", "time", "event", "type", "auid", "success"],
        File => &[
            "date", "time", "file", "syscall", "success", "exe", "auid", "event",
        ],
        Host => &["date", "time", "host", "syscall", "auid", "event"],
        Pid => &["date", "time", "pid", "exe", "syscall", "auid", "event"],
        Syscall => &["date", "time", "syscall", "pid", "comm", "auid", "event"],
        Term => &["date", "time", "term", "host", "exe", "auid", "event"],
        User => &["date", "time", "auid", "term", "host", "exe", "event"],
        Exe => &["date", "time", "exe", "term", "host", "auid", "event"],
        Comm => &["date", "time", "comm", "term", "host", "auid", "event"],
        Anomaly => &[
            "date", "time", "type", "exe", "term", "host", "auid", "event",
        ],
        Response | Integ | Virt => &["date", "time", "type", "success", "event"],
        Mac | Crypto => &["date", "time", "auid", "type", "success", "event"],
        Key => &["date", "time", "key", "success", "exe", "auid", "event"],
        Tty => &[
            "date", "time", "event", "auid", "term", "sess", "comm", "data",
        ],
        Time => &["file", "first", "last"],
        Summary => &[],
    }
}

/// One row's values, in column order: `None` is missing, a number is
/// written bare in JSON.
#[derive(Debug, Default)]
pub struct Vals {
    buf: Vec<u8>,
    /// (end in `buf`, kind): 0 string, 1 number, 2 missing.
    ends: Vec<(u32, u8)>,
}

impl Vals {
    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }
    fn s(&mut self, v: Option<&[u8]>) {
        let kind = match v {
            Some(v) => {
                self.buf.extend_from_slice(cstr(v));
                0
            }
            None => 2,
        };
        self.ends.push((self.buf.len() as u32, kind));
    }
    fn with(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        f(&mut self.buf);
        self.ends.push((self.buf.len() as u32, 0));
    }
    fn n(&mut self, v: i64) {
        let _ = write!(self.buf, "{v}");
        self.ends.push((self.buf.len() as u32, 1));
    }
    fn iter(&self) -> impl Iterator<Item = (&[u8], u8)> {
        let mut start = 0usize;
        self.ends.iter().map(move |&(e, k)| {
            let v = &self.buf[start..e as usize];
            start = e as usize;
            (v, k)
        })
    }
}

fn o(x: &Option<Vec<u8>>) -> Option<&[u8]> {
    x.as_deref()
}

fn cstr(s: &[u8]) -> &[u8] {
    memchr::memchr(0, s).map_or(s, |n| &s[..n])
}

/// A CSV field: quoted when it holds a comma, a quote or a line end.
pub fn csv_field(out: &mut Vec<u8>, v: &[u8]) {
    if v.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &c in v {
            if c == b'"' {
                out.push(b'"');
            }
            out.push(c);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(v);
    }
}

/// The CSV header of a list report (`n`, then its columns, then `node`
/// with `--by-node`).
pub fn csv_header(r: Report, by_node: bool) -> Vec<u8> {
    let mut b = b"n".to_vec();
    for c in columns(r) {
        b.push(b',');
        b.extend_from_slice(c.as_bytes());
    }
    if by_node {
        b.extend_from_slice(b",node");
    }
    b.push(b'\n');
    b
}

/// Write one row without its number: JSON `"date":...}` (the ordered
/// stage writes `{"n":N,` before it), CSV `,date,...` (after `N`).
fn render(out: &mut Vec<u8>, f: Format, names: &[&str], v: &Vals, node: Option<Option<&[u8]>>) {
    match f {
        Format::Json => {
            for (i, ((val, kind), name)) in v.iter().zip(names).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"\":");
                match kind {
                    1 => out.extend_from_slice(val),
                    2 => out.extend_from_slice(b"null"),
                    _ => json_str(out, val),
                }
            }
            if let Some(n) = node {
                out.extend_from_slice(b",\"node\":");
                match n {
                    Some(n) => json_str(out, n),
                    None => out.extend_from_slice(b"null"),
                }
            }
            out.extend_from_slice(b"}\n");
        }
        Format::Csv | Format::Text => {
            for (val, _) in v.iter() {
                out.push(b',');
                csv_field(out, val);
            }
            if let Some(n) = node {
                out.push(b',');
                csv_field(out, n.unwrap_or(b""));
            }
            out.push(b'\n');
        }
    }
}

impl Names<'_> {
    /// The rows of a listed event as JSON or CSV, each without its
    /// number, into `b` (ends in `ends`). `node`: with `--by-node`, the
    /// event's node.
    #[allow(clippy::too_many_arguments)]
    pub fn rows(
        &self,
        f: Format,
        ev: &Event,
        s: &SearchItems,
        v: &mut Vals,
        b: &mut Vec<u8>,
        ends: &mut Vec<u32>,
        by_node: bool,
    ) {
        use Report::*;
        let r = self.opts.report;
        let names = columns(r);
        let node = by_node.then(|| ev.node());
        let serial = ev.id().serial as i64;
        let tm = auditkit_output::time::try_localtime(ev.id().sec as i64);
        let date = |v: &mut Vals| match tm {
            Some(tm) => {
                v.with(|o| auditkit_output::time::date_x(o, &tm));
                v.with(|o| auditkit_output::time::time_t(o, &tm));
            }
            None => {
                v.s(None);
                v.s(None);
            }
        };
        let uid = |v: &mut Vals, u: u32| v.with(|o| self.uid(o, Some(ev), u));
        let sys = |v: &mut Vals| v.with(|o| self.syscall(o, ev, s));
        let ty = |v: &mut Vals| v.s(head_type(ev).name().map(str::as_bytes));
        let ok = |v: &mut Vals| v.s(Some(success(s.success).as_bytes()));
        if r == Avc {
            for an in avc_items(s, true) {
                v.clear();
                date(v);
                v.s(o(&s.comm));
                v.s(o(&an.scontext));
                sys(v);
                v.s(o(&an.class));
                v.s(o(&an.perm));
                v.s(o(&an.tcontext));
                v.s(Some(match an.result {
                    1 => b"denied",
                    2 => b"granted",
                    _ => b"unset",
                }));
                v.n(serial);
                render(b, f, names, v, node);
                ends.push(b.len() as u32);
            }
            return;
        }
        v.clear();
        date(v);
        match r {
            Config => {
                ty(v);
                uid(v, s.loginuid);
                ok(v);
            }
            Auth | Login => {
                let acct = if r == Auth {
                    s.acct.as_deref()
                } else {
                    s.acct.as_deref().filter(|_| s.success == S_FAILED)
                };
                match acct {
                    Some(a) => v.s(Some(a)),
                    None => uid(v, if r == Auth { s.uid } else { s.loginuid }),
                }
                v.s(o(&s.hostname));
                v.s(o(&s.terminal));
                v.s(o(&s.exe));
                ok(v);
            }
            AcctMod => {
                uid(v, s.loginuid);
                v.s(o(&s.hostname));
                v.s(o(&s.terminal));
                v.s(o(&s.exe));
                v.s(o(&s.acct));
                ok(v);
            }
            Event => {
                v.n(serial);
                ty(v);
                uid(v, s.loginuid);
                ok(v);
            }
            File => {
                v.s(s
                    .filename
                    .as_ref()
                    .and_then(|l| l.first())
                    .map(Vec::as_slice));
                sys(v);
                ok(v);
                v.s(o(&s.exe));
                uid(v, s.loginuid);
            }
            Host => {
                v.s(o(&s.hostname));
                sys(v);
                uid(v, s.loginuid);
            }
            Pid => {
                v.n(i64::from(s.pid));
                v.s(o(&s.exe));
                sys(v);
                uid(v, s.loginuid);
            }
            Syscall => {
                sys(v);
                v.n(i64::from(s.pid));
                v.s(o(&s.comm));
                uid(v, s.loginuid);
            }
            Term => {
                v.s(o(&s.terminal));
                v.s(o(&s.hostname));
                v.s(o(&s.exe));
                uid(v, s.loginuid);
            }
            User => {
                uid(v, s.loginuid);
                v.s(o(&s.terminal));
                v.s(o(&s.hostname));
                v.s(o(&s.exe));
            }
            Exe | Comm => {
                v.s(if r == Exe { o(&s.exe) } else { o(&s.comm) });
                v.s(o(&s.terminal));
                v.s(o(&s.hostname));
                uid(v, s.loginuid);
            }
            Anomaly => {
                ty(v);
                v.s(o(&s.exe).or(o(&s.comm)));
                v.s(o(&s.terminal));
                v.s(o(&s.hostname));
                uid(v, s.loginuid);
            }
            Response | Integ | Virt => {
                ty(v);
                ok(v);
            }
            Mac | Crypto => {
                uid(v, s.loginuid);
                ty(v);
                ok(v);
            }
            Key => {
                v.s(s.key.as_ref().and_then(|k| k.first()).map(Vec::as_slice));
                ok(v);
                v.s(o(&s.exe));
                uid(v, s.loginuid);
            }
            Tty => {
                v.n(serial);
                uid(v, s.loginuid);
                v.s(o(&s.terminal));
                v.n(i64::from(s.session_id));
                v.s(o(&s.comm));
                v.with(|b| self.tty_data_of(ev, b));
            }
            Avc | Summary | Time => {}
        }
        // The serial is the last column, but for -e (third) and --tty.
        if !matches!(r, Event | Tty) {
            v.n(serial);
        }
        render(b, f, names, v, node);
        ends.push(b.len() as u32);
    }
}
