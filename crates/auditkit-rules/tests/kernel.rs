//! The real kernel as the oracle: load rule files with `auditctl -R`, read
//! `auditctl -l`, and compare with what our model says the kernel holds,
//! line by line; also compare which lines auditctl refused.
//!
//! The test takes an exclusive lock on `/tmp/auditkit-kernel.lock` for its
//! whole run, saves the loaded rules, and puts them back at the end. It
//! never loads `-e`, `-f` or other control lines (they are stripped), and
//! skips with a message when not root or when `auditctl -s` fails (a
//! failure under `AUDITKIT_REQUIRE_ORACLES=1`).

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use auditkit_rules::{
    lint, parse_file, AccountsHost, Command as RuleCommand, LineKind, LoadError, Loaded, Machine,
    Resolver,
};
use auditkit_testsupport::kernel::{self as common, real_host};
use auditkit_testsupport::{kernel_lock, paths, require};

/// auditctl's answer (`Some` to keep the callers' shape: it always runs,
/// [`require!`] checked it is installed).
fn auditctl(args: &[&str]) -> Option<(bool, String, String)> {
    Some(common::auditctl(args))
}

fn listing() -> Vec<String> {
    common::auditctl_listing()
}

fn write_rules(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).expect("write rules");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).expect("chmod");
    p
}

/// Keep only rule lines (no control lines: they change global kernel state),
/// drop rules on paths this host lacks, and start with `-c` so auditctl goes
/// on after an error. Line numbers are kept (dropped lines become comments).
fn loadable_text(name: &str, text: &str, host: &AccountsHost, native: Machine) -> String {
    let (file, _) = parse_file(name, text);
    let missing: BTreeSet<u32> = lint(&file, native, host)
        .iter()
        .filter(|f| f.code == "AR216")
        .map(|f| f.span.line)
        .collect();
    let mut out = String::from("-c\n");
    for line in &file.lines {
        let keep = match &line.kind {
            LineKind::Command(RuleCommand::Rule(_)) => !missing.contains(&line.number),
            LineKind::Invalid => true,
            _ => false,
        };
        out.push_str(if keep { &line.text } else { "#" });
        out.push('\n');
    }
    out
}

fn refused_lines(stderr: &str) -> BTreeSet<u32> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("There was an error in line "))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

fn check_file(
    dir: &Path,
    name: &str,
    text: &str,
    host: &AccountsHost,
    failures: &mut Vec<String>,
    total: &mut usize,
) {
    let native = Machine::native();
    let loadable = loadable_text(name, text, host, native);
    let path = write_rules(dir, "load.rules", &loadable);
    auditctl(&["-D"]).expect("auditctl -D");
    let (_, _, stderr) = auditctl(&["-R", path.to_str().unwrap_or_default()]).expect("auditctl -R");
    let actual = listing();
    auditctl(&["-D"]).expect("auditctl -D");

    let (file, parse_errors) = parse_file(name, &loadable);
    let mut loaded = Loaded::new();
    // auditctl 3.0.9 refuses unknown user and group names, but only
    // sometimes says which line failed (it depends on errno after the NSS
    // lookup); the listing comparison checks those rules stayed out.
    let silent = |e: &LoadError| matches!(e, LoadError::Rejected(r) if r.iter().all(|r| r.code == "AR123" || r.code == "AR124"));
    let errors = loaded.load_file(&file, &Resolver { native, host });
    let silent_lines: BTreeSet<u32> = errors
        .iter()
        .filter(|e| silent(&e.1))
        .map(|e| e.0)
        .collect();
    let silently_refused = silent_lines.len();
    let mut ours_refused: BTreeSet<u32> = errors
        .iter()
        .filter(|e| !silent(&e.1))
        .map(|e| e.0)
        .collect();
    ours_refused.extend(parse_errors.iter().map(|e| e.line));
    let expected = loaded.listing(native);

    let theirs_refused: BTreeSet<u32> = refused_lines(&stderr)
        .difference(&silent_lines)
        .copied()
        .collect();
    eprintln!(
        "{name}: {} rules listed, refused: ours {ours_refused:?} (+{silently_refused} unknown names), auditctl {theirs_refused:?}",
        actual.len()
    );
    *total += actual.len();
    if expected != actual {
        let i = (0..expected.len().max(actual.len()))
            .find(|&i| expected.get(i) != actual.get(i))
            .unwrap_or(0);
        failures.push(format!(
            "{name}: listing differs at rule {i}:\n  ours:   {:?}\n  kernel: {:?}\n  ({} vs {} rules)",
            expected.get(i),
            actual.get(i),
            expected.len(),
            actual.len()
        ));
    }
    if ours_refused != theirs_refused {
        failures.push(format!("{name}: refused lines differ: ours {ours_refused:?}, auditctl {theirs_refused:?}\n{stderr}"));
    }
}

#[test]
fn kernel_listing_matches_canonical_printing() {
    require!(kernel_audit);
    let _lock = kernel_lock();
    // Checked again under the lock: nothing may change it from now on.
    require!(kernel_audit);
    let saved = listing();
    let dir = std::env::temp_dir().join(format!("auditkit-rules-kernel-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let host = real_host();

    let root = require!(corpus).join("rules");
    let mut files: Vec<PathBuf> = paths::corpus_rule_files("audit-userspace-3.0.9");
    files.extend(paths::corpus_rule_files("auditd-attack"));
    files.push(root.join("neo23x0/audit.rules"));
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tricky.rules"));

    let mut failures = Vec::new();
    let mut checked = 0;
    let mut total = 0;
    let mut in_files = 0;
    for f in &files {
        let Ok(text) = fs::read_to_string(f) else {
            continue;
        };
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        in_files += parse_file(&name, &text).0.rules().count();
        check_file(&dir, &name, &text, &host, &mut failures, &mut total);
        checked += 1;
    }

    // Restore exactly what was loaded before.
    auditctl(&["-D"]).expect("auditctl -D");
    if !saved.is_empty() {
        let p = write_rules(&dir, "restore.rules", &(saved.join("\n") + "\n"));
        auditctl(&["-R", p.to_str().unwrap_or_default()]).expect("restore");
    }
    let restored = listing();
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(
        restored, saved,
        "the rules loaded before the test were not restored"
    );
    assert!(checked >= 30, "only {checked} files checked");
    // How many rules load depends on the host (its paths and users); the
    // files hold the same number everywhere. Most of them must be compared.
    assert!(
        total * 2 > in_files,
        "only {total} of the files' {in_files} rules compared"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
