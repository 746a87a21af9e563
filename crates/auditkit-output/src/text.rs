//! `ausearch --format text`, byte-identical to ausearch 3.0.9: one English
//! sentence per event auparse sees, built from the normalizer's answers
//! ("At 10:00:00 01/02/24 alice, acting as root, successfully opened-file
//! /etc/shadow using /usr/bin/cat").

use auditkit_event::Event;
use auditkit_interp::FieldType;

use crate::normalize::cursor::Au;
use crate::normalize::tables::AUDIT_CONFIG_CHANGE;
use crate::normalize::{auparse_events, normalize, put, seek, succeeded, Settings};
use crate::time;

/// Append the sentence(s) of one event.
pub fn write_text(ev: &Event, s: &Settings<'_>, out: &mut Vec<u8>) {
    let id = ev.id();
    for recs in auparse_events(ev) {
        let mut au = Au::new(&recs, id.sec, s.names, s.escape);
        let mut when = Vec::with_capacity(17);
        // `?` where localtime fails (a year past INT_MAX), as ausearch.
        match time::try_localtime(id.sec as i64) {
            Some(tm) => {
                time::time_t(&mut when, &tm);
                when.push(b' ');
                time::date_x(&mut when, &tm);
            }
            None => when.push(b'?'),
        }
        let rtype = au.rtype();
        // The text format ignores a failed normalization and prints what
        // was found.
        let (d, _) = normalize(&mut au, false, s.users);
        if recs.first().and_then(|r| r.node()).is_some() {
            out.extend_from_slice(b"On ");
            put(out, au.interpret().as_deref());
            out.extend_from_slice(b" at ");
        } else {
            out.extend_from_slice(b"At ");
        }
        out.extend_from_slice(&when);
        out.push(b' ');
        let mut id_num = -2;
        if seek(&mut au, d.subj_primary) == 1 {
            let subj = au.interpret();
            id_num = au.int().0;
            if subj.as_deref() == Some(b"unset") {
                out.extend_from_slice(b"system");
            } else {
                put(out, subj.as_deref());
            }
        }
        if seek(&mut au, d.subj_secondary) == 1 {
            let uid = au.int().0;
            if uid != id_num && id_num != -2 && uid != -1 {
                out.extend_from_slice(b", acting as ");
                put(out, au.interpret().as_deref());
                out.push(b',');
            }
        }
        if seek(&mut au, d.results) == 1 {
            let ok = succeeded(&mut au);
            out.extend_from_slice(if ok {
                b" successfully "
            } else {
                b" unsuccessfully "
            });
        } else {
            out.push(b' ');
        }
        let action = d.action.as_deref();
        out.extend_from_slice(action.unwrap_or(b"did-unknown"));
        out.push(b' ');
        if seek(&mut au, d.obj_primary) == 1 {
            let mut val: Option<Vec<u8>> = None;
            if action.is_some_and(|a| memchr::memmem::find(a, b"violated").is_some()) {
                val = Some(b"accessing ".to_vec());
            }
            match au.ftype() {
                FieldType::EscapedFile => val = au.realpath(),
                FieldType::Sockaddr => {
                    val = au.sock_part(b"laddr=").or_else(|| au.sock_part(b"fam="));
                }
                _ if rtype == AUDIT_CONFIG_CHANGE => {
                    val = if matches!(action, Some(b"set" | b"seccomp-logging")) {
                        au.name().map(<[u8]>::to_vec)
                    } else {
                        au.interpret()
                    };
                }
                _ => {}
            }
            if val.is_none() {
                val = au.interpret();
            }
            put(out, val.as_deref());
            out.push(b' ');
        }
        if seek(&mut au, d.obj_two) == 1 {
            let val = if au.ftype() == FieldType::EscapedFile {
                au.realpath()
            } else {
                au.interpret()
            };
            out.extend_from_slice(b"to ");
            put(out, val.as_deref());
            out.push(b' ');
        }
        if let (Some(how), Some(a)) = (&d.how, action) {
            // "ended-session" and friends get no "using".
            if a.first() != Some(&b'e') {
                out.extend_from_slice(b"using ");
                out.extend_from_slice(how);
            }
        }
        out.push(b'\n');
    }
}
