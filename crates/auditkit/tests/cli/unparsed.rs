//! Lines that are not audit records are never dropped silently: they are
//! counted, `--debug` names each with its file and line, and
//! `--keep-unparsed` prints them at the place they were read, while the
//! events around them come out exactly as from the clean log.

use std::path::{Path, PathBuf};
use std::process::Output;

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths::root_path;

fn auditkit(args: &[&str], log: &Path) -> Output {
    auditkit!("search").args(args).arg("-if").arg(log).output()
}

const GARBAGE: [&str; 3] = [
    "this is not an audit record",
    "type=SYSCALL msg=audit(broken): arch=c000003e",
    "-- cut here --",
];

/// The real example log with a garbage line before everything, one
/// between the records of an event, and one at the end. Returns the path
/// and the 1-based line numbers of the garbage.
fn damaged_log(dir: &Path) -> (PathBuf, [usize; 3]) {
    let clean = std::fs::read_to_string(root_path("examples/raw.log")).expect("examples/raw.log");
    let mut lines: Vec<&str> = clean.lines().collect();
    // Between a SYSCALL and the next record of its event.
    let mid = lines
        .iter()
        .position(|l| l.starts_with("type=SYSCALL"))
        .expect("a SYSCALL record")
        + 1;
    lines.insert(mid, GARBAGE[1]);
    lines.insert(0, GARBAGE[0]);
    lines.push(GARBAGE[2]);
    let at = [1, mid + 2, lines.len()];
    let path = dir.join("damaged.log");
    std::fs::write(&path, lines.join("\n") + "\n").expect("writing the log");
    (path, at)
}

#[test]
fn unparsed_lines_are_counted_named_and_kept() {
    let dir = TempDir::new("unparsed");
    let (log, at) = damaged_log(&dir);
    let clean = auditkit(&["--format", "raw"], &root_path("examples/raw.log"));
    assert!(clean.status.success());

    // Default: the events are those of the clean log, and the skipped
    // lines are counted on stderr.
    let plain = auditkit(&["--format", "raw"], &log);
    assert_eq!(plain.stdout, clean.stdout);
    let err = String::from_utf8_lossy(&plain.stderr);
    assert!(err.contains("3 line(s) were not audit records"), "{err}");

    // --debug names each line.
    let debug = auditkit(&["--format", "raw", "--debug"], &log);
    let err = String::from_utf8_lossy(&debug.stderr);
    for n in at {
        let want = format!("{}:{n}:", log.display());
        assert!(err.contains(&want), "missing {want} in {err}");
    }

    // --keep-unparsed prints every garbage line once, at the point of the
    // output stream where it was read: before any event completed later
    // (so before the event whose records it interrupts), and without them
    // the output is the clean one.
    let kept = auditkit(&["--format", "raw", "--keep-unparsed"], &log);
    let out = String::from_utf8_lossy(&kept.stdout);
    let lines: Vec<&str> = out.lines().collect();
    for g in GARBAGE {
        assert_eq!(lines.iter().filter(|l| **l == g).count(), 1, "{g}");
    }
    let pos = |g: &str| lines.iter().position(|l| *l == g);
    assert_eq!(pos(GARBAGE[0]), Some(0));
    assert!(pos(GARBAGE[1]) < pos(GARBAGE[2]));
    let interrupted = std::fs::read_to_string(&log).expect("log");
    let syscall = interrupted
        .lines()
        .nth(at[1] - 2)
        .expect("the record before the garbage");
    assert!(pos(GARBAGE[1]) < pos(syscall), "{out}");
    let without: String = lines
        .iter()
        .filter(|l| !GARBAGE.contains(l))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(without.as_bytes(), clean.stdout.as_slice());

    // The one-thread path (checkpoints, --follow) names and keeps them too.
    let cp = dir.join("cp");
    let cp = cp.to_string_lossy();
    let kept = auditkit(
        &[
            "--format",
            "raw",
            "--keep-unparsed",
            "--debug",
            "--checkpoint",
            &cp,
        ],
        &log,
    );
    let out = String::from_utf8_lossy(&kept.stdout);
    for g in GARBAGE {
        assert_eq!(out.lines().filter(|l| *l == g).count(), 1, "{g}");
    }
    let err = String::from_utf8_lossy(&kept.stderr);
    for n in at {
        let want = format!("{}:{n}:", log.display());
        assert!(err.contains(&want), "missing {want} in {err}");
    }
}
