//! Records as Sigma sees them: an event's records read once through
//! [`EventFields`], with auditd's values made into what rules compare.
//!
//! * `type`: the record type name (`UNKNOWN[1327]` of an older auditd
//!   becomes `PROCTITLE` when the number is known).
//! * EXECVE: all EXECVE records of the event are one record, and `aN` is
//!   the N-th argument, reassembled from `aN[i]` chunks and decoded.
//! * SYSCALL: `a0`..`a3` raw (hex without `0x`, as the rules write
//!   them); `SYSCALL` (upper case) the syscall name, from the enrichment
//!   when the log is ENRICHED, else from `arch` and `syscall`; `syscall`
//!   the number, and the name too (the deprecated rules write
//!   `syscall: execve`).
//! * Upper-case names of an ENRICHED log (`UID`, `AUID`, `ARCH`) are the
//!   enrichment's values; the lower-case raw fields keep their numbers.
//! * Other values: quotes removed, the kernel's hex decoded for fields
//!   auparse decodes (`exe`, `comm`, `name`, `cwd`, `proctitle` with NULs
//!   as spaces, ...), `key` split into its keys. A field written twice
//!   has both values (a test matches when one does).
//! * ausearch `-i` output: text fields are the printed text, other values
//!   are mapped back to their logged form (`uid=root` is `0`), as the
//!   `--where` evaluator does.
//! * Keywords search the record's text: `type=T`, every `name=value` as
//!   logged, the enrichment, the decoded values, and for EXECVE the
//!   arguments joined with spaces (the bpfdoor rule's `'--to-ports 42'`
//!   spans two arguments).

use std::borrow::Cow;
use std::cell::OnceCell;

use auditkit_event::fields::enrichment_fields;
use auditkit_event::value::{
    decode_hex, decode_str, execve_args_with, is_hex_encoded, split_keys, unescape_tty,
};
use auditkit_event::{EventFields, RecordFields};
use auditkit_host::Accounts;
use auditkit_interp::{field_type, syscall_name, FieldType, Machine, RecordType};

use crate::compile::{Doc, FieldKey};

/// One record (or the merged EXECVE records) of an event.
pub(crate) struct RecView<'e> {
    pub rtype: RecordType,
    /// Index of the (first) record in the event.
    pub index: usize,
    pub type_name: Cow<'e, [u8]>,
    pub fields: Vec<(&'e [u8], Cow<'e, [u8]>)>,
    pub enrichment: Option<&'e [u8]>,
    /// ausearch `-i` output, with the machine its `arch=` names.
    pub interpreted: Option<Option<Machine>>,
    /// EXECVE: the arguments, decoded.
    pub args: Option<Vec<Vec<u8>>>,
    text: OnceCell<Vec<u8>>,
    /// The syscall's name, computed once: many rules test `SYSCALL`.
    sysname: OnceCell<Option<Vec<u8>>>,
    names: &'e Accounts,
}

/// The view of one record on its own (an EXECVE record without the
/// event's other EXECVE records: see [`execve`]).
pub(crate) fn one<'e, R: RecordFields<'e>>(
    r: &R,
    index: usize,
    names: &'e Accounts,
) -> RecView<'e> {
    let rtype = r.rtype();
    // A SYSCALL record has 27 fields: room for them at once, not four
    // reallocations on the way (the iterator cannot tell its length).
    let mut fields: Vec<(&'e [u8], Cow<'e, [u8]>)> = Vec::with_capacity(32);
    fields.extend(r.fields().map(|f| (f.name, f.value)));
    let interpreted = r.is_interpreted().then(|| {
        fields
            .iter()
            .find(|(n, _)| *n == b"arch")
            .and_then(|(_, v)| auditkit_query::uninterp::machine_of(v))
    });
    let tn = r.type_name();
    let type_name = match (
        tn.starts_with(b"UNKNOWN["),
        auditkit_interp::msgtype::name(rtype),
    ) {
        (true, Some(n)) => Cow::Owned(n.as_bytes().to_vec()),
        _ => Cow::Borrowed(tn),
    };
    RecView {
        rtype,
        index,
        type_name,
        fields,
        enrichment: r.enrichment(),
        interpreted,
        args: None,
        text: OnceCell::new(),
        sysname: OnceCell::new(),
        names,
    }
}

/// Give a view of the (first) EXECVE record the arguments of its fields.
fn finish_execve(v: &mut RecView<'_>) {
    let decode = if v.interpreted.is_some() {
        unescape_tty
    } else {
        decode_str
    };
    let args = execve_args_with(v.fields.iter().map(|(n, x)| (*n, x.as_ref())), decode);
    v.args = Some(args);
}

/// The record views of an event, in log order (EXECVE records merged at
/// the place of the first one).
pub(crate) fn records<'e, E: EventFields + ?Sized>(
    ev: &'e E,
    names: &'e Accounts,
) -> Vec<RecView<'e>> {
    let mut out: Vec<RecView<'e>> = Vec::with_capacity(8);
    let mut execve: Option<usize> = None;
    for (i, r) in ev.records().enumerate() {
        if r.rtype() == RecordType::EXECVE {
            if let Some(k) = execve {
                out[k].fields.extend(r.fields().map(|f| (f.name, f.value)));
                continue;
            }
            execve = Some(out.len());
        }
        out.push(one(&r, i, names));
    }
    if let Some(k) = execve {
        finish_execve(&mut out[k]);
    }
    out
}

/// The merged view of the event's EXECVE records (as [`records`] gives
/// it), the first of which is record `first`.
pub(crate) fn execve<'e, E: EventFields + ?Sized>(
    ev: &'e E,
    first: usize,
    names: &'e Accounts,
) -> Option<RecView<'e>> {
    let mut v: Option<RecView<'e>> = None;
    for (i, r) in ev.records().enumerate().skip(first) {
        if r.rtype() != RecordType::EXECVE {
            continue;
        }
        match &mut v {
            None => v = Some(one(&r, i, names)),
            Some(v) => v.fields.extend(r.fields().map(|f| (f.name, f.value))),
        }
    }
    let mut v = v?;
    finish_execve(&mut v);
    Some(v)
}

/// The syscall's name of a SYSCALL record: from the enrichment's
/// `SYSCALL` when the log is ENRICHED, else from `arch` and the number
/// (`raw` gives a field's first raw value).
pub(crate) fn syscall_name_of<'v>(
    rtype: RecordType,
    enrichment: Option<&[u8]>,
    interpreted: bool,
    raw: impl Fn(&[u8]) -> Option<Cow<'v, [u8]>>,
) -> Option<Cow<'v, [u8]>> {
    if rtype != RecordType::SYSCALL {
        return None;
    }
    if let Some(t) = enrichment {
        if let Some((_, v)) = enrichment_fields(t)
            .into_iter()
            .find(|(n, _)| *n == b"SYSCALL")
        {
            return Some(Cow::Owned(decode_str(v).into_owned()));
        }
    }
    let nr = raw(b"syscall")?;
    if interpreted {
        return Some(Cow::Owned(unescape_tty(&nr).into_owned()));
    }
    let arch = u32::from_str_radix(std::str::from_utf8(&raw(b"arch")?).ok()?, 16).ok()?;
    let m = Machine::from_elf(arch)?;
    let nr: u32 = std::str::from_utf8(&nr).ok()?.parse().ok()?;
    syscall_name(m, nr).map(|s| Cow::Borrowed(s.as_bytes()))
}

/// `aN` with N a decimal index.
fn arg_index(name: &[u8]) -> Option<usize> {
    let d = name.strip_prefix(b"a")?;
    if d.is_empty() || d.len() > 7 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(d).ok()?.parse().ok()
}

pub(crate) fn hexy(ft: FieldType) -> bool {
    matches!(
        ft,
        FieldType::Escaped | FieldType::EscapedFile | FieldType::EscapedKey | FieldType::Proctitle
    )
}

impl<'e> RecView<'e> {
    /// The first raw value of `name`.
    pub fn raw(&self, name: &[u8]) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// The value of a field as rules compare it.
    pub fn decoded<'a>(&'a self, name: &[u8], raw: &'a [u8]) -> Cow<'a, [u8]> {
        let name_s = std::str::from_utf8(name).unwrap_or("");
        if let Some(machine) = self.interpreted {
            let ft = field_type(self.rtype, name_s, raw);
            if hexy(ft) {
                return unescape_tty(raw);
            }
            let back =
                auditkit_query::uninterp::raw_value(self.rtype, name, raw, machine, self.names);
            return match back {
                Cow::Borrowed(b) => plain(self.rtype, name_s, b),
                Cow::Owned(b) => Cow::Owned(plain(self.rtype, name_s, &b).into_owned()),
            };
        }
        plain(self.rtype, name_s, raw)
    }

    /// The syscall's name, for SYSCALL records.
    pub fn syscall_name(&self) -> Option<Cow<'_, [u8]>> {
        syscall_name_of(
            self.rtype,
            self.enrichment,
            self.interpreted.is_some(),
            |n| self.raw(n).map(Cow::Borrowed),
        )
    }

    /// [`RecView::syscall_name`], computed on first use.
    pub(crate) fn syscall_name_once(&self) -> Option<&[u8]> {
        self.sysname
            .get_or_init(|| self.syscall_name().map(Cow::into_owned))
            .as_deref()
    }

    /// Call `visit` on each value of the audit field `name`.
    pub fn each_audit(&self, name: &[u8], visit: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        if name == b"type" {
            return visit(&self.type_name);
        }
        if let (Some(args), Some(i)) = (&self.args, arg_index(name)) {
            return args.get(i).is_some_and(|a| visit(a));
        }
        if name == b"SYSCALL" {
            return self.syscall_name_once().is_some_and(&mut *visit);
        }
        if name.first().is_some_and(u8::is_ascii_uppercase) {
            if let Some(t) = self.enrichment {
                let mut found = false;
                for (n, v) in enrichment_fields(t) {
                    if n == name {
                        found = true;
                        if visit(&decode_str(v)) {
                            return true;
                        }
                    }
                }
                if found {
                    return false;
                }
            }
        }
        for (n, raw) in &self.fields {
            if *n != name {
                continue;
            }
            if name == b"key" {
                let v = self.decoded(name, raw);
                let keys = if self.interpreted.is_some() {
                    vec![v.clone()]
                } else {
                    split_keys(raw)
                };
                if keys.iter().any(|k| visit(k)) {
                    return true;
                }
                continue;
            }
            if visit(&self.decoded(name, raw)) {
                return true;
            }
        }
        if name == b"syscall" {
            return self.syscall_name_once().is_some_and(&mut *visit);
        }
        false
    }

    /// The text keywords search (built on first use).
    pub fn text(&self) -> &[u8] {
        self.text.get_or_init(|| {
            let mut t = Vec::with_capacity(256);
            t.extend_from_slice(b"type=");
            t.extend_from_slice(&self.type_name);
            for (n, v) in &self.fields {
                t.push(b' ');
                t.extend_from_slice(n);
                t.push(b'=');
                t.extend_from_slice(v);
            }
            if let Some(e) = self.enrichment {
                t.push(b' ');
                t.extend_from_slice(e);
            }
            for (n, v) in &self.fields {
                let d = self.decoded(n, v);
                if d.as_ref() != v.as_ref() {
                    t.push(b' ');
                    t.extend_from_slice(&d);
                }
            }
            if let Some(args) = &self.args {
                t.push(b' ');
                t.extend_from_slice(&args.join(&b' '));
            }
            t
        })
    }
}

/// Decode a logged value: quotes removed, hex decoded for the fields
/// auparse decodes.
fn plain<'a>(rtype: RecordType, name: &str, v: &'a [u8]) -> Cow<'a, [u8]> {
    if let Some(rest) = v.strip_prefix(b"\"") {
        return Cow::Borrowed(rest.strip_suffix(b"\"").unwrap_or(rest));
    }
    let ft = field_type(rtype, name, v);
    if hexy(ft) && is_hex_encoded(v) {
        if let Some(mut b) = decode_hex(v) {
            if ft == FieldType::Proctitle {
                while b.last() == Some(&0) {
                    b.pop();
                }
                for c in b.iter_mut() {
                    if *c == 0 {
                        *c = b' ';
                    }
                }
            }
            return Cow::Owned(b);
        }
    }
    Cow::Borrowed(v)
}

impl Doc for RecView<'_> {
    fn each(&self, f: &FieldKey, visit: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        match f {
            FieldKey::Audit(n) => self.each_audit(n, visit),
            FieldKey::Mapped(_) => false,
        }
    }
    fn text(&self) -> &[u8] {
        RecView::text(self)
    }
}
