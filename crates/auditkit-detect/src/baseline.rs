//! Learned baselines for the built-in daemon-account detection
//! (`ak_daemon_account_exec.yml`).
//!
//! That rule fires when a system account (daemon, www-data, ...) runs a
//! program outside configured lists (its `filter_*` selections), which
//! fit no host exactly. Learning fills the gap from the host's own logs: a
//! [`Learner`] runs the built-in rule over logs of normal operation and
//! keeps, per account, the programs (`Image`) it fired on; [`Baseline::rule`]
//! writes the built-in rule again with one more filter per account
//! (`filter_learned_N: {User: ..., Image: [...]}`, which the rule's
//! `not 1 of filter_*` already covers), so the learned
//! baseline is plain Sigma: it can be read, edited, reviewed in a diff,
//! and it runs on the same engine as every rule
//! ([`add_builtins_with_baseline`] puts it in place of the built-in).
//!
//! Only what the built-in flags is learned (the configured list already
//! covers the rest), and what is kept is bounded: at most
//! [`MAX_ACCOUNTS`] accounts and [`MAX_EXES`] programs per account; the
//! rest is counted in [`Baseline::dropped`] and stays an alert.

use std::collections::{BTreeMap, BTreeSet};

use auditkit_event::EventFields;

use crate::builtin;
use crate::context::NoTree;
use crate::engine::{Engine, Hit, Scope};
use crate::load::{LoadOptions, RuleSet};
use crate::mapping::{Category, Mapped};

/// The built-in rule a baseline is learned for, and replaces.
pub const RULE_FILE: &str = "ak_daemon_account_exec.yml";
/// Most accounts a baseline keeps.
pub const MAX_ACCOUNTS: usize = 1024;
/// Most programs a baseline keeps per account.
pub const MAX_EXES: usize = 4096;

/// The rule's condition: the learned filters go before it, and it
/// covers them by their name.
const CONDITION: &str = "    condition: selection and not 1 of filter_*\n";

/// Why a learned rule could not be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BaselineError {
    /// The built-in rule no longer has the shape the learned rule is made
    /// from (its condition line), so the learned filters would not apply.
    #[error("the built-in rule {RULE_FILE} has no line {0:?}")]
    RuleShape(String),
}

/// The text of the built-in rule.
fn builtin_text() -> &'static str {
    builtin::RULES
        .iter()
        .find(|(n, _)| *n == RULE_FILE)
        .map_or("", |(_, t)| *t)
}

/// Runs the built-in rule over events and learns what it fires on.
pub struct Learner {
    engine: Engine,
    accounts: auditkit_host::Accounts,
}

impl Learner {
    /// A learner with the built-in rule; `accounts` names uids as
    /// `auditkit detect` does (for logs without the enrichment).
    pub fn new(accounts: auditkit_host::Accounts) -> Learner {
        let mut set = RuleSet::new(LoadOptions::default());
        set.add_str(&format!("builtin:{RULE_FILE}"), builtin_text());
        Learner {
            engine: Engine::new(set, accounts.clone()),
            accounts,
        }
    }

    /// Learn from one event: if the built-in rule fires on it, its
    /// account and program go into `into`.
    pub fn observe<E: EventFields + ?Sized>(&self, ev: &E, into: &mut Baseline) {
        let mut hits: Vec<Hit> = Vec::new();
        self.engine.matches(ev, &NoTree, Scope::All, &mut hits);
        if hits.is_empty() {
            return;
        }
        let recs = crate::view::records(ev, &self.accounts);
        let Some(doc) =
            crate::mapping::event(Category::ProcessCreation, &recs, &NoTree, &self.accounts)
        else {
            return;
        };
        if let (Some(u), Some(i)) = (doc.value(Mapped::User), doc.value(Mapped::Image)) {
            into.add(&String::from_utf8_lossy(u), &String::from_utf8_lossy(i));
        }
    }
}

/// Per account, the programs learned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    exes: BTreeMap<String, BTreeSet<String>>,
    dropped: u64,
}

impl Baseline {
    /// Add one (account, program); past the bounds it is counted as
    /// dropped instead.
    pub fn add(&mut self, user: &str, exe: &str) {
        if !self.exes.contains_key(user) && self.exes.len() >= MAX_ACCOUNTS {
            self.dropped += 1;
            return;
        }
        let set = self.exes.entry(user.to_string()).or_default();
        if !set.contains(exe) && set.len() >= MAX_EXES {
            self.dropped += 1;
            return;
        }
        set.insert(exe.to_string());
    }

    /// Add what another (a worker's) baseline learned.
    pub fn merge(&mut self, other: Baseline) {
        self.dropped += other.dropped;
        for (u, exes) in other.exes {
            for e in exes {
                self.add(&u, &e);
            }
        }
    }

    /// The accounts and their programs, in name order.
    pub fn accounts(&self) -> impl Iterator<Item = (&str, &BTreeSet<String>)> {
        self.exes.iter().map(|(u, e)| (u.as_str(), e))
    }

    /// How many (account, program) pairs did not fit.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The built-in rule with the learned filters: a Sigma document to
    /// run in its place. With nothing learned it is the built-in rule.
    pub fn rule(&self) -> Result<String, BaselineError> {
        let text = builtin_text();
        if !text.contains(CONDITION) {
            return Err(BaselineError::RuleShape(CONDITION.trim().to_string()));
        }
        if self.exes.is_empty() {
            return Ok(text.to_string());
        }
        let mut filters = String::new();
        for (n, (user, exes)) in self.exes.iter().enumerate() {
            filters.push_str(&format!(
                "    filter_learned_{}:\n        User: {}\n        Image:\n",
                n + 1,
                yaml_value(user)
            ));
            for e in exes {
                filters.push_str(&format!("            - {}\n", yaml_value(e)));
            }
        }
        filters.push_str(CONDITION);
        Ok(text.replacen(CONDITION, &filters, 1))
    }
}

/// A value as a single-quoted YAML scalar matched literally by Sigma:
/// `\`, `*` and `?` escaped with a backslash, `'` doubled.
fn yaml_value(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('\'');
    for c in s.chars() {
        match c {
            '\\' | '*' | '?' => {
                o.push('\\');
                o.push(c);
            }
            '\'' => o.push_str("''"),
            // A wildcard for the one character YAML cannot hold as is.
            c if c.is_control() => o.push('?'),
            c => o.push(c),
        }
    }
    o.push('\'');
    o
}

/// Add the built-in rules to a set with the learned rule `text` (read
/// from `source`) in place of the built-in daemon-account rule.
pub fn add_builtins_with_baseline(set: &mut RuleSet, source: &str, text: &str) {
    for (name, t) in builtin::RULES {
        if *name != RULE_FILE {
            set.add_str(&format!("builtin:{name}"), t);
        }
    }
    set.add_str(source, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine_with(text: &str) -> Engine {
        let mut set = RuleSet::new(LoadOptions::default());
        add_builtins_with_baseline(&mut set, "learned.yml", text);
        Engine::new(set, auditkit_host::Accounts::new())
    }

    fn daemon_alerts(e: &Engine, log: &[u8]) -> usize {
        let mut n = 0;
        for ev in auditkit_event::assemble::assemble_all(log, 2) {
            let mut hits = Vec::new();
            e.matches(&ev, &NoTree, Scope::All, &mut hits);
            n += hits
                .iter()
                .filter(|h| e.rule(h.rule).meta.source == "learned.yml")
                .count();
        }
        n
    }

    /// An exec by `user` of `exe`, as the enriched log says it.
    fn exec(seq: u32, user: &str, exe: &str) -> String {
        format!(
            "type=SYSCALL msg=audit(1700000000.000:{seq}): arch=c000003e syscall=59 success=yes exit=0 \
             ppid=1 pid={seq} auid=4294967295 uid=33 euid=33 comm=\"x\" exe=\"{exe}\" key=(null)\x1dUID=\"{user}\"\n\
             type=EXECVE msg=audit(1700000000.000:{seq}): argc=1 a0=\"{exe}\"\n"
        )
    }

    #[test]
    fn learned_programs_are_quiet_and_others_still_fire() {
        let learn = exec(1, "www-data", "/usr/bin/odd*prog") + &exec(2, "daemon", "/usr/bin/id");
        let l = Learner::new(auditkit_host::Accounts::new());
        let mut b = Baseline::default();
        for ev in auditkit_event::assemble::assemble_all(learn.as_bytes(), 2) {
            l.observe(&ev, &mut b);
        }
        let got: Vec<(&str, Vec<&str>)> = b
            .accounts()
            .map(|(u, e)| (u, e.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("daemon", vec!["/usr/bin/id"]),
                ("www-data", vec!["/usr/bin/odd*prog"])
            ]
        );
        let e = engine_with(&b.rule().unwrap());
        assert!(e.rejected().is_empty(), "{:?}", e.rejected());
        assert_eq!(daemon_alerts(&e, learn.as_bytes()), 0);
        // The `*` is literal; another account and another program fire.
        let other = exec(3, "www-data", "/usr/bin/oddXprog")
            + &exec(4, "www-data", "/usr/bin/id")
            + &exec(5, "daemon", "/bin/sh");
        assert_eq!(daemon_alerts(&e, other.as_bytes()), 3);
        // The built-in fires on all of them.
        let builtin = engine_with(builtin_text());
        assert_eq!(daemon_alerts(&builtin, learn.as_bytes()), 2);
    }

    #[test]
    fn nothing_learned_is_the_builtin_rule_and_bounds_hold() {
        assert_eq!(Baseline::default().rule().unwrap(), builtin_text());
        let mut b = Baseline::default();
        for i in 0..MAX_EXES + 3 {
            b.add("www-data", &format!("/x/{i}"));
        }
        for i in 0..MAX_ACCOUNTS + 2 {
            b.add(&format!("u{i}"), "/bin/true");
        }
        assert_eq!(b.dropped(), 3 + 3);
        assert_eq!(b.accounts().count(), MAX_ACCOUNTS);
        let mut c = Baseline::default();
        c.merge(b.clone());
        assert_eq!(c, b);
    }

    #[test]
    fn yaml_values_are_literal() {
        assert_eq!(yaml_value("a'b*c?d\\e"), "'a''b\\*c\\?d\\\\e'");
    }
}
