//! Every output format over the events arbitrary bytes assemble into:
//! ausearch's raw and default (every `--escape`), interpret (`-i`), csv
//! (with and without the extra columns), text and JSON. None may panic, and
//! the JSON writer must write one valid JSON value per event
//! (`cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run writers -s none`).
#![no_main]

use auditkit_event::assemble::assemble_all;
use auditkit_host::Accounts;
use auditkit_interp::Machine;
use auditkit_output::ausearch::{write_default, write_raw};
use auditkit_output::csv::{write_csv, CsvExtras};
use auditkit_output::interpret::Interpreter;
use auditkit_output::json::JsonWriter;
use auditkit_output::normalize::Settings;
use auditkit_output::text::write_text;
use auditkit_output::Escape;
use libfuzzer_sys::fuzz_target;

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n";
const GROUP: &[u8] = b"root:x:0:\nalice:x:1000:\n";
const ESCAPES: [Escape; 4] = [Escape::Raw, Escape::Tty, Escape::Shell, Escape::ShellQuote];

fuzz_target!(|data: &[u8]| {
    let names = Accounts::parse(PASSWD, GROUP);
    let users = Accounts::parse(PASSWD, GROUP);
    let mut out = Vec::new();
    for ev in assemble_all(data, 2) {
        write_raw(&ev, &mut out);
        for esc in ESCAPES {
            write_default(&ev, esc, &mut out);
            for native in [Some(Machine::native()), None] {
                Interpreter {
                    names: &names,
                    escape: esc,
                    native,
                }
                .write(&ev, &mut out);
            }
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
                write_csv(&ev, &settings, &extras, &mut out);
            }
            write_text(&ev, &settings, &mut out);
        }
        out.clear();
        for with_lines in [false, true] {
            JsonWriter {
                names: &names,
                with_lines,
            }
            .write(&ev, &mut out);
            let text = out.strip_suffix(b"\n").unwrap_or(&out);
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(text) {
                panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(text));
            }
            out.clear();
        }
    }
});
