//! `fields::first_values` finds the first value of each wanted field
//! without the full walk: it must give exactly what walking [`Fields`]
//! gives, on every real record and on bodies built to trip it (values
//! holding `=`, the nested `msg='...'`, `(name=`, empty values, runs of
//! spaces).

// Only the corpus lines of the shared helpers are used here.
#[allow(dead_code)]
mod common;

use std::borrow::Cow;

use auditkit_event::assemble::assemble_all;
use auditkit_event::fields::{first_values, Fields, FieldsOptions};
use auditkit_event::RecordType;
use proptest::prelude::*;

/// Every name of the body, and a few it lacks, each asked for once: the
/// first values as the full walk finds them, and as `first_values` does.
fn both(body: &[u8], rtype: RecordType, opts: FieldsOptions) {
    let fields: Vec<_> = Fields::new(body, rtype, opts).collect();
    let mut names: Vec<&[u8]> = fields.iter().map(|f| f.name).collect();
    names.extend([&b"nosuch"[..], b"msg", b"a", b""]);
    names.sort();
    names.dedup();
    let want = |n: &[u8]| names.iter().position(|x| *x == n);
    let mut got: Vec<Option<Cow<'_, [u8]>>> = vec![None; names.len()];
    first_values(body, rtype, opts, want, &mut got);
    for (i, n) in names.iter().enumerate() {
        let walk = fields.iter().find(|f| f.name == *n).map(|f| &f.value);
        assert_eq!(
            walk.map(|v| v.as_ref()),
            got[i].as_deref(),
            "field {:?} of {:?}",
            String::from_utf8_lossy(n),
            String::from_utf8_lossy(body)
        );
    }
    // Asked for one name at a time, each alone.
    for n in &names {
        let mut one = [None];
        first_values(body, rtype, opts, |x| (x == *n).then_some(0), &mut one);
        let walk = fields
            .iter()
            .find(|f| f.name == *n)
            .map(|f| f.value.as_ref());
        assert_eq!(
            walk,
            one[0].as_deref(),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn every_record_of_the_corpus() {
    let lines = common::header_mutations::corpus_lines();
    let mut log = lines.join(&b'\n');
    log.push(b'\n');
    let mut records = 0;
    for ev in assemble_all(&log, 2) {
        for r in ev.records() {
            let opts = FieldsOptions {
                interpreted: r.is_interpreted(),
            };
            both(r.body(), r.rtype(), opts);
            records += 1;
        }
    }
    assert!(records > 500, "only {records} records");
}

#[test]
fn bodies_built_to_trip_it() {
    for b in [
        &b" a=1 b==2 c=x=y  d= e=5"[..],
        b" comm=\"a=b\" exe=\"/x\" key=(null)",
        b" msg='op=login acct=root exe=\"/usr/sbin/sshd\" res=failed'",
        b" msg=audit(1.2:3): a=1",
        b" msg='novalue rest=1'",
        b" msg=plain b=2",
        b" (hostname=?, addr=? terminal=cron res=success)",
        b"=lead a=1",
        b"a= a=2",
        b"  a=1   a=2 ",
        b" x=1=2=3 y=4",
        b" proctitle=616263 a0=\"x y\" a1=z",
        b"",
        b"=",
        b"msg='",
        b"msg='=",
        b" a",
    ] {
        for rt in [RecordType::SYSCALL, RecordType::USER_LOGIN, RecordType::AVC] {
            both(b, rt, FieldsOptions::default());
            both(b, rt, FieldsOptions { interpreted: true });
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Bodies from the bytes that make fields (`=`, spaces, quotes, the
    /// nested message's opening, parentheses, trimmed tails).
    #[test]
    fn random_bodies(parts in proptest::collection::vec(
        prop_oneof![
            Just(&b" "[..]), Just(&b"="[..]), Just(&b"msg="[..]), Just(&b"'"[..]),
            Just(&b"a"[..]), Just(&b"pid"[..]), Just(&b"("[..]), Just(&b")"[..]),
            Just(&b":"[..]), Just(&b","[..]), Just(&b"\""[..]), Just(&b"x1"[..]),
        ],
        0..40,
    )) {
        let body = parts.concat();
        both(&body, RecordType::SYSCALL, FieldsOptions::default());
        both(&body, RecordType::USER_LOGIN, FieldsOptions::default());
    }
}
