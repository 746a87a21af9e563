//! Applying a rule set atomically: plan the smallest change from what is
//! loaded to what is wanted, carry it out, check the result by listing,
//! and on any failure put back exactly what was there.
//!
//! The kernel only appends a rule to its list, prepends it, or deletes an
//! identical one, and order matters (a `never` rule hides the rules after
//! it). So per list the plan keeps the longest run of wanted rules that the
//! loaded list already holds in the same order, deletes every other loaded
//! rule, prepends the wanted rules before that run and appends those after
//! it. Applying a file that is already loaded changes nothing.
//!
//! Settings (`-b`, `-f`, `-r`, `--backlog_wait_time`, `-e`) are changed
//! only after the rules are in place and verified, `-e` last, and only
//! when they differ from the kernel's values. `-e 2` and `-f 2` are
//! refused before anything is touched unless explicitly allowed.

use auditkit_rules::{
    canonical, Command, Control, FilterList, KernelRule, LoadError, Loaded, Machine, Resolver,
    RuleFile,
};

use crate::client::{Allow, Audit, ListedRule};
use crate::rule_data::encode;
use crate::status::{Setting, Status};
use crate::wire::u32_at;
use crate::Error;

/// What a rule store must offer to be changed atomically; [`Audit`] is the
/// real one, tests use a simulated kernel.
pub trait RuleKernel {
    /// Every rule, in order, with its bytes.
    fn list(&mut self) -> Result<Vec<ListedRule>, Error>;
    /// Add `audit_rule_data` bytes.
    fn add_raw(&mut self, raw: &[u8]) -> Result<(), Error>;
    /// Delete the rule listed with these bytes.
    fn delete_raw(&mut self, raw: &[u8]) -> Result<(), Error>;
    /// The status.
    fn status(&mut self) -> Result<Status, Error>;
    /// Change a setting.
    fn set(&mut self, s: Setting, allow: Allow) -> Result<(), Error>;
}

impl RuleKernel for Audit {
    fn list(&mut self) -> Result<Vec<ListedRule>, Error> {
        Audit::list(self)
    }
    fn add_raw(&mut self, raw: &[u8]) -> Result<(), Error> {
        Audit::add_raw(self, raw)
    }
    fn delete_raw(&mut self, raw: &[u8]) -> Result<(), Error> {
        Audit::delete_raw(self, raw)
    }
    fn status(&mut self) -> Result<Status, Error> {
        Audit::status(self)
    }
    fn set(&mut self, s: Setting, allow: Allow) -> Result<(), Error> {
        Audit::set(self, s, allow)
    }
}

/// What a rules file asks the kernel to hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Desired {
    /// The rules, in the kernel's listing order.
    pub rules: Vec<KernelRule>,
    /// The last value of each setting in the file, `-e` last.
    pub settings: Vec<Setting>,
    /// Lines that apply does not carry out (`--loginuid-immutable`, the
    /// resets), with their line numbers.
    pub ignored: Vec<(u32, String)>,
}

/// A line of a file that would not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// 1-based line number.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

impl Desired {
    /// What the kernel holds after `auditctl -D` and `auditctl -R file`:
    /// the file is read from an empty kernel, whatever its `-D` lines say.
    /// A rule that would be refused makes the whole file refused.
    pub fn from_file(file: &RuleFile, resolver: &Resolver) -> Result<Desired, Vec<FileProblem>> {
        let mut loaded = Loaded::new();
        let errors = loaded.load_file(file, resolver);
        if !errors.is_empty() {
            return Err(errors
                .into_iter()
                .map(|(line, e)| FileProblem {
                    line,
                    message: match e {
                        LoadError::Exists => "the same rule is already loaded (Rule exists)".into(),
                        LoadError::NoMatch => "no loaded rule matches this deletion".into(),
                        LoadError::Rejected(r) => r
                            .iter()
                            .map(|r| format!("{}: {}", r.code, r.message))
                            .collect::<Vec<_>>()
                            .join("; "),
                    },
                })
                .collect());
        }
        let mut d = Desired {
            rules: loaded.rules().cloned().collect(),
            ..Desired::default()
        };
        let mut last: [Option<Setting>; 5] = [None; 5];
        for (line, cmd) in file.commands() {
            let Command::Control(c) = cmd else { continue };
            let (slot, s) = match c.value {
                Control::Failure(v) => (0, Setting::Failure(v.into())),
                Control::Backlog(v) => (1, Setting::BacklogLimit(v)),
                Control::RateLimit(v) => (2, Setting::RateLimit(v)),
                Control::BacklogWaitTime(v) => (3, Setting::BacklogWaitTime(v)),
                Control::Enable(v) => (4, Setting::Enabled(v.into())),
                Control::LoginuidImmutable
                | Control::ResetLost
                | Control::ResetBacklogWaitTimeActual => {
                    d.ignored
                        .push((line.number, line.text.trim_matches(' ').to_string()));
                    continue;
                }
                Control::DeleteAll(_) | Control::IgnoreErrors | Control::ContinueOnError => {
                    continue
                }
            };
            last[slot] = Some(s);
        }
        d.settings = last.into_iter().flatten().collect();
        Ok(d)
    }

    /// The first setting that needs permission and lacks it.
    pub fn refused(&self, immutable: Allow, panic: Allow) -> Option<Setting> {
        self.settings.iter().copied().find(|s| {
            matches!(s, Setting::Enabled(2)) && immutable != Allow::Permit
                || matches!(s, Setting::Failure(2)) && panic != Allow::Permit
        })
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Delete a loaded rule (its bytes, and its listing when readable).
    Delete(Vec<u8>, String),
    /// Add a rule, first in its list when `prepend`.
    Add(KernelRule, bool),
    /// Change a setting from the first value to the second.
    Set(Setting, Setting),
}

/// The changes from what is loaded to what is wanted, in execution order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Deletions, then prepends, then appends, then settings.
    pub steps: Vec<Step>,
    /// Loaded rules that stay where they are.
    pub kept: usize,
}

impl Plan {
    /// True when nothing changes.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps as lines: `- rule`, `+ rule` (`+A` for a prepend),
    /// `~ -b 64 -> -b 8192`.
    pub fn lines(&self, native: Machine) -> Vec<String> {
        self.steps
            .iter()
            .map(|s| match s {
                Step::Delete(_, text) => format!("- {text}"),
                Step::Add(r, false) => format!("+ {}", canonical(r, native)),
                Step::Add(r, true) => format!("+A {}", canonical(r, native)),
                Step::Set(from, to) => format!("~ {} -> {}", from.as_line(), to.as_line()),
            })
            .collect()
    }
}

const LIST_ORDER: [FilterList; 6] = [
    FilterList::User,
    FilterList::Task,
    FilterList::Exit,
    FilterList::Exclude,
    FilterList::Filesystem,
    FilterList::IoUring,
];

/// The list number of raw rule bytes (for rules we cannot decode).
fn raw_list(raw: &[u8]) -> u32 {
    u32_at(raw, 0).unwrap_or(0) & 0x07
}

/// Plan the change from `current` (rules and status) to `desired`.
pub fn plan(current: &[ListedRule], status: &Status, desired: &Desired, native: Machine) -> Plan {
    let mut p = Plan::default();
    let (mut prepends, mut appends) = (Vec::new(), Vec::new());
    for list in LIST_ORDER {
        let cur: Vec<&ListedRule> = current
            .iter()
            .filter(|r| match &r.rule {
                Ok(k) => k.list == list,
                Err(_) => raw_list(&r.raw) == list.number(),
            })
            .collect();
        let want: Vec<&KernelRule> = desired.rules.iter().filter(|r| r.list == list).collect();
        // The longest run want[i..j] that cur holds in order.
        let (mut best, mut best_len, mut best_keep) = (0, 0, Vec::new());
        for i in 0..want.len() {
            let (mut j, mut keep) = (i, Vec::new());
            for (ci, c) in cur.iter().enumerate() {
                if j < want.len() && c.rule.as_ref().ok() == Some(want[j]) {
                    keep.push(ci);
                    j += 1;
                }
            }
            if j - i > best_len {
                (best, best_len, best_keep) = (i, j - i, keep);
            }
        }
        for (ci, c) in cur.iter().enumerate() {
            if !best_keep.contains(&ci) {
                let text = match &c.rule {
                    Ok(k) => canonical(k, native),
                    Err(e) => format!("<unreadable rule: {e}>"),
                };
                p.steps.push(Step::Delete(c.raw.clone(), text));
            }
        }
        p.kept += best_len;
        if best_len > 0 {
            // Prepending in reverse puts want[..best] in order before the run.
            prepends.extend(
                want[..best]
                    .iter()
                    .rev()
                    .map(|r| Step::Add((*r).clone(), true)),
            );
        }
        let tail = if best_len == 0 {
            &want[..]
        } else {
            &want[best + best_len..]
        };
        appends.extend(tail.iter().map(|r| Step::Add((*r).clone(), false)));
    }
    p.steps.extend(prepends);
    p.steps.extend(appends);
    for s in &desired.settings {
        let now = s.current(status);
        if now != *s {
            p.steps.push(Step::Set(now, *s));
        }
    }
    p
}

/// How an apply failed, and whether the previous state is back.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Nothing was changed.
    #[error("{0}; nothing was changed")]
    NothingChanged(#[source] Error),
    /// A step failed and the previous rules and settings were restored.
    #[error("{step} failed: {cause}; the previous rules and settings were restored")]
    RolledBack {
        /// The step, as in [`Plan::lines`].
        step: String,
        /// Why.
        #[source]
        cause: Error,
    },
    /// A step failed and restoring failed too: the kernel holds neither.
    #[error("{step} failed: {cause}; RESTORING THE PREVIOUS RULES FAILED TOO: {rollback}")]
    RollbackFailed {
        /// The step.
        step: String,
        /// Why it failed.
        cause: Error,
        /// Why restoring failed.
        rollback: Error,
    },
}

/// Bring the kernel to `desired`; returns the plan that was carried out.
pub fn apply(
    k: &mut dyn RuleKernel,
    desired: &Desired,
    native: Machine,
    immutable: Allow,
    panic: Allow,
) -> Result<Plan, ApplyError> {
    if let Some(s) = desired.refused(immutable, panic) {
        return Err(ApplyError::NothingChanged(Error::Refused(s)));
    }
    let status = k.status().map_err(ApplyError::NothingChanged)?;
    if status.enabled == 2 {
        return Err(ApplyError::NothingChanged(Error::Locked));
    }
    let saved = k.list().map_err(ApplyError::NothingChanged)?;
    let p = plan(&saved, &status, desired, native);
    for e in desired.rules.iter().map(|r| encode(r, false)) {
        e.map_err(|e| ApplyError::NothingChanged(Error::Encode(e)))?;
    }
    let lines = p.lines(native);
    let mut verified = false;
    for (i, step) in p.steps.iter().enumerate() {
        if !verified && matches!(step, Step::Set(..)) {
            if let Err(cause) = verify(k, &desired.rules) {
                return Err(rollback(k, &saved, &status, "verifying the rules", cause));
            }
            verified = true;
        }
        let r = match step {
            Step::Delete(raw, _) => k.delete_raw(raw),
            Step::Add(rule, prepend) => encode(rule, *prepend)
                .map_err(Error::Encode)
                .and_then(|b| k.add_raw(&b)),
            Step::Set(_, to) => k.set(*to, Allow::Permit),
        };
        if let Err(cause) = r {
            return Err(rollback(k, &saved, &status, &lines[i], cause));
        }
    }
    if !verified {
        if let Err(cause) = verify(k, &desired.rules) {
            return Err(rollback(k, &saved, &status, "verifying the rules", cause));
        }
    }
    Ok(p)
}

/// List the kernel's rules and compare them with `want`.
fn verify(k: &mut dyn RuleKernel, want: &[KernelRule]) -> Result<(), Error> {
    let now = k.list()?;
    let found: Vec<Option<&KernelRule>> = now.iter().map(|r| r.rule.as_ref().ok()).collect();
    let expected: Vec<Option<&KernelRule>> = want.iter().map(Some).collect();
    if found == expected {
        Ok(())
    } else {
        Err(Error::Verify {
            expected: want.len(),
            found: now.len(),
        })
    }
}

fn rollback(
    k: &mut dyn RuleKernel,
    saved: &[ListedRule],
    status: &Status,
    step: &str,
    cause: Error,
) -> ApplyError {
    match restore(k, saved, status) {
        Ok(()) => ApplyError::RolledBack {
            step: step.to_string(),
            cause,
        },
        Err(rollback) => ApplyError::RollbackFailed {
            step: step.to_string(),
            cause,
            rollback,
        },
    }
}

/// Put back `saved` rules (byte for byte) and the settings of `status`.
pub fn restore(k: &mut dyn RuleKernel, saved: &[ListedRule], status: &Status) -> Result<(), Error> {
    for r in k.list()? {
        k.delete_raw(&r.raw)?;
    }
    for r in saved {
        k.add_raw(&r.raw)?;
    }
    let now = k.status()?;
    for s in [
        Setting::Failure(0),
        Setting::BacklogLimit(0),
        Setting::RateLimit(0),
        Setting::BacklogWaitTime(0),
        Setting::Enabled(0),
    ] {
        let (was, is) = (s.current(status), s.current(&now));
        if was != is {
            // Putting back what was there, even a panic mode, is allowed.
            k.set(was, Allow::Permit)?;
        }
    }
    let back: Vec<Vec<u8>> = k.list()?.into_iter().map(|r| r.raw).collect();
    if back.iter().eq(saved.iter().map(|r| &r.raw)) {
        Ok(())
    } else {
        Err(Error::Verify {
            expected: saved.len(),
            found: back.len(),
        })
    }
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
