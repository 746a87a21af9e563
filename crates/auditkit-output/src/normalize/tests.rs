//! Unit tests of the pieces whose behaviour is easy to get subtly wrong;
//! byte-for-byte agreement with ausearch is tested in
//! `crates/auditkit/tests/cli/csv_text.rs`.

use auditkit_event::assemble::assemble_all;
use auditkit_host::Accounts;
use auditkit_interp::{msgtype, EscapeMode, RecordType};

use super::cursor::Au;
use super::*;
use crate::csv::{header, write_csv, CsvExtras};
use crate::text::write_text;

const SYSCALL_EVENT: &str = "\
type=SYSCALL msg=audit(1700000000.123:7): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"k\"
type=CWD msg=audit(1700000000.123:7): cwd=\"/root\"
type=PATH msg=audit(1700000000.123:7): item=0 name=\"f\" inode=5 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0
type=PROCTITLE msg=audit(1700000000.123:7): proctitle=636174
type=EOE msg=audit(1700000000.123:7):
";

fn users() -> Accounts {
    Accounts::parse(
        b"root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        b"",
    )
}

#[test]
fn events_split_after_proctitle_and_drop_a_leading_eoe() {
    let evs = assemble_all(SYSCALL_EVENT.as_bytes(), 2);
    assert_eq!(evs.len(), 1);
    let parts = auparse_events(&evs[0]);
    // The EOE after PROCTITLE starts a new piece, which is thrown away.
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].len(), 4);
}

#[test]
fn cursor_searches_like_auparse() {
    let evs = assemble_all(SYSCALL_EVENT.as_bytes(), 2);
    let recs = &auparse_events(&evs[0])[0];
    let mut au = Au::new(recs, 1700000000, Accounts::empty(), EscapeMode::Tty);
    // `type` is a field; a search crosses into later records.
    assert_eq!(au.name(), Some(&b"type"[..]));
    assert!(au.find(b"nametype"));
    assert_eq!((au.record_num(), au.value()), (2, Some(&b"NORMAL"[..])));
    // From the last field of a record, a search gives up at once.
    au.goto_record(1);
    assert!(au.goto_field(1));
    assert!(!au.find(b"proctitle"));
    assert_eq!(au.record_num(), 1);
    // Stepping past the last record leaves no current record.
    au.goto_record(3);
    assert!(!au.next_record());
    assert_eq!((au.rtype(), au.name()), (RecordType(0), None));
    assert!(!au.find(b"type"));
}

#[test]
fn normalizes_an_open() {
    let evs = assemble_all(SYSCALL_EVENT.as_bytes(), 2);
    let recs = &auparse_events(&evs[0])[0];
    let mut au = Au::new(recs, 1700000000, Accounts::empty(), EscapeMode::Tty);
    let (d, ok) = normalize(&mut au, false, &users());
    assert!(ok);
    assert_eq!(d.action.as_deref(), Some(&b"opened-file"[..]));
    assert_eq!(d.obj_primary, Some((2, 2)));
    assert_eq!(d.how.as_deref(), Some(&b"/usr/bin/cat"[..]));
    assert_eq!(d.subj_kind, Some("privileged-acct"));
    assert_eq!(d.obj_kind_name(), "file");
}

#[test]
fn csv_and_text_lines() {
    let evs = assemble_all(SYSCALL_EVENT.as_bytes(), 2);
    let u = users();
    let s = Settings {
        names: Accounts::empty(),
        users: &u,
        escape: EscapeMode::Tty,
    };
    let mut out = Vec::new();
    write_text(&evs[0], &s, &mut out);
    // No names: ids stay numeric (unknown(N)); the path is made absolute.
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.ends_with("successfully opened-file /root/f using /usr/bin/cat\n"),
        "{text}"
    );
    let mut out = Vec::new();
    let x = CsvExtras {
        keys: true,
        obj2: true,
        ..CsvExtras::default()
    };
    write_csv(&evs[0], &s, &x, &mut out);
    let line = String::from_utf8(out).unwrap();
    let cols = line.trim_end().split(',').count();
    let want = header(&x).trim_end().split(',').count();
    assert_eq!(cols, want, "{line}");
    assert!(
        line.ends_with(",opened-file,success,/root/f,5,,file,/usr/bin/cat,k\n"),
        "{line}"
    );
}

#[test]
fn header_columns() {
    let all = CsvExtras {
        keys: true,
        labels: true,
        obj2: true,
        time: true,
    };
    assert_eq!(
        header(&all),
        "NODE,EVENT,DATE,TIME,YEAR,MONTH,DAY,WEEKDAY,HOUR,MILLI,GMT_OFFSET,SERIAL_NUM,\
         EVENT_KIND,SESSION,SUBJ_PRIME,SUBJ_SEC,SUBJ_KIND,SUBJ_LABEL,ACTION,RESULT,OBJ_PRIME,\
         OBJ_SEC,OBJ2,OBJ_LABEL,OBJ_KIND,HOW,KEY\n"
    );
}

#[test]
fn user_ids_first_entry_wins() {
    let u = Accounts::parse(
        b"a:x:5:5::/:/bin/sh\na:x:6:6::/:/bin/sh\n#b:x:7\nbad\n",
        b"",
    );
    assert_eq!(u.uid_of_bytes(b"a"), Some(5));
    assert_eq!(u.uid_of_bytes(b"#b"), None);
}

/// The record types of the generated normalizer tables are the interp
/// crate's: every `AUDIT_*` constant that names a message type has that
/// type's number (the others are range bounds such as `AUDIT_FIRST_EVENT`).
#[test]
fn normalizer_record_types_are_the_message_type_table() {
    let src = include_str!("tables.rs");
    let mut checked = 0;
    for line in src.lines() {
        let Some(rest) = line.strip_prefix("pub const AUDIT_") else {
            continue;
        };
        let (name, rest) = rest.split_once(": RecordType = RecordType(").unwrap();
        let n: i32 = rest.trim_end_matches(");").parse().unwrap();
        if let Some(t) = msgtype::from_name(name) {
            assert_eq!(t, RecordType(n), "AUDIT_{name}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} constants checked");
    assert_eq!(AUDIT_SYSCALL, RecordType::SYSCALL);
}

/// The byte checks for auditd's own header shape give the answer of the
/// full reading of auparse's `extract_timestamp`, and the full reading
/// drops what auparse drops.
#[test]
fn event_id_fast_path_agrees() {
    let cases: &[(&str, bool)] = &[
        ("type=CWD msg=audit(1700000000.123:7): cwd=\"/\"", true),
        (
            "node=h type=CWD msg=audit(1700000000.123:7): cwd=\"/\"",
            true,
        ),
        // The token must be at least 19 bytes, its `):` included.
        ("type=CWD msg=audit(1.0:1): cwd=\"/\"", false),
        ("type=CWD msg=audit(1.0:1):: cwd=\"/\"", false),
        ("type=CWD msg=audit(1.000:1): cwd=\"/\"", true),
        ("type=CWD msg=audit(1.000:123): cwd=\"/\"", true),
        ("type=CWD msg=audit(1700000000.1234:7): cwd=\"/\"", false),
        ("type=CWD msg=audit(1700000000.999:7): cwd=\"/\"", true),
        (
            "type=CWD msg=audit(9223372036854775805.000:1): cwd=\"/\"",
            false,
        ),
        (
            "type=CWD msg=audit(9223372036854775804.000:1): cwd=\"/\"",
            true,
        ),
        (
            "type=CWD msg=audit(99999999999999999999.000:1): cwd=\"/\"",
            false,
        ),
        ("nod type=CWD msg=audit(1700000000.123:7): cwd=\"/\"", false),
        (
            "node= type=CWD msg=audit(1700000000.123:7): cwd=\"/\"",
            false,
        ),
        (
            "nodeX=h type=CWD msg=audit(1700000000.123:7): cwd=\"/\"",
            true,
        ),
        ("type=CWD msg=audit(1700000000:7): cwd=\"/\"", true),
        ("type=CWD msg=audi(1700000000.123:7): cwd=\"/\"", true),
    ];
    let long_node = format!(
        "node={} type=CWD msg=audit(1700000000.123:7): cwd=\"/\"",
        "n".repeat(320)
    );
    let long_type = format!(
        "type=CWD{} msg=audit(1700000000.123:7): cwd=\"/\"",
        "X".repeat(60)
    );
    let mut lines: Vec<(String, Option<bool>)> = cases
        .iter()
        .map(|(l, ok)| (l.to_string(), Some(*ok)))
        .collect();
    lines.push((long_node, None));
    lines.push((long_type, None));
    let mut fast = 0;
    for (l, want) in &lines {
        let slow = cursor::auparse_event_id(l.as_bytes()).is_some();
        if let Some(w) = want {
            assert_eq!(slow, *w, "{l}");
        }
        let evs = assemble_all(format!("{l}\n").as_bytes(), 1);
        for ev in &evs {
            for r in ev.records() {
                assert_eq!(cursor::auparse_head(&r).0, slow, "{l}");
                fast += usize::from(cursor::canonical_id_readable_for_test(&r).is_some());
            }
        }
    }
    assert!(fast >= 4, "{fast}");
}
