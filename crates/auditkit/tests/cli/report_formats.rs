//! `auditkit report --format json|csv` and `--by-node` against the text
//! layout (which the aureport oracle tests pin): on every log and every
//! report, the JSON and CSV rows are the text's lines, value for value
//! where the text prints a value as it is.

use std::path::Path;

use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths::root_path;

use crate::aureport_parity::clean_logs;
use crate::report_golden::REPORTS;

fn run(args: &[&str], log: &Path) -> (i32, String) {
    let o = auditkit!("report").args(args).arg("-if").arg(log).output();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// The numbered lines of a text list report, without their numbers.
fn text_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let (n, rest) = l.split_once(". ")?;
            n.parse::<u32>().ok().map(|_| rest.to_string())
        })
        .collect()
}

/// A CSV line's fields (quotes as the writer makes them).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', true) => quoted = false,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().unwrap().push(c),
        }
    }
    out
}

fn logs(dir: &TempDir) -> Vec<std::path::PathBuf> {
    let mut v = clean_logs(dir);
    v.push(root_path("examples/node.log"));
    v
}

#[test]
fn json_and_csv_rows_are_the_text_lines() {
    require!(corpus);
    let dir = TempDir::new("report-formats");
    let mut checked = 0;
    for log in logs(&dir) {
        for r in REPORTS.iter().filter(|r| !r.is_empty() && **r != "-t") {
            let (tc, text) = run(&[r], &log);
            let (jc, json) = run(&[r, "--format", "json"], &log);
            let (cc, csv) = run(&[r, "--format", "csv"], &log);
            assert_eq!((tc, jc), (tc, cc), "{r} {}: exit statuses", log.display());
            let lines = text_lines(&text);
            let rows: Vec<serde_json::Value> = json
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
                .collect();
            let csv: Vec<&str> = csv.lines().collect();
            assert_eq!(lines.len(), rows.len(), "{r} {}: JSON rows", log.display());
            assert_eq!(
                lines.len() + 1,
                csv.len(),
                "{r} {}: CSV rows",
                log.display()
            );
            let header = csv_fields(csv[0]);
            for (i, ((line, row), c)) in lines.iter().zip(&rows).zip(&csv[1..]).enumerate() {
                let obj = row.as_object().expect("object");
                assert_eq!(obj["n"], i as u64 + 1, "{r}: {line}");
                // The keys are the header's.
                let mut keys: Vec<&String> = obj.keys().collect();
                let mut cols: Vec<&String> = header.iter().collect();
                keys.sort();
                cols.sort();
                assert_eq!(keys, cols, "{r}: JSON keys and CSV header");
                let fields = csv_fields(c);
                assert_eq!(fields.len(), header.len(), "{r}: {c}");
                // The date and time lead every text line; the serial ends
                // it (third for -e, and --tty has none at the end).
                let words: Vec<&str> = line.split(' ').collect();
                assert_eq!(obj["date"], words[0], "{r}: {line}");
                assert_eq!(obj["time"], words[1], "{r}: {line}");
                if *r != "--tty" && *r != "-e" {
                    assert_eq!(
                        obj["event"].to_string(),
                        *words.last().unwrap(),
                        "{r}: {line}"
                    );
                }
                // Where the text has a value (not ? or (null)) and needs no
                // escaping, JSON and CSV have it too, in the same place.
                if words.len() == header.len() - 1 {
                    for (k, w) in header[1..].iter().zip(&words) {
                        if *w == "?" || *w == "(null)" || w.contains('\\') {
                            continue;
                        }
                        let j = match &obj[k.as_str()] {
                            serde_json::Value::String(s) => s.clone(),
                            v => v.to_string(),
                        };
                        assert_eq!(&j, w, "{r} {k}: {line}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "only {checked} rows compared");
}

/// The summary report's counter names as docs/report.md documents them
/// (the text's lines in order): the oracle of the JSON names, written
/// apart from the code that makes them.
fn summary_keys() -> Vec<String> {
    let doc = std::fs::read_to_string(root_path("docs/report.md")).expect("docs/report.md");
    let para = doc
        .split("\n\n")
        .find(|p| p.starts_with("**The summary report**"))
        .expect("the summary report's paragraph");
    let counters = para
        .split_once(", then")
        .expect("'then' before the counters")
        .1;
    counters
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The summary and the summary forms: the same numbers in the three
/// formats, and `--by-node` totals add up to the whole.
#[test]
fn summaries_agree_across_formats_and_nodes() {
    require!(corpus);
    let dir = TempDir::new("report-summaries");
    let keys = summary_keys();
    assert_eq!(keys.len(), 23, "{keys:?}");
    for log in logs(&dir) {
        let (_, text) = run(&[], &log);
        let (_, json) = run(&["--format", "json"], &log);
        let j: serde_json::Value = serde_json::from_str(json.trim()).expect("json");
        let counts: Vec<u64> = text
            .lines()
            .filter(|l| l.starts_with("Number of "))
            .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
            .collect();
        let obj = j.as_object().unwrap();
        let js: Vec<u64> = keys.iter().map(|k| obj[k].as_u64().expect(k)).collect();
        assert_eq!(counts, js, "{}", log.display());
        // Per node: the events add up.
        let (_, by) = run(&["--by-node", "--format", "json"], &log);
        let total: u64 = by
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["events"]
                    .as_u64()
                    .unwrap()
            })
            .sum();
        assert_eq!(Some(total), obj["events"].as_u64(), "{}", log.display());
        for r in ["-x", "-k", "-e", "-u", "-s"] {
            let (_, text) = run(&[r, "--summary"], &log);
            let (_, json) = run(&[r, "--summary", "--format", "json"], &log);
            let (_, by) = run(&[r, "--summary", "--by-node", "--format", "json"], &log);
            let t: Vec<u64> = text
                .lines()
                .filter_map(|l| l.split_once("  ")?.0.parse().ok())
                .collect();
            let totals = |s: &str| -> Vec<u64> {
                s.lines()
                    .map(|l| {
                        serde_json::from_str::<serde_json::Value>(l).unwrap()["total"]
                            .as_u64()
                            .unwrap()
                    })
                    .collect()
            };
            assert_eq!(t, totals(&json), "{r} {}", log.display());
            assert_eq!(
                t.iter().sum::<u64>(),
                totals(&by).iter().sum::<u64>(),
                "{r} --by-node {}",
                log.display()
            );
        }
    }
}
