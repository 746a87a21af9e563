//! The counting: a [`NoiseSink`] whose per-worker [`Tally`] parts count
//! events, records and bytes per rule and per dimension, merged at the end
//! without a lock.
//!
//! Memory is bounded: every open-ended dimension (key, exe, comm, auid,
//! syscall, path, and the tables suggestions are computed from) keeps at
//! most `cap` distinct values per part. What arrives after the table is
//! full is counted under "other", and the dimension says it was capped,
//! so a report on a log with a million distinct paths still adds up to the
//! total and says which part of it is not broken down.

use std::collections::HashMap;
use std::hash::Hash;

use auditkit_event::pipeline::Sink;
use auditkit_event::{Event, RecordType};

use super::facts::Facts;
use super::rules::{Attribution, NoRule, RuleTable};

/// Events, records and bytes (each record's line and its newline).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Events.
    pub events: u64,
    /// Records.
    pub records: u64,
    /// Bytes of those records in the log.
    pub bytes: u64,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.events += o.events;
        self.records += o.records;
        self.bytes += o.bytes;
    }
}

/// A map that keeps at most `cap` keys; the rest are counted as other.
#[derive(Debug, Clone)]
pub struct Bounded<K: Eq + Hash> {
    /// The counted values.
    pub map: HashMap<K, Counts>,
    /// What did not fit.
    pub other: Counts,
    /// Whether anything did not fit.
    pub capped: bool,
    cap: usize,
}

impl<K: Eq + Hash + Clone + Ord> Bounded<K> {
    /// An empty map of at most `cap` keys.
    pub fn new(cap: usize) -> Bounded<K> {
        Bounded {
            map: HashMap::new(),
            other: Counts::default(),
            capped: false,
            cap,
        }
    }

    /// Count `c` for `k`.
    pub fn add(&mut self, k: K, c: Counts) {
        if let Some(v) = self.map.get_mut(&k) {
            v.add(c);
        } else if self.map.len() < self.cap {
            self.map.insert(k, c);
        } else {
            self.capped = true;
            self.other.add(c);
        }
    }

    /// Count `c` for a key looked up by reference, made only when new.
    pub fn add_with<Q>(&mut self, q: &Q, make: impl FnOnce() -> K, c: Counts)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        if let Some(v) = self.map.get_mut(q) {
            v.add(c);
        } else if self.map.len() < self.cap {
            self.map.insert(make(), c);
        } else {
            self.capped = true;
            self.other.add(c);
        }
    }

    /// Merge another part. The merged map keeps the `cap` biggest values
    /// (by bytes); the rest join "other".
    pub fn merge(&mut self, o: Bounded<K>) {
        self.capped |= o.capped;
        self.other.add(o.other);
        for (k, c) in o.map {
            self.map.entry(k).or_default().add(c);
        }
        if self.map.len() > self.cap {
            let mut all: Vec<(K, Counts)> = self.map.drain().collect();
            all.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then_with(|| a.0.cmp(&b.0)));
            for (k, c) in all.split_off(self.cap) {
                let _ = k;
                self.other.add(c);
            }
            self.map = all.into_iter().collect();
            self.capped = true;
        }
    }

    /// The values by bytes, biggest first (ties by key), at most `n`.
    pub fn top(&self, n: usize) -> Vec<(K, Counts)> {
        let mut all: Vec<(K, Counts)> = self.map.iter().map(|(k, c)| (k.clone(), *c)).collect();
        all.sort_by(|a, b| {
            b.1.bytes
                .cmp(&a.1.bytes)
                .then(b.1.events.cmp(&a.1.events))
                .then_with(|| a.0.cmp(&b.0))
        });
        all.truncate(n);
        all
    }
}

/// One combination of what a never rule can select on, for a syscall
/// event made by a rule: the savings of a suggestion are the sum of the
/// combinations it selects, so they are exact for this log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SyscallSig {
    /// The rule that made the events.
    pub rule: u32,
    /// `arch=`.
    pub arch: u32,
    /// `syscall=`.
    pub syscall: u32,
    /// `exe=` (empty when the log has none).
    pub exe: Box<str>,
    /// The events' `auid` was set (a logged-in user's, not a daemon's).
    pub user: bool,
}

/// One combination of what an exclude rule can select on, for a record
/// outside syscall events.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordSig {
    /// The record's type.
    pub rtype: RecordType,
    /// The sender's `exe=` (empty when the record has none).
    pub exe: Box<str>,
    /// The record said `res=failed`.
    pub failed: bool,
}

/// What a `never` suggestion selects a syscall event by: the rule that
/// made it, its arch, syscall, exe and whether a user made it. `None` for
/// events no rule made or without arch and syscall.
fn syscall_sig(attr: Attribution, f: &Facts, exe: &str) -> Option<SyscallSig> {
    let Attribution::Rule(rule, _) = attr else {
        return None;
    };
    Some(SyscallSig {
        rule,
        arch: f.arch?,
        syscall: f.syscall?,
        exe: exe.into(),
        user: f.ids.auid.is_some_and(|a| a != u32::MAX),
    })
}

/// What an exclude suggestion selects a record of type `t` by, for the
/// records of events outside syscalls that no rule made; `None` otherwise
/// (and for EOE, which carries nothing).
fn record_sig(attr: Attribution, f: &Facts, t: RecordType, exe: &str) -> Option<RecordSig> {
    if matches!(attr, Attribution::Rule(..)) || f.syscall_event || t == RecordType::EOE {
        return None;
    }
    Some(RecordSig {
        rtype: t,
        exe: exe.into(),
        failed: f.failed,
    })
}

/// The tally entries of one event: what the suggestions select it by.
/// Computed by the same code as the tally's, so that a suggestion drops
/// in a replay exactly the events its savings counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSigs {
    /// Its syscall combination, when a rule made it.
    pub syscall: Option<SyscallSig>,
    /// Its records' combinations, outside syscall events.
    pub records: Vec<RecordSig>,
}

impl EventSigs {
    /// The entries of `ev` under `table`.
    pub fn of(table: &RuleTable, ev: &Event) -> EventSigs {
        let f = Facts::of(ev);
        let attr = table.attribute(&f);
        let exe = f
            .exe
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let mut records: Vec<RecordSig> = Vec::new();
        for r in ev.records() {
            if let Some(sig) = record_sig(attr, &f, r.rtype(), &exe) {
                if !records.contains(&sig) {
                    records.push(sig);
                }
            }
        }
        EventSigs {
            syscall: syscall_sig(attr, &f, &exe),
            records,
        }
    }
}

/// Limits of a tally.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// Distinct values kept per dimension and per part.
    pub per_dimension: usize,
    /// Distinct combinations kept for suggestions.
    pub signatures: usize,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            per_dimension: 10_000,
            signatures: 100_000,
        }
    }
}

/// The counts of one worker, or of the whole log once merged.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Every event.
    pub total: Counts,
    /// First and last event time (seconds).
    pub span: Option<(u64, u64)>,
    /// Per rule of the table, by index.
    pub rules: Vec<Counts>,
    /// How many events of each rule were tied to it by key only, by key
    /// and fields, or by fields only.
    pub by: Vec<[u64; 3]>,
    /// Per reason an event has no rule, in [`NoRule::ALL`] order.
    pub none: [Counts; 5],
    /// Per key (an event with several keys counts for each).
    pub keys: Bounded<Box<str>>,
    /// Per record type: events holding it, its records and their bytes.
    pub types: Bounded<RecordType>,
    /// Per `exe=`.
    pub exes: Bounded<Box<str>>,
    /// Per `comm=`.
    pub comms: Bounded<Box<str>>,
    /// Per `auid=`.
    pub auids: Bounded<u32>,
    /// Per (arch, syscall).
    pub syscalls: Bounded<(u32, u32)>,
    /// Per PATH name (an event with several paths counts for each).
    pub paths: Bounded<Box<str>>,
    /// For never-rule suggestions.
    pub syscall_sigs: Bounded<SyscallSig>,
    /// For exclude-rule suggestions.
    pub record_sigs: Bounded<RecordSig>,
}

impl Tally {
    /// An empty tally for a table of `rules` rules.
    pub fn new(rules: usize, caps: Caps) -> Tally {
        let d = caps.per_dimension;
        Tally {
            total: Counts::default(),
            span: None,
            rules: vec![Counts::default(); rules],
            by: vec![[0; 3]; rules],
            none: [Counts::default(); 5],
            keys: Bounded::new(d),
            types: Bounded::new(d),
            exes: Bounded::new(d),
            comms: Bounded::new(d),
            auids: Bounded::new(d),
            syscalls: Bounded::new(d),
            paths: Bounded::new(d),
            syscall_sigs: Bounded::new(caps.signatures),
            record_sigs: Bounded::new(caps.signatures),
        }
    }

    /// Count one event.
    pub fn event(&mut self, table: &RuleTable, ev: &Event) {
        let f = Facts::of(ev);
        let mut c = Counts {
            events: 1,
            ..Counts::default()
        };
        let mut types: Vec<(RecordType, Counts)> = Vec::new();
        for r in ev.records() {
            let b = r.line.len() as u64 + 1;
            c.records += 1;
            c.bytes += b;
            let t = r.rtype();
            match types.iter_mut().find(|(x, _)| *x == t) {
                Some((_, tc)) => {
                    tc.records += 1;
                    tc.bytes += b;
                }
                None => types.push((
                    t,
                    Counts {
                        events: 1,
                        records: 1,
                        bytes: b,
                    },
                )),
            }
        }
        self.total.add(c);
        let sec = ev.id().sec;
        self.span = Some(match self.span {
            None => (sec, sec),
            Some((a, b)) => (a.min(sec), b.max(sec)),
        });
        for (t, tc) in &types {
            self.types.add(*t, *tc);
        }
        let attr = table.attribute(&f);
        match attr {
            Attribution::Rule(i, by) => {
                if let Some(rc) = self.rules.get_mut(i as usize) {
                    rc.add(c);
                }
                if let Some(b) = self.by.get_mut(i as usize) {
                    b[by as usize] += 1;
                }
            }
            Attribution::None(n) => self.none[n as usize].add(c),
        }
        for k in &f.keys {
            let k = String::from_utf8_lossy(k);
            self.keys.add_with(k.as_ref(), || k.as_ref().into(), c);
        }
        let exe = f
            .exe
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        if f.exe.is_some() {
            self.exes.add_with(exe.as_ref(), || exe.as_ref().into(), c);
        }
        if let Some(comm) = &f.comm {
            let comm = String::from_utf8_lossy(comm);
            self.comms
                .add_with(comm.as_ref(), || comm.as_ref().into(), c);
        }
        if let Some(a) = f.ids.auid {
            self.auids.add(a, c);
        }
        if let (Some(a), Some(s)) = (f.arch, f.syscall) {
            self.syscalls.add((a, s), c);
        }
        let mut seen: Vec<&[u8]> = Vec::new();
        for p in &f.paths {
            if seen.contains(&p.as_slice()) {
                continue;
            }
            seen.push(p);
            let p = String::from_utf8_lossy(p);
            self.paths.add_with(p.as_ref(), || p.as_ref().into(), c);
        }
        if let Some(sig) = syscall_sig(attr, &f, &exe) {
            self.syscall_sigs.add(sig, c);
        }
        // An exclude rule drops records; the event is gone when all its
        // records are.
        let sole = types.len() == 1;
        for (t, tc) in &types {
            if let Some(sig) = record_sig(attr, &f, *t, &exe) {
                self.record_sigs.add(
                    sig,
                    Counts {
                        events: u64::from(sole),
                        ..*tc
                    },
                );
            }
        }
    }

    /// Add another worker's tally.
    pub fn merge(&mut self, o: Tally) {
        self.total.add(o.total);
        self.span = match (self.span, o.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        for (a, b) in self.rules.iter_mut().zip(o.rules) {
            a.add(b);
        }
        for (a, b) in self.by.iter_mut().zip(o.by) {
            for i in 0..3 {
                a[i] += b[i];
            }
        }
        for (a, b) in self.none.iter_mut().zip(o.none) {
            a.add(b);
        }
        self.keys.merge(o.keys);
        self.types.merge(o.types);
        self.exes.merge(o.exes);
        self.comms.merge(o.comms);
        self.auids.merge(o.auids);
        self.syscalls.merge(o.syscalls);
        self.paths.merge(o.paths);
        self.syscall_sigs.merge(o.syscall_sigs);
        self.record_sigs.merge(o.record_sigs);
    }

    /// The counts of the events no rule made, for one reason.
    pub fn none_of(&self, n: NoRule) -> Counts {
        self.none[n as usize]
    }
}

/// The engine sink of `auditkit report --noise`: each worker tallies into
/// its own [`Tally`]; merge them with [`Tally::merge`] at the end.
pub struct NoiseSink<'a> {
    /// The rules events are attributed to.
    pub table: &'a RuleTable,
    /// Limits per part.
    pub caps: Caps,
}

impl Sink<bool> for NoiseSink<'_> {
    type Part = Tally;
    type Out = ();

    fn part(&self) -> Tally {
        Tally::new(self.table.rules.len(), self.caps)
    }

    fn event(&self, part: &mut Tally, ev: &Event, keep: bool, _: &mut ()) {
        if keep {
            part.event(self.table, ev);
        }
    }

    fn clear(&self, _: &mut ()) {}
}
