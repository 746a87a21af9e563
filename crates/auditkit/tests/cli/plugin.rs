//! `auditkit plugin`: records on stdin as auditd hands them to a plugin,
//! alerts to a file, the process tree across a restart through its state
//! file, and a run under the real auditd with the example plugins.d conf.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::kernel::{auditctl, Session};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../auditkit-detect/tests/data")
        .join(format!("{name}.log"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run the plugin on `input` (stdin closes at its end), alerts to `out`.
fn plugin(input: &[u8], out: &Path, state: &Path) -> i32 {
    let mut c = Command::new(env!("CARGO_BIN_EXE_auditkit"))
        .args(["plugin", "--output"])
        .arg(out)
        .arg("--state")
        .arg(state)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .spawn()
        .expect("run auditkit plugin");
    c.stdin.take().unwrap().write_all(input).unwrap();
    c.wait().unwrap().code().unwrap_or(-1)
}

fn alerts(path: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("an alert is one JSON line"))
        .collect()
}

fn titles(a: &[serde_json::Value]) -> Vec<String> {
    a.iter()
        .map(|a| a["rule"]["title"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The plugin path gives the alerts `detect` gives for the same log.
#[test]
fn plugin_on_stdin_alerts_like_detect() {
    let d = TempDir::new("plugin-stdin");
    let log = fs::read(data("pos-revshell")).unwrap();
    let out = d.join("alerts.json");
    assert_eq!(plugin(&log, &out, &d.join("state")), 1);
    let got = alerts(&out);
    let (code, det, _) = auditkit!("detect", "--format", "json", data("pos-revshell")).text();
    assert_eq!(code, 1);
    let want: Vec<serde_json::Value> = det
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut a = titles(&got);
    let mut b = titles(&want);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(a.iter().any(|t| t.contains("/dev/tcp")));
    // The state was written, and a later run reads it.
    let state = fs::read_to_string(d.join("state")).unwrap();
    assert!(state.starts_with("auditkit-proctree 1\n"));
}

/// A restart in the middle of an attack: the web server is known only
/// from the log before the restart, and the shell it spawns after the
/// restart is still "a web server spawning a shell" thanks to the state
/// file; without it, the parent is unknown and the rule cannot fire.
#[test]
fn state_file_carries_the_tree_across_a_restart() {
    let log = fs::read_to_string(data("pos-webshell")).unwrap();
    // Cut before the first exec of a shell by www-data (uid 33).
    let lines: Vec<&str> = log.lines().collect();
    let cut = lines
        .iter()
        .position(|l| {
            l.starts_with("type=SYSCALL") && l.contains(" syscall=59 ") && l.contains(" uid=33 ")
        })
        .expect("the CGI shell's exec");
    let first = lines[..cut].join("\n") + "\n";
    let second = lines[cut..].join("\n") + "\n";
    let web = "Web Server Spawned a Shell";

    let d = TempDir::new("plugin-restart");
    let state = d.join("state");
    let out1 = d.join("a1.json");
    plugin(first.as_bytes(), &out1, &state);
    assert!(!titles(&alerts(&out1)).iter().any(|t| t == web));
    let out2 = d.join("a2.json");
    plugin(second.as_bytes(), &out2, &state);
    let with_state = alerts(&out2);
    let hit = with_state
        .iter()
        .find(|a| a["rule"]["title"] == web)
        .unwrap_or_else(|| {
            panic!(
                "no web shell alert after the restart: {:?}",
                titles(&with_state)
            )
        });
    let anc = hit["context"]["ancestors"].as_array().unwrap();
    assert!(
        anc.iter()
            .any(|p| p["exe"].as_str().is_some_and(|e| e.ends_with("/lighttpd"))),
        "{anc:?}"
    );

    let fresh = TempDir::new("plugin-fresh");
    let out3 = fresh.join("a.json");
    plugin(second.as_bytes(), &out3, &fresh.join("state"));
    assert!(!titles(&alerts(&out3)).iter().any(|t| t == web));
}

/// The real auditd runs the plugin from a plugins.d directory holding the
/// example conf (made active, pointed at this build), while a nested
/// shell runs `env LD_PRELOAD=...` under an execve rule: the alert comes
/// out of the plugin with at least four ancestors, and stopping auditd
/// stops the plugin, which saves its state.
#[test]
fn plugin_under_the_real_auditd() {
    require!(tool "auditd");
    require!(tool "auditctl");
    let Some(_s) = Session::start("plugin") else {
        return;
    };
    if Command::new("pgrep")
        .args(["-x", "auditd"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        auditkit_testsupport::skip("an auditd is running: only one can own the audit socket");
        return;
    }
    let d = TempDir::new("plugin-auditd");
    let conf = d.join("conf");
    let plugins = conf.join("plugins.d");
    fs::create_dir_all(&plugins).unwrap();
    let out = d.join("out");
    fs::create_dir_all(&out).unwrap();
    let alerts_file = out.join("alerts.json");
    let example =
        fs::read_to_string(root().join("contrib/plugins.d/auditkit-detect.conf")).unwrap();
    let mine: String = example
        .lines()
        .map(|l| {
            if l.starts_with("active") {
                "active = yes".to_string()
            } else if l.starts_with("path") {
                format!("path = {}", env!("CARGO_BIN_EXE_auditkit"))
            } else if l.starts_with("args") {
                format!("args = plugin --output={}", alerts_file.display())
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(plugins.join("auditkit-detect.conf"), mine + "\n").unwrap();
    let logdir = d.join("log");
    fs::create_dir_all(&logdir).unwrap();
    let cfg = format!(
        "local_events = yes\nwrite_logs = yes\nlog_file = {}/audit.log\nlog_format = ENRICHED\n\
         flush = INCREMENTAL_ASYNC\nfreq = 50\nmax_log_file = 50\nmax_log_file_action = IGNORE\n\
         space_left = 10\nspace_left_action = IGNORE\nadmin_space_left = 5\n\
         admin_space_left_action = IGNORE\ndisk_full_action = IGNORE\ndisk_error_action = SYSLOG\n\
         name_format = NONE\nplugin_dir = {}\nq_depth = 4000\nend_of_event_timeout = 2\n",
        logdir.display(),
        plugins.display()
    );
    fs::write(conf.join("auditd.conf"), cfg).unwrap();
    Command::new("chmod")
        .args(["640"])
        .arg(conf.join("auditd.conf"))
        .status()
        .unwrap();
    let mut auditd = Command::new("auditd")
        .args(["-n", "-s", "enable", "-c"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start auditd");
    let pid = auditd.id().to_string();
    let started = Instant::now();
    while !auditctl(&["-s"])
        .1
        .lines()
        .any(|l| l == format!("pid {pid}"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "auditd did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let rule = [
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "execve",
        "-F",
        "auid=1591",
        "-k",
        "akplug-exec",
    ];
    assert!(auditctl(&rule).0, "add the execve rule");
    // Give the plugin time to start and read /proc.
    std::thread::sleep(Duration::from_millis(500));
    let script = d.join("nested.sh");
    fs::write(
        &script,
        r#"echo 1591 > /proc/self/loginuid || exit 1
bash -c 'sh -c "bash -c \"sh -c \\\"env LD_PRELOAD=/nonexistent-akplug.so /bin/true\\\"\""'
"#,
    )
    .unwrap();
    let st = Command::new("bash")
        .arg(&script)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let mut found = None;
    let t = Instant::now();
    while found.is_none() && t.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(200));
        found = alerts(&alerts_file).into_iter().find(|a| {
            a["rule"]["title"] == "LD_PRELOAD Used on a Command Line"
                && a["event"].to_string().contains("akplug")
        });
    }
    let mut del = rule;
    del[0] = "-d";
    auditctl(&del);
    // Stop auditd: it stops its plugins, and the plugin saves its state.
    stop(auditd.id());
    let _ = auditd.wait();
    let a = found.expect("the plugin wrote the LD_PRELOAD alert");
    let anc = a["context"]["ancestors"].as_array().unwrap();
    assert!(anc.len() >= 4, "{anc:?}");
    let t = Instant::now();
    let state = out.join("alerts.json.state");
    while !state.exists() && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = fs::read_to_string(&state).expect("the plugin saved its state");
    assert!(text.starts_with("auditkit-proctree 1\n") && text.lines().count() > 4);
}

/// SIGTERM, as a service manager stops auditd.
fn stop(pid: u32) {
    let _ = Command::new("kill").arg(pid.to_string()).status();
}

/// `detect --live` joins the kernel's multicast group: a nested shell's
/// `env LD_PRELOAD=...` under an execve rule comes out as an alert with
/// its ancestors (the test's own processes, known from /proc), and
/// SIGTERM ends the run with the state saved.
#[test]
fn detect_live_reads_the_multicast_group() {
    require!(tool "auditctl");
    let Some(_s) = Session::start("live") else {
        return;
    };
    let d = TempDir::new("live");
    let state = d.join("state");
    assert!(
        auditctl(&["-e", "1"]).0,
        "enable auditing (restored at the end)"
    );
    let rule = [
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "execve",
        "-F",
        "auid=1592",
        "-k",
        "aklive-exec",
    ];
    assert!(auditctl(&rule).0, "add the execve rule");
    let mut live = Command::new(env!("CARGO_BIN_EXE_auditkit"))
        .args(["detect", "--live", "--format", "json", "--state"])
        .arg(&state)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run auditkit detect --live");
    let stdout = live.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(800));
    let script = d.join("nested.sh");
    fs::write(
        &script,
        r#"echo 1592 > /proc/self/loginuid || exit 1
bash -c 'sh -c "env LD_PRELOAD=/nonexistent-aklive.so /bin/true"'
"#,
    )
    .unwrap();
    let st = Command::new("bash")
        .arg(&script)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let t = Instant::now();
    let mut found = None;
    while found.is_none() && t.elapsed() < Duration::from_secs(15) {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            let v: serde_json::Value = serde_json::from_str(&l).expect("an alert is JSON");
            if v["rule"]["title"] == "LD_PRELOAD Used on a Command Line"
                && v["event"].to_string().contains("aklive")
            {
                found = Some(v);
            }
        }
    }
    let mut del = rule;
    del[0] = "-d";
    auditctl(&del);
    stop(live.id());
    let status = live.wait().unwrap();
    let a = found.expect("the live run printed the LD_PRELOAD alert");
    let anc = a["context"]["ancestors"].as_array().unwrap();
    // sh -c, bash -c, the script's bash, then this test binary from /proc.
    assert!(anc.len() >= 4, "{anc:?}");
    assert_eq!(status.code(), Some(1), "an alert fired");
    assert!(fs::read_to_string(&state)
        .unwrap()
        .starts_with("auditkit-proctree 1\n"));
}
