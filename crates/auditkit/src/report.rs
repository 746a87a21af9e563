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
use auditkit_report::aureport::list::{self, Names};
use auditkit_report::aureport::sink::{Part, ReportOrder, ReportSink};
use auditkit_report::aureport::summary::{self, Stamp};
use auditkit_report::aureport::tally;
use auditkit_report::aureport::{Detail, Options, Report};
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
    // with this host's accounts, as search does, and -i names login uids.
    let accounts = HostPaths::this_host()
        .accounts()
        .unwrap_or_else(|_| Accounts::new());
    auditkit_output::time::init();

    // aureport prints the title before it reads anything.
    let stdout = io::stdout();
    let mut w = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    w.write_all(b"\n")?;
    match opts.detail {
        Detail::Summary => match tally::title_text(&opts) {
            Some(t) => w.write_all(&t)?,
            None => {
                w.flush()?;
                eprintln!("Unimplemented option");
                return Ok(Exit::NotFound);
            }
        },
        Detail::Detailed => w.write_all(&list::title_text(opts.report))?,
    }
    let sources = match a.input.sources() {
        Ok(s) => s,
        Err(e) => {
            w.flush()?;
            return Err(e);
        }
    };

    // With -ts/-te the summary's range starts at a record the engine
    // drops (the first outside the range): find it first, reading only
    // as far as needed (one line when the log starts before -ts).
    let ranged = opts.start_time != 0 || opts.end_time != 0;
    let first_out = if opts.report == Report::Summary && ranged {
        first_record(&sources, &opts)
    } else {
        None
    };
    // -t names every file, those wholly before -ts too.
    let skip_from = if opts.report == Report::Time {
        0
    } else {
        a.input.start_time
    };
    let plan = plan::plan(sources, skip_from);
    let read_report = Arc::new(ReadReport::default());
    let cfg = a.input.config();
    let sink = ReportSink::new(&opts, &accounts);
    let mut order = ReportOrder::new(w);
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
    if let Some(e) = order.err.take() {
        return Err(e.into());
    }
    let mut part = Part::default();
    for p in done.parts {
        part.merge(p);
    }
    let errs = read_report.take_errors();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    if a.debug && done.stats.unparsed > 0 {
        eprintln!(
            "auditkit: {} line(s) were not audit records and were skipped",
            done.stats.unparsed
        );
    }
    let (last, found) = (order.last, order.found);
    let times = std::mem::take(&mut order.times);
    let ranks = std::mem::take(&mut order.ranks);
    let mut w = order.into_inner();
    if !errs.is_empty() {
        w.flush()?;
        return Ok(Exit::NotFound);
    }
    let names = Names {
        opts: &opts,
        accounts: &accounts,
    };
    let code = match (opts.report, opts.detail) {
        (Report::Summary, _) => {
            let first = if ranged {
                first_out.unwrap_or_default()
            } else {
                part.first.map(|(_, s)| s).unwrap_or_default()
            };
            summary::write_text(&mut w, &opts, &part.summary, first, last)?;
            Exit::Ok
        }
        (Report::Time, _) => {
            let mut b = Vec::new();
            for (i, name) in plan.names().iter().enumerate() {
                let name = if name == "<stdin>" { "stdin" } else { name };
                match times.get(&(i as u32)) {
                    None => {
                        let _ = writeln!(b, "{name}: no records");
                    }
                    Some((f, l)) => {
                        let _ = write!(b, "{name}: ");
                        summary::date_time(&mut b, f.sec);
                        let _ = write!(b, ".{:03} - ", f.milli);
                        summary::date_time(&mut b, l.sec);
                        let _ = writeln!(b, ".{:03}", l.milli);
                    }
                }
            }
            w.write_all(&b)?;
            Exit::Ok
        }
        (_, Detail::Detailed) => {
            if found {
                Exit::Ok
            } else {
                w.write_all(b"<no events of interest were found>\n\n")?;
                Exit::NotFound
            }
        }
        (r, Detail::Summary) => {
            let dropped = part.tally.dropped;
            let kind = tally::kind(r);
            let rows = tally::rows(part.tally, &ranks, kind);
            tally::write_text(&mut w, &names, kind, &rows)?;
            if dropped > 0 {
                eprintln!(
                    "auditkit: {dropped} event(s) with values past the memory budget \
                     were not counted"
                );
            }
            Exit::Ok
        }
    };
    w.flush()?;
    Ok(code)
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
