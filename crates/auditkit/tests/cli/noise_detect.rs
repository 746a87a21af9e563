//! `auditkit report --noise --detect`: the detection guard on real
//! auditd logs. The detect test logs (crates/auditkit-detect/tests/data,
//! written by the real auditd with the harden set and the script's own
//! rules) are combined: curl and wget downloads, on which the built-in
//! "Curl or Wget" detections fire, and a cron-like loop of `date`,
//! `sleep`, `find` and `run-parts`, on which nothing fires. Both kinds are
//! noisy enough to be suggested; the guard must withhold the first and
//! keep the second, and what it says is lost must be what `auditkit
//! detect` raises on those events.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use auditkit_testsupport::fs::TempDir;
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../auditkit-detect/tests/data")
        .join(name)
}

/// The rules the logs were made with (tools/gen-detect-logs.sh): the
/// harden set's rule lines, then the script's own, limited to the test
/// login uids (the watch on the test user's home is left out: nothing in
/// these logs comes from it).
fn rules(dir: &Path) -> PathBuf {
    let harden = fs::read_to_string(data("harden.rules")).expect("harden.rules");
    let mut r: String = harden
        .lines()
        .filter(|l| (l.starts_with("-a ") || l.starts_with("-w ")) && !l.contains("always,exclude"))
        .map(|l| format!("{l}\n"))
        .collect();
    let a = "-F auid>=1510 -F auid<=1599";
    for l in [
        format!("-a always,exit -F arch=b64 -S execve,execveat {a} -k akdet-exec"),
        format!("-a always,exit -F arch=b64 -S clone,fork,vfork {a} -k akdet-proc"),
        format!("-a always,exit -F arch=b64 -S exit_group {a} -k akdet-proc"),
        format!("-a always,exit -F arch=b64 -S connect,bind,accept,accept4 {a} -k akdet-net"),
        "-w /etc/systemd/system/ -p wa -k akdet-persist".to_string(),
        "-w /etc/init.d/ -p wa -k akdet-persist".to_string(),
        "-w /etc/rc.local -p wa -k akdet-persist".to_string(),
    ] {
        r.push_str(&l);
        r.push('\n');
    }
    let p = dir.join("detect.rules");
    fs::write(&p, r).expect("write rules");
    p
}

/// The downloads then the cron loop, in the order the script ran them.
fn log(dir: &Path) -> PathBuf {
    let mut all = fs::read(data("pos-download.log")).expect("pos-download.log");
    all.extend(fs::read(data("benign-cron.log")).expect("benign-cron.log"));
    let p = dir.join("combined.log");
    fs::write(&p, all).expect("write log");
    p
}

fn noise(rules: &Path, log: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "report",
        "--noise",
        "--rules",
        rules.to_str().unwrap(),
        "-if",
        log.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = auditkit!().args(&args).text();
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn whats(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.get("suggestion")
                .unwrap_or(s)
                .get("what")
                .and_then(Value::as_str)
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Alerts of `auditkit detect` (built-ins) per (exe, rule title).
fn detect_alerts(log: &Path) -> BTreeMap<(String, String), u64> {
    let (code, out, err) = auditkit!()
        .args(["detect", "--format", "json", "-if", log.to_str().unwrap()])
        .text();
    assert!(code == 0 || code == 1, "detect: {code} {err}");
    let mut m = BTreeMap::new();
    for l in out.lines() {
        let a: Value = serde_json::from_str(l).expect("alert JSON");
        let title = a["rule"]["title"].as_str().unwrap().to_string();
        let exe = a["event"]["records"]
            .as_array()
            .and_then(|rs| {
                rs.iter()
                    .find(|r| r["type"] == "SYSCALL")
                    .and_then(|r| r["fields"]["exe"].as_str())
            })
            .unwrap_or("")
            .trim_matches('"')
            .to_string();
        *m.entry((exe, title)).or_insert(0) += 1;
    }
    m
}

#[test]
fn detection_guard_withholds_what_alerts_and_keeps_the_rest() {
    let dir = TempDir::new("noise-detect");
    let (rules, log) = (rules(dir.path()), log(dir.path()));

    // Without the guard, the downloads are suggested beside the cron loop.
    let plain = noise(&rules, &log, &[]);
    let plain_s = whats(&plain["suggestions"]);
    for exe in ["/usr/bin/curl", "/usr/bin/wget", "/usr/bin/sleep"] {
        let w = format!("syscall events of {exe}");
        assert!(plain_s.contains(&w), "{w} not suggested: {plain_s:?}");
    }
    assert!(plain["withheld"].as_array().unwrap().is_empty());

    let guarded = noise(&rules, &log, &["--detect"]);
    let kept = whats(&guarded["suggestions"]);
    let withheld = whats(&guarded["withheld"]);
    assert!(
        guarded["detections"]
            .as_str()
            .is_some_and(|d| d.starts_with("the built-in detections")),
        "{}",
        guarded["detections"]
    );
    // The cron loop stays suggested; the downloads do not.
    for exe in ["sleep", "find", "run-parts", "date"] {
        let w = format!("syscall events of /usr/bin/{exe}");
        assert!(kept.contains(&w), "{w} withheld: {withheld:?}");
    }
    assert_eq!(
        withheld,
        vec![
            "syscall events of /usr/bin/curl".to_string(),
            "syscall events of /usr/bin/wget".to_string()
        ]
    );
    // Every suggestion is either kept or withheld.
    assert_eq!(kept.len() + withheld.len(), plain_s.len());

    // What is lost is what detect raises on those programs' events.
    let oracle = detect_alerts(&log);
    for w in guarded["withheld"].as_array().unwrap() {
        let what = w["suggestion"]["what"].as_str().unwrap();
        let exe = what.trim_start_matches("syscall events of ");
        let mut want: Vec<String> = oracle
            .iter()
            .filter(|((e, _), _)| e == exe)
            .map(|((_, t), n)| format!("{n} alert(s) of {t} lost"))
            .collect();
        want.sort();
        let mut got: Vec<String> = w["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        got.sort();
        assert!(!want.is_empty(), "detect raised nothing on {exe}");
        assert_eq!(got, want, "{exe}");
    }
    // The savings of the kept suggestions are recomputed without them.
    assert!(
        guarded["combined"]["bytes"].as_u64().unwrap()
            < plain["combined"]["bytes"].as_u64().unwrap()
    );
    assert!(!guarded["fragment"].as_str().unwrap().contains("curl"));

    // The text says the same.
    let (code, text, err) = auditkit!()
        .args([
            "report",
            "--noise",
            "--rules",
            rules.to_str().unwrap(),
            "-if",
            log.to_str().unwrap(),
            "--detect",
        ])
        .text();
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("suggestion(s) withheld")
            && text.contains(
                "syscall events of /usr/bin/curl: would change the alerts: 3 alert(s) of Curl or Wget Executed lost"
            ),
        "{text}"
    );
}

/// A correlation: a rule of our own that counts curl runs without
/// alerting on each (`generate: false`), firing at 3 within an hour. The
/// log has 3 curl runs, so dropping curl keeps the correlation from its
/// threshold; `--detect-rules` alone (no built-ins) must see that.
#[test]
fn detection_guard_sees_a_correlation_fall_below_its_threshold() {
    let dir = TempDir::new("noise-detect-corr");
    let (rules, log) = (rules(dir.path()), log(dir.path()));
    let sigma = dir.path().join("sigma");
    fs::create_dir_all(&sigma).unwrap();
    fs::write(
        sigma.join("curl.yml"),
        "title: Curl run\nname: curl_run\nlogsource: {product: linux, service: auditd}\n\
         detection:\n  sel: {type: SYSCALL, SYSCALL: execve, exe: /usr/bin/curl}\n  condition: sel\n\
         level: low\n---\n\
         title: Curl three times\ncorrelation:\n  type: event_count\n  rules: [curl_run]\n  \
         group-by: [auid]\n  timespan: 1h\n  condition: {gte: 3}\nlevel: medium\n",
    )
    .unwrap();
    let (code, out, err) = auditkit!()
        .args([
            "detect",
            "--format",
            "json",
            "--rules",
            sigma.to_str().unwrap(),
        ])
        .args(["-if", log.to_str().unwrap()])
        .text();
    assert!(
        code == 1,
        "the correlation fires in the log: {code} {out} {err}"
    );
    let fired: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(fired.len(), 1, "{out}");
    assert_eq!(fired[0]["rule"]["title"], "Curl three times");

    let j = noise(&rules, &log, &["--detect-rules", sigma.to_str().unwrap()]);
    assert_eq!(
        whats(&j["withheld"]),
        vec!["syscall events of /usr/bin/curl"]
    );
    assert_eq!(
        j["withheld"][0]["alerts"][0],
        "1 alert(s) of Curl three times lost"
    );
    // wget fires nothing here: it stays suggested.
    assert!(whats(&j["suggestions"]).contains(&"syscall events of /usr/bin/wget".to_string()));
}
