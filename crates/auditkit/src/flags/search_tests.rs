//! The search table against its parser: every flag in the table parses,
//! with the arity the table says, in every spelling, and changes what was
//! asked; every word the parser takes is in the table; every option of the
//! real ausearch is in the table.

use std::ffi::OsString;

use super::search::SEARCH;
use super::{Flag, Id, Value};
use crate::search_args::{parse_words, SearchArgs};

/// Options a flag needs before it (context), and a valid value for it
/// (`None` for a switch). A flag of the search table without an entry
/// here fails [`every_search_flag_parses`].
fn sample(id: Id) -> Option<(&'static [&'static str], Option<&'static str>)> {
    const NONE: &[&str] = &[];
    const CSV: &[&str] = &["--format", "csv"];
    let v = |s| Some((NONE, Some(s)));
    let sw = Some((NONE, None));
    match id {
        Id::Input => v("x.log"),
        Id::Store => v("/var/lib/auditkit/collect"),
        Id::ClickHouse => v("http://127.0.0.1:8123/?database=fleet"),
        Id::Start => v("today"),
        Id::End => v("now"),
        Id::EoeTimeout => v("3"),
        Id::Threads => v("2"),
        Id::MaxLine => v("4096"),
        Id::Event => v("42"),
        Id::Arch => v("b64"),
        Id::Comm => v("bash"),
        Id::Exit => v("-EACCES"),
        Id::File => v("/etc"),
        Id::GidAll | Id::GidEffective | Id::Gid => v("7"),
        Id::UidAll | Id::UidEffective | Id::Uid => v("7"),
        Id::LoginUid => v("-1"),
        Id::Session => v("-1"),
        Id::HostName => v("host"),
        Id::Key => v("identity"),
        Id::Message => v("SYSCALL,1300"),
        Id::Node => v("node1"),
        Id::Object => v("obj_t"),
        Id::Subject => v("subj_t"),
        Id::Context => v("ctx_t"),
        Id::Pid | Id::Ppid => v("12"),
        Id::Syscall => v("execve"),
        Id::Success => v("no"),
        Id::Terminal => v("pts/0"),
        Id::Uuid => v("uuid"),
        Id::VmName => v("vm"),
        Id::Executable => v("/bin/sh"),
        Id::Where => v("-1 != auid"),
        Id::CountBy => v("exe"),
        Id::Format => v("json"),
        Id::Escape => v("shell"),
        Id::Passwd => v("/etc/passwd"),
        Id::Group => v("/etc/group"),
        Id::Checkpoint => v("/tmp/checkpoint"),
        Id::ExtraKeys | Id::ExtraLabels | Id::ExtraTime => Some((CSV, None)),
        Id::InputLogs
        | Id::Word
        | Id::People
        | Id::Daemons
        | Id::AsRootViaSudo
        | Id::Count
        | Id::AllEvents
        | Id::Follow
        | Id::JsonWithLines
        | Id::Raw
        | Id::Interpret
        | Id::ExtraObj2
        | Id::JustOne
        | Id::LineBuffered
        | Id::KeepUnparsed
        | Id::Debug
        | Id::Stats
        | Id::NoProgress
        | Id::Help
        | Id::Version => sw,
        _ => None,
    }
}

fn words(v: &[&str]) -> Vec<OsString> {
    v.iter().map(OsString::from).collect()
}

/// The parse as comparable text (`SearchArgs` holds no secrets and no
/// clock-dependent field other than the time bounds, which are computed
/// from the same environment within one test).
fn parsed(v: &[&str]) -> Result<String, String> {
    parse_words(&words(v))
        .map(|a| format!("{a:?}"))
        .map_err(|e| e.0)
}

/// Every flag of the table, in each spelling, parses with a valid value,
/// takes exactly the words the table says, and changes the parse (a
/// handler that does nothing is a bug too).
#[test]
fn every_search_flag_parses() {
    let empty = format!("{:?}", SearchArgs::default());
    for f in SEARCH.flags() {
        let Some((context, value)) = sample(f.id) else {
            panic!("{}: no sample value, so untested", f.long);
        };
        let before = parsed(context).unwrap_or_else(|e| panic!("{context:?}: {e}"));
        for name in f.names() {
            let mut args = context.to_vec();
            args.push(name);
            match (f.value, value) {
                (Value::None, None) => {
                    let got = parsed(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
                    assert_ne!(got, before, "{args:?} changed nothing");
                    // A switch takes no value: the next word is refused.
                    args.push("stray");
                    assert!(parsed(&args).is_err(), "{args:?} took a value");
                }
                (Value::Required(_) | Value::Dash(_), Some(val)) => {
                    assert!(parsed(&args).is_err(), "{args:?} parsed without its value");
                    let mut with = args.clone();
                    with.push(val);
                    let got = parsed(&with).unwrap_or_else(|e| panic!("{with:?}: {e}"));
                    assert_ne!(got, before, "{with:?} changed nothing");
                    assert_ne!(got, empty, "{with:?} changed nothing");
                    if let Value::Dash(_) = f.value {
                        assert!(val.starts_with('-'), "{}: sample must start with -", f.long);
                    } else {
                        // ausearch's rule: a word that starts with '-' is
                        // the next option, not a value.
                        let mut dash = args.clone();
                        dash.push("-w");
                        assert!(parsed(&dash).is_err(), "{dash:?} took -w as value");
                    }
                    if name.starts_with("--") {
                        let inline = format!("{name}={val}");
                        let mut i = context.to_vec();
                        i.push(&inline);
                        assert_eq!(parsed(&i), Ok(got.clone()), "{inline}");
                    }
                }
                (v, s) => panic!("{}: table says {v:?}, sample {s:?}", f.long),
            }
        }
    }
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
    let out = std::process::Command::new(path)
        .arg("--help")
        .output()
        .expect("run ausearch --help");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen = 0;
    for line in text.lines().filter(|l| l.starts_with('\t')) {
        let first = line
            .trim_start()
            .split(['\t', ' ', '<', '['])
            .next()
            .unwrap_or("");
        for opt in first.split(',').filter(|o| o.starts_with('-')) {
            // ausearch's usage misspells --escape as -escape.
            let opt = if opt == "-escape" { "--escape" } else { opt };
            assert!(
                SEARCH.lookup(opt).is_some(),
                "ausearch's {opt} is not in the table"
            );
            seen += 1;
        }
    }
    assert!(
        seen > 60,
        "read only {seen} options from ausearch --help:\n{text}"
    );
}

/// `-h` is looked up like any flag (the help is not special-cased).
#[test]
fn help_is_a_flag() {
    let f: &Flag = SEARCH.lookup("-h").expect("-h");
    assert_eq!(f.id, Id::Help);
    assert_eq!(SEARCH.lookup("--follow").map(|f| f.id), Some(Id::Follow));
}
