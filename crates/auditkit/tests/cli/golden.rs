//! Golden files: what every writer prints for a pinned set of real logs,
//! kept in `tests/golden/`, so that output fidelity is tested on a machine
//! without ausearch (and without the corpus, for the example logs).
//!
//! The five ausearch formats (`--format raw`, the default, `-i`, `--format
//! csv`, `--format text`) were written by the real ausearch 3.0.9 under
//! `LC_ALL=C TZ=UTC`; JSON has no reference tool, so its goldens were
//! written by auditkit itself and reviewed by hand (each diff of a
//! `json.out` is a change of the documented format, docs/json.md, and is
//! reviewed as such).
//!
//! Interpreted output names users and groups. ausearch asks this host's
//! NSS; auditkit here reads `tests/golden/passwd` and `tests/golden/group`
//! (`--passwd/--group`), the entries of the regenerating host whose ids
//! occur in the pinned logs, so the goldens do not depend on the host that
//! checks them.
//!
//! `UPDATE_GOLDEN=1 cargo nextest run -p auditkit golden` rewrites every
//! golden (it needs ausearch, and the corpus) and then checks them as
//! usual; review the diff before committing it. Lines starting with `#`
//! are removed before ausearch reads a file (laurel's test files use them
//! as comments, which auditkit skips; docs/differences.md).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use auditkit_testsupport::fs::{without_comments, TempDir};
use auditkit_testsupport::need;
use auditkit_testsupport::paths::{corpus_path, root_path};
use auditkit_testsupport::run::Run;

/// The pinned logs: a name for the golden directory and where the log is
/// (`examples/` in this repository, or `corpus:` for the shared corpus).
/// Small on purpose: the goldens stay under 2 MB.
pub(crate) const LOGS: &[(&str, &str)] = &[
    ("raw", "examples/raw.log"),
    ("enriched", "examples/enriched.log"),
    (
        "auparse-test",
        "corpus:logs/audit-userspace/auparse/test/test.log",
    ),
    (
        "rhel7",
        "corpus:logs/go-libaudit/auparse/testdata/audit-rhel7.log",
    ),
    (
        "cent7-node",
        "corpus:logs/beats-filebeat-auditd/filebeat/module/auditd/log/test/audit-cent7-node.log",
    ),
    (
        "shell-trace",
        "corpus:logs/laurel/src/testdata/shell-proc-trace.txt",
    ),
    (
        "execve-long",
        "corpus:logs/laurel/src/testdata/record-execve-long.txt",
    ),
    (
        "connect",
        "corpus:logs/laurel/src/testdata/record-connect.txt",
    ),
    (
        "arp-cache",
        "corpus:logs/otrf-security-datasets/sh_arp_cache_2020-11-10074812.log",
    ),
];

/// Every writer: the golden file's name and the search options.
const FORMATS: &[(&str, &[&str])] = &[
    ("raw.out", &["--format", "raw"]),
    ("default.out", &[]),
    ("interpret.out", &["-i"]),
    ("csv.out", &["--format", "csv"]),
    ("text.out", &["--format", "text"]),
    ("json.out", &["--format", "json"]),
];

fn golden_dir() -> PathBuf {
    root_path("crates/auditkit/tests/golden")
}

/// Where a log of [`LOGS`] is.
pub(crate) fn source(src: &str) -> PathBuf {
    match src.strip_prefix("corpus:") {
        Some(rel) => corpus_path(rel),
        None => root_path(src),
    }
}

/// `UPDATE_GOLDEN=1`: write the goldens from the reference tools.
pub(crate) fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Every decimal number in the logs: a superset of the ids any field can
/// name, to keep only those entries of passwd and group.
fn numbers_in(logs: &[PathBuf]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for l in logs {
        let text = String::from_utf8_lossy(&std::fs::read(l).expect("read log")).into_owned();
        for w in text.split(|c: char| !c.is_ascii_digit()) {
            if !w.is_empty() {
                out.insert(w.trim_start_matches('0').to_string());
            }
        }
    }
    out
}

/// The lines of an account file (`name:x:ID:...`) whose id is in `ids`.
fn entries_with(file: &str, ids: &BTreeSet<String>) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .filter(|l| {
            l.split(':')
                .nth(2)
                .is_some_and(|id| ids.contains(id.trim_start_matches('0')))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Rewrite every golden from ausearch (and JSON from auditkit).
fn update(logs: &[(&str, PathBuf)]) {
    need::tool("ausearch").unwrap_or_else(|e| panic!("UPDATE_GOLDEN=1: {e}"));
    need::corpus().unwrap_or_else(|e| panic!("UPDATE_GOLDEN=1: {e}"));
    let dir = golden_dir();
    let paths: Vec<PathBuf> = logs.iter().map(|(_, p)| p.clone()).collect();
    let ids = numbers_in(&paths);
    std::fs::create_dir_all(&dir).expect("golden dir");
    std::fs::write(dir.join("passwd"), entries_with("/etc/passwd", &ids)).expect("passwd");
    std::fs::write(dir.join("group"), entries_with("/etc/group", &ids)).expect("group");
    let tmp = TempDir::new("golden");
    for (name, log) in logs {
        let out = dir.join(name);
        std::fs::create_dir_all(&out).expect("golden dir");
        let clean = without_comments(log, &tmp, name);
        for (file, args) in FORMATS {
            let o = if *file == "json.out" {
                ours(log, args)
            } else {
                Run::new("ausearch")
                    .args(*args)
                    .arg("-if")
                    .arg(&clean)
                    .output()
            };
            // Every pinned log has events: a failed run would write an
            // empty golden that then only checks that we fail the same way.
            assert!(
                o.status.success() && !o.stdout.is_empty(),
                "{name}/{file}: exit {:?}: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            );
            let bytes = o.stdout;
            std::fs::write(out.join(file), bytes).expect("write golden");
        }
    }
}

fn ours(log: &Path, args: &[&str]) -> std::process::Output {
    let dir = golden_dir();
    auditkit!("search")
        .args(args)
        .arg("--passwd")
        .arg(dir.join("passwd"))
        .arg("--group")
        .arg(dir.join("group"))
        .arg("-if")
        .arg(log)
        .output()
}

/// Where `got` first differs from the golden `want`, for the message.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let (w, g) = (String::from_utf8_lossy(want), String::from_utf8_lossy(got));
    let (mut wl, mut gl) = (w.lines(), g.lines());
    for n in 1.. {
        match (wl.next(), gl.next()) {
            (None, None) => break,
            (a, b) if a == b => continue,
            (a, b) => return format!("line {n}:\n  golden: {a:?}\n  ours:   {b:?}"),
        }
    }
    format!("{} vs {} bytes (line ends)", want.len(), got.len())
}

/// Compare every format of these logs with their goldens.
fn check(logs: &[(&str, PathBuf)]) -> usize {
    let dir = golden_dir();
    let mut bad = Vec::new();
    let mut compared = 0;
    for (name, log) in logs {
        for (file, args) in FORMATS {
            let golden = dir.join(name).join(file);
            let want = std::fs::read(&golden).unwrap_or_else(|e| {
                panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", golden.display())
            });
            let got = ours(log, args);
            compared += 1;
            if got.stdout != want {
                bad.push(format!(
                    "{name}/{file}: {}",
                    first_difference(&want, &got.stdout)
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {compared} outputs differ from their goldens (tests/golden; \
         UPDATE_GOLDEN=1 regenerates them from ausearch):\n{}",
        bad.len(),
        bad.join("\n")
    );
    compared
}

#[test]
fn every_writer_matches_its_golden() {
    let all: Vec<(&str, PathBuf)> = LOGS.iter().map(|(n, s)| (*n, source(s))).collect();
    if updating() {
        update(&all);
    }
    // The example logs are in this repository: always checked.
    let (corpus, examples): (Vec<_>, Vec<_>) = LOGS
        .iter()
        .zip(&all)
        .partition(|((_, s), _)| s.starts_with("corpus:"));
    let examples: Vec<(&str, PathBuf)> = examples.into_iter().map(|(_, l)| l.clone()).collect();
    let n = check(&examples);
    eprintln!("golden: {n} example outputs identical");
    require!(corpus);
    let corpus: Vec<(&str, PathBuf)> = corpus.into_iter().map(|(_, l)| l.clone()).collect();
    let n = check(&corpus);
    eprintln!("golden: {n} corpus outputs identical");
}
