//! Events: the records that share one (node, time, serial) key.

use std::sync::Arc;

use crate::chunk::{Chunk, RecMeta};
use crate::fields::{Fields, FieldsOptions};
use crate::header::{EventId, Header, LineFormat};

/// One assembled audit event. Records are kept in the order they were read.
#[derive(Debug, Clone)]
pub struct Event {
    pub(crate) id: EventId,
    /// The chunk of the first record, and the others an event spans (rare:
    /// only events cut by a chunk boundary), so a typical event costs no
    /// allocation for them.
    pub(crate) first: Arc<Chunk>,
    pub(crate) more: Vec<Arc<Chunk>>,
    /// (index into `chunks`, record)
    pub(crate) recs: Vec<(u16, RecMeta)>,
    /// Where the first record came from: (source, line number).
    pub(crate) origin: (u32, u64),
}

impl Event {
    pub(crate) fn new(chunk: &Arc<Chunk>, rec: RecMeta, line_no: u64) -> Event {
        // A syscall event has 4-8 records: one allocation up front instead
        // of growing 1, 2, 4, 8. One-record types get just one.
        let cap = if crate::assemble::is_single_record_type(rec.header.rtype) {
            1
        } else {
            6
        };
        let mut recs = Vec::with_capacity(cap);
        recs.push((0, rec));
        Event {
            id: rec.header.id,
            first: chunk.clone(),
            more: Vec::new(),
            recs,
            origin: (chunk.source, line_no),
        }
    }

    pub(crate) fn push(&mut self, chunk: &Arc<Chunk>, rec: RecMeta) {
        let idx = if Arc::ptr_eq(&self.first, chunk) {
            0
        } else {
            match self.more.iter().rposition(|c| Arc::ptr_eq(c, chunk)) {
                Some(i) => i + 1,
                None => {
                    self.more.push(chunk.clone());
                    self.more.len()
                }
            }
        };
        self.recs.push((idx as u16, rec));
    }

    fn chunk(&self, i: u16) -> &Chunk {
        match i {
            0 => &self.first,
            n => &self.more[n as usize - 1],
        }
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
        self.recs.len()
    }

    /// Whether the event has no records (never true for assembled events).
    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// The `i`th record in input order.
    pub fn record(&self, i: usize) -> Option<Record<'_>> {
        let (c, meta) = self.recs.get(i)?;
        let data = &self.chunk(*c).data;
        let line = &data[meta.start as usize..(meta.start + meta.len) as usize];
        Some(Record {
            line,
            header: &meta.header,
        })
    }

    /// The records in input order.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = Record<'_>> + ExactSizeIterator {
        self.recs.iter().map(move |(c, meta)| {
            let data = &self.chunk(*c).data;
            Record {
                line: &data[meta.start as usize..(meta.start + meta.len) as usize],
                header: &meta.header,
            }
        })
    }

    /// Source index and line number of the event's first record.
    pub fn origin(&self) -> (u32, u64) {
        self.origin
    }

    /// True when any record has an enrichment tail (ausearch then prints
    /// the 0x1D separator back in raw output).
    pub fn is_enriched(&self) -> bool {
        self.recs.iter().any(|(_, m)| m.header.enrich.is_some())
    }
}

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
    pub fn rtype(&self) -> i32 {
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
        Fields::new(self.body(), self.rtype(), FieldsOptions::default())
    }

    /// First value of the named field, raw (quotes or hex still there).
    pub fn field(&self, name: &[u8]) -> Option<std::borrow::Cow<'e, [u8]>> {
        self.fields().find(|f| f.name == name).map(|f| f.value)
    }
}
