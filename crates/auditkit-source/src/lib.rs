//! # auditkit-source: where audit events come from
//!
//! Every command that reads events (search, report, detect, the plugin,
//! the collector) starts the same way: find the inputs, read them in
//! order, and cut the bytes into newline-aligned [`Chunk`]s that the
//! pipeline of `auditkit-event` can parse on all cores. This crate is that
//! first stage, and the only library crate that touches the file system
//! (`auditkit-event` stays pure: bytes in, events out).
//!
//! ```text
//!  -if FILE|DIR|-, or auditd.conf log_file   input::expand_inputs / default_inputs
//!        │                                     (rotations .N, .gz, .zst, stdin)
//!        ▼
//!  plan::plan(sources, -ts)                  skip files that end before -ts,
//!        │                                     binary-search the start in the first
//!        ▼
//!  read::Chunks  (+ follow::Follow)          read each from its offset, in 1 MiB blocks,
//!        │                                     through the one bounded chunker
//!        ▼
//!  Chunk { data, source, first_line }  ──►  auditkit_event::pipeline::run(cfg, chunks, filter, sink, ordered)
//! ```
//!
//! [`engine::run`] does all of it for a plan: `run(plan, ..., filter, sink,
//! ordered)`. The engine itself (parse, assemble, filter, sink) is in
//! `auditkit-event` because it needs no file system; see
//! `auditkit_event::pipeline` for the sink traits.
//!
//! * [`input`]: which sources, and opening one (decompressing by name or
//!   magic bytes).
//! * auditd.conf's `log_file` comes from `auditkit-host`, the one home of
//!   host facts and of the auditd.conf parser.
//! * [`plan`]: the `-ts` plan and the in-file seek.
//! * [`chunker`]: the bounded chunker. A line longer than a limit (1 MiB by
//!   default) is cut, counted and reported as a [`LongLine`]; memory never
//!   grows with the length of a line.
//! * [`read`]: the chunk iterator over a plan, with a shared [`Report`] of
//!   bytes read, errors (typed, naming the file) and cut lines.
//! * [`follow`]: `--follow` across rotation.
//! * [`engine`]: the engine over a plan.
//!
//! Line numbers: readers leave numbering to the assembler, which counts
//! lines on the parse workers anyway (a reader-side pass over every byte
//! would cost more than it saves). After a `-ts` seek the count starts at
//! the seek point; [`Planned::lines_before_offset`] gives the lines the
//! seek skipped, so messages can print the file's real line numbers. It
//! reads the skipped part, so callers ask only when they print one.
//!
//! ## Example
//!
//! ```
//! use std::sync::Arc;
//! use auditkit_source::{plan, Chunks, ReadOptions, Report, Source};
//!
//! # let dir = std::env::temp_dir().join(format!("ak-src-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let log = dir.join("audit.log");
//! std::fs::write(&log, "type=EOE msg=audit(1700000000.000:1): \n").unwrap();
//! let plan = plan::plan(vec![Source::File(log)], 0);
//! let report = Arc::new(Report::default());
//! let chunks: Vec<_> = Chunks::new(&plan, ReadOptions::default(), report.clone()).collect();
//! assert_eq!(chunks.len(), 1);
//! assert!(report.take_errors().is_empty());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

#![deny(missing_docs)]

pub mod chunker;
pub mod engine;
pub mod error;
pub mod follow;
pub mod input;
pub mod plan;
pub mod read;

pub use auditkit_event::Chunk;
pub use chunker::{LongLine, DEFAULT_MAX_LINE};
pub use error::Error;
pub use follow::Follow;
pub use input::Source;
pub use plan::{Plan, Planned};
pub use read::{Chunks, ReadOptions, Report};
