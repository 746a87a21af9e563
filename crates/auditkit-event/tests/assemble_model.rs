//! The assembler against a plain model of ausearch 3.0.9's event list
//! (`ausearch-lol.c`): linear scans over numbered slots, exactly as the
//! rules are written, with none of the assembler's shortcuts (runs, sorted
//! queues, the B-tree for late keys). Random logs, shuffled far enough
//! that late keys land well before the newest pending event, must group
//! and order the same.

mod common;

use auditkit_event::assemble::is_single_record_type;
use auditkit_event::chunk::parse_chunk;
use auditkit_event::Chunk;
use auditkit_interp::RecordType;
use common::Shape;
use proptest::prelude::*;

struct Slot {
    key: (u64, u32, u64, Option<Vec<u8>>),
    lines: Vec<Vec<u8>>,
    complete: bool,
}

/// The model: each event as its id and its record lines, in output order.
fn model(log: &[u8], timeout: u64) -> Vec<Shape> {
    let parsed = parse_chunk(Chunk {
        data: log.to_vec(),
        source: 0,
        first_line: 1,
    });
    let mut slots: Vec<Option<Slot>> = Vec::new();
    let mut out = Vec::new();
    let emit = |slots: &mut Vec<Option<Slot>>, out: &mut Vec<Shape>| loop {
        let lowest = slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.as_ref()
                    .map(|s| ((s.key.0, s.key.1, s.key.2, i), s.complete))
            })
            .min();
        match lowest {
            Some(((sec, ms, ser, i), true)) => {
                let s = slots[i].take().expect("slot");
                out.push((format!("{sec}.{ms:03}:{ser}"), s.lines));
            }
            _ => break,
        }
    };
    for rec in &parsed.records {
        let h = &rec.header;
        let key = (
            h.id.sec,
            h.id.msec,
            h.id.serial,
            parsed.node(rec).map(<[u8]>::to_vec),
        );
        let line = parsed.line(rec).to_vec();
        if let Some(s) = slots
            .iter_mut()
            .flatten()
            .find(|s| !s.complete && s.key == key)
        {
            s.lines.push(line);
            continue;
        }
        if h.rtype == RecordType::EOE {
            continue;
        }
        let new = Slot {
            key,
            lines: vec![line],
            complete: is_single_record_type(h.rtype),
        };
        match slots.iter().position(Option::is_none) {
            Some(i) => slots[i] = Some(new),
            None => slots.push(Some(new)),
        }
        for s in slots.iter_mut().flatten() {
            if !s.complete && s.key.0 + timeout <= h.id.sec {
                s.complete = true;
            }
        }
        emit(&mut slots, &mut out);
    }
    for s in slots.iter_mut().flatten() {
        s.complete = true;
    }
    emit(&mut slots, &mut out);
    out
}

fn assembler(log: &[u8], timeout: u64) -> Vec<Shape> {
    common::shape(&auditkit_event::assemble::assemble_all(log, timeout))
}

const TYPES: &[&str] = &[
    "SYSCALL",
    "PATH",
    "CWD",
    "EOE",
    "PROCTITLE",
    "USER_CMD",
    "EXECVE",
];

/// A log of `n` events of several records each, written mostly in order,
/// with some events moved `shift` places later and some records of an
/// event split from it; times advance one second every `per_sec` events.
fn build(n: usize, per_sec: usize, moves: &[(usize, usize)], types: &[usize]) -> Vec<u8> {
    let mut recs: Vec<(u64, u64, usize)> = Vec::new(); // (sec, serial, type)
    for e in 0..n {
        let sec = 100 + (e / per_sec.max(1)) as u64;
        let k = 1 + types.get(e % types.len().max(1)).copied().unwrap_or(0) % 4;
        for r in 0..k {
            let t = if r == 0 {
                types.get(e).copied().unwrap_or(0) % TYPES.len()
            } else {
                (r + e) % TYPES.len()
            };
            recs.push((sec, e as u64 + 1, t));
        }
    }
    for &(from, shift) in moves {
        if recs.is_empty() {
            break;
        }
        let from = from % recs.len();
        let r = recs.remove(from);
        let to = (from + shift).min(recs.len());
        recs.insert(to, r);
    }
    let mut log = String::new();
    for (i, (sec, serial, t)) in recs.into_iter().enumerate() {
        log.push_str(&format!(
            "type={} msg=audit({sec}.000:{serial}): tag={i}\n",
            TYPES[t]
        ));
    }
    log.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn assembler_matches_the_model(
        n in 50usize..600,
        per_sec in 1usize..400,
        moves in proptest::collection::vec((any::<usize>(), 0usize..1500), 0..60),
        types in proptest::collection::vec(0usize..64, 1..64),
        timeout in 0u64..4,
    ) {
        let log = build(n, per_sec, &moves, &types);
        prop_assert_eq!(assembler(&log, timeout), model(&log, timeout));
    }
}

/// A fully shuffled log: every late key goes far before the newest
/// pending one, the case the B-tree of late keys is there for.
#[test]
fn shuffled_log_matches_the_model() {
    let mut serials: Vec<u64> = (1..=3000).collect();
    // A fixed permutation (multiplicative, 3000 and 1237 are coprime).
    serials.sort_by_key(|s| (s * 1237) % 3000);
    let mut log = String::new();
    for (i, s) in serials.iter().enumerate() {
        let t = if i % 3 == 0 { "PROCTITLE" } else { "SYSCALL" };
        log.push_str(&format!(
            "type={t} msg=audit({}.000:{s}): tag={i}\n",
            100 + i / 500
        ));
        log.push_str(&format!(
            "type=EOE msg=audit({}.000:{s}): tag={}\n",
            100 + i / 500,
            10_000 + i
        ));
    }
    let log = log.into_bytes();
    let got = assembler(&log, 2);
    assert_eq!(got, model(&log, 2));
    assert_eq!(got.len(), 3000);
}
