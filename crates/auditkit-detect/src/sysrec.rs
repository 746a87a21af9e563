//! One reading of an event's first SYSCALL record, shared by everything
//! that asks about it before a rule runs: the process tree's facts
//! ([`crate::process::Observed`]), what the event may be
//! ([`crate::mapping::Kind`]) and the syscall's name the prefilter marks.
//!
//! A SYSCALL record has some 27 fields, and on a busy log nearly every
//! event has one, so walking them is one of the larger costs of
//! detection; each of those readers used to walk them on its own. Here
//! they are walked once, keeping the raw values of the few fields the
//! readers need (the first value of each, as
//! [`crate::view::RecView::raw`] reads a record).

use std::borrow::Cow;

use auditkit_event::{EventFields, RecordFields};
use auditkit_interp::RecordType;

/// A field kept, and its place in [`SysRec`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    Arch,
    Syscall,
    Success,
    Exit,
    A0,
    A1,
    A2,
    Pid,
    Ppid,
    Uid,
    Auid,
    Exe,
}

/// How many fields are kept.
const SLOTS: usize = Slot::Exe as usize + 1;

fn slot_of(name: &[u8]) -> Option<usize> {
    let i = match name {
        b"arch" => Slot::Arch,
        b"syscall" => Slot::Syscall,
        b"success" => Slot::Success,
        b"exit" => Slot::Exit,
        b"a0" => Slot::A0,
        b"a1" => Slot::A1,
        b"a2" => Slot::A2,
        b"pid" => Slot::Pid,
        b"ppid" => Slot::Ppid,
        b"uid" => Slot::Uid,
        b"auid" => Slot::Auid,
        b"exe" => Slot::Exe,
        _ => return None,
    };
    Some(i as usize)
}

/// The first SYSCALL record of an event, read once.
#[derive(Debug, Default)]
pub(crate) struct SysRec<'a> {
    /// Its index among the event's records.
    pub index: usize,
    /// The record is ausearch `-i` output.
    pub interpreted: bool,
    /// Another SYSCALL record follows (the tree then reads them all).
    pub more: bool,
    /// The syscall's name, as [`crate::view::syscall_name_of`] gives it.
    pub name: Option<Cow<'a, [u8]>>,
    vals: [Option<Cow<'a, [u8]>>; SLOTS],
}

impl<'a> SysRec<'a> {
    /// The event's first SYSCALL record, read; `None` when it has none.
    pub fn of<E: EventFields + ?Sized>(ev: &'a E) -> Option<SysRec<'a>> {
        let mut found: Option<SysRec<'a>> = None;
        for (i, r) in ev.records().enumerate() {
            if r.rtype() != RecordType::SYSCALL {
                continue;
            }
            if let Some(s) = &mut found {
                s.more = true;
                break;
            }
            found = Some(SysRec::read(&r, i));
        }
        found
    }

    /// Read one SYSCALL record (`index` is its place in the event).
    pub fn read<R: RecordFields<'a>>(r: &R, index: usize) -> SysRec<'a> {
        let mut s = SysRec {
            index,
            interpreted: r.is_interpreted(),
            ..SysRec::default()
        };
        let mut left = SLOTS;
        for f in r.fields() {
            if let Some(j) = slot_of(f.name) {
                if s.vals[j].is_none() {
                    s.vals[j] = Some(f.value);
                    left -= 1;
                    if left == 0 {
                        break;
                    }
                }
            }
        }
        let arch = s.vals[Slot::Arch as usize].clone();
        let nr = s.vals[Slot::Syscall as usize].clone();
        s.name =
            crate::view::syscall_name_of(RecordType::SYSCALL, r.enrichment(), s.interpreted, |n| {
                match n {
                    b"arch" => arch.clone(),
                    b"syscall" => nr.clone(),
                    _ => None,
                }
            });
        s
    }

    /// The first raw value of a kept field.
    pub fn get(&self, slot: Slot) -> Option<&[u8]> {
        self.vals[slot as usize].as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_syscall_record_is_read_once() {
        let log = b"type=SYSCALL msg=audit(1.000:5): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid=10 pid=11 auid=1000 uid=0 gid=0 euid=0 comm=\"sh\" exe=\"/usr/bin/dash\" key=(null)\n\
type=SYSCALL msg=audit(1.000:5): arch=c000003e syscall=2 pid=12\n";
        let evs = auditkit_event::assemble::assemble_all(log, 2);
        let s = SysRec::of(&evs[0]).unwrap();
        assert_eq!(s.index, 0);
        assert!(s.more);
        assert_eq!(s.name.as_deref(), Some(&b"execve"[..]));
        assert_eq!(s.get(Slot::Pid), Some(&b"11"[..]));
        assert_eq!(s.get(Slot::Exe), Some(&b"\"/usr/bin/dash\""[..]));
        assert_eq!(s.get(Slot::A2), Some(&b"55d2"[..]));
        assert_eq!(s.get(Slot::Success), Some(&b"yes"[..]));
    }
}
