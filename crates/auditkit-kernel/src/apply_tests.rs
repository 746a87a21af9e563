use super::*;
use crate::consts::AUDIT_FILTER_PREPEND;
use crate::rule_data::decode;
use crate::wire::put_u32;
use auditkit_rules::{parse_file, FnHost, PathKind};

/// A simulated kernel: lists in list order, prepend, "Rule exists",
/// identical-rule deletion, and a path that makes an add fail.
#[derive(Default)]
struct Fake {
    rules: Vec<Vec<u8>>,
    status: Status,
    calls: usize,
    /// Drop the nth add silently (a kernel that lies), to test verification.
    drop_add: Option<usize>,
    adds: usize,
}

fn errno(request: &'static str, errno: i32) -> Error {
    Error::Kernel { request, errno }
}

impl RuleKernel for Fake {
    fn list(&mut self) -> Result<Vec<ListedRule>, Error> {
        let mut v: Vec<ListedRule> = self
            .rules
            .iter()
            .map(|raw| ListedRule {
                raw: raw.clone(),
                rule: decode(raw, Machine::X86_64),
            })
            .collect();
        v.sort_by_key(|r| raw_list(&r.raw));
        Ok(v)
    }
    fn add_raw(&mut self, raw: &[u8]) -> Result<(), Error> {
        self.calls += 1;
        let mut r = raw.to_vec();
        let flags = u32_at(&r, 0).unwrap_or(0);
        put_u32(&mut r, 0, flags & !AUDIT_FILTER_PREPEND);
        if r.windows(10).any(|w| w == b"/fail-here") {
            return Err(errno("add rule", libc::ENOENT));
        }
        if self.rules.contains(&r) {
            return Err(errno("add rule", libc::EEXIST));
        }
        self.adds += 1;
        if self.drop_add == Some(self.adds) {
            return Ok(());
        }
        if flags & AUDIT_FILTER_PREPEND != 0 {
            self.rules.insert(0, r);
        } else {
            self.rules.push(r);
        }
        Ok(())
    }
    fn delete_raw(&mut self, raw: &[u8]) -> Result<(), Error> {
        self.calls += 1;
        match self.rules.iter().position(|r| r == raw) {
            Some(p) => {
                self.rules.remove(p);
                Ok(())
            }
            None => Err(errno("delete rule", libc::ENOENT)),
        }
    }
    fn status(&mut self) -> Result<Status, Error> {
        Ok(self.status)
    }
    fn set(&mut self, s: Setting, allow: Allow) -> Result<(), Error> {
        self.calls += 1;
        if matches!(s, Setting::Enabled(2) | Setting::Failure(2)) && allow != Allow::Permit {
            return Err(Error::Refused(s));
        }
        match s {
            Setting::Enabled(v) => self.status.enabled = v,
            Setting::Failure(v) => self.status.failure = v,
            Setting::RateLimit(v) => self.status.rate_limit = v,
            Setting::BacklogLimit(v) => self.status.backlog_limit = v,
            Setting::BacklogWaitTime(v) => self.status.backlog_wait_time = v,
        }
        Ok(())
    }
}

fn desired(text: &str) -> Desired {
    let (file, errs) = parse_file("t", text);
    assert!(errs.is_empty(), "{errs:?}");
    let host = FnHost {
        accounts: auditkit_rules::Accounts::empty(),
        path: &|_| PathKind::Other,
    };
    let r = Resolver {
        native: Machine::X86_64,
        host: &host,
    };
    Desired::from_file(&file, &r).expect("loads")
}

fn listing(k: &mut Fake) -> Vec<String> {
    k.list()
        .unwrap()
        .iter()
        .map(|r| canonical(r.rule.as_ref().unwrap(), Machine::X86_64))
        .collect()
}

fn loaded(text: &str) -> Fake {
    let mut k = Fake {
        status: Status {
            enabled: 1,
            failure: 1,
            backlog_limit: 64,
            ..Status::default()
        },
        ..Fake::default()
    };
    apply(
        &mut k,
        &desired(text),
        Machine::X86_64,
        Allow::Refuse,
        Allow::Refuse,
    )
    .unwrap();
    k.calls = 0;
    k.adds = 0;
    k
}

const BASE: &str = "\
-a always,exit -F arch=b64 -S execve -k exec
-w /etc/passwd -p wa -k identity
-a never,exclude -F msgtype=CWD
-w /etc/shadow -p wa -k identity
-a always,user -F uid=0
";

#[test]
fn applying_what_is_loaded_changes_nothing() {
    let mut k = loaded(BASE);
    let p = apply(
        &mut k,
        &desired(BASE),
        Machine::X86_64,
        Allow::Refuse,
        Allow::Refuse,
    )
    .unwrap();
    assert!(p.is_empty());
    assert_eq!(p.kept, 5);
    assert_eq!(k.calls, 0);
    assert_eq!(listing(&mut k)[0], "-a always,user -F uid=0");
}

#[test]
fn plan_keeps_the_common_run_and_prepends_before_it() {
    let mut k = loaded(BASE);
    let want = "\
-w /etc/group -p wa -k identity
-w /etc/passwd -p wa -k identity
-w /etc/shadow -p wa -k identity
-a always,exit -F arch=b32 -S execve -k exec
-a never,exclude -F msgtype=CWD
";
    let d = desired(want);
    let p = apply(&mut k, &d, Machine::X86_64, Allow::Refuse, Allow::Refuse).unwrap();
    assert_eq!(
        p.lines(Machine::X86_64),
        [
            "- -a always,user -F uid=0",
            "- -a always,exit -F arch=b64 -S execve -F key=exec",
            "+A -w /etc/group -p wa -k identity",
            "+ -a always,exit -F arch=b32 -S execve -F key=exec",
        ]
    );
    assert_eq!(p.kept, 3);
    let expect: Vec<String> = d
        .rules
        .iter()
        .map(|r| canonical(r, Machine::X86_64))
        .collect();
    assert_eq!(listing(&mut k), expect);
}

#[test]
fn failure_in_the_middle_restores_byte_for_byte() {
    let mut k = loaded(BASE);
    let before = k.rules.clone();
    let bad = "\
-a always,exit -F arch=b64 -S openat -k a
-a always,exit -F arch=b64 -S execve -k exec
-w /fail-here/x -p wa -k b
-b 8192
";
    let e = apply(
        &mut k,
        &desired(bad),
        Machine::X86_64,
        Allow::Refuse,
        Allow::Refuse,
    )
    .unwrap_err();
    assert!(matches!(e, ApplyError::RolledBack { .. }), "{e}");
    assert!(e.to_string().contains("/fail-here/x"), "{e}");
    let mut after = k.rules.clone();
    after.sort_by_key(|r| raw_list(r));
    let mut b = before;
    b.sort_by_key(|r| raw_list(r));
    assert_eq!(after, b);
    assert_eq!(k.status.backlog_limit, 64);
}

#[test]
fn a_lying_kernel_is_caught_by_verification() {
    let mut k = loaded(BASE);
    let before = k.list().unwrap();
    k.drop_add = Some(1);
    let e = apply(
        &mut k,
        &desired("-a always,exit -S all -F key=new\n-f 0\n"),
        Machine::X86_64,
        Allow::Refuse,
        Allow::Refuse,
    )
    .unwrap_err();
    assert!(
        matches!(&e, ApplyError::RolledBack { step, .. } if step == "verifying the rules"),
        "{e}"
    );
    assert_eq!(k.list().unwrap(), before);
    assert_eq!(k.status.failure, 1);
}

#[test]
fn settings_change_after_rules_and_enable_last() {
    let mut k = loaded(BASE);
    let d = desired("-e 0\n-b 100\n-D\n-b 8192\n-f 0\n-r 5\n--backlog_wait_time 60000\n-f 1\n");
    assert_eq!(
        d.settings,
        [
            Setting::Failure(1),
            Setting::BacklogLimit(8192),
            Setting::RateLimit(5),
            Setting::BacklogWaitTime(60000),
            Setting::Enabled(0)
        ]
    );
    let p = apply(&mut k, &d, Machine::X86_64, Allow::Refuse, Allow::Refuse).unwrap();
    let lines = p.lines(Machine::X86_64);
    assert_eq!(lines.last().map(String::as_str), Some("~ -e 1 -> -e 0"));
    assert!(lines.contains(&"~ -b 64 -> -b 8192".to_string()));
    assert!(
        !lines.iter().any(|l| l.contains("-f")),
        "failure is already 1"
    );
    assert_eq!(k.status.backlog_wait_time, 60000);
    assert!(k.rules.is_empty());
}

#[test]
fn immutable_and_panic_are_refused_before_anything_changes() {
    for (text, imm, pan) in [
        (
            "-w /etc/hosts -p wa -k h\n-e 2\n",
            Allow::Refuse,
            Allow::Permit,
        ),
        (
            "-f 2\n-w /etc/hosts -p wa -k h\n",
            Allow::Permit,
            Allow::Refuse,
        ),
    ] {
        let mut k = loaded(BASE);
        let before = k.rules.clone();
        let e = apply(&mut k, &desired(text), Machine::X86_64, imm, pan).unwrap_err();
        assert!(
            matches!(e, ApplyError::NothingChanged(Error::Refused(_))),
            "{e}"
        );
        assert_eq!(k.calls, 0);
        assert_eq!(k.rules, before);
    }
    // With permission the fake takes it (the real kernel is never asked).
    let mut k = loaded(BASE);
    apply(
        &mut k,
        &desired("-e 2\n"),
        Machine::X86_64,
        Allow::Permit,
        Allow::Refuse,
    )
    .unwrap();
    assert_eq!(k.status.enabled, 2);
    let e = apply(
        &mut k,
        &desired(BASE),
        Machine::X86_64,
        Allow::Refuse,
        Allow::Refuse,
    )
    .unwrap_err();
    assert!(
        matches!(e, ApplyError::NothingChanged(Error::Locked)),
        "{e}"
    );
}

#[test]
fn files_with_refused_rules_are_refused_whole() {
    let (file, _) = parse_file("t", "-w /etc/hosts -k a\n-a always,exit -S nosuchcall\n");
    let host = auditkit_rules::NoHost;
    let r = Resolver {
        native: Machine::X86_64,
        host: &host,
    };
    let e = Desired::from_file(&file, &r).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 2);
    assert!(e[0].message.contains("AR113"), "{:?}", e);
}

#[test]
fn unreadable_loaded_rules_are_deleted_by_their_bytes() {
    let mut k = loaded(BASE);
    let mut odd = k.rules[0].clone();
    // A field number from a newer kernel.
    put_u32(&mut odd, 12 + 4 * 64, 24);
    k.rules.push(odd.clone());
    let p = apply(
        &mut k,
        &desired(BASE),
        Machine::X86_64,
        Allow::Refuse,
        Allow::Refuse,
    )
    .unwrap();
    assert_eq!(p.steps.len(), 1);
    assert!(
        matches!(&p.steps[0], Step::Delete(raw, t) if *raw == odd && t.contains("unknown field number 24"))
    );
    assert!(!k.rules.contains(&odd));
}
