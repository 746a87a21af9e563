//! The options of every command that reads events (`search`, `report`,
//! `detect`: aureport has the same `-if --input-logs -ts -te` as
//! ausearch), parsed with ausearch's rules and messages, and what they
//! turn into: the sources to read (files, the collector's store, or the
//! records fetched from ClickHouse), the `-ts` plan's start, the engine's
//! settings.
//!
//! The options are defined (spellings, values, help) in
//! [`crate::flags::input`]; a command's table includes those slices, and
//! its parser offers each option it looked up to
//! [`InputArgs::parse_option`] first and handles the rest itself, so the
//! shared options are spelled, checked and documented once.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Context, Result};
use auditkit_event::pipeline;
use auditkit_query::time::{self, Bound, Clock};
use auditkit_source::{engine, input, Plan, ReadOptions, Report as ReadReport, Source};

use crate::clickhouse_input::{self, Fetched, Query};
use crate::flags::Id;
use crate::search_args::ArgError;

/// Where to read and which time range.
#[derive(Debug, Default)]
pub struct InputArgs {
    /// `-if` (ausearch keeps the last one; we read them all, in order).
    pub inputs: Vec<PathBuf>,
    /// `--store DIR`: the segments of collect's stores.
    pub stores: Vec<PathBuf>,
    /// `--clickhouse URL`: the events collect inserted into ClickHouse.
    pub clickhouse: Option<String>,
    /// What was fetched from `clickhouse`: by the command with its own
    /// condition ([`InputArgs::set_fetched`]), else by
    /// [`InputArgs::sources`] with the time range alone.
    fetched: OnceLock<Fetched>,
    /// `--input-logs`: the configured log files even when stdin is a pipe.
    pub input_logs: bool,
    /// `--eoe-timeout SECS`.
    pub eoe_timeout: Option<u64>,
    /// `--threads N` (0: one per CPU).
    pub threads: usize,
    /// `-ts` in epoch seconds (0: none).
    pub start_time: i64,
    /// `-te` in epoch seconds (0: none).
    pub end_time: i64,
    /// `-ts checkpoint`: use only the checkpoint's time.
    pub checkpoint_time_only: bool,
    /// `--max-line BYTES`: the chunker's cap on a line.
    pub max_line: Option<usize>,
}

/// One option word and what follows it, as the command's parser sees it.
pub struct Word<'a> {
    /// The option (`-ts`, `--input`; without an inline `=value`).
    pub name: &'a str,
    /// Its value: the inline `=value`, else the next word unless it
    /// starts with `-`.
    pub optarg: Option<&'a str>,
    /// Whether the value was inline.
    pub inline: bool,
    /// The word after the value (`-ts DATE TIME`).
    pub after: Option<&'a str>,
}

/// The words of a command line as text, as ausearch and aureport see
/// their C strings (a word that is not UTF-8 is taken lossily).
pub fn words(args: &[std::ffi::OsString]) -> Vec<String> {
    args.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

impl<'a> Word<'a> {
    /// The option word `v[c]` with ausearch's and aureport's rule for its
    /// value: auditkit's own long options may be written `--name=value`,
    /// else the value is the next word unless it starts with `-`.
    /// Returns the word and the next word as it is (the options whose
    /// value may be a negative number take it even so).
    pub fn ausearch(v: &'a [String], c: usize) -> (Word<'a>, Option<&'a str>) {
        let raw = v[c].as_str();
        let (name, inline) = match raw.split_once('=') {
            Some((n, val)) if n.starts_with("--") && !n.contains(' ') => (n, Some(val)),
            _ => (raw, None),
        };
        let next = v.get(c + 1).map(String::as_str);
        let word = Word {
            name,
            optarg: inline.or_else(|| next.filter(|n| !n.starts_with('-'))),
            inline: inline.is_some(),
            after: v.get(c + 2).map(String::as_str),
        };
        (word, next)
    }

    /// How many words after the option its value used (0 when inline).
    pub fn used(&self) -> usize {
        usize::from(!self.inline)
    }

    /// The value, or ausearch's message when there is none.
    pub fn need(&self) -> Result<String, ArgError> {
        self.optarg
            .map(str::to_string)
            .ok_or_else(|| ArgError(format!("Argument is required for {}", self.name)))
    }

    /// ausearch's message for an option that takes no value and has one.
    pub fn no_arg(&self) -> Result<(), ArgError> {
        match self.optarg {
            Some(_) => Err(ArgError(format!(
                "Argument is NOT required for {}",
                self.name
            ))),
            None => Ok(()),
        }
    }
}

impl InputArgs {
    /// Take `w`, the flag `id`, if it is one of the shared options
    /// ([`crate::flags::input`]). Returns how many words after the option
    /// it used, `None` when it is not a shared option.
    pub fn parse_option(
        &mut self,
        id: Id,
        w: &Word,
        clock: &Clock,
    ) -> Result<Option<usize>, ArgError> {
        let used = w.used();
        match id {
            Id::Input => {
                self.inputs.push(PathBuf::from(w.need()?));
                Ok(Some(used))
            }
            Id::Store => {
                self.stores.push(PathBuf::from(w.need()?));
                Ok(Some(used))
            }
            Id::ClickHouse => {
                self.clickhouse = Some(w.need()?);
                Ok(Some(used))
            }
            Id::InputLogs => {
                self.input_logs = true;
                Ok(Some(0))
            }
            Id::EoeTimeout => {
                let o = w.need()?;
                if !o.as_bytes().first().is_some_and(u8::is_ascii_digit) {
                    return Err(ArgError(format!(
                        "End of Event Timeout must be a numeric value, was {o}"
                    )));
                }
                let digits: String = o.chars().take_while(char::is_ascii_digit).collect();
                match digits.parse::<u64>() {
                    Ok(n) if n > 0 => self.eoe_timeout = Some(n),
                    _ => {
                        return Err(ArgError(format!(
                            "Illegal value for End of Event Timeout, was {o}"
                        )))
                    }
                }
                Ok(Some(used))
            }
            Id::Threads => {
                let o = w.need()?;
                self.threads = o
                    .parse()
                    .map_err(|_| ArgError(format!("--threads: expected a number, found '{o}'")))?;
                Ok(Some(used))
            }
            Id::MaxLine => {
                let o = w.need()?;
                match o.parse::<usize>() {
                    Ok(n) if n > 0 => self.max_line = Some(n),
                    _ => {
                        return Err(ArgError(format!(
                            "--max-line: expected a number of bytes above 0, found '{o}'"
                        )))
                    }
                }
                Ok(Some(used))
            }
            Id::Start | Id::End => self.parse_time(id, w, clock).map(Some),
            _ => Ok(None),
        }
    }

    /// `-ts`/`-te` with ausearch's forms: `DATE TIME`, `TIME DATE`, a
    /// keyword (`today`, `this-week`, ...), a date alone (start of day for
    /// `-ts`), a time alone, and `-ts checkpoint`.
    fn parse_time(&mut self, id: Id, w: &Word, clock: &Clock) -> Result<usize, ArgError> {
        let name = w.name;
        let bound = if id == Id::Start {
            Bound::Start
        } else {
            Bound::End
        };
        let Some(o) = w.optarg else {
            return Err(ArgError(format!("{name} requires either date and/or time")));
        };
        let mut extra = 0;
        let second = w
            .after
            .filter(|s| !s.starts_with('-'))
            .filter(|_| !w.inline);
        let r = if let Some(s2) = second {
            extra = 1;
            if o.contains(':') {
                time::resolve(bound, Some(s2), Some(o), clock)
            } else {
                time::resolve(bound, Some(o), Some(s2), clock)
            }
        } else if time::is_keyword(o) {
            time::resolve(bound, Some(o), Some("00:00:00"), clock)
        } else if bound == Bound::Start && o == "checkpoint" {
            self.checkpoint_time_only = true;
            Ok(0)
        } else if !o.contains(':') {
            let t = (bound == Bound::Start).then_some("00:00:00");
            time::resolve(bound, Some(o), t, clock)
        } else {
            time::resolve(bound, None, Some(o), clock)
        };
        let t = r.map_err(|e| ArgError(e.0))?;
        if bound == Bound::Start {
            if !self.checkpoint_time_only || o != "checkpoint" {
                self.start_time = t;
            }
        } else {
            self.end_time = t;
        }
        Ok(extra + w.used())
    }

    /// The records a command fetched from ClickHouse for its own
    /// condition, read by [`InputArgs::sources`] from now on.
    pub fn set_fetched(&self, f: Fetched) {
        // Fetched once per run; a second one is dropped (and removed).
        let _ = self.fetched.set(f);
    }

    /// What was fetched from ClickHouse, if anything yet.
    pub fn fetched(&self) -> Option<&Fetched> {
        self.fetched.get()
    }

    /// The sources: `--clickhouse`'s fetched records, else `--store`'s
    /// segments, else `-if`, else stdin when it is a pipe (unless
    /// `--input-logs`), else auditd.conf's `log_file` and its rotations.
    pub fn sources(&self) -> Result<Vec<Source>> {
        if let Some(url) = &self.clickhouse {
            // A command with no condition of its own (detect) reads the
            // events of the time range.
            if self.fetched.get().is_none() {
                let f = clickhouse_input::fetch(url, "", false, |db| Query::of_input(self, db))?;
                self.set_fetched(f);
            }
            if let Some(f) = self.fetched.get() {
                return Ok(input::expand_inputs(&[f.path().to_path_buf()])?);
            }
        }
        if !self.stores.is_empty() {
            // The store's segments, skipped by the index where -ts/-te
            // cannot match them, then any -if given too.
            let mut files = Vec::new();
            for dir in &self.stores {
                let f = auditkit_collect::store::index::files_for(dir, self.time_range())
                    .with_context(|| format!("--store {}", dir.display()))?;
                files.extend(f);
            }
            files.extend(self.inputs.iter().cloned());
            if files.is_empty() {
                bail!("--store: no segment can hold records in the time range");
            }
            return Ok(input::expand_inputs(&files)?);
        }
        Ok(if self.inputs.is_empty() {
            input::default_inputs(self.input_logs)?
        } else {
            input::expand_inputs(&self.inputs)?
        })
    }

    /// `-ts`/`-te` as the engine's inclusive range of record seconds.
    pub fn time_range(&self) -> Option<(u64, u64)> {
        (self.start_time != 0 || self.end_time != 0).then(|| {
            let hi = if self.end_time == 0 {
                u64::MAX
            } else {
                self.end_time.max(0) as u64
            };
            (self.start_time.max(0) as u64, hi)
        })
    }

    /// How to read.
    pub fn read_options(&self) -> ReadOptions {
        let mut o = ReadOptions::default();
        if let Some(n) = self.max_line {
            o.max_line = n;
        }
        o
    }

    /// The engine's settings these options decide.
    pub fn config(&self) -> pipeline::Config {
        pipeline::Config {
            threads: self.threads,
            eoe_timeout: self
                .eoe_timeout
                .unwrap_or(auditkit_event::assemble::DEFAULT_EOE_TIMEOUT),
            time_range: self.time_range(),
            ..Default::default()
        }
    }

    /// One read of `plan` through the engine with these options' read
    /// settings, not following: what `report`, `--noise`, its detection
    /// replay and `--html` each run. Returns the outcome and the errors
    /// met while reading, which each caller answers in its own way.
    pub fn run_engine<F, S, O>(
        &self,
        plan: &Plan,
        cfg: &pipeline::Config,
        filter: &F,
        sink: &S,
        ordered: &mut O,
    ) -> Result<(pipeline::Outcome<S::Part>, Vec<auditkit_source::Error>)>
    where
        F: pipeline::Filter,
        S: pipeline::Sink<F::Verdict>,
        O: pipeline::Ordered<S::Out>,
    {
        let report = Arc::new(ReadReport::default());
        let done = engine::run(
            plan,
            self.read_options(),
            false,
            report.clone(),
            cfg,
            filter,
            sink,
            ordered,
        )?;
        Ok((done, report.take_errors()))
    }
}

/// Say every read error on stderr, auditkit's way.
pub fn print_errors(errs: &[auditkit_source::Error]) {
    for e in errs {
        eprintln!("auditkit: error: {e}");
    }
}
