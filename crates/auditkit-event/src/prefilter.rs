//! A literal prefilter: events that no query can match are dropped
//! before they reach the filter and the sink, with the same output.
//!
//! A selective query (`-k KEY`, `-x EXE`, `-m TYPE`) matches few events,
//! yet every event would be extracted and judged. The parse workers
//! already hold each chunk: one `memmem` pass over it (several GB/s)
//! finds the records whose line holds one of the query's literals, or
//! whose type is one of its types, and marks them ([`ParsedChunk::hits`]).
//! An event is a *candidate* when one of its records is marked.
//!
//! Candidacy is decided per event, not per chunk: the assembler still
//! sees every record, groups and completes events exactly as before (the
//! grouping and the output order depend on the events that are not
//! printed too), and only the assembled event is asked whether one of
//! its records, in whatever chunk it was read, was marked. So an event
//! whose records span chunks N-1, N and N+1 is a candidate when the
//! literal is in any of them.
//!
//! A prefilter is a *necessary* condition, never a sufficient one: a
//! candidate still goes through the real filter. Whoever builds one must
//! make sure that every event the filter can match holds a mark (see
//! `auditkit_query::prefilter`).

use memchr::memmem::Finder;

use crate::chunk::ParsedChunk;
use crate::event::Event;
use crate::RecordType;

/// What marks a record: one of the literals in its line, or one of the
/// record types in its header (any of them).
#[derive(Debug, Default)]
pub struct Prefilter {
    literals: Vec<Finder<'static>>,
    types: Vec<RecordType>,
}

impl Prefilter {
    /// A prefilter that marks records whose line contains one of
    /// `literals` or whose type is one of `types`. `None` when both are
    /// empty (nothing would be marked, which would drop every event).
    pub fn new(literals: &[Vec<u8>], types: &[RecordType]) -> Option<Prefilter> {
        let literals: Vec<Finder<'static>> = literals
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| Finder::new(l).into_owned())
            .collect();
        if literals.is_empty() && types.is_empty() {
            return None;
        }
        Some(Prefilter {
            literals,
            types: types.to_vec(),
        })
    }

    /// The indexes (sorted, distinct) of the records of `pc` that are
    /// marked. A hit inside a line that is not a record marks nothing.
    pub fn mark(&self, pc: &ParsedChunk) -> Vec<u32> {
        let mut hits: Vec<u32> = Vec::new();
        if !self.types.is_empty() {
            for (i, r) in pc.records.iter().enumerate() {
                if self.types.contains(&r.header.rtype) {
                    hits.push(i as u32);
                }
            }
        }
        let data = &pc.chunk.data;
        let recs = &pc.records;
        for f in &self.literals {
            let mut from = 0usize;
            while let Some(p) = f.find(&data[from..]) {
                let at = from + p;
                // The record whose line starts at or before the hit.
                let i = recs.partition_point(|r| r.start as usize <= at);
                let mut next = at + 1;
                if let Some(r) = i.checked_sub(1).map(|k| (k, &recs[k])) {
                    let end = r.1.start as usize + r.1.len as usize;
                    if at < end {
                        hits.push(r.0 as u32);
                        // One mark per record is enough: go on after it.
                        next = end;
                    }
                }
                from = next;
                if from >= data.len() {
                    break;
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }
}

impl Event {
    /// Whether the event is a candidate of the run's prefilter: one of its
    /// records was marked, or its chunks were not prefiltered at all.
    pub fn is_candidate(&self) -> bool {
        self.parts().any(|p| match &p.pc.hits {
            None => true,
            Some(h) => {
                let i = h.partition_point(|&x| x < p.start);
                h.get(i).is_some_and(|&x| x < p.end)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assemble::Assembler;
    use crate::chunk::{parse_chunk, Chunk};
    use crate::item::{Item, Stats};

    /// Assemble `log` cut into chunks of about `size` bytes, marking with
    /// `pf`; returns (event id serial, candidate) for every event.
    fn run(log: &[u8], size: usize, pf: &Prefilter) -> Vec<(u64, bool)> {
        let mut asm = Assembler::new(2);
        let mut st = Stats::default();
        let mut out = Vec::new();
        let mut rest = log;
        while !rest.is_empty() {
            let cut = rest
                .iter()
                .skip(size.min(rest.len() - 1))
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| size.min(rest.len() - 1) + p + 1);
            let chunk = Chunk {
                data: rest[..cut].to_vec(),
                source: 0,
                first_line: 0,
            };
            rest = &rest[cut..];
            let mut pc = parse_chunk(chunk);
            pc.hits = Some(pf.mark(&pc));
            asm.push_parsed(pc, None, &mut st, &mut |it| {
                if let Item::Event(e) = it {
                    out.push((e.id().serial, e.is_candidate()));
                }
            });
        }
        asm.finish(&mut |e| out.push((e.id().serial, e.is_candidate())));
        out
    }

    const LOG: &[u8] = b"type=SYSCALL msg=audit(1700000000.100:1): syscall=59 key=\"a\"\n\
type=SYSCALL msg=audit(1700000000.200:2): syscall=59 key=\"other\"\n\
type=EXECVE msg=audit(1700000000.100:1): argc=1 a0=\"ls\"\n\
type=CWD msg=audit(1700000000.200:2): cwd=\"/\"\n\
garbage line with big-exec in it\n\
type=PATH msg=audit(1700000000.100:1): item=0 name=\"/tmp/big-exec\"\n\
type=PROCTITLE msg=audit(1700000000.200:2): proctitle=6C73\n\
type=SYSCALL msg=audit(1700000001.000:3): syscall=59 key=6269672D6578656301782D79\n\
type=SYSCALL msg=audit(1700000001.000:4): syscall=59 key=\"none\"\n";

    #[test]
    fn candidacy_is_per_event_across_chunks() {
        // Event 1's literal is in its third record, two lines after a
        // line that is not a record and holds the literal too; event 3
        // has it hex-encoded (a key list).
        let pf = Prefilter::new(&[b"big-exec".to_vec(), b"65786563".to_vec()], &[]).unwrap();
        let want = vec![(1, true), (2, false), (3, true), (4, false)];
        for size in [1, 20, 60, 100, 200, 4096] {
            let mut got = run(LOG, size, &pf);
            got.sort_unstable();
            assert_eq!(got, want, "chunks of {size}");
        }
    }

    #[test]
    fn types_mark_records() {
        let pf = Prefilter::new(&[], &[RecordType::PATH]).unwrap();
        let mut got = run(LOG, 50, &pf);
        got.sort_unstable();
        assert_eq!(got, vec![(1, true), (2, false), (3, false), (4, false)]);
        assert!(Prefilter::new(&[], &[]).is_none());
        assert!(Prefilter::new(&[Vec::new()], &[]).is_none());
    }

    #[test]
    fn unmarked_chunks_keep_every_event() {
        let events = crate::assemble::assemble_all(LOG, 2);
        assert!(events.iter().all(Event::is_candidate));
    }
}
