//! auditd semantics of the engine, one rule and one made-here event at a
//! time: which value a rule's field sees in each kind of record.

use auditkit_detect::{Engine, Hit, LoadOptions, NoTree, RuleSet, Scope};

/// A record rule with one selection `sel` (YAML flow mapping or block).
fn engine(sel: &str) -> Engine {
    let mut set = RuleSet::new(LoadOptions::default());
    set.add_str(
        "made-here.yml",
        &format!(
            "title: t\nlogsource: {{product: linux, service: auditd}}\n\
             detection:\n  sel: {sel}\n  condition: sel\n"
        ),
    );
    assert!(set.rejected.is_empty(), "{:?}", set.rejected);
    let e = Engine::new(set, auditkit_host::Accounts::new());
    assert!(e.rejected().is_empty(), "{:?}", e.rejected());
    e
}

fn fires(sel: &str, log: &str) -> bool {
    let e = engine(sel);
    auditkit_event::assemble::assemble_all(log.as_bytes(), 2)
        .iter()
        .any(|ev| {
            let mut h: Vec<Hit> = Vec::new();
            e.matches(ev, &NoTree, Scope::All, &mut h);
            !h.is_empty()
        })
}

const SYSCALL: &str = "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=41 success=yes exit=3 a0=26 a1=5 a2=0 a3=0 items=0 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=33 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"python3\" exe=\"/usr/bin/python3\" key=(null)\n";

#[test]
fn syscall_registers_are_raw_hex_and_the_name_is_computed() {
    assert!(fires("{type: SYSCALL, a0: 26}", SYSCALL));
    assert!(
        !fires("{type: SYSCALL, a0: 38}", SYSCALL),
        "0x26 is not compared as 38"
    );
    assert!(fires("{type: SYSCALL, SYSCALL: socket}", SYSCALL));
    assert!(!fires("{type: SYSCALL, SYSCALL: connect}", SYSCALL));
    // Lower-case syscall: the number, and the name for old rules.
    assert!(fires("{type: SYSCALL, syscall: 41}", SYSCALL));
    assert!(fires("{type: SYSCALL, syscall: socket}", SYSCALL));
    // YAML integers against numbers; type is case-insensitive.
    assert!(fires("{type: syscall, euid: 33}", SYSCALL));
}

#[test]
fn enriched_logs_name_the_syscall_and_keep_the_raw_numbers() {
    let log = "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=135 success=yes exit=0 a0=40000 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=1000 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=1 comm=\"setarch\" exe=\"/usr/bin/setarch\" key=(null)\x1dARCH=x86_64 SYSCALL=personality AUID=\"alice\" UID=\"www-data\" EUID=\"www-data\"\n";
    assert!(fires(
        "{type: SYSCALL, SYSCALL: personality, a0: 40000}",
        log
    ));
    assert!(fires("{type: SYSCALL, euid: 33}", log));
    assert!(fires("{type: SYSCALL, EUID: www-data}", log));
    assert!(!fires("{type: SYSCALL, euid: www-data}", log));
}

#[test]
fn execve_arguments_are_reassembled_across_records_and_decoded() {
    // a1 split into chunks, the second chunk hex, over two EXECVE records.
    let log = "type=SYSCALL msg=audit(1700000000.000:2): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"sh\" exe=\"/bin/sh\" key=(null)\n\
type=EXECVE msg=audit(1700000000.000:2): argc=3 a0=\"sh\" a1_len=13 a1[0]=\"echo\"\n\
type=EXECVE msg=audit(1700000000.000:2): a1[1]=2068656C6C6F2121 a2=2D632078\n";
    assert!(fires("{type: EXECVE, a0: sh, a1: 'echo hello!!'}", log));
    assert!(fires("{type: EXECVE, a2: '-c x'}", log));
    // The merged EXECVE is one record: a rule fires once, not per record.
    let e = engine("{type: EXECVE, a0: sh}");
    let evs = auditkit_event::assemble::assemble_all(log.as_bytes(), 2);
    let mut h: Vec<Hit> = Vec::new();
    e.matches(&evs[0], &NoTree, Scope::All, &mut h);
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].record, Some(1));
    // Keywords see the decoded arguments and the joined command line.
    assert!(fires("['hello!!']", log));
    assert!(fires("['-c x']", log));
    assert!(fires("['echo hello']", log));
    // A missing argument is a missing field: not a match, so `not` holds.
    assert!(!fires("{type: EXECVE, a5: ''}", log));
}

#[test]
fn record_types_fields_and_the_nested_message() {
    let proctitle = "type=UNKNOWN[1327] msg=audit(1700000000.000:3): proctitle=2F62696E2F7368002D6300746F7563682078\n";
    assert!(fires(
        "{type: PROCTITLE, proctitle: '/bin/sh -c touch x'}",
        proctitle
    ));
    let stop = "type=SERVICE_STOP msg=audit(1700000000.000:4): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='unit=firewalld comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'\n";
    assert!(fires("{type: SERVICE_STOP, unit: firewalld}", stop));
    assert!(fires(
        "{type: SERVICE_STOP, exe: /usr/lib/systemd/systemd, res: success}",
        stop
    ));
    // A field written twice: each value counts.
    let twice = "type=USER_CMD msg=audit(1700000000.000:5): pid=1 uid=1000 auid=1000 ses=1 msg='cwd=\"/\" cmd=6C73 uid=0 res=success'\n";
    assert!(fires("{type: USER_CMD, uid: 0}", twice));
    assert!(fires("{type: USER_CMD, uid: 1000}", twice));
    // Hex-encoded names are decoded; keys are split.
    let path = "type=PATH msg=audit(1700000000.000:6): item=0 name=2F746D702F6120622E7368 inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n";
    assert!(fires("{type: PATH, name: '/tmp/a b.sh'}", path));
    let keys = "type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=0 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"cat\" exe=\"/bin/cat\" key=6964656E7469747901657463\n";
    assert!(fires("{key: identity}", keys));
    assert!(fires("{key: etc}", keys));
    assert!(!fires("{key: 'identity\\x01etc'}", keys));
}

#[test]
fn ausearch_interpreted_output_is_mapped_back() {
    // ausearch -i of a SYSCALL and an EXECVE record.
    let log = "type=SYSCALL msg=audit(11/14/2023 22:13:20.000:8) : arch=x86_64 syscall=execve success=yes exit=0 a0=0x1 a1=0x2 a2=0x3 a3=0x4 items=1 ppid=1 pid=2 auid=unset uid=root gid=root euid=root suid=root fsuid=root egid=root sgid=root fsgid=root tty=pts0 ses=unset comm=dd exe=/usr/bin/dd key=(null)\n\
type=EXECVE msg=audit(11/14/2023 22:13:20.000:8) : argc=3 a0=dd a1=if=/dev/zero a2=of=/tmp/my file\n";
    assert!(fires(
        "{type: SYSCALL, SYSCALL: execve, exe: /usr/bin/dd}",
        log
    ));
    assert!(fires("{type: SYSCALL, uid: 0}", log));
    assert!(fires(
        "{type: EXECVE, a1: 'if=/dev/zero', a2: 'of=/tmp/my file'}",
        log
    ));
}

#[test]
fn unsupported_rules_are_reported_not_skipped() {
    for (sel, cond, why) in [
        ("{a0|base64offset: x}", "sel", "base64offset"),
        ("{a0: x}", "sel | count() > 5", "aggregations"),
        ("{a0: x}", "sel near sel", "near"),
        ("{a0|re: '('}", "sel", "regular expression"),
    ] {
        let mut set = RuleSet::new(LoadOptions::default());
        set.add_str(
            "bad.yml",
            &format!(
                "title: bad one\nlogsource: {{product: linux, service: auditd}}\n\
                 detection:\n  sel: {sel}\n  condition: {cond}\n"
            ),
        );
        let e = Engine::new(set, auditkit_host::Accounts::new());
        assert!(e.rules().is_empty());
        let r = &e.rejected()[0];
        assert!(
            r.describe().contains("'bad one'") && r.describe().contains(why),
            "{}",
            r.describe()
        );
    }
    let mut set = RuleSet::new(LoadOptions::default());
    set.add_str("w.yml", "title: win\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: 1}\n  condition: s\n");
    set.add_str("broken.yml", "title: [unclosed\n");
    let e = Engine::new(set, auditkit_host::Accounts::new());
    assert_eq!(e.rejected().len(), 2);
    assert!(
        e.rejected()[0].describe().contains("YAML"),
        "{}",
        e.rejected()[0].describe()
    );
    assert!(e.rejected()[1].describe().contains("product=windows"));
}
