//! Noise analysis (`auditkit report --noise`): which rule made each
//! record, who the top talkers are, and rule changes the kernel accepts
//! that remove the noise.
//!
//! Administrators cannot see which rule produces the volume: a busy
//! `execve` rule and cron's PAM records look the same in a 2 GB log. This
//! module answers in three steps, each its own file:
//!
//! 1. [`rules`]: attribution. An event is tied to the first `always` rule
//!    of the exit list that made it, by its key (`key=`, several keys
//!    joined by 0x01) or, when keys are missing or shared, by comparing
//!    the rule's fields (syscalls, arch, `-F` conditions, watched paths)
//!    with what the event records ([`facts`]). Events no rule made
//!    (user-space messages, auditd's records, configuration changes) get
//!    their own lines, by reason.
//! 2. [`tally`]: counting, as an engine sink ([`NoiseSink`]) whose
//!    per-worker [`Tally`] parts are merged at the end without a lock:
//!    events, records and bytes per rule, key, record type, exe, comm,
//!    auid, syscall and path, with a cap on distinct values per dimension
//!    (the rest is "other", and the report says so).
//! 3. [`suggest`](mod@suggest): `never` rules (once per arch, at the head of the exit
//!    list) or exclude-list rules (only fields the exclude list takes),
//!    each with its savings in this log and its risk; shells and
//!    interpreters are never suggested; with a compliance profile, no
//!    suggestion may make a passing item fail; with detections enabled,
//!    [`replay`] replays the log with and without each suggestion and
//!    withholds those that change the alerts. [`render`] prints the
//!    report as text or JSON and the suggestions as a rules.d fragment.
//!
//! Like the rest of the crate, nothing here reads files: the caller
//! passes the rules (from `--rules` or the kernel) and drives the engine.

pub mod facts;
pub mod render;
pub mod replay;
pub mod rules;
pub mod suggest;
pub mod tally;

pub use render::{human_bytes, Analysis};
pub use replay::{guard_alerts, Change, Replay, ReplaySink};
pub use rules::{Attribution, By, NoRule, NoiseRule, RuleTable};
pub use suggest::{
    guard, set_of, suggest, Advice, Drops, Hint, Kept, Level, Options, Suggestion, Withheld,
};
pub use tally::{Caps, Counts, EventSigs, NoiseSink, Tally};
