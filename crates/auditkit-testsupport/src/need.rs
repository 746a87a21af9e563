//! The checks behind [`crate::require!`]: each gives `Ok` with what the
//! test needs, or `Err` with the reason it cannot run here, worded so that
//! a `SKIP` line (or a CI failure) says what to install or change.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Debian package that provides each tool the tests run, for the message.
fn package_of(tool: &str) -> &'static str {
    match tool {
        "ausearch" | "aureport" | "auditctl" | "augenrules" | "auditd" => "apt-get install auditd",
        "audisp-remote" => "apt-get install audispd-plugins",
        "script" => "apt-get install util-linux",
        "sort" | "date" => "apt-get install coreutils",
        _ => "install it",
    }
}

/// The path of `name` on `PATH` (or `name` itself when it holds a `/`),
/// when it is an executable file.
pub fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let exec = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if name.contains('/') {
        let p = PathBuf::from(name);
        return exec(&p).then_some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| exec(p))
}

/// A program on `PATH`; gives its path.
pub fn tool(name: &str) -> Result<PathBuf, String> {
    which(name).ok_or_else(|| {
        format!(
            "{name} is not installed ({}; the tests compare with it)",
            package_of(name)
        )
    })
}

/// The effective user is root (the kernel's audit rules need it).
pub fn root() -> Result<(), String> {
    let euid_is_0 = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(2) == Some("0"));
    if euid_is_0 {
        Ok(())
    } else {
        Err("needs root (the kernel's audit rules)".into())
    }
}

/// Root, auditctl, and a kernel audit subsystem that answers `auditctl -s`
/// with a configuration that is not locked (`enabled 2` cannot be undone
/// before the next boot, so no test may change anything). Gives the
/// `auditctl -s` output.
pub fn kernel_audit() -> Result<String, String> {
    root()?;
    tool("auditctl")?;
    let out = Command::new("auditctl")
        .arg("-s")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run auditctl -s: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "auditctl -s failed, the kernel's audit subsystem is not available: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let status = String::from_utf8_lossy(&out.stdout).into_owned();
    if status.lines().any(|l| l == "enabled 2") {
        return Err("the audit configuration is locked (enabled 2)".into());
    }
    Ok(status)
}

/// The Python the oracle scripts run with.
pub const PYTHON: &str = "/usr/bin/python3";

/// [`PYTHON`] can import `module` (e.g. `auparse`, from python3-audit).
pub fn python_module(module: &str) -> Result<(), String> {
    let ok = Command::new(PYTHON)
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(())
    } else {
        let pkg = if module == "auparse" {
            "apt-get install python3-audit"
        } else {
            "install it"
        };
        Err(format!("{PYTHON} cannot import {module} ({pkg})"))
    }
}

/// A readable file; gives its text.
pub fn file(path: impl AsRef<Path>) -> Result<String, String> {
    let p = path.as_ref();
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

/// The shared corpus exists (with its `logs/` and `rules/`); gives its path.
pub fn corpus() -> Result<PathBuf, String> {
    let c = crate::paths::corpus();
    if c.join("logs").is_dir() && c.join("rules").is_dir() {
        Ok(c)
    } else {
        Err(format!(
            "the shared corpus is not at {} (set AUDITKIT_CORPUS)",
            c.display()
        ))
    }
}
