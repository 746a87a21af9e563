//! The real kernel, with auditctl 3.0.9 as the oracle. Every test holds an
//! exclusive lock on `/tmp/auditkit-kernel.lock`, saves the loaded rules
//! and settings first and puts them back byte for byte afterwards, never
//! sets `-e 2` or `-f 2`, and skips with a message when not root or when
//! the audit netlink socket does not answer (a failure under
//! `AUDITKIT_REQUIRE_ORACLES=1`). The session is auditkit-testsupport's.

use auditkit_kernel::{apply, Allow, ApplyError, Desired, Error, Setting};
use auditkit_rules::{canonical_with, parse_file, Machine, PrintState, Resolver};
use auditkit_testsupport::kernel as common;
use common::{
    assert_most_of_corpus, auditctl, auditctl_listing, corpus_files, loadable, RealHost, Session,
};

fn our_listing(s: &mut Session) -> Vec<String> {
    let native = Machine::native();
    let mut st = PrintState::default();
    s.audit
        .list_rules()
        .expect("list_rules")
        .iter()
        .map(|r| canonical_with(r, native, &mut st))
        .collect()
}

/// (1) Load each corpus file with `auditctl -R`, then our netlink listing
/// printed canonically must equal `auditctl -l` line for line.
#[test]
fn listing_equals_auditctl_for_the_corpus() {
    let Some(mut s) = Session::start("listing") else {
        return;
    };
    let host = common::real_host();
    let (mut files, mut rules, mut failures) = (0, 0, Vec::new());
    for (name, text) in corpus_files() {
        let text = format!("-c\n{}", loadable(&name, &text, &host));
        let p = s.write("load.rules", &text);
        s.audit.delete_all().expect("delete all");
        auditctl(&["-R", p.to_str().unwrap_or_default()]);
        let theirs = auditctl_listing();
        let ours = our_listing(&mut s);
        files += 1;
        rules += theirs.len();
        if ours != theirs {
            let i = (0..ours.len().max(theirs.len())).find(|&i| ours.get(i) != theirs.get(i));
            failures.push(format!(
                "{name}: differs at {i:?}: ours {:?} auditctl {:?}",
                i.and_then(|i| ours.get(i)),
                i.and_then(|i| theirs.get(i))
            ));
        }
    }
    s.restore_now();
    eprintln!("{files} files, {rules} rules compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_most_of_corpus(files, rules);
}

fn desired(name: &str, text: &str, host: &RealHost) -> Desired {
    let native = Machine::native();
    let (file, errs) = parse_file(name, text);
    assert!(errs.is_empty(), "{name}: {errs:?}");
    Desired::from_file(&file, &Resolver { native, host })
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// (2, library) Apply each corpus file through netlink, one after the
/// other (so each apply starts from the previous file's rules), and read
/// back with `auditctl -l`.
#[test]
fn apply_each_corpus_file_then_auditctl_agrees() {
    let Some(mut s) = Session::start("apply") else {
        return;
    };
    let host = common::real_host();
    let native = Machine::native();
    let (mut files, mut rules, mut kept, mut failures) = (0, 0, 0, Vec::new());
    for (name, text) in corpus_files() {
        let d = desired(&name, &loadable(&name, &text, &host), &host);
        let plan = match apply(&mut s.audit, &d, native, Allow::Refuse, Allow::Refuse) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        kept += plan.kept;
        let mut st = PrintState::default();
        let want: Vec<String> = d
            .rules
            .iter()
            .map(|r| canonical_with(r, native, &mut st))
            .collect();
        let theirs = auditctl_listing();
        if want != theirs {
            failures.push(format!(
                "{name}: auditctl -l shows {} rules, {} applied",
                theirs.len(),
                want.len()
            ));
        }
        // Applying again changes nothing.
        match apply(&mut s.audit, &d, native, Allow::Refuse, Allow::Refuse) {
            Ok(p) if p.is_empty() => {}
            Ok(p) => failures.push(format!(
                "{name}: second apply changed {:?}",
                p.lines(native)
            )),
            Err(e) => failures.push(format!("{name}: second apply: {e}")),
        }
        files += 1;
        rules += want.len();
    }
    s.restore_now();
    eprintln!("{files} files, {rules} rules applied; {kept} rules kept in place between files");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_most_of_corpus(files, rules);
}

/// (3) A rule the kernel refuses (a watch whose parent directory does not
/// exist: auditkit-rules accepts it, the kernel says ENOENT) in the middle
/// of a file: the previous rules are back byte for byte, settings too.
#[test]
fn failed_apply_restores_the_previous_rules() {
    let Some(mut s) = Session::start("rollback") else {
        return;
    };
    let host = common::real_host();
    let native = Machine::native();
    let before = desired(
        "before",
        "-w /etc/passwd -p wa -k auditkit-kt-before\n-a always,exit -F arch=b64 -S execve -F key=auditkit-kt-before\n-a never,exclude -F msgtype=CWD\n",
        &host,
    );
    apply(&mut s.audit, &before, native, Allow::Refuse, Allow::Refuse).expect("load the first set");
    let raw_before = s.raw_rules();
    let listing_before = auditctl_listing();
    let status_before = s.audit.status().expect("status");
    let bad = desired(
        "bad",
        "-a always,exit -F arch=b64 -S openat -F key=auditkit-kt-new\n-w /auditkit-no-such-dir/x -p wa -k auditkit-kt-bad\n-w /etc/group -p wa -k auditkit-kt-new\n--backlog_wait_time 12345\n",
        &host,
    );
    let e = apply(&mut s.audit, &bad, native, Allow::Refuse, Allow::Refuse)
        .expect_err("the kernel refuses the watch");
    eprintln!("{e}");
    match &e {
        ApplyError::RolledBack { step, cause } => {
            assert!(step.contains("/auditkit-no-such-dir/x"), "{step}");
            assert_eq!(cause.errno(), Some(libc::ENOENT), "{cause}");
        }
        other => panic!("not rolled back: {other}"),
    }
    let raw_after = s.raw_rules();
    assert_eq!(raw_after, raw_before);
    assert_eq!(auditctl_listing(), listing_before);
    assert_eq!(
        s.audit.status().expect("status").backlog_wait_time,
        status_before.backlog_wait_time
    );
    s.restore_now();
}

/// (4) `-e 2` and `-f 2` are refused without permission, before anything
/// changes; so is `set_enabled(2)`/`set_failure(2)` on the handle.
#[test]
fn immutable_and_panic_are_refused() {
    let Some(mut s) = Session::start("refuse") else {
        return;
    };
    let host = common::real_host();
    let native = Machine::native();
    let raw_before = s.raw_rules();
    let status_before = s.audit.status().expect("status");
    for text in [
        "-b 333\n-w /etc/hosts -p wa -k auditkit-kt-refuse\n-e 2\n",
        "-f 2\n-w /etc/hosts -p wa -k auditkit-kt-refuse\n-r 7\n",
    ] {
        let d = desired("refuse", text, &host);
        // Only Allow::Refuse here: a test must never lock or panic the kernel.
        let e = apply(&mut s.audit, &d, native, Allow::Refuse, Allow::Refuse).expect_err("refused");
        assert!(
            matches!(e, ApplyError::NothingChanged(Error::Refused(_))),
            "{e}"
        );
        let raw = s.raw_rules();
        assert_eq!(raw, raw_before);
        let st = s.audit.status().expect("status");
        assert_eq!(
            (st.enabled, st.failure, st.backlog_limit, st.rate_limit),
            (
                status_before.enabled,
                status_before.failure,
                status_before.backlog_limit,
                status_before.rate_limit
            )
        );
    }
    assert!(matches!(
        s.audit.set_enabled(2, Allow::Refuse),
        Err(Error::Refused(Setting::Enabled(2)))
    ));
    assert!(matches!(
        s.audit.set_failure(2, Allow::Refuse),
        Err(Error::Refused(Setting::Failure(2)))
    ));
    assert_eq!(
        s.audit.status().expect("status").enabled,
        status_before.enabled
    );
}

/// (5) The status equals `auditctl -s`, and settings changed through
/// netlink show there (then are put back).
#[test]
fn status_equals_auditctl_s() {
    let Some(mut s) = Session::start("status") else {
        return;
    };
    // backlog and lost move on their own: retry until a quiet moment.
    let mut last = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let st = s.audit.status().expect("status");
        let f = s.audit.features().expect("features");
        let ours = st.auditctl_lines(Some(&f));
        let (ok, out, _) = auditctl(&["-s"]);
        assert!(ok);
        let theirs: Vec<String> = out.lines().map(str::to_string).collect();
        if ours == theirs {
            last = (ours, theirs);
            break;
        }
        last = (ours, theirs);
    }
    assert_eq!(last.0, last.1);
    let old = s.status;
    s.audit
        .set_backlog_limit(old.backlog_limit + 17)
        .expect("set backlog");
    s.audit
        .set_rate_limit(old.rate_limit + 3)
        .expect("set rate");
    s.audit
        .set_backlog_wait_time(old.backlog_wait_time + 1)
        .expect("set wait time");
    s.audit
        .set_failure(old.failure, Allow::Refuse)
        .expect("set failure to what it is");
    let (_, out, _) = auditctl(&["-s"]);
    assert!(
        out.lines()
            .any(|l| l == format!("backlog_limit {}", old.backlog_limit + 17)),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l == format!("rate_limit {}", old.rate_limit + 3)),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l == format!("backlog_wait_time {}", old.backlog_wait_time + 1)),
        "{out}"
    );
    s.restore_now();
    let back = s.audit.status().expect("status");
    assert_eq!(
        (back.backlog_limit, back.rate_limit, back.backlog_wait_time),
        (old.backlog_limit, old.rate_limit, old.backlog_wait_time)
    );
}

/// Rules added and deleted one by one through netlink show in auditctl.
#[test]
fn add_and_delete_single_rules() {
    let Some(mut s) = Session::start("single") else {
        return;
    };
    let host = common::real_host();
    let d = desired("single", "-w /etc/hosts -p wa -k auditkit-kt-single\n-a always,exit -F arch=b32 -S open -F auid>=1000 -F auid!=unset -F key=auditkit-kt-single\n", &host);
    s.audit.delete_all().expect("delete all");
    s.audit.add_rule(&d.rules[1], false).expect("add");
    s.audit.add_rule(&d.rules[0], true).expect("prepend");
    assert_eq!(
        auditctl_listing(),
        [
            "-w /etc/hosts -p wa -k auditkit-kt-single",
            "-a always,exit -F arch=b32 -S open -F auid>=1000 -F auid!=-1 -F key=auditkit-kt-single"
        ]
    );
    let e = s.audit.add_rule(&d.rules[0], false).expect_err("duplicate");
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    s.audit.delete_rule(&d.rules[0]).expect("delete");
    assert_eq!(auditctl_listing().len(), 1);
    let e = s.audit.delete_rule(&d.rules[0]).expect_err("already gone");
    assert_eq!(e.errno(), Some(libc::ENOENT), "{e}");
    assert_eq!(s.audit.list_rules().expect("list"), [d.rules[1].clone()]);
    s.restore_now();
}

/// Applying a changed file keeps the rules that stay in order and only
/// prepends, appends and deletes around them.
#[test]
fn apply_changes_only_what_differs() {
    let Some(mut s) = Session::start("minimal") else {
        return;
    };
    let host = common::real_host();
    let native = Machine::native();
    let a = "-w /etc/passwd -p wa -k auditkit-kt-min\n-w /etc/group -p wa -k auditkit-kt-min\n-a always,exit -F arch=b64 -S unlink -F key=auditkit-kt-min\n-w /etc/shadow -p wa -k auditkit-kt-min\n";
    let b = "-a never,exit -F arch=b64 -S all -F exe=/usr/bin/true\n-w /etc/passwd -p wa -k auditkit-kt-min\n-w /etc/group -p wa -k auditkit-kt-min\n-w /etc/shadow -p wa -k auditkit-kt-min\n-w /etc/hosts -p wa -k auditkit-kt-min\n";
    s.audit.delete_all().expect("delete all");
    apply(
        &mut s.audit,
        &desired("a", a, &host),
        native,
        Allow::Refuse,
        Allow::Refuse,
    )
    .expect("apply a");
    let d = desired("b", b, &host);
    let plan = apply(&mut s.audit, &d, native, Allow::Refuse, Allow::Refuse).expect("apply b");
    assert_eq!(
        plan.lines(native),
        [
            "- -a always,exit -F arch=b64 -S unlink -F key=auditkit-kt-min",
            "+A -a never,exit -F arch=b64 -S all -F exe=/usr/bin/true",
            "+ -w /etc/hosts -p wa -k auditkit-kt-min",
        ]
    );
    assert_eq!(plan.kept, 3);
    assert_eq!(auditctl_listing(), b.lines().collect::<Vec<_>>());
    s.restore_now();
}
