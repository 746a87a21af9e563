//! # auditkit-query: which audit events match
//!
//! `auditkit search` answers "who did what, when" over audit logs. This
//! crate decides, for each assembled [`auditkit_event::Event`], whether it
//! is an answer. It has two halves with different goals.
//!
//! ## ausearch parity
//!
//! The first half reproduces ausearch 3.0.9 exactly, because people move
//! scripts from ausearch to auditkit and expect the same events back:
//!
//! * [`items`] extracts an event's *search items* (pid, uids, session,
//!   syscall, keys, file names, host, terminal, exe, comm, contexts, ...)
//!   the way `ausearch-parse.c` does, including when it *fails*. That
//!   matters more than it seems: ausearch prints only events it can parse,
//!   even when no criterion is given, and what it parses depends on the
//!   criteria. [`items::extract`] returns the failure so callers can hide
//!   such events by default, count them, and show them on request.
//! * [`criteria`] holds ausearch's options as values (with its C types and
//!   "unset" sentinels) and evaluates its `match()`.
//! * [`time`] parses `-ts`/`-te` dates, times and keywords as ausearch does
//!   under the C locale, with a pinnable "now".
//! * [`checkpoint`] reads and writes ausearch's `--checkpoint` file and
//!   makes its output decision.
//!
//! ## Beyond ausearch
//!
//! The second half is [`lang`], the `--where` language: comparisons over
//! any field of any record (`EXECVE.a0 = "curl"`, `exe ~ "^/tmp/"`,
//! `auid >= 1000 and ses != unset`), compiled once and evaluated per
//! event. It follows the usual shape of a small language (lex, parse with
//! spans, check, evaluate) so errors point at a column and say what was
//! expected. See `docs/query.md` for the language itself.
//!
//! Nothing here does I/O except [`time`] (the clock and the local time
//! zone, through libc, like ausearch) and [`checkpoint`] (its file).

#![deny(missing_docs)]

pub mod checkpoint;
pub mod criteria;
mod cstr;
pub mod items;
pub mod lang;
pub mod prefilter;
pub mod time;
#[allow(missing_docs)]
pub mod types;
pub mod uninterp;

pub use criteria::{Criteria, Outcome};
pub use items::{extract, ParseFailure, SearchItems, Wanted};
