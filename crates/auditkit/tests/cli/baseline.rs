//! `auditkit detect --learn-baseline` and `--baseline` on real auditd
//! logs (crates/auditkit-detect/tests/data): the built-in daemon-account
//! rule fires on pos-daemon-exec (`daemon` running `id`, `www-data`
//! running `sh` and `cat`); learned from the events of `daemon` alone,
//! the learned rule is quiet on those and still fires on `www-data`.

use std::path::PathBuf;

use auditkit_testsupport::fs::TempDir;
use serde_json::Value;

const RULE: &str = "Daemon Account Ran an Unusual Program";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../auditkit-detect/tests/data")
        .join(format!("{name}.log"))
}

/// The titles of the alerts `detect` prints for `log`, with `extra`
/// options.
fn titles(extra: &[&str], log: &std::path::Path) -> Vec<String> {
    let mut r = auditkit!("detect", "--format", "json", "--passwd", "/dev/null");
    for e in extra {
        r = r.arg(e);
    }
    let o = r.arg(log).output();
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut t: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["rule"]["title"].as_str().unwrap().to_string()
        })
        .collect();
    t.sort();
    t
}

fn count(t: &[String]) -> usize {
    t.iter().filter(|x| *x == RULE).count()
}

#[test]
fn a_learned_baseline_quiets_what_it_learned_and_nothing_else() {
    let dir = TempDir::new("baseline");
    let full = data("pos-daemon-exec");
    // The events of uid 1 (daemon).
    let o = auditkit!("search", "--raw", "-ui", "1", "-if")
        .arg(&full)
        .output();
    assert_eq!(o.status.code(), Some(0));
    let part = dir.path().join("daemon.log");
    std::fs::write(&part, &o.stdout).unwrap();

    let file = dir.path().join("daemons.yml");
    let o = auditkit!("detect", "--passwd", "/dev/null", "--learn-baseline")
        .arg(&file)
        .arg(&part)
        .output();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(o.stdout.is_empty(), "learning prints no alerts");
    assert!(
        err.contains("learned 1 program(s) of 1 account(s)"),
        "{err}"
    );
    let learned = std::fs::read_to_string(&file).unwrap();
    assert!(
        learned.contains("    filter_learned_1:\n        User: 'daemon'\n        Image:\n            - '/usr/bin/id'\n"),
        "{learned}"
    );

    let base = file.to_str().unwrap();
    let learned_on = |log: &PathBuf| titles(&["--baseline", base], log);
    let (part_before, part_after) = (titles(&[], &part), learned_on(&part));
    let (full_before, full_after) = (titles(&[], &full), learned_on(&full));
    assert!(count(&part_before) > 0, "{part_before:?}");
    assert_eq!(count(&part_after), 0, "{part_after:?}");
    assert!(
        count(&full_after) > 0,
        "www-data still fires: {full_after:?}"
    );
    assert_eq!(
        count(&full_after),
        count(&full_before) - count(&part_before),
        "{full_before:?} {full_after:?}"
    );
    // The other built-ins are untouched.
    let others =
        |t: &[String]| -> Vec<String> { t.iter().filter(|x| *x != RULE).cloned().collect() };
    assert_eq!(others(&full_before), others(&full_after));

    // Nothing to learn: the learned rule is the built-in one.
    let o = auditkit!("detect", "--learn-baseline")
        .arg(&file)
        .arg(data("neg-daemon-exec"))
        .output();
    assert_eq!(o.status.code(), Some(0));
    assert!(!std::fs::read_to_string(&file)
        .unwrap()
        .contains("filter_learned"));

    // A baseline replaces a built-in: with --rules alone it is refused.
    let o = auditkit!("detect", "--baseline", base, "--rules", base)
        .arg(&full)
        .output();
    assert_ne!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--builtin"));
}
