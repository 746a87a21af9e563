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
///
/// A `-te` with a date and no time ends at the current time of day, which
/// each tool reads from its own clock (aureport's cannot be pinned), so
/// the two can straddle a second: a pair that differs is run once more,
/// and only a difference seen twice counts.
fn compare(args: &[&str], log: &Path, orig: &Path) -> Option<String> {
    let same = |a: &Output, b: &Output| a.stdout == b.stdout && a.status.code() == b.status.code();
    let (a, b) = (aureport(args, log), ours(args, log));
    if same(&a, &b) {
        return None;
    }
    let (a, b) = (aureport(args, log), ours(args, log));
    if same(&a, &b) {
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

/// Every report (the empty one is the summary report).
pub const REPORTS: &[&str] = crate::report_golden::REPORTS;

/// The options that change what a report counts or prints.
pub const OPTIONS: &[&str] = &[
    "--failed",
    "--success",
    "-nc",
    "--add",
    "--delete",
    "--node node1",
    "--escape shell",
    "--escape shell_quote",
    "--escape raw",
    "-ts 12/07/16 -te 12/08/16",
    "-ts 04/21/17 04:37:00",
    "-te 04/21/17 04:37:00",
    "-ts 01/01/30",
    "--eoe-timeout 1",
];

/// Run every option set on every log; the differences.
pub fn differences(options: &[String], logs: &[(PathBuf, PathBuf)]) -> (usize, Vec<String>) {
    let mut bad = Vec::new();
    let mut n = 0;
    for opt in options {
        let args: Vec<&str> = opt.split_whitespace().collect();
        for (log, orig) in logs {
            n += 1;
            if let Some(d) = compare(&args, log, orig) {
                bad.push(d);
            }
        }
    }
    (n, bad)
}

fn check(options: &[String], logs: &[(PathBuf, PathBuf)], at_least: usize) {
    let (n, bad) = differences(options, logs);
    assert!(n >= at_least, "only {n} comparisons");
    assert!(
        bad.is_empty(),
        "{} of {n} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
    eprintln!("aureport parity: {n} outputs identical");
}

/// The clean logs with their originals, for messages.
fn all_logs(dir: &TempDir) -> Vec<(PathBuf, PathBuf)> {
    clean_logs(dir).into_iter().zip(logs()).collect()
}

/// Every report in its four forms (list, `--summary`, and both with
/// `-i`) on every log.
#[test]
fn every_report_on_every_log() {
    require!(tool "aureport");
    require!(corpus);
    let dir = TempDir::new("aureport-parity");
    let mut opts = Vec::new();
    for r in REPORTS {
        for form in ["", "--summary", "-i", "-i --summary"] {
            opts.push(format!("{r} {form}"));
        }
    }
    check(&opts, &all_logs(&dir), 5000);
}

/// Every option with every report, both forms, on the larger logs (the
/// small ones have too few events for the options to select among).
#[test]
fn every_option_on_every_report() {
    require!(tool "aureport");
    require!(corpus);
    let dir = TempDir::new("aureport-options");
    let mut logs = all_logs(&dir);
    logs.sort_by_key(|(l, _)| std::cmp::Reverse(std::fs::metadata(l).map_or(0, |m| m.len())));
    logs.truncate(12);
    let mut opts = Vec::new();
    for o in OPTIONS {
        for r in REPORTS {
            opts.push(format!("{r} {o}"));
            opts.push(format!("{r} --summary {o}"));
        }
    }
    check(&opts, &logs, 5000);
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

/// A log directory with rotations (the oldest empty of events it owns,
/// the newest empty: aureport's per-file ranges and its last event), and
/// standard input.
#[test]
fn rotations_and_stdin() {
    require!(tool "aureport");
    require!(corpus);
    let dir = TempDir::new("aureport-rotations");
    let logs = clean_logs(&dir);
    let pick = |name: &str| {
        logs.iter()
            .zip(crate::aureport_parity::logs())
            .find(|(_, o)| o.to_string_lossy().ends_with(name))
            .map(|(l, _)| std::fs::read(l).expect("read"))
            .unwrap_or_else(|| panic!("{name} not in the corpus"))
    };
    let d = dir.path().join("audit");
    std::fs::create_dir_all(&d).expect("dir");
    let rhel7 = pick("audit-rhel7.log");
    let ubuntu = pick("audit-ubuntu16.log");
    // The first line of a multi-record event alone, as a rotation can
    // cut one; it completes only at the end of input.
    let head: Vec<u8> = pick("test.log")
        .split(|&b| b == b'\n')
        .next()
        .map(|l| [l, b"\n"].concat())
        .unwrap_or_default();
    let cases: &[(&str, &[&[u8]])] = &[
        ("three", &[&head, &rhel7, &ubuntu]),
        ("last-empty", &[&head, &rhel7, b""]),
    ];
    let mut n = 0;
    for (tag, files) in cases {
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        for (i, data) in files.iter().enumerate() {
            let k = files.len() - 1 - i;
            let name = if k == 0 {
                "audit.log".to_string()
            } else {
                format!("audit.log.{k}")
            };
            std::fs::write(d.join(name), data).expect("write");
        }
        for r in [
            "",
            "-t",
            "-x --summary",
            "-e",
            "-u",
            "-ts 04/21/17 04:37:00",
        ] {
            let args: Vec<&str> = r.split_whitespace().collect();
            let a = Run::new("aureport").args(&args).arg("-if").arg(&d).output();
            let b = auditkit!("report").args(&args).arg("-if").arg(&d).output();
            assert_eq!(
                (String::from_utf8_lossy(&a.stdout), a.status.code()),
                (String::from_utf8_lossy(&b.stdout), b.status.code()),
                "{tag}: {r}"
            );
            n += 1;
        }
    }
    // Standard input: a pipe, as aureport reads it when no -if is given.
    for r in ["", "-t", "-x", "-k --summary"] {
        let args: Vec<&str> = r.split_whitespace().collect();
        let run = |mut c: std::process::Command| {
            let f = std::fs::File::open(&logs[logs.len() / 2]).expect("log");
            let mut child = c
                .args(&args)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn");
            let mut input = child.stdin.take().expect("stdin");
            let mut f = f;
            std::io::copy(&mut f, &mut input).expect("pipe");
            drop(input);
            child.wait_with_output().expect("wait")
        };
        let a = run(Run::new("aureport").command());
        let b = run(auditkit!("report").command());
        assert_eq!(
            (String::from_utf8_lossy(&a.stdout), a.status.code()),
            (String::from_utf8_lossy(&b.stdout), b.status.code()),
            "stdin: {r}"
        );
        n += 1;
    }
    assert_eq!(n, 16);
}
