//! `auditkit search`: read, assemble, filter, write.

use std::ffi::OsString;
use std::io::{self, Write};
use std::sync::Mutex;

use anyhow::{bail, Result};
use auditkit_event::pipeline::{self, Batch, Item};

use crate::filter;
use crate::format::EventWriter;
use crate::input::{self, Blocks, Source};
use crate::search_args::{self, Format, SearchArgs};

/// Entry point; returns the exit code.
pub fn main(args: &[OsString]) -> Result<u8> {
    let a = search_args::parse(args)?;
    if a.help {
        print!("{}", search_args::HELP);
        return Ok(0);
    }
    let writer = EventWriter::new(&a)?;
    let sources = choose_sources(&a)?;
    let names: Vec<String> = sources.iter().map(Source::display).collect();
    auditkit_output::time::init();
    let blocks = Blocks::new(sources);
    let errors = blocks.errors.clone();
    let cfg = pipeline::Config {
        threads: a.threads,
        eoe_timeout: a
            .eoe_timeout
            .unwrap_or(auditkit_event::assemble::DEFAULT_EOE_TIMEOUT),
        ..Default::default()
    };
    let first_unparsed: Mutex<Option<String>> = Mutex::new(None);
    let debug_lines: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let format = |items: &[Item], out: &mut Vec<u8>| -> u64 {
        let mut matched = 0;
        for it in items {
            match it {
                Item::Event(ev) => {
                    if a.just_one && matched > 0 {
                        break;
                    }
                    if !filter::matches(&a, ev) {
                        continue;
                    }
                    matched += 1;
                    writer.write(ev, out);
                }
                Item::Unparsed(chunk, u) => {
                    let name = names.get(chunk.source as usize).map_or("?", String::as_str);
                    let msg = format!("{name}:{}: {}", u.line_no, u.why);
                    if let Ok(mut f) = first_unparsed.lock() {
                        if f.is_none() {
                            *f = Some(msg.clone());
                        }
                    }
                    if a.debug {
                        if let Ok(mut d) = debug_lines.lock() {
                            d.push(msg);
                        }
                    }
                    if a.keep_unparsed {
                        if let Some(line) = it.unparsed_line() {
                            out.extend_from_slice(line);
                            out.push(b'\n');
                        }
                    }
                }
            }
        }
        matched
    };
    let stdout = io::stdout();
    let mut w = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut found = 0u64;
    let mut write_err: Option<io::Error> = None;
    let stats = pipeline::run(&cfg, blocks, format, |b: Batch| {
        if let Err(e) = w.write_all(&b.out) {
            write_err = Some(e);
            return false;
        }
        if a.line_buffered {
            let _ = w.flush();
        }
        found += b.matched;
        !(a.just_one && found > 0)
    });
    if let Some(e) = write_err {
        return Err(e.into());
    }
    w.flush()?;
    drop(w);
    if let Ok(d) = debug_lines.lock() {
        for l in d.iter() {
            eprintln!("auditkit: skipped {l}");
        }
    }
    if stats.unparsed > 0 && !a.debug {
        let first = first_unparsed
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .unwrap_or_default();
        eprintln!(
            "auditkit: {} line(s) were not audit records and were skipped (first: {first}); \
             --debug lists them, --keep-unparsed prints them",
            stats.unparsed
        );
    }
    let errs = errors.lock().map(|e| e.clone()).unwrap_or_default();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    if found == 0 {
        if a.format != Format::Raw {
            eprintln!("<no matches>");
        }
        return Ok(1);
    }
    Ok(if errs.is_empty() { 0 } else { 1 })
}

fn choose_sources(a: &SearchArgs) -> Result<Vec<Source>> {
    if !a.inputs.is_empty() {
        return input::expand_inputs(&a.inputs);
    }
    if !a.input_logs && input::stdin_is_pipe() {
        return Ok(vec![Source::Stdin]);
    }
    let base = input::configured_log_file();
    let set = input::rotated_set(&base);
    if set.is_empty() {
        bail!(
            "no input: {} does not exist (give files with -if, or pipe logs in)",
            base.display()
        );
    }
    Ok(set.into_iter().map(Source::File).collect())
}
