//! Feed arbitrary bytes through line parsing, assembly and field decoding.
#![no_main]

use auditkit_event::chunk::parse_chunk;
use auditkit_event::pipeline::{Item, Stats};
use auditkit_event::{Assembler, Chunk};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Both groupings: ausearch's, and by id (the native outputs).
    for group_by_id in [false, true] {
        run(data, group_by_id);
    }
});

fn run(data: &[u8], group_by_id: bool) {
    let parsed = parse_chunk(Chunk {
        data: data.to_vec(),
        source: 0,
        first_line: 1,
    });
    let mut asm = Assembler::new(2);
    asm.group_by_id = group_by_id;
    let mut events = Vec::new();
    asm.push_parsed(parsed, None, &mut Stats::default(), &mut |it| {
        if let Item::Event(e) = it {
            events.push(e);
        }
    });
    asm.finish(&mut |e| events.push(e));
    for e in &events {
        for r in e.records() {
            for f in r.fields() {
                let _ = auditkit_event::value::decode_str(&f.value);
            }
        }
    }
}
