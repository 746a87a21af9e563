//! Every active SigmaHQ auditd rule against its positive and negative
//! samples (`tests/samples/auditd_rules.txt`: made here from each rule's
//! description, plus the corpus logs where a real one exists).

use std::collections::BTreeMap;

use auditkit_detect::{Engine, Hit, LoadOptions, NoTree, RuleSet, Scope};
use auditkit_testsupport::{paths, require};

struct Block {
    rule: String,
    corpus: Vec<String>,
    /// (positive, the event's lines)
    events: Vec<(bool, String)>,
}

fn blocks() -> Vec<Block> {
    let text = include_str!("samples/auditd_rules.txt");
    let mut out: Vec<Block> = Vec::new();
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("== ") {
            out.push(Block {
                rule: r.to_string(),
                corpus: Vec::new(),
                events: Vec::new(),
            });
            continue;
        }
        let Some(b) = out.last_mut() else { continue };
        if let Some(c) = line.strip_prefix("corpus + ") {
            b.corpus.push(c.to_string());
            continue;
        }
        let (pos, rec) = match line.split_at_checked(2) {
            Some(("+ ", r)) => (true, r),
            Some(("- ", r)) => (false, r),
            _ => continue,
        };
        let id = rec
            .split("msg=audit(")
            .nth(1)
            .and_then(|s| s.split(')').next());
        let prev = b.events.last().and_then(|(p, l)| {
            let pid = l
                .split("msg=audit(")
                .nth(1)
                .and_then(|s| s.split(')').next());
            (*p == pos && pid == id).then_some(())
        });
        match (prev, b.events.last_mut()) {
            (Some(()), Some((_, l))) => {
                l.push_str(rec);
                l.push('\n');
            }
            _ => b.events.push((pos, format!("{rec}\n"))),
        }
    }
    out
}

fn fires(e: &Engine, log: &[u8]) -> bool {
    auditkit_event::assemble::assemble_all(log, 2)
        .iter()
        .any(|ev| {
            let mut hits: Vec<Hit> = Vec::new();
            e.matches(ev, &NoTree, Scope::All, &mut hits);
            !hits.is_empty()
        })
}

#[test]
fn every_active_auditd_rule_has_samples_that_fire_and_samples_that_do_not() {
    require!(corpus);
    let bs = blocks();
    let mut failures = Vec::new();
    let mut seen = BTreeMap::new();
    for b in &bs {
        let mut set = RuleSet::new(LoadOptions::default());
        set.add_path(&paths::corpus_path(&format!("sigma/{}", b.rule)))
            .unwrap();
        let e = Engine::new(set, auditkit_host::Accounts::new());
        assert_eq!(e.rules().len(), 1, "{}", b.rule);
        let (mut pos, mut neg) = (0, 0);
        for (want, log) in &b.events {
            if *want {
                pos += 1;
            } else {
                neg += 1;
            }
            if fires(&e, log.as_bytes()) != *want {
                failures.push(format!("{}: expected {want} for\n{log}", b.rule));
            }
        }
        for c in &b.corpus {
            let log = std::fs::read(paths::corpus_path(c)).unwrap();
            if !fires(&e, &log) {
                failures.push(format!("{}: does not fire on the corpus log {c}", b.rule));
            }
        }
        assert!(pos > 0 && neg > 0, "{}: needs both kinds of sample", b.rule);
        seen.insert(b.rule.clone(), ());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every active rule of the corpus has its block.
    let mut active = Vec::new();
    for d in ["rules/linux/auditd", "rules-emerging-threats"] {
        let mut set = RuleSet::new(LoadOptions::default());
        set.add_path(&paths::corpus_path(&format!("sigma/{d}")))
            .unwrap();
        active.extend(set.rules.into_iter().map(|r| r.meta.source));
    }
    assert_eq!(active.len(), 54);
    for s in active {
        let rel = s.split("/sigma/").nth(1).unwrap_or(&s).to_string();
        assert!(seen.contains_key(&rel), "no samples for {rel}");
    }
}
