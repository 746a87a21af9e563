//! `require!` skips with a reason, and `AUDITKIT_REQUIRE_ORACLES=1` turns
//! that skip into a failure: checked by running one test of this binary
//! again in a child process, once each way.

use std::process::{Command, Output};

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::{paths, require};

const MISSING: &str = "auditkit-testsupport-no-such-tool";

/// Run only by the two tests below, in a child process.
#[test]
#[ignore = "run in a child process by the tests below"]
fn needs_a_missing_tool() {
    require!(tool MISSING);
    panic!("require! let a missing tool through");
}

fn child(require_oracles: &str) -> Output {
    Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "needs_a_missing_tool",
            "--ignored",
            "--nocapture",
        ])
        .env("AUDITKIT_REQUIRE_ORACLES", require_oracles)
        .output()
        .expect("run this test binary")
}

#[test]
fn a_skip_passes_and_says_why() {
    for off in ["", "0"] {
        let o = child(off);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert!(
            err.contains("SKIP needs_a_missing_tool: ")
                && err.contains(&format!("{MISSING} is not installed")),
            "{err}"
        );
    }
}

#[test]
fn require_oracles_turns_a_skip_into_a_failure() {
    let o = child("1");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("AUDITKIT_REQUIRE_ORACLES=1 makes a skip a failure"),
        "{out}"
    );
    assert!(!out.contains("let a missing tool through"), "{out}");
}

#[test]
fn paths_are_found_from_the_workspace() {
    let root = paths::workspace_root();
    assert!(root
        .join("crates/auditkit-testsupport/Cargo.toml")
        .is_file());
    assert!(
        paths::corpus().ends_with("shared/corpus") || std::env::var_os("AUDITKIT_CORPUS").is_some()
    );
    for p in paths::example_logs() {
        assert!(p.is_file(), "{}", p.display());
    }
}

#[test]
fn temp_dirs_are_distinct_and_removed() {
    let (a, b) = (TempDir::new("t"), TempDir::new("t"));
    assert_ne!(a.path(), b.path());
    std::fs::write(a.join("f"), "x").expect("write");
    let p = a.path().to_path_buf();
    drop(a);
    assert!(!p.exists());
}
