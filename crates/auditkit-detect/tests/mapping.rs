//! The field mapping for SigmaHQ's other Linux log sources: each mapped
//! field with a made-here event that has it (positive) and one that does
//! not (negative), and the process-tree hook for the parent fields.

use std::collections::HashMap;

use auditkit_detect::{Engine, Hit, LoadOptions, NoTree, Process, ProcessTree, RuleSet, Scope};

fn engine(category: &str, sel: &str, accounts: auditkit_host::Accounts) -> Engine {
    let mut set = RuleSet::new(LoadOptions::default());
    set.add_str(
        "made-here.yml",
        &format!(
            "title: t\nlogsource: {{product: linux, category: {category}}}\n\
             detection:\n  sel: {sel}\n  condition: sel\n"
        ),
    );
    let e = Engine::new(set, accounts);
    assert!(e.rejected().is_empty(), "{:?}", e.rejected());
    e
}

fn hits(e: &Engine, log: &str, tree: &dyn ProcessTree, scope: Scope) -> usize {
    let mut n = 0;
    for ev in auditkit_event::assemble::assemble_all(log.as_bytes(), 2) {
        let mut h: Vec<Hit> = Vec::new();
        e.matches(&ev, tree, scope, &mut h);
        n += h.len();
    }
    n
}

fn fires(category: &str, sel: &str, log: &str) -> bool {
    let e = engine(category, sel, auditkit_host::Accounts::new());
    hits(&e, log, &NoTree, Scope::All) > 0
}

/// An execve of `exe` with `args` (hex when they have a space), in `cwd`.
fn exec(serial: u32, exe: &str, args: &[&str], cwd: &str, success: &str, uid: u32) -> String {
    let a: Vec<String> = args
        .iter()
        .enumerate()
        .map(|(i, x)| {
            if x.contains(' ') {
                let h: String = x.bytes().map(|b| format!("{b:02X}")).collect();
                format!("a{i}={h}")
            } else {
                format!("a{i}=\"{x}\"")
            }
        })
        .collect();
    format!(
        "type=SYSCALL msg=audit(1700000000.000:{serial}): arch=c000003e syscall=59 success={success} exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=100 pid=200 auid=1000 uid={uid} gid=0 euid={uid} suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"x\" exe=\"{exe}\" key=(null)\n\
type=EXECVE msg=audit(1700000000.000:{serial}): argc={} {}\n\
type=CWD msg=audit(1700000000.000:{serial}): cwd=\"{cwd}\"\n",
        args.len(),
        a.join(" ")
    )
}

const PC: &str = "process_creation";

#[test]
fn process_creation_fields() {
    let curl = exec(
        1,
        "/usr/bin/curl",
        &["curl", "-s", "http://x/a b"],
        "/tmp",
        "yes",
        0,
    );
    let wget = exec(
        2,
        "/usr/bin/wget",
        &["wget", "http://x/"],
        "/root",
        "yes",
        1000,
    );
    let failed = exec(3, "/usr/bin/curl", &["curl"], "/tmp", "no", 0);
    assert!(fires(PC, "{Image|endswith: /curl}", &curl));
    assert!(!fires(PC, "{Image|endswith: /curl}", &wget));
    assert!(
        !fires(PC, "{Image|endswith: /curl}", &failed),
        "a failed execve creates nothing"
    );
    assert!(fires(PC, "{CommandLine: 'curl -s http://x/a b'}", &curl));
    assert!(!fires(PC, "{CommandLine|contains: 'a b'}", &wget));
    assert!(fires(PC, "{CurrentDirectory: /tmp}", &curl));
    assert!(!fires(PC, "{CurrentDirectory: /tmp}", &wget));
    assert!(fires(
        PC,
        "{ProcessId: 200, ParentProcessId: 100, LogonId: 1000}",
        &curl
    ));
    // User: the uid's name from the accounts given, else the number.
    let acc = auditkit_host::Accounts::parse(b"root:x:0:0::/root:/bin/sh\n", b"root:x:0:\n");
    let e = engine(PC, "{User: root}", acc);
    assert_eq!(hits(&e, &curl, &NoTree, Scope::All), 1);
    assert_eq!(hits(&e, &wget, &NoTree, Scope::All), 0);
    assert!(fires(PC, "{User: 1000}", &wget));
    // A PATH-only event is no process creation.
    let open = "type=SYSCALL msg=audit(1700000000.000:4): arch=c000003e syscall=257 success=yes exit=3 a0=1 a1=2 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)\n";
    assert!(!fires(PC, "{Image|endswith: /cat}", open));
}

struct Tree(HashMap<u32, Process>);
impl ProcessTree for Tree {
    fn process(&self, pid: u32) -> Option<Process> {
        self.0.get(&pid).cloned()
    }
}

#[test]
fn parent_fields_come_from_the_process_tree() {
    let sh = exec(5, "/bin/sh", &["sh", "-c", "id"], "/var/www", "yes", 33);
    let tree = |exe: &str, cmd: &str| {
        Tree(
            [(
                100,
                Process {
                    pid: 100,
                    ppid: Some(1),
                    exe: Some(exe.as_bytes().to_vec()),
                    cmdline: Some(cmd.as_bytes().to_vec()),
                    uid: Some(33),
                },
            )]
            .into_iter()
            .collect(),
        )
    };
    let apache = tree("/usr/sbin/apache2", "/usr/sbin/apache2 -k start");
    let bash = tree("/bin/bash", "bash");
    let e = engine(
        PC,
        "{ParentImage|endswith: /apache2, ParentCommandLine|contains: '-k start', Image: /bin/sh}",
        auditkit_host::Accounts::new(),
    );
    assert!(e.needs_tree());
    assert_eq!(hits(&e, &sh, &apache, Scope::All), 1);
    assert_eq!(hits(&e, &sh, &bash, Scope::All), 0);
    assert_eq!(hits(&e, &sh, &NoTree, Scope::All), 0, "no tree: no parent");
    // The workers leave tree rules to the ordered stage.
    assert_eq!(hits(&e, &sh, &apache, Scope::NoTree), 0);
    assert_eq!(hits(&e, &sh, &apache, Scope::TreeOnly), 1);
    let plain = engine(PC, "{Image: /bin/sh}", auditkit_host::Accounts::new());
    assert!(!plain.needs_tree());
    assert_eq!(hits(&plain, &sh, &apache, Scope::TreeOnly), 0);
    assert_eq!(hits(&plain, &sh, &NoTree, Scope::NoTree), 1);
}

const FE: &str = "file_event";

fn file(serial: u32, syscall: u32, a1: &str, a2: &str, name: &str, nametype: &str) -> String {
    format!(
        "type=SYSCALL msg=audit(1700000000.000:{serial}): arch=c000003e syscall={syscall} success=yes exit=3 a0=ffffff9c a1={a1} a2={a2} a3=1b6 items=2 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"sh\" exe=\"/bin/sh\" key=(null)\n\
type=CWD msg=audit(1700000000.000:{serial}): cwd=\"/tmp\"\n\
type=PATH msg=audit(1700000000.000:{serial}): item=0 name=\"/tmp/\" inode=1 dev=08:01 mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT\n\
type=PATH msg=audit(1700000000.000:{serial}): item=1 name=\"{name}\" inode=2 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype={nametype}\n"
    )
}

#[test]
fn file_event_fields() {
    // openat(AT_FDCWD, "x.sh", O_WRONLY|O_CREAT|O_TRUNC) creating x.sh in /tmp.
    let created = file(6, 257, "55d0", "241", "x.sh", "CREATE");
    // openat for writing of an existing file.
    let written = file(7, 257, "55d0", "201", "/etc/cron.d/job", "NORMAL");
    // openat for reading.
    let read = file(8, 257, "55d0", "0", "/etc/cron.d/job", "NORMAL");
    assert!(fires(
        FE,
        "{TargetFilename: /tmp/x.sh, Image: /bin/sh}",
        &created
    ));
    assert!(fires(
        FE,
        "{TargetFilename|startswith: /etc/cron.d/}",
        &written
    ));
    assert!(!fires(
        FE,
        "{TargetFilename|startswith: /etc/cron.d/}",
        &read
    ));
    assert!(
        !fires(FE, "{TargetFilename: '/tmp/'}", &created),
        "the PARENT item is not the target"
    );
}

const NC: &str = "network_connection";

fn net(serial: u32, syscall: u32, saddr: &str) -> String {
    format!(
        "type=SYSCALL msg=audit(1700000000.000:{serial}): arch=c000003e syscall={syscall} success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"bash\" exe=\"/usr/bin/bash\" key=(null)\n\
type=SOCKADDR msg=audit(1700000000.000:{serial}): saddr={saddr}\n"
    )
}

#[test]
fn network_connection_fields() {
    // connect to 10.1.2.3:4444, accept from 127.0.0.1:4444, connect on a
    // unix socket.
    let out = net(9, 42, "0200115C0A0102030000000000000000");
    let inbound = net(10, 43, "0200115C7F0000010000000000000000");
    let unix = net(11, 42, "01002F746D702F73");
    let sel = "{Initiated: 'true', DestinationPort: 4444, DestinationIp|cidr: 10.0.0.0/8, Image|endswith: /bash}";
    assert!(fires(NC, sel, &out));
    assert!(!fires(NC, sel, &inbound));
    assert!(!fires(NC, "{Initiated: 'true'}", &unix));
    assert!(fires(
        NC,
        "{Initiated: 'false', SourceIp: 127.0.0.1, SourcePort: 4444}",
        &inbound
    ));
    assert!(!fires(NC, "{DestinationIp|cidr: 192.168.0.0/16}", &out));
}
