//! The compiled rule set and its evaluation.
//!
//! [`Engine::new`] compiles a [`RuleSet`] once: each rule's selections
//! into tests, its condition into selection indexes, and the rule into
//! the place it is tried from:
//!
//! * `service: auditd` rules by **record type**: a rule whose condition
//!   needs a selection that pins `type:` is tried only on records of
//!   those types (52 of SigmaHQ's 54 active rules), the others on every
//!   record;
//! * mapped rules by **category**: tried once per event that is of the
//!   category (an execve, a file creation, a connect);
//! * correlations by the rules they count.
//!
//! Matching an event ([`Engine::matches`]) builds its record views once,
//! and each test compares values with the cheapest literal test its
//! pattern allows (see [`crate::pattern`]); regexes only run for `re` and
//! patterns that need one. [`Scope`] splits the work between the
//! parallel workers (everything that needs no process tree) and the
//! ordered stage (the rules that read parent fields).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use auditkit_event::{EventFields, RecordType};
use auditkit_host::Accounts;

use crate::compile::{self, Doc, FieldKey, Fields, Selection};
use crate::condition::Cond;
use crate::context::ProcessTree;
use crate::correlation::{CorrelationSrc, Fired, Window};
use crate::load::{Rejected, RuleSet};
use crate::mapping::Category;
use crate::rule::{Meta, Rule, Unsupported};
use crate::view::{self, RecView};

/// A rule of the engine (index into [`Engine::rules`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub u32);

/// A correlation of the engine (index into [`Engine::correlations`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CorrId(pub u32);

/// What a rule runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Each audit record (`service: auditd`).
    Record,
    /// Each event of a mapped category.
    Mapped(Category),
}

impl Target {
    /// A name for summaries (`auditd`, `process_creation`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Target::Record => "auditd",
            Target::Mapped(c) => c.name(),
        }
    }
}

/// A compiled detection rule.
#[derive(Debug)]
pub struct Compiled {
    /// What the rule says about itself.
    pub meta: Meta,
    /// What it runs on.
    pub target: Target,
    /// The `logsource.definition` (what the log must contain).
    pub definition: Option<String>,
    selections: Vec<Selection>,
    cond: Cond,
    /// It reads parent fields: decided where the process tree is.
    needs_tree: bool,
    /// Referenced by a correlation without `generate: true`: its matches
    /// only feed the correlation.
    silent: bool,
    /// The prefilter: ids of literals (in [`Engine::literals`]) one of
    /// which a document's text must contain for the rule to match;
    /// `None` when the rule has no such set and is always tried.
    need: Option<Vec<u32>>,
}

/// A compiled correlation.
#[derive(Debug)]
pub struct Correlation {
    /// The rule as written.
    pub src: CorrelationSrc,
    /// The rules it counts.
    pub rules: Vec<RuleId>,
}

/// One match of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The rule.
    pub rule: RuleId,
    /// The record that matched (its index in the event), for record rules.
    pub record: Option<usize>,
}

/// Which rules [`Engine::matches`] tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every rule.
    All,
    /// The rules that need no process tree (for the parallel workers).
    NoTree,
    /// Only the rules that read parent fields (for the ordered stage,
    /// after [`Scope::NoTree`] on the workers).
    TreeOnly,
}

/// A correlation that fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrelationHit {
    /// Which.
    pub correlation: CorrId,
    /// The group, count and times.
    pub fired: Fired,
}

/// The compiled rule set.
#[derive(Debug, Default)]
pub struct Engine {
    rules: Vec<Compiled>,
    by_type: HashMap<RecordType, Vec<u32>>,
    any_type: Vec<u32>,
    mapped: Vec<(Category, Vec<u32>)>,
    correlations: Vec<Correlation>,
    rejected: Vec<Rejected>,
    accounts: Accounts,
    /// One automaton over every rule's prefilter literals (ASCII
    /// case-insensitive, as Sigma values are), run once per document.
    literals: Option<AhoCorasick>,
    literal_count: usize,
}

/// The literal set of a condition: a selection's; the best side of an
/// `and`; every side of an `or`; none under a `not`.
fn cond_needs<'a>(cond: &Cond, sels: &'a [Selection]) -> Option<Vec<&'a [u8]>> {
    match cond {
        Cond::Sel(i) => sels.get(*i)?.needs(),
        Cond::Not(_) => None,
        Cond::And(v) => compile::best(v.iter().map(|c| cond_needs(c, sels))),
        Cond::Or(v) => {
            let mut all = Vec::new();
            for c in v {
                all.extend(cond_needs(c, sels)?);
            }
            Some(all)
        }
    }
}

/// The shortest literal worth prefiltering on.
const MIN_LITERAL: usize = 3;

/// Which literals of the automaton occur in a document's text.
struct Seen {
    bits: Vec<u64>,
}

impl Seen {
    fn of(ac: &AhoCorasick, n: usize, text: &[u8]) -> Seen {
        let mut bits = vec![0u64; n.div_ceil(64)];
        for m in ac.find_overlapping_iter(text) {
            let i = m.pattern().as_usize();
            if let Some(w) = bits.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
        Seen { bits }
    }

    fn any(&self, ids: &[u32]) -> bool {
        ids.iter().any(|&i| {
            let i = i as usize;
            self.bits
                .get(i / 64)
                .is_some_and(|w| w & (1 << (i % 64)) != 0)
        })
    }
}

/// Counts of a rule set, per target: what loaded and what was rejected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// (target name, rules that run).
    pub running: Vec<(String, usize)>,
    /// Correlations that run.
    pub correlations: usize,
    /// Record rules tried on every record (no `type:` to route them by).
    pub unrouted: usize,
    /// (log source, reason, count): the rejected documents grouped.
    pub rejected: Vec<(String, String, usize)>,
}

fn target_of(r: &Rule) -> Result<Target, Unsupported> {
    let ls = &r.logsource;
    let desc = || {
        format!(
            "product={} service={} category={}",
            ls.product.as_deref().unwrap_or("-"),
            ls.service.as_deref().unwrap_or("-"),
            ls.category.as_deref().unwrap_or("-")
        )
    };
    if ls.product.as_deref().is_some_and(|p| p != "linux") {
        return Err(Unsupported::LogSource(desc()));
    }
    match (ls.service.as_deref(), ls.category.as_deref()) {
        (Some("auditd"), None) => Ok(Target::Record),
        (None, Some(c)) => Category::from_name(c)
            .map(Target::Mapped)
            .ok_or_else(|| Unsupported::LogSource(desc())),
        _ => Err(Unsupported::LogSource(desc())),
    }
}

fn compile_rule(r: &Rule) -> Result<Compiled, Unsupported> {
    let target = target_of(r)?;
    let fields = match target {
        Target::Record => Fields::Audit,
        Target::Mapped(c) => Fields::Mapped(c),
    };
    let selections = r
        .selections
        .iter()
        .map(|s| compile::selection(&s.body, fields))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = r.selections.iter().map(|s| s.name.clone()).collect();
    let conds = r
        .conditions
        .iter()
        .map(|c| crate::condition::parse(c, &names))
        .collect::<Result<Vec<_>, _>>()?;
    let cond = if conds.len() == 1 {
        conds.into_iter().next().unwrap_or(Cond::Or(Vec::new()))
    } else {
        Cond::Or(conds)
    };
    let needs_tree = selections.iter().any(Selection::reads_parent);
    Ok(Compiled {
        meta: r.meta.clone(),
        target,
        definition: r.logsource.definition.clone(),
        selections,
        cond,
        needs_tree,
        silent: false,
        need: None,
    })
}

/// The record types a record rule can match, or `None` for any: a
/// selection's pinned types; one side of an `and` (the smallest set);
/// every side of an `or`; nothing under a `not`.
fn routed_types(c: &Compiled) -> Option<Vec<RecordType>> {
    fn walk(cond: &Cond, sels: &[Selection]) -> Option<Vec<RecordType>> {
        match cond {
            Cond::Sel(i) => sels
                .get(*i)?
                .types()?
                .iter()
                .map(|n| {
                    let n = String::from_utf8_lossy(n).to_ascii_uppercase();
                    auditkit_interp::msgtype::from_name(&n)
                })
                .collect(),
            Cond::Not(_) => None,
            Cond::And(v) => v.iter().filter_map(|c| walk(c, sels)).min_by_key(Vec::len),
            Cond::Or(v) => {
                let mut all = Vec::new();
                for c in v {
                    all.extend(walk(c, sels)?);
                }
                Some(all)
            }
        }
    }
    let mut out = walk(&c.cond, &c.selections)?;
    out.sort();
    out.dedup();
    Some(out)
}

impl Engine {
    /// Compile `set`. `accounts` names uids for `User` and maps ausearch
    /// `-i` names back to numbers. Rules that do not compile join the
    /// set's rejections ([`Engine::rejected`]).
    pub fn new(set: RuleSet, accounts: Accounts) -> Engine {
        let mut e = Engine {
            rejected: set.rejected,
            accounts,
            ..Engine::default()
        };
        for r in &set.rules {
            match compile_rule(r) {
                Ok(c) => {
                    let id = e.rules.len() as u32;
                    match c.target {
                        Target::Record => match routed_types(&c) {
                            Some(ts) => {
                                for t in ts {
                                    e.by_type.entry(t).or_default().push(id);
                                }
                            }
                            None => e.any_type.push(id),
                        },
                        Target::Mapped(cat) => match e.mapped.iter_mut().find(|(k, _)| *k == cat) {
                            Some((_, v)) => v.push(id),
                            None => e.mapped.push((cat, vec![id])),
                        },
                    }
                    e.rules.push(c);
                }
                Err(reason) => e.rejected.push(Rejected {
                    source: r.meta.source.clone(),
                    meta: Some(r.meta.clone()),
                    reason,
                    log_source: r.logsource.label(),
                }),
            }
        }
        e.build_prefilter();
        for c in set.correlations {
            let mut ids = Vec::new();
            let mut missing = None;
            for name in &c.rules {
                let found = e.rules.iter().position(|r| {
                    r.meta.id.as_deref() == Some(name) || r.meta.name.as_deref() == Some(name)
                });
                match found {
                    Some(i) => ids.push(RuleId(i as u32)),
                    None => missing = Some(name.clone()),
                }
            }
            if let Some(m) = missing {
                e.rejected.push(Rejected {
                    source: c.meta.source.clone(),
                    meta: Some(c.meta.clone()),
                    reason: Unsupported::Correlation(format!(
                        "rule '{m}' is not loaded (by id or name)"
                    )),
                    log_source: Some("correlation".into()),
                });
                continue;
            }
            if !c.generate {
                for id in &ids {
                    e.rules[id.0 as usize].silent = true;
                }
            }
            e.correlations.push(Correlation { src: c, rules: ids });
        }
        e
    }

    /// Give each rule its literal set and build the one automaton.
    fn build_prefilter(&mut self) {
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut ids: HashMap<Vec<u8>, u32> = HashMap::new();
        for r in &mut self.rules {
            let Some(set) = cond_needs(&r.cond, &r.selections) else {
                continue;
            };
            // A literal of one or two bytes occurs in nearly every
            // record: it would filter nothing and slow the automaton
            // down with matches.
            if set.iter().any(|l| l.len() < MIN_LITERAL) {
                continue;
            }
            let mut need: Vec<u32> = set
                .into_iter()
                .map(|l| {
                    *ids.entry(l.to_vec()).or_insert_with(|| {
                        lits.push(l.to_vec());
                        (lits.len() - 1) as u32
                    })
                })
                .collect();
            need.sort_unstable();
            need.dedup();
            r.need = Some(need);
        }
        if lits.is_empty() {
            return;
        }
        match AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&lits)
        {
            Ok(ac) => {
                self.literal_count = lits.len();
                self.literals = Some(ac);
            }
            // Too big for the automaton: every rule is tried.
            Err(_) => {
                for r in &mut self.rules {
                    r.need = None;
                }
            }
        }
    }

    /// Whether rule `r` may match a document whose text gave `seen`
    /// (computed on first need).
    fn candidate<'t>(
        &self,
        r: &Compiled,
        seen: &mut Option<Seen>,
        text: impl FnOnce() -> &'t [u8],
    ) -> bool {
        let (Some(need), Some(ac)) = (&r.need, &self.literals) else {
            return true;
        };
        seen.get_or_insert_with(|| Seen::of(ac, self.literal_count, text()))
            .any(need)
    }

    /// The compiled rules, indexed by [`RuleId`].
    pub fn rules(&self) -> &[Compiled] {
        &self.rules
    }

    /// One rule.
    pub fn rule(&self, id: RuleId) -> &Compiled {
        &self.rules[id.0 as usize]
    }

    /// The correlations, indexed by [`CorrId`].
    pub fn correlations(&self) -> &[Correlation] {
        &self.correlations
    }

    /// Everything not used, with the reason.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }

    /// Whether some rule reads parent fields (the caller then runs
    /// [`Scope::TreeOnly`] where its process tree is).
    pub fn needs_tree(&self) -> bool {
        self.rules.iter().any(|r| r.needs_tree)
    }

    /// Whether a rule's matches are alerts of their own (not only input of
    /// a correlation without `generate: true`).
    pub fn alerts(&self, id: RuleId) -> bool {
        !self.rule(id).silent
    }

    /// Counts per target and the reasons for the rest.
    pub fn summary(&self) -> Summary {
        let mut running: Vec<(String, usize)> = Vec::new();
        for r in &self.rules {
            let n = r.target.name().to_string();
            match running.iter_mut().find(|(k, _)| *k == n) {
                Some((_, c)) => *c += 1,
                None => running.push((n, 1)),
            }
        }
        let mut rejected: Vec<(String, String, usize)> = Vec::new();
        for r in &self.rejected {
            let src = r.log_source.clone().unwrap_or_else(|| "-".to_string());
            let why = reason_class(&r.reason);
            match rejected.iter_mut().find(|(s, w, _)| *s == src && *w == why) {
                Some((_, _, c)) => *c += 1,
                None => rejected.push((src, why, 1)),
            }
        }
        rejected.sort();
        Summary {
            running,
            correlations: self.correlations.len(),
            unrouted: self.any_type.len(),
            rejected,
        }
    }

    /// The rules of `scope` that match `ev`, in rule order per record;
    /// appended to `out`. `tree` gives the parent fields (pass
    /// [`crate::NoTree`] with [`Scope::NoTree`]).
    pub fn matches<E: EventFields + ?Sized>(
        &self,
        ev: &E,
        tree: &dyn ProcessTree,
        scope: Scope,
        out: &mut Vec<Hit>,
    ) {
        let in_scope = |r: &Compiled| match scope {
            Scope::All => true,
            Scope::NoTree => !r.needs_tree,
            Scope::TreeOnly => r.needs_tree,
        };
        let recs = view::records(ev, &self.accounts);
        if scope != Scope::TreeOnly {
            for rv in &recs {
                let routed = self.by_type.get(&rv.rtype).map_or(&[][..], Vec::as_slice);
                // ausearch -i values are mapped back to numbers that its
                // text does not show: no prefilter there.
                let filter = rv.interpreted.is_none();
                let mut seen = None;
                for id in merged(routed, &self.any_type) {
                    let r = &self.rules[id as usize];
                    if in_scope(r)
                        && (!filter || self.candidate(r, &mut seen, || rv.text()))
                        && eval(r, rv)
                    {
                        out.push(Hit {
                            rule: RuleId(id),
                            record: Some(rv.index),
                        });
                    }
                }
            }
        }
        for (cat, ids) in &self.mapped {
            if !ids.iter().any(|&i| in_scope(&self.rules[i as usize])) {
                continue;
            }
            let Some(doc) = crate::mapping::event(*cat, &recs, tree, &self.accounts) else {
                continue;
            };
            let mut seen = None;
            for &id in ids {
                let r = &self.rules[id as usize];
                if in_scope(r) && self.candidate(r, &mut seen, || doc.text()) && eval(r, &doc) {
                    out.push(Hit {
                        rule: RuleId(id),
                        record: None,
                    });
                }
            }
        }
    }

    /// Feed the matches of one event (in log order) to the correlations;
    /// returns those that fired. `state` is the caller's (one per stream).
    pub fn correlate<E: EventFields + ?Sized>(
        &self,
        state: &mut Correlator,
        ev: &E,
        hits: &[Hit],
    ) -> Vec<CorrelationHit> {
        let mut fired = Vec::new();
        if self.correlations.is_empty() || hits.is_empty() {
            return fired;
        }
        if state.windows.len() < self.correlations.len() {
            state
                .windows
                .resize_with(self.correlations.len(), Window::default);
        }
        let id = ev.id();
        let t_ms = id
            .sec
            .saturating_mul(1000)
            .saturating_add(u64::from(id.msec));
        let recs = view::records(ev, &self.accounts);
        for (ci, c) in self.correlations.iter().enumerate() {
            for h in hits.iter().filter(|h| c.rules.contains(&h.rule)) {
                let group = c
                    .src
                    .group_by
                    .iter()
                    .map(|f| group_value(&recs, h.record, f))
                    .collect();
                if let Some(f) = state.windows[ci].observe(&c.src, group, t_ms) {
                    fired.push(CorrelationHit {
                        correlation: CorrId(ci as u32),
                        fired: f,
                    });
                }
            }
        }
        fired
    }
}

/// Two ascending lists of rule ids as one, in rule order (so the alerts
/// of one record come in the order the rules were loaded), without
/// allocating per record.
fn merged<'a>(a: &'a [u32], b: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => return None,
        };
        Some(next)
    })
}

/// Correlation state of one stream of events.
#[derive(Debug, Default)]
pub struct Correlator {
    windows: Vec<Window>,
}

/// A group-by field's value: from the matching record first, else the
/// first record of the event that has it; empty when none has.
fn group_value(recs: &[RecView<'_>], record: Option<usize>, field: &str) -> Vec<u8> {
    let key = FieldKey::Audit(field.as_bytes().to_vec());
    let mut v = None;
    let order = recs
        .iter()
        .filter(|r| Some(r.index) == record)
        .chain(recs.iter().filter(|r| Some(r.index) != record));
    for r in order {
        if r.each(&key, &mut |x| {
            v = Some(x.to_vec());
            true
        }) {
            break;
        }
    }
    v.unwrap_or_default()
}

fn eval(r: &Compiled, d: &dyn Doc) -> bool {
    // Selections are decided at most once per document; on the stack
    // for the usual few.
    let mut small = [None; 16];
    let mut big = Vec::new();
    let memo: &mut [Option<bool>] = if r.selections.len() <= small.len() {
        &mut small[..r.selections.len()]
    } else {
        big.resize(r.selections.len(), None);
        &mut big
    };
    r.cond.eval(&mut |i| {
        if let Some(v) = memo.get(i).copied().flatten() {
            return v;
        }
        let v = r.selections.get(i).is_some_and(|s| s.eval(d));
        if let Some(m) = memo.get_mut(i) {
            *m = Some(v);
        }
        v
    })
}

/// The reason without the rule-specific details, for grouping.
fn reason_class(u: &Unsupported) -> String {
    match u {
        Unsupported::Field { field, category } => {
            format!("field '{field}' of {category} has no source in audit events")
        }
        Unsupported::Modifier { modifier, .. } => format!("modifier '{modifier}'"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn merged_keeps_rule_order() {
        let m: Vec<u32> = super::merged(&[1, 4, 9], &[0, 4, 5, 10]).collect();
        assert_eq!(m, vec![0, 1, 4, 4, 5, 9, 10]);
        assert_eq!(super::merged(&[], &[]).count(), 0);
    }
}
