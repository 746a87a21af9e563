//! auparse's view of one event, and its cursor.
//!
//! ausearch hands each event to libauparse as text, and the normalizer then
//! walks it with auparse's cursor: a current record, and inside every record
//! its own current field. Most of what the csv and text formats print
//! depends on where that cursor ends up, because `auparse_find_field`
//! searches *from the cursor onwards* (into later records too), and the
//! normalizer often does not rewind it between searches. So this module
//! reproduces the cursor's movements, including the ones that look like
//! accidents:
//!
//! * a search first looks at the current field, then steps one field and
//!   scans the rest of the record, then the following records; when the
//!   current field is the last of its record it gives up at once;
//! * stepping past the last record leaves *no* current record, after which
//!   every accessor answers "nothing" until the cursor is rewound;
//! * each record keeps its own field position, so returning to a record
//!   with `next_record` resumes where an earlier search left it;
//! * the first interpretation of a field is cached and returned again, even
//!   when asked for differently (plain value, then full path).
//!
//! A record's fields are what `parse_up_record` makes of the whole line:
//! `node` and `type` are fields too, keys joined by 0x01 become several
//! `key` fields, and the record's machine, syscall, a0 and a1 (the context
//! for interpretation) are read from fixed field positions.

use std::borrow::Cow;
use std::collections::HashMap;

use auditkit_event::fields::{trim_value, Fields, FieldsOptions};
use auditkit_event::LineFormat;
use auditkit_event::Record;
use auditkit_host::Accounts;
use auditkit_interp::{field_type, interpret, Ctx, EscapeMode, FieldType, Machine, RecordType};

use super::cnum::{strtol, strtoul};
use super::tables::AUDIT_CWD;

/// One `name=value` pair as auparse stores it (value raw, trimmed).
pub(crate) struct AuField<'a> {
    pub name: &'a [u8],
    pub value: Cow<'a, [u8]>,
}

/// One record as auparse parsed it.
pub(crate) struct AuRecord<'a> {
    pub rtype: RecordType,
    pub fields: Vec<AuField<'a>>,
    machine: Option<Machine>,
    syscall: Option<u32>,
    a0: u64,
    a1: u64,
    enrich: Option<&'a [u8]>,
    /// This record's current field.
    pos: usize,
}

/// Where the cursor is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Record(usize),
    /// Stepped past the last record.
    Nowhere,
}

/// An event as auparse holds it, with its cursor.
pub(crate) struct Au<'a> {
    recs: Vec<AuRecord<'a>>,
    at: At,
    /// Whether the current record's interpretation list (enriched logs) is
    /// loaded; auparse drops it in some failed moves.
    loaded: bool,
    /// The event's CWD, for full paths.
    cwd: Option<Cow<'a, [u8]>>,
    /// auparse refuses to look at fields of an event stamped at second 0.
    has_time: bool,
    cache: HashMap<(usize, usize), Vec<u8>>,
    names: &'a Accounts,
    escape: EscapeMode,
}

impl<'a> AuRecord<'a> {
    fn parse(rec: &Record<'a>) -> AuRecord<'a> {
        let mut fields = Vec::new();
        if rec.header.format == LineFormat::Interpreted {
            if let Some(node) = rec.node() {
                push(&mut fields, b"node", trim_value(node));
            }
            push(&mut fields, b"type", trim_value(rec.type_name()));
        } else {
            for f in header_fields(rec) {
                fields.push(AuField {
                    name: f.name,
                    value: f.value,
                });
            }
        }
        for f in rec.fields() {
            if f.name == b"key" && !matches!(f.value.first(), Some(b'(' | b'"')) {
                split_keys(&f.value, &mut fields);
            } else {
                fields.push(AuField {
                    name: f.name,
                    value: f.value,
                });
            }
        }
        let off = usize::from(fields.first().is_some_and(|f| f.name == b"node"));
        let at = |i: usize, name: &[u8]| fields.get(i).filter(|f| f.name == name);
        let machine = at(off + 1, b"arch")
            .or_else(|| at(off + 10, b"arch"))
            .and_then(|f| strtoul(&f.value, 16))
            .and_then(|v| Machine::from_elf(v as u32));
        let syscall = at(off + 2, b"syscall")
            .or_else(|| at(off + 11, b"syscall"))
            .and_then(|f| strtoul(&f.value, 10))
            .map(|v| v as u32);
        let arg =
            |i, name: &[u8]| at(i, name).map_or(0, |f| strtoul(&f.value, 16).unwrap_or(u64::MAX));
        AuRecord {
            // auparse's `r->type`: the value of a `type` field right after
            // the optional node, through `audit_name_to_msg_type`; 0 when
            // there is none.
            rtype: at(off, b"type").map_or(RecordType(0), |f| type_number(&f.value)),
            machine,
            syscall,
            a0: arg(off + 5, b"a0"),
            a1: arg(off + 6, b"a1"),
            enrich: rec.enrichment(),
            fields,
            pos: 0,
        }
    }

    fn cwd(&self) -> Option<&Cow<'a, [u8]>> {
        if self.rtype != AUDIT_CWD {
            return None;
        }
        self.fields
            .iter()
            .rev()
            .find(|f| f.name == b"cwd")
            .map(|f| &f.value)
    }
}

/// The fields auparse makes of a record's header. It tokenizes the header
/// like the body, so on a damaged line (`nde=h pe=PATH msg=...`) they are
/// what the tokens say, not the node and type ausearch read at fixed
/// offsets. Tokens without `=` are skipped (the record type, which would
/// make them AVC fields, is not known yet).
fn header_fields<'a>(rec: &Record<'a>) -> Fields<'a> {
    let msg = rec.message();
    let head = &msg[..msg.len() - rec.body().len()];
    Fields::new(head, RecordType::INVALID, FieldsOptions::default())
}

/// `audit_name_to_msg_type`: -1 for an unknown name.
fn type_number(name: &[u8]) -> RecordType {
    auditkit_interp::msgtype::parse_type_token(name).map_or(RecordType::INVALID, |t| t)
}

/// Whether the header is auditd's own shape, `[node=N ]type=T msg=...`,
/// with the node and type the header parser read: then auparse's tokens
/// say the same, and tokenizing the header again (for every record of a
/// csv or text search) is not needed.
fn canonical_header(rec: &Record<'_>) -> bool {
    let mut head = rec.message();
    if let Some(rest) = head.strip_prefix(b"node=") {
        let Some(node) = rec.node() else {
            return false;
        };
        match rest.strip_prefix(node).and_then(|r| r.strip_prefix(b" ")) {
            Some(r) => head = r,
            None => return false,
        }
    }
    head.strip_prefix(b"type=")
        .and_then(|r| r.strip_prefix(rec.type_name()))
        .is_some_and(|r| r.starts_with(b" msg="))
}

/// The event id auparse reads from a line (`extract_timestamp` and
/// `str2event` in `auparse/auparse.c`): (seconds, milliseconds, serial,
/// node). auparse drops a line it cannot read an id from, so a record
/// ausearch printed may be missing from the event auparse normalizes.
///
/// It reads its own way, not ausearch's: from a copy of the line's first
/// 80 bytes (340 when the line starts with `n`), split on spaces; a first
/// token that starts with `n` and is longer than five bytes is the node
/// (what follows its first five bytes) and the token after it is skipped;
/// the next token must be at least 19 bytes, and the id is what follows
/// its tenth byte when that is `(` (else its first `(`) up to a `)`,
/// read with `strtoul`: seconds (at most `LONG_MAX` - 3 as a signed
/// number: the end-of-event timeout ausearch passes is 2), then after the
/// first `.` milliseconds of at most 999, then after the next `:` the
/// serial, each 0 when its separator is missing.
pub(crate) fn auparse_event_id(line: &[u8]) -> Option<(i64, u32, u64, Option<&[u8]>)> {
    use auditkit_interp::cnum::strtoul;
    let line = memchr::memchr(0, line).map_or(line, |n| &line[..n]);
    let limit = if line.first() == Some(&b'n') { 340 } else { 80 };
    let copy = &line[..line.len().min(limit)];
    let mut toks = copy.split(|&c| c == b' ').filter(|t| !t.is_empty());
    let first = toks.next()?;
    let mut host = None;
    if first[0] == b'n' && first.len() > 5 {
        host = Some(&first[5..]);
        toks.next();
    }
    let tok = toks.next()?;
    if tok.len() < 19 {
        return None;
    }
    let open = if tok[9] == b'(' {
        9
    } else {
        memchr::memchr(b'(', tok)?
    };
    let ts = &tok[open + 1..];
    let ts = memchr::memchr(b')', ts).map_or(ts, |e| &ts[..e]);
    const EOE_TIMEOUT: i64 = 2;
    let sec = strtoul(ts, 10).ok()? as i64;
    if sec > i64::MAX - EOE_TIMEOUT - 1 {
        return None;
    }
    let mut s = ts;
    let mut milli = 0;
    if let Some(dot) = memchr::memchr(b'.', s) {
        s = &s[dot + 1..];
        // Stored in an unsigned int, then checked.
        milli = strtoul(s, 10).ok()? as u32;
        if milli > 999 {
            return None;
        }
    }
    let serial = match memchr::memchr(b':', s) {
        Some(c) => strtoul(&s[c + 1..], 10).ok()?,
        None => 0,
    };
    Some((sec, milli, serial, host))
}

/// What auparse makes of a record's header: whether it reads an event id
/// from the line (see [`auparse_event_id`]; it drops the line if not),
/// and its `r->type` (see [`header_rtype`]). auditd's own header shape
/// with a plain `msg=audit(SEC.MS:SERIAL)` is answered from a few byte
/// checks, with the shape checked once: the full readings tokenize the
/// line's head, and this runs for every record of a csv or text search.
pub(crate) fn auparse_head(rec: &Record<'_>) -> (bool, RecordType) {
    if rec.header.format == LineFormat::Interpreted {
        // ausearch cannot read its own `-i` output, so there is no
        // auparse to follow for those lines: they are kept.
        return (true, rec.rtype());
    }
    let canon = canonical_header(rec);
    let reads = canon
        .then(|| canonical_id_readable(rec))
        .flatten()
        .unwrap_or_else(|| auparse_event_id(rec.line).is_some());
    let rtype = if canon {
        rec.rtype()
    } else {
        header_rtype(rec)
    };
    (reads, rtype)
}

/// Whether auparse reads an id, without tokenizing, for a header of auditd's own
/// shape whose node (if any) is not empty and whose id is plain digits
/// (at most 18, 3 and 19 of them, so `strtoul` cannot overflow and the
/// milliseconds are at most 999), ending within the bytes auparse copies
/// and at least 19 bytes from the `msg=` token's start; `None` for
/// anything else.
fn canonical_id_readable(rec: &Record<'_>) -> Option<bool> {
    canonical_id_readable_inner(rec)
}

#[cfg(test)]
pub(crate) fn canonical_id_readable_for_test(rec: &Record<'_>) -> Option<bool> {
    canonical_id_readable_inner(rec)
}

/// (The caller has checked that the header is auditd's own shape.)
fn canonical_id_readable_inner(rec: &Record<'_>) -> Option<bool> {
    let line = rec.line;
    let mut p = 0;
    if line.starts_with(b"node=") {
        let node = rec.node()?;
        if node.is_empty() {
            return None;
        }
        p = 5 + node.len() + 1;
    }
    p += 5 + rec.type_name().len() + 1;
    if !line.get(p..)?.starts_with(b"msg=audit(") {
        return None;
    }
    let mut q = p + 10;
    let digits = |q: &mut usize, max: usize| {
        let n = line[*q..].iter().take_while(|c| c.is_ascii_digit()).count();
        *q += n;
        (1..=max).contains(&n)
    };
    if !(digits(&mut q, 18) && line.get(q) == Some(&b'.')) {
        return None;
    }
    q += 1;
    if !(digits(&mut q, 3) && line.get(q) == Some(&b':')) {
        return None;
    }
    q += 1;
    if !(digits(&mut q, 19) && line.get(q) == Some(&b')')) {
        return None;
    }
    let limit = if line.first() == Some(&b'n') { 340 } else { 80 };
    (q < limit && q + 1 - p >= 19).then_some(true)
}

/// auparse's `r->type` of a record, read from the header's tokens: the
/// value of a `type` field that comes first or right after `node`, 0 when
/// there is none. It decides where auparse ends an event, so the csv and
/// text writers group by it.
fn header_rtype(rec: &Record<'_>) -> RecordType {
    let mut fields = header_fields(rec);
    let mut f = fields.next();
    if f.as_ref().is_some_and(|f| f.name == b"node") {
        f = fields.next();
    }
    match f {
        Some(f) if f.name == b"type" => type_number(&f.value),
        _ => RecordType(0),
    }
}

fn push<'a>(fields: &mut Vec<AuField<'a>>, name: &'static [u8], value: &'a [u8]) {
    if !value.is_empty() {
        fields.push(AuField {
            name,
            value: Cow::Borrowed(value),
        });
    }
}

/// `key=` written in hex holds several keys joined by 0x01: auparse makes
/// one `key` field of each, re-encoded (quoted when printable, else hex).
fn split_keys<'a>(raw: &[u8], fields: &mut Vec<AuField<'a>>) {
    let hex_len = raw.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if hex_len < 2 {
        return;
    }
    let nib = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    let mut bytes: Vec<u8> = raw[..hex_len]
        .chunks(2)
        .map(|p| (nib(p[0]) << 4) | p.get(1).map_or(0, |&c| nib(c)))
        .collect();
    if let Some(z) = bytes.iter().position(|&c| c == 0) {
        bytes.truncate(z);
    }
    for key in bytes.split(|&c| c == 0x01).filter(|k| !k.is_empty()) {
        let value = if key
            .iter()
            .any(|&c| c == b'"' || !(0x21..=0x7e).contains(&c))
        {
            key.iter()
                .flat_map(|c| format!("{c:02X}").into_bytes())
                .collect()
        } else {
            let mut v = Vec::with_capacity(key.len() + 2);
            v.push(b'"');
            v.extend_from_slice(key);
            v.push(b'"');
            v
        };
        fields.push(AuField {
            name: b"key",
            value: Cow::Owned(value),
        });
    }
}

impl<'a> Au<'a> {
    /// Parse `records` (one auparse event) and put the cursor on the first
    /// field of the first record, as auparse does before its callback.
    pub fn new(
        records: &[Record<'a>],
        sec: u64,
        names: &'a Accounts,
        escape: EscapeMode,
    ) -> Au<'a> {
        let recs: Vec<AuRecord<'a>> = records.iter().map(AuRecord::parse).collect();
        let cwd = recs.iter().rev().find_map(AuRecord::cwd).cloned();
        Au {
            recs,
            at: At::Record(0),
            loaded: true,
            cwd,
            has_time: sec != 0,
            cache: HashMap::new(),
            names,
            escape,
        }
    }

    fn cur(&self) -> Option<usize> {
        match self.at {
            At::Record(i) if i < self.recs.len() => Some(i),
            _ => None,
        }
    }

    fn enter(&mut self, i: usize) {
        self.at = At::Record(i);
        self.loaded = true;
    }

    pub fn num_records(&self) -> usize {
        self.recs.len()
    }

    /// `auparse_first_record`: record 0, its first field.
    pub fn first_record(&mut self) {
        if self.recs.is_empty() {
            return;
        }
        self.enter(0);
        self.recs[0].pos = 0;
    }

    /// `auparse_next_record`: the next record keeps its own field position;
    /// past the end there is no current record.
    pub fn next_record(&mut self) -> bool {
        self.loaded = false;
        match self.cur() {
            Some(i) if i + 1 < self.recs.len() => {
                self.enter(i + 1);
                true
            }
            Some(_) => {
                self.at = At::Nowhere;
                false
            }
            None => false,
        }
    }

    /// `auparse_goto_record_num`: record `n`, its first field.
    pub fn goto_record(&mut self, n: usize) -> bool {
        if self.cur() == Some(n) && self.loaded {
            self.recs[n].pos = 0;
            return true;
        }
        self.loaded = false;
        if n >= self.recs.len() {
            return false;
        }
        self.enter(n);
        self.recs[n].pos = 0;
        true
    }

    pub fn first_field(&mut self) -> bool {
        match self.cur() {
            Some(i) => {
                self.recs[i].pos = 0;
                true
            }
            None => false,
        }
    }

    pub fn next_field(&mut self) -> bool {
        let Some(i) = self.cur() else {
            return false;
        };
        let r = &mut self.recs[i];
        if r.pos + 1 < r.fields.len() {
            r.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn goto_field(&mut self, n: usize) -> bool {
        let Some(i) = self.cur() else {
            return false;
        };
        let r = &mut self.recs[i];
        if n < r.fields.len() {
            r.pos = n;
            true
        } else {
            false
        }
    }

    /// `auparse_find_field`: is the current field `name`? Otherwise search
    /// onwards. Returns whether it was found (the cursor is then on it).
    pub fn find(&mut self, name: &[u8]) -> bool {
        if !self.has_time {
            return false;
        }
        let Some(i) = self.cur() else {
            return false;
        };
        let r = &self.recs[i];
        if r.fields.get(r.pos).is_some_and(|f| f.name == name) {
            return true;
        }
        self.find_next(name)
    }

    fn find_next(&mut self, name: &[u8]) -> bool {
        let Some(mut i) = self.cur() else {
            return false;
        };
        if !self.next_field() {
            return false;
        }
        loop {
            let r = &mut self.recs[i];
            if let Some(k) = r.fields[r.pos..].iter().position(|f| f.name == name) {
                r.pos += k;
                return true;
            }
            if i + 1 >= self.recs.len() {
                self.at = At::Nowhere;
                return false;
            }
            i += 1;
            self.enter(i);
            self.recs[i].pos = 0;
        }
    }

    fn field(&self) -> Option<(usize, usize, &AuField<'a>)> {
        if !self.has_time {
            return None;
        }
        let i = self.cur()?;
        let r = &self.recs[i];
        r.fields.get(r.pos).map(|f| (i, r.pos, f))
    }

    pub fn record_num(&self) -> usize {
        self.cur().unwrap_or(0)
    }

    pub fn field_num(&self) -> usize {
        self.cur().map_or(0, |i| self.recs[i].pos)
    }

    pub fn rtype(&self) -> RecordType {
        self.cur().map_or(RecordType(0), |i| self.recs[i].rtype)
    }

    pub fn name(&self) -> Option<&[u8]> {
        self.field().map(|(_, _, f)| f.name)
    }

    pub fn value(&self) -> Option<&[u8]> {
        self.field().map(|(_, _, f)| &f.value[..])
    }

    /// `auparse_get_field_type`.
    pub fn ftype(&self) -> FieldType {
        match self.field() {
            Some((i, _, f)) => field_type(
                self.recs[i].rtype,
                std::str::from_utf8(f.name).unwrap_or(""),
                &f.value,
            ),
            None => FieldType::Unclassified,
        }
    }

    /// `auparse_get_field_int`: the value read by `strtol` into an int, and
    /// whether errno was left set (then the result is -1).
    pub fn int(&self) -> (i32, bool) {
        match self.value() {
            Some(v) => match strtol(v) {
                Some(n) => (n as i32, false),
                None => (-1, true),
            },
            None => (-1, true),
        }
    }

    /// `auparse_interpret_field`.
    pub fn interpret(&mut self) -> Option<Vec<u8>> {
        self.interpret_with(false)
    }

    /// `auparse_interpret_realpath`: file names made absolute with the
    /// event's CWD; nothing for other fields.
    pub fn realpath(&mut self) -> Option<Vec<u8>> {
        if self.ftype() != FieldType::EscapedFile {
            return None;
        }
        self.interpret_with(true)
    }

    /// `auparse_interpret_sock_address`/`_family`: the word after `part`
    /// (`laddr=`, `fam=`) in a socket address's interpretation, when a
    /// space follows it.
    pub fn sock_part(&mut self, part: &[u8]) -> Option<Vec<u8>> {
        if self.ftype() != FieldType::Sockaddr {
            return None;
        }
        let s = self.interpret()?;
        let at = memchr::memmem::find(&s, part)? + part.len();
        let len = memchr::memchr(b' ', &s[at..])?;
        Some(s[at..at + len].to_vec())
    }

    fn interpret_with(&mut self, full_path: bool) -> Option<Vec<u8>> {
        let (i, k, f) = self.field()?;
        if let Some(v) = self.cache.get(&(i, k)) {
            return Some(v.clone());
        }
        let r = &self.recs[i];
        let name = std::str::from_utf8(f.name).unwrap_or("");
        let ft = field_type(r.rtype, name, &f.value);
        let ctx = Ctx {
            machine: r.machine,
            syscall: r.syscall,
            a0: r.a0,
            a1: r.a1,
            cwd: if full_path { self.cwd.as_deref() } else { None },
            enriched: if self.loaded { r.enrich } else { None },
            names: self.names,
            escape: self.escape,
        };
        let mut out = Vec::new();
        interpret(ft, name, &f.value, &ctx, &mut out);
        self.cache.insert((i, k), out.clone());
        Some(out)
    }
}
