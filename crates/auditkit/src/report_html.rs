//! `auditkit report --html FILE`: the engine with the HTML report's sink
//! (`auditkit_report::html`), its per-worker tallies merged here, and the
//! page written to FILE. Wiring only: the counting and the page are the
//! library's.
//!
//! The page takes the input and time options, `--node`, and `--noise`
//! with its options (the suggestions become the page's noise panel, from
//! the same run); the options that choose or narrow an aureport text
//! report are refused with it rather than silently ignored.

use std::path::Path;

use anyhow::{Context, Result};
use auditkit_event::pipeline::Sink;
use auditkit_event::Event;
use auditkit_host::{Accounts, HostPaths};
use auditkit_interp::Machine;
use auditkit_report::aureport::{ConfAct, Outcome};
use auditkit_report::html::{self, HtmlSink, NoiseRow, Options, Tally};
use auditkit_report::noise::{self, NoiseSink};
use auditkit_source::{plan, Source};

use crate::exit::Exit;
use crate::input_args::print_errors;
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
            "--html takes the input and time options, --node and --noise, not a report's \
             options (the page has every panel)"
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
        shown.push(match (s, a.input.fetched()) {
            (_, Some(f)) => f.shown(),
            (Source::Stdin, _) => "standard input".to_string(),
            (other, _) => other.display(),
        });
    }
    let input_note = match a.input.fetched() {
        // search --clickhouse refuses the page's --where.
        Some(f) => Some(format!(
            "The events came from {}: the commands below read auditd's log; \
             give them the collector's store with --store DIR.",
            f.shown()
        )),
        None => sources.iter().any(|s| matches!(s, Source::Stdin)).then(|| {
            "The events came from standard input: the commands below read auditd's log; \
             give them the same input with -if FILE."
                .to_string()
        }),
    };
    let range = a.input.time_range();
    let plan = plan::plan(sources, a.input.start_time);
    let cfg = a.input.config();
    let keep = |ev: &Event| a.node_selected(ev);
    // With --noise, the analysis reads the same run.
    let prepared = if a.noise.noise {
        Some(crate::report_noise::prepare(a)?)
    } else {
        None
    };
    let caps = noise::Caps::default();
    let sink = Both {
        noise: prepared.as_ref().map(|p| NoiseSink {
            table: &p.table,
            caps,
        }),
    };
    let (done, errs) = a.input.run_engine(
        &plan,
        &cfg,
        &keep,
        &sink,
        &mut auditkit_event::pipeline::NoOrder,
    )?;
    print_errors(&errs);
    if !errs.is_empty() {
        return Ok(Exit::NotFound);
    }
    let mut noise_tally = prepared
        .as_ref()
        .map(|p| noise::Tally::new(p.table.rules.len(), caps));
    let mut parts = Vec::with_capacity(done.parts.len());
    for (h, n) in done.parts {
        parts.push(h);
        if let (Some(t), Some(n)) = (noise_tally.as_mut(), n) {
            t.merge(n);
        }
    }
    let tally = Tally::merged(parts);
    let rows: Option<Vec<NoiseRow>> = match (&prepared, &noise_tally) {
        (Some(p), Some(t)) => Some(
            crate::report_noise::advise(p, t, a)?
                .suggestions
                .into_iter()
                .map(|s| NoiseRow {
                    talker: s.what,
                    rule: match &s.alternative {
                        Some(alt) => {
                            format!("{}\n# or, on the rule itself: {alt}", s.lines.join("\n"))
                        }
                        None => s.lines.join("\n"),
                    },
                    events: s.saved.events,
                    bytes: s.saved.bytes,
                    risk: format!("{}: {}", s.risk.name(), s.risk_text),
                    search: html::cmd::of_never_rules(&s.lines, Machine::native()),
                })
                .collect(),
        ),
        _ => None,
    };
    // --node as a --where, which is ANDed with the page's own --node of
    // each node (several --node are ORed).
    if !a.nodes.is_empty() {
        let any: Vec<String> = a
            .nodes
            .iter()
            .map(|n| html::cmd::eq("node", n, false))
            .collect();
        base.push("--where".into());
        base.push(format!("({})", any.join(" or ")));
    }
    let user_name = |u: u32| accounts.user_name(u).map(str::to_string);
    let opts = Options {
        sources: shown,
        search_base: base,
        range: range.filter(|&(lo, hi)| lo != 0 || hi != u64::MAX),
        user_name: &user_name,
        noise: rows.as_deref(),
        input_note,
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

/// The page's sink and, with `--noise`, the analysis's, fed by one run:
/// each worker's part is the pair, merged apart at the end.
struct Both<'a> {
    noise: Option<NoiseSink<'a>>,
}

impl Sink<bool> for Both<'_> {
    type Part = (Tally, Option<noise::Tally>);
    type Out = ();

    fn part(&self) -> Self::Part {
        (HtmlSink.part(), self.noise.as_ref().map(|n| n.part()))
    }

    fn event(&self, part: &mut Self::Part, ev: &Event, keep: bool, out: &mut ()) {
        HtmlSink.event(&mut part.0, ev, keep, out);
        if let (Some(n), Some(t)) = (&self.noise, part.1.as_mut()) {
            n.event(t, ev, keep, out);
        }
    }

    fn unparsed(
        &self,
        part: &mut Self::Part,
        pc: &auditkit_event::ParsedChunk,
        u: &auditkit_event::chunk::Unparsed,
        out: &mut (),
    ) {
        HtmlSink.unparsed(&mut part.0, pc, u, out);
        if let (Some(n), Some(t)) = (&self.noise, part.1.as_mut()) {
            n.unparsed(t, pc, u, out);
        }
    }

    fn clear(&self, _: &mut ()) {}
}
