//! Compliance check: corpus rule sets against the CIS profiles with the
//! expected verdict of every rules item written down (and why), rewritten
//! equivalents that must still pass, narrowed variants and `never` rules
//! that must fail, and the items read from auditd.conf, the boot command
//! line and file modes.

use std::collections::BTreeMap;
use std::fs;
use std::sync::LazyLock;

use auditkit_rules::profile::{builtin, fill, BUILTIN};
use auditkit_rules::*;

fn corpus(p: &str) -> (String, String) {
    let path = auditkit_testsupport::paths::corpus_path("rules").join(p);
    let text = fs::read_to_string(path).expect("corpus file");
    (p.to_string(), text)
}

/// A host with the daemon users the corpus names (auditctl resolves them).
struct CorpusHost;

impl Host for CorpusHost {
    fn accounts(&self) -> &Accounts {
        static A: LazyLock<Accounts> = LazyLock::new(|| {
            Accounts::parse(
                b"root:x:0:0::/root:/bin/sh\nntp:x:107:107::/:/bin/false\nchrony:x:108:108::/:/bin/false\n",
                b"",
            )
        });
        &A
    }
    fn path_kind(&self, _: &str) -> PathKind {
        PathKind::Unknown
    }
}
const HOST: CorpusHost = CorpusHost;

/// A target machine made of strings.
#[derive(Default)]
struct Fake {
    files: BTreeMap<String, String>,
    stats: BTreeMap<String, FileStat>,
    privileged: Option<Vec<String>>,
}

impl System for Fake {
    fn read(&self, p: &str) -> Option<String> {
        self.files.get(p).cloned()
    }
    fn list_dir(&self, dir: &str) -> Option<Vec<String>> {
        let pre = format!("{dir}/");
        let v: Vec<String> = self
            .stats
            .keys()
            .chain(self.files.keys())
            .filter_map(|k| k.strip_prefix(&pre))
            .filter(|r| !r.contains('/'))
            .map(String::from)
            .collect();
        (!v.is_empty()).then_some(v)
    }
    fn stat(&self, p: &str) -> Option<FileStat> {
        self.stats.get(p).copied()
    }
    fn accounts(&self) -> &Accounts {
        static A: LazyLock<Accounts> = LazyLock::new(|| {
            Accounts::parse(b"root:x:0:0::/root:/bin/sh\n", b"root:x:0:\nadm:x:4:\n")
        });
        &A
    }
    fn privileged_files(&self) -> Option<Vec<String>> {
        self.privileged.clone()
    }
}

struct Opts<'a> {
    system: &'a dyn System,
    require_keys: bool,
    strict: bool,
}

fn run(profile: &str, files: &[(String, String)], layout: Layout, o: Opts) -> Vec<ItemResult> {
    let p = builtin(profile).expect("profile").expect("parses");
    let set = RuleSet::load(files, layout, Machine::X86_64, &HOST);
    let cx = CheckContext {
        native: Machine::X86_64,
        host: &HOST,
        system: o.system,
        require_keys: o.require_keys,
        loaded: None,
        params: &[],
        strict: o.strict,
    };
    check(&p, &set, &cx)
}

fn plain(profile: &str, files: &[(String, String)], layout: Layout) -> Vec<ItemResult> {
    with_system(profile, files, layout, &NoSystem)
}

/// [`run`] against a system, keys not required, not strict.
fn with_system(
    profile: &str,
    files: &[(String, String)],
    layout: Layout,
    system: &dyn System,
) -> Vec<ItemResult> {
    run(
        profile,
        files,
        layout,
        Opts {
            system,
            require_keys: false,
            strict: false,
        },
    )
}

fn statuses(r: &[ItemResult]) -> BTreeMap<String, &'static str> {
    r.iter()
        .filter(|i| i.rules_item)
        .map(|i| (i.id.clone(), i.status.name()))
        .collect()
}

fn expect(results: &[ItemResult], table: &[(&str, &str, &str)]) {
    let got = statuses(results);
    let mut bad = Vec::new();
    for (id, want, why) in table {
        match got.get(*id) {
            Some(s) if s == want => {}
            other => {
                let item = results.iter().find(|r| r.id == *id);
                bad.push(format!(
                    "{id}: expected {want} ({why}), got {other:?}: {:?}",
                    item.map(|i| &i.missing)
                ))
            }
        }
    }
    assert_eq!(
        table.len(),
        got.len(),
        "every rules item has an expectation"
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn neo23x0_against_cis_debian12() {
    let r = plain(
        "cis-debian12",
        &[corpus("neo23x0/audit.rules")],
        Layout::Files,
    );
    expect(
        &r,
        &[
            (
                "6.2.3.1",
                "pass",
                "sudoers and sudoers.d watched (lines 189-190)",
            ),
            (
                "6.2.3.2",
                "fail",
                "no -C euid!=uid execve rule; b32 only via the 32bit_abi catch-all",
            ),
            (
                "6.2.3.3",
                "not-applicable",
                "the sudo log file is unknown without the host",
            ),
            (
                "6.2.3.4",
                "fail",
                "the b64 rule has -F uid!=ntp: ntp's time changes are not audited",
            ),
            (
                "6.2.3.5",
                "fail",
                "/etc/networks and /etc/netplan are not watched",
            ),
            ("6.2.3.6", "not-applicable", "needs the host's setuid files"),
            ("6.2.3.7", "pass", "-EACCES/-EPERM rules with auid>=1000"),
            (
                "6.2.3.8",
                "fail",
                "/etc/nsswitch.conf and /etc/pam.conf are not watched",
            ),
            ("6.2.3.9", "pass", "chmod/chown/xattr rules"),
            ("6.2.3.10", "pass", "mount rule"),
            ("6.2.3.11", "pass", "utmp/wtmp/btmp"),
            ("6.2.3.12", "fail", "/var/run/faillock is not watched"),
            ("6.2.3.13", "pass", "delete rule"),
            ("6.2.3.14", "fail", "AppArmor directories are not watched"),
            ("6.2.3.15", "fail", "chcon not audited"),
            ("6.2.3.16", "fail", "setfacl not audited"),
            ("6.2.3.17", "fail", "chacl not audited"),
            ("6.2.3.18", "pass", "usermod watched for execution"),
            ("6.2.3.19", "fail", "kmod execution not audited"),
            ("6.2.3.20", "fail", "-e 2 is commented out"),
            ("6.2.3.21", "not-applicable", "no loaded rules given"),
        ],
    );
    let time = r.iter().find(|i| i.id == "6.2.3.4").unwrap();
    assert_eq!(
        time.fix,
        "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change\n"
    );
    // The cron and vmtoolsd never rules drop part of the sudoers events.
    let scope = r.iter().find(|i| i.id == "6.2.3.1").unwrap();
    assert_eq!(
        scope.satisfied_by,
        ["neo23x0/audit.rules:189", "neo23x0/audit.rules:190"]
    );
    assert!(
        scope.warnings[0].contains("neo23x0/audit.rules:82"),
        "{:?}",
        scope.warnings
    );
    // ... which fails the item when asked to be strict.
    let strict = run(
        "cis-debian12",
        &[corpus("neo23x0/audit.rules")],
        Layout::Files,
        Opts {
            system: &NoSystem,
            require_keys: false,
            strict: true,
        },
    );
    assert_eq!(statuses(&strict)["6.2.3.1"], "fail");
}

#[test]
fn stig_rules_d_against_cis_debian12() {
    let files: Vec<_> = [
        "10-base-config.rules",
        "30-stig.rules",
        "31-privileged.rules",
        "43-module-load.rules",
        "99-finalize.rules",
    ]
    .iter()
    .map(|f| corpus(&format!("audit-userspace-3.0.9/{f}")))
    .collect();
    let r = plain("cis-debian12", &files, Layout::RulesD);
    expect(
        &r,
        &[
            ("6.2.3.1", "pass", "30-stig watches sudoers and sudoers.d"),
            ("6.2.3.2", "fail", "no user_emulation rule"),
            ("6.2.3.3", "not-applicable", "sudo log file unknown"),
            (
                "6.2.3.4",
                "fail",
                "clock_settime only with -F a0=0x0 (CLOCK_REALTIME): narrower",
            ),
            (
                "6.2.3.5",
                "fail",
                "/etc/networks, /etc/network, /etc/netplan not watched",
            ),
            ("6.2.3.6", "not-applicable", "needs the host's setuid files"),
            ("6.2.3.7", "pass", "unsuccessful access rules"),
            (
                "6.2.3.8",
                "fail",
                "nsswitch.conf, pam.conf, pam.d not watched",
            ),
            ("6.2.3.9", "pass", "perm_mod rules"),
            ("6.2.3.10", "pass", "mounts"),
            (
                "6.2.3.11",
                "fail",
                "session watches are commented out in 30-stig",
            ),
            ("6.2.3.12", "fail", "lastlog and faillock not watched"),
            ("6.2.3.13", "pass", "delete rules"),
            ("6.2.3.14", "fail", "AppArmor not watched"),
            ("6.2.3.15", "fail", "chcon"),
            ("6.2.3.16", "fail", "setfacl"),
            ("6.2.3.17", "fail", "chacl"),
            ("6.2.3.18", "fail", "usermod"),
            (
                "6.2.3.19",
                "fail",
                "kmod execution not audited (43-module-load has the syscalls)",
            ),
            ("6.2.3.20", "fail", "-e 2 is commented out in 99-finalize"),
            ("6.2.3.21", "not-applicable", "no loaded rules given"),
        ],
    );
    let time = r.iter().find(|i| i.id == "6.2.3.4").unwrap();
    assert_eq!(
        time.fix,
        "-a always,exit -F arch=b64 -S clock_settime -k time-change\n\
         -a always,exit -F arch=b32 -S clock_settime -k time-change\n"
    );
}

/// Every rules item's requirement, instantiated: the text the profile asks for.
fn profile_text(profile: &str, privileged: &[&str]) -> String {
    let p = builtin(profile).unwrap().unwrap();
    let mut out = String::new();
    for item in &p.items {
        for (_, t) in &item.rules {
            let paths: Vec<&str> = if t.contains("{path}") {
                privileged.to_vec()
            } else {
                vec![""]
            };
            for path in paths {
                let line = fill(t, &|n| match n {
                    "uid_min" => p
                        .params
                        .iter()
                        .find(|x| x.0 == "uid_min")
                        .map(|x| x.1.clone()),
                    "sudo_logfile" => Some("/var/log/sudo.log".into()),
                    "path" => Some(path.into()),
                    _ => None,
                })
                .unwrap();
                out += &line;
                out.push('\n');
            }
        }
    }
    out + "-e 2\n"
}

fn fake_with_sudo_log() -> Fake {
    let mut f = Fake::default();
    f.files.insert(
        "/etc/sudoers".into(),
        "Defaults logfile=\"/var/log/sudo.log\"\n".into(),
    );
    f.privileged = Some(vec!["/usr/bin/passwd".into(), "/usr/bin/sudo".into()]);
    f
}

fn cis12(text: &str, require_keys: bool) -> BTreeMap<String, &'static str> {
    let sys = fake_with_sudo_log();
    statuses(&run(
        "cis-debian12",
        &[("t.rules".into(), text.to_string())],
        Layout::Files,
        Opts {
            system: &sys,
            require_keys,
            strict: false,
        },
    ))
}

#[test]
fn every_profile_passes_its_own_rules() {
    for (name, _) in BUILTIN {
        let text = profile_text(name, &["/usr/bin/passwd", "/usr/bin/sudo"]);
        let sys = fake_with_sudo_log();
        let r = run(
            name,
            &[("own.rules".into(), text)],
            Layout::Files,
            Opts {
                system: &sys,
                require_keys: true,
                strict: true,
            },
        );
        for i in r.iter().filter(|i| i.rules_item) {
            let want = if i.title.contains("running and on disk") {
                Status::NotApplicable
            } else {
                Status::Pass
            };
            assert_eq!(i.status, want, "{name} {}: {:?}", i.id, i.missing);
        }
    }
}

/// Replace lines of the profile's own text.
fn rewrite(pairs: &[(&str, &str)]) -> String {
    let mut t = profile_text("cis-debian12", &["/usr/bin/passwd", "/usr/bin/sudo"]);
    for (from, to) in pairs {
        assert!(t.contains(from), "{from}");
        t = t.replacen(from, to, 1);
    }
    t
}

#[test]
fn equivalent_rewrites_still_pass() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("6.2.3.1", &[
            ("-w /etc/sudoers -p wa -k scope", "-a always,exit -F path=/etc/sudoers -F perm=wa -F key=scope"),
            ("-w /etc/sudoers.d/ -p wa -k scope", "-a always,exit -F dir=/etc/sudoers.d -F perm=aw -k scope"),
        ]),
        ("6.2.3.4", &[(
            "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change",
            "-a always,exit -F arch=b64 -S adjtimex -F key=time-change\n-a exit,always -F arch=b64 -S settimeofday -S clock_settime -k time-change",
        )]),
        ("6.2.3.10", &[(
            "-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=unset -k mounts",
            "-a always,exit -F arch=b64 -S mount -F auid!=4294967295 -F loginuid>=1000 -k mounts",
        ), (
            "-a always,exit -F arch=b32 -S mount -F auid>=1000 -F auid!=unset -k mounts",
            "-a always,exit -F arch=b32 -S mount,umount2 -F auid!=-1 -k mounts",
        )]),
        ("6.2.3.8", &[
            ("-w /etc/group -p wa -k identity", "-w /etc/ -p rwxa -k identity"),
            ("-w /etc/passwd -p wa -k identity", ""),
            ("-w /etc/pam.d/ -p wa -k identity", "-a always,exit -F dir=/etc/pam.d/ -F perm=wa -k identity"),
        ]),
        ("6.2.3.11", &[("-w /var/run/utmp -p wa -k session", "-w /run/utmp -p wa -k session")]),
        ("6.2.3.2", &[(
            "-a always,exit -F arch=b64 -C euid!=uid -F auid!=unset -S execve -k user_emulation",
            "-a always,exit -F arch=b64 -S execve -C uid!=euid -F key=user_emulation",
        )]),
        ("6.2.3.15", &[(
            "-a always,exit -F path=/usr/bin/chcon -F perm=x -F auid>=1000 -F auid!=unset -k perm_chng",
            "-a always,exit -F arch=b64 -S execve,execveat -F auid>=1000 -F auid!=unset -k perm_chng\n-a always,exit -F arch=b32 -S execve,execveat -F auid>=1000 -F auid!=unset -k perm_chng",
        )]),
        ("6.2.3.13", &[(
            "-a always,exit -F arch=b64 -S rename,unlink,unlinkat,renameat -F auid>=1000 -F auid!=unset -k delete",
            "-a never,exit -F arch=b64 -S unlink -F auid=unset\n-a always,exit -F arch=b64 -S rename,unlink,unlinkat,renameat -F auid>=1000 -F auid!=unset -k delete",
        )]),
        ("6.2.3.7", &[(
            "-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F exit=-EACCES -F auid>=1000 -F auid!=unset -k access",
            "-a always,exit -F arch=b64 -S creat,open,openat,truncate,ftruncate -F success=0 -F auid>=1000 -F auid!=unset -k access",
        )]),
    ];
    for (id, pairs) in cases {
        let got = cis12(&rewrite(pairs), true);
        assert_eq!(got[*id], "pass", "{id} rewritten as {pairs:?}");
    }
}

/// (item, replacements, why it must fail).
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

#[test]
fn narrowed_variants_and_earlier_never_rules_fail() {
    let cases: &[Case] = &[
        ("6.2.3.10", &[("arch=b64 -S mount -F auid>=1000", "arch=b64 -S mount -F auid>=1001")], "stricter auid"),
        ("6.2.3.10", &[("-a always,exit -F arch=b32 -S mount -F auid>=1000 -F auid!=unset -k mounts", "")], "b64 only"),
        ("6.2.3.13", &[("arch=b64 -S rename,unlink,unlinkat,renameat -F auid", "arch=b64 -S rename,unlink,unlinkat,renameat -F exit=-EACCES -F auid")], "extra exit filter"),
        ("6.2.3.4", &[("-w /etc/localtime -p wa -k time-change", "-w /etc/localtime -p w -k time-change")], "perm a missing"),
        ("6.2.3.1", &[("-w /etc/sudoers.d/ -p wa -k scope", "-a always,exit -F path=/etc/sudoers.d -F perm=wa -k scope")], "path= on a directory is not recursive"),
        ("6.2.3.15", &[("-F path=/usr/bin/chcon -F perm=x", "-F arch=b64 -F path=/usr/bin/chcon -F perm=x")], "b64 only"),
        ("6.2.3.4", &[("-a always,exit -F arch=b64 -S adjtimex,", "-a never,exit -F arch=b64 -S adjtimex\n-a always,exit -F arch=b64 -S adjtimex,")], "never rule before"),
        ("6.2.3.8", &[("-w /etc/group -p wa -k identity", "-a never,exit -F dir=/etc\n-w /etc/group -p wa -k identity")], "never rule on a parent directory"),
        ("6.2.3.9", &[("arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k perm_mod", "arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k dac")], "other key when keys are required"),
        ("6.2.3.10", &[("-a always,exit -F arch=b64 -S mount -F auid>=1000", "-a always,exit -F arch=b64 -S mount,umount2 -k other\n-a always,exit -F arch=b64 -S mount -F auid>=1000")], "logged first under another key"),
        ("6.2.3.20", &[("-e 2\n", "-e 2\n-w /etc/late -p w\n")], "rules after -e 2"),
    ];
    for (id, pairs, why) in cases {
        let got = cis12(&rewrite(pairs), true);
        assert_eq!(got[*id], "fail", "{id} ({why}) should fail");
    }
    // The same never rule after the always rule changes nothing.
    let after = rewrite(&[(
        "-w /etc/localtime -p wa -k time-change",
        "-w /etc/localtime -p wa -k time-change\n-a never,exit -F arch=b64 -S adjtimex",
    )]);
    assert_eq!(cis12(&after, true)["6.2.3.4"], "pass");
    // Keys are not required unless asked.
    let other_key = rewrite(&[("-k perm_mod", "-k dac")]);
    assert_eq!(cis12(&other_key, false)["6.2.3.9"], "pass");
}

/// A `never` rule that drops part of an item's events is a warning (a
/// failure with `strict`), whether or not it carries a key: a key selects
/// no event.
#[test]
fn partial_never_rules_warn_with_or_without_a_key() {
    let base = "-a always,exit -F arch=b64 -S execve -C euid!=uid -F auid!=unset -k user_emulation\n\
                -a always,exit -F arch=b32 -S execve -C euid!=uid -F auid!=unset -k user_emulation\n";
    for key in ["", " -k noise"] {
        let text = format!("-a never,exit -F arch=b64 -S execve -F exe=/usr/bin/id{key}\n{base}");
        let files = [("a.rules".to_string(), text)];
        let loose = plain("cis-debian12", &files, Layout::Files);
        let item = loose.iter().find(|r| r.id == "6.2.3.2").expect("item");
        assert_eq!(item.status, Status::Pass, "{key:?}");
        assert!(
            item.warnings.iter().any(|w| w.contains("a.rules:1")),
            "{key:?}: {:?}",
            item.warnings
        );
        let strict = run(
            "cis-debian12",
            &files,
            Layout::Files,
            Opts {
                system: &NoSystem,
                require_keys: false,
                strict: true,
            },
        );
        let item = strict.iter().find(|r| r.id == "6.2.3.2").expect("item");
        assert_eq!(item.status, Status::Fail, "{key:?}");
    }
}

#[test]
fn exclude_rules_that_drop_syscall_records() {
    let with = |extra: &str| {
        let t = profile_text("cis-debian12", &["/usr/bin/passwd", "/usr/bin/sudo"]);
        cis12(&format!("{extra}\n{t}"), true)
    };
    // Every SYSCALL record dropped, by name, by number, by a range: every
    // rules item fails (the immutable one aside).
    for ex in [
        "-a always,exclude -F msgtype=SYSCALL",
        "-a never,exclude -F msgtype=1300",
        "-a always,exclude -F msgtype>=1300 -F msgtype<=1399",
    ] {
        let got = with(ex);
        for id in ["6.2.3.1", "6.2.3.4", "6.2.3.8", "6.2.3.10"] {
            assert_eq!(got[id], "fail", "{id} with {ex}");
        }
    }
    // Other record types only: nothing changes.
    let got =
        with("-a always,exclude -F msgtype=CRYPTO_KEY_USER\n-a always,exclude -F msgtype!=SYSCALL");
    for id in ["6.2.3.1", "6.2.3.4", "6.2.3.8", "6.2.3.10"] {
        assert_eq!(got[id], "pass", "{id}");
    }
    // Only some processes' SYSCALL records: a warning, not a failure...
    let got = with("-a always,exclude -F msgtype=SYSCALL -F auid=0");
    assert_eq!(got["6.2.3.8"], "pass");
    // ...unless --strict.
    let sys = fake_with_sudo_log();
    let t = profile_text("cis-debian12", &["/usr/bin/passwd", "/usr/bin/sudo"]);
    let strict = statuses(&run(
        "cis-debian12",
        &[(
            "t.rules".into(),
            format!("-a always,exclude -F msgtype=SYSCALL -F auid=0\n{t}"),
        )],
        Layout::Files,
        Opts {
            system: &sys,
            require_keys: true,
            strict: true,
        },
    ));
    assert_eq!(strict["6.2.3.8"], "fail");
}

#[test]
fn privileged_item_uses_the_hosts_setuid_files() {
    let text = profile_text("cis-debian12", &["/usr/bin/passwd"]);
    let got = cis12(&text, false);
    assert_eq!(got["6.2.3.6"], "fail", "/usr/bin/sudo has no rule");
    let r = with_system(
        "cis-debian12",
        &[("t".into(), text)],
        Layout::Files,
        &fake_with_sudo_log(),
    );
    let p = r.iter().find(|i| i.id == "6.2.3.6").unwrap();
    assert_eq!(p.fix, "-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset -k privileged\n");
}

#[test]
fn sudo_log_item_follows_sudoers() {
    let text = profile_text("cis-debian12", &[]);
    let mut sys = Fake::default();
    sys.files
        .insert("/etc/sudoers".into(), "root ALL=(ALL) ALL\n".into());
    let r = with_system(
        "cis-debian12",
        &[("t".into(), text.clone())],
        Layout::Files,
        &sys,
    );
    let i = r.iter().find(|i| i.id == "6.2.3.3").unwrap();
    assert_eq!(i.status, Status::NotApplicable);
    assert!(i.note.as_deref().unwrap().contains("logfile"));
    sys.files.insert(
        "/etc/sudoers".into(),
        "Defaults\tlogfile=/var/log/sudo-io.log\n".into(),
    );
    let r = with_system(
        "cis-debian12",
        &[("t".into(), text.clone())],
        Layout::Files,
        &sys,
    );
    let i = r.iter().find(|i| i.id == "6.2.3.3").unwrap();
    assert_eq!(i.status, Status::Fail);
    assert_eq!(i.fix, "-w /var/log/sudo-io.log -p wa -k sudo_log_file\n");
    // A host without sudo: the item does not apply, and says why.
    let mut sys = Fake::default();
    sys.files.insert("/etc/passwd".into(), String::new());
    let r = with_system("cis-debian12", &[("t".into(), text)], Layout::Files, &sys);
    let i = r.iter().find(|i| i.id == "6.2.3.3").unwrap();
    assert_eq!(i.status, Status::NotApplicable);
    assert!(i.note.as_deref().unwrap().contains("sudo is not installed"));
}

#[test]
fn loaded_item_compares_with_auditctl_listing() {
    let p = builtin("cis-debian12").unwrap().unwrap();
    let files = [(
        "t".to_string(),
        "-w /etc/passwd -p wa -k identity\n-a always,exit -F arch=b64 -S mount -k m\n".to_string(),
    )];
    let set = RuleSet::load(&files, Layout::Files, Machine::X86_64, &HOST);
    let same = vec![
        "-w /etc/passwd -p wa -k identity".to_string(),
        "-a always,exit -F arch=b64 -S mount -F key=m".to_string(),
    ];
    let drift = vec!["-w /etc/passwd -p wa -k identity".to_string()];
    for (lines, want) in [(&same, Status::Pass), (&drift, Status::Fail)] {
        let cx = CheckContext {
            native: Machine::X86_64,
            host: &HOST,
            system: &NoSystem,
            require_keys: false,
            loaded: Some(lines),
            params: &[],
            strict: false,
        };
        let r = check(&p, &set, &cx);
        let i = r.iter().find(|i| i.id == "6.2.3.21").unwrap();
        assert_eq!(i.status, want, "{:?}", i.missing);
    }
}

#[test]
fn config_boot_and_file_items() {
    let mut sys = Fake::default();
    sys.files.insert(
        "/etc/audit/auditd.conf".into(),
        "log_file = /var/log/audit/audit.log\nlog_group = adm\nmax_log_file = 8\nmax_log_file_action = ROTATE\n\
         space_left_action = email\naction_mail_acct = root\nadmin_space_left_action = halt\n\
         disk_full_action = HALT\ndisk_error_action = syslog\n"
            .into(),
    );
    sys.files.insert(
        "/etc/default/grub".into(),
        "GRUB_CMDLINE_LINUX=\"quiet audit=1 audit_backlog_limit=1024\"\n".into(),
    );
    sys.files.insert(
        "/proc/cmdline".into(),
        "BOOT_IMAGE=/vmlinuz audit=1 audit_backlog_limit=8192\n".into(),
    );
    let st = |mode, gid| FileStat { mode, uid: 0, gid };
    sys.stats.insert("/var/log/audit".into(), st(0o750, 0));
    sys.stats
        .insert("/var/log/audit/audit.log".into(), st(0o640, 4));
    sys.stats
        .insert("/var/log/audit/audit.log.1".into(), st(0o644, 0));
    sys.stats
        .insert("/etc/audit/auditd.conf".into(), st(0o640, 0));
    sys.stats
        .insert("/etc/audit/rules.d/audit.rules".into(), st(0o600, 0));
    for t in [
        "auditctl",
        "aureport",
        "ausearch",
        "autrace",
        "auditd",
        "augenrules",
    ] {
        sys.stats.insert(format!("/sbin/{t}"), st(0o755, 0));
    }
    let r = with_system("cis-debian12", &[], Layout::Files, &sys);
    let got: BTreeMap<&str, &str> = r
        .iter()
        .filter(|i| !i.rules_item)
        .map(|i| (i.id.as_str(), i.status.name()))
        .collect();
    let want: BTreeMap<&str, &str> = [
        ("6.2.1.3", "pass"),
        ("6.2.1.4", "fail"), // GRUB says 1024
        ("6.2.2.1", "pass"),
        ("6.2.2.2", "fail"), // ROTATE
        ("6.2.2.3", "pass"),
        ("6.2.2.4", "pass"),
        ("6.2.4.1", "fail"), // audit.log.1 is 0644
        ("6.2.4.2", "pass"),
        ("6.2.4.3", "pass"), // adm is log_group
        ("6.2.4.4", "pass"),
        ("6.2.4.5", "pass"),
        ("6.2.4.6", "pass"),
        ("6.2.4.7", "pass"),
        ("6.2.4.8", "pass"),
        ("6.2.4.9", "pass"),
        ("6.2.4.10", "pass"),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    let backlog = r.iter().find(|i| i.id == "6.2.1.4").unwrap();
    assert_eq!(
        backlog.missing,
        [
            "GRUB_CMDLINE_LINUX + GRUB_CMDLINE_LINUX_DEFAULT: audit_backlog_limit=1024",
            "GRUB_CMDLINE_LINUX (recovery entries): audit_backlog_limit=1024"
        ]
    );
    let mode = r.iter().find(|i| i.id == "6.2.4.1").unwrap();
    assert_eq!(mode.fix, "chmod 0640 /var/log/audit/audit.log.1\n");
    // Without a system, these items cannot be checked.
    let none = plain("cis-debian12", &[], Layout::Files);
    assert!(none
        .iter()
        .filter(|i| !i.rules_item)
        .all(|i| i.status == Status::NotApplicable));
}

#[test]
fn profiles_parse_and_map_both_ways() {
    let profiles: Vec<Profile> = BUILTIN
        .iter()
        .map(|(n, _)| builtin(n).unwrap().unwrap())
        .collect();
    assert_eq!(
        profiles[0]
            .items
            .iter()
            .filter(|i| i.id.starts_with("6.2.3."))
            .count(),
        21
    );
    assert_eq!(profiles[1].items.len(), 15, "8.1.4-8.1.18");
    assert_eq!(profiles[2].items.len(), 14, "2.6.2.4.1-14");
    for p in &profiles {
        for item in &p.items {
            for (other, id) in &item.maps {
                let Some(q) = profiles.iter().find(|q| &q.name == other) else {
                    panic!("{other}")
                };
                let back = q
                    .items
                    .iter()
                    .find(|i| &i.id == id)
                    .unwrap_or_else(|| panic!("{}:{id}", q.name));
                assert!(
                    back.maps.iter().any(|(n, i)| n == &p.name && i == &item.id)
                        || p.name == "cis-debian12"
                        || q.name == "cis-debian12",
                    "{}:{} -> {}:{} has no way back",
                    p.name,
                    item.id,
                    q.name,
                    id
                );
            }
        }
    }
    // NSA <-> CIS Debian 8 is one to one, 8.1.16 aside.
    let nsa = &profiles[2];
    let cis8 = &profiles[1];
    let mapped: Vec<&str> = nsa
        .items
        .iter()
        .map(|i| {
            i.maps
                .iter()
                .find(|m| m.0 == "cis-debian8")
                .unwrap()
                .1
                .as_str()
        })
        .collect();
    let cis_ids: Vec<&str> = cis8
        .items
        .iter()
        .map(|i| i.id.as_str())
        .filter(|i| *i != "8.1.16")
        .collect();
    assert_eq!(mapped, cis_ids);
    assert!(
        parse_profile("x", "item 1\n-w /x").is_err(),
        "an item needs a title"
    );
    assert!(parse_profile("x", "-w /x").is_err());
    assert!(parse_profile("x", "item 1\ntitle t\nconf a ~ b").is_err());
}

/// The rules.d of `tests/data/cis-debian12-automation` (the shape
/// ansible-lockdown/DEBIAN12-CIS writes), loaded like augenrules.
fn automation_rules_d() -> Vec<(String, String)> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/cis-debian12-automation/"
    );
    ["98_auditd_exception.rules", "99_auditd.rules"]
        .iter()
        .map(|f| {
            let text = fs::read_to_string(format!("{dir}{f}")).expect("test data");
            (f.to_string(), text)
        })
        .collect()
}

/// Regression (issue 8, item 3): CIS Debian 12 v1.1.0 6.2.3.4 asks for b32
/// and b64 `adjtimex,settimeofday,clock_settime` and no `stime`; the rules
/// the widely used automation writes meet every rules item.
#[test]
fn automation_rules_d_passes_every_rules_item() {
    let sys = fake_with_sudo_log();
    let r = run(
        "cis-debian12",
        &automation_rules_d(),
        Layout::RulesD,
        Opts {
            system: &sys,
            require_keys: true,
            strict: true,
        },
    );
    for i in r.iter().filter(|i| i.rules_item) {
        let want = if i.id == "6.2.3.21" {
            Status::NotApplicable
        } else {
            Status::Pass
        };
        assert_eq!(i.status, want, "{}: {:?} {:?}", i.id, i.missing, i.note);
    }
    let time = r.iter().find(|i| i.id == "6.2.3.4").unwrap();
    assert_eq!(
        time.satisfied_by,
        [
            "99_auditd.rules:10",
            "99_auditd.rules:11",
            "99_auditd.rules:9"
        ]
    );
    // Without the b32 rule the item fails, and the fix is the b32 rule
    // with the three syscalls, not stime.
    let files: Vec<_> = automation_rules_d()
        .into_iter()
        .map(|(n, t)| {
            let t = t.replace(
                "-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime -k time-change\n",
                "",
            );
            (n, t)
        })
        .collect();
    let r = with_system("cis-debian12", &files, Layout::RulesD, &sys);
    let time = r.iter().find(|i| i.id == "6.2.3.4").unwrap();
    assert_eq!(time.status, Status::Fail);
    assert_eq!(
        time.fix,
        "-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime -k time-change\n"
    );
}

/// The auditd.conf and file items ask what the benchmark's audit commands
/// ask, no more and no less: 6.2.2.3 disk_full/disk_error only, 6.2.2.4
/// space_left/admin_space_left only (no action_mail_acct), 6.2.4.3 a
/// log_group of root or adm (missing means root), 6.2.4.5-7 every
/// `*.conf` and `*.rules` under /etc/audit.
#[test]
fn system_items_follow_the_benchmark_audit() {
    let base = "log_file = /var/log/audit/audit.log\nmax_log_file = 8\n\
        max_log_file_action = keep_logs\ndisk_full_action = single\ndisk_error_action = halt\n\
        space_left_action = email\nadmin_space_left_action = single\n";
    let st = |mode, gid| FileStat { mode, uid: 0, gid };
    let check_with = |conf: &str, extra: &[(&str, FileStat)]| {
        let mut sys = Fake::default();
        sys.files
            .insert("/etc/audit/auditd.conf".into(), conf.to_string());
        sys.stats
            .insert("/var/log/audit/audit.log".into(), st(0o600, 7));
        sys.stats
            .insert("/etc/audit/auditd.conf".into(), st(0o640, 0));
        for (p, s) in extra {
            sys.stats.insert(p.to_string(), *s);
        }
        let r = with_system("cis-debian12", &[], Layout::Files, &sys);
        r.into_iter()
            .filter(|i| !i.rules_item)
            .map(|i| (i.id.clone(), i))
            .collect::<BTreeMap<_, _>>()
    };
    // gid 7 has no name here: the log file's group is neither root nor adm.
    let r = check_with(base, &[]);
    assert_eq!(
        r["6.2.2.3"].status,
        Status::Pass,
        "{:?}",
        r["6.2.2.3"].missing
    );
    assert_eq!(
        r["6.2.2.4"].status,
        Status::Pass,
        "{:?}",
        r["6.2.2.4"].missing
    );
    assert_eq!(r["6.2.4.3"].status, Status::Fail);
    assert_eq!(
        r["6.2.4.3"].satisfied_by,
        ["auditd.conf: log_group not set (auditd's default: root)"]
    );
    assert_eq!(r["6.2.4.3"].missing, ["/var/log/audit/audit.log: group 7"]);
    // A log_group other than root or adm fails the item even when the
    // files carry that group (the benchmark allows root and adm only).
    let r = check_with(
        &format!("{base}log_group = wheel\n"),
        &[("/var/log/audit/audit.log", st(0o600, 0))],
    );
    assert_eq!(r["6.2.4.3"].missing, ["auditd.conf: log_group is wheel"]);
    // admin_space_left_action belongs to 6.2.2.4 only.
    let r = check_with(&base.replace("admin_space_left_action = single\n", ""), &[]);
    assert_eq!(r["6.2.2.3"].status, Status::Pass);
    assert_eq!(
        r["6.2.2.4"].missing,
        ["auditd.conf: admin_space_left_action is not set"]
    );
    // audit.rules and plugins.d/*.conf are audit configuration files too.
    let r = check_with(
        base,
        &[
            ("/etc/audit/audit.rules", st(0o644, 0)),
            ("/etc/audit/plugins.d/syslog.conf", st(0o640, 4)),
        ],
    );
    assert_eq!(
        r["6.2.4.5"].missing,
        ["/etc/audit/audit.rules: mode 0644 (allowed at most 0640)"]
    );
    assert_eq!(
        r["6.2.4.7"].missing,
        ["/etc/audit/plugins.d/syslog.conf: group adm"]
    );
}

/// 6.2.1.3/6.2.1.4 read what the next boot uses, as the benchmark's audit
/// does (every `linux` line of grub.cfg): the automation's
/// GRUB_CMDLINE_LINUX_DEFAULT serves the normal entries but not the
/// recovery ones; grub.d snippets that extend GRUB_CMDLINE_LINUX count.
#[test]
fn boot_items_read_what_the_next_boot_uses() {
    let boot = |files: &[(&str, &str)]| {
        let mut sys = Fake::default();
        for (p, t) in files {
            sys.files.insert(p.to_string(), t.to_string());
        }
        let r = with_system("cis-debian12", &[], Layout::Files, &sys);
        let i = r.into_iter().find(|i| i.id == "6.2.1.3").unwrap();
        (i.status, i.missing)
    };
    let automation =
        "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet audit=1\"\nGRUB_CMDLINE_LINUX=\"\"\n";
    let cmdline = ("/proc/cmdline", "BOOT_IMAGE=/vmlinuz ro quiet audit=1\n");
    assert_eq!(
        boot(&[("/etc/default/grub", automation), cmdline]),
        (
            Status::Fail,
            vec!["GRUB_CMDLINE_LINUX (recovery entries): no audit=".to_string()]
        )
    );
    let no_recovery = format!("{automation}GRUB_DISABLE_RECOVERY=\"true\"\n");
    assert_eq!(
        boot(&[("/etc/default/grub", &no_recovery), cmdline]).0,
        Status::Pass
    );
    // A grub.d snippet that extends GRUB_CMDLINE_LINUX (single quotes and
    // ${...} as shells read them).
    assert_eq!(
        boot(&[
            ("/etc/default/grub", "GRUB_CMDLINE_LINUX='console=ttyS0'\n"),
            (
                "/etc/default/grub.d/50-audit.cfg",
                "# CIS\nGRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX} audit=1\"\n"
            ),
            cmdline,
        ])
        .0,
        Status::Pass
    );
    // grub.cfg, when readable, is what boots: each linux line is checked.
    let cfg = "menuentry 'Debian' {\n\tlinux\t/vmlinuz-6.1 root=/dev/vda ro quiet audit=1\n}\n\
        menuentry 'Debian (recovery mode)' {\n\tlinux\t/vmlinuz-6.1 root=/dev/vda ro single\n}\n";
    assert_eq!(
        boot(&[
            ("/boot/grub/grub.cfg", cfg),
            ("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"audit=1\"\n"),
            cmdline,
        ]),
        (
            Status::Fail,
            vec!["/boot/grub/grub.cfg:5: no audit=".to_string()]
        )
    );
}

/// 6.2.3.21 without the kernel's listing does what the benchmark's audit
/// (`augenrules --check`) does: /etc/audit/audit.rules must load what the
/// rules.d loads (compared by the rules, so augenrules' header and order
/// of -D/-b lines do not matter).
#[test]
fn loaded_item_compares_rules_d_with_audit_rules() {
    let files = automation_rules_d();
    let merged = augenrules(&files);
    let item = |audit_rules: Option<&str>| {
        let mut sys = fake_with_sudo_log();
        if let Some(t) = audit_rules {
            sys.files
                .insert("/etc/audit/audit.rules".into(), t.to_string());
        }
        let r = with_system("cis-debian12", &files, Layout::RulesD, &sys);
        r.into_iter().find(|i| i.id == "6.2.3.21").unwrap()
    };
    assert_eq!(item(None).status, Status::NotApplicable);
    let same = item(Some(&merged));
    assert_eq!(same.status, Status::Pass, "{:?}", same.missing);
    assert!(same.satisfied_by[0].contains("augenrules --check"));
    // audit.rules from before the last change of rules.d.
    let stale = merged.replace("-w /etc/localtime -p wa -k time-change\n", "");
    let i = item(Some(&stale));
    assert_eq!(i.status, Status::Fail);
    assert_eq!(
        i.missing,
        ["in the rules checked but not in /etc/audit/audit.rules: -w /etc/localtime -p wa -k time-change"]
    );
    assert!(i.fix.contains("augenrules --load"));
}
