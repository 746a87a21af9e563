//! The detection guard: never suggest dropping what an enabled detection
//! needs. The log is replayed through the detection engine as if each
//! suggestion were loaded, and a suggestion whose removal changes the
//! alerts (an alert lost or gained, a correlation that no longer reaches
//! its threshold) is withheld, naming the detections.
//!
//! A replay is one more pass over the log, not a record of the first:
//! the suggestions are only known once the whole log is tallied, and
//! keeping per-event alerts and drops until then would grow with the log.
//! The pass keeps, per "world" (a set of suggestions applied together),
//! what `auditkit detect` keeps for one stream, and nothing per event:
//!
//! * a process tree ([`Tree`], bounded by its limits), only when some
//!   rule reads parent fields and the world drops syscall events (events
//!   outside syscalls do not change the tree: those worlds share the
//!   baseline's);
//! * a [`Correlator`] (bounded windows);
//! * counts of changed alerts per detection (bounded by the rule count).
//!
//! So memory is at most (worlds + 1) trees and correlators, worlds being at
//! most the number of suggestions. The workers ([`ReplaySink`]) match the
//! rules that need no tree and say which suggestions drop each event (by
//! [`Drops`], the tally's own entries); the ordered stage ([`Replay`]) feeds
//! the trees and correlations in log order, as `auditkit detect` does, and
//! compares each world's alerts with the baseline's event by event.
//!
//! [`guard_alerts`] drives the rounds like the profile guard
//! ([`super::guard`]): each suggestion alone, then the survivors together,
//! dropped from the end until the whole changes nothing.

use std::collections::BTreeMap;

use auditkit_detect::process::Tree;
use auditkit_detect::{CorrId, Correlator, Engine, Hit, NoTree, RuleId, Scope};
use auditkit_event::pipeline::{Flow, Item, Ordered, Sink};
use auditkit_event::Event;

use super::rules::RuleTable;
use super::suggest::{recombine, Advice, Drops, Suggestion, Withheld};
use super::tally::{EventSigs, Tally};

/// What a worker found in one event of a batch.
#[derive(Debug)]
pub struct Found {
    at: usize,
    hits: Vec<Hit>,
    drops: Vec<usize>,
}

/// A batch's findings: only events with a match or a drop are listed.
#[derive(Debug, Default)]
pub struct ReplayOut {
    items: usize,
    found: Vec<Found>,
}

/// The workers' side of a replay.
pub struct ReplaySink<'a> {
    /// The detections.
    pub engine: &'a Engine,
    /// The rules events are attributed to (as in the tally).
    pub table: &'a RuleTable,
    /// What each suggestion drops.
    pub drops: &'a Drops,
}

impl Sink<bool> for ReplaySink<'_> {
    type Part = ();
    type Out = ReplayOut;

    fn part(&self) {}

    fn event(&self, _: &mut (), ev: &Event, _: bool, out: &mut ReplayOut) {
        let at = out.items;
        out.items += 1;
        let mut hits = Vec::new();
        self.engine.matches(ev, &NoTree, Scope::NoTree, &mut hits);
        let mut drops = Vec::new();
        self.drops.of(&EventSigs::of(self.table, ev), &mut drops);
        if !hits.is_empty() || !drops.is_empty() {
            out.found.push(Found { at, hits, drops });
        }
    }

    fn unparsed(
        &self,
        _: &mut (),
        _: &auditkit_event::ParsedChunk,
        _: &auditkit_event::chunk::Unparsed,
        out: &mut ReplayOut,
    ) {
        out.items += 1;
    }

    fn clear(&self, out: &mut ReplayOut) {
        out.items = 0;
        out.found.clear();
    }
}

/// An alert's kind: which rule or correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Alert {
    Rule(RuleId),
    Corr(CorrId),
}

/// One stream of the replay: the log with some suggestions applied.
struct World {
    members: Vec<usize>,
    /// Its own tree, when it can differ from the baseline's.
    tree: Option<Tree>,
    corr: Correlator,
    /// Per alert kind: (lost, gained) against the baseline.
    changes: BTreeMap<Alert, (u64, u64)>,
}

/// How a world's alerts differ from the log's, per detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The detection's title.
    pub title: String,
    /// Its alerts in the log that the world does not raise.
    pub lost: u64,
    /// Its alerts the world raises that the log does not.
    pub gained: u64,
}

impl Change {
    /// In words, for the report.
    pub fn describe(&self) -> String {
        match (self.lost, self.gained) {
            (l, 0) => format!("{l} alert(s) of {} lost", self.title),
            (0, g) => format!("{g} alert(s) of {} gained", self.title),
            (l, g) => format!("{l} alert(s) of {} lost, {g} gained", self.title),
        }
    }
}

/// The ordered stage of a replay.
pub struct Replay<'a> {
    engine: &'a Engine,
    tree: Tree,
    corr: Correlator,
    worlds: Vec<World>,
}

impl<'a> Replay<'a> {
    /// A replay of `worlds` (each a set of suggestion indexes applied
    /// together); `syscall[i]` says whether suggestion `i` drops syscall
    /// events (then a world with it keeps its own process tree).
    pub fn new(engine: &'a Engine, worlds: &[Vec<usize>], syscall: &[bool]) -> Replay<'a> {
        let needs_tree = engine.needs_tree();
        Replay {
            engine,
            tree: Tree::default(),
            corr: Correlator::default(),
            worlds: worlds
                .iter()
                .map(|m| World {
                    members: m.clone(),
                    tree: (needs_tree && m.iter().any(|i| syscall.get(*i) == Some(&true)))
                        .then(Tree::default),
                    corr: Correlator::default(),
                    changes: BTreeMap::new(),
                })
                .collect(),
        }
    }

    /// The alerts of one event, as kinds, sorted.
    fn alerts(&self, hits: &[Hit], corr: &[auditkit_detect::CorrelationHit]) -> Vec<Alert> {
        let mut v: Vec<Alert> = hits
            .iter()
            .filter(|h| self.engine.alerts(h.rule))
            .map(|h| Alert::Rule(h.rule))
            .chain(corr.iter().map(|c| Alert::Corr(c.correlation)))
            .collect();
        v.sort();
        v
    }

    /// One event in log order; `found` is what the workers found in it.
    pub fn event(&mut self, ev: &Event, found: Option<&Found>) {
        let engine = self.engine;
        let needs_tree = engine.needs_tree();
        if needs_tree {
            self.tree.observe(ev);
        }
        let (nontree, drops): (&[Hit], &[usize]) =
            found.map_or((&[], &[]), |f| (&f.hits, &f.drops));
        if nontree.is_empty() && drops.is_empty() && !needs_tree {
            // Nothing matches here in any world, and nothing is dropped.
            return;
        }
        let mut base = nontree.to_vec();
        if needs_tree {
            engine.matches(ev, &self.tree, Scope::TreeOnly, &mut base);
        }
        let base_corr = engine.correlate(&mut self.corr, ev, &base);
        let base_alerts = self.alerts(&base, &base_corr);
        let mut worlds = std::mem::take(&mut self.worlds);
        for w in &mut worlds {
            if w.members.iter().any(|m| drops.contains(m)) {
                for a in &base_alerts {
                    w.changes.entry(*a).or_default().0 += 1;
                }
                continue;
            }
            let hits = match &mut w.tree {
                Some(t) => {
                    t.observe(ev);
                    let mut h = nontree.to_vec();
                    engine.matches(ev, t, Scope::TreeOnly, &mut h);
                    h
                }
                None => base.clone(),
            };
            let corr = engine.correlate(&mut w.corr, ev, &hits);
            let mine = self.alerts(&hits, &corr);
            // Multiset differences of two sorted lists.
            let (mut i, mut j) = (0, 0);
            while i < base_alerts.len() || j < mine.len() {
                match (base_alerts.get(i), mine.get(j)) {
                    (Some(a), Some(b)) if a == b => {
                        i += 1;
                        j += 1;
                    }
                    (Some(a), Some(b)) if a < b => {
                        w.changes.entry(*a).or_default().0 += 1;
                        i += 1;
                    }
                    (Some(a), None) => {
                        w.changes.entry(*a).or_default().0 += 1;
                        i += 1;
                    }
                    (_, Some(b)) => {
                        w.changes.entry(*b).or_default().1 += 1;
                        j += 1;
                    }
                    (None, None) => break,
                }
            }
        }
        self.worlds = worlds;
    }

    /// Per world, in order: how its alerts differ (empty: the same).
    pub fn changes(&self) -> Vec<Vec<Change>> {
        self.worlds
            .iter()
            .map(|w| {
                w.changes
                    .iter()
                    .map(|(a, (lost, gained))| Change {
                        title: match a {
                            Alert::Rule(r) => self.engine.rule(*r).meta.title.clone(),
                            Alert::Corr(c) => self.engine.correlations()[c.0 as usize]
                                .src
                                .meta
                                .title
                                .clone(),
                        },
                        lost: *lost,
                        gained: *gained,
                    })
                    .collect()
            })
            .collect()
    }
}

impl Ordered<ReplayOut> for Replay<'_> {
    fn wants_items(&self) -> bool {
        true
    }

    fn batch(&mut self, out: &mut ReplayOut, items: &[Item]) -> Flow {
        let mut found = out.found.iter().peekable();
        for (at, it) in items.iter().enumerate() {
            let Item::Event(ev) = it else { continue };
            let f = match found.peek() {
                Some(f) if f.at == at => found.next(),
                _ => None,
            };
            self.event(ev, f);
        }
        Flow::Continue
    }
}

/// Withhold the suggestions of `advice` whose removal changes the alerts
/// of the log. `replay` runs the log once through a [`Replay`] of the
/// worlds it is given (with a [`ReplaySink`] of `drops`) and returns
/// [`Replay::changes`]: the caller owns the reading, this decides. Each
/// suggestion is tried alone; then the survivors together, dropped from
/// the end until the whole changes nothing (at most two passes).
/// `detections` names what was replayed, for the report.
pub fn guard_alerts<E>(
    advice: &mut Advice,
    tally: &Tally,
    detections: String,
    mut replay: impl FnMut(&Drops, &[Vec<usize>], &[bool]) -> Result<Vec<Vec<Change>>, E>,
) -> Result<(), E> {
    advice.detections = Some(detections);
    let n = advice.suggestions.len();
    if n == 0 {
        return Ok(());
    }
    let drops = Drops::new(&advice.suggestions);
    let syscall: Vec<bool> = advice
        .suggestions
        .iter()
        .map(Suggestion::drops_syscalls)
        .collect();
    let singles: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let alone = replay(&drops, &singles, &syscall)?;
    let mut verdict: Vec<Option<Vec<Change>>> = alone
        .into_iter()
        .map(|c| (!c.is_empty()).then_some(c))
        .collect();
    verdict.resize(n, None);
    let kept: Vec<usize> = (0..n).filter(|i| verdict[*i].is_none()).collect();
    if kept.len() > 1 {
        // Prefixes of two or more: the first is the first single.
        let prefixes: Vec<Vec<usize>> = (2..=kept.len()).map(|k| kept[..k].to_vec()).collect();
        let together = replay(&drops, &prefixes, &syscall)?;
        // The longest prefix that changes nothing; the rest are withheld
        // with what the prefix ending in them changes.
        let ok = together
            .iter()
            .rposition(Vec::is_empty)
            .map_or(1, |p| p + 2);
        for (k, &i) in kept.iter().enumerate().skip(ok) {
            let c = together.get(k - 1).cloned().unwrap_or_default();
            verdict[i] = Some(c);
        }
    }
    let mut keep = Vec::new();
    for (s, v) in std::mem::take(&mut advice.suggestions)
        .into_iter()
        .zip(verdict)
    {
        match v {
            None => keep.push(s),
            Some(c) => advice.withheld.push(Withheld {
                suggestion: s,
                items: Vec::new(),
                alerts: c.iter().map(Change::describe).collect(),
            }),
        }
    }
    advice.suggestions = keep;
    recombine(advice, tally);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(title: &str) -> Vec<Change> {
        vec![Change {
            title: title.to_string(),
            lost: 1,
            gained: 0,
        }]
    }

    /// The rounds: a suggestion that changes alerts alone is withheld
    /// with its changes; of the survivors, the longest prefix that changes
    /// nothing together is kept and the rest withheld with what the
    /// prefix ending in them changes (two suggestions that each take one
    /// event from a correlation are fine alone and not together).
    #[test]
    fn rounds_alone_then_together() {
        let mut advice = Advice {
            suggestions: ["a", "b", "c", "d"].map(Suggestion::named).to_vec(),
            ..Advice::default()
        };
        let tally = Tally::new(0, crate::noise::Caps::default());
        let mut calls: Vec<Vec<Vec<usize>>> = Vec::new();
        guard_alerts::<()>(&mut advice, &tally, "x".into(), |_, worlds, _| {
            calls.push(worlds.to_vec());
            Ok(match calls.len() {
                // Alone: b changes a rule's alerts.
                1 => vec![vec![], change("R"), vec![], vec![]],
                // Together: [a, c] is fine, [a, c, d] loses a correlation.
                _ => vec![vec![], change("C")],
            })
        })
        .unwrap();
        assert_eq!(
            calls,
            vec![
                vec![vec![0], vec![1], vec![2], vec![3]],
                vec![vec![0, 2], vec![0, 2, 3]],
            ]
        );
        let kept: Vec<&str> = advice.suggestions.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(kept, ["a", "c"]);
        let held: Vec<(&str, &[String])> = advice
            .withheld
            .iter()
            .map(|w| (w.suggestion.what.as_str(), w.alerts.as_slice()))
            .collect();
        assert_eq!(
            held,
            [
                ("b", &["1 alert(s) of R lost".to_string()][..]),
                ("d", &["1 alert(s) of C lost".to_string()][..]),
            ]
        );
        assert_eq!(advice.detections.as_deref(), Some("x"));
    }
}
