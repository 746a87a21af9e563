//! The progress line: drawn on a terminal (here a pty made by `script`),
//! erased at the end, absent when stderr is not a terminal or with
//! `--no-progress`.

use std::path::Path;
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_auditkit")
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/raw.log")
        .display()
        .to_string()
}

/// Run `cmd` on a pseudo-terminal and return what appeared on it.
fn on_pty(cmd: &str) -> Option<Vec<u8>> {
    let out = Command::new("script")
        .args(["-qec", cmd, "/dev/null"])
        .env("AUDITKIT_PROGRESS_DELAY_MS", "0")
        .output()
        .ok()?;
    Some(out.stdout)
}

/// What a search of the example log (output to /dev/null) shows on a
/// terminal; `None` (after a SKIP message) without script(1).
fn search_on_pty(flags: &str) -> Option<String> {
    let cmd = format!(
        "{} search {flags} --format raw -if {} > /dev/null",
        bin(),
        example()
    );
    let Some(pty) = on_pty(&cmd) else {
        eprintln!("SKIP: script(1) is not installed (util-linux)");
        return None;
    };
    Some(String::from_utf8_lossy(&pty).into_owned())
}

#[test]
fn drawn_on_a_terminal_and_erased() {
    let Some(text) = search_on_pty("") else {
        return;
    };
    assert!(text.contains("auditkit: "), "{text:?}");
    assert!(text.contains(" MB of "), "{text:?}");
    assert!(text.contains("(100%)"), "{text:?}");
    assert!(
        text.ends_with("\r\x1b[K"),
        "the line is erased at the end: {text:?}"
    );
}

#[test]
fn quiet_with_no_progress() {
    let Some(text) = search_on_pty("--no-progress") else {
        return;
    };
    assert!(!text.contains(" MB of "));
}

#[test]
fn never_on_a_pipe() {
    let out = Command::new(bin())
        .args(["search", "--format", "raw", "-if", &example()])
        .env("AUDITKIT_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains(" MB of "));
}
