//! Every writer, over real corpus lines damaged near their header, must
//! neither panic nor lose a line, and the JSON writer must write valid
//! JSON (issue 8: such lines panicked the parser and killed the pipeline).
//! The mutations are those of auditkit-event's no-panic test.

#[path = "../../auditkit-event/tests/common/header_mutations.rs"]
mod header_mutations;

use auditkit_event::chunk::{count_lines, parse_chunk};
use auditkit_event::value::decode_str;
use auditkit_event::{Assembler, Chunk};
use auditkit_host::Accounts;
use auditkit_interp::Machine;
use auditkit_output::ausearch::{write_default, write_raw};
use auditkit_output::csv::{write_csv, CsvExtras};
use auditkit_output::interpret::Interpreter;
use auditkit_output::json::JsonWriter;
use auditkit_output::normalize::Settings;
use auditkit_output::text::write_text;
use auditkit_output::Escape;
use header_mutations::{build_log, corpus_lines, damaged_lines};
use proptest::prelude::*;
use std::sync::LazyLock;

static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(corpus_lines);

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n";
const GROUP: &[u8] = b"root:x:0:\nalice:x:1000:\n";

/// Parse, assemble, decode and write `data` in every format.
fn run(data: Vec<u8>) {
    let lines = count_lines(&data);
    let parsed = parse_chunk(Chunk {
        data,
        source: 0,
        first_line: 1,
    });
    let accounted =
        parsed.records.len() as u64 + parsed.unparsed.len() as u64 + parsed.blank + parsed.comments;
    assert_eq!(
        accounted, lines,
        "every line is a record, blank, comment or unparsed"
    );
    let parsed_records = parsed.records.len() as u64;
    let mut asm = Assembler::new(2);
    let events = asm.assemble_whole(parsed);
    let in_events: u64 = events.iter().map(|e| e.records().len() as u64).sum();
    assert_eq!(
        in_events + asm.dropped_eoe(),
        parsed_records,
        "every record is in an event or counted as a dropped EOE"
    );

    let names = Accounts::parse(PASSWD, GROUP);
    let users = Accounts::parse(PASSWD, GROUP);
    let mut out = Vec::new();
    for ev in &events {
        for r in ev.records() {
            for f in r.fields() {
                let _ = decode_str(&f.value);
            }
        }
        write_raw(ev, &mut out);
        for esc in [Escape::Raw, Escape::Tty, Escape::ShellQuote] {
            write_default(ev, esc, &mut out);
            Interpreter {
                names: &names,
                escape: esc,
                native: Some(Machine::native()),
            }
            .write(ev, &mut out);
            let settings = Settings {
                names: &names,
                users: &users,
                escape: esc.into(),
            };
            for all in [false, true] {
                let extras = CsvExtras {
                    keys: all,
                    labels: all,
                    obj2: all,
                    time: all,
                };
                write_csv(ev, &settings, &extras, &mut out);
            }
            write_text(ev, &settings, &mut out);
        }
        out.clear();
        for with_lines in [false, true] {
            JsonWriter {
                names: &names,
                with_lines,
            }
            .write(ev, &mut out);
            let text = out.strip_suffix(b"\n").unwrap_or(&out);
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(text) {
                panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(text));
            }
            out.clear();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn writers_survive_header_mutations(picks in damaged_lines()) {
        run(build_log(&CORPUS, &picks));
    }
}

/// The line of issue 8 and its neighbours, in every format.
#[test]
fn short_node_tokens() {
    for l in [
        "n type=PATH msg=audit(1795546606.156:5018): item=0",
        "nod  type=PATH msg=audit(1700000001.000:9): item=0",
        "n t msg=audit(1700000002.000:9): item=0",
        "n t ()aaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        run(format!("{l}\n{l}\ntype=EOE msg=audit(1700000002.000:9): \n").into_bytes());
    }
}

/// The whole corpus, undamaged, in every format.
#[test]
fn corpus_lines_in_every_format() {
    let mut data = Vec::new();
    for l in CORPUS.iter() {
        data.extend_from_slice(l);
        data.push(b'\n');
    }
    run(data);
}
