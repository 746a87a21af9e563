//! The process tree: any log text observed in order (then its contexts,
//! extra fields and a state round trip), and any text as a state file,
//! must never panic and must stay within the tree's limits
//! (cargo fuzz run proctree).
#![no_main]

use auditkit_detect::process::{Limits, Tree, EXTRA_FIELDS};
use auditkit_event::assemble::assemble_all;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_processes: 8,
        max_bytes: 64,
        max_depth: 6,
    };
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok((t, _)) = Tree::load(text, limits) {
            assert!(t.len() <= 8);
        }
    }
    let mut t = Tree::new(limits);
    for ev in assemble_all(data, 2) {
        t.observe(&ev);
        assert!(t.len() <= 8);
        if let Some(c) = t.context(&ev) {
            assert!(c.ancestors.len() <= 6);
            let mut j = Vec::new();
            c.write_json(&mut j);
            assert!(serde_json::from_slice::<serde_json::Value>(&j).is_ok());
            for (name, _) in EXTRA_FIELDS {
                let _ = t.extra_field(ev.node(), c.pid, None, name);
            }
        }
    }
    let saved = t.save();
    let (back, bad) = Tree::load(&saved, limits).expect("our own state file loads");
    assert_eq!(bad, 0);
    assert_eq!(back.len(), t.len());
});
