//! Events: the records that share one (node, time, serial) key.

use std::sync::Arc;

use auditkit_interp::RecordType;

use crate::chunk::{ParsedChunk, RecMeta};
use crate::fields::{Fields, FieldsOptions};
use crate::header::{EventId, Header, LineFormat};

/// Consecutive records of one parsed chunk: `pc.records[start..end]`.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub(crate) pc: Arc<ParsedChunk>,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Part {
    fn meta(&self, i: u32) -> &RecMeta {
        &self.pc.records[i as usize]
    }

    fn record(&self, i: u32) -> Record<'_> {
        let meta = self.meta(i);
        Record {
            line: self.pc.line(meta),
            header: &meta.header,
        }
    }

    fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
}

/// One assembled audit event. Records are kept in the order they were read.
///
/// An event does not copy its records: it points at runs of them in the
/// parsed chunks they came from. Nearly every event is a single run of
/// consecutive lines, which costs no allocation at all; events whose
/// records are interleaved with others, or cut by a chunk boundary, list
/// more runs in `more`.
#[derive(Debug, Clone)]
pub struct Event {
    pub(crate) id: EventId,
    pub(crate) first: Part,
    pub(crate) more: Vec<Part>,
    pub(crate) n: u32,
    /// The source being read when the event completed (see
    /// [`Event::completed_in`]).
    pub(crate) completed_in: u32,
    /// Completed by the end of input rather than by a record.
    pub(crate) at_end: bool,
}

impl Event {
    /// An event of the records `start..end` of `pc`.
    pub(crate) fn new(pc: &Arc<ParsedChunk>, start: u32, end: u32) -> Event {
        Event {
            id: pc.records[start as usize].header.id,
            first: Part {
                pc: pc.clone(),
                start,
                end,
            },
            more: Vec::new(),
            n: end - start,
            completed_in: pc.chunk.source,
            at_end: false,
        }
    }

    /// The source the reader was in when the event completed: the source
    /// of the record that completed it (a later record past the end-of-event
    /// timeout, often in the next rotated file), or the last source for
    /// events completed at the end of input. aureport's `-t` counts an
    /// event in the file being read when it comes out.
    pub fn completed_in(&self) -> u32 {
        self.completed_in
    }

    /// Whether the event was completed by the end of input (the assembler's
    /// `finish`) rather than by a record: it then came out after the last
    /// source was read, empty sources included, which
    /// [`Event::completed_in`] cannot name.
    pub fn completed_at_end(&self) -> bool {
        self.at_end
    }

    /// Append the records `start..end` of `pc`, extending the last run
    /// when they follow it directly.
    pub(crate) fn extend(&mut self, pc: &Arc<ParsedChunk>, start: u32, end: u32) {
        self.n += end - start;
        let last = self.more.last_mut().unwrap_or(&mut self.first);
        if last.end == start && Arc::ptr_eq(&last.pc, pc) {
            last.end = end;
        } else {
            self.more.push(Part {
                pc: pc.clone(),
                start,
                end,
            });
        }
    }

    pub(crate) fn parts(&self) -> impl Iterator<Item = &Part> {
        std::iter::once(&self.first).chain(self.more.iter())
    }

    /// The event's identity (time and serial).
    pub fn id(&self) -> EventId {
        self.id
    }

    /// The `node=` name, when the records carry one.
    pub fn node(&self) -> Option<&[u8]> {
        self.record(0).and_then(|r| r.node())
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.n as usize
    }

    /// Whether the event has no records (never true for assembled events).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The `i`th record in input order.
    pub fn record(&self, i: usize) -> Option<Record<'_>> {
        let mut i = i;
        for p in self.parts() {
            if i < p.len() {
                return Some(p.record(p.start + i as u32));
            }
            i -= p.len();
        }
        None
    }

    /// The records in input order.
    pub fn records(&self) -> Records<'_> {
        Records {
            ev: self,
            front: (0, self.first.start),
            back: (self.more.len(), self.last_part().end),
            left: self.len(),
        }
    }

    fn part(&self, i: usize) -> &Part {
        if i == 0 {
            &self.first
        } else {
            &self.more[i - 1]
        }
    }

    fn last_part(&self) -> &Part {
        self.more.last().unwrap_or(&self.first)
    }

    /// Source index and line number of the event's first record.
    pub fn origin(&self) -> (u32, u64) {
        let c = &self.first.pc.chunk;
        let meta = self.first.meta(self.first.start);
        (c.source, c.first_line + u64::from(meta.line))
    }

    /// True when any record has an enrichment tail (ausearch then prints
    /// the 0x1D separator back in raw output).
    pub fn is_enriched(&self) -> bool {
        self.parts().any(|p| {
            p.pc.records[p.start as usize..p.end as usize]
                .iter()
                .any(|m| m.header.enrich.is_some())
        })
    }
}

/// The records of an event in input order (see [`Event::records`]).
pub struct Records<'e> {
    ev: &'e Event,
    /// (part index, next record index) from the front.
    front: (usize, u32),
    /// (part index, one past the next record index) from the back.
    back: (usize, u32),
    left: usize,
}

impl<'e> Iterator for Records<'e> {
    type Item = Record<'e>;

    fn next(&mut self) -> Option<Record<'e>> {
        if self.left == 0 {
            return None;
        }
        loop {
            let p = self.ev.part(self.front.0);
            if self.front.1 < p.end {
                self.front.1 += 1;
                self.left -= 1;
                return Some(p.record(self.front.1 - 1));
            }
            self.front.0 += 1;
            self.front.1 = self.ev.part(self.front.0).start;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for Records<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        loop {
            let p = self.ev.part(self.back.0);
            if self.back.1 > p.start {
                self.back.1 -= 1;
                self.left -= 1;
                return Some(p.record(self.back.1));
            }
            self.back.0 -= 1;
            self.back.1 = self.ev.part(self.back.0).end;
        }
    }
}

impl ExactSizeIterator for Records<'_> {}

/// A borrowed view of one record line.
#[derive(Clone, Copy, Debug)]
pub struct Record<'e> {
    /// The whole line as read, without `\n` (a `\r` is kept).
    pub line: &'e [u8],
    /// Its parsed header.
    pub header: &'e Header,
}

impl<'e> Record<'e> {
    /// Numeric record type, -1 when the name is unknown.
    pub fn rtype(&self) -> RecordType {
        self.header.rtype
    }

    /// The type token as written (`SYSCALL`, `UNKNOWN[1334]`).
    pub fn type_name(&self) -> &'e [u8] {
        let (a, b) = self.header.type_tok;
        &self.line[a as usize..b as usize]
    }

    /// The node name, if any.
    pub fn node(&self) -> Option<&'e [u8]> {
        self.header
            .node
            .map(|(a, b)| &self.line[a as usize..b as usize])
    }

    /// The line up to the enrichment separator (what ausearch calls the
    /// message), without a trailing `\r`.
    pub fn message(&self) -> &'e [u8] {
        let end = self.header.enrich.map_or(self.line.len(), |e| e as usize);
        crate::header::strip_cr(&self.line[..end])
    }

    /// The enrichment tail (after 0x1D), if any.
    pub fn enrichment(&self) -> Option<&'e [u8]> {
        self.header
            .enrich
            .map(|e| crate::header::strip_cr(&self.line[e as usize + 1..]))
    }

    /// The body: everything after the `msg=audit(...)` token.
    pub fn body(&self) -> &'e [u8] {
        let msg = self.message();
        let mut p = (self.header.ts_close as usize + 1).min(msg.len());
        if self.header.format != LineFormat::Interpreted {
            // skip the rest of the msg token ("):")
            while p < msg.len() && msg[p] != b' ' {
                p += 1;
            }
        }
        &msg[p..]
    }

    /// The record's fields, tokenized as auparse does.
    pub fn fields(&self) -> Fields<'e> {
        let opts = FieldsOptions {
            interpreted: self.header.format == LineFormat::Interpreted,
        };
        Fields::new(self.body(), self.rtype(), opts)
    }

    /// Whether the record is ausearch `-i` output, whose values are
    /// already interpretations (and must not be decoded or interpreted
    /// again).
    pub fn is_interpreted(&self) -> bool {
        self.header.format == LineFormat::Interpreted
    }

    /// First value of the named field, raw (quotes or hex still there).
    pub fn field(&self, name: &[u8]) -> Option<std::borrow::Cow<'e, [u8]>> {
        self.fields().find(|f| f.name == name).map(|f| f.value)
    }
}
