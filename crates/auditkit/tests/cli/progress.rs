//! The progress line: drawn on a terminal (here a pty made by `script`),
//! erased at the end, absent when stderr is not a terminal or with
//! `--no-progress`.

use auditkit_testsupport::paths::root_path;
use auditkit_testsupport::run::Run;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_auditkit")
}

fn example() -> String {
    root_path("examples/raw.log").display().to_string()
}

/// Run `cmd` on a pseudo-terminal made by script(1) and return what
/// appeared on it.
fn on_pty(cmd: &str) -> Vec<u8> {
    Run::new("script")
        .args(["-qec", cmd, "/dev/null"])
        .env("AUDITKIT_PROGRESS_DELAY_MS", "0")
        .output()
        .stdout
}

/// What a search of the example log (output to /dev/null) shows on a
/// terminal.
fn search_on_pty(flags: &str) -> String {
    let cmd = format!(
        "{} search {flags} --format raw -if {} > /dev/null",
        bin(),
        example()
    );
    String::from_utf8_lossy(&on_pty(&cmd)).into_owned()
}

#[test]
fn drawn_on_a_terminal_and_erased() {
    require!(tool "script");
    let text = search_on_pty("");
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
    require!(tool "script");
    let text = search_on_pty("--no-progress");
    assert!(!text.contains(" MB of "));
}

#[test]
fn never_on_a_pipe() {
    let out = auditkit!("search", "--format", "raw", "-if", &example())
        .env("AUDITKIT_PROGRESS_DELAY_MS", "0")
        .output();
    assert!(!String::from_utf8_lossy(&out.stderr).contains(" MB of "));
}
