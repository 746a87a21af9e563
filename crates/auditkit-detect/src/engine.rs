//! The compiled rule set and its evaluation.
//!
//! [`Engine::new`] compiles a [`RuleSet`] once: each rule's selections
//! into tests, its condition into selection indexes, and the rule into
//! the place it is tried from:
//!
//! * `service: auditd` rules by **record type**: a rule whose condition
//!   needs a selection that pins `type:` (a name, or a prefix of names
//!   such as `ANOM_`) is tried only on records of those types (52 of
//!   SigmaHQ's 54 active rules), the others on every record;
//! * mapped rules by **category**: tried once per event that is of the
//!   category (an execve, a file creation, a connect), which the raw
//!   SYSCALL record tells before any view is built
//!   ([`crate::mapping`]'s `Kind`);
//! * correlations by the rules they count.
//!
//! Each record type (and category) has a plan (module `prefilter`): its
//! rules, what each needs a record to show (a literal in a field's value,
//! the syscall's name), and one automaton over those literals. Matching
//! an event ([`Engine::matches`]) scans each record's raw bytes with its
//! type's plan, and builds a record's view (fields split, values decoded)
//! only for the rules that may match it; most records of a busy log need
//! none. Each test then compares values with the cheapest literal test
//! its pattern allows (see [`crate::pattern`]); regexes only run for `re`
//! and patterns that need one. [`Scope`] splits the work between the
//! parallel workers (everything that needs no process tree) and the
//! ordered stage (the rules that read parent fields, tried only on the
//! events [`FirstPass::tree_candidate`] lets through).

use std::collections::HashMap;

use auditkit_event::{EventFields, RecordFields, RecordType};
use auditkit_host::Accounts;
use auditkit_interp::fxhash::FxMap;

use crate::compile::{self, At, Doc, FieldKey, Fields, Need, Selection};
use crate::condition::Cond;
use crate::context::ProcessTree;
use crate::correlation::{CorrelationSrc, Fired, Window};
use crate::load::{Rejected, RuleSet};
use crate::mapping::Category;
use crate::prefilter::Plan;
use crate::rule::{Meta, Rule, Unsupported};
use crate::sysrec::SysRec;
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

/// What [`Engine::matches_no_tree`] read of an event besides its
/// matches.
#[derive(Debug)]
pub struct FirstPass {
    /// Rules that read parent fields may match it: it is of a category
    /// some rule that reads parent fields is of, so the ordered stage
    /// tries [`Scope::TreeOnly`] on it (and skips the other events).
    pub tree_candidate: bool,
    /// What the process tree needs of it, for
    /// [`crate::process::Tree::observe_read`].
    pub observed: crate::process::Observed,
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
    /// Record rules per record type that some selection pins, with their
    /// prefilter there ([`crate::prefilter`]).
    plans: FxMap<RecordType, Plan>,
    /// Record rules for every other record type (the unrouted ones).
    other: Plan,
    /// How many record rules are tried on every record.
    unrouted: usize,
    /// Mapped rules per category, with their prefilter.
    mapped: Vec<(Category, Plan)>,
    /// Some rule reads parent fields.
    tree_rules: bool,
    correlations: Vec<Correlation>,
    rejected: Vec<Rejected>,
    accounts: Accounts,
}

/// What a document must show for a condition to hold: a selection's
/// need; the best side of an `and`; every side of an `or`; nothing
/// under a `not`.
fn cond_need<'a>(cond: &Cond, sels: &'a [Selection], at: At) -> Need<'a> {
    match cond {
        Cond::Sel(i) => sels.get(*i).map_or(Need::Any, |s| s.need(at)),
        Cond::Not(_) => Need::Any,
        Cond::And(v) => compile::best(v.iter().map(|c| cond_need(c, sels, at))),
        Cond::Or(v) => compile::union(v.iter().map(|c| cond_need(c, sels, at))),
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
    })
}

/// The record types a record rule can match, or `None` for any: a
/// selection's pinned types; one side of an `and` (the smallest set);
/// every side of an `or`; nothing under a `not`.
fn routed_types(c: &Compiled) -> Option<Vec<RecordType>> {
    fn walk(cond: &Cond, sels: &[Selection]) -> Option<Vec<RecordType>> {
        match cond {
            Cond::Sel(i) => sels.get(*i)?.types(),
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
        let mut by_type: HashMap<RecordType, Vec<u32>> = HashMap::new();
        let mut any_type: Vec<u32> = Vec::new();
        let mut mapped: Vec<(Category, Vec<u32>)> = Vec::new();
        for r in &set.rules {
            match compile_rule(r) {
                Ok(c) => {
                    let id = e.rules.len() as u32;
                    match c.target {
                        Target::Record => match routed_types(&c) {
                            Some(ts) => {
                                for t in ts {
                                    by_type.entry(t).or_default().push(id);
                                }
                            }
                            None => any_type.push(id),
                        },
                        Target::Mapped(cat) => match mapped.iter_mut().find(|(k, _)| *k == cat) {
                            Some((_, v)) => v.push(id),
                            None => mapped.push((cat, vec![id])),
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
        e.build_plans(by_type, any_type, mapped);
        e.tree_rules = e.rules.iter().any(|r| r.needs_tree);
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

    /// The plans: per record type that some selection of some record rule
    /// pins (its routed rules and the unrouted ones, each with its need
    /// for that type), for every other type, and per mapped category.
    fn build_plans(
        &mut self,
        by_type: HashMap<RecordType, Vec<u32>>,
        any_type: Vec<u32>,
        mapped: Vec<(Category, Vec<u32>)>,
    ) {
        // Every pinned type gets its own plan, so that the plan of the
        // other types may count every pinned alternative out.
        let mut pinned: Vec<RecordType> = by_type.keys().copied().collect();
        for r in &self.rules {
            if r.target == Target::Record {
                for s in &r.selections {
                    pinned.extend(s.pinned_types());
                }
            }
        }
        pinned.sort();
        pinned.dedup();
        let rules = &self.rules;
        let plan_of = |ids: Vec<u32>, at: At| {
            let needs = ids
                .into_iter()
                .filter_map(|id| {
                    let r = &rules[id as usize];
                    match cond_need(&r.cond, &r.selections, at) {
                        Need::Never => None,
                        n => Some((id, n)),
                    }
                })
                .collect();
            let rtype = match at {
                At::Type(t) => Some(t),
                _ => None,
            };
            Plan::new(needs, rtype)
        };
        for t in pinned {
            let mut ids: Vec<u32> = by_type.get(&t).cloned().unwrap_or_default();
            ids.extend(&any_type);
            ids.sort_unstable();
            ids.dedup();
            let plan = plan_of(ids, At::Type(t));
            self.plans.insert(t, plan);
        }
        self.unrouted = any_type.len();
        self.other = plan_of(any_type, At::Unpinned);
        self.mapped = mapped
            .into_iter()
            .map(|(c, ids)| (c, plan_of(ids, At::Anything)))
            .collect();
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
        self.tree_rules
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
            unrouted: self.unrouted,
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
        let sys = SysRec::of(ev);
        self.matches_kind(ev, sys.as_ref(), tree, scope, out, &mut None);
    }

    /// [`Engine::matches`] with [`Scope::NoTree`], as the parallel
    /// workers run it, whether the tree rules may match it, and what the process
    /// tree needs of the event ([`crate::process::Observed`]), from one
    /// reading of the event.
    pub fn matches_no_tree<E: EventFields + ?Sized>(
        &self,
        ev: &E,
        out: &mut Vec<Hit>,
    ) -> FirstPass {
        let sys = SysRec::of(ev);
        let mut kind = None;
        self.matches_kind(
            ev,
            sys.as_ref(),
            &crate::NoTree,
            Scope::NoTree,
            out,
            &mut kind,
        );
        FirstPass {
            tree_candidate: self.tree_candidate_kind(ev, sys.as_ref(), &mut kind),
            observed: crate::process::facts_with(ev, sys.as_ref()),
        }
    }

    fn matches_kind<'s, E: EventFields + ?Sized>(
        &self,
        ev: &E,
        sys: Option<&'s SysRec<'_>>,
        tree: &dyn ProcessTree,
        scope: Scope,
        out: &mut Vec<Hit>,
        kind: &mut Option<crate::mapping::Kind<'s>>,
    ) {
        let in_scope = |r: &Compiled| match scope {
            Scope::All => true,
            Scope::NoTree => !r.needs_tree,
            Scope::TreeOnly => r.needs_tree,
        };
        if scope != Scope::TreeOnly {
            let mut buf = Vec::new();
            let mut execve_seen = false;
            for (i, r) in ev.records().enumerate() {
                let t = r.rtype();
                let plan = self.plans.get(&t).unwrap_or(&self.other);
                if plan.rules.is_empty() {
                    continue;
                }
                if t == RecordType::EXECVE {
                    // All EXECVE records of the event are one record, at
                    // the place of the first.
                    if execve_seen {
                        continue;
                    }
                    execve_seen = true;
                    if let Some(v) = view::execve(ev, i, &self.accounts) {
                        self.record_hits(plan, &v, None, &in_scope, out);
                    }
                    continue;
                }
                // Decide from the raw body where it shows every value a
                // literal can be in (see crate::prefilter).
                let raw = if r.is_interpreted()
                    || plan.wants_text()
                    || !plan.filters()
                    || t == RecordType::AVC
                    || t == RecordType::USER_AVC
                {
                    None
                } else {
                    r.raw_body()
                };
                let seen = raw.map(|body| {
                    // The syscall's name of the first SYSCALL record is
                    // the event's (read once for the categories too).
                    let name = sys
                        .filter(|s| t == RecordType::SYSCALL && s.index == i)
                        .map(|s| s.name.as_deref());
                    plan.seen_raw(&r, body, name, &mut buf)
                });
                if let Some(seen) = &seen {
                    // Most records show nothing: then only the rules
                    // without a need are tried.
                    let any = if seen.is_empty() {
                        plan.always()
                    } else {
                        plan.rules
                            .iter()
                            .any(|(_, n)| n.as_ref().is_none_or(|n| seen.any(n)))
                    };
                    if !any {
                        continue;
                    }
                }
                let v = view::one(&r, i, &self.accounts);
                self.record_hits(plan, &v, seen, &in_scope, out);
            }
        }
        let mut recs = None;
        for (cat, plan) in &self.mapped {
            if !plan
                .rules
                .iter()
                .any(|(i, _)| in_scope(&self.rules[*i as usize]))
            {
                continue;
            }
            let k = kind.get_or_insert_with(|| crate::mapping::Kind::of(ev, sys));
            if !k.may_be(*cat) {
                continue;
            }
            let recs = recs.get_or_insert_with(|| view::records(ev, &self.accounts));
            let Some(doc) = crate::mapping::event(*cat, recs, tree, &self.accounts) else {
                continue;
            };
            let mut seen = None;
            for (id, need) in &plan.rules {
                let r = &self.rules[*id as usize];
                if !in_scope(r) {
                    continue;
                }
                if let Some(need) = need {
                    let s = seen.get_or_insert_with(|| plan.seen_text(doc.text(), None));
                    if !s.any(need) {
                        continue;
                    }
                }
                if eval(r, &doc) {
                    out.push(Hit {
                        rule: RuleId(*id),
                        record: None,
                    });
                }
            }
        }
    }

    /// The record rules of `plan` that match the record `v`; `seen` is
    /// what its raw body showed, if it was scanned.
    fn record_hits(
        &self,
        plan: &Plan,
        v: &RecView<'_>,
        mut seen: Option<crate::prefilter::Seen>,
        in_scope: &dyn Fn(&Compiled) -> bool,
        out: &mut Vec<Hit>,
    ) {
        // ausearch -i values are mapped back to numbers that its text
        // does not show: no prefilter there.
        let filter = v.interpreted.is_none();
        for (id, need) in &plan.rules {
            let r = &self.rules[*id as usize];
            if !in_scope(r) {
                continue;
            }
            if let (true, Some(need)) = (filter, need) {
                let s = seen.get_or_insert_with(|| plan.seen_text(v.text(), v.syscall_name_once()));
                if !s.any(need) {
                    continue;
                }
            }
            if eval(r, v) {
                out.push(Hit {
                    rule: RuleId(*id),
                    record: Some(v.index),
                });
            }
        }
    }

    /// Whether [`Scope::TreeOnly`] could find anything in `ev`: it is of
    /// a category some rule that reads parent fields is of. Cheap (the
    /// raw SYSCALL record only), so the ordered stage can skip the rest.
    fn tree_candidate_kind<'s, E: EventFields + ?Sized>(
        &self,
        ev: &E,
        sys: Option<&'s SysRec<'_>>,
        kind: &mut Option<crate::mapping::Kind<'s>>,
    ) -> bool {
        if !self.tree_rules {
            return false;
        }
        self.mapped.iter().any(|(cat, plan)| {
            plan.rules
                .iter()
                .any(|(i, _)| self.rules[*i as usize].needs_tree)
                && kind
                    .get_or_insert_with(|| crate::mapping::Kind::of(ev, sys))
                    .may_be(*cat)
        })
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

/// The matches as they are without any prefilter or routing: every
/// record rule on every record view, every mapped rule on every document
/// of its category (for the test that the prefilters change nothing).
#[cfg(test)]
impl Engine {
    pub(crate) fn matches_every_rule<E: EventFields + ?Sized>(
        &self,
        ev: &E,
        tree: &dyn ProcessTree,
    ) -> Vec<Hit> {
        let mut out = Vec::new();
        let recs = view::records(ev, &self.accounts);
        for rv in &recs {
            for (id, r) in self.rules.iter().enumerate() {
                if r.target == Target::Record && eval(r, rv) {
                    out.push(Hit {
                        rule: RuleId(id as u32),
                        record: Some(rv.index),
                    });
                }
            }
        }
        for (cat, _) in &self.mapped {
            let Some(doc) = crate::mapping::event(*cat, &recs, tree, &self.accounts) else {
                continue;
            };
            for (id, r) in self.rules.iter().enumerate() {
                if r.target == Target::Mapped(*cat) && eval(r, &doc) {
                    out.push(Hit {
                        rule: RuleId(id as u32),
                        record: None,
                    });
                }
            }
        }
        out
    }
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
