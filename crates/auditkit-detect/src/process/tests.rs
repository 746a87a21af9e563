//! The tree on a real log (tests/data/proctree.log, made by
//! tools/gen-detect-logs.sh with real auditd: nested `bash -c 'sh -c ...'`
//! under an execve/fork/exit rule), on its ausearch `-i` rendering, and
//! on the limits.

use super::*;
use auditkit_event::assemble::assemble_all;
use auditkit_event::Event;

const LOG: &[u8] = include_bytes!("../../tests/data/proctree.log");

fn tree_of(log: &[u8], limits: Limits) -> (Tree, Vec<Event>) {
    let events = assemble_all(log, 2);
    let mut t = Tree::new(limits);
    for e in &events {
        t.observe(e);
    }
    (t, events)
}

/// The exe and argv of a SYSCALL execve event, read independently of the
/// tree (from the raw record text), to compare against.
fn exec_of(e: &Event) -> Option<(u32, u32, String)> {
    let sys = e.records().find(|r| r.rtype() == RecordType::SYSCALL)?;
    if sys.field(b"syscall").as_deref() != Some(b"59") {
        return None;
    }
    let pid = number(&sys.field(b"pid")?)? as u32;
    let ppid = number(&sys.field(b"ppid")?)? as u32;
    let exe = decode_str(&sys.field(b"exe")?).into_owned();
    Some((pid, ppid, String::from_utf8(exe).ok()?))
}

/// The last exec of `/usr/bin/id` in the log: the innermost of
/// `bash -c 'sh -c "bash -c \"sh -c \\\"/usr/bin/id -u\\\"\""'`.
fn id_event(events: &[Event]) -> &Event {
    events
        .iter()
        .rev()
        .find(|e| exec_of(e).is_some_and(|(_, _, exe)| exe == "/usr/bin/id"))
        .expect("the log has the exec of /usr/bin/id")
}

#[test]
fn nested_shells_give_a_chain_of_at_least_four() {
    let (t, events) = tree_of(LOG, Limits::default());
    let ev = id_event(&events);
    let ctx = t.context(ev).expect("context");
    let me = ctx.process.as_ref().expect("the id process is known");
    assert_eq!(me.exe, b"/usr/bin/id");
    assert_eq!(me.command_line, b"/usr/bin/id -u");
    // Every ancestor the log has: the shells, then the generator script.
    let exes: Vec<String> = ctx
        .ancestors
        .iter()
        .map(|a| String::from_utf8_lossy(&a.exe).into_owned())
        .collect();
    assert!(ctx.ancestors.len() >= 4, "chain {exes:?}");
    let shells: Vec<&str> = exes
        .iter()
        .take_while(|e| e.ends_with("/bash") || e.ends_with("/dash") || e.ends_with("/sh"))
        .map(String::as_str)
        .collect();
    assert!(shells.len() >= 4, "chain {exes:?}");
    // The command lines are those of the nested shells, outermost last.
    let cmds: Vec<String> = ctx
        .ancestors
        .iter()
        .map(|a| String::from_utf8_lossy(&a.command_line).into_owned())
        .collect();
    assert!(
        cmds.iter().any(|c| c.starts_with("bash -c sh -c ")),
        "{cmds:?}"
    );
    assert!(
        cmds.iter().any(|c| c.contains("/usr/bin/id -u")),
        "{cmds:?}"
    );
    // Each link agrees with the log's own pid/ppid: the ancestor's pid is
    // the ppid of the one below it (or the same pid for a replaced image).
    let mut below = (me.pid, me.ppid);
    for a in &ctx.ancestors {
        assert!(
            a.pid == below.1 || (a.pid == below.0 && a.how == "replaced"),
            "{a:?} is not the parent of {below:?}"
        );
        below = (a.pid, a.ppid);
    }
}

#[test]
fn parent_fields_match_the_logged_parent_exec() {
    let (t, events) = tree_of(LOG, Limits::default());
    // For every exec in the log whose parent exec'd in the log too, the
    // tree's ParentImage is the parent's exe as logged, with the tree built
    // only up to that point (log order, as the ordered stage sees it).
    let mut tree = Tree::new(Limits::default());
    let mut last_exec: HashMap<u32, String> = HashMap::new();
    let mut checked = 0;
    for e in &events {
        tree.observe(e);
        if let Some((pid, ppid, exe)) = exec_of(e) {
            if let Some(parent_exe) = last_exec.get(&ppid) {
                let got = tree.extra_field(None, pid, Some(ppid), "ParentImage");
                assert_eq!(got, vec![parent_exe.clone().into_bytes()], "pid {pid}");
                checked += 1;
            }
            last_exec.insert(pid, exe);
        }
    }
    assert!(
        checked >= 4,
        "only {checked} execs had a logged parent exec"
    );
    let ev = id_event(&events);
    let (pid, ppid, _) = exec_of(ev).unwrap();
    let anc = t.extra_field(None, pid, Some(ppid), "AncestorImages");
    assert!(anc.len() >= 4, "{anc:?}");
    assert!(t
        .extra_field(None, pid, Some(ppid), "NoSuchField")
        .is_empty());
}

#[test]
fn forks_and_exits_are_tracked() {
    let events = assemble_all(LOG, 2);
    let log = String::from_utf8_lossy(LOG);
    assert!(log.contains("syscall=56 ") && log.contains("syscall=231 "));
    // Right after the first clone, its child is known as a fork of the
    // parent, with the parent's image, before it execs anything.
    let mut t = Tree::new(Limits::default());
    let mut forks = 0;
    for e in &events {
        t.observe(e);
        let sys = e.records().find(|r| r.rtype() == RecordType::SYSCALL);
        let Some(sys) = sys else { continue };
        if sys.field(b"syscall").as_deref() == Some(b"56") {
            let child = number(&sys.field(b"exit").unwrap()).unwrap() as u32;
            let parent = number(&sys.field(b"pid").unwrap()).unwrap() as u32;
            let c = t.process(None, child).expect("the child is known");
            assert_eq!(c.origin, Origin::Fork);
            assert_eq!(c.ppid, parent);
            assert_eq!(c.image.exe, t.process(None, parent).unwrap().image.exe);
            forks += 1;
        }
    }
    assert!(forks >= 2);
    // Every process whose exit_group is in the log is marked exited.
    let exited = t.iter().filter(|(_, p)| p.exited.is_some()).count();
    assert_eq!(exited, log.matches("syscall=231 ").count());
}

#[test]
fn interpreted_input_gives_the_same_chain() {
    // ausearch -i output of the same log (made here by ausearch when it is
    // installed; the raw result must not depend on the rendering).
    let Ok(out) = std::process::Command::new("ausearch")
        .args(["-i", "-if", "/dev/stdin"])
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(LOG)?;
            c.wait_with_output()
        })
    else {
        auditkit_testsupport::skip("ausearch is not installed");
        return;
    };
    let (raw_t, raw_events) = tree_of(LOG, Limits::default());
    let raw = raw_t.context(id_event(&raw_events)).unwrap();
    let (t, events) = tree_of(&out.stdout, Limits::default());
    let ev = events
        .iter()
        .rev()
        .find(|e| e.id() == id_event(&raw_events).id())
        .expect("the same event in ausearch -i output");
    let ctx = t.context(ev).unwrap();
    let exes = |c: &Context| {
        c.ancestors
            .iter()
            .map(|a| a.exe.clone())
            .collect::<Vec<_>>()
    };
    let cmds = |c: &Context| {
        c.ancestors
            .iter()
            .map(|a| a.command_line.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(exes(&ctx), exes(&raw));
    assert_eq!(cmds(&ctx), cmds(&raw));
}

#[test]
fn memory_is_bounded_and_exited_go_first() {
    let (full, _) = tree_of(LOG, Limits::default());
    assert!(full.len() > 4);
    let small = Limits {
        max_processes: 3,
        ..Limits::default()
    };
    let (t, events) = tree_of(LOG, small);
    assert!(t.len() <= 3);
    assert!(t.evicted() > 0);
    // Up to the exec of id, a tree of three still knows id and its parent.
    let id = id_event(&events);
    let mut t = Tree::new(small);
    for e in &events {
        t.observe(e);
        if e.id() == id.id() {
            break;
        }
    }
    let ctx = t.context(id).unwrap();
    assert!(ctx.process.is_some());
    assert!(!ctx.ancestors.is_empty());
    // When full, the exited process goes first, even when it is newer.
    let line = |serial: u32, sc: u32, pid: u32, exe: &str| {
        format!(
            "type=SYSCALL msg=audit(1700000000.000:{serial}): arch=c000003e syscall={sc} success=yes exit=0 a0=0 items=0 ppid=1 pid={pid} auid=0 uid=0 exe=\"{exe}\" key=(null)\n"
        )
    };
    let mut log = String::new();
    log += &line(1, 59, 10, "/a");
    log += &line(2, 59, 11, "/b");
    log += &line(3, 59, 12, "/c");
    log += &line(4, 231, 12, "/c");
    log += &line(5, 59, 13, "/d");
    let (t, _) = tree_of(log.as_bytes(), small);
    let mut pids: Vec<u32> = t.iter().map(|(_, p)| p.pid).collect();
    pids.sort();
    assert_eq!(pids, [10, 11, 13]);
    // Strings are cut.
    let tiny = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    let (t, _) = tree_of(LOG, tiny);
    for (_, p) in t.iter() {
        assert!(p.image.exe.len() <= 4);
        assert!(p.image.argv.iter().map(Vec::len).sum::<usize>() <= 4);
    }
}

#[test]
fn state_file_round_trip_and_damage() {
    let (t, events) = tree_of(LOG, Limits::default());
    let text = t.save();
    let (back, bad) = Tree::load(&text, Limits::default()).unwrap();
    assert_eq!(bad, 0);
    assert_eq!(back.len(), t.len());
    let ev = id_event(&events);
    let a = t.context(ev).unwrap();
    let b = back.context(ev).unwrap();
    // A reloaded tree has no "replaced" images (the state keeps the
    // current image only); every other step is the same.
    let strip = |c: &Context| {
        c.ancestors
            .iter()
            .filter(|x| x.how != "replaced")
            .map(|x| (x.pid, x.exe.clone(), x.command_line.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(back.save(), text);
    // Damage: a cut line and garbage are skipped, not fatal.
    let mut damaged = text.clone();
    damaged.push_str("zz\t1\n\t\t\t\n");
    let (_, bad) = Tree::load(&damaged, Limits::default()).unwrap();
    assert_eq!(bad, 2);
    assert!(Tree::load("something else\n", Limits::default()).is_err());
    // Loading is bounded by the limits, whatever the file says.
    let (small, _) = Tree::load(
        &text,
        Limits {
            max_processes: 3,
            ..Limits::default()
        },
    )
    .unwrap();
    assert_eq!(small.len(), 3);
}

#[test]
fn context_json_is_valid() {
    let (t, events) = tree_of(LOG, Limits::default());
    let ctx = t.context(id_event(&events)).unwrap();
    let mut out = Vec::new();
    ctx.write_json(&mut out);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert!(v["ancestors"].as_array().unwrap().len() >= 4);
    assert_eq!(v["process"]["exe"], "/usr/bin/id");
    let mut s = Vec::new();
    json_str(&mut s, b"a\"\\\n\xff\x01");
    let back: String = serde_json::from_slice(&s).unwrap();
    assert_eq!(back, "a\"\\\n\u{ff}\u{1}");
}

#[test]
fn no_panic_on_odd_events() {
    let log = b"type=SYSCALL msg=audit(1.000:1): arch=zz syscall=59 success=yes exit=0 pid=x ppid=-1 exe=\"\n\
type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=56 success=yes exit=99999999999 a0=zz pid=5 ppid=5 exe=414243\n\
type=SYSCALL msg=audit(1.000:3): arch=c000003e syscall=59 success=yes exit=0 pid=5 ppid=5 exe=\"/bin/x\"\n\
type=EXECVE msg=audit(1.000:3): argc=99999999 a0=\"x\" a1[0]=zz\n\
type=SYSCALL msg=audit(1.000:4): arch=c000003e syscall=231 pid=5 ppid=5\n";
    let (t, events) = tree_of(log, Limits::default());
    for e in &events {
        let _ = t.context(e);
    }
    // pid 5 is its own parent: the walk stops.
    assert!(t.ancestors(None, 5, Some(5), 100).len() <= 1);
}

#[test]
fn node_logs_keep_one_tree_per_node() {
    // The same log as two nodes, interleaved event by event: each node's
    // chain is its own, and the hook answers for the event's node.
    let text = String::from_utf8_lossy(LOG).into_owned();
    let mut log = String::new();
    for l in text.lines() {
        log += &format!("node=a {l}\n");
        log += &format!("node=b {}\n", l.replace("/usr/bin/id", "/usr/bin/XX"));
    }
    let events = assemble_all(log.as_bytes(), 2);
    let mut t = Tree::new(Limits::default());
    let mut seen = 0;
    for e in &events {
        t.observe(e);
        if let Some((pid, ppid, exe)) = exec_of(e) {
            if exe == "/usr/bin/id" || exe == "/usr/bin/XX" {
                let me = t.process(e.node(), pid).unwrap();
                assert_eq!(me.image.exe, exe.as_bytes());
                let via_hook = crate::context::ProcessTree::process(&t, pid).unwrap();
                assert_eq!(via_hook.exe.as_deref(), Some(exe.as_bytes()));
                assert!(!t.ancestors(e.node(), pid, Some(ppid), 16).is_empty());
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 2);
}

#[test]
fn an_empty_node_is_no_node_through_the_state_file() {
    // Found by the proctree fuzz target: `node=` with no value and no
    // `node=` at all were two keys in the tree but one (`-`) in the state
    // file, so a round trip lost a process.
    let log = b"node= type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 pid=7 ppid=1 exe=\"/bin/a\"\n\
type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=59 success=yes exit=0 pid=7 ppid=1 exe=\"/bin/b\"\n\
node=h type=SYSCALL msg=audit(1.000:3): arch=c000003e syscall=59 success=yes exit=0 pid=7 ppid=1 exe=\"/bin/c\"\n";
    let (t, _) = tree_of(log, Limits::default());
    assert_eq!(t.len(), 2, "pid 7 without a node, and pid 7 of node h");
    assert_eq!(
        t.process(Some(b""), 7).map(|p| p.image.exe.clone()),
        Some(b"/bin/b".to_vec())
    );
    let (back, bad) = Tree::load(&t.save(), Limits::default()).unwrap();
    assert_eq!(bad, 0);
    assert_eq!(back.len(), t.len());
    assert_eq!(
        back.process(None, 7).map(|p| p.image.exe.clone()),
        Some(b"/bin/b".to_vec())
    );
    assert_eq!(
        back.process(Some(b"h"), 7).map(|p| p.image.exe.clone()),
        Some(b"/bin/c".to_vec())
    );
}

#[test]
fn long_node_names_are_cut_as_the_state_file_cuts_them() {
    // Also from the fuzz target: two node names that differ only past
    // `max_bytes` were two trees, but one after a round trip.
    let limits = Limits {
        max_bytes: 16,
        ..Limits::default()
    };
    let a = "n".repeat(20) + "a";
    let b = "n".repeat(20) + "b";
    let log = format!(
        "node={a} type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 pid=7 ppid=1 exe=\"/bin/a\"\n\
node={b} type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=59 success=yes exit=0 pid=7 ppid=1 exe=\"/bin/b\"\n"
    );
    let (t, _) = tree_of(log.as_bytes(), limits);
    let (back, bad) = Tree::load(&t.save(), limits).unwrap();
    assert_eq!(bad, 0);
    assert_eq!(back.len(), t.len());
    assert_eq!(
        back.process(Some(a.as_bytes()), 7)
            .map(|p| p.image.exe.clone()),
        t.process(Some(b.as_bytes()), 7)
            .map(|p| p.image.exe.clone())
    );
}
