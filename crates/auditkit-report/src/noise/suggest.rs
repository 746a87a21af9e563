//! Rule changes that remove the noise, in forms the kernel accepts, with
//! what each saves in this log and what it costs.
//!
//! Two forms, chosen by where the volume comes from:
//!
//! * **Syscall events** made by a rule: a `never` rule on the exit list
//!   for the program that causes them, `-F exe=` with the syscalls it was
//!   seen making, once per arch (the exit list is per arch; `-F arch=`
//!   comes before `-S`). It is written with `-A`, which puts it at the head
//!   of the exit list, so it sits before every rule it shadows in whatever
//!   file and order it is loaded (a `never` rule only works before the
//!   rule it shadows: the first match decides). The same effect on the
//!   noisy rule alone would be `-F exe!=` added to it; that form is shown
//!   as the alternative, since it means editing the rule where it lives.
//! * **Records outside syscalls** (PAM's session records from cron, for
//!   example): an exclude-list rule, with only fields the exclude list
//!   takes (`msgtype` and `exe` here; the kernel's exclude filter also
//!   takes pid, uid, gid, auid and subj_*), so it loads on every kernel.
//!
//! What is never suggested: shells and interpreters (excluding `bash`
//! hides every script), privilege and login tools (sudo, su, sshd, ...),
//! programs run from world-writable or home directories, record types
//! that carry failures or security decisions (only the session and
//! credential bookkeeping types are eligible, and only while none of the
//! records to drop is a failure). Such talkers are listed as "kept" with
//! the reason, so the report still says where the volume goes.
//!
//! Savings are summed over the exact combinations of (rule, arch, syscall,
//! exe) and (record type, exe) the tally kept; when a table was capped the
//! report says the figures are a lower bound. With a compliance profile,
//! each suggestion is applied to the rule set and the profile checked
//! again; a suggestion that turns any passing item into a failure is
//! withheld, naming the items.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use auditkit_interp::{syscall_name, syscall_number, Machine, RecordType};
use auditkit_rules::{
    check, parse_line, CheckContext, Command, KernelRule, LineKind, NoHost, NoSystem, Origin,
    Profile, Resolver, RuleSet, SetRule, Status, Syscalls,
};

use super::rules::RuleTable;
use super::tally::{Counts, EventSigs, RecordSig, SyscallSig, Tally};

/// What to suggest.
#[derive(Debug, Clone)]
pub struct Options {
    /// Smallest share of the log's bytes a suggestion must save (0.01 is 1%).
    pub min_share: f64,
    /// At most this many suggestions.
    pub max: usize,
    /// The key written on suggested `never` rules, so that they can be
    /// listed and deleted together (`auditctl -D -k KEY`).
    pub key: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_share: 0.01,
            max: 20,
            key: "auditkit-noise".to_string(),
        }
    }
}

/// How much a suggestion may hide that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Only a daemon's routine activity.
    Low,
    /// Also what logged-in users do, or records of several rules.
    Medium,
}

impl Level {
    /// `low` or `medium`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
        }
    }
}

/// One suggested change.
#[derive(Debug, Clone)]
pub struct Suggestion {
    /// What it drops, in words.
    pub what: String,
    /// The rule lines, ready for rules.d.
    pub lines: Vec<String>,
    /// The narrower filter on the noisy rule that does the same, when
    /// there is one rule.
    pub alternative: Option<String>,
    /// What it saves in this log.
    pub saved: Counts,
    /// The rules whose events it drops (`file:line`).
    pub shadows: Vec<String>,
    /// Its risk.
    pub risk: Level,
    /// Why that risk.
    pub risk_text: String,
    /// The kernel rules of `lines`.
    pub kernel: Vec<KernelRule>,
    /// The tally entries it removes (for the combined total).
    selects: Selection,
}

#[derive(Debug, Clone)]
enum Selection {
    Syscalls(Vec<SyscallSig>),
    Records(Vec<RecordSig>),
}

impl Suggestion {
    /// A suggestion that selects nothing, for the guards' tests.
    #[cfg(test)]
    pub(crate) fn named(what: &str) -> Suggestion {
        Suggestion {
            what: what.to_string(),
            lines: Vec::new(),
            alternative: None,
            saved: Counts::default(),
            shadows: Vec::new(),
            risk: Level::Low,
            risk_text: String::new(),
            kernel: Vec::new(),
            selects: Selection::Records(Vec::new()),
        }
    }

    /// Whether it drops syscall events (a `never` rule), rather than
    /// records outside syscalls (an exclude rule).
    pub fn drops_syscalls(&self) -> bool {
        matches!(self.selects, Selection::Syscalls(_))
    }
}

/// A talker left alone on purpose.
#[derive(Debug, Clone)]
pub struct Kept {
    /// Who.
    pub what: String,
    /// Its volume.
    pub counts: Counts,
    /// Why nothing is suggested.
    pub why: String,
}

/// A suggestion a compliance profile or an enabled detection forbids.
#[derive(Debug, Clone)]
pub struct Withheld {
    /// The suggestion.
    pub suggestion: Suggestion,
    /// The profile items it would make fail.
    pub items: Vec<String>,
    /// The detections whose alerts it would change in this log, in words
    /// ("3 alerts of Execution From a World-Writable Directory lost").
    pub alerts: Vec<String>,
}

/// Everything suggested for one log.
#[derive(Debug, Clone, Default)]
pub struct Advice {
    /// The suggestions, biggest saving first.
    pub suggestions: Vec<Suggestion>,
    /// Talkers left alone and why.
    pub kept: Vec<Kept>,
    /// Suggestions withheld for the profile.
    pub withheld: Vec<Withheld>,
    /// What all suggestions together save (each event counted once).
    pub combined: Counts,
    /// The profile the suggestions were checked against.
    pub profile: Option<String>,
    /// The detections the log was replayed through, in words.
    pub detections: Option<String>,
    /// Some table was capped: savings are lower bounds.
    pub approximate: bool,
    /// Narrower filters worth considering on a noisy rule, with what they
    /// would save; not in the fragment, since they mean editing the rule
    /// where it is written and judging whether daemons matter to it.
    pub hints: Vec<Hint>,
}

/// A narrower filter on one rule and what it would save in this log.
#[derive(Debug, Clone)]
pub struct Hint {
    /// `file:line` of the rule.
    pub origin: String,
    /// What to change.
    pub change: String,
    /// What it would save.
    pub saved: Counts,
}

/// Programs never suggested for exclusion: shells, interpreters, and the
/// tools that change who a process is or let someone in.
const PROTECTED: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "mksh",
    "csh",
    "tcsh",
    "fish",
    "ash",
    "busybox",
    "rbash",
    "python",
    "perl",
    "ruby",
    "node",
    "nodejs",
    "php",
    "lua",
    "luajit",
    "tclsh",
    "wish",
    "java",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "expect",
    "pwsh",
    "osascript",
    "env",
    "xargs",
    "nohup",
    "sudo",
    "su",
    "doas",
    "pkexec",
    "runuser",
    "setpriv",
    "login",
    "sshd",
    "ssh",
    "scp",
    "sftp",
    "passwd",
    "chpasswd",
    "useradd",
    "usermod",
    "userdel",
    "groupadd",
    "groupmod",
    "chsh",
    "chfn",
    "newgrp",
    "crontab",
    "at",
    "systemd-run",
    "nsenter",
    "unshare",
    "chroot",
    "capsh",
    "auditctl",
    "auditd",
    "augenrules",
    "insmod",
    "modprobe",
    "rmmod",
    "kmod",
    "mount",
];

/// Record types that are session and credential bookkeeping: eligible for
/// an exclude rule when none of them is a failure.
const ELIGIBLE_TYPES: &[&str] = &[
    "USER_ACCT",
    "USER_START",
    "USER_END",
    "CRED_ACQ",
    "CRED_DISP",
    "CRED_REFR",
    "CRYPTO_KEY_USER",
    "CRYPTO_SESSION",
    "SERVICE_START",
    "SERVICE_STOP",
];

/// A record type a program sent that an exclude rule may drop: its name,
/// its counts and the tally entries behind them.
type Eligible = (String, Counts, Vec<RecordSig>);

/// Why a program may not be excluded, if it may not.
pub fn protected(exe: &str) -> Option<&'static str> {
    let base = exe.rsplit('/').next().unwrap_or(exe);
    // python3.11, perl5.36, php8.2: the name without its version.
    let stem = base.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    let stem = if stem.is_empty() { base } else { stem };
    if PROTECTED.contains(&base) || PROTECTED.contains(&stem) {
        return Some("a shell, an interpreter or a tool that changes identity: excluding it would hide everything run through it");
    }
    for dir in [
        "/tmp/",
        "/var/tmp/",
        "/dev/shm/",
        "/home/",
        "/root/",
        "/run/user/",
    ] {
        if exe.starts_with(dir) {
            return Some(
                "runs from a writable or home directory, where an attacker's programs live",
            );
        }
    }
    if !exe.starts_with('/') {
        return Some("not an absolute path: the kernel's exe filter needs one");
    }
    if exe.bytes().any(|b| b <= b' ' || b == b'"' || b == 0x7f) {
        return Some("its path has spaces or control characters, which a rules file cannot carry");
    }
    None
}

/// How a rule line names a machine's arch for `native`.
pub fn arch_word(m: Machine, native: Machine) -> String {
    if m == native {
        format!("b{}", m.bits())
    } else if Machine::from_rule_arch("b32", native) == Some(m) {
        "b32".to_string()
    } else {
        m.name().to_string()
    }
}

fn share(c: Counts, total: Counts) -> f64 {
    if total.bytes == 0 {
        0.0
    } else {
        c.bytes as f64 / total.bytes as f64
    }
}

fn sum<'a>(it: impl Iterator<Item = &'a Counts>) -> Counts {
    let mut t = Counts::default();
    for c in it {
        t.events += c.events;
        t.records += c.records;
        t.bytes += c.bytes;
    }
    t
}

/// Resolve suggestion lines into kernel rules; `None` when one does not
/// parse or resolve (then the suggestion is not made: it would not load).
fn resolve_lines(lines: &[String], native: Machine) -> Option<Vec<KernelRule>> {
    let resolver = Resolver {
        native,
        host: &NoHost,
    };
    lines
        .iter()
        .map(|l| match parse_line("suggestion", 1, l) {
            Ok(LineKind::Command(Command::Rule(r))) => resolver.resolve(&r).ok(),
            _ => None,
        })
        .collect()
}

/// Suggest rule changes for a merged tally.
pub fn suggest(table: &RuleTable, tally: &Tally, opts: &Options) -> Advice {
    let native = table.native;
    let total = tally.total;
    let mut advice = Advice {
        approximate: tally.syscall_sigs.capped || tally.record_sigs.capped,
        ..Advice::default()
    };
    let mut candidates: Vec<Suggestion> = Vec::new();

    // Syscall events, by program.
    let mut by_exe: BTreeMap<&str, Vec<(&SyscallSig, &Counts)>> = BTreeMap::new();
    for (s, c) in &tally.syscall_sigs.map {
        by_exe.entry(&s.exe).or_default().push((s, c));
    }
    for (exe, sigs) in by_exe {
        let counts = sum(sigs.iter().map(|(_, c)| *c));
        if share(counts, total) < opts.min_share {
            continue;
        }
        let who = if exe.is_empty() {
            "syscall events without an exe".to_string()
        } else {
            format!("syscall events of {exe}")
        };
        let why = if exe.is_empty() {
            Some("the log does not say which program made them")
        } else {
            protected(exe)
        };
        if let Some(why) = why {
            advice.kept.push(Kept {
                what: who,
                counts,
                why: why.to_string(),
            });
            continue;
        }
        if let Some(s) = never_for_exe(table, exe, &sigs, counts, opts) {
            candidates.push(s);
        }
    }

    // Records outside syscalls, by type and sender.
    let mut by_type: BTreeMap<(RecordType, &str), (Counts, u64, Vec<RecordSig>)> = BTreeMap::new();
    for (s, c) in &tally.record_sigs.map {
        let e = by_type.entry((s.rtype, &s.exe)).or_default();
        e.0 = sum([e.0, *c].iter());
        if s.failed {
            e.1 += c.records;
        }
        e.2.push(s.clone());
    }
    // Eligible types, grouped by sender: one suggestion per program (its
    // whole session bookkeeping), one exclude line per type.
    let mut eligible: BTreeMap<&str, Vec<Eligible>> = BTreeMap::new();
    for ((t, exe), (counts, failed, sigs)) in by_type {
        let tname = t.name().map_or_else(|| t.0.to_string(), str::to_string);
        let who = if exe.is_empty() {
            format!("{tname} records")
        } else {
            format!("{tname} records from {exe}")
        };
        let why = if !ELIGIBLE_TYPES.contains(&tname.as_str()) {
            Some(format!(
                "{tname} is not session or credential bookkeeping: it may record a security decision"
            ))
        } else if failed > 0 {
            Some(format!(
                "{failed} of them are failures, which an exclude rule would drop too"
            ))
        } else if exe.is_empty() {
            Some("the records do not say which program sent them, and excluding the type everywhere hides it for every program".to_string())
        } else {
            protected(exe).map(str::to_string)
        };
        match why {
            Some(why) => {
                if share(counts, total) >= opts.min_share {
                    advice.kept.push(Kept {
                        what: who,
                        counts,
                        why,
                    });
                }
            }
            None => eligible.entry(exe).or_default().push((tname, counts, sigs)),
        }
    }
    for (exe, types) in eligible {
        let counts = sum(types.iter().map(|(_, c, _)| c));
        if share(counts, total) < opts.min_share {
            continue;
        }
        let names: Vec<&str> = types.iter().map(|(n, _, _)| n.as_str()).collect();
        let lines: Vec<String> = names
            .iter()
            .map(|t| format!("-a always,exclude -F msgtype={t} -F exe={exe}"))
            .collect();
        let Some(kernel) = resolve_lines(&lines, native) else {
            continue;
        };
        candidates.push(Suggestion {
            what: format!("{} records from {exe}", names.join(", ")),
            lines,
            alternative: None,
            saved: counts,
            shadows: Vec::new(),
            risk: Level::Medium,
            risk_text: format!(
                "these records sent by {exe} are dropped on the exclude list, failures \
                 included (none in this log); its other records, other programs' records \
                 of these types and the syscall events of its sessions stay"
            ),
            kernel,
            selects: Selection::Records(
                types
                    .into_iter()
                    .flat_map(|(_, _, s)| s)
                    .filter(|s| !s.failed)
                    .collect(),
            ),
        });
    }

    candidates.sort_by(|a, b| {
        b.saved
            .bytes
            .cmp(&a.saved.bytes)
            .then_with(|| a.lines.cmp(&b.lines))
    });
    candidates.truncate(opts.max);
    advice
        .kept
        .sort_by_key(|k| std::cmp::Reverse(k.counts.bytes));
    advice.suggestions = candidates;
    advice.hints = auid_hints(table, tally, opts);
    advice.combined = combined(&advice.suggestions, tally);
    advice
}

fn never_for_exe(
    table: &RuleTable,
    exe: &str,
    sigs: &[(&SyscallSig, &Counts)],
    counts: Counts,
    opts: &Options,
) -> Option<Suggestion> {
    let native = table.native;
    // Per machine, the syscall names seen, plus the same names on the
    // machines of the sibling rules (same key, another arch), so that a
    // 32-bit run of the program is dropped too.
    let mut per_machine: BTreeMap<Machine, BTreeSet<u32>> = BTreeMap::new();
    let mut rules: BTreeSet<u32> = BTreeSet::new();
    let mut user = 0u64;
    for (s, c) in sigs {
        let Some(m) = Machine::from_elf(s.arch) else {
            continue;
        };
        per_machine.entry(m).or_default().insert(s.syscall);
        rules.insert(s.rule);
        if s.user {
            user += c.events;
        }
    }
    let seen: Vec<(Machine, u32)> = per_machine
        .iter()
        .flat_map(|(m, s)| s.iter().map(|n| (*m, *n)))
        .collect();
    for &r in &rules {
        let Some(rule) = table.rules.get(r as usize) else {
            continue;
        };
        for sib in &table.rules {
            if sib.joined_key != rule.joined_key || sib.rule.machine == rule.rule.machine {
                continue;
            }
            let Syscalls::Set(set) = &sib.rule.syscalls else {
                continue;
            };
            for (m, n) in &seen {
                if *m != rule.rule.machine {
                    continue;
                }
                let Some(name) = syscall_name(*m, *n) else {
                    continue;
                };
                if let Some(k) = syscall_number(sib.rule.machine, name) {
                    if set.contains(&k) {
                        per_machine.entry(sib.rule.machine).or_default().insert(k);
                    }
                }
            }
        }
    }
    let mut lines = Vec::new();
    for (m, nums) in &per_machine {
        let names: Vec<String> = nums
            .iter()
            .map(|n| syscall_name(*m, *n).map_or_else(|| n.to_string(), str::to_string))
            .collect();
        lines.push(format!(
            "-A never,exit -F arch={} -S {} -F exe={exe} -k {}",
            arch_word(*m, native),
            names.join(","),
            opts.key
        ));
    }
    let kernel = resolve_lines(&lines, native)?;
    let shadows: Vec<String> = rules
        .iter()
        .filter_map(|r| table.rules.get(*r as usize).map(|x| x.origin.clone()))
        .collect();
    let alternative = match rules.iter().collect::<Vec<_>>().as_slice() {
        [one] => table
            .rules
            .get(**one as usize)
            .map(|r| format!("{}: add -F exe!={exe} to `{}`", r.origin, r.text)),
        _ => None,
    };
    let mut risk = Level::Low;
    let mut why = vec![format!(
        "drops {} of {exe} wherever it runs; a copy of it at another path is still logged",
        per_machine
            .iter()
            .map(|(m, s)| format!(
                "{} ({})",
                s.iter()
                    .map(|n| syscall_name(*m, *n).unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join(","),
                arch_word(*m, native)
            ))
            .collect::<Vec<_>>()
            .join(" and ")
    )];
    if user > 0 {
        risk = Level::Medium;
        why.push(format!(
            "{user} of the events were by logged-in users, whose use of it is dropped too"
        ));
    } else {
        why.push("every event in this log was by a daemon (auid unset)".to_string());
    }
    if rules.len() > 1 {
        risk = Level::Medium;
        why.push(format!("it drops events of {} rules", rules.len()));
    }
    Some(Suggestion {
        what: format!("syscall events of {exe}"),
        lines,
        alternative,
        saved: counts,
        shadows,
        risk,
        risk_text: why.join("; "),
        kernel,
        selects: Selection::Syscalls(sigs.iter().map(|(s, _)| (*s).clone()).collect()),
    })
}

/// Which events each suggestion drops, from the tally entries it removes
/// (the same entries its savings are the sum of): no second matcher. The
/// entries are projected on what the suggested line selects by, as the
/// kernel applies it: a `never` rule at the head of the exit list drops
/// (arch, syscall, exe) whichever rule and login uid the event had; an
/// exclude rule drops (record type, exe), failures included. So events
/// the tally could not break down (a capped table) are dropped too.
#[derive(Debug, Clone, Default)]
pub struct Drops {
    per: Vec<DropSet>,
}

/// Per exe: the (arch, syscall) pairs a `never` suggestion drops, and the
/// record types an exclude suggestion drops (looked up by the event's exe
/// without allocating).
type DropSet = (
    HashMap<Box<str>, HashSet<(u32, u32)>>,
    HashMap<Box<str>, HashSet<RecordType>>,
);

impl Drops {
    /// The entries of each suggestion, in order.
    pub fn new(suggestions: &[Suggestion]) -> Drops {
        Drops {
            per: suggestions
                .iter()
                .map(|s| {
                    let mut d = DropSet::default();
                    match &s.selects {
                        Selection::Syscalls(v) => {
                            for x in v {
                                d.0.entry(x.exe.clone())
                                    .or_default()
                                    .insert((x.arch, x.syscall));
                            }
                        }
                        Selection::Records(v) => {
                            for x in v {
                                d.1.entry(x.exe.clone()).or_default().insert(x.rtype);
                            }
                        }
                    }
                    d
                })
                .collect(),
        }
    }

    /// The suggestions (by index) that drop an event of these entries,
    /// appended to `out`. An exclude suggestion drops records; an event
    /// with any record it drops counts as dropped whole (the events
    /// outside syscalls it selects are user-space messages of one record
    /// each, and counting more as dropped only withholds more).
    pub fn of(&self, sigs: &EventSigs, out: &mut Vec<usize>) {
        for (i, (sys, rec)) in self.per.iter().enumerate() {
            let hit = sigs.syscall.as_ref().is_some_and(|s| {
                sys.get(&s.exe)
                    .is_some_and(|p| p.contains(&(s.arch, s.syscall)))
            }) || sigs
                .records
                .iter()
                .any(|r| rec.get(&r.exe).is_some_and(|t| t.contains(&r.rtype)));
            if hit {
                out.push(i);
            }
        }
    }

    /// How many suggestions.
    pub fn len(&self) -> usize {
        self.per.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.per.is_empty()
    }
}

/// Recompute what the suggestions save together (after some were
/// withheld).
pub fn recombine(advice: &mut Advice, tally: &Tally) {
    advice.combined = combined(&advice.suggestions, tally);
}

fn combined(suggestions: &[Suggestion], tally: &Tally) -> Counts {
    let mut sys: HashSet<&SyscallSig> = HashSet::new();
    let mut rec: HashSet<&RecordSig> = HashSet::new();
    for s in suggestions {
        match &s.selects {
            Selection::Syscalls(v) => sys.extend(v.iter()),
            Selection::Records(v) => rec.extend(v.iter()),
        }
    }
    let a = sum(sys.iter().filter_map(|s| tally.syscall_sigs.map.get(*s)));
    let b = sum(rec.iter().filter_map(|s| tally.record_sigs.map.get(*s)));
    sum([a, b].iter())
}

/// The rule set a profile is checked against, from a table (for rules
/// read from the kernel with `--loaded`).
pub fn set_of(table: &RuleTable) -> RuleSet {
    RuleSet {
        rules: table
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| SetRule {
                rule: r.rule.clone(),
                origin: Origin {
                    file: "kernel".to_string(),
                    line: i as u32 + 1,
                },
                path_may_be_dir: false,
            })
            .collect(),
        ..RuleSet::default()
    }
}

fn with(set: &RuleSet, s: &Suggestion, at: u32) -> RuleSet {
    let mut out = set.clone();
    for (i, k) in s.kernel.iter().enumerate() {
        let r = SetRule {
            rule: k.clone(),
            origin: Origin {
                file: "suggestion".to_string(),
                line: at * 100 + i as u32 + 1,
            },
            path_may_be_dir: false,
        };
        if k.list == auditkit_rules::FilterList::Exit {
            // `-A`: the head of the list.
            out.rules.insert(0, r);
        } else {
            out.rules.push(r);
        }
    }
    out
}

/// Withhold the suggestions that would make a passing item of `profile`
/// fail on `set`: each is applied alone, then all that remain together.
pub fn guard(
    advice: &mut Advice,
    profile: &Profile,
    set: &RuleSet,
    tally: &Tally,
    native: Machine,
) {
    advice.profile = Some(profile.name.clone());
    let cx = CheckContext {
        native,
        host: &NoHost,
        system: &NoSystem,
        require_keys: false,
        loaded: None,
        params: &[],
        strict: false,
    };
    // An item is protected when it passes; it breaks when it stops
    // passing or gains a warning (the checker warns, rather than fails,
    // when a `never` rule drops only part of an item's events: for a
    // suggestion that is exactly what must not happen).
    let before: BTreeMap<String, Vec<String>> = check(profile, set, &cx)
        .into_iter()
        .filter(|r| r.status == Status::Pass)
        .map(|r| (r.id, r.warnings))
        .collect();
    let broken = |s: &RuleSet| -> Vec<String> {
        check(profile, s, &cx)
            .into_iter()
            .filter(|r| match before.get(&r.id) {
                Some(w) => r.status != Status::Pass || r.warnings.iter().any(|x| !w.contains(x)),
                None => false,
            })
            .map(|r| format!("{} {}", r.id, r.title))
            .collect()
    };
    let mut kept = Vec::new();
    for (i, s) in std::mem::take(&mut advice.suggestions)
        .into_iter()
        .enumerate()
    {
        let items = broken(&with(set, &s, i as u32 + 1));
        if items.is_empty() {
            kept.push(s);
        } else {
            advice.withheld.push(Withheld {
                suggestion: s,
                items,
                alerts: Vec::new(),
            });
        }
    }
    // Together: drop from the end until the whole passes.
    loop {
        let mut all = set.clone();
        for (i, s) in kept.iter().enumerate() {
            all = with(&all, s, i as u32 + 1);
        }
        let items = broken(&all);
        if items.is_empty() {
            break;
        }
        let Some(s) = kept.pop() else { break };
        advice.withheld.push(Withheld {
            suggestion: s,
            items,
            alerts: Vec::new(),
        });
    }
    advice.suggestions = kept;
    advice.combined = combined(&advice.suggestions, tally);
}

/// For each rule whose daemon activity (auid unset) alone is over the
/// threshold and that has no auid condition yet: `-F auid!=unset` on it.
/// (CIS items ask for `-F auid>=1000 -F auid!=unset` on most rules: what
/// a login session did, not what daemons do.)
fn auid_hints(table: &RuleTable, tally: &Tally, opts: &Options) -> Vec<Hint> {
    let mut per_rule: BTreeMap<u32, Counts> = BTreeMap::new();
    for (s, c) in &tally.syscall_sigs.map {
        if !s.user {
            let e = per_rule.entry(s.rule).or_default();
            *e = sum([*e, *c].iter());
        }
    }
    let mut hints: Vec<Hint> = per_rule
        .into_iter()
        .filter(|(_, c)| share(*c, tally.total) >= opts.min_share)
        .filter_map(|(i, c)| {
            let r = table.rules.get(i as usize)?;
            if r.rule.get(auditkit_rules::Field::Auid).is_some() {
                return None;
            }
            Some(Hint {
                origin: r.origin.clone(),
                change: format!("add -F auid!=unset to `{}` (drop what daemons do)", r.text),
                saved: c,
            })
        })
        .collect();
    hints.sort_by_key(|h| std::cmp::Reverse(h.saved.bytes));
    hints
}
