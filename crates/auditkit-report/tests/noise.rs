//! Noise analysis on real logs: the example logs made by the real auditd
//! (tools/gen-test-logs.sh) with the rules that made them, against
//! ausearch as the oracle for what each key's rule made.

use std::sync::Arc;

use auditkit_event::pipeline::{Config, NoOrder};
use auditkit_event::Event;
use auditkit_interp::Machine;
use auditkit_report::noise::facts::Facts;
use auditkit_report::noise::rules::{rule_matches, Match};
use auditkit_report::noise::{
    guard, suggest, Analysis, Caps, Counts, NoRule, NoiseSink, Options, RuleTable, Tally,
};
use auditkit_rules::{lint, parse_file, Layout, NoHost, RuleSet, Severity};
use auditkit_source::{engine, plan, ReadOptions, Report, Source};
use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths::EXAMPLE_RULES as GEN_RULES;
use auditkit_testsupport::run::Run;
use auditkit_testsupport::{paths, require};

pub fn analyse(log: &std::path::Path, rules: &str, caps: Caps, opts: &Options) -> Analysis {
    let set = RuleSet::load(
        &[("gen.rules".to_string(), rules.to_string())],
        Layout::Files,
        Machine::X86_64,
        &NoHost,
    );
    let table = RuleTable::from_set(&set, Machine::X86_64);
    let plan = plan::plan(vec![Source::File(log.to_path_buf())], 0);
    let report = Arc::new(Report::default());
    let all = |_: &Event| true;
    let sink = NoiseSink {
        table: &table,
        caps,
    };
    let cfg = Config {
        threads: 3,
        batch: 7,
        ..Config::default()
    };
    let done = engine::run(
        &plan,
        ReadOptions::default(),
        false,
        report,
        &cfg,
        &all,
        &sink,
        &mut NoOrder,
    )
    .expect("engine");
    let mut tally = Tally::new(table.rules.len(), caps);
    for p in done.parts {
        tally.merge(p);
    }
    let advice = suggest(&table, &tally, opts);
    Analysis {
        table,
        rules_from: "gen.rules".into(),
        tally,
        advice,
        top: 10,
    }
}

/// Events and bytes ausearch finds for `-k key`, without the events that
/// change the rules (their CONFIG_CHANGE carries the key too, and their
/// SYSCALL is auditctl's, not the rule's).
fn ausearch_key(log: &std::path::Path, key: &str) -> (u64, u64) {
    let out = Run::new("ausearch")
        .arg("-if")
        .arg(log)
        .args(["-k", key, "--raw"])
        .output();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut events: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let id = line
            .split("msg=audit(")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap_or("")
            .to_string();
        match events.iter_mut().find(|(i, _)| *i == id) {
            Some((_, l)) => l.push(line.to_string()),
            None => events.push((id, vec![line.to_string()])),
        }
    }
    events.retain(|(_, l)| {
        !l.iter()
            .any(|x| x.split(' ').take(2).any(|w| w == "type=CONFIG_CHANGE"))
    });
    let bytes = events
        .iter()
        // ausearch --raw ends enriched-format records that have no tail
        // with a bare 0x1D the log does not have.
        .flat_map(|(_, l)| {
            l.iter()
                .map(|x| x.strip_suffix('\u{1d}').unwrap_or(x).len() as u64 + 1)
        })
        .sum();
    (events.len() as u64, bytes)
}

fn sum_rules(a: &Analysis) -> Counts {
    let mut t = Counts::default();
    for c in a.tally.rules.iter().chain(a.tally.none.iter()) {
        t.events += c.events;
        t.records += c.records;
        t.bytes += c.bytes;
    }
    t
}

/// Every byte of the log is counted once, and each key's rule made what
/// ausearch finds for that key.
#[test]
fn attribution_by_key_matches_ausearch() {
    require!(tool "ausearch");
    // The same activity written raw, enriched (0x1D tail) and with node=.
    for name in ["raw", "enriched", "node"] {
        let log = paths::root_path(&format!("examples/{name}.log"));
        let data = std::fs::read(&log).expect("example log");
        let a = analyse(&log, GEN_RULES, Caps::default(), &Options::default());
        let t = a.tally.total;
        assert_eq!(t.bytes, data.len() as u64, "{name}");
        assert_eq!(
            t.records,
            data.iter().filter(|&&b| b == b'\n').count() as u64
        );
        assert_eq!(
            sum_rules(&a),
            t,
            "{name}: rules and no-rule lines add up to the total"
        );
        let types: u64 = a.tally.types.map.values().map(|c| c.records).sum();
        assert_eq!(types, t.records);
        let mut checked = 0;
        for (i, r) in a.table.rules.iter().enumerate() {
            let key = r.joined_key.as_deref().expect("every rule has a key");
            // A rule with two keys: ausearch finds it by either.
            let first = key.split('\u{1}').next().unwrap_or(key);
            let (events, bytes) = ausearch_key(&log, first);
            let c = a.tally.rules[i];
            assert_eq!(
                (c.events, c.bytes),
                (events, bytes),
                "{name}: rule {}",
                r.text
            );
            checked += events;
        }
        assert!(checked >= 90, "the example log has about 100 keyed events");
        // Nothing keyed is left without a rule, and user space has its line.
        assert_eq!(a.tally.none_of(NoRule::UserSpace).events, 20, "{name}");
        assert!(a.tally.none_of(NoRule::ConfigChange).events >= 10);
    }
}

/// With the keys gone from both the rules and the log, the fields alone
/// tie every event to the same rule.
#[test]
fn attribution_by_fields_agrees_with_keys() {
    let log = paths::root_path("examples/raw.log");
    let text = std::fs::read_to_string(&log).expect("examples/raw.log");
    let watched = text
        .split(" name=\"")
        .filter_map(|r| r.split('"').next())
        .find(|n| n.ends_with("/watched"))
        .expect("the watched file's PATH record")
        .to_string();
    let keyed = GEN_RULES.replace("/tmp/akgen.watch/watched", &watched);
    let a = analyse(&log, &keyed, Caps::default(), &Options::default());
    let dir = TempDir::new("noise-fields");
    let stripped: String = text
        .lines()
        .map(|l| {
            if l.starts_with("type=SYSCALL") {
                let (head, tail) = l.split_once(" key=").unwrap_or((l, ""));
                let rest = tail.split_once(' ').map_or("", |(_, r)| r);
                if rest.is_empty() {
                    format!("{head} key=(null)\n")
                } else {
                    format!("{head} key=(null) {rest}\n")
                }
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let plain_log = dir.path().join("nokeys.log");
    std::fs::write(&plain_log, stripped).expect("write");
    let unkeyed: String = keyed
        .lines()
        .map(|l| l.split(" -k ").next().unwrap_or(l).to_string() + "\n")
        .collect();
    let b = analyse(&plain_log, &unkeyed, Caps::default(), &Options::default());
    for (i, r) in a.table.rules.iter().enumerate() {
        assert_eq!(
            a.tally.rules[i].events, b.tally.rules[i].events,
            "rule {} by key vs by fields",
            r.text
        );
        assert!(a.tally.by[i][0] == a.tally.rules[i].events);
        assert_eq!(b.tally.by[i][2], b.tally.rules[i].events);
    }
    assert!(a.tally.rules.iter().all(|c| c.events > 0));
}

/// A cap of 3 values per dimension still adds up, says it was capped,
/// and keeps the biggest values.
#[test]
fn capped_dimensions_add_up() {
    let log = paths::root_path("examples/raw.log");
    let full = analyse(&log, GEN_RULES, Caps::default(), &Options::default());
    let caps = Caps {
        per_dimension: 3,
        signatures: 5,
    };
    let a = analyse(&log, GEN_RULES, caps, &Options::default());
    for (name, d) in [
        ("exe", &a.tally.exes),
        ("path", &a.tally.paths),
        ("comm", &a.tally.comms),
    ] {
        assert!(d.capped, "{name}");
        assert!(d.map.len() <= 3, "{name}");
    }
    let exes: u64 =
        a.tally.exes.map.values().map(|c| c.bytes).sum::<u64>() + a.tally.exes.other.bytes;
    let full_exes: u64 = full.tally.exes.map.values().map(|c| c.bytes).sum();
    assert_eq!(exes, full_exes);
    assert!(a.advice.approximate);
    assert!(a.text().contains("(other: too many distinct values)"));
    assert_eq!(a.json()["dimensions"]["exe"]["capped"], true);
}

/// The suggestions: none for shells, interpreters or identity tools, each
/// line loads (lint finds no error), savings add up, and the fragment is
/// a rules file.
#[test]
fn suggestions_are_loadable_and_spare_shells() {
    let log = paths::root_path("examples/raw.log");
    let opts = Options {
        min_share: 0.005,
        ..Options::default()
    };
    let a = analyse(&log, GEN_RULES, Caps::default(), &opts);
    assert!(!a.advice.suggestions.is_empty());
    let frag = a.fragment();
    let (file, errors) = parse_file("noise.rules", &frag);
    assert!(errors.is_empty(), "{errors:?}");
    let findings = lint(&file, Machine::X86_64, &NoHost);
    assert!(
        findings.iter().all(|f| f.severity < Severity::Error),
        "{findings:?}"
    );
    let mut saved = 0;
    for s in &a.advice.suggestions {
        for l in &s.lines {
            assert!(frag.contains(l.as_str()));
            for shell in [
                "/bash", "/dash", "/sh ", "python", "/sudo", "sshd", "runuser", "/env ",
            ] {
                assert!(!l.contains(shell), "{l}");
            }
            assert!(
                l.starts_with("-A never,exit -F arch=") || l.starts_with("-a always,exclude "),
                "{l}"
            );
        }
        assert!(s.saved.events > 0);
        saved += s.saved.bytes;
    }
    assert!(a.advice.combined.bytes <= saved);
    assert!(a.advice.combined.bytes > 0);
    assert!(a
        .advice
        .kept
        .iter()
        .any(|k| k.what.contains("/usr/bin/bash")));
    assert!(a
        .advice
        .kept
        .iter()
        .any(|k| k.what.contains("/usr/bin/sudo")));
    let j = a.json();
    assert_eq!(j["fragment"].as_str(), Some(frag.as_str()));
    assert_eq!(
        j["suggestions"].as_array().map(Vec::len),
        Some(a.advice.suggestions.len())
    );
}

/// With CIS Debian 12, a never rule on execve would defeat 6.2.3.2 (every
/// execve as another user): the suggestions that touch execve are
/// withheld, the others stay, and the set still passes what it passed.
#[test]
fn profile_withholds_what_it_needs() {
    let log = paths::root_path("examples/raw.log");
    let rules = format!(
        "{GEN_RULES}-a always,exit -F arch=b64 -S execve -C euid!=uid -F auid!=unset -k user_emulation\n\
         -a always,exit -F arch=b32 -S execve -C euid!=uid -F auid!=unset -k user_emulation\n"
    );
    let opts = Options {
        min_share: 0.005,
        ..Options::default()
    };
    let mut a = analyse(&log, &rules, Caps::default(), &opts);
    let before = a.advice.suggestions.len();
    let set = RuleSet::load(
        &[("gen.rules".to_string(), rules.clone())],
        Layout::Files,
        Machine::X86_64,
        &NoHost,
    );
    let profile = auditkit_rules::profile::builtin("cis-debian12")
        .expect("shipped")
        .expect("parses");
    guard(&mut a.advice, &profile, &set, &a.tally, Machine::X86_64);
    assert!(!a.advice.withheld.is_empty());
    for w in &a.advice.withheld {
        assert!(
            w.suggestion.lines.iter().any(|l| l.contains("execve")),
            "{:?}",
            w.suggestion.lines
        );
        assert!(
            w.items.iter().any(|i| i.starts_with("6.2.3.2")),
            "{:?}",
            w.items
        );
    }
    assert_eq!(a.advice.suggestions.len() + a.advice.withheld.len(), before);
    for s in &a.advice.suggestions {
        assert!(
            s.lines.iter().all(|l| !l.contains("execve")),
            "{:?}",
            s.lines
        );
    }
    assert!(a.text().contains("Checked against profile cis-debian12"));
}

/// cron's PAM bookkeeping in real RHEL logs (audit-userspace's and
/// go-libaudit's test logs): one exclude suggestion per sender, one line
/// per record type, only fields the exclude list takes, and no line for
/// LOGIN (not bookkeeping).
#[test]
fn cron_session_records_get_exclude_lines() {
    require!(corpus);
    let mut seen = 0;
    for rel in [
        "logs/audit-userspace/auparse/test/test.log",
        "logs/go-libaudit/auparse/testdata/test2.log",
    ] {
        let log = paths::corpus_path(rel);
        let a = analyse(&log, "", Caps::default(), &Options::default());
        let cron: Vec<_> = a
            .advice
            .suggestions
            .iter()
            .filter(|s| s.what.ends_with("from /usr/sbin/crond"))
            .collect();
        assert_eq!(cron.len(), 1, "{rel}: {:?}", a.advice.suggestions);
        let s = cron[0];
        assert!(s.lines.len() >= 4, "{:?}", s.lines);
        for l in &s.lines {
            let words: Vec<&str> = l.split(' ').collect();
            assert_eq!(&words[..3], ["-a", "always,exclude", "-F"], "{l}");
            assert!(words[3].starts_with("msgtype="), "{l}");
            assert_eq!(words[5], "exe=/usr/sbin/crond", "{l}");
            assert!(!l.contains("LOGIN"), "{l}");
        }
        let user: u64 = a.tally.none_of(NoRule::UserSpace).events;
        assert!(s.saved.events <= user && s.saved.events >= 4);
        let (file, errors) = parse_file("noise.rules", &a.fragment());
        assert!(errors.is_empty(), "{errors:?}");
        let findings = lint(&file, Machine::X86_64, &NoHost);
        assert!(
            findings.iter().all(|f| f.severity < Severity::Error),
            "{findings:?}"
        );
        seen += 1;
    }
    assert_eq!(seen, 2);
}

/// The facts of the example log's events, by serial.
fn facts_by_serial(log: &std::path::Path) -> std::collections::HashMap<u64, Facts> {
    struct Collect;
    impl auditkit_event::pipeline::Sink<bool> for Collect {
        type Part = Vec<(u64, Facts)>;
        type Out = ();
        fn part(&self) -> Self::Part {
            Vec::new()
        }
        fn event(&self, p: &mut Self::Part, ev: &Event, _: bool, _: &mut ()) {
            p.push((ev.id().serial, Facts::of(ev)));
        }
        fn clear(&self, _: &mut ()) {}
    }
    let plan = plan::plan(vec![Source::File(log.to_path_buf())], 0);
    let all = |_: &Event| true;
    let done = engine::run(
        &plan,
        ReadOptions::default(),
        false,
        Arc::new(Report::default()),
        &Config::default(),
        &all,
        &Collect,
        &mut NoOrder,
    )
    .expect("engine");
    done.parts.into_iter().flatten().collect()
}

/// Field by field, on real events: a failed open (exit=-13 as uid 1500),
/// sudo's execve (euid 0, uid 1500) and a write to the watched file
/// (PATH names made absolute), against rules that must and must not match.
#[test]
fn fields_compare_as_the_kernel_does() {
    let log = paths::root_path("examples/raw.log");
    let facts = facts_by_serial(&log);
    let text = std::fs::read_to_string(&log).unwrap();
    let watched = text
        .split(" name=\"")
        .filter_map(|r| r.split('"').next())
        .find(|n| n.ends_with("/watched"))
        .unwrap()
        .to_string();
    let dir = watched.trim_end_matches("/watched").to_string();
    let cases: &[(u64, &str, Match)] = &[
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F exit=-EACCES -F auid=1500",
            Match::Yes,
        ),
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F exit=-EPERM",
            Match::No,
        ),
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F success=0 -F auid>=1000 -F auid!=unset",
            Match::Yes,
        ),
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F success=1",
            Match::No,
        ),
        (4758, "-a always,exit -F arch=b32 -S openat", Match::No),
        (4758, "-a always,exit -F arch=b64 -S execve", Match::No),
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F exit<0 -F uid=1500 -F exe=/usr/bin/cat",
            Match::Yes,
        ),
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F exe!=/usr/bin/cat",
            Match::No,
        ),
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F a2=0 -F a0=0xffffff9c",
            Match::Yes,
        ),
        (
            4758,
            "-a always,exit -F arch=b64 -S openat -F a2&1",
            Match::No,
        ),
        (
            4780,
            "-a always,exit -F arch=b64 -S execve -C euid!=uid -F auid!=unset",
            Match::Yes,
        ),
        (
            4780,
            "-a always,exit -F arch=b64 -S execve -C euid=uid",
            Match::No,
        ),
        (
            4780,
            "-a always,exit -F arch=b64 -S execve -F euid=0 -F gid=1500 -F sessionid=7",
            Match::Yes,
        ),
        (
            4780,
            "-a always,exit -F arch=b64 -S execve -F auid=unset",
            Match::No,
        ),
        (
            4780,
            "-a always,exit -F arch=b64 -S execve -F subj_type=unconfined_t",
            Match::Maybe,
        ),
        (
            4736,
            &format!("-a always,exit -F path={watched} -F perm=wa"),
            Match::Maybe,
        ),
        (
            4736,
            &format!("-a always,exit -F arch=b64 -S openat -F path={watched}"),
            Match::Yes,
        ),
        (
            4736,
            &format!("-a always,exit -F arch=b64 -S openat -F dir={dir}"),
            Match::Yes,
        ),
        (
            4736,
            "-a always,exit -F arch=b64 -S openat -F path=/etc/shadow",
            Match::No,
        ),
        (
            4736,
            "-a always,exit -F arch=b64 -S openat -F dir=/etc",
            Match::No,
        ),
    ];
    let mut failures = Vec::new();
    for (serial, rule, want) in cases {
        let set = RuleSet::load(
            &[("t.rules".to_string(), format!("{rule}\n"))],
            Layout::Files,
            Machine::X86_64,
            &NoHost,
        );
        assert_eq!(set.rules.len(), 1, "{rule} loads");
        let f = facts.get(serial).expect("event in the example log");
        let got = rule_matches(&set.rules[0].rule, f);
        if got != *want {
            failures.push(format!("{serial} {rule}: {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// auditd's own sendto calls (auid unset, no key) are tied by fields to an
/// unkeyed rule, and the report hints `-F auid!=unset` on that rule only:
/// the keyed rules' events are all a logged-in user's (auid 1500).
#[test]
fn daemon_activity_hints_an_auid_filter() {
    let log = paths::root_path("examples/raw.log");
    let rules = format!("{GEN_RULES}-a always,exit -F arch=b64 -S sendto\n");
    let opts = Options {
        min_share: 0.001,
        ..Options::default()
    };
    let a = analyse(&log, &rules, Caps::default(), &opts);
    let sendto = a.tally.rules[5];
    assert!(sendto.events >= 1, "auditd's sendto events");
    assert_eq!(a.tally.by[5][2], sendto.events, "tied by fields");
    assert_eq!(a.advice.hints.len(), 1, "{:?}", a.advice.hints);
    let h = &a.advice.hints[0];
    assert_eq!(h.origin, "gen.rules:6");
    assert!(h.change.contains("-F auid!=unset"));
    assert_eq!(h.saved, sendto);
    assert!(a.text().contains("Narrower rules to consider"));
    assert_eq!(a.json()["hints"][0]["saved"]["events"], sendto.events);
}

/// No input makes the analysis panic: every corpus log, whole and with
/// bytes overwritten (a fixed pseudo-random sequence, so a failure
/// repeats), through attribution, suggestions, the profile guard and
/// both renderings.
#[test]
fn damaged_logs_do_not_panic() {
    require!(corpus);
    let dir = TempDir::new("noise-damaged");
    let profile = auditkit_rules::profile::builtin("cis-debian12")
        .expect("shipped")
        .expect("parses");
    let set = RuleSet::load(
        &[("gen.rules".to_string(), GEN_RULES.to_string())],
        Layout::Files,
        Machine::X86_64,
        &NoHost,
    );
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut runs = 0;
    for log in paths::corpus_logs() {
        let Ok(data) = std::fs::read(&log) else {
            continue;
        };
        for round in 0..4 {
            let mut d = data.clone();
            if round > 0 && !d.is_empty() {
                for _ in 0..(d.len() / 50).max(1) {
                    let at = (next() as usize) % d.len();
                    d[at] = b" =\"'\x01\x1d\n0aF)(:"[(next() % 13) as usize];
                }
            }
            let p = dir.path().join("damaged.log");
            std::fs::write(&p, &d).unwrap();
            let mut a = analyse(
                &p,
                GEN_RULES,
                Caps {
                    per_dimension: 4,
                    signatures: 8,
                },
                &Options {
                    min_share: 0.0,
                    ..Options::default()
                },
            );
            guard(&mut a.advice, &profile, &set, &a.tally, Machine::X86_64);
            let _ = a.text();
            let _ = a.json();
            runs += 1;
        }
    }
    assert!(runs >= 40, "{runs} runs");
}
