//! `--where` queries: compiling any text and evaluating whatever compiles
//! must never panic (cargo +nightly fuzz run query_where).
#![no_main]

use auditkit_event::assemble::assemble_all;
use auditkit_host::Accounts;
use auditkit_query::lang::{compile, compile_field, EventView, Names};
use libfuzzer_sys::fuzz_target;

const LOG: &[u8] = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=0 a3=0 items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 ses=3 comm=\"curl\" exe=\"/tmp/curl\" key=\"net\"\n\
type=EXECVE msg=audit(1700000000.123:42): argc=2 a0=\"curl\" a1=68747470\n";

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let evs = assemble_all(LOG, 2);
    let names = Names {
        ids: Accounts::empty(),
    };
    let view = EventView::new(&evs[0]);
    if let Ok(query) = compile(q) {
        let _ = query.matches(&view, &names);
    }
    if let Ok(f) = compile_field(q) {
        let _ = f.values(&view, &names);
    }
    if let Err(e) = compile(q) {
        let _ = e.render(q);
    }
});
