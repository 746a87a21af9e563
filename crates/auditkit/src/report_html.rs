//! `auditkit report --html FILE`: the engine with the HTML report's sink
//! (`auditkit_report::html`), its per-worker tallies merged here, and the
//! page written to FILE. Wiring only: the counting and the page are the
//! library's.
//!
//! The page takes the input and time options and `--node`; the options
//! that choose or narrow an aureport text report are refused with it
//! rather than silently ignored.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use auditkit_event::Event;
use auditkit_host::{Accounts, HostPaths};
use auditkit_report::aureport::{ConfAct, Outcome};
use auditkit_report::html::{self, HtmlSink, Options, Tally};
use auditkit_source::{engine, plan, Report as ReadReport, Source};

use crate::exit::Exit;
use crate::report_args::ReportArgs;

/// Write the page for the events the options select.
pub fn run(a: &ReportArgs, path: &Path) -> Result<Exit> {
    if a.report.is_some()
        || a.summary
        || a.outcome != Outcome::default()
        || a.conf_act != ConfAct::default()
        || a.no_config
        || a.interpret
    {
        eprintln!(
            "--html takes the input and time options and --node, not a report's options \
             (the page has every panel)"
        );
        return Ok(Exit::NotFound);
    }
    let accounts = HostPaths::this_host()
        .accounts()
        .unwrap_or_else(|_| Accounts::new());
    let sources = a.input.sources()?;
    // The commands on the page read the same input: the files as given;
    // standard input cannot be read again, so its commands read the
    // default log and the page says where the events came from.
    let mut base = Vec::new();
    let mut shown = Vec::new();
    for p in &a.input.inputs {
        base.push("-if".to_string());
        base.push(p.display().to_string());
    }
    for s in &sources {
        shown.push(match s {
            Source::Stdin => "standard input".to_string(),
            other => other.display(),
        });
    }
    let range = a.input.time_range();
    let plan = plan::plan(sources, a.input.start_time);
    let read_report = Arc::new(ReadReport::default());
    let cfg = a.input.config();
    let nodes = &a.nodes;
    let keep =
        |ev: &Event| nodes.is_empty() || ev.node().is_some_and(|n| nodes.iter().any(|x| x == n));
    let done = engine::run(
        &plan,
        a.input.read_options(),
        false,
        read_report.clone(),
        &cfg,
        &keep,
        &HtmlSink,
        &mut auditkit_event::pipeline::NoOrder,
    )?;
    let errs = read_report.take_errors();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    if !errs.is_empty() {
        return Ok(Exit::NotFound);
    }
    let tally = Tally::merged(done.parts);
    for n in nodes {
        base.push("--node".into());
        base.push(String::from_utf8_lossy(n).into_owned());
    }
    let user_name = |u: u32| accounts.user_name(u).map(str::to_string);
    let opts = Options {
        sources: shown,
        search_base: base,
        range: range.filter(|&(lo, hi)| lo != 0 || hi != u64::MAX),
        user_name: &user_name,
        ..Options::default()
    };
    let page = html::render(&tally, &opts);
    std::fs::write(path, page.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(if tally.events == 0 {
        Exit::NotFound
    } else {
        Exit::Ok
    })
}
