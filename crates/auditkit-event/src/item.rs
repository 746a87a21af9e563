//! What the assembler emits and counts. Its own module so that the
//! assembler and the engine that drives it do not depend on each other.

use std::sync::Arc;

use crate::chunk::{ParsedChunk, Unparsed};
use crate::event::Event;

/// What flows from the assembler to the sinks, in log order.
#[derive(Debug)]
pub enum Item {
    /// A complete event.
    Event(Event),
    /// A line that is not a record, at the place it was read.
    Unparsed(Arc<ParsedChunk>, Unparsed),
}

impl Item {
    /// The text of an unparsed line.
    pub fn unparsed_line(&self) -> Option<&[u8]> {
        match self {
            Item::Unparsed(pc, u) => Some(pc.unparsed_line(u)),
            Item::Event(_) => None,
        }
    }
}

/// Counters of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read.
    pub lines: u64,
    /// Lines that were records.
    pub records: u64,
    /// Records dropped by the time range.
    pub out_of_range: u64,
    /// Events assembled.
    pub events: u64,
    /// Lines that were not records (not counting blank and `#` lines).
    pub unparsed: u64,
    /// Blank lines.
    pub blank: u64,
    /// `#` comment lines.
    pub comments: u64,
    /// ausearch's event separator lines (`----`, `time->...`).
    pub separators: u64,
    /// Standalone EOE records dropped.
    pub dropped_eoe: u64,
    /// Events completed early by the open-event bound.
    pub forced: u64,
    /// Events the prefilter dropped before the filter (counted in
    /// `events` too).
    pub prefiltered: u64,
}
