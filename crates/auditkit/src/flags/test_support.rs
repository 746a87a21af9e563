//! The check every command's table gets against its parser: every flag
//! parses in every spelling, takes exactly the words the table says, and
//! changes what was asked (a handler that does nothing is a bug too).
//! One check for every table, so that a rule of the tables (a value is
//! inline with `--name=value` or the next word, a switch takes none) is
//! tested the same way everywhere; what differs between the commands'
//! parsers is a field of [`FlagCheck`].
//!
//! The sample values of the flags several commands share (the input and
//! time options, `--passwd`, `--rules`, ...) are [`shared_sample`]; a
//! command's own sampler names its own flags and the values that differ
//! (`--format` is `json` in search and report, `text` in detect).

use std::ffi::OsString;
use std::fmt::Debug;

use super::{Command, Flag, Id, Value};

/// The words of a test command line.
pub fn words(v: &[&str]) -> Vec<OsString> {
    v.iter().map(OsString::from).collect()
}

/// The options a reference tool (ausearch, aureport) lists in its usage:
/// the `-x,--long` words at the start of its tab-indented lines of
/// `--help` (stdout and stderr), as it spells them.
pub fn reference_options(tool: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new(tool)
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("run {} --help: {e}", tool.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut opts = Vec::new();
    for line in text.lines().filter(|l| l.starts_with('\t')) {
        let first = line
            .trim_start()
            .split(['\t', ' ', '<', '['])
            .next()
            .unwrap_or("");
        opts.extend(
            first
                .split(',')
                .filter(|o| o.starts_with('-'))
                .map(str::to_string),
        );
    }
    opts
}

/// A valid value for the flags that several commands share.
pub fn shared_sample(id: Id) -> Option<&'static str> {
    Some(match id {
        Id::Input => "x.log",
        Id::Start => "today",
        Id::End => "now",
        Id::EoeTimeout => "3",
        Id::Threads => "2",
        Id::MaxLine => "4096",
        Id::Store => "store",
        Id::ClickHouse => "http://127.0.0.1:8123",
        Id::Node => "node1",
        Id::Escape => "shell",
        Id::Passwd => "/etc/passwd",
        Id::Group => "/etc/group",
        Id::Rules => "rules/",
        Id::MinLevel => "high",
        Id::State => "/tmp/tree.state",
        _ => return None,
    })
}

/// How one command's parser is held to its table.
pub struct FlagCheck<'a, A> {
    /// The table.
    pub table: &'a Command,
    /// The parser, its error as text.
    pub parse: &'a dyn Fn(&[OsString]) -> Result<A, String>,
    /// A valid value for the command's own flags that take one (`None`
    /// for a switch); [`shared_sample`] answers for the rest.
    pub sample: &'a dyn Fn(Id) -> Option<&'static str>,
    /// Words a flag needs before it (search's `--extra-keys` needs
    /// `--format csv`).
    pub context: &'a dyn Fn(Id) -> &'static [&'static str],
    /// ausearch's word rules (search, report): a switch refuses a word
    /// after it, and a value never starts with `-` (but for the flags of
    /// [`Value::Dash`], whose sample must). Without them (detect,
    /// plugin) the next word is the value as it is, and a word after a
    /// switch is the command's (a log path).
    pub ausearch_words: bool,
    /// Flags whose effect the parse does not show (checked only).
    pub unseen: &'a [Id],
    /// A command's own check of each parse that took a value, given the
    /// flag and the words.
    pub check: &'a dyn Fn(&Flag, &[&str], &A),
}

impl<A: Debug> FlagCheck<'_, A> {
    /// The parse as comparable text (the arguments hold no secrets and
    /// no clock-dependent field other than the time bounds, which are
    /// computed from the same environment within one test).
    fn parsed(&self, v: &[&str]) -> Result<String, String> {
        (self.parse)(&words(v)).map(|a| format!("{a:?}"))
    }

    /// Run the check; panics at the first flag that fails it.
    pub fn every_flag_parses(&self) {
        let empty = self.parsed(&[]).unwrap_or_else(|e| panic!("no words: {e}"));
        for f in self.table.flags() {
            let context = (self.context)(f.id);
            let value = (self.sample)(f.id).or_else(|| shared_sample(f.id));
            let before = self
                .parsed(context)
                .unwrap_or_else(|e| panic!("{context:?}: {e}"));
            let seen = !self.unseen.contains(&f.id);
            for name in f.names() {
                let mut args = context.to_vec();
                args.push(name);
                match (f.value, value) {
                    (Value::None, None) => {
                        let got = self
                            .parsed(&args)
                            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
                        if seen {
                            assert_ne!(got, before, "{args:?} changed nothing");
                        }
                        if self.ausearch_words {
                            // A switch takes no value: the next word is refused.
                            args.push("stray");
                            assert!(self.parsed(&args).is_err(), "{args:?} took a value");
                        }
                    }
                    (Value::Required(_) | Value::Dash(_), Some(val)) => {
                        assert!(
                            self.parsed(&args).is_err(),
                            "{args:?} parsed without its value"
                        );
                        let mut with = args.clone();
                        with.push(val);
                        let a =
                            (self.parse)(&words(&with)).unwrap_or_else(|e| panic!("{with:?}: {e}"));
                        (self.check)(f, &with, &a);
                        let got = format!("{a:?}");
                        if seen {
                            assert_ne!(got, before, "{with:?} changed nothing");
                            assert_ne!(got, empty, "{with:?} changed nothing");
                        }
                        if let Value::Dash(_) = f.value {
                            assert!(val.starts_with('-'), "{}: sample must start with -", f.long);
                        } else if self.ausearch_words {
                            // ausearch's rule: a word that starts with '-'
                            // is the next option, not a value.
                            let mut dash = args.clone();
                            dash.push("-w");
                            assert!(self.parsed(&dash).is_err(), "{dash:?} took -w as value");
                        }
                        if name.starts_with("--") {
                            let inline = format!("{name}={val}");
                            let mut i = context.to_vec();
                            i.push(&inline);
                            let a = (self.parse)(&words(&i))
                                .unwrap_or_else(|e| panic!("{inline}: {e}"));
                            (self.check)(f, &i, &a);
                            assert_eq!(format!("{a:?}"), got, "{inline}");
                        }
                    }
                    (v, s) => panic!("{name}: table says {v:?}, sample {s:?}"),
                }
            }
        }
    }
}
