//! Shared by the tests that load rules into the real kernel (those of
//! auditkit-kernel, and `auditkit rules apply|loaded|diff`): a session
//! that holds [`crate::kernel_lock`] and puts the rules and settings back,
//! auditctl as the oracle, the host as auditctl sees it, and the corpus
//! rule files made loadable on this host.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::{kernel_lock, need, paths, skip};
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

/// Run auditctl: whether it succeeded, its stdout and its stderr.
pub fn auditctl(args: &[&str]) -> (bool, String, String) {
    let out = Command::new("auditctl")
        .args(args)
        .stdin(Stdio::null())
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

/// Everything a kernel test holds while it runs. Dropping it puts back the
/// rules (byte for byte) and the settings that were there.
pub struct Session {
    /// The netlink handle.
    pub audit: Audit,
    /// The rules loaded when the session started.
    pub saved: Vec<ListedRule>,
    /// The settings when the session started.
    pub status: Status,
    /// A temporary directory for rule files (removed at the end).
    pub dir: PathBuf,
    _lock: File,
}

impl Session {
    /// Take the lock and save the state, or [`skip`] (a failure under
    /// `AUDITKIT_REQUIRE_ORACLES=1`) and give `None`. `name` names the
    /// temporary directory.
    pub fn start(name: &str) -> Option<Session> {
        if let Err(why) = need::root() {
            skip(&why);
            return None;
        }
        let mut audit = match Audit::open(Machine::native()) {
            Ok(a) => a,
            Err(e) => {
                skip(&format!("cannot open the audit netlink socket: {e}"));
                return None;
            }
        };
        let lock = kernel_lock();
        let status = match audit.status() {
            Ok(s) => s,
            Err(e) => {
                skip(&format!("the audit netlink socket does not answer: {e}"));
                return None;
            }
        };
        if status.enabled == 2 {
            skip("the audit configuration is locked (enabled 2)");
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

    /// The loaded rules as the kernel sent them, byte for byte.
    pub fn raw_rules(&mut self) -> Vec<Vec<u8>> {
        self.audit
            .list()
            .expect("list the loaded rules")
            .into_iter()
            .map(|r| r.raw)
            .collect()
    }

    /// Put the saved state back now and check it.
    pub fn restore_now(&mut self) {
        restore(&mut self.audit, &self.saved, &self.status).expect("restore the saved rules");
        let raw = self.raw_rules();
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

/// A corpus load test compared enough: how many rules load depends on the
/// host (its paths and users), but the corpus holds the same number
/// everywhere, so most of them must have been compared.
pub fn assert_most_of_corpus(files: usize, rules: usize) {
    let in_corpus: usize = corpus_files()
        .iter()
        .map(|(n, t)| parse_file(n, t).0.rules().count())
        .sum();
    assert!(
        files >= 30 && rules * 2 > in_corpus,
        "{files} files, {rules} of the corpus' {in_corpus} rules"
    );
}

/// The corpus rule files that load on a kernel with auditctl 3.0.9's
/// tables: the upstream 3.0.9 set, auditd-attack and Neo23x0's, as
/// (name relative to `rules/`, text). Empty without the corpus (the tests
/// that use it assert a minimum count).
pub fn corpus_files() -> Vec<(String, String)> {
    let root = paths::corpus().join("rules");
    let mut files = paths::corpus_rule_files("audit-userspace-3.0.9");
    files.extend(paths::corpus_rule_files("auditd-attack"));
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
