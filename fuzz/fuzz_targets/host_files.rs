//! Host fact parsers (passwd/group, login.defs, mounts, auditd.conf) must
//! never panic, whatever the bytes (cargo +nightly fuzz run host_files).
#![no_main]

use auditkit_host::{parse_mounts, Accounts, AuditdConf, LoginDefs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let a = Accounts::parse(data, data);
    for u in a.users() {
        let _ = a.uid(&u.name);
        let _ = a.user_name(u.uid);
    }
    let text = String::from_utf8_lossy(data);
    let _ = LoginDefs::parse(&text).sys_uid_max();
    let _ = parse_mounts(&text);
    let c = AuditdConf::parse(&text);
    for e in &c.errors {
        let _ = e.to_string();
    }
    let _ = AuditdConf::applied_until_error(&text);
});
