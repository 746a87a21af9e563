//! The SigmaHQ corpus (`../shared/corpus/sigma`) and the corpus logs:
//! which rules load, and what fires on real audit logs.

use std::path::{Path, PathBuf};

use auditkit_detect::{Engine, Hit, LoadOptions, NoTree, RuleSet, Scope, Target, Unsupported};
use auditkit_event::Event;
use auditkit_testsupport::{paths, require};

fn engine(dirs: &[&str], opts: LoadOptions) -> Engine {
    let mut set = RuleSet::new(opts);
    for d in dirs {
        set.add_path(&paths::corpus_path(d)).unwrap();
    }
    Engine::new(set, auditkit_host::Accounts::new())
}

fn events(log: &Path) -> Vec<Event> {
    let data = std::fs::read(log).unwrap();
    auditkit_event::assemble::assemble_all(&data, 2)
}

/// The titles of the rules that fire on a log, in order, with the event.
fn fired(e: &Engine, log: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ev in events(log) {
        let mut hits: Vec<Hit> = Vec::new();
        e.matches(&ev, &NoTree, Scope::All, &mut hits);
        for h in hits {
            out.push((ev.id().to_string(), e.rule(h.rule).meta.title.clone()));
        }
    }
    out
}

fn log(rel: &str) -> PathBuf {
    paths::corpus_path(&format!("logs/{rel}"))
}

#[test]
fn every_active_sigmahq_auditd_rule_loads_and_runs() {
    require!(corpus);
    let e = engine(
        &["sigma/rules/linux/auditd", "sigma/rules-emerging-threats"],
        LoadOptions::default(),
    );
    let rejected: Vec<String> = e.rejected().iter().map(|r| r.describe()).collect();
    assert!(rejected.is_empty(), "{rejected:#?}");
    let auditd = e
        .rules()
        .iter()
        .filter(|r| r.target == Target::Record)
        .count();
    assert_eq!(auditd, 54);
    // All but two (coinminer's a1..a7 and the key-only C2 rule) are
    // routed by record type.
    assert_eq!(e.summary().unrouted, 2);
    assert!(e
        .rules()
        .iter()
        .all(|r| r.meta.author.is_some() && r.meta.link.is_some()));
}

#[test]
fn the_other_linux_log_sources_load_through_the_mapping() {
    require!(corpus);
    let e = engine(
        &["sigma/rules/linux", "sigma/rules-threat-hunting/linux"],
        LoadOptions::default(),
    );
    let s = e.summary();
    let n = |name: &str| {
        s.running
            .iter()
            .find(|(k, _)| k == name)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(n("auditd"), 53);
    assert_eq!(n("process_creation"), 124);
    assert_eq!(n("file_event"), 10);
    assert_eq!(n("network_connection"), 2);
    // The three others need DestinationHostname, which audit events lack.
    let why: Vec<&Unsupported> = e.rejected().iter().map(|r| &r.reason).collect();
    assert_eq!(why.len(), 3, "{why:?}");
    assert!(why
        .iter()
        .all(|u| matches!(u, Unsupported::Field { field, .. } if field == "DestinationHostname")));
}

#[test]
fn unsupported_rules_are_reported_by_name_with_the_reason() {
    require!(corpus);
    let e = engine(
        &["sigma/unsupported", "sigma/deprecated"],
        LoadOptions::default(),
    );
    assert_eq!(
        e.rejected()
            .iter()
            .filter(|r| matches!(r.reason, Unsupported::Status(_)))
            .count(),
        6
    );
    // Loaded on request, the constructs they use are named.
    let e = engine(&["sigma/unsupported"], LoadOptions { all_status: true });
    let mut reasons: Vec<String> = e.rejected().iter().map(|r| r.describe()).collect();
    reasons.sort();
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert_eq!(
        reasons.iter().filter(|r| r.contains("'near'")).count(),
        2,
        "{reasons:#?}"
    );
    assert_eq!(
        reasons.iter().filter(|r| r.contains("count()")).count(),
        2,
        "{reasons:#?}"
    );
    assert!(reasons.iter().any(|r| r.contains("CVE-2021-4034")));
}

#[test]
fn the_otrf_binary_padding_sample_fires_its_rule() {
    require!(corpus);
    let e = engine(&["sigma/rules/linux/auditd"], LoadOptions::default());
    let f = fired(
        &e,
        &log("otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log"),
    );
    assert!(
        f.contains(&(
            "1604996384.965:93777".into(),
            "Binary Padding - Linux".into()
        )),
        "{f:?}"
    );
}

#[test]
fn corpus_logs_fire_what_they_show() {
    require!(corpus);
    let e = engine(&["sigma/rules/linux/auditd"], LoadOptions::default());
    // useradd on RHEL 7: ADD_USER.
    let f = fired(&e, &log("go-libaudit/auparse/testdata/audit-rhel7.log"));
    assert!(
        f.iter().any(|(_, t)| t == "Creation Of An User Account"),
        "{f:?}"
    );
    // dd if=/dev/zero (Atomic Red Team T1027.001) also overwrites.
    let f = fired(
        &e,
        &log("otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log"),
    );
    assert!(
        f.iter()
            .any(|(_, t)| t == "Overwriting the File with Dev Zero or Null"),
        "{f:?}"
    );
    // SERVICE_START of a unit, with the nested msg='unit=...': the
    // firewall rule wants SERVICE_STOP of firewalld and does not fire.
    for l in [
        "laurel/src/testdata/record-service-start.txt",
        "beats-filebeat-auditd/filebeat/module/auditd/log/test/audit-cent7-node.log",
    ] {
        let p = log(l);
        if p.exists() {
            let f = fired(&e, &p);
            assert!(!f.iter().any(|(_, t)| t.contains("Firewall")), "{l}: {f:?}");
        }
    }
    // A perl reverse shell: no auditd rule fires (SigmaHQ has none for
    // it), while the process_creation rule does through the mapping.
    let p = log("laurel/src/testdata/record-perl-reverse-shell.txt");
    let f = fired(&e, &p);
    assert!(f.is_empty(), "{f:?}");
    let pc = engine(
        &["sigma/rules/linux/process_creation"],
        LoadOptions::default(),
    );
    let f = fired(&pc, &p);
    assert!(
        f.iter()
            .any(|(_, t)| t == "Potential Perl Reverse Shell Execution"),
        "{f:?}"
    );
    // arp -a (Atomic Red Team T1018), as a process creation.
    let f = fired(
        &pc,
        &log("otrf-security-datasets/sh_arp_cache_2020-11-10074812.log"),
    );
    assert!(
        f.iter().any(|(_, t)| t == "Linux Remote System Discovery"),
        "{f:?}"
    );
}

#[test]
fn enriched_logs_give_the_syscall_name() {
    require!(corpus);
    // laurel's tree/ traces are ENRICHED (SYSCALL=execve after 0x1D).
    let dir = log("laurel/src/testdata/tree");
    let mut set = RuleSet::new(LoadOptions::default());
    set.add_str(
        "made-here.yml",
        "title: execve by name\nlogsource: {product: linux, service: auditd}\n\
         detection:\n  sel: {type: SYSCALL, SYSCALL: execve}\n  condition: sel\n",
    );
    let e = Engine::new(set, auditkit_host::Accounts::new());
    let mut n = 0;
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        n += fired(&e, &p).len();
    }
    assert!(n > 0);
}
