//! `auditkit detect` on corpus logs: SigmaHQ's rules, the alert format
//! (the event exactly as `search --format json` prints it), every input
//! format, `--min-level`, `--check-rules`, correlation, exit statuses.

use std::path::PathBuf;

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths;
use serde_json::Value;

fn corpus(rel: &str) -> PathBuf {
    paths::corpus_path(rel)
}

const PADDING: &str = "logs/otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log";
const PADDING_ID: &str = "c52a914f-3d8b-4b2a-bb75-b3991e75f8ba";

fn alerts(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn alerts_carry_the_rule_and_the_event_as_search_prints_it() {
    require!(corpus);
    let log = corpus(PADDING);
    let o = auditkit!("detect", "--rules")
        .arg(corpus("sigma/rules/linux/auditd"))
        .arg(&log)
        .output();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let a = alerts(&o.stdout);
    let pad = a
        .iter()
        .find(|x| x["rule"]["id"] == PADDING_ID)
        .expect("the binary padding rule fires");
    assert_eq!(pad["rule"]["title"], "Binary Padding - Linux");
    assert_eq!(pad["rule"]["level"], "high");
    assert_eq!(pad["rule"]["author"], "Igor Fits, oscd.community");
    assert_eq!(
        pad["rule"]["link"],
        "https://github.com/SigmaHQ/sigma/blob/master/rules/linux/auditd/execve/lnx_auditd_binary_padding.yml"
    );
    assert!(pad["rule"]["tags"]
        .as_array()
        .unwrap()
        .contains(&"attack.t1027.001".into()));
    assert_eq!(pad["record"], 1, "the EXECVE record");
    assert!(pad["context"]["ancestors"].is_array());
    let s = auditkit!("search", "--format", "json", "-if")
        .arg(&log)
        .output();
    let searched: Vec<Value> = alerts(&s.stdout);
    assert_eq!(searched.len(), 1);
    assert_eq!(pad["event"], searched[0]);
}

#[test]
fn ausearch_interpreted_and_raw_output_fire_the_same_rule() {
    require!(corpus);
    let aus = require!(tool "ausearch");
    let tmp = TempDir::new("detect-formats");
    let log = corpus(PADDING);
    for (name, args) in [("interpreted.log", vec!["-i"]), ("raw.log", vec!["--raw"])] {
        let out = std::process::Command::new(&aus)
            .args(["-if"])
            .arg(&log)
            .args(&args)
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .output()
            .unwrap();
        assert!(!out.stdout.is_empty(), "ausearch {args:?}");
        let p = tmp.path().join(name);
        std::fs::write(&p, &out.stdout).unwrap();
        let o = auditkit!("detect", "--format", "json", "--rules")
            .arg(corpus("sigma/rules/linux/auditd"))
            .arg(&p)
            .output();
        let a = alerts(&o.stdout);
        assert!(
            a.iter().any(|x| x["rule"]["id"] == PADDING_ID),
            "{name}: {a:?}"
        );
    }
}

#[test]
fn nothing_fired_is_status_0_and_min_level_filters() {
    require!(corpus);
    let o = auditkit!("detect", "--min-level", "critical", "--rules")
        .arg(corpus("sigma/rules/linux/auditd"))
        .arg(corpus(PADDING))
        .output();
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let o = auditkit!("detect", "--format", "text", "--rules")
        .arg(corpus("sigma/rules/linux/auditd"))
        .arg(corpus(PADDING))
        .output();
    assert_eq!(o.status.code(), Some(1));
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("[high] Binary Padding - Linux"), "{t}");
    assert!(t.contains("command: dd if=/dev/zero bs=1 count=1"), "{t}");
    assert!(t.contains("rule by Igor Fits"), "{t}");
    // Without --rules, the built-in detections run.
    let o = auditkit!("detect", "--format", "json")
        .arg(corpus(PADDING))
        .output();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    let o = auditkit!("detect", "--list-rules").output();
    assert!(String::from_utf8_lossy(&o.stdout).contains("builtin:ak_revshell_dev_tcp.yml"));
}

#[test]
fn check_rules_counts_per_log_source_and_says_why() {
    require!(corpus);
    let o = auditkit!("detect", "--check-rules", "--rules")
        .arg(corpus("sigma/rules/linux"))
        .arg("--rules")
        .arg(corpus("sigma/rules-threat-hunting/linux"))
        .arg("--rules")
        .arg(corpus("sigma/rules-emerging-threats"))
        .output();
    assert_eq!(o.status.code(), Some(0));
    let t = String::from_utf8_lossy(&o.stdout);
    for want in [
        "54  auditd",
        "124  process_creation",
        "10  file_event",
        "2  network_connection",
        "3  network_connection: field 'DestinationHostname'",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    let o = auditkit!("detect", "--list-rules", "--rules")
        .arg(corpus("sigma/rules/linux/auditd"))
        .output();
    assert_eq!(o.status.code(), Some(0));
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(
        t.contains("high          auditd             Binary Padding - Linux"),
        "{t}"
    );
    assert!(t.contains("needs: Required auditd configuration:"), "{t}");
    assert!(
        t.contains("       -w /usr/bin/wget -p x -k susp_activity\n"),
        "{t}"
    );
}

#[test]
fn ssh_brute_force_is_a_correlation() {
    // Made here: failed sshd logins as sshd logs them (the record shape of
    // go-libaudit's audit-ubuntu16.log), 6 from one address within a
    // minute and 2 from another.
    let tmp = TempDir::new("detect-brute");
    let mut log = String::new();
    for (i, addr) in ["203.0.113.9"; 6]
        .iter()
        .chain(["198.51.100.7"; 2].iter())
        .enumerate()
    {
        log.push_str(&format!(
            "type=USER_LOGIN msg=audit(1700000{:03}.000:{}): pid={} uid=0 auid=4294967295 \
             ses=4294967295 msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? \
             addr={addr} terminal=sshd res=failed'\n",
            i * 7,
            100 + i,
            4000 + i
        ));
    }
    let logf = tmp.path().join("audit.log");
    std::fs::write(&logf, log).unwrap();
    let rules = tmp.path().join("rules.yml");
    std::fs::write(
        &rules,
        "title: Failed login\nname: failed_login\nid: 11111111-0000-0000-0000-000000000001\n\
         logsource: {product: linux, service: auditd}\n\
         detection:\n  sel: {type: USER_LOGIN, res: failed}\n  condition: sel\nlevel: low\n\
         ---\n\
         title: SSH brute force\nid: 11111111-0000-0000-0000-000000000002\nlevel: high\n\
         correlation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [addr]\n  \
         timespan: 5m\n  condition: {gte: 5}\n",
    )
    .unwrap();
    let o = auditkit!("detect", "--format", "json", "--rules")
        .arg(&rules)
        .arg(&logf)
        .output();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let a = alerts(&o.stdout);
    // The base rule only feeds the correlation (no generate: true).
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0]["rule"]["title"], "SSH brute force");
    assert_eq!(a[0]["correlation"]["group"]["addr"], "203.0.113.9");
    assert_eq!(a[0]["correlation"]["count"], 5);
    assert_eq!(a[0]["event"]["serial"], 104);
}
