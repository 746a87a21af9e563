//! Feed arbitrary bytes through line parsing, assembly and field decoding.
#![no_main]

use std::sync::Arc;

use auditkit_event::chunk::parse_chunk;
use auditkit_event::{Assembler, Chunk};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let chunk = Arc::new(Chunk {
        data: data.to_vec(),
        source: 0,
        first_line: 1,
    });
    let parsed = parse_chunk(chunk.clone());
    let mut asm = Assembler::new(2);
    let mut events = Vec::new();
    for (rec, line) in parsed.records {
        asm.push(&chunk, rec, line, &mut |e| events.push(e));
    }
    asm.finish(&mut |e| events.push(e));
    for e in &events {
        for r in e.records() {
            for f in r.fields() {
                let _ = auditkit_event::value::decode_str(&f.value);
            }
        }
    }
});
