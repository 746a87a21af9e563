//! The parallel pipeline: parse on all cores, assemble in order, format on
//! all cores, write in order.
//!
//! ```text
//!  caller's blocks ─► parse workers (N) ─► assembler ─► format workers (N) ─► caller's sink
//!                      round robin          1 thread     batches, round robin   in order
//! ```
//!
//! Round-robin hand-off with one bounded channel per worker keeps the
//! output order deterministic (the order ausearch prints) without any
//! reordering buffer, and the channel bounds cap how much input is in
//! flight, which is what keeps memory flat whatever the file size. The
//! library does no I/O: blocks come from an iterator and output goes to a
//! closure, both supplied by the caller.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::assemble::Assembler;
use crate::chunk::{parse_chunk, Chunk, ParsedChunk, Unparsed};
use crate::event::Event;

/// What flows from the assembler to the formatters.
#[derive(Debug)]
pub enum Item {
    /// A complete event.
    Event(Event),
    /// A line that is not a record, at the place it was read.
    Unparsed(Arc<ParsedChunk>, Unparsed),
}

impl Item {
    /// The text of an unparsed line.
    pub fn unparsed_line(&self) -> Option<&[u8]> {
        match self {
            Item::Unparsed(pc, u) => Some(pc.unparsed_line(u)),
            Item::Event(_) => None,
        }
    }
}

/// Settings of a pipeline run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Worker threads per stage (parse, format). 0 means the number of CPUs.
    pub threads: usize,
    /// End-of-event timeout in seconds (auditd.conf `end_of_event_timeout`).
    pub eoe_timeout: u64,
    /// Events per batch handed to a formatter.
    pub batch: usize,
    /// Keep only records whose `sec` is inside this inclusive range, before
    /// assembly (ausearch's `-ts`/`-te` semantics).
    pub time_range: Option<(u64, u64)>,
    /// Group records by id for the native outputs instead of keeping
    /// ausearch's splits (see [`Assembler::grouping_by_id`]).
    pub group_by_id: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threads: 0,
            eoe_timeout: crate::assemble::DEFAULT_EOE_TIMEOUT,
            batch: 512,
            time_range: None,
            group_by_id: false,
        }
    }
}

/// Counters of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read.
    pub lines: u64,
    /// Lines that were records.
    pub records: u64,
    /// Records dropped by the time range.
    pub out_of_range: u64,
    /// Events assembled.
    pub events: u64,
    /// Lines that were not records (not counting blank and `#` lines).
    pub unparsed: u64,
    /// Blank lines.
    pub blank: u64,
    /// `#` comment lines.
    pub comments: u64,
    /// ausearch's event separator lines (`----`, `time->...`).
    pub separators: u64,
    /// Standalone EOE records dropped.
    pub dropped_eoe: u64,
    /// Events completed early by the open-event bound.
    pub forced: u64,
}

/// Output of a formatter for one batch.
pub struct Batch {
    /// Bytes to write.
    pub out: Vec<u8>,
    /// How many events of the batch matched (the caller's notion).
    pub matched: u64,
}

/// Output buffers handed back by the writer for the formatters to fill
/// again. A batch of JSON is about a megabyte: growing a fresh buffer to
/// that size for every batch copied each byte of output twice more.
struct BufPool {
    bufs: Mutex<Vec<Vec<u8>>>,
    max: usize,
}

impl BufPool {
    fn new(max: usize) -> BufPool {
        BufPool {
            bufs: Mutex::new(Vec::new()),
            max,
        }
    }

    fn take(&self) -> Vec<u8> {
        let b = self.bufs.lock().ok().and_then(|mut v| v.pop());
        b.unwrap_or_else(|| Vec::with_capacity(64 * 1024))
    }

    fn give(&self, mut b: Vec<u8>) {
        b.clear();
        if let Ok(mut v) = self.bufs.lock() {
            if v.len() < self.max {
                v.push(b);
            }
        }
    }
}

/// Spawn a named scoped thread (names show in `top -H` and profilers).
/// Like `Scope::spawn`, it panics if the OS cannot create a thread.
fn spawn_named<'scope, 'env, T, F>(
    scope: &'scope thread::Scope<'scope, 'env>,
    name: &str,
    f: F,
) -> thread::ScopedJoinHandle<'scope, T>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    thread::Builder::new()
        .name(name.to_string())
        .spawn_scoped(scope, f)
        .expect("spawning a pipeline thread")
}

/// Run the pipeline.
///
/// * `blocks` yields newline-aligned chunks in input order.
/// * `format` is called on a worker thread for each batch of items and
///   appends what it wants written to `out`; it returns how many matched.
/// * `sink` receives each batch's output in order on the calling thread
///   (the buffer is reused afterwards); returning `false` stops the run
///   early (e.g. `--just-one`).
pub fn run<B, F, S>(cfg: &Config, blocks: B, format: F, mut sink: S) -> Stats
where
    B: Iterator<Item = Chunk> + Send,
    F: Fn(&[Item], &mut Vec<u8>) -> u64 + Sync,
    S: FnMut(&Batch) -> bool,
{
    let n = if cfg.threads == 0 {
        thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        cfg.threads
    };
    let stop = AtomicBool::new(false);
    let mut stats = Stats::default();
    let pool = BufPool::new(2 * n + 2);
    thread::scope(|scope| {
        // Parse workers.
        let mut to_parse: Vec<SyncSender<Chunk>> = Vec::new();
        let mut parsed_rx: Vec<Receiver<ParsedChunk>> = Vec::new();
        for _ in 0..n {
            let (tx, rx) = sync_channel::<Chunk>(1);
            let (ptx, prx) = sync_channel::<ParsedChunk>(1);
            spawn_named(scope, "ak-parse", move || {
                for c in rx {
                    if ptx.send(parse_chunk(c)).is_err() {
                        break;
                    }
                }
            });
            to_parse.push(tx);
            parsed_rx.push(prx);
        }
        // Reader: hand blocks out round robin.
        let stop_r = &stop;
        spawn_named(scope, "ak-read", move || {
            for (i, c) in blocks.enumerate() {
                if stop_r.load(Ordering::Relaxed) {
                    break;
                }
                if to_parse[i % n].send(c).is_err() {
                    break;
                }
            }
        });
        // Format workers.
        let mut to_fmt: Vec<SyncSender<Vec<Item>>> = Vec::new();
        let mut fmt_rx: Vec<Receiver<Batch>> = Vec::new();
        let pool = &pool;
        for _ in 0..n {
            let (tx, rx) = sync_channel::<Vec<Item>>(1);
            let (btx, brx) = sync_channel::<Batch>(1);
            let format = &format;
            spawn_named(scope, "ak-format", move || {
                for items in rx {
                    let mut out = pool.take();
                    let matched = format(&items, &mut out);
                    drop(items);
                    if btx.send(Batch { out, matched }).is_err() {
                        break;
                    }
                }
            });
            to_fmt.push(tx);
            fmt_rx.push(brx);
        }
        // Assembler.
        let stop_a = &stop;
        let batch_size = cfg.batch.max(1);
        let range = cfg.time_range;
        let timeout = cfg.eoe_timeout;
        let group_by_id = cfg.group_by_id;
        let asm_thread = spawn_named(scope, "ak-assemble", move || {
            let mut st = Stats::default();
            let mut events = 0u64;
            let mut asm = Assembler::new(timeout);
            asm.group_by_id = group_by_id;
            let mut batch: Vec<Item> = Vec::with_capacity(batch_size);
            let mut next_fmt = 0usize;
            let mut closed = false;
            // A time-out can release thousands of held events at once:
            // batches are cut and sent as they fill, so no batch (and no
            // formatted output buffer) grows without bound.
            let mut add = |it: Item, batch: &mut Vec<Item>| {
                if matches!(it, Item::Event(_)) {
                    events += 1;
                }
                batch.push(it);
                if batch.len() >= batch_size && !closed {
                    let b = std::mem::replace(batch, Vec::with_capacity(batch_size));
                    closed = to_fmt[next_fmt % n].send(b).is_err();
                    next_fmt += 1;
                }
                closed
            };
            for i in 0.. {
                let Ok(pc) = parsed_rx[i % n].recv() else {
                    break;
                };
                if stop_a.load(Ordering::Relaxed) {
                    break;
                }
                let mut done = false;
                asm.push_parsed(pc, range, &mut st, &mut |it| done = add(it, &mut batch));
                if done {
                    break;
                }
            }
            asm.finish(&mut |e| {
                add(Item::Event(e), &mut batch);
            });
            if !batch.is_empty() && !closed {
                let _ = to_fmt[next_fmt % n].send(std::mem::take(&mut batch));
            }
            st.events = events;
            st.dropped_eoe = asm.dropped_eoe();
            st.forced = asm.forced();
            st
        });
        // Writer: in order, on this thread.
        let mut i = 0usize;
        while let Ok(b) = fmt_rx[i % n].recv() {
            i += 1;
            if !stop.load(Ordering::Relaxed) && !sink(&b) {
                stop.store(true, Ordering::Relaxed);
                break;
            }
            pool.give(b.out);
        }
        stop.store(true, Ordering::Relaxed);
        drop(fmt_rx);
        stats = asm_thread.join().unwrap_or_default();
    });
    stats
}
