//! audit.rules text: parse, lint, resolve to the kernel's form, print as
//! `auditctl -l` (`rules fmt`, with and without control lines) and merge as
//! augenrules does. Nothing may panic on any text
//! (`cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run rules -s none`).
#![no_main]

use auditkit_rules::{
    augenrules, canonical_with, fmt, lint, parse_file, Machine, NoHost, PrintState, Resolver,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, errors) = parse_file("fuzz.rules", &text);
    for e in &errors {
        let _ = e.to_string();
    }
    for native in [Machine::X86_64, Machine::Aarch64, Machine::I386] {
        for f in lint(&file, native, &NoHost) {
            let _ = format!("{f:?}");
        }
        let resolver = Resolver {
            native,
            host: &NoHost,
        };
        let mut state = PrintState::default();
        for r in file.rules() {
            match resolver.resolve(r) {
                Ok(k) => {
                    let _ = canonical_with(&k, native, &mut state);
                }
                Err(rejections) => {
                    for rej in rejections {
                        let _ = format!(
                            "{}:{} {} {}",
                            rej.span.line, rej.span.col, rej.code, rej.message
                        );
                    }
                }
            }
        }
        for keep_control in [false, true] {
            let _ = fmt(&file, native, &NoHost, keep_control);
        }
    }
    let _ = augenrules(&[
        ("10-a.rules".to_string(), text.to_string()),
        ("20-b.rules".to_string(), text.into_owned()),
    ]);
});
