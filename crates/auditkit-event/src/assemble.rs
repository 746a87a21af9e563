//! Event assembly with ausearch 3.0.9's completion and ordering rules
//! (`src/ausearch-lol.c`), in O(1) per event for a log in time order
//! (O(log n) otherwise) instead of its linear scans.
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
//!   MAC_UNLBL_ALLOW..=MAC_CALIPSO_DEL (1406..=1419); unknown types count
//!   as -1).
//! * Output: the event with the lowest (sec, msec, serial) among *all*
//!   pending events is emitted if it is complete; ties go to the lowest
//!   slot index, slots being reused lowest-first. An incomplete older event
//!   therefore holds back complete newer ones.
//! * At the end of input every pending event completes.
//!
//! Two additions that ausearch does not have:
//!
//! * ausearch's own output (`----` and `time->` lines between events):
//!   each block between separators is one event, its records read back to
//!   front (ausearch prints them last first), whatever their types; a
//!   record of another key ends block reading until the next separator.
//! * [`Assembler::grouping_by_id`], for the native outputs: a record joins
//!   the pending event of its key even where ausearch would start a second
//!   one.
//!
//! Memory is bounded: besides the event-time timeout, at most
//! [`Assembler::max_open`] events may be building at once; beyond that the
//! oldest is completed early (ausearch has no such limit and can grow
//! without bound on hostile input; this is a documented difference).

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};
use std::sync::Arc;

use crate::chunk::{Chunk, ParsedChunk};
use crate::event::Event;
use crate::header::EventId;
use crate::item::{Item, Stats};
use auditkit_interp::RecordType;

/// The default `end_of_event_timeout` of auditd.conf.
pub const DEFAULT_EOE_TIMEOUT: u64 = 2;

/// ausearch's test for "this type is a whole event by itself", applied to
/// the first record of an event.
///
/// The bounds are libaudit.h 3.0.9's (4.x's common.c uses other bounds;
/// ausearch 3.0.9 is the reference here).
pub fn is_single_record_type(t: RecordType) -> bool {
    t == RecordType::PROCTITLE
        || !(RecordType::FIRST_EVENT..RecordType::FIRST_ANOM_MSG).contains(&t)
        || t == RecordType::KERNEL
        || (RecordType::MAC_UNLBL_ALLOW..=RecordType::MAC_CALIPSO_DEL).contains(&t)
}

/// (sec, msec, serial, node id)
type Key = (u64, u32, u64, u32);

/// A block of ausearch output being read: the runs of records between two
/// separator lines, all with one key.
#[derive(Default)]
struct Block {
    key: Key,
    parts: Vec<(Arc<ParsedChunk>, u32, u32)>,
    /// Records in `parts`.
    n: usize,
}

/// The most records one block of ausearch output may hold before what was
/// read is made an event and the rest of the block another. ausearch never
/// prints more than one event's records (a few hundred at most) in a
/// block, so only a hostile file reaches this; it keeps a block's records,
/// each held as its own part, bounded.
const MAX_BLOCK_RECORDS: usize = 1 << 16;

use auditkit_interp::fxhash::FxMap;

struct Slot {
    event: Event,
    complete: bool,
    key: Key,
    /// Distinguishes the events that reuse a slot, so that entries of
    /// `by_sec` left behind by an earlier occupant can be recognised.
    gen: u32,
}

/// A queue kept in sorted order, for keys that arrive nearly sorted.
///
/// Audit logs arrive almost in time order, so nearly every key is pushed
/// at the back of a deque, and the rare late one is inserted a few places
/// before it. Compared with a binary heap, the deque is read and written
/// front to back, which keeps the ~20,000 events pending in two seconds
/// of a busy log out of the cache-miss profile. A key that would land far
/// from the back (a shuffled or hostile log) goes to a B-tree instead, so
/// no input makes an insert cost more than O(log n).
struct SortedQueue<T: Ord + Copy> {
    near: VecDeque<T>,
    far: BTreeSet<T>,
}

impl<T: Ord + Copy> SortedQueue<T> {
    /// How far from the back an insert may move entries of the deque.
    const NEAR: usize = 64;

    fn new() -> Self {
        SortedQueue {
            near: VecDeque::new(),
            far: BTreeSet::new(),
        }
    }

    fn len(&self) -> usize {
        self.near.len() + self.far.len()
    }

    fn push(&mut self, v: T) {
        match self.near.back() {
            Some(b) if *b > v => {
                let pos = self.near.partition_point(|x| *x < v);
                if self.near.len() - pos <= Self::NEAR {
                    self.near.insert(pos, v);
                } else {
                    self.far.insert(v);
                }
            }
            _ => self.near.push_back(v),
        }
    }

    /// The lowest key.
    fn front(&self) -> Option<T> {
        match (self.near.front(), self.far.first()) {
            (Some(&a), Some(&b)) => Some(a.min(b)),
            (a, b) => a.or(b).copied(),
        }
    }

    /// The highest key.
    fn back(&self) -> Option<T> {
        match (self.near.back(), self.far.last()) {
            (Some(&a), Some(&b)) => Some(a.max(b)),
            (a, b) => a.or(b).copied(),
        }
    }

    fn pop_front(&mut self) -> Option<T> {
        let f = self.front()?;
        if self.far.first() == Some(&f) {
            self.far.pop_first()
        } else {
            self.near.pop_front()
        }
    }

    /// The keys in `lo..=hi`, in no particular order.
    fn range(&self, lo: T, hi: T) -> impl Iterator<Item = T> + '_ {
        let from = self.near.partition_point(|x| *x < lo);
        self.near
            .range(from..)
            .take_while(move |x| **x <= hi)
            .chain(self.far.range(lo..=hi))
            .copied()
    }

    fn clear(&mut self) {
        self.near.clear();
        self.far.clear();
    }
}

/// Groups records into events. Feed parsed chunks in input order with
/// [`Assembler::push_parsed`]; completed events come out through the
/// callback in ausearch's order; call [`Assembler::finish`] at the end of
/// input.
///
/// The work is done a *run* at a time (consecutive records with one key,
/// see [`ParsedChunk::runs`]): a run either joins a building event or
/// starts one, and in both cases its remaining records join that event,
/// because only the creation of an event can complete one. So a typical
/// event costs one comparison with the newest pending event (a search
/// only when its key is older), whatever its number of records, and the
/// record-by-record rules are applied only where a run's first record
/// completes its event at once (a one-record type) or is a dropped EOE.
pub struct Assembler {
    timeout: u64,
    /// Upper bound on building events (memory bound).
    pub max_open: usize,
    /// Group every record with the pending event of its (node, time,
    /// serial) key, the way the native outputs (JSON, and the reports and
    /// alerts to come) want events, instead of reproducing ausearch's
    /// splits: see [`Assembler::grouping_by_id`].
    pub group_by_id: bool,
    slots: Vec<Option<Slot>>,
    free: BinaryHeap<Reverse<u32>>,
    /// Number of events building. There is no map from key to building
    /// event: `order` is sorted by key, so a record finds its event by
    /// binary search there, and a record newer than every pending event
    /// (the usual case) needs no search at all.
    n_building: usize,
    /// Building events by first-record second, oldest in front: (sec,
    /// slot, gen). Entries of events that completed otherwise are left in
    /// place and skipped when they reach the front (lazy deletion).
    by_sec: SortedQueue<(u64, u32, u32)>,
    /// All pending events in output order, lowest in front: (sec, msec,
    /// serial, slot). Events leave only from the front, when complete.
    order: SortedQueue<(u64, u32, u64, u32)>,
    next_gen: u32,
    nodes: FxMap<Vec<u8>, u32>,
    /// Line numbering: the source of the previous chunk and the number of
    /// the line after it.
    lines: Option<(u32, u64)>,
    dropped_eoe: u64,
    forced: u64,
    /// The block of ausearch output being read: `Some` from a separator
    /// line on (see [`ParsedChunk::separators`]), until the next one or a
    /// record of another event. `None` for an audit log.
    block: Option<Block>,
    /// Events read as blocks of ausearch output.
    blocks: u64,
    /// Apply the record-by-record rules to every record instead of a run
    /// at a time: the reference the run-at-a-time path is tested against.
    #[doc(hidden)]
    pub by_record: bool,
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
            group_by_id: false,
            slots: Vec::new(),
            free: BinaryHeap::new(),
            n_building: 0,
            by_sec: SortedQueue::new(),
            order: SortedQueue::new(),
            next_gen: 0,
            nodes: FxMap::default(),
            lines: None,
            dropped_eoe: 0,
            forced: 0,
            block: None,
            blocks: 0,
            by_record: false,
        }
    }

    /// An assembler that groups by id: every record joins the pending
    /// event with its key, whether that event is still building or already
    /// complete and waiting to be written. ausearch instead starts a new
    /// event with the same id when the first record of an event is of a
    /// one-record type (a PROCTITLE or a user-space record read first) and
    /// when a record comes after its event completed, so its output can
    /// show one id twice. Here an event completes only by the end-of-event
    /// timeout (in event time), the open-event bound or the end of input,
    /// so events of one-record types are held for the timeout like the
    /// others; a record that comes after its event was written still
    /// starts a new one (the window is the timeout).
    pub fn grouping_by_id(timeout: u64) -> Assembler {
        Assembler {
            group_by_id: true,
            ..Assembler::new(timeout)
        }
    }

    /// Events still pending (building or complete but held back).
    pub fn pending(&self) -> usize {
        self.order.len()
    }

    /// Events still building.
    pub fn building(&self) -> usize {
        self.n_building
    }

    /// Standalone EOE records dropped so far.
    pub fn dropped_eoe(&self) -> u64 {
        self.dropped_eoe
    }

    /// Events completed early because too many were open.
    pub fn forced(&self) -> u64 {
        self.forced
    }

    /// Events read as whole blocks of ausearch output.
    pub fn blocks(&self) -> u64 {
        self.blocks
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

    /// Number the chunk's lines on from the previous chunk of its source
    /// (when the reader did not), and its unparsed lines with them.
    fn number_lines(&mut self, pc: &mut ParsedChunk) {
        let c = &mut pc.chunk;
        if c.first_line == 0 {
            c.first_line = match self.lines {
                Some((src, next)) if src == c.source => next,
                _ => 1,
            };
        }
        self.lines = Some((c.source, c.first_line + pc.lines));
        for u in &mut pc.unparsed {
            u.line_no += c.first_line;
        }
    }

    /// Add every record of a parsed chunk, in order. Events that complete
    /// and lines that are not records come out through `out`, in the order
    /// ausearch would print them; records outside `range` (inclusive
    /// seconds, ausearch's `-ts`/`-te`) are dropped before assembly.
    pub fn push_parsed(
        &mut self,
        mut pc: ParsedChunk,
        range: Option<(u64, u64)>,
        st: &mut Stats,
        out: &mut impl FnMut(Item),
    ) {
        self.number_lines(&mut pc);
        st.lines += pc.lines;
        st.blank += pc.blank;
        st.comments += pc.comments;
        st.unparsed += pc.unparsed.len() as u64;
        st.records += pc.records.len() as u64;
        st.separators += pc.separators.len() as u64;
        let src = pc.chunk.source;
        let pc = Arc::new(pc);
        let mut out = |it: Item| {
            out(match it {
                Item::Event(mut e) => {
                    e.completed_in = src;
                    Item::Event(e)
                }
                other => other,
            })
        };
        let mut next_unparsed = 0;
        // ausearch output only: the separators not yet passed.
        let mut seps = pc.separators.as_slice();
        for &(start, len) in &pc.runs {
            let first = &pc.records[start as usize];
            while let Some(u) = pc.unparsed.get(next_unparsed) {
                if u.start > first.start {
                    break;
                }
                out(Item::Unparsed(pc.clone(), *u));
                next_unparsed += 1;
            }
            while let Some((&at, rest)) = seps.split_first() {
                if at > start {
                    break;
                }
                self.separator(&mut |e| out(Item::Event(e)));
                seps = rest;
            }
            if let Some((lo, hi)) = range {
                let s = first.header.id.sec;
                if s < lo || s > hi {
                    st.out_of_range += u64::from(len);
                    continue;
                }
            }
            if self.block.is_some() && self.block_take(&pc, start, start + len) {
                continue;
            }
            self.push_run(&pc, start, start + len, &mut |e| out(Item::Event(e)));
        }
        for _ in seps {
            self.separator(&mut |e| out(Item::Event(e)));
        }
        for u in &pc.unparsed[next_unparsed..] {
            out(Item::Unparsed(pc.clone(), *u));
        }
    }

    /// An ausearch separator line: the block before it (if any) is one
    /// whole event, and a new block begins.
    fn separator(&mut self, emit: &mut impl FnMut(Event)) {
        self.close_block(emit);
        self.block = Some(Block::default());
    }

    /// Add records `start..end` of `pc` (one key) to the open block of
    /// ausearch output; returns false when they are not part of it (their
    /// key differs from the block's), which ends block reading until the
    /// next separator: such records are assembled as a log's are.
    fn block_take(&mut self, pc: &Arc<ParsedChunk>, start: u32, end: u32) -> bool {
        let key = self.key(pc, start);
        let Some(b) = self.block.as_mut() else {
            return false;
        };
        if b.parts.is_empty() {
            b.key = key;
        } else if b.key != key {
            // The block is complete; emitting it waits for the caller's
            // next event, since `emit` is not at hand here.
            let done = std::mem::take(b);
            self.block = None;
            self.insert_block(done);
            return false;
        }
        if b.n >= MAX_BLOCK_RECORDS {
            // A hostile block: what was read becomes one event, and the
            // block goes on as another (ausearch would split it anyway).
            let full = std::mem::replace(
                b,
                Block {
                    key,
                    ..Block::default()
                },
            );
            self.insert_block(full);
            return self.block_take(pc, start, end);
        }
        b.n += (end - start) as usize;
        b.parts.push((pc.clone(), start, end));
        true
    }

    /// End the open block, if any, and make its records one event.
    fn close_block(&mut self, emit: &mut impl FnMut(Event)) {
        if let Some(b) = self.block.take() {
            self.insert_block(b);
            self.drain(emit);
        }
    }

    /// Make a block's records one complete event, in the order they were
    /// logged: ausearch prints an event's records last first
    /// (`output_default` and `output_interpreted` walk its list backwards),
    /// so the block is read back to front. The event takes its place in the
    /// output order like any new event (and, like one, completes building
    /// events `timeout` seconds older than it).
    ///
    /// Grouping by id, a block joins the pending event with its key, if
    /// any, and a new one is held for the timeout like any building event,
    /// so that the blocks ausearch split one event into become one again.
    fn insert_block(&mut self, b: Block) {
        let key = b.key;
        let pending = if self.group_by_id {
            self.find_building(key)
        } else {
            None
        };
        let mut ev: Option<Event> = None;
        let mut joined = pending.and_then(|slot| self.slots[slot as usize].as_mut());
        for (pc, start, end) in b.parts.iter().rev() {
            for i in (*start..*end).rev() {
                match (joined.as_mut(), ev.as_mut()) {
                    (Some(s), _) => s.event.extend(pc, i, i + 1),
                    (None, None) => ev = Some(Event::new(pc, i, i + 1)),
                    (None, Some(e)) => e.extend(pc, i, i + 1),
                }
            }
        }
        if b.n > 0 {
            self.blocks += 1;
        }
        let Some(event) = ev else {
            return;
        };
        let gen = self.next_gen;
        self.next_gen = self.next_gen.wrapping_add(1);
        let building = self.group_by_id;
        let slot = self.alloc(Slot {
            event,
            complete: !building,
            key,
            gen,
        });
        if building {
            self.n_building += 1;
            self.by_sec.push((key.0, slot, gen));
        }
        self.order.push((key.0, key.1, key.2, slot));
        let timeout = self.timeout;
        while self.complete_oldest_if(|sec, _| sec.saturating_add(timeout) <= key.0) {}
        let max_open = self.max_open;
        while self.complete_oldest_if(|_, building| building > max_open) {
            self.forced += 1;
        }
    }

    /// Add records `start..end` of `pc`, which share one key.
    fn push_run(
        &mut self,
        pc: &Arc<ParsedChunk>,
        start: u32,
        end: u32,
        emit: &mut impl FnMut(Event),
    ) {
        let key = self.key(pc, start);
        if self.by_record {
            for i in start..end {
                self.push_record(pc, i, key, emit);
            }
            return;
        }
        let mut i = start;
        while i < end {
            if let Some(slot) = self.push_record(pc, i, key, emit) {
                if i + 1 < end {
                    if let Some(s) = self.slots[slot as usize].as_mut() {
                        s.event.extend(pc, i + 1, end);
                    }
                }
                return;
            }
            i += 1;
        }
    }

    fn key(&mut self, pc: &ParsedChunk, i: u32) -> Key {
        let rec = &pc.records[i as usize];
        let nid = self.node_id(pc.node(rec));
        let id = rec.header.id;
        (id.sec, id.msec, id.serial, nid)
    }

    /// Add one record with ausearch's rules. Returns the slot of the event
    /// it went to when that event is still building afterwards (so the
    /// rest of its run joins it too), `None` when the record was dropped
    /// or its event completed at once.
    fn push_record(
        &mut self,
        pc: &Arc<ParsedChunk>,
        i: u32,
        key: Key,
        emit: &mut impl FnMut(Event),
    ) -> Option<u32> {
        if let Some(slot) = self.find_building(key) {
            if let Some(s) = self.slots[slot as usize].as_mut() {
                s.event.extend(pc, i, i + 1);
            }
            return Some(slot);
        }
        let h = &pc.records[i as usize].header;
        if h.rtype == RecordType::EOE {
            self.dropped_eoe += 1;
            return None;
        }
        // New event.
        // check_events: the new event completes at once when its first
        // record's type is a one-record type; every building event
        // `timeout` seconds older than it completes too.
        let single = !self.group_by_id && is_single_record_type(h.rtype);
        let id = h.id;
        let gen = self.next_gen;
        self.next_gen = self.next_gen.wrapping_add(1);
        let slot = self.alloc(Slot {
            event: Event::new(pc, i, i + 1),
            complete: single,
            key,
            gen,
        });
        if !single {
            self.n_building += 1;
            self.by_sec.push((id.sec, slot, gen));
        }
        self.order.push((id.sec, id.msec, id.serial, slot));
        let timeout = self.timeout;
        while self.complete_oldest_if(|sec, _| sec.saturating_add(timeout) <= id.sec) {}
        let max_open = self.max_open;
        while self.complete_oldest_if(|_, building| building > max_open) {
            self.forced += 1;
        }
        self.drain(emit);
        match self.slots[slot as usize].as_ref() {
            Some(s) if s.gen == gen && !s.complete => Some(slot),
            _ => None,
        }
    }

    /// The building event with this key, if any (grouping by id: the
    /// pending one).
    fn find_building(&self, key: Key) -> Option<u32> {
        let (sec, msec, serial, _) = key;
        match self.order.back() {
            Some(b) if (b.0, b.1, b.2) >= (sec, msec, serial) => {}
            _ => return None,
        }
        self.order
            .range((sec, msec, serial, 0), (sec, msec, serial, u32::MAX))
            .map(|(_, _, _, slot)| slot)
            .find(|&slot| {
                self.slots[slot as usize]
                    .as_ref()
                    .is_some_and(|s| (!s.complete || self.group_by_id) && s.key == key)
            })
    }

    /// Complete the oldest building event when `pred(its second, events
    /// building)` holds; returns whether it did.
    fn complete_oldest_if(&mut self, pred: impl Fn(u64, usize) -> bool) -> bool {
        let Some(s) = self.oldest_building() else {
            return false;
        };
        let sec = self.slots[s as usize].as_ref().map_or(0, |x| x.key.0);
        if !pred(sec, self.n_building) {
            return false;
        }
        self.by_sec.pop_front();
        self.complete(s);
        true
    }

    /// The slot at the front of `by_sec` after dropping stale entries
    /// (events that completed otherwise, or whose slot has a new occupant).
    fn oldest_building(&mut self) -> Option<u32> {
        while let Some((_, slot, gen)) = self.by_sec.front() {
            match self.slots[slot as usize].as_ref() {
                Some(s) if s.gen == gen && !s.complete => return Some(slot),
                _ => {
                    self.by_sec.pop_front();
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
                self.n_building -= 1;
            }
        }
    }

    /// Emit, in order, every event that is complete and not held back by an
    /// older incomplete one.
    fn drain(&mut self, emit: &mut impl FnMut(Event)) {
        while let Some((_, _, _, slot)) = self.order.front() {
            let complete = self.slots[slot as usize]
                .as_ref()
                .is_some_and(|s| s.complete);
            if !complete {
                break;
            }
            self.order.pop_front();
            if let Some(s) = self.slots[slot as usize].take() {
                self.free.push(Reverse(slot));
                emit(s.event);
            }
        }
    }

    /// End of input: everything pending completes and is emitted in order.
    pub fn finish(&mut self, emit: &mut impl FnMut(Event)) {
        if let Some(b) = self.block.take() {
            self.insert_block(b);
        }
        for slot in 0..self.slots.len() as u32 {
            self.complete(slot);
        }
        let last = self.lines.map(|(src, _)| src);
        self.drain(&mut |mut e: Event| {
            if let Some(src) = last {
                e.completed_in = src;
            }
            e.at_end = true;
            emit(e)
        });
        self.slots.clear();
        self.free.clear();
        self.by_sec.clear();
    }
}

/// Convenience: assemble a whole in-memory log, returning its events.
pub fn assemble_all(data: &[u8], timeout: u64) -> Vec<Event> {
    let parsed = crate::chunk::parse_chunk(Chunk {
        data: data.to_vec(),
        source: 0,
        first_line: 1,
    });
    Assembler::new(timeout).assemble_whole(parsed)
}

impl Assembler {
    /// Convenience: push one parsed chunk as the whole input and finish,
    /// returning its events (lines that are not records are left out).
    pub fn assemble_whole(&mut self, parsed: ParsedChunk) -> Vec<Event> {
        let mut out = Vec::new();
        self.push_parsed(parsed, None, &mut Stats::default(), &mut |it| {
            if let Item::Event(e) = it {
                out.push(e);
            }
        });
        self.finish(&mut |e| out.push(e));
        out
    }
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
    fn netlabel_types_are_single_records() {
        // What ausearch 3.0.9 does with a record of type T followed by a
        // CWD of the same id: 1406 (MAC_UNLBL_ALLOW) to 1419
        // (MAC_CALIPSO_DEL) complete at once, their neighbours do not.
        let mut log = String::new();
        for t in [1405, 1406, 1413, 1414, 1418, 1419, 1420] {
            log.push_str(&format!("type=UNKNOWN[{t}] msg=audit(10.000:{t}): a=1\n"));
            log.push_str(&format!("type=CWD msg=audit(10.000:{t}): cwd=\"/\"\n"));
        }
        let single = |t: u64| [(t, 1), (t, 1)];
        let mut want = vec![(1405, 2)];
        for t in [1406, 1413, 1414, 1418, 1419] {
            want.extend(single(t));
        }
        want.push((1420, 2));
        assert_eq!(serials(&log), want);
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
        let parsed = crate::chunk::parse_chunk(Chunk {
            data: log.into_bytes(),
            source: 0,
            first_line: 1,
        });
        let mut asm = Assembler::new(2);
        asm.max_open = 10;
        let mut n = 0;
        asm.push_parsed(parsed, None, &mut Stats::default(), &mut |it| {
            if matches!(it, Item::Event(_)) {
                n += 1;
            }
        });
        assert!(asm.building() <= 10);
        asm.finish(&mut |_| n += 1);
        assert_eq!(n, 100);
        assert_eq!(asm.forced(), 90);
    }
}
