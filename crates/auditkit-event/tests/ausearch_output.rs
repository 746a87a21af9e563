//! ausearch's own output read back (issue 8): each block between `----`
//! lines is one event whatever its records' order, wherever the input is
//! cut into chunks; and grouping by id (the native outputs) makes one
//! event of the records ausearch splits.

mod common;

use auditkit_event::chunk::parse_chunk;
use auditkit_event::pipeline::{Item, Stats};
use auditkit_event::{Assembler, Chunk, Event};
use common::shape;

/// `LC_ALL=C TZ=UTC ausearch -i` 3.0.9 on four events (PROCTITLE first,
/// as ausearch prints an event's records last first).
const INTERPRETED: &str = "\
----
type=PROCTITLE msg=audit(11/14/23 22:13:20.100:500) : proctitle=php -r system(/bin/sh) 
type=CWD msg=audit(11/14/23 22:13:20.100:500) : cwd=/home/u 
type=EXECVE msg=audit(11/14/23 22:13:20.100:500) : argc=3 a0=php a1=-r a2=system(/bin/sh) 
type=SYSCALL msg=audit(11/14/23 22:13:20.100:500) : arch=x86_64 syscall=execve success=yes exit=0 a0=0x55d0 items=2 key=exec 
----
type=PROCTITLE msg=audit(11/14/23 22:13:21.200:501) : proctitle=sh -c ech a=b 
type=SOCKADDR msg=audit(11/14/23 22:13:21.200:501) : saddr={ saddr_fam=inet laddr=10.0.0.1 lport=4444 } 
type=SYSCALL msg=audit(11/14/23 22:13:21.200:501) : arch=x86_64 syscall=connect success=no exit=EACCES(Permission denied) key=net 
----
type=USER_CMD msg=audit(11/14/23 22:13:22.300:502) : pid=103 uid=cloudsdk msg='cwd=/home/u cmd=php -r system(/bin/sh) terminal=pts/1 res=success' 
----
type=SYSCALL msg=audit(11/14/23 22:13:23.400:503) : arch=x86_64 syscall=execve success=yes exit=0 items=1 key=(null) 
type=EXECVE msg=audit(11/14/23 22:13:23.400:503) : argc=4 a0=env a1=A=1 a2=x a1=y a3=two  spaces  
";

/// The default format (`ausearch` without -i) of two events.
const DEFAULT: &str = "\
----
time->Tue Nov 14 22:13:20 2023
type=PROCTITLE msg=audit(1700000000.100:500): proctitle=706870002D720073797374656D282F62696E2F736829
type=CWD msg=audit(1700000000.100:500): cwd=\"/home/u\"
type=EXECVE msg=audit(1700000000.100:500): argc=3 a0=\"php\" a1=\"-r\" a2=\"system(/bin/sh)\"
type=SYSCALL msg=audit(1700000000.100:500): arch=c000003e syscall=59 success=yes exit=0 key=\"exec\"
----
time->Tue Nov 14 22:13:22 2023
type=USER_CMD msg=audit(1700000002.300:502): pid=103 uid=1000 msg='cwd=\"/home/u\" cmd=706870 terminal=pts/1 res=success'
";

fn chunk(data: &[u8]) -> auditkit_event::ParsedChunk {
    parse_chunk(Chunk {
        data: data.to_vec(),
        source: 0,
        first_line: 0,
    })
}

/// Assemble `data` fed as the given pieces, one chunk each.
fn assemble_pieces(asm: &mut Assembler, pieces: &[&[u8]]) -> (Vec<Event>, Stats) {
    let mut out = Vec::new();
    let mut st = Stats::default();
    for p in pieces {
        asm.push_parsed(chunk(p), None, &mut st, &mut |it| {
            if let Item::Event(e) = it {
                out.push(e);
            }
        });
    }
    asm.finish(&mut |e| out.push(e));
    (out, st)
}

fn types(e: &Event) -> Vec<String> {
    e.records()
        .map(|r| String::from_utf8_lossy(r.type_name()).into_owned())
        .collect()
}

#[test]
fn each_block_is_one_event_in_logged_order() {
    for text in [INTERPRETED, DEFAULT] {
        let (ev, st) = assemble_pieces(&mut Assembler::new(2), &[text.as_bytes()]);
        let ids: Vec<u64> = ev.iter().map(|e| e.id().serial).collect();
        let want = if text == INTERPRETED {
            vec![500, 501, 502, 503]
        } else {
            vec![500, 502]
        };
        assert_eq!(ids, want);
        assert_eq!(types(&ev[0]), ["SYSCALL", "EXECVE", "CWD", "PROCTITLE"]);
        assert_eq!(st.unparsed, 0, "separators are not unparsed lines");
        assert_eq!(
            st.separators,
            text.matches("\n----\n").count() as u64 + 1 + text.matches("time->").count() as u64
        );
    }
    let (ev, _) = assemble_pieces(&mut Assembler::new(2), &[INTERPRETED.as_bytes()]);
    assert_eq!(types(&ev[3]), ["EXECVE", "SYSCALL"]);
    // The interpreted time is read as UTC.
    assert_eq!(ev[0].id().sec, 1_700_000_000);
    let sys = ev[1].record(0).unwrap();
    assert_eq!(
        sys.field(b"exit").as_deref(),
        Some(&b"EACCES(Permission denied)"[..])
    );
}

#[test]
fn blocks_do_not_depend_on_where_chunks_are_cut() {
    for text in [INTERPRETED, DEFAULT] {
        let whole = shape(&assemble_pieces(&mut Assembler::new(2), &[text.as_bytes()]).0);
        let cuts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        for &a in &cuts {
            for &b in cuts.iter().filter(|&&b| b >= a) {
                let t = text.as_bytes();
                let (ev, _) =
                    assemble_pieces(&mut Assembler::new(2), &[&t[..a], &t[a..b], &t[b..]]);
                assert_eq!(shape(&ev), whole, "cut at {a} and {b}");
            }
        }
    }
}

#[test]
fn a_record_of_another_event_ends_block_reading() {
    // After the block, records of other events are assembled as a log's
    // are: the SYSCALL and PATH of 601 are one event, 600 another.
    let text = "\
----
type=PROCTITLE msg=audit(1700000000.100:600): proctitle=6C73
type=SYSCALL msg=audit(1700000000.100:600): arch=c000003e syscall=59
type=SYSCALL msg=audit(1700000000.200:601): arch=c000003e syscall=59
type=PATH msg=audit(1700000000.200:602): item=0 name=\"/\"
type=PATH msg=audit(1700000000.200:601): item=0 name=\"/\"
";
    let (ev, _) = assemble_pieces(&mut Assembler::new(2), &[text.as_bytes()]);
    let got: Vec<(u64, Vec<String>)> = ev.iter().map(|e| (e.id().serial, types(e))).collect();
    assert_eq!(
        got,
        vec![
            (600, vec!["SYSCALL".to_string(), "PROCTITLE".to_string()]),
            (601, vec!["SYSCALL".to_string(), "PATH".to_string()]),
            (602, vec!["PATH".to_string()]),
        ]
    );
}

/// A real log where ausearch prints one id twice: `examples/raw.log` has
/// LOGIN records (a one-record type) followed by the SYSCALL and PROCTITLE
/// of the same event, and laurel's `record-syscall-nullkey.txt` logs a
/// PROCTITLE and an EOE before the SYSCALL and PATH of theirs.
#[test]
fn grouping_by_id_joins_what_ausearch_splits() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let logs = [
        (
            here.join("../../examples/raw.log"),
            "1795546601.236:4728",
            3,
        ),
        (
            here.join("../../../shared/corpus/logs/laurel/src/testdata/record-syscall-nullkey.txt"),
            "1678283440.683:225",
            4,
        ),
    ];
    for (path, id, n) in logs {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let count = |asm: &mut Assembler| -> (usize, Vec<usize>) {
            let (ev, _) = assemble_pieces(asm, &[&data]);
            let with_id: Vec<usize> = ev
                .iter()
                .filter(|e| e.id().to_string() == id)
                .map(Event::len)
                .collect();
            let mut keys: Vec<(Option<Vec<u8>>, String)> = ev
                .iter()
                .map(|e| (e.node().map(<[u8]>::to_vec), e.id().to_string()))
                .collect();
            keys.sort();
            keys.dedup();
            assert!(
                !asm.group_by_id || keys.len() == ev.len(),
                "{}: an id twice",
                path.display()
            );
            (ev.len(), with_id)
        };
        let (n_ausearch, split) = count(&mut Assembler::new(2));
        let (n_grouped, joined) = count(&mut Assembler::grouping_by_id(2));
        assert_eq!(
            split.len(),
            2,
            "{}: ausearch's grouping splits {id}",
            path.display()
        );
        assert_eq!(joined, vec![n], "{}", path.display());
        assert!(n_grouped < n_ausearch);
    }
}

#[test]
fn grouping_by_id_within_the_window_only() {
    // A PROCTITLE first, its SYSCALL later but within the timeout: one
    // event. A record that comes after its event's window closed (a
    // record 3 s newer came between) is an event of its own.
    let text = "\
type=PROCTITLE msg=audit(10.000:1): proctitle=6C73
type=SYSCALL msg=audit(11.000:2): arch=c000003e syscall=59
type=SYSCALL msg=audit(10.000:1): arch=c000003e syscall=59
type=SYSCALL msg=audit(13.000:3): arch=c000003e syscall=59
type=PATH msg=audit(10.000:1): item=0 name=\"/\"
";
    let (ev, _) = assemble_pieces(&mut Assembler::grouping_by_id(2), &[text.as_bytes()]);
    let got: Vec<(u64, usize)> = ev.iter().map(|e| (e.id().serial, e.len())).collect();
    // Written in key order, as ausearch writes: the late record's event
    // comes before 3, which was still building.
    assert_eq!(got, vec![(1, 2), (2, 1), (1, 1), (3, 1)]);
    let (ev, _) = assemble_pieces(&mut Assembler::new(2), &[text.as_bytes()]);
    let got: Vec<(u64, usize)> = ev.iter().map(|e| (e.id().serial, e.len())).collect();
    assert_eq!(got, vec![(1, 1), (1, 1), (2, 1), (1, 1), (3, 1)]);
}

#[test]
fn grouping_by_id_joins_blocks_of_one_id() {
    // ausearch's -i output of laurel's record-syscall-nullkey.txt: one
    // event split in two blocks.
    let text = "\
----
type=PROCTITLE msg=audit(03/08/23 13:50:40.683:225) : proctitle=SomeRandomProcess 
----
type=EOE msg=audit(03/08/23 13:50:40.683:225) : 
type=SYSCALL msg=audit(03/08/23 13:50:40.683:225) : arch=x86_64 syscall=stat success=yes exit=0 
type=PATH msg=audit(03/08/23 13:50:40.683:225) : item=0 name=/proc/2414/root/usr/bin/su 
";
    let (ev, _) = assemble_pieces(&mut Assembler::grouping_by_id(2), &[text.as_bytes()]);
    assert_eq!(ev.len(), 1);
    assert_eq!(types(&ev[0]), ["PROCTITLE", "PATH", "SYSCALL", "EOE"]);
    let (ev, _) = assemble_pieces(&mut Assembler::new(2), &[text.as_bytes()]);
    assert_eq!(ev.len(), 2);
}
