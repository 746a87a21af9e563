//! `auditkit search`: read, assemble, filter, write.
//!
//! Two drivers share the filter and the writers: the parallel pipeline of
//! `auditkit_event::pipeline` for ordinary searches, and a sequential loop
//! for `--checkpoint` (which must see every complete event in order and
//! must not complete the events still open at the end, as ausearch) and
//! `--follow` (which never ends).

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Result};
use auditkit_event::chunk::parse_chunk;
use auditkit_event::pipeline::{self, Batch, Item};
use auditkit_event::{Assembler, Chunk, Event};
use auditkit_query::checkpoint::{self, Checkpoint, Decision, Gate, LastEvent};
use auditkit_query::lang::{self, EventView, FieldSel, Names};

use crate::filter::{Filter, Verdict};
use crate::format::EventWriter;
use crate::input::{self, Source};
use crate::progress::Progress;
use crate::reader::{self, PlannedBlocks};
use crate::search_args::{self, Format, SearchArgs};

/// `--count-by`: value -> number of matching events.
type Tally = HashMap<Vec<u8>, u64>;

/// What the filters and writers share across threads.
struct Shared<'a> {
    a: &'a SearchArgs,
    filter: Filter,
    writer: Option<EventWriter>,
    tally: Option<(FieldSel, Mutex<Tally>)>,
    hidden: AtomicU64,
    first_hidden: Mutex<Option<String>>,
    names: Vec<String>,
    /// Written once before the first matching event (the csv header).
    header: Mutex<Option<Vec<u8>>>,
}

impl Shared<'_> {
    /// The pending header, once.
    fn take_header(&self) -> Option<Vec<u8>> {
        self.header.lock().ok().and_then(|mut h| h.take())
    }

    /// Filter one event and write it; returns whether it counts as found.
    fn handle(&self, ev: &Event, out: &mut Vec<u8>) -> bool {
        match self.filter.check(ev) {
            Verdict::Skip => false,
            Verdict::Hidden(f) => {
                self.hidden.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut fh) = self.first_hidden.lock() {
                    if fh.is_none() {
                        let (src, line) = ev.origin();
                        let name = self.names.get(src as usize).map_or("?", String::as_str);
                        let loc = if line > 0 {
                            format!("{name}:{}", line + f.record as u64)
                        } else {
                            format!("{name}, event {}", ev.id())
                        };
                        *fh = Some(format!("{loc}, parser code {}", f.code));
                    }
                }
                false
            }
            Verdict::Print => {
                if let Some((sel, counts)) = &self.tally {
                    let view = EventView::new(ev);
                    let names = Names {
                        ids: self.filter.names(),
                    };
                    let mut vals = sel.values(&view, &names);
                    if vals.is_empty() {
                        vals.push(b"(absent)".to_vec());
                    }
                    if let Ok(mut c) = counts.lock() {
                        for v in vals {
                            *c.entry(v).or_default() += 1;
                        }
                    }
                } else if let Some(w) = &self.writer {
                    w.write(ev, out);
                }
                true
            }
        }
    }
}

/// Entry point; returns the exit code.
pub fn main(args: &[OsString]) -> Result<u8> {
    if args.is_empty() {
        print!("{}", search_args::HELP);
        return Ok(1);
    }
    let a = match search_args::parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{}", e.0);
            return Ok(1);
        }
    };
    if a.help {
        print!("{}", search_args::HELP);
        return Ok(0);
    }
    if a.version {
        println!("auditkit search version {}", env!("CARGO_PKG_VERSION"));
        return Ok(0);
    }
    let filter = Filter::new(&a)?;
    let tally = match &a.count_by {
        Some(f) => Some((
            lang::compile_field(f).map_err(|e| anyhow::anyhow!("--count-by: {}", e.render(f)))?,
            Mutex::new(HashMap::new()),
        )),
        None => None,
    };
    let writer = if a.count || tally.is_some() {
        None
    } else {
        Some(EventWriter::new(&a)?)
    };
    let mut sources = choose_sources(&a)?;
    auditkit_output::time::init();

    // Checkpoint: load it, and start at the checkpointed file.
    let mut gate = None;
    if let Some(path) = &a.checkpoint {
        let loaded = match checkpoint::load(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{e}");
                return Ok(10);
            }
        };
        if let Some(cp) = &loaded {
            if !a.checkpoint_time_only && sources.len() > 1 {
                let pos = sources.iter().position(|s| match s {
                    Source::File(p) => {
                        std::fs::metadata(p).is_ok_and(|m| m.dev() == cp.dev && m.ino() == cp.ino)
                    }
                    Source::Stdin => false,
                });
                match pos {
                    Some(i) => sources.drain(..i).for_each(drop),
                    None => return Ok(10),
                }
            }
        }
        gate = Some(Gate::new(loaded.map(|c| c.last), a.checkpoint_time_only));
    }

    let plan = reader::plan(sources, a.criteria.start_time);
    let names: Vec<String> = plan.read.iter().map(|p| p.source.display()).collect();
    let last_file = plan.read.iter().rev().find_map(|p| match &p.source {
        Source::File(f) => Some(f.clone()),
        Source::Stdin => None,
    });
    let reads_stdin = plan.read.iter().any(|p| matches!(p.source, Source::Stdin));
    let skipped = plan.skipped.len();
    let blocks = PlannedBlocks::new(plan.read.clone());
    let errors = blocks.errors.clone();
    let bytes = blocks.bytes.clone();
    let shared = Shared {
        a: &a,
        filter,
        writer,
        tally,
        hidden: AtomicU64::new(0),
        first_hidden: Mutex::new(None),
        names,
        header: Mutex::new(None),
    };
    if let Some(h) = shared.writer.as_ref().and_then(EventWriter::header) {
        if let Ok(mut slot) = shared.header.lock() {
            *slot = Some(h);
        }
    }
    let time_range = (a.criteria.start_time != 0 || a.criteria.end_time != 0).then(|| {
        let hi = if a.criteria.end_time == 0 {
            u64::MAX
        } else {
            a.criteria.end_time.max(0) as u64
        };
        (a.criteria.start_time.max(0) as u64, hi)
    });
    let stdout = io::stdout();
    let mut w = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let (found, unparsed, code, last_seen) = if gate.is_some() || a.follow {
        let follow_from = if a.follow {
            last_file.clone().map(|p| {
                let len = std::fs::metadata(&p).map_or(0, |m| m.len());
                (p, len)
            })
        } else {
            None
        };
        let follow = follow_from.map(|(p, len)| {
            crate::follow::Follow::new(p, len, shared.names.len().saturating_sub(1) as u32)
        });
        let chunks: Box<dyn Iterator<Item = Chunk>> = match follow {
            Some(f) => Box::new(blocks.chain(f)),
            None => Box::new(blocks),
        };
        sequential(&shared, chunks, time_range, gate.as_mut(), &mut w)?
    } else {
        parallel(&shared, blocks, time_range, &mut w)?
    };
    if a.count {
        writeln!(w, "{found}")?;
    }
    if let Some((_, counts)) = &shared.tally {
        let counts = counts.lock().map(|c| c.clone()).unwrap_or_default();
        let mut rows: Vec<(Vec<u8>, u64)> = counts.into_iter().collect();
        rows.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        for (v, n) in rows {
            write!(w, "{n:>7} ")?;
            w.write_all(&v)?;
            w.write_all(b"\n")?;
        }
    }
    w.flush()?;
    drop(w);

    let hidden = shared.hidden.load(Ordering::Relaxed);
    if hidden > 0 {
        let first = shared
            .first_hidden
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .unwrap_or_default();
        eprintln!(
            "auditkit: {hidden} matching event(s) were not printed because ausearch 3.0.9 cannot \
             parse them (first: {first}); --all-events prints them"
        );
    }
    if unparsed > 0 {
        eprintln!(
            "auditkit: {unparsed} line(s) were not audit records and were skipped; \
             --debug lists them, --keep-unparsed prints them"
        );
    }
    if a.stats || a.debug {
        eprintln!(
            "auditkit: read {} bytes from {} file(s), skipped {} file(s) before the start time",
            bytes.load(Ordering::Relaxed),
            shared.names.len(),
            skipped
        );
    }
    let errs = errors.lock().map(|e| e.clone()).unwrap_or_default();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    let mut code = code;
    if let (Some(path), 0) = (&a.checkpoint, code) {
        if reads_stdin {
            eprint!("Warning - checkpointing stdin is not supported");
        } else {
            code = save_checkpoint(
                path,
                last_file.as_deref(),
                last_seen.clone().unwrap_or_default(),
            );
        }
    }
    if code != 0 {
        return Ok(code);
    }
    if found == 0 {
        if a.format != Format::Raw && !a.count && a.count_by.is_none() {
            eprintln!("<no matches>");
        }
        return Ok(1);
    }
    Ok(if errs.is_empty() { 0 } else { 1 })
}

fn save_checkpoint(
    path: &std::path::Path,
    last_file: Option<&std::path::Path>,
    last: LastEvent,
) -> u8 {
    let Some(file) = last_file else {
        return 0;
    };
    let md = match std::fs::metadata(file) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "Cannot stat audit file for checkpoint details - {}: {e}",
                file.display()
            );
            return 11;
        }
    };
    let cp = Checkpoint {
        dev: md.dev(),
        ino: md.ino(),
        last,
    };
    match std::fs::write(path, checkpoint::render(&cp)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Cannot open checkpoint file - {}: {e}", path.display());
            11
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
        rtype: ev.record(0).map_or(0, |r| r.rtype() as u32),
    }
}

type Run = (u64, u64, u8, Option<LastEvent>);

/// Whether a format groups records by id (the native ones) or keeps
/// ausearch's grouping, splits included (the ausearch formats, whose
/// output must be byte-identical to its). docs/differences.md says so.
fn groups_by_id(f: Format) -> bool {
    matches!(f, Format::Json)
}

/// Checkpoint and follow: one thread, events in order; at the end the
/// open events are completed only when not checkpointing (ausearch).
fn sequential(
    s: &Shared,
    chunks: Box<dyn Iterator<Item = Chunk> + '_>,
    range: Option<(u64, u64)>,
    mut gate: Option<&mut Gate>,
    w: &mut impl Write,
) -> Result<Run> {
    let a = s.a;
    let checkpointing = gate.is_some();
    let timeout = a
        .eoe_timeout
        .unwrap_or(auditkit_event::assemble::DEFAULT_EOE_TIMEOUT);
    let mut asm = Assembler::new(timeout);
    asm.group_by_id = groups_by_id(a.format);
    let mut found = 0u64;
    let mut unparsed = 0u64;
    let mut out = Vec::with_capacity(64 * 1024);
    let corrupted = std::cell::Cell::new(false);
    let last = std::cell::RefCell::new(None);
    let mut idle = std::time::Instant::now();
    let mut handle = |ev: Event, out: &mut Vec<u8>, found: &mut u64| {
        if corrupted.get() || (a.just_one && *found > 0) {
            return;
        }
        let le = last_event_of(&ev);
        let mut sink = Vec::new();
        if s.handle(&ev, &mut sink) {
            let decision = gate.as_mut().map_or(Decision::Output, |g| g.decide(&le));
            match decision {
                Decision::Output => {
                    *found += 1;
                    out.extend_from_slice(&sink);
                }
                Decision::Corrupted => {
                    eprintln!(
                        "Corrupted checkpoint file. Inode match, but newer complete event ({}) found before loaded checkpoint",
                        ev.id()
                    );
                    corrupted.set(true);
                    return;
                }
                _ => {}
            }
        }
        *last.borrow_mut() = Some(le);
    };
    for chunk in chunks {
        if chunk.data.is_empty() {
            // --follow tick: complete events that waited long enough.
            if idle.elapsed().as_secs() >= timeout {
                asm.finish(&mut |e| handle(e, &mut out, &mut found));
                idle = std::time::Instant::now();
            }
        } else {
            idle = std::time::Instant::now();
            let mut st = pipeline::Stats::default();
            asm.push_parsed(parse_chunk(chunk), range, &mut st, &mut |it| match it {
                Item::Event(e) => handle(e, &mut out, &mut found),
                Item::Unparsed(ref pc, u) => {
                    if a.debug {
                        let name = s
                            .names
                            .get(pc.chunk.source as usize)
                            .map_or("?", String::as_str);
                        eprintln!("auditkit: skipped {name}:{}: {}", u.line_no, u.why);
                    }
                    if a.keep_unparsed {
                        if let Some(line) = it.unparsed_line() {
                            out.extend_from_slice(line);
                            out.push(b'\n');
                        }
                    }
                }
            });
            unparsed += st.unparsed;
        }
        if !out.is_empty() {
            if let Some(h) = s.take_header() {
                w.write_all(&h)?;
            }
            w.write_all(&out)?;
            out.clear();
            if a.follow || a.line_buffered {
                w.flush()?;
            }
        }
        if corrupted.get() || (a.just_one && found > 0) {
            break;
        }
    }
    if !checkpointing {
        asm.finish(&mut |e| handle(e, &mut out, &mut found));
    }
    if !out.is_empty() {
        if let Some(h) = s.take_header() {
            w.write_all(&h)?;
        }
    }
    w.write_all(&out)?;
    let code = if corrupted.get() { 12 } else { 0 };
    Ok((found, unparsed, code, last.into_inner()))
}

fn parallel(
    s: &Shared,
    blocks: PlannedBlocks,
    range: Option<(u64, u64)>,
    w: &mut impl Write,
) -> Result<Run> {
    let a = s.a;
    let cfg = pipeline::Config {
        threads: a.threads,
        eoe_timeout: a
            .eoe_timeout
            .unwrap_or(auditkit_event::assemble::DEFAULT_EOE_TIMEOUT),
        time_range: range,
        group_by_id: groups_by_id(a.format),
        ..Default::default()
    };
    let debug_lines: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let format = |items: &[Item], out: &mut Vec<u8>| -> u64 {
        let mut matched = 0;
        for it in items {
            match it {
                Item::Event(ev) => {
                    if a.just_one && matched > 0 {
                        break;
                    }
                    if s.handle(ev, out) {
                        matched += 1;
                    }
                }
                Item::Unparsed(pc, u) => {
                    if a.debug {
                        let name = s
                            .names
                            .get(pc.chunk.source as usize)
                            .map_or("?", String::as_str);
                        if let Ok(mut d) = debug_lines.lock() {
                            d.push(format!("{name}:{}: {}", u.line_no, u.why));
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
    let mut found = 0u64;
    let mut write_err: Option<io::Error> = None;
    let mut progress = Progress::new(blocks.bytes.clone(), blocks.total_bytes(), !a.no_progress);
    let stats = pipeline::run(&cfg, blocks, format, |b: &Batch| {
        progress.tick();
        if b.matched > 0 {
            if let Some(h) = s.take_header() {
                if let Err(e) = w.write_all(&h) {
                    write_err = Some(e);
                    return false;
                }
            }
        }
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
    progress.finish();
    if let Some(e) = write_err {
        return Err(e.into());
    }
    if let Ok(d) = debug_lines.lock() {
        for l in d.iter() {
            eprintln!("auditkit: skipped {l}");
        }
    }
    Ok((found, stats.unparsed, 0, None))
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
