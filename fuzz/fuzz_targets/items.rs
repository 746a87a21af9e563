//! ausearch's search items and `match()` over the events arbitrary bytes
//! assemble into: extraction with every field wanted, with each field alone
//! (a record parser fails at the first wanted field it cannot read, so
//! each flag reaches a different failure), and criteria with every option
//! set, as `auditkit search -ui/-p/-k/-f/-x/-n/-m/...` compile to. The
//! other text a search reads goes through its parsers too: the input as a
//! `--checkpoint` file, and its first words as `-ts`/`-te` date and time
//! (`cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run items -s none`).
#![no_main]

use auditkit_event::assemble::assemble_all;
use auditkit_event::RecordType;
use auditkit_host::Accounts;
use auditkit_interp::Machine;
use auditkit_query::time::{resolve, Bound, Clock};
use auditkit_query::{checkpoint, extract, Criteria, Wanted};
use libfuzzer_sys::fuzz_target;

/// Names for uid 0 only, as a minimal host has.
const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\n";

/// `Wanted` with only the field number `i` set (`None`: all of them).
fn wanted(i: Option<usize>) -> Wanted {
    let mut flags = [i.is_none(); 21];
    if let Some(i) = i {
        flags[i] = true;
    }
    let [ppid, pid, uid, euid, loginuid, gid, egid, session, success, exit, arch, terminal, comm, exe, subject, object, key, filename, hostname, vmname, uuid] =
        flags;
    Wanted {
        ppid,
        pid,
        uid,
        euid,
        loginuid,
        gid,
        egid,
        session,
        success,
        exit,
        arch,
        terminal,
        comm,
        exe,
        subject,
        object,
        key,
        filename,
        hostname,
        vmname,
        uuid,
    }
}

/// Criteria with every option given, in two spellings: numbers and
/// substrings, and names with whole-string matches and the OR groups.
fn criteria() -> [Criteria; 2] {
    let s = |v: &str| Some(v.as_bytes().to_vec());
    let numbers = Criteria {
        start_time: 1,
        end_time: i64::MAX,
        nodes: vec![b"x".to_vec(), Vec::new()],
        uid: 0,
        euid: 0,
        loginuid: 1000,
        gid: 0,
        egid: 0,
        pid: 1,
        ppid: 1,
        machine: Some(Machine::native()),
        syscall: 59,
        session: 1,
        exit: Some(-13),
        success: 1,
        types: Some(vec![RecordType::SYSCALL, RecordType::PATH, RecordType::AVC]),
        filename: s("/"),
        hostname: s("a"),
        terminal: s("pts"),
        exe: s("/usr"),
        comm: s("s"),
        key: s("k"),
        vmname: s("v"),
        uuid: s("0"),
        subject: s("u"),
        object: s("t"),
        rich_format: true,
        ..Criteria::default()
    };
    let names = Criteria {
        tuid: Some("root".into()),
        teuid: Some("root".into()),
        tauid: Some("root".into()),
        ua: true,
        ga: true,
        se: true,
        exact: true,
        exit: Some(0),
        success: 0,
        types: None,
        ..numbers.clone()
    };
    [numbers, names]
}

fuzz_target!(|data: &[u8]| {
    let names = Accounts::parse(PASSWD, b"root:x:0:\n");
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(cp) = checkpoint::parse(text, "fuzz") {
            let _ = checkpoint::render(&cp);
        }
        let mut words = text.split_whitespace();
        let (date, time) = (words.next(), words.next());
        let clock = Clock {
            now: 1_700_000_000,
            uptime: Some(1000.5),
        };
        for bound in [Bound::Start, Bound::End] {
            let _ = resolve(bound, date, time, &clock);
            let _ = resolve(bound, time, date, &clock);
        }
    }
    let events = assemble_all(data, 2);
    let crit = criteria();
    for ev in &events {
        for i in std::iter::once(None).chain((0..21).map(Some)) {
            let w = wanted(i);
            let _ = extract(ev, &w, &names);
        }
        for c in &crit {
            let w = c.wanted();
            let out = c.evaluate(ev, &w, &names);
            let _ = out.ausearch_prints();
            let _ = Criteria::default().evaluate(ev, &Wanted::default(), &names);
        }
    }
});
