//! The engine as `auditkit search` uses it: real line numbers after a
//! `-ts` seek, read errors while following, cut over-long lines, and the
//! exit statuses in the help (issue 8).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ak-engine-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn auditkit(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditkit"))
        .args(args)
        .current_dir(dir)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .output()
        .expect("running auditkit")
}

const T0: u64 = 1_700_000_000;

/// A log of `n` one-record events, ten per second from T0, with a line
/// that is not a record at each of the 1-based line numbers in `garbage`.
fn long_log(n: u64, garbage: &[u64]) -> String {
    let mut s = String::new();
    let mut line = 0u64;
    for i in 0..n {
        line += 1;
        if garbage.contains(&line) {
            s.push_str("this is not an audit record\n");
            line += 1;
        }
        s.push_str(&format!(
            "type=USER_LOGIN msg=audit({}.{:03}:{}): pid=1 uid=0 auid=1000 ses=1 msg='op=login acct=\"u\" exe=\"/usr/sbin/sshd\" hostname=h addr=10.0.0.1 terminal=ssh res=success'\n",
            T0 + i / 10,
            (i % 10) * 100,
            i + 1
        ));
    }
    s
}

/// Issue 8, item 7: after a `-ts` seek, `--debug` numbered lines from the
/// seek point instead of the file's start.
#[test]
fn debug_line_numbers_after_a_seek_are_the_files() {
    let dir = tmpdir("seek");
    // 8000 lines of ~190 bytes: 1.5 MB, so the in-file binary search runs.
    let garbage = 7500;
    std::fs::write(dir.join("audit.log"), long_log(8000, &[garbage])).unwrap();
    // 700 s in: the seek lands near line 6400 (60 s of slack before).
    let out = auditkit(
        &[
            "search",
            "-if",
            "audit.log",
            "-ts",
            "11/14/2023",
            "22:25:00",
            "--format",
            "raw",
            "--debug",
        ],
        &dir,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // The seek really skipped part of the file.
    let read: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("auditkit: read "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the --debug statistics line");
    let size = std::fs::metadata(dir.join("audit.log")).unwrap().len();
    assert!(read < size / 2, "read {read} of {size}: no seek");
    assert!(
        err.contains(&format!("skipped audit.log:{garbage}: ")),
        "want line {garbage}:\n{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 8, item 7: following turned a read error into "no data" and went
/// on for ever in silence. The followed path becomes a directory (reads
/// fail with EISDIR): the error is reported and the search ends with a
/// failure status.
#[test]
fn follow_reports_a_read_error() {
    let dir = tmpdir("follow-err");
    let log = dir.join("audit.log");
    std::fs::write(&log, long_log(3, &[])).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditkit"))
        .args(["search", "-if", "audit.log", "--follow", "--format", "raw"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    std::fs::remove_file(&log).unwrap();
    std::fs::create_dir(&log).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let status = status.unwrap_or_else(|| panic!("still following after a read error:\n{err}"));
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("audit.log") && err.contains("Is a directory"),
        "{err}"
    );
    // What came before the error was printed.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A line far longer than any record is cut, named by file and line, and
/// the records around it are still found; memory does not follow the
/// line's length.
#[test]
fn an_endless_line_is_cut_and_named() {
    let dir = tmpdir("long");
    let mut f = std::fs::File::create(dir.join("audit.log")).unwrap();
    f.write_all(long_log(2, &[]).as_bytes()).unwrap();
    f.write_all(&vec![b'x'; 3 << 20]).unwrap();
    f.write_all(b"\n").unwrap();
    f.write_all(long_log(1, &[]).replace(":1)", ":99)").as_bytes())
        .unwrap();
    drop(f);
    let out = auditkit(
        &[
            "search",
            "-if",
            "audit.log",
            "--format",
            "raw",
            "-m",
            "USER_LOGIN",
        ],
        &dir,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert!(
        err.contains("audit.log:3: a line of 3145728 bytes was cut to 1048576 bytes"),
        "{err}"
    );
    // The cap is an option.
    let out = auditkit(
        &[
            "search",
            "-if",
            "audit.log",
            "--format",
            "raw",
            "--max-line",
            "100",
        ],
        &dir,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("audit.log:3: a line of 3145728 bytes was cut to 100 bytes"),
        "{err}"
    );
    // Records are longer than 100 bytes here: each is cut and named too.
    assert!(err.contains("audit.log:1: a line of "), "{err}");
    // A file of nothing but long lines: the first 20 are named, the
    // rest counted.
    std::fs::write(dir.join("many.log"), long_log(50, &[])).unwrap();
    let out = auditkit(
        &[
            "search",
            "-if",
            "many.log",
            "--format",
            "raw",
            "--max-line",
            "50",
        ],
        &dir,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches(": a line of ").count(), 20, "{err}");
    assert!(err.contains("auditkit: 30 more line(s) were cut"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_lists_every_exit_status() {
    let dir = tmpdir("help");
    for args in [&["search", "--help"][..], &["--help"][..]] {
        let out = auditkit(args, &dir);
        let text = String::from_utf8_lossy(&out.stdout);
        for code in ["0", "1", "2", "3", "10", "11", "12", "70"] {
            assert!(
                text.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{code} "))),
                "{args:?}: status {code} missing"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 8, item 7: `auditkit help rules` printed the top-level help.
#[test]
fn help_rules_is_the_rules_help() {
    let dir = tmpdir("help-rules");
    let out = auditkit(&["help", "rules"], &dir);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("auditkit rules:"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
