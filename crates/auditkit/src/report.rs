//! `auditkit report`: aureport's reports, as one more user of the engine.
//!
//! The inputs, `-ts`/`-te` and the engine settings are search's
//! ([`crate::input_args`]; `--clickhouse` is fetched by
//! [`crate::report_clickhouse`] first); the consumer is `auditkit_report::aureport`'s
//! sink (per-worker tallies, merged here) and ordered stage. What is left
//! here is wiring: arguments, the sources, the run, and the output.

use std::ffi::OsString;
use std::io::{self, BufRead, Write};

use anyhow::Result;
use auditkit_event::Event;
use auditkit_host::{Accounts, HostPaths};
use auditkit_report::aureport::format::{self, Format};
use auditkit_report::aureport::list::{self, Names};
use auditkit_report::aureport::sink::{Acc, Part, ReportOrder, ReportSink};
use auditkit_report::aureport::summary::{self, Stamp};
use auditkit_report::aureport::tally;
use auditkit_report::aureport::{Detail, Options, Report};
use auditkit_source::{input, plan, Source};

use crate::exit::Exit;
use crate::flags::{render, report::REPORT};
use crate::input_args::print_errors;
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
    if let Some(url) = &a.input.clickhouse {
        crate::report_clickhouse::fetch(&a, url)?;
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

    // aureport prints the title before it reads anything (the text of a
    // summary --by-node has one per node, at the end).
    let stdout = io::stdout();
    let mut w = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let text = opts.format == Format::Text;
    let per_node_blocks = opts.by_node && opts.detail == Detail::Summary;
    let summary_title = tally::title_text(&opts);
    if summary_title.is_none() && opts.detail == Detail::Summary {
        if text {
            // aureport has printed the Failed/Success prefix already.
            w.write_all(b"\n")?;
            w.write_all(summary::failed_prefix(&opts).as_bytes())?;
        }
        w.flush()?;
        eprintln!("Unimplemented option");
        return Ok(Exit::NotFound);
    }
    if text && !per_node_blocks {
        w.write_all(b"\n")?;
        match opts.detail {
            Detail::Summary => w.write_all(summary_title.as_deref().unwrap_or_default())?,
            Detail::Detailed => w.write_all(&list::title_text(opts.report))?,
        }
    }
    if opts.format == Format::Csv && opts.detail == Detail::Detailed && opts.report != Report::Time
    {
        w.write_all(&format::csv_header(opts.report, opts.by_node))?;
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
        match a.input.fetched() {
            // The fetch has only the range: ask the server.
            Some(f) => {
                match crate::report_clickhouse::first_record(f, opts.start_time, opts.end_time) {
                    Ok(st) => st,
                    Err(e) => {
                        w.flush()?;
                        return Err(e);
                    }
                }
            }
            None => first_record(&sources, &opts),
        }
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
    let cfg = a.input.config();
    let mut sink = ReportSink::new(&opts, &accounts);
    sink.last_source = plan.read.len().saturating_sub(1) as u32;
    let mut order = ReportOrder::new(w, opts.format);
    let all = |_: &Event| ();
    let (done, errs) = a.input.run_engine(&plan, &cfg, &all, &sink, &mut order)?;
    if let Some(e) = order.err.take() {
        return Err(e.into());
    }
    let mut part = Part::default();
    for p in done.parts {
        part.merge(p);
    }
    print_errors(&errs);
    if a.debug && done.stats.unparsed > 0 {
        eprintln!(
            "auditkit: {} line(s) were not audit records and were skipped",
            done.stats.unparsed
        );
    }
    let found = order.found;
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
    // The tallies to print: all events, or each node's (sorted by name).
    let mut accs: Vec<(Option<Vec<u8>>, Acc)> = if opts.by_node {
        let mut v: Vec<_> = part
            .nodes
            .into_iter()
            .map(|(k, a)| (Some(k.into_vec()), a))
            .collect();
        v.sort_by(|x, y| x.0.cmp(&y.0));
        v
    } else {
        vec![(None, part.all)]
    };
    let code = match (opts.report, opts.detail) {
        (Report::Summary, _) => {
            if opts.format == Format::Csv {
                w.write_all(&summary::csv_header(opts.by_node))?;
            }
            for (node, acc) in &accs {
                let first = if ranged && !opts.by_node {
                    first_out.unwrap_or_default()
                } else {
                    acc.first.map(|(_, s)| s).unwrap_or_default()
                };
                let last = if opts.by_node {
                    acc.last.map(|(_, s)| s).unwrap_or_default()
                } else {
                    // aureport's last event is the last file's (none: the epoch).
                    let last_file = plan.read.len().saturating_sub(1) as u32;
                    times.get(&last_file).map(|t| t.1).unwrap_or_default()
                };
                let mut b = Vec::new();
                match opts.format {
                    Format::Text => {
                        if let Some(n) = node {
                            node_line(&mut b, n);
                            b.push(b'\n');
                            b.extend_from_slice(summary_title.as_deref().unwrap_or_default());
                        }
                        w.write_all(&b)?;
                        summary::write_text(&mut w, &opts, &acc.summary, first, last)?;
                        continue;
                    }
                    Format::Json => summary::write_json(
                        &mut b,
                        &opts,
                        &acc.summary,
                        first,
                        last,
                        node.as_deref(),
                    ),
                    Format::Csv => summary::write_csv(
                        &mut b,
                        &opts,
                        &acc.summary,
                        first,
                        last,
                        node.as_deref(),
                    ),
                }
                w.write_all(&b)?;
            }
            if accs.iter().any(|(_, a)| a.summary.estimated()) {
                eprintln!(
                    "auditkit: more than a million distinct values of a kind: \
                     their number is an estimate (within about 1%)"
                );
            }
            Exit::Ok
        }
        (Report::Time, _) => {
            let mut b = Vec::new();
            if opts.format == Format::Csv {
                b.extend_from_slice(b"file,first,last\n");
            }
            for (i, name) in plan.names().iter().enumerate() {
                let name = if name == "<stdin>" { "stdin" } else { name };
                let t = times.get(&(i as u32));
                let stamp = |b: &mut Vec<u8>, s: &Stamp| {
                    summary::date_time(b, s.sec);
                    let _ = write!(b, ".{:03}", s.milli);
                };
                match (opts.format, t) {
                    (Format::Text, None) => {
                        let _ = writeln!(b, "{name}: no records");
                    }
                    (Format::Text, Some((f, l))) => {
                        let _ = write!(b, "{name}: ");
                        stamp(&mut b, f);
                        b.extend_from_slice(b" - ");
                        stamp(&mut b, l);
                        b.push(b'\n');
                    }
                    (Format::Json, _) => {
                        b.extend_from_slice(b"{\"file\":");
                        auditkit_output::json::json_str(&mut b, name.as_bytes());
                        for (k, s) in [("first", t.map(|x| x.0)), ("last", t.map(|x| x.1))] {
                            let _ = write!(b, ",\"{k}\":");
                            match s {
                                Some(s) => {
                                    let mut v = Vec::new();
                                    stamp(&mut v, &s);
                                    auditkit_output::json::json_str(&mut b, &v);
                                }
                                None => b.extend_from_slice(b"null"),
                            }
                        }
                        b.extend_from_slice(b"}\n");
                    }
                    (Format::Csv, _) => {
                        format::csv_field(&mut b, name.as_bytes());
                        for s in [t.map(|x| x.0), t.map(|x| x.1)] {
                            b.push(b',');
                            if let Some(s) = s {
                                stamp(&mut b, &s);
                            }
                        }
                        b.push(b'\n');
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
                if text {
                    w.write_all(b"<no events of interest were found>\n\n")?;
                }
                Exit::NotFound
            }
        }
        (r, Detail::Summary) => {
            let kind = tally::kind(r);
            if opts.format == Format::Csv {
                w.write_all(&tally::csv_header(r, opts.by_node))?;
            }
            let mut dropped = 0;
            let mut prefix = Vec::new();
            for (node, acc) in accs.drain(..) {
                dropped += acc.tally.dropped;
                match &node {
                    Some(n) => tally::node_prefix(&mut prefix, n),
                    None => prefix.clear(),
                }
                let rows = tally::rows(acc.tally, &ranks, kind, &prefix);
                let mut b = Vec::new();
                match opts.format {
                    Format::Text => {
                        if let Some(n) = &node {
                            node_line(&mut b, n);
                            b.push(b'\n');
                            b.extend_from_slice(summary_title.as_deref().unwrap_or_default());
                        }
                        w.write_all(&b)?;
                        tally::write_text(&mut w, &names, kind, &rows)?;
                        continue;
                    }
                    Format::Json => tally::write_json(&mut b, &names, kind, &rows, node.as_deref()),
                    Format::Csv => tally::write_csv(&mut b, &names, kind, &rows, node.as_deref()),
                }
                w.write_all(&b)?;
            }
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

/// `--by-node` in text: the line before each node's report.
fn node_line(b: &mut Vec<u8>, node: &[u8]) {
    b.extend_from_slice(b"\nNode: ");
    b.extend_from_slice(if node.is_empty() { b"(none)" } else { node });
    b.push(b'\n');
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
