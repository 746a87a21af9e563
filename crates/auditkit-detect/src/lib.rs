//! # auditkit-detect: Sigma rules on audit events
//!
//! Audit rules only record; people need to be told when something bad
//! happened. SigmaHQ publishes detection rules for auditd, but nothing
//! runs them natively on audit logs: SigmaHQ's tooling has no auditd
//! pipeline, and auditbeat merges an event's records into one document,
//! which breaks rules written against one record. This crate runs them on
//! the project's own events, with auditd's semantics:
//!
//! * **One record is one Sigma event** for `service: auditd` rules
//!   (`type: EXECVE` then `a0`, `a1` of that record): each rule is
//!   evaluated against each record on its own, never a merge. The only
//!   merge is the one auditd itself splits: the EXECVE records of one
//!   event are one argument list (`a1` is the whole argument, reassembled
//!   from `a1[0]`, `a1[1]`, ... and decoded).
//! * **Values as the rules mean them**: case-insensitive, `*`/`?` live,
//!   quotes and the kernel's hex removed, SYSCALL's `a0`..`a3` kept as the
//!   raw hex the rules compare (`a0: 26`), `SYSCALL` (upper case) the
//!   syscall's name (from the enrichment, else from `arch` and the
//!   number), the nested `msg='unit=... '` of user-space records opened.
//! * **Other Linux log sources** (`process_creation`, `file_event`,
//!   `network_connection`, written for Sysmon for Linux) run on whole
//!   events through a documented field mapping (`Image` is the exe of an
//!   execve, `CommandLine` its argv, ...; `docs/detect.md`), with the
//!   parent's fields from a [`ProcessTree`] the caller keeps.
//! * **Correlation** (Sigma `event_count` rules): counts per group within
//!   a sliding time window, with bounded state.
//!
//! The shape follows the project's query language: load (YAML to a
//! checked [`Rule`]), compile once ([`Engine::new`]: selections to
//! [`pattern::Pattern`]s, conditions to selection indexes, rules routed
//! by record type), evaluate per event through the field-access trait
//! [`auditkit_event::EventFields`], so the same compiled rules run on
//! parsed logs, stored events and collector frames. A rule that needs
//! what the engine does not do is reported by name with the reason
//! ([`Rejected`]), never skipped silently.
//!
//! ```
//! use auditkit_detect::{Engine, LoadOptions, NoTree, RuleSet, Scope};
//!
//! let mut rules = RuleSet::new(LoadOptions::default());
//! rules.add_str("padding.yml", "title: Binary padding\n\
//!     logsource: {product: linux, service: auditd}\n\
//!     detection:\n  sel: {type: EXECVE, a0: dd, a1|startswith: 'if='}\n  condition: sel\n");
//! let engine = Engine::new(rules, auditkit_host::Accounts::new());
//! assert!(engine.rejected().is_empty());
//!
//! let log = b"type=EXECVE msg=audit(1604996384.965:93777): argc=2 a0=\"dd\" a1=69663D2F6465762F7A65726F\n";
//! let events = auditkit_event::assemble::assemble_all(log, 2);
//! let mut hits = Vec::new();
//! engine.matches(&events[0], &NoTree, Scope::All, &mut hits);
//! assert_eq!(engine.rule(hits[0].rule).meta.title, "Binary padding");
//! assert_eq!(hits[0].record, Some(0));
//! ```

#![deny(missing_docs)]

pub mod baseline;
pub mod builtin;
mod compile;
pub mod condition;
pub mod context;
pub mod correlation;
pub mod engine;
pub mod load;
pub mod mapping;
pub mod pattern;
mod prefilter;
pub mod process;
pub mod rule;
mod sysrec;
mod view;
pub mod yaml;

pub use context::{ancestors, NoTree, Process, ProcessTree};
pub use engine::{
    Compiled, CorrId, Correlation, CorrelationHit, Correlator, Engine, FirstPass, Hit, RuleId,
    Scope, Summary, Target,
};
pub use load::{LoadError, LoadOptions, Rejected, RuleSet};
pub use rule::{Level, LogSource, Meta, Rule, Unsupported};
