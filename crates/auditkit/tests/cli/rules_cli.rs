//! `auditkit rules lint|fmt|check|generate` run as a program: exit codes,
//! text and JSON output, and the generated hardened set checked by the
//! same binary.

use std::process::Output;

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths::corpus_path;

fn run(args: &[&str]) -> Output {
    auditkit!().args(args).output()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A corpus rule file (the tests that use one fail without the corpus).
fn corpus(p: &str) -> String {
    corpus_path("rules").join(p).display().to_string()
}

fn tempdir(tag: &str) -> TempDir {
    TempDir::new(&format!("rules-cli-{tag}"))
}

#[test]
fn help_starts_with_examples() {
    let o = run(&["rules", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let first: Vec<&str> = text.lines().take(4).collect();
    assert!(first.contains(&"Examples:"), "{first:?}");
    for sub in ["lint", "fmt", "check", "generate", "loaded"] {
        assert!(
            text.contains(&format!("\n{sub}")) || text.contains(&format!("rules {sub}")),
            "{sub}"
        );
    }
    assert_eq!(run(&["rules", "frobnicate"]).status.code(), Some(2));
    let bad = run(&["rules", "check", "--no-such-option", "x"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown option --no-such-option"));
}

#[test]
fn lint_exit_codes() {
    let d = tempdir("lint");
    let bad = d.join("bad.rules");
    std::fs::write(
        &bad,
        "-a always,exit -F arch=b64 -S openat -F perm=x -F foo=1\n",
    )
    .unwrap();
    let o = run(&["rules", "lint", "--no-host", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("bad.rules:1:"), "{}", stdout(&o));
    assert!(stdout(&o).contains("error[AR001]"));
    let o = run(&[
        "rules",
        "lint",
        "--no-host",
        &corpus("audit-userspace-3.0.9/30-stig.rules"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // The catalogue of codes, one line each.
    let o = run(&["rules", "lint", "--codes"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.lines().any(|l| l.starts_with("AR001  error")),
        "{text}"
    );
    assert!(text
        .lines()
        .any(|l| l.starts_with("AR201  warning  a syscall rule without -F arch=")));
}

#[test]
fn fmt_prints_the_kernel_listing_and_augenrules() {
    let d = tempdir("fmt");
    std::fs::write(
        d.join("20-b.rules"),
        "-a exit,always -F arch=b64 -S openat -k k\n-a always,exit -S openat -F arch=b64\n-e 2\n",
    )
    .unwrap();
    std::fs::write(
        d.join("10-a.rules"),
        "-D\n-w /etc/passwd -p wa -k identity\n",
    )
    .unwrap();
    let o = run(&[
        "rules",
        "fmt",
        "--no-host",
        d.join("20-b.rules").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "-a always,exit -F arch=b64 -S openat -F key=k\n"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("20-b.rules:2:") && err.contains("[AR129]"),
        "{err}"
    );
    let o = run(&["rules", "fmt", "--augenrules", d.to_str().unwrap()]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.last(), Some(&"-e 2"));
    assert!(
        lines.iter().position(|l| l.starts_with("-w /etc/passwd"))
            < lines.iter().position(|l| l.contains("openat"))
    );
}

#[test]
fn check_json_on_a_corpus_set() {
    let o = run(&[
        "rules",
        "check",
        "--profile",
        "cis-debian12",
        "--format",
        "json",
        "--offline",
        &corpus("neo23x0/audit.rules"),
    ]);
    assert_eq!(o.status.code(), Some(1), "neo23x0 fails some items");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let items = v.as_array().expect("array");
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"6.2.3.4") && ids.contains(&"6.2.2.2"));
    let time = items.iter().find(|i| i["id"] == "6.2.3.4").unwrap();
    assert_eq!(time["status"], "fail");
    assert!(time["title"].as_str().unwrap().contains("date and time"));
    assert!(time["fix"]
        .as_str()
        .unwrap()
        .contains("-S adjtimex,settimeofday,clock_settime"));
    let scope = items.iter().find(|i| i["id"] == "6.2.3.1").unwrap();
    assert_eq!(scope["status"], "pass");
    assert!(scope["satisfied_by"][0]
        .as_str()
        .unwrap()
        .ends_with("audit.rules:189"));
    let conf = items.iter().find(|i| i["id"] == "6.2.2.2").unwrap();
    assert_eq!(conf["status"], "not-applicable", "--offline");
    for i in items {
        for k in ["id", "title", "status", "satisfied_by", "missing", "fix"] {
            assert!(!i[k].is_null(), "{k} in {i}");
        }
    }
}

#[test]
fn generated_harden_set_passes_the_check() {
    let d = tempdir("harden");
    let out = d.join("rules.d");
    let o = run(&[
        "rules",
        "generate",
        "--profile",
        "harden",
        "--no-privileged",
        "--with",
        "perm_mod,delete",
        "--uid-min",
        "1000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.join("30-cis.rules").exists() && out.join("99-finalize.rules").exists());
    // Without host information the items that need it do not apply; every
    // other item passes, so the check exits 0.
    let o = run(&[
        "rules",
        "check",
        "--profile",
        "cis-debian12",
        "--offline",
        "--require-keys",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("PASS  6.2.3.20"));
    // The seed's default leaves perm_mod and delete off: those two fail.
    let def = d.join("default");
    run(&[
        "rules",
        "generate",
        "--profile",
        "harden",
        "--no-privileged",
        "--out",
        def.to_str().unwrap(),
    ]);
    let o = run(&[
        "rules",
        "check",
        "--profile",
        "cis-debian12",
        "--offline",
        "--format",
        "json",
        def.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let failed: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "fail")
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["6.2.3.9", "6.2.3.13"]);
    // A --config tree: auditd.conf and modes are checked too.
    let conf = d.join("etc-audit");
    std::fs::create_dir_all(conf.join("rules.d")).unwrap();
    std::fs::write(
        conf.join("auditd.conf"),
        "max_log_file = 8\nmax_log_file_action = keep_logs\n",
    )
    .unwrap();
    std::fs::write(conf.join("rules.d/audit.rules"), "-w /etc/passwd -p wa\n").unwrap();
    let o = run(&[
        "rules",
        "check",
        "--profile",
        "cis-debian12",
        "--config",
        conf.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let st = |id: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(st("6.2.2.1"), "pass");
    assert_eq!(st("6.2.2.2"), "pass");
    assert_eq!(st("6.2.2.3"), "fail");
    assert_eq!(
        st("6.2.3.8"),
        "fail",
        "only /etc/passwd of the identity files"
    );
}

#[test]
fn generate_lists_groups_and_privileged_files() {
    let o = run(&["rules", "generate", "--list-groups"]);
    let text = stdout(&o);
    assert!(
        text.lines()
            .any(|l| l.starts_with("perm_mod") && l.contains(" off ")),
        "{text}"
    );
    let o = run(&["rules", "generate", "--privileged", "--uid-min", "1000"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for l in text.lines().filter(|l| l.starts_with('-')) {
        assert!(
            l.starts_with("-a always,exit -F path=/")
                && l.ends_with("-F perm=x -F auid>=1000 -F auid!=unset -F key=privileged"),
            "{l}"
        );
    }
    // Exactly the files CIS's audit procedure for 6.2.3.6 finds on this
    // host: `find -xdev -perm /6000 -type f` on every mount of a type that
    // is not nodev, without noexec or nosuid (whatever the host has).
    let script = r#"for p in $(findmnt -n -l -k -it "$(awk '/nodev/ { print $2 }' /proc/filesystems | paste -sd,)" | grep -Pv "noexec|nosuid" | awk '{print $1}'); do find "$p" -xdev -perm /6000 -type f 2>/dev/null; done | sort -u"#;
    let cis = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .expect("run sh for CIS's own find command");
    let want: Vec<String> = String::from_utf8_lossy(&cis.stdout)
        .lines()
        .map(String::from)
        .collect();
    let mut got: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("-a always,exit -F path="))
        .filter_map(|l| l.split(' ').next())
        .map(String::from)
        .collect();
    got.sort();
    assert!(
        !want.is_empty() || got.is_empty(),
        "{}",
        String::from_utf8_lossy(&cis.stderr)
    );
    assert_eq!(got, want);
}

/// Issue 8, item 4: without options, `check` compares with this host (its
/// setuid/setgid files for 6.2.3.6, as CIS's audit does) and says so;
/// `--offline` reads nothing of it and says why each such item does not
/// apply.
#[test]
fn check_compares_with_this_host_unless_offline() {
    let d = tempdir("host");
    let gen = run(&["rules", "generate", "--privileged", "--uid-min", "1000"]);
    assert_eq!(gen.status.code(), Some(0));
    let rules = d.join("31-privileged.rules");
    std::fs::write(&rules, &gen.stdout).unwrap();
    let item = |args: &[&str]| {
        let mut all = vec!["rules", "check", "--profile", "cis-debian12"];
        all.extend_from_slice(args);
        let o = run(&all);
        let text = stdout(&o);
        let block: Vec<String> = text
            .lines()
            .skip_while(|l| !l.contains(" 6.2.3.6 "))
            .take_while(|l| l.contains(" 6.2.3.6 ") || l.starts_with("      "))
            .map(String::from)
            .collect();
        (text.lines().next().unwrap_or("").to_string(), block)
    };
    // This host's own setuid/setgid files, each with a rule: the item passes.
    let (first, block) = item(&[rules.to_str().unwrap()]);
    assert!(first.starts_with("Checked against this host"), "{first}");
    assert!(block[0].starts_with("PASS  6.2.3.6"), "{block:?}");
    // The same file, offline: not applicable, with the reason.
    let (first, block) = item(&["--offline", rules.to_str().unwrap()]);
    assert!(first.starts_with("Checked offline"), "{first}");
    assert!(block[0].starts_with("N/A   6.2.3.6"), "{block:?}");
    assert!(
        block
            .iter()
            .any(|l| l.contains("note:") && l.contains("--offline")),
        "{block:?}"
    );
    // An empty file on this host: every setuid file is missing (unless the
    // host has none, then the item says so).
    let empty = d.join("empty.rules");
    std::fs::write(&empty, "").unwrap();
    let (_, block) = item(&[empty.to_str().unwrap()]);
    let none = gen.stdout.iter().all(|&b| b != b'-');
    if none {
        assert!(
            block.iter().any(|l| l.contains("no setuid/setgid file")),
            "{block:?}"
        );
    } else {
        assert!(block[0].starts_with("FAIL  6.2.3.6"), "{block:?}");
    }
    assert_eq!(
        run(&[
            "rules",
            "check",
            "--profile",
            "cis-debian12",
            "--offline",
            "--host",
            "x"
        ])
        .status
        .code(),
        Some(1),
        "--host and --offline exclude each other"
    );
    let o = run(&[
        "rules",
        "check",
        "--profile",
        "cis-debian12",
        "--offline",
        "--loaded",
        "x",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "--offline and --loaded exclude each other"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("--offline"));
}

/// Issue 8, item 7: `auditkit help rules` is the rules help, and an
/// unknown option of any rules subcommand is an error that names it,
/// never a path to read (nor silently ignored).
#[test]
fn help_rules_and_unknown_options() {
    let help = run(&["help", "rules"]);
    assert_eq!(help.status.code(), Some(0));
    assert_eq!(stdout(&help), stdout(&run(&["rules", "--help"])));
    let cases: &[&[&str]] = &[
        &["rules", "lint", "-x"],
        &["rules", "lint", "-x", "--no-host"],
        &["rules", "fmt", "-x"],
        &["rules", "check", "--profile", "cis-debian12", "-x"],
        &["rules", "generate", "--profile", "harden", "-x"],
        &["rules", "loaded", "-x"],
        &["rules", "diff", "-x"],
        &["rules", "apply", "--dry-run", "-x"],
    ];
    for args in cases {
        let o = run(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_ne!(o.status.code(), Some(0), "{args:?}");
        assert!(
            err.contains("\"-x\"") || err.contains("option -x"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("reading -x"),
            "{args:?} read -x as a path: {err}"
        );
    }
    // Arguments a subcommand does not take are refused too.
    for args in [
        &["rules", "generate", "--privileged", "stray"][..],
        &["rules", "fmt", "--augenrules", "/nonexistent", "stray"][..],
        &["rules", "check", "--list-profiles", "stray"][..],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("stray"),
            "{args:?}"
        );
    }
    // After --, a path may start with -.
    let o = run(&["rules", "lint", "--no-host", "--", "-x"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("reading -x"));
}
