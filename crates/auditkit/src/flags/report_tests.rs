//! The report table against its parser: every flag parses in every
//! spelling, with the arity the table says, and changes what was asked
//! ([`test_support`]);
//! every option of the real aureport is in the table.

use super::report::REPORT;
use super::test_support::{reference_options, words, FlagCheck};
use super::Id;
use crate::report_args::parse;

/// A valid value for a flag of report's own that takes one (the shared
/// flags' are [`super::test_support::shared_sample`]).
fn sample(id: Id) -> Option<&'static str> {
    Some(match id {
        Id::Format => "json",
        Id::Html => "r.html",
        Id::NoiseRules => "audit.rules",
        Id::Profile => "cis-debian12",
        Id::NoiseTop => "5",
        Id::NoiseMinShare => "2",
        Id::NoiseDetectRules => "rules/",
        _ => return None,
    })
}

fn parsed(v: &[&str]) -> Result<String, String> {
    parse(&words(v)).map(|a| format!("{a:?}")).map_err(|e| e.0)
}

#[test]
fn every_report_flag_parses() {
    FlagCheck {
        table: &REPORT,
        parse: &|w| parse(w).map_err(|e| e.0),
        sample: &sample,
        context: &|_| &[],
        ausearch_words: true,
        unseen: &[],
        check: &|_, _, _| {},
    }
    .every_flag_parses();
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
    let opts = reference_options(&path);
    for opt in &opts {
        assert!(
            REPORT.lookup(opt).is_some(),
            "aureport's {opt} is not in the table"
        );
    }
    assert!(
        opts.len() > 40,
        "read only {} options from aureport --help",
        opts.len()
    );
}
