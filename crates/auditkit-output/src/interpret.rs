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
use auditkit_interp::fxhash::FxMap;
use auditkit_interp::{
    field_type, field_type_uses_value, interpret, Ctx, FieldType, Machine, RecordType,
};

/// C `strtoul`; `None` on overflow (ERANGE).
fn strtoul(s: &[u8], radix: u32) -> Option<u64> {
    auditkit_interp::cnum::strtoul(s, radix).ok()
}

use crate::escape::{escape_into, Escape};
use crate::push_u64;
use crate::time;

/// What the writer knows of a field name in a record type, worked out
/// once per thread: a log has a few hundred (type, name) pairs and tens
/// of millions of fields, and the type lookup (UTF-8 check, hash of the
/// name in the type table, the record type's exceptions) was a sixth of
/// `-i`'s time.
struct NameInfo {
    /// The name's bytes, to tell hash collisions apart.
    bytes: Vec<u8>,
    /// The name as text (empty when it is not UTF-8, as `field_type`
    /// was asked with before).
    text: String,
    /// The field type, unless it depends on the value.
    ft: Option<FieldType>,
}

/// Buffers and caches reused from record to record, per thread.
#[derive(Default)]
struct Scratch {
    tmp: Vec<u8>,
    names: FxMap<(RecordType, u64), NameInfo>,
    /// (field type, hash of the value) -> (value, interpretation), for
    /// the types whose interpretation depends on the value alone (see
    /// [`cacheable`]); logs repeat the same uids, modes and capability
    /// sets. Valid for one `owner`.
    interp: FxMap<(u8, u64), (Vec<u8>, Vec<u8>)>,
    /// The accounts (by address) and escape mode `interp` was made with.
    owner: Option<(usize, Escape)>,
}

/// The most cached interpretations kept per thread before starting over.
const MAX_CACHED: usize = 4096;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Field types whose interpretation depends only on the value, the
/// accounts and the escape mode (not on the record's machine, syscall,
/// a0/a1 or CWD), and whose values repeat: safe and worth caching by
/// value when the record has no enrichment.
fn cacheable(ft: FieldType) -> bool {
    matches!(
        ft,
        FieldType::Uid
            | FieldType::Gid
            | FieldType::Exit
            | FieldType::Perm
            | FieldType::Mode
            | FieldType::ModeShort
            | FieldType::CapBitmap
            | FieldType::Capability
            | FieldType::Success
            | FieldType::Session
            | FieldType::List
            | FieldType::Flags
            | FieldType::Oflag
    )
}

/// FNV-1a of a short name or value, without allocation.
fn hash(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &c in b {
        h = (h ^ u64::from(c)).wrapping_mul(0x100000001b3);
    }
    h ^ b.len() as u64
}

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
        SCRATCH.with(|sc| {
            let Ok(mut sc) = sc.try_borrow_mut() else {
                // Not reentrant; a nested call (none today) gets its own.
                return self.write_with(ev, &last, a0, a1, &mut Scratch::default(), out);
            };
            let owner = (std::ptr::from_ref(self.names) as usize, self.escape);
            if sc.owner != Some(owner) {
                sc.interp.clear();
                sc.owner = Some(owner);
            }
            self.write_with(ev, &last, a0, a1, &mut sc, out);
        });
    }

    fn write_with(
        &self,
        ev: &Event,
        last: &Record<'_>,
        a0: u64,
        a1: u64,
        sc: &mut Scratch,
        out: &mut Vec<u8>,
    ) {
        if (RecordType::DAEMON_START..RecordType::SYSCALL).contains(&last.rtype()) {
            self.record(ev, last, a0, a1, sc, out);
        } else {
            for r in ev.records().rev() {
                self.record(ev, &r, a0, a1, sc, out);
            }
        }
    }

    fn record(
        &self,
        ev: &Event,
        rec: &Record<'_>,
        a0: u64,
        a1: u64,
        sc: &mut Scratch,
        out: &mut Vec<u8>,
    ) {
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
        out.push(b'.');
        if id.msec < 100 {
            out.push(b'0');
        }
        if id.msec < 10 {
            out.push(b'0');
        }
        push_u64(out, u64::from(id.msec));
        out.push(b':');
        push_u64(out, id.serial);
        out.extend_from_slice(b") ");

        let is_sys = rtype == RecordType::SYSCALL || rtype == RecordType::SECCOMP;
        let mut st = FieldState {
            machine: None,
            syscall: -1,
        };
        let mut cur: Option<&[u8]> = Some(&rest[close + 1..]);
        let mut found = false;
        let mut comma = false;
        let mut no_more_eq = false;
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
                rtype, is_sys, name_raw, val, comma, a0, a1, rec, &mut st, sc, out,
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
        sc: &mut Scratch,
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
        let Scratch {
            tmp,
            names,
            interp: cache,
            ..
        } = sc;
        let info = names
            .entry((rtype, hash(name)))
            .or_insert_with(|| NameInfo::new(rtype, name));
        let uncached;
        let (name_s, ft) = if short_eq(&info.bytes, name) {
            let ft = info
                .ft
                .unwrap_or_else(|| field_type(rtype, &info.text, val));
            (info.text.as_str(), ft)
        } else {
            // Two names with one hash: the second is not cached.
            uncached = std::str::from_utf8(name).unwrap_or("");
            (uncached, field_type(rtype, uncached, val))
        };
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
        if ft == FieldType::Unclassified {
            // Printed as logged: the interpretation is not needed.
            out.extend_from_slice(val);
            out.push(if comma { b',' } else { b' ' });
            return;
        }
        let tmp: &[u8] = if ctx.enriched.is_none() && cacheable(ft) {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            let e = cache.entry((ft as u8, hash(val))).or_default();
            if !short_eq(&e.0, val) || e.1.is_empty() {
                e.0.clear();
                e.0.extend_from_slice(val);
                e.1.clear();
                interpret(ft, name_s, val, &ctx, &mut e.1);
            }
            &e.1
        } else {
            tmp.clear();
            interpret(ft, name_s, val, &ctx, tmp);
            tmp
        };
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

impl NameInfo {
    fn new(t: RecordType, name: &[u8]) -> NameInfo {
        let text = std::str::from_utf8(name).unwrap_or("").to_string();
        let ft = (!field_type_uses_value(t, &text)).then(|| field_type(t, &text, b""));
        NameInfo {
            bytes: name.to_vec(),
            text,
            ft,
        }
    }
}

/// Slice equality for names and short values (a few bytes): a byte loop
/// the compiler keeps inline, where `==` calls `memcmp` for every field.
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
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
    // A comma counts only before the next space: look for one there only
    // (searching the whole rest of the line for every field was
    // quadratic in the record's length).
    let v = memchr::memchr(b' ', after);
    let c = memchr::memchr(b',', &after[..v.unwrap_or(after.len())]);
    // Only a comma before the next space needs the field's type.
    let name_s = || std::str::from_utf8(name).unwrap_or("");
    match (c, v) {
        (Some(ci), Some(vi)) if ci < vi => {
            if field_type(rtype, name_s(), &after[vi..]) == FieldType::MacLabel {
                (&after[..vi], Some(&after[vi + 1..]))
            } else {
                *comma = true;
                (&after[..ci], Some(&after[ci + 1..]))
            }
        }
        (Some(ci), None) => {
            if field_type(rtype, name_s(), after) == FieldType::MacLabel {
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
    // The last a0 and a1 count. A field named a0 stands at an `a0=` of
    // the line, so when the line has one `a0=` and one `a1=` (every
    // SYSCALL record auditd writes) the first of each is the last, and
    // the fields after them (four fifths of the record) need no reading.
    let once = |pat: &[u8]| memchr::memmem::find_iter(sys.line, pat).nth(1).is_none();
    let stop_early = once(b"a0=") && once(b"a1=");
    let (mut seen0, mut seen1) = (false, false);
    for f in sys.fields() {
        match f.name {
            b"a0" => {
                a0 = strtoul(&f.value, 16).unwrap_or(u64::MAX);
                seen0 = true;
            }
            b"a1" => {
                a1 = strtoul(&f.value, 16).unwrap_or(u64::MAX);
                seen1 = true;
            }
            _ => {}
        }
        if stop_early && seen0 && seen1 {
            break;
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
