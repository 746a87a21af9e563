//! The prefilters change no match: every event of the corpus logs, the
//! example logs and tests/data, as logged and with every quoted value
//! hex-encoded (as auditd writes values with special characters), gets
//! the same hits from [`Engine::matches`] as from every rule evaluated on
//! every record and document without routing or prefilter.

use std::path::PathBuf;

use auditkit_testsupport::{paths, require};

use crate::process::Tree;
use crate::{builtin, Engine, Hit, LoadOptions, RuleSet, Scope};

fn engine() -> Engine {
    let mut set = RuleSet::new(LoadOptions::default());
    builtin::add_to(&mut set);
    for d in [
        "sigma/rules/linux",
        "sigma/rules-emerging-threats",
        "sigma/rules-threat-hunting/linux",
    ] {
        set.add_path(&paths::corpus_path(d)).unwrap();
    }
    Engine::new(set, auditkit_host::Accounts::new())
}

fn logs() -> Vec<PathBuf> {
    let mut v = paths::corpus_logs();
    v.extend(paths::example_logs());
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    v.extend(
        paths::files_under(&data)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x == "log")),
    );
    v
}

/// Every `="..."` value of a line written as hex instead.
fn hex_values(log: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(log.len() * 2);
    let mut i = 0;
    while i < log.len() {
        if log[i..].starts_with(b"=\"") {
            if let Some(n) = log[i + 2..].iter().position(|&c| c == b'"' || c == b'\n') {
                if log[i + 2 + n] == b'"' && n > 0 {
                    out.push(b'=');
                    for c in &log[i + 2..i + 2 + n] {
                        out.extend_from_slice(format!("{c:02X}").as_bytes());
                    }
                    i += n + 3;
                    continue;
                }
            }
        }
        out.push(log[i]);
        i += 1;
    }
    out
}

fn check(e: &Engine, name: &str, bytes: &[u8]) -> usize {
    let events = auditkit_event::assemble::assemble_all(bytes, 2);
    let mut tree = Tree::default();
    let mut n = 0;
    for ev in &events {
        tree.observe(ev);
        let mut got: Vec<Hit> = Vec::new();
        e.matches(ev, &tree, Scope::All, &mut got);
        let want = e.matches_every_rule(ev, &tree);
        assert_eq!(got, want, "{name}: event {}", ev.id());
        n += got.len();
        // The workers' split gives the same, with the tree rules left to
        // the ordered stage exactly when they may match.
        let mut split = Vec::new();
        let tree_candidate = e.matches_no_tree(ev, &mut split).tree_candidate;
        let mut rest = Vec::new();
        e.matches(ev, &tree, Scope::TreeOnly, &mut rest);
        assert!(
            tree_candidate || rest.is_empty(),
            "{name}: event {}",
            ev.id()
        );
        split.extend(rest);
        let mut a = got.clone();
        a.sort_by_key(|h| (h.rule, h.record));
        split.sort_by_key(|h| (h.rule, h.record));
        assert_eq!(a, split, "{name}: event {}", ev.id());
    }
    n
}

#[test]
fn prefilters_change_no_match() {
    require!(corpus);
    let e = engine();
    let mut hits = 0;
    for p in logs() {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.display().to_string();
        hits += check(&e, &name, &bytes);
        hits += check(&e, &format!("{name} (hex)"), &hex_values(&bytes));
    }
    assert!(hits > 500, "too few matches to show anything: {hits}");
}
