//! The real kernel as the oracle: load rule files with `auditctl -R`, read
//! `auditctl -l`, and compare with what our model says the kernel holds,
//! line by line; also compare which lines auditctl refused.
//!
//! The test takes an exclusive lock on `/tmp/auditkit-kernel.lock` for its
//! whole run, saves the loaded rules, and puts them back at the end. It
//! never loads `-e`, `-f` or other control lines (they are stripped), and
//! skips with a message when not root or when `auditctl -s` fails.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use auditkit_rules::{
    lint, parse_file, path_kind_of, Accounts, AccountsHost, Command as RuleCommand, LineKind,
    LoadError, Loaded, Machine, Resolver,
};

/// This host as auditctl sees it: the local account files and `stat`.
fn real_host() -> AccountsHost {
    let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
    AccountsHost {
        accounts: Accounts::parse(&read("/etc/passwd"), &read("/etc/group")),
        paths: Box::new(|p| path_kind_of(fs::metadata(p))),
    }
}

fn auditctl(args: &[&str]) -> Option<(bool, String, String)> {
    let out = Command::new("auditctl").args(args).output().ok()?;
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn listing() -> Vec<String> {
    let (_, out, _) = auditctl(&["-l"]).expect("auditctl -l");
    out.lines()
        .filter(|l| *l != "No rules")
        .map(str::to_string)
        .collect()
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(2) == Some("0"))
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
    if !is_root() {
        eprintln!("SKIP: kernel oracle test needs root");
        return;
    }
    match auditctl(&["-s"]) {
        Some((true, _, _)) => {}
        _ => {
            eprintln!("SKIP: auditctl -s failed: the kernel audit system is not available");
            return;
        }
    }
    let lock = File::create("/tmp/auditkit-kernel.lock").expect("lock file");
    lock.lock().expect("flock");
    let (_, status, _) = auditctl(&["-s"]).expect("auditctl -s");
    if status.lines().any(|l| l == "enabled 2") {
        eprintln!("SKIP: audit configuration is immutable (enabled 2)");
        return;
    }
    let saved = listing();
    let dir = std::env::temp_dir().join(format!("auditkit-rules-kernel-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let host = real_host();

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/rules");
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["audit-userspace-3.0.9", "auditd-attack"] {
        let mut v: Vec<PathBuf> = fs::read_dir(root.join(sub))
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "rules"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        files.extend(v);
    }
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
