//! The report table against its parser: every flag parses in every
//! spelling, with the arity the table says, and changes what was asked;
//! every option of the real aureport is in the table.

use std::ffi::OsString;

use super::report::REPORT;
use super::{Id, Value};
use crate::report_args::{parse, ReportArgs};

/// A valid value for a flag that takes one.
fn sample(id: Id) -> Option<&'static str> {
    Some(match id {
        Id::Input => "x.log",
        Id::Start => "today",
        Id::End => "now",
        Id::EoeTimeout => "3",
        Id::Threads => "2",
        Id::MaxLine => "4096",
        Id::Node => "node1",
        Id::Escape => "shell",
        Id::Format => "json",
        Id::Html => "r.html",
        Id::Store => "store",
        Id::ClickHouse => "http://127.0.0.1:8123",
        Id::NoiseRules => "audit.rules",
        Id::Profile => "cis-debian12",
        Id::NoiseTop => "5",
        Id::NoiseMinShare => "2",
        Id::NoiseDetectRules => "rules/",
        _ => return None,
    })
}

fn parsed(v: &[&str]) -> Result<String, String> {
    let w: Vec<OsString> = v.iter().map(OsString::from).collect();
    parse(&w).map(|a| format!("{a:?}")).map_err(|e| e.0)
}

#[test]
fn every_report_flag_parses() {
    let empty = format!("{:?}", ReportArgs::default());
    for f in REPORT.flags() {
        for name in f.names() {
            match (f.value, sample(f.id)) {
                (Value::None, None) => {
                    let got = parsed(&[name]).unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_ne!(got, empty, "{name} changed nothing");
                }
                (Value::Required(_), Some(v)) => {
                    assert!(parsed(&[name]).is_err(), "{name} parsed without its value");
                    let got = parsed(&[name, v]).unwrap_or_else(|e| panic!("{name} {v}: {e}"));
                    assert_ne!(got, empty, "{name} {v} changed nothing");
                }
                (v, s) => panic!("{name}: table says {v:?}, sample {s:?}"),
            }
        }
    }
}

/// aureport's rules: one report, and the reports that once took a value
/// refuse one.
#[test]
fn aureport_rules() {
    assert_eq!(
        parsed(&["-x", "-u"]),
        Err("Error - only one report can be specified".into())
    );
    assert_eq!(parsed(&["-x", "foo"]), Err("Unimplemented option".into()));
    assert_eq!(
        parsed(&["-a", "foo"]),
        Err("foo is an unsupported option".into())
    );
    assert_eq!(
        parsed(&["-i", "x"]),
        Err("Argument is NOT required for -i".into())
    );
    assert!(parsed(&["-x", "--summary", "--failed", "-if", "f"]).is_ok());
}

/// Every option real aureport lists in its usage is in the table.
#[test]
fn every_aureport_option_is_in_the_table() {
    let path = auditkit_testsupport::require!(tool "aureport");
    let out = std::process::Command::new(path)
        .arg("--help")
        .output()
        .expect("run aureport --help");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut seen = 0;
    for line in text.lines().filter(|l| l.starts_with('\t')) {
        let first = line
            .trim_start()
            .split(['\t', ' ', '<', '['])
            .next()
            .unwrap_or("");
        for opt in first.split(',').filter(|o| o.starts_with('-')) {
            assert!(
                REPORT.lookup(opt).is_some(),
                "aureport's {opt} is not in the table"
            );
            seen += 1;
        }
    }
    assert!(
        seen > 40,
        "read only {seen} options from aureport --help:\n{text}"
    );
}
