//! Golden files of `auditkit report`: every report of aureport, in both
//! forms, on a pinned set of real logs, as the real aureport 3.0.9 wrote
//! them under `LC_ALL=C TZ=UTC`, kept in `tests/golden/report/`, so the
//! fidelity is tested on a machine without aureport (and, for the
//! examples, without the corpus).
//!
//! One file per log: each report's output under a line
//! `### aureport ARGS (exit N)`. `-i` is left out: its names come from the
//! host's passwd (the oracle tests cover it).
//!
//! `UPDATE_GOLDEN=1 cargo nextest run -p auditkit report_golden` rewrites
//! them from aureport (which it then needs, and the corpus); review the
//! diff before committing it.

use std::path::{Path, PathBuf};

use auditkit_testsupport::fs::{without_comments, TempDir};
use auditkit_testsupport::need;
use auditkit_testsupport::paths::root_path;

use crate::golden::{source, updating, LOGS};
use auditkit_testsupport::run::Run;

/// The pinned logs: the search goldens' ([`crate::golden::LOGS`]) but
/// their two files of one laurel record, and with examples/node.log.
fn logs() -> Vec<(&'static str, &'static str)> {
    let one_record = ["execve-long", "connect"];
    let mut v: Vec<_> = LOGS
        .iter()
        .copied()
        .filter(|(n, _)| !one_record.contains(n))
        .collect();
    v.insert(2, ("node", "examples/node.log"));
    v
}

/// Every report (the empty one is the summary report).
pub const REPORTS: &[&str] = &[
    "",
    "-au",
    "-a",
    "-c",
    "-cr",
    "-e",
    "-f",
    "-h",
    "-k",
    "-l",
    "-m",
    "-ma",
    "-n",
    "-p",
    "-r",
    "-s",
    "-t",
    "-tm",
    "-u",
    "-x",
    "--comm",
    "--tty",
    "--virt",
    "--integrity",
];

fn golden(name: &str) -> PathBuf {
    root_path("crates/auditkit/tests/golden/report").join(format!("{name}.out"))
}

/// Every invocation of a golden file.
fn invocations() -> Vec<Vec<&'static str>> {
    let mut v = Vec::new();
    for r in REPORTS {
        let r: Vec<&str> = r.split_whitespace().collect();
        v.push(r.clone());
        if !matches!(r.first(), Some(&"-t" | &"--tty")) {
            let mut s = r.clone();
            s.push("--summary");
            v.push(s);
        }
    }
    v
}

/// The text of a golden: every invocation of `run` on `log`. The log's
/// name is replaced by `LOG` (the -t report prints it).
fn render(log: &Path, run: impl Fn(&[&str], &Path) -> std::process::Output) -> Vec<u8> {
    let mut out = Vec::new();
    let shown = log.display().to_string();
    for args in invocations() {
        let o = run(&args, log);
        let text = String::from_utf8_lossy(&o.stdout).replace(&shown, "LOG");
        out.extend_from_slice(
            format!(
                "### aureport {} (exit {})\n",
                args.join(" "),
                o.status.code().unwrap_or(-1)
            )
            .as_bytes(),
        );
        out.extend_from_slice(text.as_bytes());
    }
    out
}

fn aureport(args: &[&str], log: &Path) -> std::process::Output {
    Run::new("aureport").args(args).arg("-if").arg(log).output()
}

fn ours(args: &[&str], log: &Path) -> std::process::Output {
    auditkit!("report").args(args).arg("-if").arg(log).output()
}

#[test]
fn every_report_matches_its_golden() {
    let updating = updating();
    let tmp = TempDir::new("report-golden");
    let mut checked = 0;
    let mut bad = Vec::new();
    for (name, src) in logs() {
        if src.starts_with("corpus:") && need::corpus().is_err() {
            continue;
        }
        // Both read the same copy without comment lines, under one name.
        let log = without_comments(&source(src), tmp.path(), name);
        if updating {
            need::tool("aureport").unwrap_or_else(|e| panic!("UPDATE_GOLDEN=1: {e}"));
            let g = golden(name);
            std::fs::create_dir_all(g.parent().expect("dir")).expect("golden dir");
            std::fs::write(&g, render(&log, aureport)).expect("write golden");
        }
        let want = std::fs::read(golden(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (UPDATE_GOLDEN=1 writes it)"));
        let got = render(&log, ours);
        checked += 1;
        if want != got {
            let (w, g) = (
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got),
            );
            let diff = w
                .lines()
                .zip(g.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .map(|(n, (a, b))| format!("line {}: golden {a:?}, ours {b:?}", n + 1))
                .unwrap_or_else(|| format!("{} vs {} bytes", want.len(), got.len()));
            bad.push(format!("{name}: {diff}"));
        }
    }
    assert!(checked >= 3, "only {checked} logs checked");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    require!(corpus);
}
