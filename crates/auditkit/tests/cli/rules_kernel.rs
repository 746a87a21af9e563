//! `auditkit rules loaded | diff | apply` against the real kernel, with
//! auditctl 3.0.9 as the oracle. Shares the kernel tests' session helper
//! (lock on `/tmp/auditkit-kernel.lock`, rules and settings saved first and
//! restored byte for byte, skip when not root or audit is unavailable).
//! Never passes `--allow-immutable` or `--allow-panic`.

use auditkit_rules::{parse_file, Loaded, Machine, Resolver};
use auditkit_testsupport::kernel as common;
use common::{
    assert_most_of_corpus, auditctl, auditctl_listing, corpus_files, loadable, RealHost, Session,
};

fn auditkit(args: &[&str]) -> (i32, String, String) {
    auditkit!().args(args).text()
}

/// What `auditctl -l` shows after loading `text` into an empty kernel.
fn expected(text: &str, host: &RealHost) -> Vec<String> {
    let native = Machine::native();
    let (file, _) = parse_file("f", text);
    let mut l = Loaded::new();
    l.load_file(&file, &Resolver { native, host });
    l.listing(native)
}

/// (2) Every corpus file through `auditkit rules apply`, read back with
/// `auditctl -l` and `auditkit rules loaded`; `diff` then finds nothing.
#[test]
fn apply_loaded_and_diff_over_the_corpus() {
    let Some(mut s) = Session::start("cli-apply") else {
        return;
    };
    let host = common::real_host();
    let (mut files, mut rules, mut failures) = (0, 0, Vec::new());
    for (name, text) in corpus_files() {
        let text = loadable(&name, &text, &host);
        let p = s.write("apply.rules", &text);
        let path = p.to_str().unwrap_or_default();
        let (code, _, err) = auditkit(&["rules", "apply", path]);
        if code != 0 {
            failures.push(format!("{name}: apply exit {code}: {err}"));
            continue;
        }
        let want = expected(&text, &host);
        let theirs = auditctl_listing();
        if theirs != want {
            failures.push(format!("{name}: auditctl -l differs from the file"));
        }
        let (code, out, err) = auditkit(&["rules", "loaded"]);
        let ours: Vec<String> = out
            .lines()
            .filter(|l| *l != "No rules")
            .map(str::to_string)
            .collect();
        if code != 0 || ours != theirs {
            failures.push(format!(
                "{name}: rules loaded (exit {code}) differs from auditctl -l: {err}"
            ));
        }
        let (code, out, _) = auditkit(&["rules", "diff", path]);
        if code != 0 {
            failures.push(format!("{name}: diff after apply exit {code}:\n{out}"));
        }
        files += 1;
        rules += theirs.len();
    }
    s.restore_now();
    eprintln!("{files} files, {rules} rules applied through the CLI");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_most_of_corpus(files, rules);
}

/// `diff` shows what differs and exits 1; JSON listing has the keys.
#[test]
fn diff_and_json() {
    let Some(s) = Session::start("cli-diff") else {
        return;
    };
    let a = s.write(
        "a.rules",
        "-w /etc/passwd -p wa -k auditkit-cli-a\n-w /etc/group -p wa -k auditkit-cli-a\n",
    );
    let b = s.write("b.rules", "-w /etc/passwd -p wa -k auditkit-cli-a\n-a always,exit -F arch=b64 -S execve -k auditkit-cli-b\n");
    let (code, _, err) = auditkit(&["rules", "apply", a.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = auditkit(&["rules", "diff", b.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    let body: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(
        body,
        [
            " -w /etc/passwd -p wa -k auditkit-cli-a",
            "--w /etc/group -p wa -k auditkit-cli-a",
            "+-a always,exit -F arch=b64 -S execve -F key=auditkit-cli-b"
        ]
    );
    let (code, out, _) = auditkit(&["rules", "loaded", "--format", "json"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("{\"rules\":[{\"rule\":\"-w /etc/passwd -p wa -k auditkit-cli-a\",\"list\":\"exit\",\"action\":\"always\",\"keys\":[\"auditkit-cli-a\"]}"), "{out}");
    let (code, out, _) = auditkit(&["rules", "loaded", "--status"]);
    assert_eq!(code, 0);
    let (_, st, _) = auditctl(&["-s"]);
    assert_eq!(out.lines().next(), st.lines().next());
    // A dry run changes nothing.
    let before = auditctl_listing();
    let (code, out, _) = auditkit(&[
        "rules",
        "apply",
        "--dry-run",
        b.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(auditctl_listing(), before);
}

/// (3, 4) A kernel refusal in the middle of a file restores the previous
/// rules; `-e 2` / `-f 2` are refused without the flags and nothing changes.
#[test]
fn apply_refuses_and_rolls_back() {
    let Some(s) = Session::start("cli-refuse") else {
        return;
    };
    let good = s.write(
        "good.rules",
        "-w /etc/passwd -p wa -k auditkit-cli-r\n-a never,exclude -F msgtype=CWD\n",
    );
    let (code, _, err) = auditkit(&["rules", "apply", good.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{err}");
    let before = auditctl_listing();
    let (_, status_before, _) = auditctl(&["-s"]);
    let bad = s.write("bad.rules", "-a always,exit -F arch=b64 -S openat -k auditkit-cli-r\n-w /auditkit-no-such-dir/f -p wa -k auditkit-cli-r\n-w /etc/group -p wa -k auditkit-cli-r\n");
    let (code, _, err) = auditkit(&["rules", "apply", bad.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    assert!(err.contains("restored"), "{err}");
    assert_eq!(auditctl_listing(), before);
    let settings = |st: &str| -> Vec<String> {
        st.lines()
            .filter(|l| {
                l.starts_with("enabled")
                    || l.starts_with("failure")
                    || l.starts_with("backlog_limit")
                    || l.starts_with("rate_limit")
            })
            .map(str::to_string)
            .collect()
    };
    for text in [
        "-b 4242\n-w /etc/hosts -p wa -k auditkit-cli-r\n-e 2\n",
        "-f 2\n-r 9\n-w /etc/hosts -p wa -k auditkit-cli-r\n",
    ] {
        let f = s.write("locked.rules", text);
        for dry in [false, true] {
            let mut args = vec!["rules", "apply"];
            if dry {
                args.push("--dry-run");
            }
            args.push(f.to_str().unwrap_or_default());
            let (code, _, err) = auditkit(&args);
            assert_eq!(code, 1, "{err}");
            assert!(err.contains("refusing"), "{err}");
            assert_eq!(auditctl_listing(), before);
            let (_, st, _) = auditctl(&["-s"]);
            assert_eq!(settings(&st), settings(&status_before));
        }
    }
}

/// A rules.d directory is merged as augenrules does (`sort -V` order,
/// settings kept), applied with its settings, then compares equal.
#[test]
fn augenrules_directory() {
    let Some(s) = Session::start("cli-augen") else {
        return;
    };
    let dir = s.dir.join("rules.d");
    std::fs::create_dir_all(&dir).expect("rules.d");
    std::fs::write(
        dir.join("10-b.rules"),
        "-w /etc/group -p wa -k auditkit-cli-d\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("9-a.rules"),
        "-D\n--backlog_wait_time 54321\n-w /etc/passwd -p wa -k auditkit-cli-d\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("README"),
        "-w /etc/hosts -p wa -k not-a-rules-file\n",
    )
    .expect("write");
    let d = dir.to_str().unwrap_or_default();
    let (code, out, _) = auditkit(&["rules", "diff", "--augenrules", "--settings", d]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("~--backlog_wait_time 54321"), "{out}");
    let (code, out, err) = auditkit(&["rules", "apply", "--augenrules", d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("--backlog_wait_time 54321"), "{out}");
    assert_eq!(
        auditctl_listing(),
        [
            "-w /etc/passwd -p wa -k auditkit-cli-d",
            "-w /etc/group -p wa -k auditkit-cli-d"
        ]
    );
    let (_, st, _) = auditctl(&["-s"]);
    assert!(st.lines().any(|l| l == "backlog_wait_time 54321"), "{st}");
    let (code, out, _) = auditkit(&["rules", "diff", "--settings", d]);
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = auditkit(&["rules", "apply", "--augenrules", "/etc/hostname"]);
    assert_eq!(code, 1);
    assert!(err.contains("needs a rules.d directory"), "{err}");
}

/// `rules check --loaded`: the running kernel's rules are read over netlink.
/// Applied as on disk, 6.2.3.21 passes and the loaded set is judged like
/// the files; after a rule is deleted from the kernel behind our back,
/// 6.2.3.21 fails naming it, and the item that rule served fails for the
/// running kernel while it still passes on disk.
#[test]
fn check_loaded_reads_the_kernel() {
    let Some(mut s) = Session::start("cli-check-loaded") else {
        return;
    };
    let rules = "\
-w /etc/group -p wa -k identity
-w /etc/passwd -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/security/opasswd -p wa -k identity
-w /etc/nsswitch.conf -p wa -k identity
-w /etc/pam.conf -p wa -k identity
-w /etc/pam.d -p wa -k identity
";
    let host = common::real_host();
    let rules = loadable("identity.rules", rules, &host);
    let p = s.write("identity.rules", &rules);
    let path = p.to_str().unwrap_or_default();
    let (code, _, err) = auditkit(&["rules", "apply", path]);
    assert_eq!(code, 0, "{err}");

    let run = || check_loaded(path);
    // A host may lack a watched file's directory (/etc/security): then the
    // rule is left out and the item fails on disk and loaded alike.
    let all = if rules.lines().filter(|l| l.starts_with("-w")).count() == 8 {
        "pass"
    } else {
        "fail"
    };
    let (_, items, out) = run();
    assert_eq!(status(&items, "disk", "6.2.3.21"), "pass", "{out}");
    assert_eq!(status(&items, "disk", "6.2.3.8"), all);
    assert_eq!(status(&items, "loaded", "6.2.3.8"), all);

    // Drift: one identity watch removed from the kernel only.
    let (ok, _, e) = auditctl(&["-W", "/etc/shadow", "-p", "wa", "-k", "identity"]);
    assert!(ok, "{e}");
    let (code, items, out) = run();
    assert_eq!(code, 1);
    assert_eq!(status(&items, "disk", "6.2.3.21"), "fail");
    assert!(out.contains("on disk but not loaded: -w /etc/shadow -p wa -k identity"));
    assert_eq!(status(&items, "disk", "6.2.3.8"), all);
    assert_eq!(status(&items, "loaded", "6.2.3.8"), "fail");
    s.restore_now();
}

/// The generated hardened set loads into the real kernel: `generate
/// --profile harden --skip-missing` (without its final `-e 2`, which no
/// test may load) goes through `rules apply`, `rules diff` then finds the
/// kernel equal to the directory, `rules loaded` equals `auditctl -l`, and
/// `check --loaded` passes the
/// CIS rules items for the running kernel that the set passes on disk.
#[test]
fn generated_harden_set_loads() {
    let Some(s) = Session::start("cli-harden") else {
        return;
    };
    let marker = s.write("marker", "");
    let dir = marker.parent().expect("session dir").join("harden");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let d = dir.to_str().unwrap_or_default();
    let (code, _, err) = auditkit(&[
        "rules",
        "generate",
        "--profile",
        "harden",
        "--skip-missing",
        "--out",
        d,
    ]);
    assert_eq!(code, 0, "{err}");
    let fin = dir.join("99-finalize.rules");
    let text = std::fs::read_to_string(&fin).unwrap_or_default();
    let kept: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("-e"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&fin, kept).expect("write");

    let (code, out, err) = auditkit(&["rules", "apply", d]);
    assert_eq!(code, 0, "apply: {out}{err}");
    // What is loaded is what the directory says (augenrules' merge), and
    // our netlink listing equals auditctl's.
    let (code, out, err) = auditkit(&["rules", "diff", d]);
    assert_eq!(code, 0, "diff: {out}{err}");
    let got = auditctl_listing();
    // How many rules the set has depends on the host (its setuid files,
    // which watched paths exist): the kernel holds what the directory
    // says, i.e. what `rules fmt` lists for the file augenrules would write.
    let (code, merged, err) = auditkit(&["rules", "fmt", "--augenrules", d]);
    assert_eq!(code, 0, "fmt --augenrules: {err}");
    let merged = s.write("audit.rules", &merged);
    let (code, want, err) = auditkit(&["rules", "fmt", merged.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "fmt: {err}");
    let want: Vec<&str> = want.lines().filter(|l| *l != "No rules").collect();
    assert!(!want.is_empty(), "the hardened set has rules on any host");
    assert_eq!(got, want, "auditctl -l lists what the directory says");
    let (_, ours, _) = auditkit(&["rules", "loaded"]);
    let ours: Vec<&str> = ours.lines().collect();
    assert_eq!(ours, got);

    let (_, items, _) = check_loaded(d);
    let status = |src: &str, id: &str| status(&items, src, id);
    let mut compared = 0;
    for x in items
        .iter()
        .filter(|x| x["source"] == "disk" && x["kind"] == "rules")
    {
        let id = x["id"].as_str().unwrap_or_default();
        // 6.2.3.20 (-e 2) was removed on purpose; 6.2.3.21 compares the two.
        if id == "6.2.3.20" || id == "6.2.3.21" {
            continue;
        }
        assert_eq!(status("loaded", id), status("disk", id), "item {id}");
        compared += 1;
    }
    assert!(compared >= 15, "{compared} items compared");
    assert_eq!(status("disk", "6.2.3.21"), "pass");
}

/// `rules check --profile cis-debian12 --loaded --format json PATH`: the
/// exit code, the items, and stdout with stderr (for messages).
fn check_loaded(path: &str) -> (i32, Vec<serde_json::Value>, String) {
    let (code, out, err) = auditkit(&[
        "rules",
        "check",
        "--profile",
        "cis-debian12",
        "--loaded",
        "--format",
        "json",
        path,
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}{out}"));
    let items = v.as_array().expect("array").clone();
    (code, items, format!("{err}{out}"))
}

/// The status of a check item from `source` (`disk` or `loaded`), or "".
fn status(items: &[serde_json::Value], source: &str, id: &str) -> String {
    items
        .iter()
        .find(|x| x["source"] == source && x["id"] == id)
        .and_then(|x| x["status"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Issue 8, item 5: `rules fmt` prints what `auditctl -l` prints, byte for
/// byte, for an empty rule set (`No rules`) and for a small one.
#[test]
fn fmt_prints_what_auditctl_lists() {
    let Some(mut s) = Session::start("cli-fmt") else {
        return;
    };
    let files = [
        ("empty.rules", "# nothing but comments and control lines\n-D\n-b 8192\n"),
        (
            "one.rules",
            "-D\n-a exit,always -F arch=b64 -S openat -F auid>=1000 -F auid!=-1 -k auditkit-cli-fmt\n",
        ),
    ];
    for (name, text) in files {
        let p = s.write(name, text);
        let path = p.to_str().unwrap_or_default();
        s.audit.delete_all().expect("delete all");
        // Only the rule lines go to the kernel (no -b: it is global state).
        let rules: String = text
            .lines()
            .filter(|l| l.starts_with("-a"))
            .map(|l| format!("{l}\n"))
            .collect();
        let load = s.write("load.rules", &rules);
        if !rules.is_empty() {
            let (ok, _, e) = auditctl(&["-R", load.to_str().unwrap_or_default()]);
            assert!(ok, "{e}");
        }
        let out = std::process::Command::new("auditctl")
            .arg("-l")
            .output()
            .expect("auditctl -l");
        let (code, ours, err) = auditkit(&["rules", "fmt", path]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(ours, String::from_utf8_lossy(&out.stdout), "{name}");
    }
    s.restore_now();
}
