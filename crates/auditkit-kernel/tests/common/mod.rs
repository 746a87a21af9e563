//! Shared by the kernel tests: the lock, root and audit checks, auditctl as
//! the oracle, the host as auditctl sees it, a guard that puts the rules
//! and settings back, and the corpus files made loadable on this host.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use auditkit_kernel::{restore, Audit, ListedRule, Status};
use auditkit_rules::{
    lint, parse_file, path_kind_of, AccountsHost, Command as RuleCommand, LineKind, Loaded,
    Machine, Resolver,
};

/// This host as auditctl sees it.
pub type RealHost = AccountsHost;

/// The local account files and `stat`.
pub fn real_host() -> RealHost {
    AccountsHost {
        accounts: auditkit_host::HostPaths::this_host()
            .accounts()
            .unwrap_or_default(),
        paths: Box::new(|p| path_kind_of(fs::metadata(p))),
    }
}

pub fn auditctl(args: &[&str]) -> (bool, String, String) {
    let out = Command::new("auditctl")
        .args(args)
        .output()
        .expect("run auditctl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `auditctl -l` as lines, without "No rules".
pub fn auditctl_listing() -> Vec<String> {
    let (_, out, _) = auditctl(&["-l"]);
    out.lines()
        .filter(|l| *l != "No rules")
        .map(str::to_string)
        .collect()
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(2) == Some("0"))
}

/// Everything a kernel test holds while it runs. Dropping it puts back the
/// rules (byte for byte) and the settings that were there.
pub struct Session {
    pub audit: Audit,
    pub saved: Vec<ListedRule>,
    pub status: Status,
    pub dir: PathBuf,
    _lock: File,
}

impl Session {
    /// Take the lock and save the state, or say why the test is skipped.
    pub fn start(name: &str) -> Option<Session> {
        if !is_root() {
            eprintln!("SKIP {name}: needs root");
            return None;
        }
        let mut audit = match Audit::open(Machine::native()) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("SKIP {name}: {e}");
                return None;
            }
        };
        let lock = File::create("/tmp/auditkit-kernel.lock").expect("lock file");
        lock.lock().expect("flock");
        let status = match audit.status() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("SKIP {name}: the audit netlink socket does not answer: {e}");
                return None;
            }
        };
        if status.enabled == 2 {
            eprintln!("SKIP {name}: the audit configuration is locked (enabled 2)");
            return None;
        }
        let saved = audit.list().expect("list rules");
        let dir =
            std::env::temp_dir().join(format!("auditkit-kernel-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        Some(Session {
            audit,
            saved,
            status,
            dir,
            _lock: lock,
        })
    }

    /// Write a rules file that auditctl will read (mode 0600).
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.join(name);
        fs::write(&p, text).expect("write rules");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).expect("chmod");
        p
    }

    /// Put the saved state back now and check it.
    pub fn restore_now(&mut self) {
        restore(&mut self.audit, &self.saved, &self.status).expect("restore the saved rules");
        let raw: Vec<Vec<u8>> = self
            .audit
            .list()
            .expect("list")
            .into_iter()
            .map(|r| r.raw)
            .collect();
        assert!(
            raw.iter().eq(self.saved.iter().map(|r| &r.raw)),
            "rules not restored"
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Err(e) = restore(&mut self.audit, &self.saved, &self.status) {
            eprintln!("WARNING: could not restore the audit rules: {e}");
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The corpus files the tests load.
pub fn corpus_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/rules");
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["audit-userspace-3.0.9", "auditd-attack"] {
        let mut v: Vec<PathBuf> = fs::read_dir(root.join(sub))
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "rules"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        files.extend(v);
    }
    files.push(root.join("neo23x0/audit.rules"));
    files
        .into_iter()
        .filter_map(|f| {
            let text = fs::read_to_string(&f).ok()?;
            Some((
                f.strip_prefix(&root).unwrap_or(&f).display().to_string(),
                text,
            ))
        })
        .collect()
}

/// Only the rule lines of a file that load on this host: no control lines
/// (`-e`, `-f`, `-D`, `-b`, ... change global state), no rules on missing
/// paths, no rules auditctl or the kernel refuse, no duplicates. Dropped
/// lines become `#` so line numbers stay.
pub fn loadable(name: &str, text: &str, host: &RealHost) -> String {
    let native = Machine::native();
    let (file, _) = parse_file(name, text);
    let mut drop: BTreeSet<u32> = lint(&file, native, host)
        .iter()
        .filter(|f| f.code == "AR216")
        .map(|f| f.span.line)
        .collect();
    let mut keep_only_rules = String::new();
    for line in &file.lines {
        let keep = matches!(&line.kind, LineKind::Command(RuleCommand::Rule(_)))
            && !drop.contains(&line.number);
        keep_only_rules.push_str(if keep { &line.text } else { "#" });
        keep_only_rules.push('\n');
    }
    let (file, _) = parse_file(name, &keep_only_rules);
    let mut loaded = Loaded::new();
    for (line, _) in loaded.load_file(&file, &Resolver { native, host }) {
        drop.insert(line);
    }
    let mut out = String::new();
    for line in &file.lines {
        out.push_str(if drop.contains(&line.number) {
            "#"
        } else {
            &line.text
        });
        out.push('\n');
    }
    out
}
