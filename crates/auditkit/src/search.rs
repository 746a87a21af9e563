//! `auditkit search`: read, assemble, filter, write, as one user of the
//! engine (`auditkit_event::pipeline::run`) over the sources of
//! `auditkit_source`.
//!
//! The consumer is split the way the engine asks:
//!
//! * [`SearchSink`], on the workers: formats each matching event into the
//!   batch's buffer, or counts it into the worker's own `--count-by`
//!   tally (merged at the end: no lock), and notes unparsed lines and
//!   events ausearch would not print.
//! * [`Writer`], the ordered stage: writes each batch's buffer in log
//!   order, and for `--checkpoint` decides event by event (in order) what
//!   the checkpoint lets through and remembers the last complete event.
//!
//! `--follow` and `--checkpoint` used to run a separate sequential loop;
//! they are the same run now, `--follow` with the engine's live mode
//! (each chunk's events at once, clock ticks complete waiting events) and
//! `--checkpoint` leaving the events still open at the end uncompleted, as
//! ausearch does.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;

use anyhow::Result;
use auditkit_event::chunk::Unparsed;
use auditkit_event::header::HeaderError;
use auditkit_event::pipeline::{self, Flow, Item, Ordered, Sink};
use auditkit_event::{Event, ParsedChunk, RecordType};
use auditkit_query::checkpoint::{self, Checkpoint, Decision, Gate, LastEvent};
use auditkit_query::lang::{self, EventView, FieldSel, Names};
use auditkit_source::read::LONG_LINES_KEPT;
use auditkit_source::{engine, input, plan, Plan, Report, Source};

use crate::exit::Exit;
use crate::filter::{Filter, Verdict};
use crate::format::EventWriter;
use crate::progress::Progress;
use crate::search_args::{self, Format, SearchArgs};

/// `--count-by`: value -> number of matching events.
type Tally = HashMap<Vec<u8>, u64>;

/// What an item of a batch became, for the checkpoint gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Unparsed,
    Skipped,
    Matched,
}

/// The first event of a batch that matched but is not printed.
#[derive(Clone, Debug)]
struct HiddenAt {
    source: u32,
    line: u64,
    event: String,
    code: u8,
}

/// A batch's output, filled on a worker, written by the ordered stage.
#[derive(Default)]
struct Out {
    buf: Vec<u8>,
    matched: u64,
    /// Some matched event wrote something: the csv header goes before the
    /// first such output, as ausearch prints it from auparse's callback
    /// (a matched event can give no csv line when auparse drops all its
    /// lines; see `auparse_events`).
    printed: bool,
    /// `--just-one` found its event in this batch.
    done: bool,
    /// `--checkpoint`: where each item's output ends, and what it was.
    marks: Vec<(usize, Kind)>,
    /// `--debug`: unparsed lines (source, line from the start of reading).
    debug: Vec<(u32, u64, HeaderError)>,
    hidden: u64,
    first_hidden: Option<HiddenAt>,
}

/// The workers' side of a search.
struct SearchSink<'a> {
    a: &'a SearchArgs,
    filter: &'a Filter,
    writer: Option<EventWriter>,
    tally: Option<FieldSel>,
    /// Record per-item marks (only `--checkpoint` needs them).
    marks: bool,
}

impl Sink<Verdict> for SearchSink<'_> {
    type Part = Tally;
    type Out = Out;

    fn part(&self) -> Tally {
        Tally::new()
    }

    fn event(&self, tally: &mut Tally, ev: &Event, v: Verdict, out: &mut Out) {
        if out.done {
            return;
        }
        // Without a gate, --just-one needs nothing after the first match
        // of the batch (the ordered stage stops after it).
        if self.a.just_one && out.matched > 0 && !self.marks {
            out.done = true;
            return;
        }
        let kind = match v {
            Verdict::Skip => Kind::Skipped,
            Verdict::Hidden(f) => {
                out.hidden += 1;
                if out.first_hidden.is_none() {
                    let (source, line) = ev.origin();
                    out.first_hidden = Some(HiddenAt {
                        source,
                        line: if line > 0 { line + f.record as u64 } else { 0 },
                        event: ev.id().to_string(),
                        code: f.code,
                    });
                }
                Kind::Skipped
            }
            Verdict::Print => {
                if let Some(sel) = &self.tally {
                    let view = EventView::new(ev);
                    let names = Names {
                        ids: self.filter.names(),
                    };
                    let mut vals = sel.values(&view, &names);
                    if vals.is_empty() {
                        vals.push(b"(absent)".to_vec());
                    }
                    for v in vals {
                        *tally.entry(v).or_default() += 1;
                    }
                } else if let Some(w) = &self.writer {
                    let before = out.buf.len();
                    w.write(ev, &mut out.buf);
                    out.printed |= out.buf.len() > before;
                }
                out.matched += 1;
                Kind::Matched
            }
        };
        if self.marks {
            out.marks.push((out.buf.len(), kind));
        }
    }

    fn unparsed(&self, _: &mut Tally, pc: &ParsedChunk, u: &Unparsed, out: &mut Out) {
        if out.done {
            return;
        }
        if self.a.debug {
            out.debug.push((pc.chunk.source, u.line_no, u.why));
        }
        if self.a.keep_unparsed {
            out.buf.extend_from_slice(pc.unparsed_line(u));
            out.buf.push(b'\n');
        }
        if self.marks {
            out.marks.push((out.buf.len(), Kind::Unparsed));
        }
    }

    fn clear(&self, out: &mut Out) {
        out.buf.clear();
        out.matched = 0;
        out.printed = false;
        out.done = false;
        out.marks.clear();
        out.debug.clear();
        out.hidden = 0;
        out.first_hidden = None;
    }
}

/// Source names and real line numbers for messages.
struct Places<'p> {
    plan: &'p Plan,
    names: Vec<String>,
    /// Lines before each source's seek offset, counted on first need.
    bases: Vec<Option<u64>>,
}

impl Places<'_> {
    fn name(&self, src: u32) -> &str {
        self.names.get(src as usize).map_or("?", String::as_str)
    }

    /// The file's own number of a line counted from where reading began.
    fn line(&mut self, src: u32, line: u64) -> u64 {
        let Some(p) = self.plan.read.get(src as usize) else {
            return line;
        };
        let i = src as usize;
        if self.bases.len() <= i {
            self.bases.resize(i + 1, None);
        }
        let base = *self.bases[i].get_or_insert_with(|| p.lines_before_offset().unwrap_or(0));
        line + base
    }
}

/// The ordered stage of a search: output in log order, the checkpoint.
struct Writer<'a, 'p, W: Write> {
    a: &'a SearchArgs,
    w: W,
    header: Option<Vec<u8>>,
    found: u64,
    progress: Progress,
    gate: Option<Gate>,
    last: Option<LastEvent>,
    corrupted: bool,
    err: Option<io::Error>,
    hidden: u64,
    first_hidden: Option<String>,
    debug_lines: Vec<String>,
    places: Places<'p>,
    report: Arc<Report>,
}

impl<W: Write> Writer<'_, '_, W> {
    fn write(&mut self, bytes: &[u8], with_header: bool) -> io::Result<()> {
        if with_header {
            if let Some(h) = self.header.take() {
                self.w.write_all(&h)?;
            }
        }
        self.w.write_all(bytes)
    }

    /// `--checkpoint`: event by event, as the gate decides.
    fn gated(&mut self, out: &Out, items: &[Item]) -> io::Result<()> {
        let mut start = 0usize;
        let mut keep: Vec<u8> = Vec::new();
        let mut printed = false;
        for (it, &(end, kind)) in items.iter().zip(&out.marks) {
            let span = &out.buf[start..end];
            start = end;
            let Item::Event(ev) = it else {
                keep.extend_from_slice(span);
                continue;
            };
            if self.corrupted || (self.a.just_one && self.found > 0) {
                continue;
            }
            let le = last_event_of(ev);
            if kind == Kind::Matched {
                match self
                    .gate
                    .as_mut()
                    .map_or(Decision::Output, |g| g.decide(&le))
                {
                    Decision::Output => {
                        self.found += 1;
                        printed |= !span.is_empty();
                        keep.extend_from_slice(span);
                    }
                    Decision::Corrupted => {
                        eprintln!(
                            "Corrupted checkpoint file. Inode match, but newer complete event ({}) found before loaded checkpoint",
                            ev.id()
                        );
                        self.corrupted = true;
                        continue;
                    }
                    _ => {}
                }
            }
            self.last = Some(le);
        }
        if !keep.is_empty() {
            self.write(&keep, printed)?;
        }
        Ok(())
    }
}

impl<W: Write> Ordered<Out> for Writer<'_, '_, W> {
    fn wants_items(&self) -> bool {
        self.gate.is_some()
    }

    fn batch(&mut self, out: &mut Out, items: &[Item]) -> Flow {
        self.progress.tick();
        self.hidden += out.hidden;
        if let (None, Some(h)) = (&self.first_hidden, &out.first_hidden) {
            let name = self.places.name(h.source).to_string();
            let loc = if h.line > 0 {
                format!("{name}:{}", self.places.line(h.source, h.line))
            } else {
                format!("{name}, event {}", h.event)
            };
            self.first_hidden = Some(format!("{loc}, parser code {}", h.code));
        }
        for &(src, line, why) in &out.debug {
            let line = self.places.line(src, line);
            let l = format!("{}:{line}: {why}", self.places.name(src));
            if self.a.follow {
                eprintln!("auditkit: skipped {l}");
            } else {
                self.debug_lines.push(l);
            }
        }
        let res = if self.gate.is_some() {
            self.gated(out, items)
        } else {
            self.found += out.matched;
            self.write(&out.buf, out.printed)
        };
        let res = res.and_then(|()| {
            if self.a.follow || self.a.line_buffered {
                self.w.flush()?;
            }
            Ok(())
        });
        if self.a.follow {
            for e in self.report.take_errors() {
                eprintln!("auditkit: error: {e}");
            }
        }
        if let Err(e) = res {
            self.err = Some(e);
            return Flow::Stop;
        }
        if self.corrupted || (self.a.just_one && self.found > 0) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}

/// Entry point; returns the exit status.
pub fn main(args: &[OsString]) -> Result<Exit> {
    if args.is_empty() {
        print!("{}", search_args::HELP);
        return Ok(Exit::NotFound);
    }
    let a = match search_args::parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{}", e.0);
            return Ok(Exit::NotFound);
        }
    };
    if a.help {
        print!("{}", search_args::HELP);
        return Ok(Exit::Ok);
    }
    if a.version {
        println!("auditkit search version {}", env!("CARGO_PKG_VERSION"));
        return Ok(Exit::Ok);
    }
    let filter = Filter::new(&a)?;
    let tally = match &a.count_by {
        Some(f) => Some(
            lang::compile_field(f).map_err(|e| anyhow::anyhow!("--count-by: {}", e.render(f)))?,
        ),
        None => None,
    };
    let writer = if a.count || tally.is_some() {
        None
    } else {
        Some(EventWriter::new(&a)?)
    };
    if let Some(url) = &a.input.clickhouse {
        crate::search_clickhouse::fetch(&a, url)?;
    }
    let mut sources = a.input.sources()?;
    auditkit_output::time::init();

    // Checkpoint: load it, and start at the checkpointed file.
    let mut gate = None;
    if let Some(path) = &a.checkpoint {
        let loaded = match checkpoint::load(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{e}");
                return Ok(Exit::CheckpointBad);
            }
        };
        if let Some(cp) = &loaded {
            if !a.input.checkpoint_time_only && sources.len() > 1 {
                let pos = sources.iter().position(|s| match s {
                    Source::File(p) => {
                        std::fs::metadata(p).is_ok_and(|m| m.dev() == cp.dev && m.ino() == cp.ino)
                    }
                    Source::Stdin => false,
                });
                match pos {
                    Some(i) => sources.drain(..i).for_each(drop),
                    None => return Ok(Exit::CheckpointBad),
                }
            }
        }
        gate = Some(Gate::new(
            loaded.map(|c| c.last),
            a.input.checkpoint_time_only,
        ));
    }

    let plan = plan::plan(sources, a.input.start_time);
    let mut names = plan.names();
    let last_file = plan.read.iter().rev().find_map(|p| match &p.source {
        Source::File(f) => Some(f.clone()),
        Source::Stdin => None,
    });
    let reads_stdin = plan.read.iter().any(|p| matches!(p.source, Source::Stdin));
    let skipped = plan.skipped.len();
    let report = Arc::new(Report::default());
    let opts = a.input.read_options();
    let total = plan.total_bytes();
    if a.follow {
        // A rotated-in successor of the followed file is a source of its
        // own (numbered from line 1), with the same name.
        if let Some(p) = plan.read.last() {
            names.push(p.source.display());
        }
    }
    // A checkpoint remembers the last event, matching or not: it must see
    // them all, so it gets no prefilter.
    let prefilter = if gate.is_none() {
        filter.prefilter().map(Arc::new)
    } else {
        None
    };
    let cfg = pipeline::Config {
        live: a.follow,
        complete_at_end: gate.is_none(),
        group_by_id: groups_by_id(a.format),
        prefilter,
        ..a.input.config()
    };
    let header = writer.as_ref().and_then(EventWriter::header);
    let sink = SearchSink {
        a: &a,
        filter: &filter,
        writer,
        tally,
        marks: gate.is_some(),
    };
    let stdout = io::stdout();
    let show_progress = !a.no_progress && !a.follow && gate.is_none();
    let mut out = Writer {
        a: &a,
        w: io::BufWriter::with_capacity(256 * 1024, stdout.lock()),
        header,
        found: 0,
        progress: Progress::new(report.clone(), total, show_progress),
        gate,
        last: None,
        corrupted: false,
        err: None,
        hidden: 0,
        first_hidden: None,
        debug_lines: Vec::new(),
        places: Places {
            plan: &plan,
            names,
            bases: Vec::new(),
        },
        report: report.clone(),
    };
    let (o, follow, rep) = (opts.clone(), a.follow, report.clone());
    let done = engine::run(&plan, o, follow, rep, &cfg, &filter, &sink, &mut out)?;
    out.progress.finish();
    if let Some(e) = out.err.take() {
        return Err(e.into());
    }
    let found = out.found;
    if a.count {
        writeln!(out.w, "{found}")?;
    }
    if sink.tally.is_some() {
        // Merge the workers' tallies.
        let mut counts = Tally::new();
        for part in done.parts {
            for (v, n) in part {
                *counts.entry(v).or_default() += n;
            }
        }
        let mut rows: Vec<(Vec<u8>, u64)> = counts.into_iter().collect();
        rows.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        for (v, n) in rows {
            write!(out.w, "{n:>7} ")?;
            out.w.write_all(&v)?;
            out.w.write_all(b"\n")?;
        }
    }
    out.w.flush()?;
    for l in &out.debug_lines {
        eprintln!("auditkit: skipped {l}");
    }
    for l in report.take_long_lines() {
        let name = out.places.name(l.source).to_string();
        let at = (out.places.plan.read.get(l.source as usize))
            .and_then(|p| input::lines_before(&p.source, l.offset));
        let at = match at {
            Some(n) => format!("{name}:{}", n + 1),
            None => format!("{name}, byte {}", l.offset),
        };
        eprintln!(
            "auditkit: {at}: a line of {} bytes was cut to {} bytes (longer than any audit record)",
            l.len, opts.max_line
        );
    }
    let kept = LONG_LINES_KEPT as u64;
    if report.long_line_count() > kept {
        eprintln!(
            "auditkit: {} more line(s) were cut",
            report.long_line_count() - kept
        );
    }

    if out.hidden > 0 {
        eprintln!(
            "auditkit: {} matching event(s) were not printed because ausearch 3.0.9 cannot \
             parse them (first: {}); --all-events prints them",
            out.hidden,
            out.first_hidden.clone().unwrap_or_default()
        );
    }
    let unparsed = done.stats.unparsed;
    if unparsed > 0 {
        eprintln!(
            "auditkit: {unparsed} line(s) were not audit records and were skipped; \
             --debug lists them, --keep-unparsed prints them"
        );
    }
    if a.stats || a.debug {
        eprintln!(
            "auditkit: read {} bytes from {} file(s), skipped {} file(s) before the start time",
            report.bytes(),
            plan.read.len(),
            skipped
        );
    }
    let errs = report.take_errors();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    let mut code = if out.corrupted {
        Exit::CheckpointCorrupt
    } else {
        Exit::Ok
    };
    if let (Some(path), Exit::Ok) = (&a.checkpoint, code) {
        if reads_stdin {
            eprint!("Warning - checkpointing stdin is not supported");
        } else {
            code = save_checkpoint(
                path,
                last_file.as_deref(),
                out.last.take().unwrap_or_default(),
            );
        }
    }
    if code != Exit::Ok {
        return Ok(code);
    }
    if found == 0 {
        if a.format != Format::Raw && !a.count && a.count_by.is_none() {
            eprintln!("<no matches>");
        }
        return Ok(Exit::NotFound);
    }
    Ok(if errs.is_empty() {
        Exit::Ok
    } else {
        Exit::NotFound
    })
}

fn save_checkpoint(
    path: &std::path::Path,
    last_file: Option<&std::path::Path>,
    last: LastEvent,
) -> Exit {
    let Some(file) = last_file else {
        return Exit::Ok;
    };
    let md = match std::fs::metadata(file) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "Cannot stat audit file for checkpoint details - {}: {e}",
                file.display()
            );
            return Exit::CheckpointSave;
        }
    };
    let cp = Checkpoint {
        dev: md.dev(),
        ino: md.ino(),
        last,
    };
    match std::fs::write(path, checkpoint::render(&cp)) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("Cannot open checkpoint file - {}: {e}", path.display());
            Exit::CheckpointSave
        }
    }
}

fn last_event_of(ev: &Event) -> LastEvent {
    let id = ev.id();
    LastEvent {
        node: ev.node().map(<[u8]>::to_vec),
        sec: id.sec,
        milli: id.msec,
        serial: id.serial,
        rtype: ev.record(0).map_or(RecordType(0), |r| r.rtype()),
    }
}

/// Whether a format groups records by id (the native ones) or keeps
/// ausearch's grouping, splits included (the ausearch formats, whose
/// output must be byte-identical to its). docs/differences.md says so.
fn groups_by_id(f: Format) -> bool {
    matches!(f, Format::Json)
}
