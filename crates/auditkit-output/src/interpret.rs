//! ausearch's `interpret` format (`-i`), byte-identical to ausearch 3.0.9.
//!
//! ausearch does not rebuild records from parsed fields: it walks the raw
//! text of each record, copying it through and replacing each value by its
//! interpretation (`output_interpreted_record` and `report_interpret` in
//! `src/ausearch-report.c`). Its quirks shape the output, so they are
//! reproduced here on purpose:
//!
//! * the name printed before `=` is *all* the text since the previous value
//!   (that is how `) : arch=` gets its colon, and how a value cut at a comma
//!   leaks its tail into the next name);
//! * a value runs to the next space, or to its closing quote, or to a comma
//!   when a comma comes before the next space (unless the field is a MAC
//!   label), and in the comma case the rest of the line is printed as is
//!   when it was the last field;
//! * `machine` is reset per record and only SYSCALL/SECCOMP records set it
//!   (native first, then from `arch`); other records interpret with no
//!   machine and syscall 0; a0/a1 come from the event's SYSCALL record.
//!
//! Values themselves are interpreted by [`auditkit_interp::interpret`].

use auditkit_event::{Event, Record};
use auditkit_host::Accounts;
use auditkit_interp::{field_type, interpret, Ctx, FieldType, Machine, RecordType};

/// C `strtoul`; `None` on overflow (ERANGE).
fn strtoul(s: &[u8], radix: u32) -> Option<u64> {
    auditkit_interp::cnum::strtoul(s, radix).ok()
}

use crate::escape::{escape_into, Escape};
use crate::time;

/// Settings of the interpreted writer.
pub struct Interpreter<'a> {
    /// uid/gid names.
    pub names: &'a Accounts,
    /// `--escape`.
    pub escape: Escape,
    /// The machine this host is (ausearch's `audit_detect_machine`).
    pub native: Option<Machine>,
}

impl Interpreter<'_> {
    /// `--format interpret`: one event.
    pub fn write(&self, ev: &Event, out: &mut Vec<u8>) {
        out.extend_from_slice(b"----\n");
        let n = ev.len();
        let Some(last) = ev.record(n.wrapping_sub(1)) else {
            return;
        };
        let (a0, a1) = syscall_args(ev);
        if (RecordType::DAEMON_START..RecordType::SYSCALL).contains(&last.rtype()) {
            self.record(ev, &last, a0, a1, out);
        } else {
            for r in ev.records().rev() {
                self.record(ev, &r, a0, a1, out);
            }
        }
    }

    fn record(&self, ev: &Event, rec: &Record<'_>, a0: u64, a1: u64, out: &mut Vec<u8>) {
        if rec.is_interpreted() {
            // Read from ausearch -i output: interpreted already, and
            // printed as it was read (so that -i output searched with -i
            // prints its lines unchanged).
            out.extend_from_slice(auditkit_event::header::strip_cr(rec.line));
            out.push(b'\n');
            if memchr::memchr(b'=', rec.body()).is_none() {
                // The empty line ausearch printed after a record without
                // fields (an EOE), read as a blank line.
                out.push(b'\n');
            }
            return;
        }
        let rtype = rec.rtype();
        let mut s = cstr(message(rec));
        let node = ev.node();
        if node.is_some() {
            if let Some(p) = memchr::memchr(b' ', s) {
                s = &s[p + 1..];
            }
        }
        let Some(open) = memchr::memchr(b'(', s) else {
            return;
        };
        let head = &s[..open];
        let rest = &s[open + 1..];
        if let Some(n) = node {
            out.extend_from_slice(b"node=");
            out.extend_from_slice(n);
            out.push(b' ');
        }
        match rtype.name() {
            Some(name) => {
                out.extend_from_slice(b"type=");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" msg=audit(");
            }
            None => {
                out.extend_from_slice(head);
                out.push(b'(');
            }
        }
        let Some(close) = memchr::memchr(b')', rest) else {
            return;
        };
        let id = ev.id();
        // ausearch prints `?` for `%x %T` when localtime fails (a year
        // past INT_MAX, from a damaged timestamp).
        match time::try_localtime(id.sec as i64) {
            Some(tm) => {
                time::date_x(out, &tm);
                out.push(b' ');
                time::time_t(out, &tm);
            }
            None => out.push(b'?'),
        }
        out.extend_from_slice(format!(".{:03}:{}) ", id.msec, id.serial).as_bytes());

        let is_sys = rtype == RecordType::SYSCALL || rtype == RecordType::SECCOMP;
        let mut st = FieldState {
            machine: None,
            syscall: -1,
        };
        let mut cur: Option<&[u8]> = Some(&rest[close + 1..]);
        let mut found = false;
        let mut comma = false;
        let mut no_more_eq = false;
        let mut tmp = Vec::new();
        while let Some(c) = cur {
            if c.is_empty() {
                break;
            }
            let Some(eq) = memchr::memchr(b'=', c) else {
                no_more_eq = true;
                break;
            };
            comma = false;
            found = true;
            let mut ni = eq;
            while ni > 0 && c[ni] != b' ' {
                ni -= 1;
            }
            let name_raw = &c[ni..eq];
            out.extend_from_slice(&c[..eq]);
            out.push(b'=');
            let after = &c[eq + 1..];
            if name_raw == b"msg" {
                cur = Some(after);
                continue;
            }
            let name_raw = name_raw.strip_prefix(b"'").unwrap_or(name_raw);
            let (val, next) = split_value(rtype, name_raw, after, &mut comma);
            cur = next;
            self.report(
                rtype, is_sys, name_raw, val, comma, a0, a1, rec, &mut st, &mut tmp, out,
            );
        }
        if !found && no_more_eq {
            if let Some(c) = cur {
                escape_into(out, c, self.escape);
                out.push(b'\n');
            }
        } else if comma {
            match cur {
                Some(c) => {
                    escape_into(out, c, self.escape);
                    out.push(b'\n');
                }
                None => out.extend_from_slice(b"(null)"),
            }
        }
        out.push(b'\n');
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        rtype: RecordType,
        is_sys: bool,
        name: &[u8],
        val: &[u8],
        comma: bool,
        a0: u64,
        a1: u64,
        rec: &Record<'_>,
        st: &mut FieldState,
        tmp: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) {
        let mut name = name;
        while let Some((&b' ' | &b'(', rest)) = name.split_first() {
            name = rest;
        }
        let mut val = val;
        if name == b"acct" && val.last() == Some(&b':') {
            val = &val[..val.len() - 1];
        }
        let name_s = std::str::from_utf8(name).unwrap_or("");
        let ft = field_type(rtype, name_s, val);
        let syscall;
        if is_sys {
            if st.machine.is_none() {
                st.machine = self.native;
            }
            if name == b"arch" {
                match strtoul(val, 16) {
                    Some(v) => st.machine = u32::try_from(v).ok().and_then(Machine::from_elf),
                    None => {
                        out.extend_from_slice(b"arch conversion error(");
                        out.extend_from_slice(val);
                        out.extend_from_slice(b") ");
                        return;
                    }
                }
            }
            if st.syscall < 0 && name == b"syscall" {
                match strtoul(val, 10) {
                    Some(v) => st.syscall = v as i32,
                    None => {
                        out.extend_from_slice(b"syscall conversion error(");
                        out.extend_from_slice(val);
                        out.extend_from_slice(b") ");
                        return;
                    }
                }
            }
            syscall = u32::try_from(st.syscall).ok();
        } else {
            syscall = Some(0);
        }
        let ctx = Ctx {
            machine: st.machine,
            syscall,
            a0,
            a1,
            cwd: None,
            enriched: rec.enrichment(),
            names: self.names,
            escape: self.escape.into(),
        };
        tmp.clear();
        interpret(ft, name_s, val, &ctx, tmp);
        if ft == FieldType::Unclassified {
            out.extend_from_slice(val);
            out.push(if comma { b',' } else { b' ' });
        } else if name == b"key" {
            let mut parts = tmp.split(|&b| b == 0x01);
            if let Some(first) = parts.next() {
                out.extend_from_slice(first);
            }
            for p in parts {
                out.extend_from_slice(b" key=");
                out.extend_from_slice(p);
            }
            out.push(b' ');
        } else if ft == FieldType::TtyData {
            out.extend_from_slice(tmp);
        } else {
            out.extend_from_slice(tmp);
            out.push(b' ');
        }
    }
}

struct FieldState {
    machine: Option<Machine>,
    syscall: i32,
}

/// Cut one value off `after` the way ausearch does. Returns the value and
/// what follows it (None when the value ran to the end).
fn split_value<'a>(
    rtype: RecordType,
    name: &[u8],
    after: &'a [u8],
    comma: &mut bool,
) -> (&'a [u8], Option<&'a [u8]>) {
    if let Some(&q) = after.first().filter(|&&b| b == b'\'' || b == b'"') {
        return match memchr::memchr(q, &after[1..]) {
            Some(k) => {
                let end = k + 2;
                if end < after.len() {
                    (&after[..end], Some(&after[end + 1..]))
                } else {
                    (after, Some(&after[after.len()..]))
                }
            }
            None => (after, None),
        };
    }
    let c = memchr::memchr(b',', after);
    let v = memchr::memchr(b' ', after);
    let name_s = std::str::from_utf8(name).unwrap_or("");
    match (c, v) {
        (Some(ci), Some(vi)) if ci < vi => {
            if field_type(rtype, name_s, &after[vi..]) == FieldType::MacLabel {
                (&after[..vi], Some(&after[vi + 1..]))
            } else {
                *comma = true;
                (&after[..ci], Some(&after[ci + 1..]))
            }
        }
        (Some(ci), None) => {
            if field_type(rtype, name_s, after) == FieldType::MacLabel {
                (after, None)
            } else {
                *comma = true;
                (&after[..ci], Some(&after[ci + 1..]))
            }
        }
        (_, Some(vi)) => (&after[..vi], Some(&after[vi + 1..])),
        (None, None) => (after, None),
    }
}

/// a0 and a1 of the event's SYSCALL record (hex), 0 when absent.
fn syscall_args(ev: &Event) -> (u64, u64) {
    let Some(sys) = ev.records().find(|r| r.rtype() == RecordType::SYSCALL) else {
        return (0, 0);
    };
    let mut a0 = 0;
    let mut a1 = 0;
    for f in sys.fields() {
        match f.name {
            b"a0" => a0 = strtoul(&f.value, 16).unwrap_or(u64::MAX),
            b"a1" => a1 = strtoul(&f.value, 16).unwrap_or(u64::MAX),
            _ => {}
        }
    }
    (a0, a1)
}

/// The record's message as ausearch keeps it: up to the 0x1D separator,
/// with a `\r` kept (fgets keeps it).
fn message<'a>(r: &Record<'a>) -> &'a [u8] {
    match r.header.enrich {
        Some(e) => &r.line[..e as usize],
        None => r.line,
    }
}

fn cstr(s: &[u8]) -> &[u8] {
    memchr::memchr(0, s).map_or(s, |p| &s[..p])
}
