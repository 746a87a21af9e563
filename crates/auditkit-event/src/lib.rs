//! # auditkit-event: from audit log bytes to events
//!
//! This crate turns the bytes of an audit log into [`Event`]s: groups of
//! records that share a (node, time, serial) key. It is the foundation every
//! other part of auditkit stands on, so it is written for two things at
//! once: *fidelity* to what auditd's own tools do, and *speed*.
//!
//! ## Shape
//!
//! ```text
//!  blocks of bytes ──► Chunk (newline aligned) ──► parse_chunk ──► RecMeta (header only)
//!                                                     │  parallel, any thread
//!                                                     ▼
//!                                     Assembler::push_parsed ──► Event ──► (filters, writers)
//!                                              sequential, ausearch's order
//! ```
//!
//! * [`header`] reads `[node=N ]type=T msg=audit(S.mmm:SERIAL):` with
//!   exactly ausearch's leniency, and also the interpreted form
//!   (`msg=audit(01/28/07 21:58:13.977:1) :`) and the lines ausearch
//!   prints between events (`----`, `time->...`), so that its own output
//!   reads back as the events it showed.
//! * [`chunk`] cuts input at newlines so chunks can be parsed on all cores;
//!   events hold their chunks through `Arc`, so memory is released as soon
//!   as an event has been written out.
//! * [`assemble`] groups records into events with audit-userspace's rules
//!   (interleaving, end-of-event timeout in *event* time, one-record types,
//!   output order), a run of same-key records at a time, with sorted
//!   queues instead of linear scans; events point at their records in the
//!   parsed chunks instead of copying them. In ausearch output each block
//!   between separators is one event; for the native outputs,
//!   [`Assembler::grouping_by_id`] joins what ausearch's rules split.
//! * [`fields`] and [`value`] tokenize a record's body and decode its values
//!   lazily, only when a filter or a writer asks.
//!
//! Nothing here does I/O, spawns threads or panics on bad input: a line
//! that is not a record is returned as [`chunk::Unparsed`] with its line
//! number, so callers can count, report and pass it through.
//!
//! ## Example
//!
//! ```
//! let log = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 key=\"exec\"\n\
//! type=PROCTITLE msg=audit(1700000000.123:42): proctitle=\"ls\"\n";
//! let events = auditkit_event::assemble::assemble_all(log, 2);
//! assert_eq!(events.len(), 1);
//! assert_eq!(events[0].id().to_string(), "1700000000.123:42");
//! let sys = events[0].record(0).unwrap();
//! assert_eq!(sys.field(b"key").as_deref(), Some(&b"\"exec\""[..]));
//! ```

#![deny(missing_docs)]

pub mod access;
pub mod assemble;
pub mod chunk;
mod event;
pub mod fields;
pub mod header;
mod item;
pub mod pipeline;
pub mod prefilter;
pub mod value;

pub use access::{EventFields, RecordFields};
pub use assemble::Assembler;
/// The record type of [`Record::rtype`], re-exported for crates that need
/// no other part of `auditkit_interp`.
pub use auditkit_interp::RecordType;
pub use chunk::{Chunk, ParsedChunk};
pub use event::{Event, Record, Records};
pub use header::{EventId, Header, LineFormat};
