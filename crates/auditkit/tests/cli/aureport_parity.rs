//! `auditkit report` against the real aureport 3.0.9: every report and
//! option on every log of the corpus and the examples must give the same
//! stdout, byte for byte, and the same exit status, under
//! `LC_ALL=C TZ=UTC`. Lines starting with `#` are removed from the logs
//! first (laurel's test files use them as comments; aureport reads them
//! as a bogus event, auditkit skips them: docs/differences.md).
//!
//! Error messages go to stderr in both, but aureport also prints its
//! usage on stdout after a command-line error: only the exit status of
//! those is compared (docs/differences.md).

use std::path::{Path, PathBuf};
use std::process::Output;

use auditkit_testsupport::fs::{without_comments, TempDir};
use auditkit_testsupport::paths::{self, root_path};
use auditkit_testsupport::run::Run;

/// Every log: the corpus and the examples, without compressed files.
pub fn logs() -> Vec<PathBuf> {
    let mut out = paths::corpus_logs();
    out.extend(paths::example_logs());
    out.extend(paths::files_under(&root_path("tests/data")));
    out.retain(|p| {
        let s = p.to_string_lossy();
        !s.ends_with(".gz") && !s.ends_with(".zst")
    });
    out.sort();
    out
}

/// The logs without comment lines, in `dir`.
pub fn clean_logs(dir: &TempDir) -> Vec<PathBuf> {
    logs()
        .iter()
        .enumerate()
        .map(|(i, l)| without_comments(l, dir.path(), &format!("log{i}")))
        .collect()
}

fn aureport(args: &[&str], log: &Path) -> Output {
    Run::new("aureport").args(args).arg("-if").arg(log).output()
}

fn ours(args: &[&str], log: &Path) -> Output {
    auditkit!("report").args(args).arg("-if").arg(log).output()
}

/// Compare one invocation on one log; a description of the difference.
fn compare(args: &[&str], log: &Path, orig: &Path) -> Option<String> {
    let a = aureport(args, log);
    let b = ours(args, log);
    if a.stdout == b.stdout && a.status.code() == b.status.code() {
        return None;
    }
    let (w, g) = (
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout),
    );
    let first = w
        .lines()
        .zip(g.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(n, (x, y))| format!("line {}: {x:?} vs {y:?}", n + 1))
        .unwrap_or_else(|| format!("{} vs {} bytes", a.stdout.len(), b.stdout.len()));
    Some(format!(
        "aureport {} on {}: status {:?} vs {:?}; {first}",
        args.join(" "),
        orig.display(),
        a.status.code(),
        b.status.code(),
    ))
}

/// The option sets: every report, in both forms, with the options that
/// change what it counts.
pub const OPTIONS: &[&str] = &[
    "",
    "--failed",
    "--success",
    "-i",
    "-nc",
    "--add",
    "--delete",
    "--node node1",
    "-ts 12/07/16 -te 12/08/16",
    "-ts 04/21/17 04:37:00",
    "-te 04/21/17 04:37:00",
    "-ts 01/01/30",
];

/// Run every option set on every log; the differences.
pub fn differences(options: &[&str]) -> (usize, Vec<String>) {
    let dir = TempDir::new("aureport-parity");
    let originals = logs();
    let logs = clean_logs(&dir);
    let mut bad = Vec::new();
    let mut n = 0;
    for opt in options {
        let args: Vec<&str> = opt.split_whitespace().collect();
        for (log, orig) in logs.iter().zip(&originals) {
            n += 1;
            if let Some(d) = compare(&args, log, orig) {
                bad.push(d);
            }
        }
    }
    (n, bad)
}

#[test]
fn every_option_on_every_log() {
    require!(tool "aureport");
    require!(corpus);
    let (n, bad) = differences(OPTIONS);
    assert!(n > 500, "only {n} comparisons");
    assert!(
        bad.is_empty(),
        "{} of {n} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Command-line errors: the same exit status (aureport prints its usage
/// on stdout, we do not).
#[test]
fn option_errors_exit_like_aureport() {
    require!(tool "aureport");
    let log = root_path("examples/raw.log");
    for args in [
        &["--bogus"][..],
        &["-i", "x"],
        &["--node"],
        &["--escape", "nope"],
        &["-ts"],
        &["--eoe-timeout", "x"],
        &["-ts", "13/45/20"],
    ] {
        let a = aureport(args, &log);
        let b = ours(args, &log);
        assert_eq!(a.status.code(), b.status.code(), "{args:?}");
        assert!(!b.stderr.is_empty(), "{args:?}: no message");
    }
}
