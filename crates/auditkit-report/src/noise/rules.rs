//! Which rule made an event.
//!
//! The kernel's exit filter walks the exit list in order and the first
//! rule whose fields all match decides: an `always` rule logs the event
//! with its key (`key=` in the SYSCALL record; several `-k` of one rule are
//! joined by 0x01), a `never` rule drops it. So a logged syscall event was
//! made by the first `always` rule of the list that matches it, and:
//!
//! 1. when its key names exactly one rule, that rule made it;
//! 2. when the key is shared by several rules, the first of them whose
//!    fields match the event made it (the key proves it was one of them,
//!    so the first of them is kept when none matches visibly);
//! 3. without a key (`key=(null)`), the first `always` rule without a key
//!    whose fields match made it.
//!
//! Fields are compared the way the kernel compares them
//! (`audit_comparator`: unsigned 32-bit for ids, signed for `exit`, the
//! full 64 bits of `a0`-`a3`), on what the log kept. Some of what the
//! kernel looked at is not in the log (SELinux labels of objects, the open
//! flags behind a watch's permission class); such a condition counts as
//! matching, so attribution never rules a rule out on what it cannot see.
//! Events that are not syscalls (user-space messages, auditd's own
//! records, configuration changes) are made by no rule and say why.

use std::collections::HashMap;

use auditkit_interp::Machine;
use auditkit_rules::{Action, Field, FilterList, KernelRule, Op, Origin, RuleSet, Syscalls, Value};

use super::facts::Facts;

/// One rule of the table, with where it came from.
#[derive(Debug, Clone)]
pub struct NoiseRule {
    /// The kernel form.
    pub rule: KernelRule,
    /// `file:line`, or `kernel:N` for a loaded rule.
    pub origin: String,
    /// The canonical text, as `auditctl -l` prints it.
    pub text: String,
    /// The keys joined by 0x01, as the log writes them.
    pub joined_key: Option<String>,
}

/// The rules, in the kernel's list order, indexed by key.
#[derive(Debug, Clone)]
pub struct RuleTable {
    /// The rules in list order.
    pub rules: Vec<NoiseRule>,
    /// The machine b64/b32 mean.
    pub native: Machine,
    by_key: HashMap<String, Vec<usize>>,
}

/// Why no rule made an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoRule {
    /// A message from a user-space program (USER_*, CRED_*, SERVICE_*,
    /// CRYPTO_*, ...): the user filter passes them unless told otherwise.
    UserSpace,
    /// auditd's own records (DAEMON_*).
    Daemon,
    /// A change of the audit configuration (CONFIG_CHANGE): made by whoever
    /// changed the rules, not by a rule.
    ConfigChange,
    /// A kernel record outside any syscall rule (ANOM_*, AVC, LOGIN, ...).
    Kernel,
    /// A syscall event that no loaded rule matches (the rules changed
    /// since, or the kernel audited it on its own, as for LOGIN).
    Unmatched,
}

impl NoRule {
    /// Every reason, in report order.
    pub const ALL: [NoRule; 5] = [
        NoRule::UserSpace,
        NoRule::Daemon,
        NoRule::ConfigChange,
        NoRule::Kernel,
        NoRule::Unmatched,
    ];

    /// A short name for output.
    pub fn name(self) -> &'static str {
        match self {
            NoRule::UserSpace => "no rule: user-space messages",
            NoRule::Daemon => "no rule: auditd's own records",
            NoRule::ConfigChange => "no rule: audit configuration changes",
            NoRule::Kernel => "no rule: kernel records outside syscall rules",
            NoRule::Unmatched => "no rule: syscall events no rule matches",
        }
    }

    /// A stable identifier for JSON.
    pub fn id(self) -> &'static str {
        match self {
            NoRule::UserSpace => "user-space",
            NoRule::Daemon => "daemon",
            NoRule::ConfigChange => "config-change",
            NoRule::Kernel => "kernel",
            NoRule::Unmatched => "unmatched",
        }
    }
}

/// How an event was tied to its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum By {
    /// Its key names only this rule.
    Key,
    /// Its key is shared; the fields chose among the rules with that key.
    KeyAndFields,
    /// No key (or a key no rule has): the fields chose.
    Fields,
}

/// Who made an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attribution {
    /// Rule `index` of the table.
    Rule(u32, By),
    /// No rule.
    None(NoRule),
}

/// Three-valued match: the log may not show what the kernel compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Every condition holds on what the log shows.
    Yes,
    /// Some condition fails.
    No,
    /// Nothing fails, but some condition could not be checked.
    Maybe,
}

impl RuleTable {
    /// A table of kernel rules in list order, with their origins.
    pub fn new(rules: Vec<(KernelRule, String)>, native: Machine) -> RuleTable {
        let mut t = RuleTable {
            rules: Vec::new(),
            native,
            by_key: HashMap::new(),
        };
        let mut st = auditkit_rules::PrintState::default();
        for (rule, origin) in rules {
            let keys = rule.keys();
            let joined_key = (!keys.is_empty()).then(|| keys.join("\u{1}"));
            let text = auditkit_rules::canonical_with(&rule, native, &mut st);
            if let Some(k) = &joined_key {
                if rule.list == FilterList::Exit && rule.action == Action::Always {
                    t.by_key.entry(k.clone()).or_default().push(t.rules.len());
                }
            }
            t.rules.push(NoiseRule {
                rule,
                origin,
                text,
                joined_key,
            });
        }
        t
    }

    /// The rules of a loaded [`RuleSet`] (from `--rules`).
    pub fn from_set(set: &RuleSet, native: Machine) -> RuleTable {
        RuleTable::new(
            set.rules
                .iter()
                .map(|r| (r.rule.clone(), origin_text(&r.origin)))
                .collect(),
            native,
        )
    }

    /// Who made the event with these facts.
    pub fn attribute(&self, f: &Facts) -> Attribution {
        if !f.syscall_event {
            return Attribution::None(classify(f));
        }
        if let Some(key) = f.joined_key() {
            if let Some(c) = self.by_key.get(&key) {
                if let [one] = c.as_slice() {
                    return Attribution::Rule(*one as u32, By::Key);
                }
                let pick = c
                    .iter()
                    .find(|&&i| self.matches(i, f) == Match::Yes)
                    .or_else(|| c.iter().find(|&&i| self.matches(i, f) != Match::No))
                    .or(c.first());
                if let Some(&i) = pick {
                    return Attribution::Rule(i as u32, By::KeyAndFields);
                }
            }
        }
        let key = f.joined_key();
        // The first always rule with this key situation that matches.
        let pick = self.rules.iter().enumerate().find(|(i, r)| {
            r.rule.list == FilterList::Exit
                && r.rule.action == Action::Always
                && r.joined_key == key
                && self.matches(*i, f) != Match::No
        });
        match pick {
            Some((i, _)) => Attribution::Rule(i as u32, By::Fields),
            None => Attribution::None(match f.own_type {
                Some(t) => classify_type(t),
                None => NoRule::Unmatched,
            }),
        }
    }

    /// Does rule `i` match the event, as far as the log shows?
    pub fn matches(&self, i: usize, f: &Facts) -> Match {
        match self.rules.get(i) {
            Some(r) => rule_matches(&r.rule, f),
            None => Match::No,
        }
    }
}

/// `file:line` of a rule.
pub fn origin_text(o: &Origin) -> String {
    o.to_string()
}

fn classify(f: &Facts) -> NoRule {
    classify_type(f.first_type)
}

fn classify_type(t: auditkit_interp::RecordType) -> NoRule {
    match t.0 {
        1100..=1199 | 2100..=2999 => NoRule::UserSpace,
        1200..=1299 => NoRule::Daemon,
        1305 => NoRule::ConfigChange,
        _ => NoRule::Kernel,
    }
}

fn and(a: Match, b: Match) -> Match {
    match (a, b) {
        (Match::No, _) | (_, Match::No) => Match::No,
        (Match::Maybe, _) | (_, Match::Maybe) => Match::Maybe,
        _ => Match::Yes,
    }
}

fn bool_match(b: bool) -> Match {
    if b {
        Match::Yes
    } else {
        Match::No
    }
}

/// `audit_comparator`, on the unsigned and the signed values alike.
fn compare<T>(left: T, op: Op, right: T) -> bool
where
    T: Ord + Copy + std::ops::BitAnd<Output = T> + From<u8>,
{
    match op {
        Op::Eq => left == right,
        Op::Ne => left != right,
        Op::Lt => left < right,
        Op::Gt => left > right,
        Op::Le => left <= right,
        Op::Ge => left >= right,
        Op::BitMask => left & right != T::from(0),
        Op::BitTest => left & right == right,
    }
}

fn num_field(v: Option<u32>, op: Op, want: &Value) -> Match {
    match (v, want) {
        (Some(v), Value::Num(w)) => bool_match(compare(u64::from(v), op, u64::from(*w))),
        _ => Match::Maybe,
    }
}

fn uid_of(f: &Facts, field: Field) -> Option<u32> {
    let ids = &f.ids;
    match field {
        Field::Uid => ids.uid[0],
        Field::Euid => ids.uid[1],
        Field::Suid => ids.uid[2],
        Field::Fsuid => ids.uid[3],
        Field::Gid => ids.gid[0],
        Field::Egid => ids.gid[1],
        Field::Sgid => ids.gid[2],
        Field::Fsgid => ids.gid[3],
        Field::Auid => ids.auid,
        _ => None,
    }
}

/// Whether `rule` (of the exit list) matches an event with facts `f`.
pub fn rule_matches(rule: &KernelRule, f: &Facts) -> Match {
    if rule.list != FilterList::Exit {
        return Match::No;
    }
    let mut m = Match::Yes;
    // The syscall mask is for the rule's machine; the kernel checks the
    // arch only through an arch field.
    match (&rule.syscalls, f.syscall) {
        (Syscalls::Set(s), Some(n)) => m = and(m, bool_match(s.contains(&n))),
        (Syscalls::Set(_), None) => m = and(m, Match::Maybe),
        _ => {}
    }
    for kf in &rule.fields {
        let one = match kf.field {
            Field::Arch => match (&kf.value, f.arch) {
                (Value::Arch(a) | Value::Num(a), Some(e)) => {
                    bool_match(compare(u64::from(e), kf.op, u64::from(*a)))
                }
                _ => Match::Maybe,
            },
            Field::Pid => num_field(f.ids.pid, kf.op, &kf.value),
            Field::Ppid => num_field(f.ids.ppid, kf.op, &kf.value),
            Field::Sessionid => num_field(f.ids.ses, kf.op, &kf.value),
            Field::Uid
            | Field::Euid
            | Field::Suid
            | Field::Fsuid
            | Field::Gid
            | Field::Egid
            | Field::Sgid
            | Field::Fsgid
            | Field::Auid => num_field(uid_of(f, kf.field), kf.op, &kf.value),
            Field::Success => match (f.success, &kf.value) {
                (Some(s), Value::Num(w)) => {
                    bool_match(compare(u64::from(s), kf.op, u64::from(*w != 0)))
                }
                _ => Match::Maybe,
            },
            Field::Exit => match (f.exit, &kf.value) {
                (Some(e), Value::Num(w)) => bool_match(compare(e, kf.op, i64::from(*w as i32))),
                _ => Match::Maybe,
            },
            Field::A0 | Field::A1 | Field::A2 | Field::A3 => {
                let i = match kf.field {
                    Field::A0 => 0,
                    Field::A1 => 1,
                    Field::A2 => 2,
                    _ => 3,
                };
                match (f.args[i], &kf.value) {
                    (Some(a), Value::Num(w)) => bool_match(compare(a, kf.op, u64::from(*w))),
                    _ => Match::Maybe,
                }
            }
            Field::Exe => match (&f.exe, &kf.value) {
                (Some(e), Value::Str(w)) => {
                    let eq = e.as_slice() == w.as_bytes();
                    bool_match(if kf.op == Op::Ne { !eq } else { eq })
                }
                _ => Match::Maybe,
            },
            Field::Path | Field::Dir => match &kf.value {
                Value::Str(w) => {
                    let hit = f.paths.iter().any(|p| {
                        let p = p.as_slice();
                        let w = w.trim_end_matches('/').as_bytes();
                        p == w
                            || (kf.field == Field::Dir
                                && p.len() > w.len()
                                && p.starts_with(w)
                                && p[w.len()] == b'/')
                    });
                    match (hit, kf.op) {
                        (true, Op::Ne) => Match::No,
                        (true, _) => Match::Yes,
                        (false, Op::Ne) => Match::Yes,
                        // The kernel compares inodes: a path the log names
                        // differently (a hard link) is missed here, which
                        // only sends the event to a later rule.
                        (false, _) => Match::No,
                    }
                }
                _ => Match::Maybe,
            },
            Field::ObjUid | Field::ObjGid => {
                let hit = f.owners.iter().any(|(u, g)| {
                    let v = if kf.field == Field::ObjUid { u } else { g };
                    matches!((v, &kf.value), (Some(v), Value::Num(w)) if compare(u64::from(*v), kf.op, u64::from(*w)))
                });
                if hit {
                    Match::Yes
                } else if f.owners.is_empty() {
                    Match::No
                } else {
                    Match::Maybe
                }
            }
            Field::Inode => {
                let hit = f.inodes.iter().any(
                    |i| matches!(&kf.value, Value::Num(w) if compare(*i, kf.op, u64::from(*w))),
                );
                if hit {
                    Match::Yes
                } else {
                    Match::Maybe
                }
            }
            Field::FieldCompare => match &kf.value {
                Value::Compare(_, l, r) => match (uid_of(f, *l), uid_of(f, *r)) {
                    (Some(a), Some(b)) => bool_match(compare(u64::from(a), kf.op, u64::from(b))),
                    _ => Match::Maybe,
                },
                _ => Match::Maybe,
            },
            // The key is what the rule writes, not what it filters on.
            Field::Key => Match::Yes,
            // perm (the open flags' class), labels, file types, personality,
            // socket families: not in the log in a form to compare.
            _ => Match::Maybe,
        };
        m = and(m, one);
        if m == Match::No {
            return m;
        }
    }
    m
}
