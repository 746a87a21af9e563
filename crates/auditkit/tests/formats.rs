//! Output formats against the reference: `auditkit search --format
//! raw|default|interpret` must print byte for byte what the real ausearch
//! 3.0.9 prints on the same file, for every log of the shared corpus and
//! the logs generated with real auditd in `examples/`. JSON is checked for
//! validity, completeness and the argument reassembly it promises.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus_logs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("../shared/corpus/logs")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "SOURCES.md") {
                out.push(p);
            }
        }
    }
    for name in ["raw.log", "enriched.log", "node.log"] {
        out.push(root().join("examples").join(name));
    }
    out.sort();
    out
}

fn auditkit() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_auditkit"));
    c.env("LC_ALL", "C").env("TZ", "UTC");
    c
}

fn have_ausearch() -> bool {
    Command::new("ausearch").arg("-v").output().is_ok()
}

/// ausearch reads `#` lines as (bogus) records; we read them as comments
/// (docs/differences.md). Give ausearch the file without them.
fn without_comments(p: &Path, dir: &Path) -> PathBuf {
    let data = std::fs::read(p).unwrap();
    let kept: Vec<u8> = data
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !l.starts_with(b"#"))
        .flatten()
        .copied()
        .collect();
    let out = dir.join(format!("nc-{}", p.file_name().unwrap().to_string_lossy()));
    std::fs::write(&out, kept).unwrap();
    out
}

#[test]
fn ausearch_formats_are_byte_identical() {
    if !have_ausearch() {
        eprintln!("SKIP: ausearch is not installed (apt-get install auditd)");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("auditkit-formats-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut compared = 0;
    let mut failures = Vec::new();
    for log in corpus_logs() {
        let for_ausearch = without_comments(&log, &tmp);
        for format in ["raw", "default", "interpret"] {
            let want = Command::new("ausearch")
                .env("LC_ALL", "C")
                .env("TZ", "UTC")
                .args(["--format", format, "-if"])
                .arg(&for_ausearch)
                .output()
                .unwrap();
            let got = auditkit()
                .args(["search", "--format", format, "-if"])
                .arg(&log)
                .output()
                .unwrap();
            compared += 1;
            if want.stdout != got.stdout || want.status.code() != got.status.code() {
                failures.push(format!("{format} {}", log.display()));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!("{compared} comparisons, {} different", failures.len());
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}

fn json_events(log: &Path) -> Vec<serde_json::Value> {
    let out = auditkit()
        .args(["search", "--format", "json", "-if"])
        .arg(log)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn json_is_valid_and_has_every_event() {
    for log in corpus_logs() {
        let events = json_events(&log);
        let default = auditkit()
            .args(["search", "--format", "default", "-if"])
            .arg(&log)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&default.stdout);
        let n = text.lines().filter(|l| *l == "----").count();
        let records = text
            .lines()
            .filter(|l| *l != "----" && !l.starts_with("time->"))
            .count();
        // Every record, and no more events than ausearch's: JSON groups
        // by id what ausearch splits (docs/differences.md).
        let json_records: usize = events
            .iter()
            .map(|e| e["records"].as_array().unwrap().len())
            .sum();
        assert_eq!(json_records, records, "{}", log.display());
        assert!(events.len() <= n, "{}", log.display());
        for e in &events {
            let id = e["id"].as_str().unwrap();
            let want = format!(
                "{}.{:03}:{}",
                e["sec"].as_u64().unwrap(),
                e["msec"].as_u64().unwrap(),
                e["serial"].as_u64().unwrap()
            );
            assert_eq!(id, want);
            assert!(!e["records"].as_array().unwrap().is_empty());
        }
    }
}

#[test]
fn json_reassembles_long_execve_arguments() {
    let log = root().join("../shared/corpus/logs/laurel/src/testdata/record-execve-long.txt");
    let events = json_events(&log);
    let execve = events
        .iter()
        .flat_map(|e| e["records"].as_array().unwrap())
        .find(|r| r["type"] == "EXECVE" && r.get("argv").is_some())
        .expect("an EXECVE record with argv");
    let argv = execve["argv"].as_array().unwrap();
    assert_eq!(argv[0], "/bin/echo");
    // The file holds chunks a1[0..2] of a 16384-byte argument (the rest was
    // cut from the sample): argv[1] is exactly their decoded concatenation.
    let text = std::fs::read_to_string(&log).unwrap();
    let mut want = Vec::new();
    for i in 0.. {
        let tag = format!(" a1[{i}]=");
        let Some(p) = text.find(&tag) else { break };
        let hex: String = text[p + tag.len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        for k in (0..hex.len()).step_by(2) {
            want.push(u8::from_str_radix(&hex[k..k + 2], 16).unwrap());
        }
    }
    assert!(want.len() > 8000);
    assert_eq!(argv[1].as_str().unwrap().as_bytes(), &want[..]);
}

#[test]
fn json_keeps_numbers_hex_and_keys_apart() {
    let events = json_events(&root().join("examples/raw.log"));
    let sys = events
        .iter()
        .flat_map(|e| e["records"].as_array().unwrap())
        .find(|r| r["type"] == "SYSCALL" && r["keys"][0] == "akgen-exec")
        .unwrap();
    assert!(sys["fields"]["pid"].is_u64());
    assert!(sys["fields"]["a0"].is_string(), "a0 is hex, not a number");
    assert_eq!(sys["interp"]["syscall"], "execve");
    // The rule with two keys.
    let multi = events
        .iter()
        .flat_map(|e| e["records"].as_array().unwrap())
        .find(|r| r["keys"].as_array().is_some_and(|k| k.len() == 2))
        .expect("a record with two keys");
    assert_eq!(multi["keys"][0], "akgen-del");
    assert_eq!(multi["keys"][1], "akgen-multi");
}

#[test]
fn json_with_lines_keeps_every_logged_line() {
    for name in ["examples/enriched.log", "examples/node.log"] {
        let log = root().join(name);
        let out = auditkit()
            .args([
                "search",
                "--all-events",
                "--format",
                "json",
                "--json-with-lines",
                "-if",
            ])
            .arg(&log)
            .output()
            .unwrap();
        let mut got = Vec::new();
        for l in String::from_utf8(out.stdout).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            for r in v["records"].as_array().unwrap() {
                got.push(r["line"].as_str().unwrap().to_string());
            }
        }
        // Every line of the file, each once (events reorder them).
        let text = std::fs::read_to_string(&log).unwrap();
        let mut want: Vec<String> = text.lines().map(str::to_string).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}");
    }
}
