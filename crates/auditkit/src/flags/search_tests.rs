//! The search table against its parser: every flag in the table parses,
//! with the arity the table says, in every spelling, and changes what was
//! asked; every word the parser takes is in the table; every option of the
//! real ausearch is in the table.

use super::search::SEARCH;
use super::test_support::{reference_options, words, FlagCheck};
use super::{Flag, Id};
use crate::search_args::parse_words;

/// A valid value for a flag of search's own that takes one (the shared
/// flags' are [`super::test_support::shared_sample`]).
fn sample(id: Id) -> Option<&'static str> {
    Some(match id {
        Id::Event => "42",
        Id::Arch => "b64",
        Id::Comm => "bash",
        Id::Exit => "-EACCES",
        Id::File => "/etc",
        Id::GidAll | Id::GidEffective | Id::Gid => "7",
        Id::UidAll | Id::UidEffective | Id::Uid => "7",
        Id::LoginUid => "-1",
        Id::Session => "-1",
        Id::HostName => "host",
        Id::Key => "identity",
        Id::Message => "SYSCALL,1300",
        Id::Object => "obj_t",
        Id::Subject => "subj_t",
        Id::Context => "ctx_t",
        Id::Pid | Id::Ppid => "12",
        Id::Syscall => "execve",
        Id::Success => "no",
        Id::Terminal => "pts/0",
        Id::Uuid => "uuid",
        Id::VmName => "vm",
        Id::Executable => "/bin/sh",
        Id::Where => "-1 != auid",
        Id::CountBy => "exe",
        Id::Format => "json",
        Id::Checkpoint => "/tmp/checkpoint",
        _ => return None,
    })
}

/// The options a flag needs before it.
fn context(id: Id) -> &'static [&'static str] {
    match id {
        Id::ExtraKeys | Id::ExtraLabels | Id::ExtraTime => &["--format", "csv"],
        _ => &[],
    }
}

/// The parse as comparable text.
fn parsed(v: &[&str]) -> Result<String, String> {
    parse_words(&words(v))
        .map(|a| format!("{a:?}"))
        .map_err(|e| e.0)
}

/// Every flag of the table, in each spelling, parses with a valid value,
/// takes exactly the words the table says, and changes the parse.
#[test]
fn every_search_flag_parses() {
    FlagCheck {
        table: &SEARCH,
        parse: &|w| parse_words(w).map_err(|e| e.0),
        sample: &sample,
        context: &context,
        ausearch_words: true,
        unseen: &[],
        check: &|_, _, _| {},
    }
    .every_flag_parses();
}

/// The parser takes no word that is not in the table: near misses of
/// every spelling are refused with ausearch's message.
#[test]
fn words_not_in_the_table_are_refused() {
    for f in SEARCH.flags() {
        for name in f.names() {
            for bad in [format!("{name}x"), name.to_uppercase(), format!("-{name}")] {
                if SEARCH.lookup(&bad).is_some() {
                    continue;
                }
                assert_eq!(
                    parsed(&[bad.as_str()]),
                    Err(format!("{bad} is an unsupported option")),
                    "{bad}"
                );
            }
        }
    }
}

/// Every option real ausearch lists in its usage is in the table (and so
/// in `--help`, the man page and the completions).
#[test]
fn every_ausearch_option_is_in_the_table() {
    let path = auditkit_testsupport::require!(tool "ausearch");
    let opts = reference_options(&path);
    for opt in &opts {
        // ausearch's usage misspells --escape as -escape.
        let opt = if opt == "-escape" { "--escape" } else { opt };
        assert!(
            SEARCH.lookup(opt).is_some(),
            "ausearch's {opt} is not in the table"
        );
    }
    assert!(
        opts.len() > 60,
        "read only {} options from ausearch --help",
        opts.len()
    );
}

/// `-h` is looked up like any flag (the help is not special-cased).
#[test]
fn help_is_a_flag() {
    let f: &Flag = SEARCH.lookup("-h").expect("-h");
    assert_eq!(f.id, Id::Help);
    assert_eq!(SEARCH.lookup("--follow").map(|f| f.id), Some(Id::Follow));
}
