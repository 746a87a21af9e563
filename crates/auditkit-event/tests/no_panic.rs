//! The parser must never panic and never lose a line, whatever it is fed:
//! arbitrary bytes, and real lines with random damage.

mod common;

use auditkit_event::chunk::parse_chunk;
use auditkit_event::value::{decode_str, execve_args, proctitle_args, split_keys};
use auditkit_event::{Assembler, Chunk, Event};
use common::header_mutations::{build_log, corpus_lines, damaged_lines};
use proptest::prelude::*;
use std::sync::LazyLock;

static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(corpus_lines);

const REAL: &[&str] = &[
    "type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2 success=no exit=-13 a0=7fffd19c5592 a1=0 key=(null)",
    "node=work type=EXECVE msg=audit(1.002:3): argc=2 a0=\"ls\" a1_len=4 a1[0]=6162 a1[1]=\"cd\"",
    "type=USER_LOGIN msg=audit(5.000:9): pid=1 uid=0 msg='op=login acct=28696E76616C6964207573657229 exe=\"/usr/sbin/sshd\" res=failed'",
    "type=AVC msg=audit(1600000006.100:2): avc:  denied  { read write } for  pid=2 comm=\"x\" tclass=dir",
    "type=SOCKADDR msg=audit(7.000:1): saddr=0200001F7F0000010000000000000000\x1dSADDR={ saddr_fam=inet laddr=127.0.0.1 lport=31 }",
    "type=SYSCALL msg=audit(01/28/07 21:58:13.977:123) : arch=x86_64 syscall=open",
    "----",
    "time->Tue Nov 14 22:13:20 2023",
    "type=PROCTITLE msg=audit(11/14/23 22:13:20.100:500) : proctitle=php -r system(/bin/sh) ",
    "type=SOCKADDR msg=audit(11/14/23 22:13:21.200:501) : saddr={ saddr_fam=inet laddr=10.0.0.1 lport=4444 } ",
    "type=USER_CMD msg=audit(11/14/23 22:13:22.300:502) : pid=103 uid=cloudsdk msg='cwd=/home/u cmd=php -r system(/bin/sh) terminal=pts/1 res=success' ",
    "type=EXECVE msg=audit(11/14/23 22:13:23.400:503) : argc=4 a0=env a1=A=1 a2=x a1=y a3=two  spaces  ",
    "type=USER_START msg=audit(01/28/07 22:00:01.344:297) : user pid=13015 msg='PAM: session open acct=root : exe=/usr/sbin/crond (hostname=?, addr=?  terminal=cron res=success)' ",
];

fn run(data: Vec<u8>) -> (u64, usize) {
    let lines = auditkit_event::chunk::count_lines(&data);
    let parsed = parse_chunk(Chunk {
        data: data.clone(),
        source: 0,
        first_line: 1,
    });
    let accounted = parsed.records.len() as u64
        + parsed.unparsed.len() as u64
        + parsed.blank
        + parsed.comments
        + parsed.separators.len() as u64;
    assert_eq!(
        accounted, lines,
        "every line is a record, blank, comment, ausearch separator or unparsed"
    );
    let data_again = data.clone();
    let parsed_records = parsed.records.len();
    let (events, dropped_eoe) = assemble(parsed, false);
    // The run-at-a-time assembler groups and orders exactly as the
    // record-by-record rules do.
    let (reference, _) = assemble(
        parse_chunk(Chunk {
            data,
            source: 0,
            first_line: 1,
        }),
        true,
    );
    assert_eq!(common::shape(&events), common::shape(&reference));
    // Grouping by id moves records between events, never loses one (an
    // EOE ausearch's rules drop may join its complete event instead).
    let mut g = Assembler::grouping_by_id(2);
    let grouped = g.assemble_whole(parse_chunk(Chunk {
        data: data_again,
        source: 0,
        first_line: 1,
    }));
    let count = |v: &[Event]| v.iter().map(Event::len).sum::<usize>() as u64;
    assert_eq!(
        count(&grouped) + g.dropped_eoe(),
        count(&events) + dropped_eoe
    );
    assert!(grouped.len() <= events.len());
    let mut records = 0;
    for e in &events {
        for r in e.records() {
            records += 1;
            let _ = (r.node(), r.type_name(), r.body(), r.enrichment());
            let fields: Vec<_> = r.fields().collect();
            for f in &fields {
                let _ = decode_str(&f.value);
                let _ = split_keys(&f.value);
                let _ = proctitle_args(&f.value);
            }
            let _ = execve_args(fields.iter().map(|f| (f.name, &*f.value)));
        }
    }
    // ausearch drops an EOE record that has no event to join; nothing
    // else may disappear.
    assert_eq!(
        records as u64 + dropped_eoe,
        parsed_records as u64,
        "every record is in an event or counted as a dropped EOE"
    );
    (lines, records)
}

/// Assemble a parsed chunk, a run at a time or record by record; also
/// returns the standalone EOE records dropped.
fn assemble(parsed: auditkit_event::ParsedChunk, by_record: bool) -> (Vec<Event>, u64) {
    let mut asm = Assembler::new(2);
    asm.by_record = by_record;
    let ev = asm.assemble_whole(parsed);
    (ev, asm.dropped_eoe())
}

/// A record line of a structured random log: `(key, type, node)` picks.
fn synth_line(sec: u64, serial: u64, rtype: &str, node: bool, tag: usize) -> String {
    let node = if node { "node=h2 " } else { "" };
    format!("{node}type={rtype} msg=audit({sec}.000:{serial}): tag={tag}\n")
}

const TYPES: &[&str] = &[
    "SYSCALL",
    "PATH",
    "CWD",
    "EOE",
    "PROCTITLE",
    "USER_CMD",
    "KERNEL",
    "EXECVE",
    "AVC",
    "UNKNOWN[1400]",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Interleaved events, repeated keys, one-record types, EOEs, time
    /// jumps past the timeout and back, two nodes: the run-at-a-time
    /// assembler must agree with the record-by-record rules.
    #[test]
    fn runs_agree_with_records(
        steps in proptest::collection::vec(
            (0u8..10, 0usize..TYPES.len(), 0u64..4, any::<bool>(), 0u8..8),
            1..120,
        ),
    ) {
        let mut log = String::new();
        let (mut sec, mut serial) = (100u64, 1u64);
        for (i, (what, t, dsec, node, back)) in steps.into_iter().enumerate() {
            match what {
                // a new key, sometimes later in time
                0..=2 => {
                    serial += 1;
                    if dsec == 3 {
                        sec += 2;
                    }
                }
                // an older key comes back
                3 => serial = serial.saturating_sub(u64::from(back)).max(1),
                // time goes backwards a little
                4 if back == 0 => sec = sec.saturating_sub(3),
                _ => {}
            }
            log.push_str(&synth_line(sec, serial, TYPES[t], node && back < 2, i));
            if what == 9 {
                log.push_str("garbage line\n");
            }
            if what == 8 && back < 2 {
                // ausearch's separator: what follows is one block
                log.push_str(if back == 0 { "----\n" } else { "time->Thu Jan  1 00:01:40 1970\n" });
            }
        }
        let data = log.into_bytes();
        run(data);
    }

    #[test]
    fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        run(data);
    }

    #[test]
    fn damaged_real_lines(
        picks in proptest::collection::vec(0..REAL.len(), 1..8),
        cuts in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    ) {
        let mut data = Vec::new();
        for p in picks {
            data.extend_from_slice(REAL[p].as_bytes());
            data.push(b'\n');
        }
        for (pos, byte) in cuts {
            let i = pos % data.len();
            data[i] = byte;
        }
        run(data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Issue 8: real corpus lines damaged near their header (the bytes of
    /// the header grammar, the space before `msg=`, repeated `node=` and
    /// `type=`) neither panic nor lose a line.
    #[test]
    fn header_mutations_of_real_lines(picks in damaged_lines()) {
        run(build_log(&CORPUS, &picks));
    }
}

/// The line of issue 8 and its neighbours: a first token shorter than
/// `node=` gave the node backwards offsets, and slicing it panicked.
#[test]
fn short_node_tokens() {
    for l in [
        "n type=PATH msg=audit(1795546606.156:5018): item=0",
        "node=x type=PATHmsg=audit(1795546606.156:5018): item=0",
        "nod  type=PATH msg=audit(1700000001.000:9): item=0",
        "n t msg=audit(1700000002.000:9): item=0",
        "n t msg=audit(1700000002.000:9):",
        "n t ()aaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        run(format!("{l}\n{l}\ntype=EOE msg=audit(1700000002.000:9): \n").into_bytes());
    }
}

#[test]
fn no_record_is_lost_in_assembly() {
    let mut data = Vec::new();
    for l in REAL {
        data.extend_from_slice(l.as_bytes());
        data.push(b'\n');
    }
    let (lines, records) = run(data);
    assert_eq!(lines, REAL.len() as u64);
    let separators = REAL
        .iter()
        .filter(|l| auditkit_event::header::is_separator(l.as_bytes()))
        .count();
    assert_eq!(records, REAL.len() - separators);
}
