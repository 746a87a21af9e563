//! `auditkit report`: aureport's reports, as one more user of the engine.
//!
//! The inputs, `-ts`/`-te` and the engine settings are search's
//! ([`crate::input_args`]); the consumer is `auditkit_report::aureport`'s
//! sink (per-worker tallies, merged here) and ordered stage. What is left
//! here is wiring: arguments, the sources, the run, and the output.

use std::ffi::OsString;
use std::io::{self, BufRead, Write};
use std::sync::Arc;

use anyhow::Result;
use auditkit_event::Event;
use auditkit_host::{Accounts, HostPaths};
use auditkit_report::aureport::sink::{Part, ReportOrder, ReportSink};
use auditkit_report::aureport::summary::{self, Stamp};
use auditkit_report::aureport::{Options, Report};
use auditkit_source::{engine, input, plan, Report as ReadReport, Source};

use crate::exit::Exit;
use crate::flags::{render, report::REPORT};
use crate::report_args;

/// `auditkit report --help`.
pub fn help() -> String {
    render::help(&REPORT)
}

/// Entry point; returns the exit status.
pub fn main(args: &[OsString]) -> Result<Exit> {
    let a = match report_args::parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{}", e.0);
            return Ok(Exit::NotFound);
        }
    };
    if a.help {
        print!("{}", help());
        return Ok(Exit::Ok);
    }
    if a.version {
        println!("auditkit report version {}", env!("CARGO_PKG_VERSION"));
        return Ok(Exit::Ok);
    }
    if let Some(path) = &a.html {
        return crate::report_html::run(&a, path);
    }
    if a.noise.noise {
        return crate::report_noise::run(&a);
    }
    let opts = a.options();
    // The parser maps the user names of ausearch -i input back to numbers
    // with this host's accounts, as search does; raw logs never need them.
    let accounts = HostPaths::this_host()
        .accounts()
        .unwrap_or_else(|_| Accounts::new());
    let sources = a.input.sources()?;
    auditkit_output::time::init();

    // With -ts/-te the summary's range starts at a record the engine
    // drops (the first outside the range): find it first, reading only
    // as far as needed (one line when the log starts before -ts).
    let first_out =
        if opts.report == Report::Summary && (opts.start_time != 0 || opts.end_time != 0) {
            first_record(&sources, &opts)
        } else {
            None
        };

    let plan = plan::plan(sources, a.input.start_time);
    let read_report = Arc::new(ReadReport::default());
    let cfg = a.input.config();
    let sink = ReportSink::new(&opts, &accounts);
    let mut order = ReportOrder::default();
    let all = |_: &Event| ();
    let done = engine::run(
        &plan,
        a.input.read_options(),
        false,
        read_report.clone(),
        &cfg,
        &all,
        &sink,
        &mut order,
    )?;
    let mut part = Part::default();
    for p in done.parts {
        part.merge(p);
    }
    let errs = read_report.take_errors();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    if !errs.is_empty() {
        return Ok(Exit::NotFound);
    }
    if a.debug && done.stats.unparsed > 0 {
        eprintln!(
            "auditkit: {} line(s) were not audit records and were skipped",
            done.stats.unparsed
        );
    }
    let stdout = io::stdout();
    let mut w = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let first = if opts.start_time != 0 || opts.end_time != 0 {
        first_out.unwrap_or_default()
    } else {
        part.first.map(|(_, s)| s).unwrap_or_default()
    };
    summary::write_text(&mut w, &opts, &part.summary, first, order.last)?;
    w.flush()?;
    Ok(Exit::Ok)
}

/// The record "Range of time in logs" starts at with `-ts`/`-te` (see
/// `summary::first_record`), read from the files in order; `None` when
/// none is or when the input is standard input (which cannot be read
/// twice; docs/differences.md).
fn first_record(sources: &[Source], opts: &Options) -> Option<Stamp> {
    for s in sources {
        if matches!(s, Source::Stdin) {
            return None;
        }
        let Ok(r) = input::open(s) else {
            continue;
        };
        let mut r = io::BufReader::with_capacity(256 * 1024, r);
        let mut line = Vec::new();
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let l = line.strip_suffix(b"\n").unwrap_or(&line);
                    if let Some(st) = summary::first_record(l, opts) {
                        return Some(st);
                    }
                }
            }
        }
    }
    None
}
