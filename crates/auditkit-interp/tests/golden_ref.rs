//! auparse's own golden file: `auparse/test/auparse_test.ref` of
//! audit-userspace v3.0.9 lists, for the records of its test logs, each
//! field as `name=raw (interpretation)`. We read it at test time (it is not
//! copied into this repository) from AU309_REF or the default checkout at
//! /tmp/au309, rebuild each record's context from its fields the way
//! auparse does, and check every interpretation.
//!
//! The reference was produced on a machine without users 500/848 and with
//! auparse's test harness escaping in TTY mode; Accounts::empty() reproduces that.
//!
//! Skips without the file (a failure under `AUDITKIT_REQUIRE_ORACLES=1`;
//! `.ci/run` downloads it from the v3.0.9 tag and sets AU309_REF).

use auditkit_host::Accounts;
use auditkit_interp::{field_type, interpret, Ctx, EscapeMode, Machine, RecordType};
use auditkit_testsupport::require;

fn ref_path() -> std::path::PathBuf {
    std::env::var_os("AU309_REF").map_or_else(
        || "/tmp/au309/auparse/test/auparse_test.ref".into(),
        Into::into,
    )
}

struct Field {
    name: String,
    raw: String,
    want: String,
}

fn parse_field(line: &str) -> Option<Field> {
    let body = line.strip_prefix("        ")?;
    if body.starts_with(' ') {
        return None;
    }
    let (name, rest) = body.split_once('=')?;
    let (raw, interp) = rest.split_once(" (")?;
    let want = interp.strip_suffix(')')?;
    Some(Field {
        name: name.into(),
        raw: raw.into(),
        want: want.into(),
    })
}

fn check_record(rtype: RecordType, fields: &[Field], bad: &mut Vec<String>) -> usize {
    let off = usize::from(fields.first().is_some_and(|f| f.name == "node"));
    let at = |i: usize, name: &str| {
        [i + off, i + off + 9]
            .into_iter()
            .filter_map(|j| fields.get(j))
            .find(|f| f.name == name)
            .map(|f| f.raw.as_str())
    };
    let hex = |s: &str| u64::from_str_radix(s, 16).ok();
    let machine = at(1, "arch")
        .and_then(hex)
        .and_then(|v| Machine::from_elf(v as u32));
    let syscall = at(2, "syscall").and_then(|s| s.parse().ok());
    let a0 = fields
        .get(5 + off)
        .filter(|f| f.name == "a0")
        .and_then(|f| hex(&f.raw));
    let a1 = fields
        .get(6 + off)
        .filter(|f| f.name == "a1")
        .and_then(|f| hex(&f.raw));
    let ctx = Ctx {
        machine,
        syscall,
        a0: a0.unwrap_or(0),
        a1: a1.unwrap_or(0),
        cwd: None,
        enriched: None,
        names: Accounts::empty(),
        escape: EscapeMode::Tty,
    };
    for f in fields {
        let mut got = Vec::new();
        let v = f.raw.as_bytes();
        interpret(field_type(rtype, &f.name, v), &f.name, v, &ctx, &mut got);
        if got != f.want.as_bytes() {
            bad.push(format!(
                "type={rtype} {}={}: ref {:?}, ours {:?}",
                f.name,
                f.raw,
                f.want,
                String::from_utf8_lossy(&got)
            ));
        }
    }
    fields.len()
}

#[test]
fn auparse_test_ref() {
    let text = require!(std::fs::read_to_string(ref_path())
        .map_err(|e| format!("{} not readable (set AU309_REF): {e}", ref_path().display())));
    let (mut total, mut bad) = (0, Vec::new());
    let mut rtype = None;
    let mut fields = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if let Some(f) = rtype.and(parse_field(line)) {
            fields.push(f);
            continue;
        }
        // Header lines of a record ("    line=1 ...", "    event time: ...")
        // come before its fields.
        let header = line.starts_with("    ") && !line.trim_start().starts_with("record ");
        if header && fields.is_empty() {
            continue;
        }
        if let Some(t) = rtype.take() {
            total += check_record(t, &fields, &mut bad);
            fields.clear();
        }
        // "    record 1 of type 1300(SYSCALL) has 24 fields"
        if let Some(rest) = line.trim_start().strip_prefix("record ") {
            rtype = rest
                .split_once(" of type ")
                .and_then(|(_, t)| t.split('(').next())
                .and_then(|n| n.parse().ok())
                .map(RecordType);
        }
    }
    println!(
        "auparse_test.ref: {}/{total} fields match",
        total - bad.len()
    );
    for b in &bad {
        println!("MISMATCH {b}");
    }
    assert!(total > 300, "parsed too few fields ({total})");
    assert!(bad.is_empty(), "{} fields differ", bad.len());
}
