//! Field access: what a filter may read of an event, as a trait over a
//! borrowed event.
//!
//! Filters (`--where`, ausearch's options, compiled Sigma rules) must run
//! over events that live in different places: events assembled from a
//! parsed log ([`Event`], records pointing into the chunks), events read
//! back from the collector's store, frames received from a peer before
//! they are written. Each of those implements [`EventFields`], and the
//! evaluator of `auditkit_query::lang` reads only through it, so there is
//! one evaluator, not one per representation.
//!
//! The traits are generic (associated iterator types), not `dyn`: a filter
//! is compiled once and evaluated per event on the hot path, so the field
//! walk is monomorphised for each representation.
//!
//! What an implementation must give, per event: its id and node, and its
//! records in log order, each with its type number and name, its
//! enrichment tail (the `0x1D`-separated part of ENRICHED logs) and its
//! `name=value` fields in order, values raw (quotes and hex as logged),
//! or, for ausearch `-i` output, as printed, with the record saying so
//! ([`RecordFields::is_interpreted`]).
//! Decoding, interpretation and pseudo-fields (`type`, `cmdline`, ...) are
//! the evaluator's job, so every representation agrees on them.

use std::borrow::Cow;

use auditkit_interp::RecordType;

use crate::event::{Event, Record};
use crate::fields::{Field, Fields};
use crate::header::EventId;

/// Read access to an event's identity and records.
pub trait EventFields {
    /// One record of the event.
    type Record<'a>: RecordFields<'a>
    where
        Self: 'a;
    /// The records in log order.
    type Records<'a>: Iterator<Item = Self::Record<'a>>
    where
        Self: 'a;

    /// Time and serial.
    fn id(&self) -> EventId;
    /// `node=` of the event, if any.
    fn node(&self) -> Option<&[u8]>;
    /// The records, in log order.
    fn records(&self) -> Self::Records<'_>;
}

/// Read access to one record; `'a` is the lifetime of the event's bytes.
pub trait RecordFields<'a> {
    /// The fields, in order.
    type Fields: Iterator<Item = Field<'a>>;

    /// The record type number (1300 for SYSCALL).
    fn rtype(&self) -> RecordType;
    /// The record type name as logged (`SYSCALL`, `UNKNOWN[1234]`).
    fn type_name(&self) -> &'a [u8];
    /// The enrichment tail of an ENRICHED log line, without the `0x1D`.
    fn enrichment(&self) -> Option<&'a [u8]>;
    /// The `name=value` fields, values raw.
    fn fields(&self) -> Self::Fields;
    /// Whether the record is ausearch `-i` output: its values are then
    /// what ausearch printed (interpretations, unquoted), not what was
    /// logged, and a filter must map them back before comparing them as
    /// logged values. Only parsed logs can hold such records.
    fn is_interpreted(&self) -> bool {
        false
    }
    /// The first field called `name`.
    fn field(&self, name: &[u8]) -> Option<Cow<'a, [u8]>> {
        self.fields().find(|f| f.name == name).map(|f| f.value)
    }
    /// The bytes [`RecordFields::fields`] tokenizes, when the
    /// representation keeps them: every value it yields is a substring of
    /// them, except the synthetic fields of AVC records (`seperms` joins
    /// the words between `{` and `}`). Prefilters scan it instead of
    /// walking the fields (`auditkit-detect` decides most records without
    /// tokenizing them); `None` (the default) makes them walk the fields.
    fn raw_body(&self) -> Option<&'a [u8]> {
        None
    }
}

impl EventFields for Event {
    type Record<'a> = Record<'a>;
    type Records<'a> = crate::event::Records<'a>;

    fn id(&self) -> EventId {
        Event::id(self)
    }
    fn node(&self) -> Option<&[u8]> {
        Event::node(self)
    }
    fn records(&self) -> Self::Records<'_> {
        Event::records(self)
    }
}

impl<'a> RecordFields<'a> for Record<'a> {
    type Fields = Fields<'a>;

    fn rtype(&self) -> RecordType {
        Record::rtype(self)
    }
    fn type_name(&self) -> &'a [u8] {
        Record::type_name(self)
    }
    fn enrichment(&self) -> Option<&'a [u8]> {
        Record::enrichment(self)
    }
    fn fields(&self) -> Fields<'a> {
        Record::fields(self)
    }
    fn is_interpreted(&self) -> bool {
        Record::is_interpreted(self)
    }
    fn raw_body(&self) -> Option<&'a [u8]> {
        Some(Record::body(self))
    }
}
