//! The strongest check we have: for every field of every record in the
//! shared corpus, libauparse 3.0.9 itself (through its Python bindings,
//! Debian package python3-audit) says what the interpretation is, and
//! `field_type` + `interpret` must produce the same bytes.
//!
//! Skips (with a message) when /usr/bin/python3 cannot import auparse or
//! the corpus is missing (a failure under `AUDITKIT_REQUIRE_ORACLES=1`).

use std::path::{Path, PathBuf};
use std::process::Command;

use auditkit_interp::{field_type, interpret, Ctx, EscapeMode, Machine, RecordType};
use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::need::PYTHON;
use auditkit_testsupport::{paths, require};

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s == "-" {
        return None;
    }
    Some(
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("oracle hex"))
            .collect(),
    )
}

/// glibc strtoul (enough for the positional fields auparse reads: blanks,
/// sign, digits; `None` on overflow).
fn strtoul(v: &[u8], base: u32) -> Option<u64> {
    let s = std::str::from_utf8(v).ok()?.trim_start();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits: String = s.chars().take_while(|c| c.is_digit(base)).collect();
    if digits.is_empty() {
        return Some(0);
    }
    let n = u64::from_str_radix(&digits, base).ok()?;
    Some(if neg { n.wrapping_neg() } else { n })
}

/// Run the oracle over `paths` and compare every field. Returns
/// (fields compared, descriptions of mismatches), or None when the oracle
/// is unavailable.
fn compare(paths: &[PathBuf]) -> Option<(usize, Vec<String>)> {
    require!(python "auparse", None);
    let out = Command::new(PYTHON)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/auparse_oracle.py"))
        .args(paths)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .output()
        .expect("run oracle");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = auditkit_host::HostPaths::this_host()
        .accounts()
        .unwrap_or_default();
    let text = String::from_utf8(out.stdout).expect("hex output");
    let mut total = 0usize;
    let mut bad = Vec::new();
    let mut file = String::new();
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("F\t") {
            file = String::from_utf8_lossy(&unhex(p).unwrap_or_default()).into_owned();
            continue;
        }
        // Same column numbers as the script's doc, the file column being
        // the "F" line above.
        let c: Vec<&str> = std::iter::once("").chain(line.split('\t')).collect();
        assert_eq!(c.len(), 10, "{line}");
        let rtype = RecordType(c[1].parse().unwrap_or(0));
        let arch = unhex(c[2]);
        let machine = arch
            .as_deref()
            .and_then(|a| strtoul(a, 16))
            .and_then(|v| Machine::from_elf(v as u32));
        let syscall = unhex(c[3]).map(|s| strtoul(&s, 10).map_or(u32::MAX, |v| v as u32));
        let a0 = unhex(c[4]).map_or(0, |s| strtoul(&s, 16).unwrap_or(u64::MAX));
        let a1 = unhex(c[5]).map_or(0, |s| strtoul(&s, 16).unwrap_or(u64::MAX));
        let name = String::from_utf8(unhex(c[6]).unwrap_or_default()).unwrap_or_default();
        let value = unhex(c[7]).unwrap_or_default();
        let tail = unhex(c[8]);
        if c[9] == "!" {
            continue; // not valid UTF-8: the bindings cannot return it
        }
        // auparse returning NULL is printed by ausearch as "(null)".
        let want = unhex(c[9]).or_else(|| Some(b"(null)".to_vec()));
        let ctx = Ctx {
            machine,
            syscall: syscall.filter(|&s| s != u32::MAX),
            a0,
            a1,
            cwd: None,
            enriched: tail.as_deref(),
            names: &db,
            escape: EscapeMode::Tty,
        };
        let mut got = Vec::new();
        interpret(
            field_type(rtype, &name, &value),
            &name,
            &value,
            &ctx,
            &mut got,
        );
        total += 1;
        if want.as_deref() != Some(&got[..]) {
            bad.push(format!(
                "{file}: type={rtype} arch={:?} {name}={} -> auparse {:?}, ours {:?}",
                arch.as_deref().map(String::from_utf8_lossy),
                String::from_utf8_lossy(&value),
                want.as_deref().map(String::from_utf8_lossy),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    Some((total, bad))
}

fn report(what: &str, total: usize, bad: &[String], min: usize) {
    println!(
        "auparse oracle ({what}): {}/{total} fields match",
        total - bad.len()
    );
    for b in bad.iter().take(60) {
        println!("MISMATCH {b}");
    }
    assert!(total > min, "too few fields ({total})");
    assert!(bad.is_empty(), "{} of {total} fields differ", bad.len());
}

#[test]
fn every_corpus_field_matches_auparse() {
    let corpus = require!(corpus).join("logs");
    let paths = paths::corpus_logs();
    assert!(!paths.is_empty(), "no corpus at {}", corpus.display());
    if let Some((total, bad)) = compare(&paths) {
        report("corpus", total, &bad, 1000);
    }
}

/// Values that exercise conversions, sentinels and table edges.
const ODD_VALUES: &[&str] = &[
    "0",
    "1",
    "2",
    "7",
    "9",
    "17",
    "31",
    "32",
    "40",
    "63",
    "100",
    "255",
    "256",
    "1000",
    "4294967295",
    "4294967294",
    "-1",
    "-13",
    "-200",
    "ff",
    "FFFF",
    "7fff0000",
    "80000000",
    "c000003e",
    "40000003",
    "c00000f3",
    "0100644",
    "040755",
    "0104755",
    "01777",
    "0170000",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    "0x10",
    "+5",
    "zz",
    "?",
    "(null)",
    "(none)",
    "\"quoted\"",
    "\"unterminated",
    "41424344",
    "410A42",
    "414",
    "00414243",
    "2F62696E2F7368002D63",
    "6C7300",
    "1B5B41",
    "6C730D7F",
    "A",
    "success",
    "yes",
    "failed",
    "a,b",
    "u:r:t:s0:c1,c2",
];

/// Hex sockaddrs of every family auparse formats, plus short/odd ones.
const SOCKADDRS: &[&str] = &[
    "02000050C0A800010000000000000000",
    "0200",
    "020000",
    "01002F746D702F78",
    "0100006162",
    "0100",
    "0A000016000000000000000000000000000000000000000100000000",
    "0A0000160000000000000000000000000000FFFF0A0000010000000000",
    // Link-local with a scope id no interface has (glibc then prints the
    // number; with a real interface it prints its name, which we cannot).
    "0A00001600000000FE8000000000000000000000000000017F0000000",
    "0A00001600000000FE800000000000000000000000000001000000000",
    "0A000016",
    "100000000000000000000000",
    "1000000001000000",
    "1000",
    "03004142434445464700",
    "0300",
    "08000000050000000000",
    "09003132333435",
    "1100",
    "FF00",
    "2A00",
    "X",
    "",
    "1",
    "0",
    "00",
    "2C000000",
];

/// Argument values that hit the a0..a3 decoders' branches.
const ARGS: &[[&str; 4]] = &[
    ["ffffff9c", "241", "1b6", "22"],
    ["2", "1", "3", "2"],
    ["17", "8", "1", "802"],
    ["3", "29", "80002", "4000"],
    ["0", "0", "0", "0"],
    ["18", "2", "6", "4"],
    ["4", "6", "29", "1"],
    ["ffffffffffffff9c", "c0ffee", "1c0", "ffffffff"],
    ["1200011", "29", "f", "7"],
    ["5401", "40", "3f", "8"],
];

fn synthetic_log() -> String {
    let mut s = String::new();
    let mut serial = 0u32;
    let mut rec = |s: &mut String, body: &str| {
        serial += 1;
        s.push_str(&format!("type={body}\n").replacen(
            ' ',
            &format!(" msg=audit(1.000:{serial}): "),
            1,
        ));
    };
    // Every syscall of every machine with each argument set.
    // (ppc64le, s390, ppc and RISC-V share names or tables with these.)
    let machines = [
        Machine::X86_64,
        Machine::I386,
        Machine::Aarch64,
        Machine::Arm,
        Machine::Ppc64,
        Machine::S390x,
        Machine::Riscv64,
    ];
    for m in machines {
        for (nr, _) in auditkit_interp::syscalls(m) {
            for a in ARGS {
                rec(
                    &mut s,
                    &format!(
                        "SYSCALL arch={:x} syscall={nr} success=no exit=-{} a0={} a1={} a2={} a3={}",
                        m.elf(),
                        nr % 140,
                        a[0],
                        a[1],
                        a[2],
                        a[3]
                    ),
                );
            }
        }
    }
    // Every field auparse knows (and a few it does not) with odd values,
    // in record types whose rules differ.
    let names = [
        "auid",
        "uid",
        "gid",
        "id",
        "syscall",
        "arch",
        "exit",
        "path",
        "comm",
        "exe",
        "name",
        "cwd",
        "acct",
        "key",
        "perm",
        "perm_mask",
        "mode",
        "saddr",
        "flags",
        "prom",
        "old_prom",
        "capability",
        "res",
        "result",
        "a0",
        "a1",
        "a2",
        "a3",
        "argc",
        "a1_len",
        "sig",
        "list",
        "data",
        "ses",
        "cap_pi",
        "cap_fp",
        "fp",
        "fi",
        "new_pe",
        "family",
        "icmptype",
        "proto",
        "addr",
        "apparmor",
        "per",
        "code",
        "oflag",
        "sigev_signo",
        "subj",
        "obj",
        "proctitle",
        "grp",
        "hook",
        "action",
        "macproto",
        "ioctlcmd",
        "resp",
        "nl-mcgrp",
        "resolve",
        "msg",
        "unknownfield",
        "success",
    ];
    // All names in one record type, then in the types with their own
    // rules only the names those rules are about.
    let special = [
        "msg", "fp", "name", "saddr", "flags", "mode", "id", "a0", "a1", "acct", "argc", "a1_len",
        "x",
    ];
    for rtype in [
        "CONFIG_CHANGE",
        "PATH",
        "EXECVE",
        "USER_TTY",
        "TRUSTED_APP",
        "ADD_GROUP",
        "MQ_OPEN",
        "CRYPTO_KEY_USER",
        "KERN_MODULE",
        "NETFILTER_PKT",
        "TTY",
        "AVC",
    ] {
        let list: &[&str] = if rtype == "CONFIG_CHANGE" {
            &names
        } else {
            &special
        };
        for n in list {
            for v in ODD_VALUES {
                rec(&mut s, &format!("{rtype} pid=1 {n}={v}"));
            }
        }
    }
    for sa in SOCKADDRS {
        rec(&mut s, &format!("SOCKADDR saddr={sa}"));
    }
    s
}

#[test]
fn synthetic_records_match_auparse() {
    let dir = TempDir::new("interp-oracle");
    let path = dir.join("synthetic.log");
    std::fs::write(&path, synthetic_log()).expect("write synthetic log");
    let res = compare(std::slice::from_ref(&path));
    if let Some((total, bad)) = res {
        report("synthetic", total, &bad, 100_000);
    }
}
