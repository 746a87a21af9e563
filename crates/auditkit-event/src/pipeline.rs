//! The engine: parse on all cores, assemble in order, filter and sink on
//! all cores, and an ordered stage in log order.
//!
//! ```text
//!  chunks ─► parse workers (N) ─► assembler ─► workers (N): Filter + Sink ─► Ordered stage
//!            round robin          1 thread     batches, round robin,         in order, on the
//!                                              one Sink::Part each            caller's thread
//! ```
//!
//! Every command that reads events is this one run with a different
//! consumer ([`run`]'s `sink` and `ordered`):
//!
//! * a [`Sink`] sees the events of a batch on a worker. Its per-worker
//!   [`Part`](Sink::Part) (a tally, report counts) needs no lock and is
//!   handed back at the end to be merged; what must come out in order
//!   (formatted text) goes into the batch's [`Out`](Sink::Out);
//! * an [`Ordered`] stage sees each batch's `Out` (and, if it asks, its
//!   events) in log order: writing output, detection with process state,
//!   checkpoints, a store and its acknowledgements.
//!
//! Round-robin hand-off with one bounded channel per worker keeps the
//! order deterministic (the order ausearch prints) without a reordering
//! buffer, and the channel bounds cap how much input is in flight, which
//! keeps memory flat whatever the input size. The sink is called per
//! event through generics (no `dyn` per event); the per-batch costs are a
//! channel send and a recycled `Out` from a small pool.
//!
//! Why the engine is here and not in `auditkit-source`: it needs only
//! chunks in and a consumer out, no file system, so it stays with the
//! parser and assembler it drives, pure and testable on bytes; the source
//! crate depends on this one (for [`Chunk`]) and feeds it, and so will TCP
//! frames and netlink. Threads are not I/O: the library still reads and
//! writes nothing.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::assemble::Assembler;
use crate::chunk::{parse_chunk, Chunk, ParsedChunk, Unparsed};
use crate::event::Event;
pub use crate::item::{Item, Stats};
use crate::prefilter::Prefilter;

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
    /// A followed input: every chunk's events go to the sink at once
    /// (partial batches), and an empty chunk is a clock tick that
    /// completes events older than `eoe_timeout` by the wall clock.
    pub live: bool,
    /// Complete the events still open at the end of input (true, as
    /// ausearch does). A checkpointed search leaves them open, as
    /// ausearch does, so the next run sees them whole.
    pub complete_at_end: bool,
    /// Drop the events no query can match before the filter sees them
    /// (see [`crate::prefilter`]): the parse workers mark records, and the
    /// assembler hands on only candidate events. The sink and the ordered
    /// stage then never see the others, so a consumer that must see every
    /// event (a checkpoint that remembers the last one) gives none.
    pub prefilter: Option<Arc<Prefilter>>,
    /// A live run's link with its chunk source (see [`LiveSource`]): the
    /// assembler reports there, after every chunk, whether a tick could
    /// still complete anything, so that the source ticks only then and an
    /// idle run costs no wake-ups; and the engine wakes the source when
    /// the run stops early.
    pub live_source: Option<Arc<LiveSource>>,
}

/// What a live run's engine tells its chunk source.
///
/// * Whether ticks are needed: [`LiveSource::settled`] is the number of
///   non-empty chunks the assembler has taken, when no event is pending
///   after them. A tick (an empty chunk) only completes pending events,
///   and events become pending only from data, so a source that has
///   handed out `n` non-empty chunks and reads `Some(n)` knows that the
///   assembler has seen all of them and holds nothing: it may wait for
///   input without a timeout. Any other answer (older chunks, or events
///   pending) means it must go on ticking.
/// * Whether the run is stopping ([`LiveSource::stopped`]): the ordered
///   stage said [`Flow::Stop`], and the engine called the source's wake
///   function, so that a source waiting without a timeout returns `None`
///   instead of holding the run open until more input comes.
pub struct LiveSource {
    taken: AtomicU64,
    stopped: AtomicBool,
    wake: Box<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for LiveSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSource")
            .field("settled", &self.settled())
            .field("stopped", &self.stopped())
            .finish_non_exhaustive()
    }
}

impl LiveSource {
    /// A link whose source is woken by `wake` when the run stops.
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> LiveSource {
        LiveSource {
            // Nothing taken, nothing pending.
            taken: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            wake: Box::new(wake),
        }
    }

    /// The non-empty chunks the assembler has taken, when nothing is
    /// pending after them.
    pub fn settled(&self) -> Option<u64> {
        match self.taken.load(Ordering::Acquire) {
            u64::MAX => None,
            n => Some(n),
        }
    }

    /// Whether the run is stopping: the source should end.
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    fn set(&self, taken: u64, pending: bool) {
        let v = if pending { u64::MAX } else { taken };
        self.taken.store(v, Ordering::Release);
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        (self.wake)();
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threads: 0,
            eoe_timeout: crate::assemble::DEFAULT_EOE_TIMEOUT,
            batch: 512,
            time_range: None,
            group_by_id: false,
            live: false,
            complete_at_end: true,
            prefilter: None,
            live_source: None,
        }
    }
}

/// Cuts the assembler's items into batches and hands them to the workers
/// round robin. A time-out can release thousands of held events at once:
/// batches are cut and sent as they fill, so no batch (and no output
/// buffer) grows without bound.
struct Batcher<'a> {
    batch: Vec<Item>,
    size: usize,
    to: &'a [SyncSender<Vec<Item>>],
    next: usize,
    closed: bool,
    events: u64,
    /// Drop the events that are not candidates of the prefilter.
    prefiltered: bool,
    /// Events dropped so.
    dropped: u64,
    /// Items added or dropped since the last flush.
    considered: usize,
}

impl Batcher<'_> {
    fn add(&mut self, it: Item) {
        if let Item::Event(ev) = &it {
            if self.prefiltered && !ev.is_candidate() {
                self.dropped += 1;
                // Dropped events count toward the batch as if kept: a
                // batch then spans no more input than without the
                // prefilter, instead of holding the chunks of `size`
                // rare candidates from all over the file.
                self.considered += 1;
                if self.considered >= self.size {
                    self.flush();
                }
                return;
            }
            self.events += 1;
        }
        self.considered += 1;
        self.batch.push(it);
        if self.considered >= self.size {
            self.flush();
        }
    }

    /// Send what is batched (nothing when empty).
    fn flush(&mut self) {
        self.considered = 0;
        if self.batch.is_empty() || self.closed || self.to.is_empty() {
            return;
        }
        let b = std::mem::replace(&mut self.batch, Vec::with_capacity(self.size));
        self.closed = self.to[self.next % self.to.len()].send(b).is_err();
        self.next += 1;
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

/// What a [`Filter`] or a [`Sink`] tells the engine after a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Stop reading; what is in flight is dropped (`--just-one`, a
    /// corrupted checkpoint, a closed output).
    Stop,
}

/// Decides, on the workers, what each event is for the sink: a `bool`
/// for most filters; `auditkit search` says print, skip or "matches but
/// ausearch would not print it". Closures `Fn(&Event) -> V` are filters.
///
/// Filters read events through the field-access trait
/// [`EventFields`](crate::EventFields), so one compiled filter runs over
/// parsed logs, stored events and collector frames.
pub trait Filter: Sync {
    /// The filter's answer for one event.
    type Verdict: Copy;
    /// Judge one event.
    fn check(&self, ev: &Event) -> Self::Verdict;
}

impl<F, V> Filter for F
where
    F: Fn(&Event) -> V + Sync,
    V: Copy,
{
    type Verdict = V;
    fn check(&self, ev: &Event) -> V {
        self(ev)
    }
}

/// The parallel side of a consumer of events.
///
/// The engine makes one [`Part`](Sink::Part) per worker with
/// [`part`](Sink::part) and calls [`event`](Sink::event) and
/// [`unparsed`](Sink::unparsed) for the items of each batch on that
/// worker, with a recycled [`Out`](Sink::Out) for the batch. Per-worker
/// state (tallies, report counts) lives in the part and needs no lock:
/// [`run`] hands the parts back at the end to be merged. What must come
/// out in log order (formatted text, marks for a checkpoint) goes into the
/// batch's `Out`, which the [`Ordered`] stage receives in order.
///
/// The methods are called per event through generics, never through a
/// `dyn` pointer: the engine is monomorphised for each sink.
pub trait Sink<V>: Sync {
    /// State of one worker, returned by [`run`] for merging.
    type Part: Send;
    /// What a worker makes of one batch, for the ordered stage. Recycled:
    /// [`clear`](Sink::clear) empties it for the next batch, so buffers
    /// keep their capacity (a batch of JSON is about a megabyte).
    type Out: Send + Default;

    /// A new part for a worker.
    fn part(&self) -> Self::Part;
    /// One assembled event and the filter's verdict on it.
    fn event(&self, part: &mut Self::Part, ev: &Event, verdict: V, out: &mut Self::Out);
    /// A line that is not a record, at its place among the events.
    fn unparsed(&self, part: &mut Self::Part, pc: &ParsedChunk, u: &Unparsed, out: &mut Self::Out) {
        let _ = (part, pc, u, out);
    }
    /// Empty a used `Out` for another batch.
    fn clear(&self, out: &mut Self::Out);
}

/// The ordered stage of a consumer: it sees every batch's `Out` in log
/// order, on the thread that called [`run`], after the workers are done
/// with it. Writing output, detection with process state, checkpoints, a
/// store and its acknowledgements go here.
pub trait Ordered<O> {
    /// Whether [`batch`](Ordered::batch) needs the batch's events too
    /// (asked once, before the run). Keeping them costs holding each
    /// batch's chunks a little longer; a stage that needs only what the
    /// workers wrote into `Out` says no.
    fn wants_items(&self) -> bool {
        false
    }
    /// One batch, in order. `items` is empty unless
    /// [`wants_items`](Ordered::wants_items) said yes.
    fn batch(&mut self, out: &mut O, items: &[Item]) -> Flow;
}

/// An ordered stage that does nothing, for sinks whose parts are all
/// they need (tallies).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoOrder;

impl<O> Ordered<O> for NoOrder {
    fn batch(&mut self, _: &mut O, _: &[Item]) -> Flow {
        Flow::Continue
    }
}

/// What a run ends with.
#[derive(Debug)]
pub struct Outcome<P> {
    /// Counters.
    pub stats: Stats,
    /// The workers' parts, to merge.
    pub parts: Vec<P>,
}

/// A pipeline thread panicked. The run's output is incomplete; the
/// caller must say so and fail with its own status.
#[derive(Debug, thiserror::Error)]
#[error("internal error: pipeline thread '{thread}' panicked: {message}")]
pub struct Panicked {
    /// The thread's name (`ak-parse`, `ak-assemble`, `ak-work`, ...).
    pub thread: String,
    /// The panic message.
    pub message: String,
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Recycled `Out`s: buffers handed back by the ordered stage for the
/// workers to fill again. A batch of JSON is about a megabyte: growing a
/// fresh buffer to that size for every batch copied each byte of output
/// twice more.
struct Pool<O> {
    outs: Mutex<Vec<O>>,
    max: usize,
}

impl<O: Default> Pool<O> {
    fn take(&self) -> O {
        let o = self.outs.lock().ok().and_then(|mut v| v.pop());
        o.unwrap_or_default()
    }

    fn give(&self, o: O) {
        if let Ok(mut v) = self.outs.lock() {
            if v.len() < self.max {
                v.push(o);
            }
        }
    }
}

/// Run the engine: parse on all cores, assemble in order, filter and sink
/// on all cores, ordered stage in order on this thread.
///
/// * `chunks` yields newline-aligned chunks in input order (from
///   `auditkit-source`, or any bytes: the engine does no I/O).
/// * `filter` judges each event on the workers.
/// * `sink` gets every item on the workers, with per-worker parts.
/// * `ordered` gets each batch's output in log order; [`Flow::Stop`] ends
///   the run early.
///
/// Returns the counters and the parts (one per worker, in worker order),
/// or [`Panicked`] when a thread panicked (the panic has been joined: the
/// caller decides what to print and how to exit).
///
/// # Example: a lock-free tally
///
/// ```
/// use auditkit_event::pipeline::{run, Config, NoOrder, Sink};
/// use auditkit_event::{Chunk, Event};
/// use auditkit_event::RecordType;
/// use std::collections::HashMap;
///
/// /// Events per record type of the first record, per worker.
/// struct ByType;
/// impl Sink<bool> for ByType {
///     type Part = HashMap<RecordType, u64>;
///     type Out = ();
///     fn part(&self) -> Self::Part { HashMap::new() }
///     fn event(&self, part: &mut Self::Part, ev: &Event, keep: bool, _: &mut ()) {
///         if keep {
///             *part.entry(ev.record(0).map_or(RecordType::default(), |r| r.rtype())).or_default() += 1;
///         }
///     }
///     fn clear(&self, _: &mut ()) {}
/// }
///
/// let log = b"type=SYSCALL msg=audit(1700000000.123:42): syscall=59\n\
/// type=PROCTITLE msg=audit(1700000000.123:42): proctitle=6C73\n\
/// type=USER_LOGIN msg=audit(1700000001.000:43): res=success\n".to_vec();
/// let chunks = vec![Chunk { data: log, source: 0, first_line: 0 }];
/// let all = |_: &Event| true;
/// let done = run(&Config::default(), chunks.into_iter(), &all, &ByType, &mut NoOrder).unwrap();
/// // Merge the workers' tallies: no lock was taken while counting.
/// let mut total: HashMap<RecordType, u64> = HashMap::new();
/// for part in done.parts {
///     for (t, n) in part {
///         *total.entry(t).or_default() += n;
///     }
/// }
/// assert_eq!(total.get(&RecordType::SYSCALL), Some(&1));
/// assert_eq!(total.get(&RecordType::USER_LOGIN), Some(&1));
/// assert_eq!(done.stats.events, 2);
/// ```
pub fn run<B, F, S, O>(
    cfg: &Config,
    chunks: B,
    filter: &F,
    sink: &S,
    ordered: &mut O,
) -> Result<Outcome<S::Part>, Panicked>
where
    B: Iterator<Item = Chunk> + Send,
    F: Filter,
    S: Sink<F::Verdict>,
    O: Ordered<S::Out>,
{
    let n = if cfg.threads == 0 {
        thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        cfg.threads
    };
    let stop = AtomicBool::new(false);
    let pool = Pool::<S::Out> {
        outs: Mutex::new(Vec::new()),
        max: 2 * n + 2,
    };
    let wants_items = ordered.wants_items();
    // A live run on one thread per stage reads, parses and assembles on
    // one thread: its chunks are small and come often (a read's worth of
    // a live input), so two more threads would only add two wake-ups per
    // chunk, and there is no second core's parsing to gain.
    let fused = cfg.live && n == 1;
    thread::scope(|scope| {
        let mut handles = Vec::new();
        // Parse workers.
        let mut to_parse: Vec<SyncSender<Chunk>> = Vec::new();
        let mut parsed_rx: Vec<Receiver<ParsedChunk>> = Vec::new();
        for _ in 0..if fused { 0 } else { n } {
            let (tx, rx) = sync_channel::<Chunk>(1);
            let (ptx, prx) = sync_channel::<ParsedChunk>(1);
            let pf = cfg.prefilter.as_deref();
            handles.push(spawn_named(scope, "ak-parse", move || {
                for c in rx {
                    let mut pc = parse_chunk(c);
                    if let Some(pf) = pf {
                        pc.hits = Some(pf.mark(&pc));
                    }
                    if ptx.send(pc).is_err() {
                        break;
                    }
                }
            }));
            to_parse.push(tx);
            parsed_rx.push(prx);
        }
        // Reader: hand blocks out round robin.
        let stop_r = &stop;
        let pf = cfg.prefilter.as_deref();
        let mut next_parsed: Box<dyn FnMut() -> Option<ParsedChunk> + Send> = if fused {
            let mut chunks = chunks;
            Box::new(move || {
                if stop_r.load(Ordering::Relaxed) {
                    return None;
                }
                let mut pc = parse_chunk(chunks.next()?);
                if let Some(pf) = pf {
                    pc.hits = Some(pf.mark(&pc));
                }
                Some(pc)
            })
        } else {
            handles.push(spawn_named(scope, "ak-read", move || {
                for (i, c) in chunks.enumerate() {
                    if stop_r.load(Ordering::Relaxed) {
                        break;
                    }
                    if to_parse[i % n].send(c).is_err() {
                        break;
                    }
                }
            }));
            let mut i = 0;
            Box::new(move || {
                let pc = parsed_rx[i % n].recv().ok();
                i += 1;
                pc
            })
        };
        // Workers: filter and sink.
        let mut to_work: Vec<SyncSender<Vec<Item>>> = Vec::new();
        let mut done_rx: Vec<Receiver<(S::Out, Vec<Item>)>> = Vec::new();
        let mut workers = Vec::new();
        let pool = &pool;
        for _ in 0..n {
            let (tx, rx) = sync_channel::<Vec<Item>>(1);
            let (btx, brx) = sync_channel::<(S::Out, Vec<Item>)>(1);
            workers.push(spawn_named(scope, "ak-work", move || {
                let mut part = sink.part();
                for mut items in rx {
                    let mut out = pool.take();
                    for it in &items {
                        match it {
                            Item::Event(ev) => {
                                let v = filter.check(ev);
                                sink.event(&mut part, ev, v, &mut out);
                            }
                            Item::Unparsed(pc, u) => sink.unparsed(&mut part, pc, u, &mut out),
                        }
                    }
                    if !wants_items {
                        // Release the chunks now rather than on the
                        // ordered thread.
                        items = Vec::new();
                    }
                    if btx.send((out, items)).is_err() {
                        break;
                    }
                }
                part
            }));
            to_work.push(tx);
            done_rx.push(brx);
        }
        // Assembler.
        let stop_a = &stop;
        let batch_size = cfg.batch.max(1);
        let range = cfg.time_range;
        let timeout = cfg.eoe_timeout;
        let group_by_id = cfg.group_by_id;
        let live = cfg.live;
        let complete_at_end = cfg.complete_at_end;
        let prefiltered = cfg.prefilter.is_some();
        let settled = cfg.live_source.as_deref();
        let asm_thread = spawn_named(scope, "ak-assemble", move || {
            let mut st = Stats::default();
            let mut asm = Assembler::new(timeout);
            asm.group_by_id = group_by_id;
            let mut out = Batcher {
                batch: Vec::with_capacity(batch_size),
                size: batch_size,
                to: &to_work,
                next: 0,
                closed: false,
                events: 0,
                prefiltered,
                dropped: 0,
                considered: 0,
            };
            let mut idle = std::time::Instant::now();
            // Non-empty chunks taken, for `settled`.
            let mut taken = 0u64;
            while let Some(pc) = next_parsed() {
                if stop_a.load(Ordering::Relaxed) || out.closed {
                    break;
                }
                if live && pc.chunk.data.is_empty() {
                    // A tick of a followed input: complete the events
                    // that waited long enough by the wall clock, since no
                    // newer record may come to time them out.
                    if idle.elapsed().as_secs() >= timeout {
                        asm.finish(&mut |e| out.add(Item::Event(e)));
                        idle = std::time::Instant::now();
                    }
                } else {
                    idle = std::time::Instant::now();
                    taken += 1;
                    asm.push_parsed(pc, range, &mut st, &mut |it| out.add(it));
                }
                if live {
                    out.flush();
                    if let Some(s) = settled {
                        s.set(taken, asm.pending() > 0);
                    }
                }
            }
            if complete_at_end && !out.closed {
                asm.finish(&mut |e| out.add(Item::Event(e)));
            }
            out.flush();
            st.events = out.events + out.dropped;
            st.prefiltered = out.dropped;
            st.dropped_eoe = asm.dropped_eoe();
            st.forced = asm.forced();
            st
        });
        // Ordered stage: in order, on this thread.
        let mut i = 0usize;
        while let Ok((mut out, items)) = done_rx[i % n].recv() {
            i += 1;
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let flow = ordered.batch(&mut out, &items);
            drop(items);
            sink.clear(&mut out);
            pool.give(out);
            if flow == Flow::Stop {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        if let Some(l) = &cfg.live_source {
            l.stop();
        }
        drop(done_rx);
        // Join everything here, so that a panic becomes an error value
        // instead of a panic of the scope.
        let mut panicked: Option<Panicked> = None;
        let mut note = |name: &str, p: Box<dyn std::any::Any + Send>| {
            if panicked.is_none() {
                panicked = Some(Panicked {
                    thread: name.to_string(),
                    message: panic_message(&*p),
                });
            }
        };
        let stats = match asm_thread.join() {
            Ok(s) => s,
            Err(p) => {
                note("ak-assemble", p);
                Stats::default()
            }
        };
        let mut parts = Vec::with_capacity(n);
        for w in workers {
            match w.join() {
                Ok(p) => parts.push(p),
                Err(p) => note("ak-work", p),
            }
        }
        let parsers = if fused { 0 } else { n };
        for (k, h) in handles.into_iter().enumerate() {
            if let Err(p) = h.join() {
                note(if k < parsers { "ak-parse" } else { "ak-read" }, p);
            }
        }
        match panicked {
            Some(p) => Err(p),
            None => Ok(Outcome { stats, parts }),
        }
    })
}
