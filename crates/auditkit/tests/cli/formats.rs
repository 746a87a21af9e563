//! Output formats against the reference: `auditkit search --format
//! raw|default|interpret` must print byte for byte what the real ausearch
//! 3.0.9 prints on the same file, for every log of the shared corpus and
//! the logs generated with real auditd in `examples/`. JSON is checked for
//! validity, completeness and the argument reassembly it promises.

use std::path::{Path, PathBuf};

use auditkit_testsupport::fs::{without_comments, TempDir};
use auditkit_testsupport::paths::{self, corpus_path, root_path};
use auditkit_testsupport::run::Run;

/// The corpus logs and the examples.
fn corpus_logs() -> Vec<PathBuf> {
    let mut out = paths::corpus_logs();
    out.extend(paths::example_logs());
    out.sort();
    out
}

#[test]
fn ausearch_formats_are_byte_identical() {
    require!(tool "ausearch");
    require!(corpus);
    let tmp = TempDir::new("formats");
    let mut compared = 0;
    let mut failures = Vec::new();
    for log in corpus_logs() {
        let name = format!("nc-{}", log.file_name().unwrap().to_string_lossy());
        let for_ausearch = without_comments(&log, &tmp, &name);
        for format in ["raw", "default", "interpret"] {
            let want = Run::new("ausearch")
                .args(["--format", format, "-if"])
                .arg(&for_ausearch)
                .output();
            let got = auditkit!("search", "--format", format, "-if", &log).output();
            compared += 1;
            if want.stdout != got.stdout || want.status.code() != got.status.code() {
                failures.push(format!("{format} {}", log.display()));
            }
        }
    }
    eprintln!("{compared} comparisons, {} different", failures.len());
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}

fn json_events(log: &Path) -> Vec<serde_json::Value> {
    let out = auditkit!("search", "--format", "json", "-if", log).output();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn json_is_valid_and_has_every_event() {
    require!(corpus);
    for log in corpus_logs() {
        let events = json_events(&log);
        let default = auditkit!("search", "--format", "default", "-if", &log).output();
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
    require!(corpus);
    let log = corpus_path("logs/laurel/src/testdata/record-execve-long.txt");
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
    let events = json_events(&root_path("examples/raw.log"));
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
        let log = root_path(name);
        let out = auditkit!(
            "search",
            "--all-events",
            "--format",
            "json",
            "--json-with-lines",
            "-if",
            &log
        )
        .output();
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
