//! The strongest check we have: for every field of every record in the
//! shared corpus, libauparse 3.0.9 itself (through its Python bindings,
//! Debian package python3-audit) says what the interpretation is, and
//! `field_type` + `interpret` must produce the same bytes.
//!
//! Skips (with a message) when /usr/bin/python3 cannot import auparse.

use std::path::{Path, PathBuf};
use std::process::Command;

use auditkit_interp::{field_type, interpret, Ctx, EscapeMode, Machine, PasswdDb};

const PYTHON: &str = "/usr/bin/python3";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/logs")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_none_or(|x| x != "md") {
            out.push(p);
        }
    }
}

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

/// glibc strtoul (enough for the positional fields auparse reads).
fn strtoul(v: &[u8], base: u32) -> Option<u64> {
    let s = std::str::from_utf8(v).ok()?;
    let digits: String = s.chars().take_while(|c| c.is_digit(base)).collect();
    if digits.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(&digits, base).ok()
}

fn have_auparse() -> bool {
    Command::new(PYTHON)
        .args(["-c", "import auparse"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_corpus_field_matches_auparse() {
    if !have_auparse() {
        eprintln!("SKIP: {PYTHON} cannot import auparse (apt-get install python3-audit)");
        return;
    }
    let mut paths = Vec::new();
    files(&corpus(), &mut paths);
    paths.sort();
    assert!(!paths.is_empty(), "no corpus at {}", corpus().display());
    let out = Command::new(PYTHON)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/auparse_oracle.py"))
        .args(&paths)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .output()
        .expect("run oracle");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = PasswdDb::parse(
        &std::fs::read("/etc/passwd").unwrap_or_default(),
        &std::fs::read("/etc/group").unwrap_or_default(),
    );
    let text = String::from_utf8(out.stdout).expect("hex output");
    let (mut total, mut matched) = (0usize, 0usize);
    let mut bad = Vec::new();
    for line in text.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), 10, "{line}");
        let rtype: u32 = c[1].parse().unwrap_or(0);
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
        let want = unhex(c[9]);
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
        if want.as_deref() == Some(&got[..]) {
            matched += 1;
        } else {
            bad.push(format!(
                "{}: type={rtype} {name}={} -> auparse {:?}, ours {:?}",
                String::from_utf8_lossy(&unhex(c[0]).unwrap_or_default()),
                String::from_utf8_lossy(&value),
                want.as_deref().map(String::from_utf8_lossy),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    println!("auparse oracle: {matched}/{total} fields match");
    for b in bad.iter().take(60) {
        println!("MISMATCH {b}");
    }
    assert!(total > 1000, "too few fields ({total})");
    assert!(bad.is_empty(), "{} of {total} fields differ", bad.len());
}
