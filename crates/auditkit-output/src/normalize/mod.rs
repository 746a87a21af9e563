//! auparse 3.0.9's event normalizer: who did what to which object, how.
//!
//! `ausearch --format csv` and `--format text` do not print records: they
//! reduce each event to one line of *subject* (primary and secondary
//! identity, a kind of account), *action* (words such as `opened-file`),
//! *object* (primary, secondary, a second object, a kind), *result* and
//! *how* (the program). The reduction is libauparse's `auparse_normalize`,
//! fed the event's lines as text. Its answers are positions of fields
//! (record number, field number) that the formatter later seeks to and
//! interprets, and the positions come from searches with auparse's cursor,
//! so matching ausearch byte for byte means doing the same searches in the
//! same order from the same places. The modules:
//!
//! * `cursor`: the event as auparse parses it and its cursor semantics;
//! * `simple`: events of one record (user-space messages, daemon events,
//!   AVCs, logins, ...);
//! * `compound`: events of several records, driven by their SYSCALL record,
//!   and the table of what each system call does to which object;
//! * `kind`: the event kind of a record type;
//! * `tables`: record types, actions and words, generated from the 3.0.9
//!   headers by `tools/gen-normalize-tables.py`.
//!
//! ausearch also does not hand auparse its own events unchanged: auparse
//! regroups the lines it is fed and closes an event early after a PROCTITLE
//! or EOE record or a record type that is always alone ([`auparse_events`]),
//! and each of those pieces is one output line.

pub(crate) mod cnum;
mod compound;
pub(crate) mod cursor;
mod kind;
mod simple;
pub(crate) mod tables;

use auditkit_event::{Event, Record};
use auditkit_host::Accounts;
use auditkit_interp::RecordType;

use cursor::Au;
use tables::*;

/// A field position: (record number, field number).
pub(crate) type Loc = Option<(usize, usize)>;

/// What the normalizer found (auparse's `normalize_data`).
#[derive(Default)]
pub(crate) struct Norm {
    pub evkind: Option<&'static str>,
    pub session: Loc,
    pub subj_primary: Loc,
    pub subj_secondary: Loc,
    pub subj_kind: Option<&'static str>,
    pub subj_attrs: Vec<(usize, usize)>,
    pub action: Option<Vec<u8>>,
    pub obj_primary: Loc,
    pub obj_secondary: Loc,
    pub obj_two: Loc,
    pub obj_attrs: Vec<(usize, usize)>,
    pub obj_kind: u8,
    pub results: Loc,
    pub how: Option<Vec<u8>>,
    pub key: Loc,
}

impl Norm {
    /// Object kind words.
    pub fn obj_kind_name(&self) -> &'static str {
        lookup(OBJ_KINDS, self.obj_kind).unwrap_or("")
    }
}

fn lookup<K: PartialEq + Copy>(t: &[(K, &'static str)], k: K) -> Option<&'static str> {
    t.iter().find(|r| r.0 == k).map(|r| r.1)
}

/// Action words of a record type (`normalize_record_map_i2s`).
fn record_action(rtype: RecordType) -> Option<&'static str> {
    lookup(RECORD_ACTIONS, rtype)
}

/// Split an ausearch event into the events auparse makes of its lines:
/// a line auparse cannot read an event id from is dropped (see
/// `cursor::auparse_event_id`: a damaged header such as
/// `nod type=SYSCALL msg=audit(...)`, which ausearch reads), an event is
/// closed after a record whose type auparse knows to end one
/// (PROCTITLE, EOE, anything below 1300 or from 1700 on, KERNEL, labeled
/// networking), and a piece that starts with EOE is thrown away.
pub fn auparse_events<'e>(ev: &'e Event) -> Vec<Vec<Record<'e>>> {
    let mut out: Vec<Vec<Record<'e>>> = Vec::new();
    let mut open = false;
    for r in ev.records() {
        // Whether auparse keeps the line, and its record type, which
        // differs from ausearch's on a damaged header (`type9SYSCALL
        // msg=...`: no type field, so 0).
        let (reads_id, rtype) = cursor::auparse_head(&r);
        if !reads_id {
            continue;
        }
        if !open {
            if rtype == AUDIT_EOE {
                continue;
            }
            out.push(Vec::new());
            open = true;
        }
        if let Some(cur) = out.last_mut() {
            cur.push(r);
        }
        if ends_event(rtype) {
            open = false;
        }
    }
    out
}

fn ends_event(t: RecordType) -> bool {
    t == AUDIT_PROCTITLE
        || t == AUDIT_EOE
        || !(AUDIT_FIRST_EVENT..AUDIT_FIRST_ANOM_MSG).contains(&t)
        || t == AUDIT_KERNEL
        || (AUDIT_MAC_UNLBL_ALLOW..=AUDIT_MAC_CALIPSO_DEL).contains(&t)
}

/// `auparse_normalize`: `all` is NORM_OPT_ALL (attributes too), else
/// NORM_OPT_NO_ATTRS. The flag is false when the event cannot be
/// normalized (several records but no usable SYSCALL record); what was
/// found until then is returned anyway, because the text format uses it.
pub(crate) fn normalize(au: &mut Au<'_>, all: bool, users: &Accounts) -> (Norm, bool) {
    au.first_record();
    let mut n = Normalizer {
        au,
        d: Norm::default(),
        all,
        syscall_success: -1,
        users,
    };
    let ok = if n.au.num_records() > 1 {
        n.compound()
    } else {
        n.simple()
    };
    n.au.first_record();
    (n.d, ok)
}

/// The normalizer's working state.
struct Normalizer<'x, 'a> {
    au: &'x mut Au<'a>,
    d: Norm,
    all: bool,
    /// -1 unknown, 0 failed, 1 succeeded (from the SYSCALL record).
    syscall_success: i32,
    /// name → uid for the one place the normalizer calls `getpwnam`
    /// (an `acct=` name as the subject).
    users: &'x Accounts,
}

// The building blocks every event kind uses. Each searches from the
// cursor; the ones returning `bool` return true when the field was NOT
// found (auparse's 1), because callers rewind only then.
impl Normalizer<'_, '_> {
    /// Position of the current field, filed under record `rnum` (auparse
    /// records the record number it was told, not where the search went).
    fn here(&self, rnum: usize) -> Loc {
        Some((rnum, self.au.field_num()))
    }

    fn set_prime_subject(&mut self, name: &[u8], rnum: usize) -> bool {
        if self.au.find(name) {
            self.d.subj_primary = self.here(rnum);
            return false;
        }
        true
    }

    fn set_secondary_subject(&mut self, name: &[u8], rnum: usize) -> bool {
        if self.au.find(name) {
            self.d.subj_secondary = self.here(rnum);
            return self.set_subject_what();
        }
        true
    }

    /// The kind of account the current field names.
    fn set_subject_what(&mut self) -> bool {
        let uid: i32 = if self.au.ftype() == auditkit_interp::FieldType::Uid {
            self.au.int().0
        } else {
            let acct = if self.au.name() == Some(b"acct") {
                self.au.interpret()
            } else {
                None
            };
            match acct.and_then(|a| self.users.uid_of_bytes(&a)) {
                Some(u) => u as i32,
                None => {
                    self.d.subj_kind = Some("unknown-acct");
                    return true;
                }
            }
        };
        // Compared as a C int: ids from 2^31 on are negative, below 1000.
        self.d.subj_kind = Some(if uid as u32 == NORM_ACCT_PRIV {
            "privileged-acct"
        } else if uid as u32 == NORM_ACCT_UNSET {
            "unset-acct"
        } else if uid < NORM_ACCT_MAX_SYS as i32 {
            "service-acct"
        } else if uid < NORM_ACCT_MAX_USER as i32 {
            "user-acct"
        } else {
            "unknown-acct"
        });
        false
    }

    fn add_subj_attr(&mut self, name: &[u8], rnum: usize) -> bool {
        if self.au.find(name) {
            self.d.subj_attrs.push((rnum, self.au.field_num()));
            return false;
        }
        self.au.goto_record(rnum);
        true
    }

    fn set_prime_object(&mut self, name: &[u8], rnum: usize) -> bool {
        if self.au.find(name) {
            self.d.obj_primary = self.here(rnum);
            return false;
        }
        true
    }

    fn set_prime_object2(&mut self, name: &[u8], adjust: i32) {
        let rnum = (2 + adjust) as usize;
        self.au.goto_record(rnum);
        self.au.first_field();
        if self.au.find(name) {
            self.d.obj_two = self.here(rnum);
        }
    }

    fn add_obj_attr(&mut self, name: &[u8], rnum: usize) -> bool {
        if self.au.find(name) {
            self.d.obj_attrs.push((rnum, self.au.field_num()));
            return false;
        }
        self.au.goto_record(rnum);
        true
    }

    fn add_session(&mut self, rnum: usize) -> bool {
        if self.au.find(b"ses") {
            self.d.session = self.here(rnum);
            return false;
        }
        self.au.first_record();
        true
    }

    fn set_results(&mut self, rnum: usize) {
        if self.au.find(b"res") {
            self.d.results = self.here(rnum);
        }
    }

    /// Where the cursor is, as an object position.
    fn cursor_loc(&self) -> Loc {
        Some((self.au.record_num(), self.au.field_num()))
    }

    /// `how` from the current `exe` field, replaced by `comm` for
    /// interpreters (python, sh, bash, perl), where the script matters more.
    /// comm is searched from the field before exe (from the first record
    /// when exe is a record's first field).
    fn how_from_exe(&mut self) {
        let Some(exe) = self.au.interpret() else {
            return;
        };
        let is_interp = is_interpreter(&exe);
        self.d.how = Some(exe);
        if is_interp {
            let fnum = self.au.field_num();
            if fnum == 0 || !self.au.goto_field(fnum - 1) {
                self.au.first_record();
            }
            if self.au.find(b"comm") {
                self.d.how = self.au.interpret();
            }
        }
    }
}

fn is_interpreter(exe: &[u8]) -> bool {
    [
        &b"/usr/bin/python"[..],
        b"/usr/bin/sh",
        b"/usr/bin/bash",
        b"/usr/bin/perl",
    ]
    .iter()
    .any(|p| exe.starts_with(p))
}

/// What the csv and text writers need besides the event.
pub struct Settings<'a> {
    /// uid/gid names for interpreted values.
    pub names: &'a Accounts,
    /// name → uid, for `acct=` subjects (`getpwnam`).
    pub users: &'a Accounts,
    /// `--escape`.
    pub escape: auditkit_interp::EscapeMode,
}

/// `seek_field`: put the cursor on `loc`. 1 when there, 0 when `loc` was
/// never set, negative when the record or field does not exist.
pub(crate) fn seek(au: &mut Au<'_>, loc: Loc) -> i32 {
    let Some((r, f)) = loc else {
        return 0;
    };
    if !au.goto_record(r) {
        return -1;
    }
    if !au.goto_field(f) {
        return -2;
    }
    1
}

/// Append a C string that may be NULL, as glibc's printf("%s") does.
pub(crate) fn put(out: &mut Vec<u8>, s: Option<&[u8]>) {
    out.extend_from_slice(s.unwrap_or(b"(null)"));
}

/// `success`/`failed` (or the adverbs) of the result field under the
/// cursor: "yes", anything starting with "suc", or a seccomp "allow".
pub(crate) fn succeeded(au: &mut Au<'_>) -> bool {
    let item = au.interpret().unwrap_or_default();
    item == b"yes"
        || item.starts_with(b"suc")
        || (au.ftype() == auditkit_interp::FieldType::Seccomp && item == b"allow")
}

#[cfg(test)]
mod tests;
