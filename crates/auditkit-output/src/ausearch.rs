//! ausearch's `raw` and `default` formats (`src/ausearch-report.c`).
//!
//! * raw: every record as read, in input order, no separators.
//! * default: `----`, `time->` and `ctime()`, then the records last to first,
//!   each escaped for the terminal as `safe_print_string_n` does. When the
//!   last record is a DAEMON_* record, only that record is printed.

use auditkit_event::Event;
use auditkit_interp::RecordType;

use crate::escape::{escape_into, Escape};
use crate::time;

/// ausearch reads lines with an 8970-byte buffer and prints at most that.
pub const MAX_AUDIT_MESSAGE_LENGTH: usize = 8970;

/// `--format raw`: the lines as read.
pub fn write_raw(ev: &Event, out: &mut Vec<u8>) {
    // ausearch puts the 0x1D separator back on every record of an event
    // that has an enriched record, even on records that had no tail.
    let enriched = ev.is_enriched();
    for r in ev.records() {
        // Up to a NUL, as puts() would print.
        let line = until_nul(r.line);
        out.extend_from_slice(line);
        if enriched && r.header.enrich.is_none() {
            out.push(0x1d);
        }
        out.push(b'\n');
    }
}

/// `--format default`.
pub fn write_default(ev: &Event, esc: Escape, out: &mut Vec<u8>) {
    out.extend_from_slice(b"----\ntime->");
    time::ctime(out, ev.id().sec as i64);
    let n = ev.len();
    let Some(last) = ev.record(n.wrapping_sub(1)) else {
        return;
    };
    let t = last.rtype();
    if (RecordType::DAEMON_START..RecordType::SYSCALL).contains(&t) {
        out.extend_from_slice(until_nul(last.message()));
        out.push(b'\n');
        return;
    }
    for r in ev.records().rev() {
        let m = until_nul(message_with_cr(&r));
        let m = &m[..m.len().min(MAX_AUDIT_MESSAGE_LENGTH)];
        escape_into(out, m, esc);
        out.push(b'\n');
    }
}

/// ausearch keeps a `\r` in the message of a raw line (fgets keeps it);
/// for an enriched line the message ends at the 0x1D byte.
fn message_with_cr<'a>(r: &auditkit_event::Record<'a>) -> &'a [u8] {
    match r.header.enrich {
        Some(e) => &r.line[..e as usize],
        None => r.line,
    }
}

fn until_nul(s: &[u8]) -> &[u8] {
    match memchr::memchr(0, s) {
        Some(p) => &s[..p],
        None => s,
    }
}
