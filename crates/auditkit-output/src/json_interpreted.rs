//! JSON of a record read from ausearch `-i` output.
//!
//! Such a record's values are interpretations already (`uid=root`,
//! `syscall=execve`, `exit=EACCES(Permission denied)`), written with
//! ausearch's default `--escape tty`. Decoding them as logged values would
//! turn them into nonsense (`arch=x86_64` read as hex, `a0=0x3` prefixed
//! again), so this writer only undoes the escaping and puts each value
//! where a reader of the raw log's JSON finds its interpretation: in
//! `fields` (a JSON number when it is a plain decimal of a numeric field)
//! and, for the fields that have an interpretation at all, in `interp` as
//! well. `raw` and `enriched` are absent: the logged form is not in the
//! input.

use std::borrow::Cow;
use std::io::Write;

use auditkit_event::value::{execve_args_with, unescape_tty};
use auditkit_event::{Event, Record};
use auditkit_interp::{field_type, FieldType, RecordType};

use crate::json::{is_decimal, is_numeric_type, is_plain_string, json_str, json_str_array};

/// Append the members after `type`/`type_id` of an interpreted record:
/// `fields`, `keys`, `argv`, `interp`.
pub(crate) fn record_members(
    ev: &Event,
    r: &Record<'_>,
    execve_done: &mut bool,
    out: &mut Vec<u8>,
) {
    let rtype = r.rtype();
    let t = rtype;
    let mut interp: Vec<u8> = Vec::new();
    let mut keys: Vec<u8> = Vec::new();
    let mut has_key = false;
    let mut nkeys = 0;
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut proctitle: Option<Vec<u8>> = None;
    out.extend_from_slice(b",\"fields\":{");
    let mut first = true;
    for f in r.fields() {
        let name = f.name;
        let ft = field_type(t, std::str::from_utf8(name).unwrap_or(""), &f.value);
        let value = value_of(ft, &f.value);
        if name == b"key" {
            has_key = true;
            if &*value != b"(null)" && &*value != b"(none)" {
                if nkeys > 0 {
                    keys.push(b',');
                }
                json_str(&mut keys, &value);
                nkeys += 1;
            }
            continue;
        }
        if rtype == RecordType::PROCTITLE && name == b"proctitle" {
            proctitle = Some(value.to_vec());
        }
        let dup = seen.iter().filter(|n| **n == name).count();
        seen.push(name);
        let mut member = Vec::with_capacity(name.len() + 4);
        if dup == 0 {
            json_str(&mut member, name);
        } else {
            let mut n = name.to_vec();
            let _ = write!(n, "#{}", dup + 1);
            json_str(&mut member, &n);
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(&member);
        out.push(b':');
        if is_decimal(&value) && is_numeric_type(ft) {
            out.extend_from_slice(&value);
        } else {
            json_str(out, &value);
        }
        if ft != FieldType::Unclassified && !is_plain_string(ft) {
            if !interp.is_empty() {
                interp.push(b',');
            }
            interp.extend_from_slice(&member);
            interp.push(b':');
            json_str(&mut interp, &value);
        }
    }
    out.push(b'}');
    if has_key {
        out.extend_from_slice(b",\"keys\":[");
        out.extend_from_slice(&keys);
        out.push(b']');
    }
    if rtype == RecordType::EXECVE && !*execve_done {
        *execve_done = true;
        out.extend_from_slice(b",\"argv\":");
        json_str_array(out, &event_execve_args(ev));
    }
    if let Some(p) = proctitle {
        out.extend_from_slice(b",\"argv\":");
        json_str_array(out, &proctitle_args(ev, &p));
    }
    if !interp.is_empty() {
        out.extend_from_slice(b",\"interp\":{");
        out.extend_from_slice(&interp);
        out.push(b'}');
    }
}

/// The arguments of the event's EXECVE records, reassembled.
fn event_execve_args(ev: &Event) -> Vec<Vec<u8>> {
    let fields: Vec<(&[u8], Cow<'_, [u8]>)> = ev
        .records()
        .filter(|x| x.rtype() == RecordType::EXECVE)
        .flat_map(|x| x.fields().map(|f| (f.name, f.value)).collect::<Vec<_>>())
        .collect();
    execve_args_with(fields.iter().map(|(n, v)| (*n, &v[..])), unescape_tty)
}

/// The arguments of an interpreted proctitle. ausearch printed them
/// joined by spaces, so an argument holding a space cannot be told from
/// two; when the event's EXECVE arguments, joined the same way, begin with
/// the proctitle (the kernel cuts it at 128 bytes), they say where the
/// arguments end. Otherwise (no EXECVE, or a process that rewrote its
/// title, like `sshd: user [priv]`) the proctitle is split at spaces.
fn proctitle_args(ev: &Event, p: &[u8]) -> Vec<Vec<u8>> {
    if ev.records().any(|r| r.rtype() == RecordType::EXECVE) {
        let args = event_execve_args(ev);
        let joined = args.join(&b' ');
        if joined.starts_with(p) {
            let mut out: Vec<Vec<u8>> = Vec::new();
            let mut left = p.len();
            for a in args {
                let take = a.len().min(left);
                out.push(a[..take].to_vec());
                left -= take;
                if left == 0 {
                    break;
                }
                left -= 1; // the space between two arguments
            }
            return out;
        }
    }
    p.split(|&b| b == b' ').map(<[u8]>::to_vec).collect()
}

/// A value as ausearch printed it, made what the raw log's JSON holds:
/// control bytes unescaped; and where ausearch printed a quoted value as
/// logged (a field without an interpretation, a quoted label),
/// the quotes removed, as the raw writer does.
fn value_of(ft: FieldType, v: &[u8]) -> Cow<'_, [u8]> {
    // The types whose interpretation of a quoted value is that value
    // (tty data is not one: its interpretation quotes the text it holds).
    if matches!(ft, FieldType::Unclassified | FieldType::MacLabel) {
        if let Some(inner) = v.strip_prefix(b"\"") {
            let end = memchr::memchr(b'"', inner).unwrap_or(inner.len());
            return unescape_tty(&inner[..end]);
        }
    }
    unescape_tty(v)
}
