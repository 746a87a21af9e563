//! Event assembly with ausearch 3.0.9's completion and ordering rules
//! (`src/ausearch-lol.c`), in O(log n) per record instead of its linear
//! scans.
//!
//! What must be reproduced exactly, because it decides the order and the
//! grouping of the output:
//!
//! * A record joins the *building* event with the same (node, sec, msec,
//!   serial). A record whose key matches only an event that is already
//!   complete starts a new event (ausearch only searches building events).
//! * A standalone EOE (no building event to join) is dropped.
//! * Completion is checked only when a new event is created: every building
//!   event whose time is `timeout` seconds older than the new one completes,
//!   and the new event completes at once when its *first* record's type is a
//!   one-record type (PROCTITLE, < 1300 (all user-space and daemon
//!   records), >= 2100, KERNEL,
//!   MAC_UNLBL_ALLOW..MAC_CALIPSO_DEL; unknown types count as -1).
//! * Output: the event with the lowest (sec, msec, serial) among *all*
//!   pending events is emitted if it is complete; ties go to the lowest
//!   slot index, slots being reused lowest-first. An incomplete older event
//!   therefore holds back complete newer ones.
//! * At the end of input every pending event completes.
//!
//! Memory is bounded: besides the event-time timeout, at most
//! [`Assembler::max_open`] events may be building at once; beyond that the
//! oldest is completed early (ausearch has no such limit and can grow
//! without bound on hostile input; this is a documented difference).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use crate::chunk::{Chunk, RecMeta};
use crate::event::Event;
use crate::header::EventId;

// libaudit.h 3.0.9 values (4.x's common.c uses other bounds; ausearch
// 3.0.9 is the reference here).
const AUDIT_FIRST_EVENT: i32 = 1300;
const AUDIT_FIRST_ANOM_MSG: i32 = 2100;
const AUDIT_PROCTITLE: i32 = 1327;
const AUDIT_EOE: i32 = 1320;
const AUDIT_KERNEL: i32 = 2000;
const AUDIT_MAC_UNLBL_ALLOW: i32 = 1414;
const AUDIT_MAC_CALIPSO_DEL: i32 = 1418;

/// The default `end_of_event_timeout` of auditd.conf.
pub const DEFAULT_EOE_TIMEOUT: u64 = 2;

/// ausearch's test for "this type is a whole event by itself", applied to
/// the first record of an event.
pub fn is_single_record_type(t: i32) -> bool {
    t == AUDIT_PROCTITLE
        || !(AUDIT_FIRST_EVENT..AUDIT_FIRST_ANOM_MSG).contains(&t)
        || t == AUDIT_KERNEL
        || (AUDIT_MAC_UNLBL_ALLOW..=AUDIT_MAC_CALIPSO_DEL).contains(&t)
}

/// (sec, msec, serial, node id)
type Key = (u64, u32, u64, u32);

use auditkit_interp::fxhash::FxMap;

struct Slot {
    event: Event,
    complete: bool,
    key: Key,
    /// Distinguishes the events that reuse a slot, so that entries of
    /// `by_sec` left behind by an earlier occupant can be recognised.
    gen: u32,
}

/// Groups records into events. Feed records in input order with
/// [`Assembler::push`]; completed events come out through the callback in
/// ausearch's order; call [`Assembler::finish`] at the end of input.
pub struct Assembler {
    timeout: u64,
    /// Upper bound on building events (memory bound).
    pub max_open: usize,
    slots: Vec<Option<Slot>>,
    free: BinaryHeap<Reverse<u32>>,
    building: FxMap<Key, u32>,
    /// Building events by first-record second, oldest on top: (sec, slot,
    /// gen). Entries of events that completed otherwise are left in place
    /// and skipped when they reach the top (lazy deletion), which keeps
    /// every operation a heap push or pop.
    by_sec: BinaryHeap<Reverse<(u64, u32, u32)>>,
    /// All pending events in output order, lowest on top: (sec, msec,
    /// serial, slot). Events leave only from the top, when complete.
    order: BinaryHeap<Reverse<(u64, u32, u64, u32)>>,
    next_gen: u32,
    nodes: HashMap<Vec<u8>, u32>,
    /// Fast path: the slot the previous record went to.
    last: Option<(Key, u32)>,
    dropped_eoe: u64,
    forced: u64,
}

impl Default for Assembler {
    fn default() -> Self {
        Assembler::new(DEFAULT_EOE_TIMEOUT)
    }
}

impl Assembler {
    /// An assembler with the given end-of-event timeout in seconds.
    pub fn new(timeout: u64) -> Assembler {
        Assembler {
            timeout,
            max_open: 1 << 16,
            slots: Vec::new(),
            free: BinaryHeap::new(),
            building: FxMap::default(),
            by_sec: BinaryHeap::new(),
            order: BinaryHeap::new(),
            next_gen: 0,
            nodes: HashMap::new(),
            last: None,
            dropped_eoe: 0,
            forced: 0,
        }
    }

    /// Events still pending (building or complete but held back).
    pub fn pending(&self) -> usize {
        self.order.len()
    }

    /// Standalone EOE records dropped so far.
    pub fn dropped_eoe(&self) -> u64 {
        self.dropped_eoe
    }

    /// Events completed early because too many were open.
    pub fn forced(&self) -> u64 {
        self.forced
    }

    fn node_id(&mut self, node: Option<&[u8]>) -> u32 {
        match node {
            None => 0,
            Some(n) => {
                if let Some(&id) = self.nodes.get(n) {
                    return id;
                }
                let id = self.nodes.len() as u32 + 1;
                self.nodes.insert(n.to_vec(), id);
                id
            }
        }
    }

    /// Add one record. `line_no` is its line number, kept for messages.
    /// Returns false when the record was dropped (a standalone EOE).
    pub fn push(
        &mut self,
        chunk: &Arc<Chunk>,
        rec: RecMeta,
        line_no: u64,
        emit: &mut impl FnMut(Event),
    ) -> bool {
        let h = &rec.header;
        let nid = match h.node {
            None => 0,
            Some((a, b)) => {
                let node = &chunk.data[(rec.start + a) as usize..(rec.start + b) as usize];
                self.node_id(Some(node))
            }
        };
        let key: Key = (h.id.sec, h.id.msec, h.id.serial, nid);

        // Fast path: same event as the previous record, still building.
        if let Some((k, slot)) = self.last {
            if k == key {
                if let Some(s) = self.slots[slot as usize].as_mut() {
                    if !s.complete && s.key == key {
                        // An append completes nothing, so there is
                        // nothing new to emit either.
                        s.event.push(chunk, rec);
                        return true;
                    }
                }
            }
        }
        if let Some(&slot) = self.building.get(&key) {
            if let Some(s) = self.slots[slot as usize].as_mut() {
                s.event.push(chunk, rec);
            }
            self.last = Some((key, slot));
            return true;
        }
        if h.rtype == AUDIT_EOE {
            self.dropped_eoe += 1;
            return false;
        }
        // New event.
        // check_events: the new event completes at once when its first
        // record's type is a one-record type; every building event
        // `timeout` seconds older than it completes too.
        let single = is_single_record_type(h.rtype);
        let id = h.id;
        let gen = self.next_gen;
        self.next_gen = self.next_gen.wrapping_add(1);
        let slot = self.alloc(Slot {
            event: Event::new(chunk, rec, line_no),
            complete: single,
            key,
            gen,
        });
        if !single {
            self.building.insert(key, slot);
            self.by_sec.push(Reverse((id.sec, slot, gen)));
        }
        self.order.push(Reverse((id.sec, id.msec, id.serial, slot)));
        self.last = Some((key, slot));
        while let Some(s) = self.oldest_building() {
            let sec = self.slots[s as usize].as_ref().map_or(0, |x| x.key.0);
            if sec.saturating_add(self.timeout) > id.sec {
                break;
            }
            self.by_sec.pop();
            self.complete(s);
        }
        while self.building.len() > self.max_open {
            let Some(s) = self.oldest_building() else {
                break;
            };
            self.by_sec.pop();
            self.complete(s);
            self.forced += 1;
        }
        self.drain(emit);
        true
    }

    /// The slot at the top of `by_sec` after dropping stale entries (events
    /// that completed otherwise, or whose slot has a new occupant).
    fn oldest_building(&mut self) -> Option<u32> {
        while let Some(&Reverse((_, slot, gen))) = self.by_sec.peek() {
            match self.slots[slot as usize].as_ref() {
                Some(s) if s.gen == gen && !s.complete => return Some(slot),
                _ => {
                    self.by_sec.pop();
                }
            }
        }
        None
    }

    fn alloc(&mut self, s: Slot) -> u32 {
        if let Some(Reverse(i)) = self.free.pop() {
            self.slots[i as usize] = Some(s);
            i
        } else {
            self.slots.push(Some(s));
            (self.slots.len() - 1) as u32
        }
    }

    fn complete(&mut self, slot: u32) {
        if let Some(s) = self.slots[slot as usize].as_mut() {
            if !s.complete {
                s.complete = true;
                self.building.remove(&s.key);
            }
        }
    }

    /// Emit, in order, every event that is complete and not held back by an
    /// older incomplete one.
    fn drain(&mut self, emit: &mut impl FnMut(Event)) {
        while let Some(&Reverse((_, _, _, slot))) = self.order.peek() {
            let complete = self.slots[slot as usize]
                .as_ref()
                .is_some_and(|s| s.complete);
            if !complete {
                break;
            }
            self.order.pop();
            if let Some(s) = self.slots[slot as usize].take() {
                self.free.push(Reverse(slot));
                if self.last.is_some_and(|(_, l)| l == slot) {
                    self.last = None;
                }
                emit(s.event);
            }
        }
    }

    /// End of input: everything pending completes and is emitted in order.
    pub fn finish(&mut self, emit: &mut impl FnMut(Event)) {
        let pending: Vec<u32> = self.building.values().copied().collect();
        for s in pending {
            self.complete(s);
        }
        self.drain(emit);
        self.slots.clear();
        self.free.clear();
        self.by_sec.clear();
        self.last = None;
    }
}

/// Convenience: assemble a whole in-memory log, returning its events.
pub fn assemble_all(data: &[u8], timeout: u64) -> Vec<Event> {
    let chunk = Arc::new(Chunk {
        data: data.to_vec(),
        source: 0,
        first_line: 1,
    });
    let parsed = crate::chunk::parse_chunk(chunk.clone());
    let mut asm = Assembler::new(timeout);
    let mut out = Vec::new();
    for (rec, line) in parsed.records {
        asm.push(&chunk, rec, line, &mut |e| out.push(e));
    }
    asm.finish(&mut |e| out.push(e));
    out
}

impl Event {
    /// Key of the event as ausearch compares it (time and serial; node
    /// compared separately).
    pub fn key(&self) -> EventId {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serials(log: &str) -> Vec<(u64, usize)> {
        assemble_all(log.as_bytes(), 2)
            .iter()
            .map(|e| (e.id().serial, e.len()))
            .collect()
    }

    #[test]
    fn interleaved() {
        let log = "\
type=SYSCALL msg=audit(10.000:1): a=1
type=SYSCALL msg=audit(10.000:2): a=1
type=CWD msg=audit(10.000:1): cwd=\"/\"
type=PROCTITLE msg=audit(10.000:2): proctitle=\"x\"
type=PROCTITLE msg=audit(10.000:1): proctitle=\"x\"
";
        assert_eq!(serials(log), vec![(1, 3), (2, 2)]);
    }

    #[test]
    fn timeout_by_event_time_and_hold_back() {
        // serial 1 never gets a PROCTITLE; it completes when a record
        // 2 s newer arrives, and holds back serial 2 (complete at once,
        // being a USER (1005) record) until then.
        let log = "\
type=SYSCALL msg=audit(10.000:1): a=1
type=USER msg=audit(11.000:2): a=1
type=SYSCALL msg=audit(12.000:3): a=1
";
        let ev = assemble_all(log.as_bytes(), 2);
        let s: Vec<u64> = ev.iter().map(|e| e.id().serial).collect();
        assert_eq!(s, vec![1, 2, 3]);
    }

    #[test]
    fn standalone_eoe_dropped_and_joined() {
        let log = "\
type=SYSCALL msg=audit(10.000:1): a=1
type=EOE msg=audit(10.000:1):
type=EOE msg=audit(10.000:9):
";
        assert_eq!(serials(log), vec![(1, 2)]);
    }

    #[test]
    fn nodes_separate_events() {
        let log = "\
node=a type=SYSCALL msg=audit(10.000:1): a=1
node=b type=SYSCALL msg=audit(10.000:1): a=1
node=a type=CWD msg=audit(10.000:1): a=1
";
        assert_eq!(serials(log), vec![(1, 2), (1, 1)]);
    }

    #[test]
    fn first_record_type_decides() {
        // PROCTITLE first: complete at once; the later SYSCALL with the
        // same key becomes an event of its own, as in ausearch.
        let log = "\
type=PROCTITLE msg=audit(10.000:1): proctitle=\"x\"
type=SYSCALL msg=audit(10.000:1): a=1
";
        assert_eq!(serials(log), vec![(1, 1), (1, 1)]);
    }

    #[test]
    fn max_open_bounds_memory() {
        let mut log = String::new();
        for i in 0..100 {
            log.push_str(&format!("type=SYSCALL msg=audit(10.000:{i}): a=1\n"));
        }
        let chunk = Arc::new(Chunk {
            data: log.into_bytes(),
            source: 0,
            first_line: 1,
        });
        let parsed = crate::chunk::parse_chunk(chunk.clone());
        let mut asm = Assembler::new(2);
        asm.max_open = 10;
        let mut n = 0;
        for (rec, line) in parsed.records {
            asm.push(&chunk, rec, line, &mut |_| n += 1);
            assert!(asm.building.len() <= 10);
        }
        asm.finish(&mut |_| n += 1);
        assert_eq!(n, 100);
        assert_eq!(asm.forced(), 90);
    }
}
