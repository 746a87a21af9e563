//! JSON lines: one object per event, records in order. The schema is
//! documented in `docs/json.md` and is stable: fields are only ever added.
//!
//! What makes it better than a plain key/value dump (and than laurel's):
//! numbers are JSON numbers, strings are decoded (quotes and the kernel's
//! hex encoding removed), EXECVE and PROCTITLE arguments are arrays
//! (EXECVE's `aN[i]` chunks reassembled across records), keys are always
//! an array, every interpretation auparse would give sits beside the value
//! in `interp`, and nothing is lost: a value whose decoding changed it
//! keeps its logged form in `raw`, and bytes that are not UTF-8 are kept as
//! hex there too.

use std::io::Write;
use std::rc::Rc;

use auditkit_event::fields::Field;
use auditkit_event::value::{decode_hex_into, execve_args, is_sentinel, split_keys};
use auditkit_event::{Event, Record};
use auditkit_host::Accounts;
use auditkit_interp::{
    field_type, field_type_uses_value, interpret, ArgsRead, Ctx, EscapeMode, FieldType, Machine,
    RecordType,
};

use crate::push_u64;

/// Writes events as JSON lines.
pub struct JsonWriter<'a> {
    /// uid/gid names for `interp`.
    pub names: &'a Accounts,
    /// Include the original lines of each record (`"line"`).
    pub with_lines: bool,
}

impl JsonWriter<'_> {
    /// Append one event and a newline.
    pub fn write(&self, ev: &Event, out: &mut Vec<u8>) {
        let id = ev.id();
        out.extend_from_slice(b"{\"id\":\"");
        push_u64(out, id.sec);
        out.push(b'.');
        let ms = id.msec.min(999);
        out.extend_from_slice(&[
            b'0' + (ms / 100) as u8,
            b'0' + (ms / 10 % 10) as u8,
            b'0' + (ms % 10) as u8,
        ]);
        out.push(b':');
        push_u64(out, id.serial);
        out.push(b'"');
        if let Some(n) = ev.node() {
            out.extend_from_slice(b",\"node\":");
            json_str(out, n);
        }
        out.extend_from_slice(b",\"time\":\"");
        iso_time(out, id.sec as i64, id.msec);
        out.extend_from_slice(b"\",\"sec\":");
        push_u64(out, id.sec);
        out.extend_from_slice(b",\"msec\":");
        push_u64(out, u64::from(id.msec));
        out.extend_from_slice(b",\"serial\":");
        push_u64(out, id.serial);
        out.extend_from_slice(b",\"records\":[");
        // EXECVE arguments are reassembled over all EXECVE records of the
        // event and given once, on the first.
        let mut execve_done = false;
        // One buffer of fields for the whole event, refilled per record.
        let mut fields = Vec::with_capacity(48);
        SCRATCH.with(|sc| {
            let mut sc = sc.borrow_mut();
            for (i, r) in ev.records().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                self.record(ev, &r, &mut fields, &mut execve_done, &mut sc, out);
            }
        });
        out.extend_from_slice(b"]}\n");
    }

    fn record<'e>(
        &self,
        ev: &Event,
        r: &Record<'e>,
        fields: &mut Vec<Field<'e>>,
        execve_done: &mut bool,
        sc: &mut Scratch,
        out: &mut Vec<u8>,
    ) {
        let rtype = r.rtype();
        out.extend_from_slice(b"{\"type\":");
        json_str(out, r.type_name());
        if rtype.0 >= 0 {
            out.extend_from_slice(b",\"type_id\":");
            push_u64(out, rtype.0 as u64);
        }
        if r.is_interpreted() {
            crate::json_interpreted::record_members(ev, r, execve_done, out);
            if self.with_lines {
                out.extend_from_slice(b",\"line\":");
                json_str(out, r.line);
            }
            out.push(b'}');
            return;
        }
        // Context for interpretation, as auparse gives it to a record.
        fields.clear();
        fields.extend(r.fields());
        let fields = &*fields;
        let mut machine = None;
        let mut syscall = None;
        let mut a0 = 0;
        let mut a1 = 0;
        for f in fields {
            match f.name {
                b"arch" => {
                    machine = parse_hex(&f.value)
                        .and_then(|v| u32::try_from(v).ok())
                        .and_then(Machine::from_elf)
                }
                b"syscall" => {
                    syscall = std::str::from_utf8(&f.value)
                        .ok()
                        .and_then(|s| s.parse().ok())
                }
                b"a0" => a0 = parse_hex(&f.value).unwrap_or(0),
                b"a1" => a1 = parse_hex(&f.value).unwrap_or(0),
                _ => {}
            }
        }
        let ctx = Ctx {
            machine,
            syscall,
            a0,
            a1,
            cwd: None,
            enriched: r.enrichment(),
            names: self.names,
            escape: EscapeMode::Raw,
        };
        let Scratch {
            interp: interp_buf,
            raw: raw_buf,
            value: scratch,
            title,
            last_args_read,
            seen,
            keys,
            templates,
            infos,
            interp_cache,
        } = sc;
        if templates.len() >= 1024 {
            templates.clear();
        }
        let tpl = templates.entry(rtype).or_default();
        interp_buf.clear();
        raw_buf.clear();
        seen.clear();
        keys.clear();
        // Names seen in this record, as a 256-bit Bloom filter over their
        // hashes: a repeated name (rare) is only looked for when its bit is
        // already set.
        let mut seen_bits = [0u64; 4];
        let mut nkeys = 0usize;
        // What the syscall-dependent interpretations read, worked out on
        // the first one.
        let mut args_read: Option<ArgsRead> = None;
        let mut has_key = false;
        // A PROCTITLE's first `proctitle`, once decoded for `fields`, is
        // kept in `title` for `argv` rather than decoded again.
        let mut title_decoded = false;
        let mut want_title = rtype == RecordType::PROCTITLE;
        // The cache of interpretations is keyed by the name database too.
        let names_id = self.names as *const Accounts as usize;
        out.extend_from_slice(b",\"fields\":{");
        let mut first = true;
        for (fi, f) in fields.iter().enumerate() {
            let name = f.name;
            let value: &[u8] = &f.value;
            if name == b"key" {
                has_key = true;
                for k in split_keys(value) {
                    if nkeys > 0 {
                        keys.push(b',');
                    }
                    json_str(keys, &k);
                    nkeys += 1;
                }
                continue;
            }
            // The record type's field layout from last time: the same
            // names in the same places, nearly always.
            if tpl.len() <= fi {
                tpl.resize_with(fi + 1, TemplateSlot::default);
            }
            let slot = &mut tpl[fi];
            if !matches!(&slot.info, Some(i) if short_eq(&i.bytes, name)) {
                // Another layout (PATH records, for one, vary): the name's
                // facts are kept per record type too.
                if infos.len() >= 4096 {
                    infos.clear();
                }
                let list = infos.entry((rtype, name_hash(name))).or_default();
                let info = match list.iter().find(|i| i.bytes == name) {
                    Some(i) => i.clone(),
                    None => {
                        let i = Rc::new(FieldInfo::new(rtype, name));
                        list.push(i.clone());
                        i
                    }
                };
                slot.info = Some(info);
                slot.memo.last_key = None;
            }
            // The slot's name facts and its memory, borrowed apart.
            let TemplateSlot { info, memo: slot } = slot;
            let Some(info) = info.as_deref() else {
                continue;
            };
            let ft = match info.ft {
                Some(ft) => ft,
                None => field_type(rtype, &info.name, value),
            };
            if !first {
                out.push(b',');
            }
            first = false;
            let h = info.hash;
            let (word, bit) = ((h >> 6) as usize & 3, 1u64 << (h & 63));
            let dup = if seen_bits[word] & bit == 0 {
                0
            } else {
                seen.iter()
                    .filter(|&&(sh, i)| sh == h && fields[i].name == name)
                    .count()
            };
            seen_bits[word] |= bit;
            seen.push((h, fi));
            if dup == 0 {
                out.extend_from_slice(&info.json);
            } else {
                let mut n = name.to_vec();
                let _ = write!(n, "#{}", dup + 1);
                json_str(out, &n);
            }
            out.push(b':');
            let raw_changed = write_value(out, ft, rtype, name, value, scratch);
            if want_title && name == b"proctitle" {
                want_title = false;
                if raw_changed {
                    // `scratch` holds the hex decoded, as `decode_into`
                    // would decode it (no sentinel is valid hex).
                    std::mem::swap(scratch, title);
                    title_decoded = true;
                }
            }
            if raw_changed {
                push_member(raw_buf, &info.json, name, dup);
                json_str(raw_buf, value);
            }
            if ft != FieldType::Unclassified && !is_plain_string(ft) {
                let cacheable = ctx.enriched.is_none() && context_free(ft);
                // The syscall and its arguments read through the record's
                // machine and syscall, some through a0 or a1: remembered
                // in the slot with what they read (a busy log repeats the
                // same calls and flags, while a0/a1 are often pointers),
                // but not in the value-keyed cache.
                let by_context = ctx.enriched.is_none() && syscall_dependent(ft);
                let key = SlotKey {
                    names: names_id,
                    ft: ft as u8,
                    ctx: if by_context {
                        let read = *args_read.get_or_insert_with(|| {
                            // The same machine and syscall as last time,
                            // nearly always.
                            let at = (machine.map_or(u32::MAX, Machine::elf), syscall);
                            match last_args_read {
                                Some((k, r)) if *k == at => *r,
                                _ => {
                                    let r = ArgsRead::of(&ctx);
                                    *last_args_read = Some((at, r));
                                    r
                                }
                            }
                        });
                        let (ra0, ra1) = match ft {
                            FieldType::Syscall => (read.syscall_a0, false),
                            FieldType::A1 => (read.a1_a0, false),
                            FieldType::A2 => (false, read.a2_a1),
                            _ => (false, false),
                        };
                        (
                            machine.map_or(u32::MAX, Machine::elf),
                            syscall,
                            if ra0 { a0 } else { 0 },
                            if ra1 { a1 } else { 0 },
                        )
                    } else {
                        (0, None, 0, 0)
                    },
                };
                if (cacheable || by_context)
                    && slot.last_key == Some(key)
                    && slot.last_value == value
                {
                    if let Some(j) = &slot.last_json {
                        push_member(interp_buf, &info.json, name, dup);
                        interp_buf.extend_from_slice(j);
                    }
                    continue;
                }
                if cacheable {
                    if let Some((v, j)) = interp_cache.get(&(names_id, ft as u8, value_hash(value)))
                    {
                        if v.as_slice() == value {
                            if let Some(j) = j {
                                push_member(interp_buf, &info.json, name, dup);
                                interp_buf.extend_from_slice(j);
                            }
                            set_slot(slot, key, value, j.as_deref());
                            continue;
                        }
                    }
                }
                scratch.clear();
                interpret(ft, &info.name, value, &ctx, scratch);
                // The interpretation goes straight into `interp`; what is
                // remembered is copied from there.
                let j = if scratch.as_slice() != value {
                    push_member(interp_buf, &info.json, name, dup);
                    let at = interp_buf.len();
                    json_str(interp_buf, scratch);
                    Some(&interp_buf[at..])
                } else {
                    None
                };
                if cacheable {
                    remember_interp(interp_cache, names_id, ft, value, j);
                }
                if cacheable || by_context {
                    set_slot(slot, key, value, j);
                }
            }
        }
        out.push(b'}');
        if has_key {
            out.extend_from_slice(b",\"keys\":[");
            out.extend_from_slice(keys);
            out.push(b']');
        }
        if rtype == RecordType::EXECVE && !*execve_done {
            *execve_done = true;
            let args = execve_args(
                ev.records()
                    .filter(|x| x.rtype() == RecordType::EXECVE)
                    .flat_map(|x| {
                        x.fields()
                            .map(|f| (f.name, f.value.into_owned()))
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|(n, v)| (*n, v.as_slice())),
            );
            out.extend_from_slice(b",\"argv\":");
            json_str_array(out, &args);
        }
        if rtype == RecordType::PROCTITLE {
            if let Some(f) = fields.iter().find(|f| f.name == b"proctitle") {
                out.extend_from_slice(b",\"argv\":");
                // The arguments are the NUL-separated parts of the decoded
                // value (a trailing NUL ends the last one, it does not
                // start an empty one).
                let d = if title_decoded {
                    &title[..]
                } else {
                    decode_into(&f.value, scratch)
                };
                let d = d.strip_suffix(b"\0").unwrap_or(d);
                out.push(b'[');
                for (i, a) in d.split(|&c| c == 0).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    json_str(out, a);
                }
                out.push(b']');
            }
        }
        if !interp_buf.is_empty() {
            out.extend_from_slice(b",\"interp\":{");
            out.extend_from_slice(interp_buf);
            out.push(b'}');
        }
        if !raw_buf.is_empty() {
            out.extend_from_slice(b",\"raw\":{");
            out.extend_from_slice(raw_buf);
            out.push(b'}');
        }
        if let Some(tail) = r.enrichment() {
            out.extend_from_slice(b",\"enriched\":{");
            let mut first = true;
            for (n, v) in auditkit_event::fields::enrichment_fields(tail) {
                if !first {
                    out.push(b',');
                }
                first = false;
                json_str(out, n);
                out.push(b':');
                json_str(out, &auditkit_event::value::decode_str(v));
            }
            out.push(b'}');
        }
        if self.with_lines {
            out.extend_from_slice(b",\"line\":");
            json_str(out, r.line);
        }
        out.push(b'}');
    }
}

/// Buffers reused from record to record (per thread), so that writing a
/// record allocates nothing in the common case.
#[derive(Default)]
struct Scratch {
    interp: Vec<u8>,
    raw: Vec<u8>,
    value: Vec<u8>,
    /// A PROCTITLE's decoded title, for its `argv`.
    title: Vec<u8>,
    /// What the syscall-dependent interpretations read, for the last
    /// (machine, syscall) asked.
    last_args_read: Option<((u32, Option<u32>), ArgsRead)>,
    seen: Vec<(u64, usize)>,
    keys: Vec<u8>,
    templates: auditkit_interp::fxhash::FxMap<RecordType, Vec<TemplateSlot>>,
    infos: auditkit_interp::fxhash::FxMap<(RecordType, u64), Vec<Rc<FieldInfo>>>,
    interp_cache: InterpCache,
}

/// One place in a record type's field layout: the field last seen there,
/// and its last interpretation (what it was made with, the value, and the
/// JSON, `None` when the interpretation is the value itself).
#[derive(Default)]
struct TemplateSlot {
    info: Option<Rc<FieldInfo>>,
    memo: SlotMemo,
}

/// A layout slot's last interpretation.
#[derive(Default)]
struct SlotMemo {
    last_key: Option<SlotKey>,
    last_value: Vec<u8>,
    last_json: Option<Vec<u8>>,
}

/// What a writer needs to know of a field name in a record type, worked
/// out once: a log has a few hundred such pairs and tens of millions of
/// fields.
struct FieldInfo {
    /// The name as text (empty when it is not UTF-8, as before caching).
    name: String,
    /// The name's bytes, to tell hash collisions apart.
    bytes: Vec<u8>,
    /// The field type, unless it depends on the value.
    ft: Option<FieldType>,
    /// The name as a JSON string.
    json: Vec<u8>,
    /// A hash of the name, to find repeated names in a record.
    hash: u64,
}

impl FieldInfo {
    fn new(rtype: RecordType, name: &[u8]) -> FieldInfo {
        let name_s = std::str::from_utf8(name).unwrap_or("").to_string();
        let t = rtype;
        let ft = (!field_type_uses_value(t, &name_s)).then(|| field_type(t, &name_s, b""));
        let mut json = Vec::with_capacity(name.len() + 2);
        json_str(&mut json, name);
        FieldInfo {
            name: name_s,
            bytes: name.to_vec(),
            ft,
            json,
            hash: name_hash(name),
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A hash of a value, eight bytes at a time (values such as proctitles
/// run to hundreds of bytes).
fn value_hash(v: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = auditkit_interp::fxhash::FxHasher::default();
    h.write(v);
    h.write_usize(v.len());
    h.finish()
}

fn name_hash(name: &[u8]) -> u64 {
    // FNV-1a: short keys, no allocation.
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in name {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    h
}

/// Field types whose interpretation depends only on the value (not on the
/// record's machine, syscall or a0/a1): safe to cache by value.
fn context_free(ft: FieldType) -> bool {
    matches!(
        ft,
        FieldType::Uid
            | FieldType::Gid
            | FieldType::Arch
            | FieldType::Exit
            | FieldType::Perm
            | FieldType::Mode
            | FieldType::CapBitmap
            | FieldType::Capability
            | FieldType::Success
            | FieldType::Session
            | FieldType::Sockaddr
            | FieldType::Proctitle
            | FieldType::List
    )
}

/// Cached interpretations: (type, value) -> the JSON string of the
/// interpretation, or `None` when it equals the value. Per thread and
/// bounded; logs repeat the same uids, arches and capability sets.
type InterpCache = auditkit_interp::fxhash::FxMap<(usize, u8, u64), (Vec<u8>, Option<Vec<u8>>)>;

/// Store an interpretation in the cache (reusing the buffers of the
/// entry it replaces).
fn remember_interp(
    c: &mut InterpCache,
    names: usize,
    ft: FieldType,
    value: &[u8],
    json: Option<&[u8]>,
) {
    if c.len() >= 8192 {
        c.clear();
    }
    let e = c.entry((names, ft as u8, value_hash(value))).or_default();
    e.0.clear();
    e.0.extend_from_slice(value);
    match (json, &mut e.1) {
        (Some(j), Some(buf)) => {
            buf.clear();
            buf.extend_from_slice(j);
        }
        (Some(j), none) => *none = Some(j.to_vec()),
        (None, x) => *x = None,
    }
}

/// Slice equality for field names (a few bytes), asked for every field:
/// whole words compared (the last one overlapping), where `==` calls
/// `memcmp` and a byte loop branches per byte.
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let w8 = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap_or([0; 8]));
    let w4 = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap_or([0; 4]));
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if w8(a, i) != w8(b, i) {
                return false;
            }
            i += 8;
        }
        w8(a, n - 8) == w8(b, n - 8)
    } else if n >= 4 {
        w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// `decode_str`, decoding hex into a buffer the caller reuses.
fn decode_into<'a>(v: &'a [u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    if let Some(rest) = v.strip_prefix(b"\"") {
        let end = memchr::memchr(b'"', rest).unwrap_or(rest.len());
        return &rest[..end];
    }
    buf.clear();
    if !is_sentinel(v) && decode_hex_into(v, buf) {
        return buf;
    }
    v
}

/// Remember an interpretation in a layout slot, reusing its buffers.
fn set_slot(slot: &mut SlotMemo, key: SlotKey, value: &[u8], json: Option<&[u8]>) {
    slot.last_key = Some(key);
    slot.last_value.clear();
    slot.last_value.extend_from_slice(value);
    match (json, &mut slot.last_json) {
        (Some(j), Some(buf)) => {
            buf.clear();
            buf.extend_from_slice(j);
        }
        (Some(j), none) => *none = Some(j.to_vec()),
        (None, x) => *x = None,
    }
}

/// What a remembered interpretation in a layout slot was made with.
#[derive(Clone, Copy, PartialEq, Eq)]
struct SlotKey {
    names: usize,
    ft: u8,
    /// (machine, syscall, a0, a1) for the syscall-dependent types.
    ctx: (u32, Option<u32>, u64, u64),
}

/// Field types whose interpretation depends on the record's machine,
/// syscall and first two arguments, and on nothing else but the value.
fn syscall_dependent(ft: FieldType) -> bool {
    matches!(
        ft,
        FieldType::Syscall | FieldType::A0 | FieldType::A1 | FieldType::A2 | FieldType::A3
    )
}

/// Types whose interpretation is only the decoded string (already the value).
pub(crate) fn is_plain_string(ft: FieldType) -> bool {
    matches!(
        ft,
        FieldType::Escaped | FieldType::EscapedFile | FieldType::MacLabel
    )
}

/// Start a member `"name":` (`"name#2":` for the second of a name) of an
/// object being built in `buf`; `json` is the name already as JSON.
fn push_member(buf: &mut Vec<u8>, json: &[u8], name: &[u8], dup: usize) {
    if !buf.is_empty() {
        buf.push(b',');
    }
    if dup == 0 {
        buf.extend_from_slice(json);
    } else {
        let mut n = name.to_vec();
        let _ = write!(n, "#{}", dup + 1);
        json_str(buf, &n);
    }
    buf.push(b':');
}

/// Write a field's value: a number when the logged value is a plain
/// decimal, a decoded string otherwise. Returns true when the written form
/// lost information the raw value had (hex decoding), so it goes in `raw`.
fn write_value(
    out: &mut Vec<u8>,
    ft: FieldType,
    rtype: RecordType,
    name: &[u8],
    v: &[u8],
    d: &mut Vec<u8>,
) -> bool {
    if let Some(inner) = v.strip_prefix(b"\"") {
        let end = memchr::memchr(b'"', inner).unwrap_or(inner.len());
        json_str(out, &inner[..end]);
        return false;
    }
    if is_decimal(v) && is_numeric_type(ft) {
        out.extend_from_slice(v);
        return false;
    }
    let hex_string = matches!(
        ft,
        FieldType::Escaped | FieldType::EscapedFile | FieldType::Proctitle | FieldType::EscapedKey
    ) || (rtype == RecordType::EXECVE
        && name.first() == Some(&b'a')
        && name != b"argc");
    if hex_string {
        d.clear();
        if decode_hex_into(v, d) {
            json_str(out, d);
            return true;
        }
    }
    json_str(out, v);
    false
}

/// Field types whose logged form is decimal. Others that may look decimal
/// are hex (a0..a3, arch, capability bitmaps, flags) or octal (modes), and
/// stay strings so that `a0=10` is not read as ten.
pub(crate) fn is_numeric_type(ft: FieldType) -> bool {
    matches!(
        ft,
        FieldType::Unclassified
            | FieldType::Uid
            | FieldType::Gid
            | FieldType::Syscall
            | FieldType::Exit
            | FieldType::Session
            | FieldType::Signal
            | FieldType::List
            | FieldType::Capability
            | FieldType::Success
            | FieldType::Promisc
            | FieldType::Nfproto
            | FieldType::Icmptype
            | FieldType::Protocol
    )
}

/// A JSON integer: optional minus, digits, no leading zero (a leading zero
/// means octal in audit logs, e.g. mode=0100644, kept as a string).
pub(crate) fn is_decimal(v: &[u8]) -> bool {
    let d = v.strip_prefix(b"-").unwrap_or(v);
    !d.is_empty()
        && d.len() <= 19
        && d.iter().all(u8::is_ascii_digit)
        && !(d.len() > 1 && d[0] == b'0')
}

/// `u64::from_str_radix(v, 16)` on bytes (an optional `+`, then hex
/// digits, no overflow), without the UTF-8 check: it runs on every
/// SYSCALL's arch, a0 and a1.
fn parse_hex(v: &[u8]) -> Option<u64> {
    let d = v.strip_prefix(b"+").unwrap_or(v);
    if d.is_empty() {
        return None;
    }
    d.iter().try_fold(0u64, |acc, &c| {
        let x = (c as char).to_digit(16)?;
        acc.checked_mul(16)?.checked_add(u64::from(x))
    })
}

pub(crate) fn json_str_array(out: &mut Vec<u8>, items: &[Vec<u8>]) {
    out.push(b'[');
    for (i, a) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, a);
    }
    out.push(b']');
}

/// Bytes that need an escape inside a JSON string (`"`, `\\`, controls),
/// plus the bytes >= 0x80 that start a UTF-8 check.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i < 0x20 || i == b'"' as usize || i == b'\\' as usize || i >= 0x80;
        i += 1;
    }
    t
};

/// A JSON string of arbitrary bytes in one pass: plain ASCII runs are
/// copied as they are, valid UTF-8 sequences are kept, and any byte that is
/// not part of valid UTF-8 is written as `\u00XX` (so every byte stays
/// recoverable instead of becoming U+FFFD).
pub fn json_str(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    // Most strings need no escape at all: one check the compiler turns
    // into vector compares, then one copy.
    let special = s.iter().fold(false, |acc, &c| {
        acc | !(0x20..0x80).contains(&c) | (c == b'"') | (c == b'\\')
    });
    if !special {
        out.push(b'"');
        out.extend_from_slice(s);
        out.push(b'"');
        return;
    }
    out.push(b'"');
    let mut i = 0;
    let mut run = 0;
    while i < s.len() {
        // Eight plain bytes at a time: most strings have nothing to escape.
        if let Some(w) = s.get(i..i + 8) {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            if !needs_escape(u64::from_le_bytes(b)) {
                i += 8;
                continue;
            }
        }
        let c = s[i];
        if !SPECIAL[c as usize] {
            i += 1;
            continue;
        }
        out.extend_from_slice(&s[run..i]);
        if c >= 0x80 {
            let n = utf8_len(&s[i..]);
            if n > 0 {
                out.extend_from_slice(&s[i..i + n]);
                i += n;
            } else {
                push_u00(out, c);
                i += 1;
            }
        } else {
            match c {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                _ => push_u00(out, c),
            }
            i += 1;
        }
        run = i;
    }
    out.extend_from_slice(&s[run..]);
    out.push(b'"');
}

/// `\u00XX` for a byte (a control, or a byte that is not part of valid
/// UTF-8): from a table, not through `fmt` (proctitles and arguments
/// have a NUL between arguments, so this is written millions of times).
fn push_u00(out: &mut Vec<u8>, c: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(&[
        b'\\',
        b'u',
        b'0',
        b'0',
        HEX[usize::from(c >> 4)],
        HEX[usize::from(c & 15)],
    ]);
}

/// Whether any of the eight bytes of `x` is special (see [`SPECIAL`]):
/// below 0x20, `"`, `\\`, or 0x80 and above. Bit tricks on a whole word
/// (the "has zero byte" test of Hacker's Delight, shifted).
fn needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let quote = has_zero(x ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(x ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash | (x & HIGH)) != 0
}

/// Length of the valid UTF-8 sequence at the start of `s` (0 if invalid).
fn utf8_len(s: &[u8]) -> usize {
    let n = match s[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return 0,
    };
    if s.len() < n {
        return 0;
    }
    match std::str::from_utf8(&s[..n]) {
        Ok(_) => n,
        Err(_) => 0,
    }
}

/// `2023-11-14T22:13:20.123Z`
fn iso_time(out: &mut Vec<u8>, sec: i64, msec: u32) {
    let days = sec.div_euclid(86400);
    let rem = sec.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        let _ = write!(out, "{y:04}");
    } else {
        digits(out, y as u64, 4);
    }
    out.push(b'-');
    digits(out, u64::from(m), 2);
    out.push(b'-');
    digits(out, u64::from(d), 2);
    out.push(b'T');
    digits(out, (rem / 3600) as u64, 2);
    out.push(b':');
    digits(out, (rem % 3600 / 60) as u64, 2);
    out.push(b':');
    digits(out, (rem % 60) as u64, 2);
    out.push(b'.');
    if msec > 999 {
        push_u64(out, u64::from(msec));
    } else {
        digits(out, u64::from(msec), 3);
    }
    out.push(b'Z');
}

/// `v` in exactly `n` decimal digits (`v` < 10^n), zero padded.
fn digits(out: &mut Vec<u8>, mut v: u64, n: usize) {
    let at = out.len();
    out.resize(at + n, b'0');
    for i in (0..n).rev() {
        out[at + i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Howard Hinnant's days -> (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_every_byte() {
        let mut o = Vec::new();
        json_str(&mut o, b"a\"b\\\n\xff\xc3\xa9");
        assert_eq!(o, b"\"a\\\"b\\\\\\n\\u00ff\xc3\xa9\"");
    }

    #[test]
    fn word_test_matches_table() {
        // Every byte value, in every position of a word of plain bytes.
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut w = *b"abcdefgh";
                w[pos] = b;
                assert_eq!(
                    needs_escape(u64::from_le_bytes(w)),
                    SPECIAL[b as usize],
                    "byte {b:#x} at {pos}"
                );
            }
        }
        let mut o = Vec::new();
        json_str(&mut o, b"0123456789abcdef\"0123456789\x01abcdefgh");
        assert_eq!(o, b"\"0123456789abcdef\\\"0123456789\\u0001abcdefgh\"");
    }

    #[test]
    fn hex_like_from_str_radix() {
        for v in [
            "",
            "+",
            "-1",
            "0",
            "+ff",
            "c000003e",
            "FFFFFFFFFFFFFFFF",
            "10000000000000000",
            "0x1",
            "12g",
            " 1",
            "ffffff9c",
        ] {
            assert_eq!(
                parse_hex(v.as_bytes()),
                u64::from_str_radix(v, 16).ok(),
                "{v:?}"
            );
        }
    }

    #[test]
    fn short_eq_is_eq() {
        let names: [&[u8]; 13] = [
            b"",
            b"a",
            b"ab",
            b"abc",
            b"uid",
            b"euid",
            b"fsuid",
            b"a0",
            b"a1",
            b"cap_fver",
            b"cap_frootid",
            b"proctitle",
            b"0123456789abcdefg",
        ];
        for a in names {
            for b in names {
                assert_eq!(short_eq(a, b), a == b);
            }
            // One byte changed anywhere.
            for i in 0..a.len() {
                let mut c = a.to_vec();
                c[i] ^= 1;
                assert!(!short_eq(a, &c));
            }
        }
    }

    #[test]
    fn time() {
        let mut o = Vec::new();
        iso_time(&mut o, 1170021493, 977);
        assert_eq!(o, b"2007-01-28T21:58:13.977Z");
    }

    #[test]
    fn decimals() {
        assert!(is_decimal(b"123"));
        assert!(is_decimal(b"-13"));
        assert!(!is_decimal(b"0100644"));
        assert!(is_decimal(b"0"));
        assert!(!is_decimal(b"12a"));
    }
}
