//! audit.rules text: parse, lint, resolve to the kernel's form, print as
//! `auditctl -l` (`rules fmt`, with and without control lines), load as a
//! rule set (files and rules.d) and merge as augenrules does. Nothing may
//! panic on any text
//! (`cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run rules -s none`).
#![no_main]

use auditkit_rules::{
    augenrules, canonical_with, fmt, lint, parse_file, Layout, Machine, NoHost, PrintState,
    Resolver, RuleSet,
};
use libfuzzer_sys::fuzz_target;

/// The machines differ in their syscall tables; one per input (picked by
/// the first byte) keeps the target fast under coverage instrumentation.
const MACHINES: [Machine; 4] = [
    Machine::X86_64,
    Machine::Aarch64,
    Machine::I386,
    Machine::Ppc64,
];

fuzz_target!(|data: &[u8]| {
    let native = MACHINES[usize::from(data.first().copied().unwrap_or(0)) % MACHINES.len()];
    let text = String::from_utf8_lossy(data);
    let (file, errors) = parse_file("fuzz.rules", &text);
    for e in &errors {
        let _ = e.to_string();
    }
    for f in lint(&file, native, &NoHost) {
        let _ = f.to_string();
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
                        "{}:{} {} {} {}",
                        rej.span.line, rej.span.col, rej.code, rej.message, rej.fix
                    );
                }
            }
        }
    }
    for keep_control in [false, true] {
        let _ = fmt(&file, native, &NoHost, keep_control);
    }
    let files = [
        ("10-a.rules".to_string(), text.to_string()),
        ("20-b.rules".to_string(), text.into_owned()),
    ];
    let _ = augenrules(&files);
    for layout in [Layout::Files, Layout::RulesD] {
        let _ = RuleSet::load(&files, layout, native, &NoHost);
    }
});
