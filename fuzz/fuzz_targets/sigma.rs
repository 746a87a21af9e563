//! Sigma rule files: loading any text (YAML, documents, selections,
//! conditions, correlations), compiling what loads and matching it on a
//! few real-shaped events must never panic (cargo fuzz run sigma).
#![no_main]

use auditkit_detect::{Correlator, Engine, LoadOptions, NoTree, RuleSet, Scope};
use auditkit_event::assemble::assemble_all;
use auditkit_host::Accounts;
use libfuzzer_sys::fuzz_target;

const LOG: &[u8] = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=0 a3=0 items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 ses=3 comm=\"curl\" exe=\"/tmp/curl\" key=\"net\"\n\
type=EXECVE msg=audit(1700000000.123:42): argc=3 a0=\"curl\" a1_len=8 a1[0]=6874 a1[1]=\"tp\" a2=2D4F\n\
type=CWD msg=audit(1700000000.123:42): cwd=\"/tmp\"\n\
type=PATH msg=audit(1700000000.123:42): item=0 name=\"/tmp/x\" nametype=CREATE\n\
type=SERVICE_STOP msg=audit(1700000001.000:43): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='unit=firewalld comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut set = RuleSet::new(LoadOptions { all_status: true });
    set.add_str("fuzz.yml", text);
    let engine = Engine::new(set, Accounts::new());
    let _ = engine.summary();
    let mut corr = Correlator::default();
    for ev in assemble_all(LOG, 2) {
        let mut hits = Vec::new();
        engine.matches(&ev, &NoTree, Scope::All, &mut hits);
        let _ = engine.correlate(&mut corr, &ev, &hits);
    }
});
