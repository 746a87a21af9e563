//! The verdict of one profile item, shared by the checks of rules items
//! and of the other items.

/// The result of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// Does not apply, or cannot be checked with what was given.
    NotApplicable,
}

impl Status {
    /// `pass`, `fail` or `not-applicable`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// One item's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// Benchmark number.
    pub id: String,
    /// Benchmark title.
    pub title: String,
    /// The verdict.
    pub status: Status,
    /// Whether the item is about rules (rather than auditd.conf, boot, files).
    pub rules_item: bool,
    /// `file:line` of the rules (or settings) that satisfy it.
    pub satisfied_by: Vec<String>,
    /// What is missing, one sentence each.
    pub missing: Vec<String>,
    /// Rules (or settings) that would fix it; empty when nothing is missing.
    pub fix: String,
    /// The same item in other profiles (`profile:id`).
    pub maps: Vec<String>,
    /// The profile's note, or why the item does not apply.
    pub note: Option<String>,
    /// Caveats that do not fail the item (a `never` rule that drops part of
    /// the events; fails with `strict`).
    pub warnings: Vec<String>,
}

/// Mark an item not applicable, with the reason.
pub(crate) fn na(r: &mut ItemResult, why: &str) {
    r.status = Status::NotApplicable;
    r.note = Some(why.to_string());
}
