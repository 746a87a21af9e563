//! `ausearch --format csv`, byte-identical to ausearch 3.0.9.
//!
//! One line per event auparse sees (see [`crate::normalize`]), columns
//! from the normalizer. Nothing is quoted: a value with a comma in it
//! shifts the columns, as it does in ausearch. The header line comes from
//! [`header`] and must be written once, before the first event line, by
//! whoever owns the output stream (the writers run on several threads).

use std::io::Write;

use auditkit_event::Event;

use crate::normalize::cursor::Au;
use crate::normalize::tables::AUDIT_CONFIG_CHANGE;
use crate::normalize::{auparse_events, normalize, put, seek, succeeded, Settings};
use crate::time;

/// ausearch's `--extra-*` options, which add csv columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvExtras {
    /// `--extra-keys`: KEY, the event's rule key.
    pub keys: bool,
    /// `--extra-labels`: SUBJ_LABEL and OBJ_LABEL (SELinux contexts).
    pub labels: bool,
    /// `--extra-obj2`: OBJ2, a second object (rename target, new mode...).
    pub obj2: bool,
    /// `--extra-time`: the date and time split into columns.
    pub time: bool,
}

/// The header line (with its newline).
pub fn header(x: &CsvExtras) -> String {
    let on = |b: bool, s: &'static str| if b { s } else { "" };
    format!(
        "NODE,EVENT,DATE,TIME,{}SERIAL_NUM,EVENT_KIND,SESSION,SUBJ_PRIME,SUBJ_SEC,SUBJ_KIND,{}\
         ACTION,RESULT,OBJ_PRIME,OBJ_SEC,{}{}OBJ_KIND,HOW{}\n",
        on(x.time, "YEAR,MONTH,DAY,WEEKDAY,HOUR,MILLI,GMT_OFFSET,"),
        on(x.labels, "SUBJ_LABEL,"),
        on(x.obj2, "OBJ2,"),
        on(x.labels, "OBJ_LABEL,"),
        on(x.keys, ",KEY"),
    )
}

/// Append the csv line(s) of one event.
pub fn write_csv(ev: &Event, s: &Settings<'_>, x: &CsvExtras, out: &mut Vec<u8>) {
    let id = ev.id();
    for recs in auparse_events(ev) {
        let mut au = Au::new(&recs, id.sec, s.names, s.escape);
        let rtype = au.rtype();
        if recs.first().and_then(|r| r.node()).is_some() {
            put(out, au.interpret().as_deref());
        }
        out.push(b',');
        if let Some(name) = rtype.name() {
            out.extend_from_slice(name.as_bytes());
        }
        out.push(b',');
        let (d, ok) = normalize(&mut au, x.labels, s.users);
        match time::try_localtime(id.sec as i64) {
            Some(tm) => {
                time::date_x(out, &tm);
                out.push(b',');
                time::time_t(out, &tm);
                out.push(b',');
                if x.time {
                    extra_time(out, &tm, id.msec);
                }
            }
            // Where localtime fails (a year past INT_MAX, from a damaged
            // timestamp) ausearch leaves every time column empty but MILLI.
            None => {
                out.extend_from_slice(b",,");
                if x.time {
                    let _ = write!(out, ",,,,,{},,", id.msec);
                }
            }
        }
        let _ = write!(out, "{},", id.serial);
        if !ok {
            out.extend_from_slice(b",,,,,,,,,");
            if x.labels {
                out.extend_from_slice(b",,");
            }
            if x.keys {
                out.push(b',');
            }
            out.push(b'\n');
            continue;
        }
        out.extend_from_slice(d.evkind.unwrap_or("unknown").as_bytes());
        out.push(b',');
        if seek(&mut au, d.session) == 1 {
            put(out, au.interpret().as_deref());
        }
        out.push(b',');
        if seek(&mut au, d.subj_primary) == 1 {
            let subj = au.interpret();
            let subj = if subj.as_deref() == Some(b"unset") {
                Some(b"system".to_vec())
            } else {
                subj
            };
            put(out, subj.as_deref());
        }
        out.push(b',');
        if seek(&mut au, d.subj_secondary) == 1 {
            put(out, au.interpret().as_deref());
        }
        out.push(b',');
        if let Some(k) = d.subj_kind {
            out.extend_from_slice(k.as_bytes());
        }
        out.push(b',');
        if x.labels {
            label(&mut au, &d.subj_attrs, b"subj", out);
        }
        let action = d.action.as_deref();
        out.extend_from_slice(action.unwrap_or(b"did-unknown"));
        out.push(b',');
        if seek(&mut au, d.results) == 1 {
            let ok = succeeded(&mut au);
            out.extend_from_slice(if ok { b"success" } else { b"failed" });
        }
        out.push(b',');
        if seek(&mut au, d.obj_primary) == 1 {
            let val = if au.ftype() == auditkit_interp::FieldType::EscapedFile {
                au.realpath()
            } else if au.rtype() == AUDIT_CONFIG_CHANGE
                && matches!(action, Some(b"set" | b"seccomp-logging"))
            {
                au.name().map(<[u8]>::to_vec)
            } else {
                au.interpret()
            };
            put(out, val.as_deref());
        }
        out.push(b',');
        if seek(&mut au, d.obj_secondary) == 1 {
            put(out, au.interpret().as_deref());
        }
        out.push(b',');
        if x.obj2 {
            if seek(&mut au, d.obj_two) == 1 {
                let val = if au.ftype() == auditkit_interp::FieldType::EscapedFile {
                    au.realpath()
                } else {
                    au.interpret()
                };
                put(out, val.as_deref());
            }
            out.push(b',');
        }
        if x.labels {
            label(&mut au, &d.obj_attrs, b"obj", out);
        }
        out.extend_from_slice(d.obj_kind_name().as_bytes());
        out.push(b',');
        if let Some(h) = &d.how {
            out.extend_from_slice(h);
        }
        if x.keys {
            out.push(b',');
            if seek(&mut au, d.key) == 1 {
                put(out, au.interpret().as_deref());
            }
        }
        out.push(b'\n');
    }
}

/// SUBJ_LABEL / OBJ_LABEL: the first attribute named `want`. ausearch
/// stops at the first attribute after the first that cannot be reached.
fn label(au: &mut Au<'_>, attrs: &[(usize, usize)], want: &[u8], out: &mut Vec<u8>) {
    for (i, &a) in attrs.iter().enumerate() {
        if seek(au, Some(a)) != 1 {
            if i == 0 {
                continue;
            }
            break;
        }
        if au.name() == Some(want) {
            put(out, au.interpret().as_deref());
            break;
        }
    }
    out.push(b',');
}

/// `--extra-time`: %Y,%m,%d,%u,%k, milliseconds, and the UTC offset as
/// ausearch computes it (its "minutes" are the offset's seconds mod 60).
fn extra_time(out: &mut Vec<u8>, tm: &time::Tm, msec: u32) {
    let weekday = if tm.wday == 0 { 7 } else { tm.wday };
    let total = tm.gmtoff.unsigned_abs();
    let hour = total / 3600;
    let min = (total - hour * 3600) % 60;
    let _ = write!(
        out,
        "{},{:02},{:02},{},{:2},{},{}{:02}:{:02},",
        tm.year,
        tm.month,
        tm.day,
        weekday,
        tm.hour,
        msec,
        if tm.gmtoff >= 0 { '+' } else { '-' },
        hour,
        min
    );
}
