//! Group commit: one thread owns the [`Store`]. Connections queue
//! [`Job`]s (a record and where to send its reply); the thread takes
//! everything queued (up to a batch cap), drops resends, writes and
//! fsyncs the rest as one batch, and only then replies. While one fsync
//! runs the next batch gathers, so a thousand stop-and-wait clients share
//! each fsync instead of paying one apiece.
//!
//! The replies go back without a channel per record: each connection
//! has an [`Outbox`], a record's [`Job`] carries a [`Ticket`] to it, and
//! after the fsync the writer puts the batch's replies in their outboxes
//! and hands the wakers of the connections that wait to one call of the
//! [`Wakeup`] (the collector's runtime wakes them from its own thread:
//! one cross-thread wake-up per batch, not one per record).
//!
//! After the replies, the batch's records go, per node, through event
//! assembly (audit-userspace's completion rules without EOE: last-record
//! types and the end-of-event timeout in event time) to an optional
//! [`Hook`]: the ordered stage where detection will run on the stream.
//! It runs after the acks so it adds nothing to their latency.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::poll_fn;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use auditkit_event::header::{parse_header_cached, TypeCache};
use auditkit_event::pipeline::{Item, Stats};
use auditkit_event::{Assembler, Chunk, Event};
use tokio::sync::{mpsc, OwnedSemaphorePermit};

use crate::metrics::Metrics;
use crate::store::{record_key, Dedup, KeyHasher, Space, Store, StoreError};

/// What a record's sender is told once its batch is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Durable.
    Ack,
    /// Durable, but the disk is running low.
    DiskLow,
    /// Not stored: no space.
    DiskFull,
    /// Not stored: the write or sync failed.
    DiskError,
}

impl Reply {
    /// The frame type that carries it.
    pub fn kind(self) -> crate::codec::Kind {
        use crate::codec::Kind;
        match self {
            Reply::Ack => Kind::Ack,
            Reply::DiskLow => Kind::DiskLow,
            Reply::DiskFull => Kind::DiskFull,
            Reply::DiskError => Kind::DiskError,
        }
    }

    /// The text auditd puts in the reply's payload.
    pub fn text(self) -> &'static [u8] {
        match self {
            Reply::Ack => b"",
            Reply::DiskLow => b"disk low",
            Reply::DiskFull => b"disk full",
            Reply::DiskError => b"disk write error",
        }
    }
}

/// One connection's mailbox: the replies to its records, in the order
/// the records were queued (the writer takes jobs in order, so a
/// connection's replies come in the order of its records), and a stop
/// signal from the listener. One lock, taken once per reply by the
/// writer and once per wake-up by the connection.
#[derive(Debug, Default)]
pub struct Outbox {
    mail: Mutex<Mail>,
}

#[derive(Debug, Default)]
struct Mail {
    replies: VecDeque<Reply>,
    stop: bool,
    /// The stop was reported to the connection (it is reported once).
    stop_seen: bool,
    waker: Option<Waker>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Arc<Outbox> {
        Arc::new(Outbox::default())
    }

    fn lock(&self) -> MutexGuard<'_, Mail> {
        match self.mail.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// A ticket for the reply to one record.
    pub fn ticket(self: &Arc<Self>) -> Ticket {
        Ticket(Some(self.clone()))
    }

    /// Queue a reply; the waker to wake if the connection waits.
    fn push(&self, r: Reply) -> Option<Waker> {
        let mut m = self.lock();
        m.replies.push_back(r);
        m.waker.take()
    }

    /// Tell the connection to stop reading (it was replaced, or the
    /// collector is stopping); it is woken at once.
    pub fn stop(&self) {
        let w = {
            let mut m = self.lock();
            m.stop = true;
            m.waker.take()
        };
        if let Some(w) = w {
            w.wake();
        }
    }

    /// Move the replies that came into `into` (`Ready(stop)`, `stop`
    /// true the first time after [`Outbox::stop`]), or, with no reply
    /// and no new stop signal, remember `cx`'s waker (`Pending`).
    pub fn poll_mail(&self, cx: &mut Context<'_>, into: &mut VecDeque<Reply>) -> Poll<bool> {
        let mut m = self.lock();
        if m.replies.is_empty() && m.stop == m.stop_seen {
            match &m.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => m.waker = Some(cx.waker().clone()),
            }
            return Poll::Pending;
        }
        if into.is_empty() {
            std::mem::swap(into, &mut m.replies);
        } else {
            into.extend(m.replies.drain(..));
        }
        let new_stop = m.stop && !m.stop_seen;
        m.stop_seen = m.stop;
        Poll::Ready(new_stop)
    }

    /// Wait for the next reply (for callers with one record at a time).
    pub async fn next_reply(&self) -> Reply {
        poll_fn(|cx| {
            let mut m = self.lock();
            match m.replies.pop_front() {
                Some(r) => Poll::Ready(r),
                None => {
                    m.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}

/// The right to one reply in an [`Outbox`]. The writer uses it once; a
/// ticket dropped unused (the writer thread died, the queue was dropped)
/// answers DISKERROR: the record was not stored, the client sends it
/// again.
#[derive(Debug)]
pub struct Ticket(Option<Arc<Outbox>>);

impl Ticket {
    /// Put the reply in the outbox; the waker to wake, if any.
    pub(crate) fn send(mut self, r: Reply) -> Option<Waker> {
        self.0.take().and_then(|o| o.push(r))
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(w) = self.0.take().and_then(|o| o.push(Reply::DiskError)) {
            w.wake();
        }
    }
}

/// What the writer does with the wakers of a batch's waiting
/// connections, once per batch (the collector hands them to a task of
/// its runtime, which wakes them without a system call each).
pub type Wakeup = Box<dyn FnMut(Vec<Waker>) + Send>;

/// One record on its way to the store.
#[derive(Debug)]
pub struct Job {
    /// The line, without its `\n`.
    pub line: Vec<u8>,
    /// Where the reply goes (`None` for ascii clients, which get none).
    pub reply: Option<Ticket>,
    /// The share of the buffered-bytes budget the record holds until it
    /// is written.
    pub permit: Option<OwnedSemaphorePermit>,
}

/// The ordered stage: every event assembled from the stream, in order
/// within its node.
pub trait Hook: Send {
    /// One complete event of `node` (`None`: records without `node=`).
    fn event(&mut self, node: Option<&[u8]>, event: &Event);
}

/// How the writer batches and assembles.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Records per batch at most.
    pub max_batch: usize,
    /// Records queued at most (the channel's bound).
    pub queue: usize,
    /// Records remembered for resend detection.
    pub dedup: usize,
    /// Assemble events (and count them) even without a hook.
    pub assemble: bool,
    /// The end-of-event timeout in seconds of event time.
    pub eoe_timeout: u64,
    /// Nodes assembled at most (records of more nodes are stored but not
    /// assembled; memory stays bounded).
    pub max_nodes: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            max_batch: 4096,
            queue: 65_536,
            dedup: 1 << 20,
            assemble: true,
            eoe_timeout: auditkit_event::assemble::DEFAULT_EOE_TIMEOUT,
            max_nodes: 4096,
        }
    }
}

/// The running writer: send jobs on `tx`; drop every sender and join to
/// finish (pending events are flushed to the hook, the store is closed).
#[derive(Debug)]
pub struct Writer {
    /// Where connections queue records.
    pub tx: mpsc::Sender<Job>,
    /// The thread; its result is the store's close.
    pub join: std::thread::JoinHandle<Result<(), StoreError>>,
}

/// Write a line to stderr with the collector's prefix (the daemon's log;
/// under systemd it goes to the journal).
pub fn log(msg: std::fmt::Arguments) {
    eprintln!("auditkit collect: {msg}");
}

/// Start the writer thread over `store`. `wakeup` gets each batch's
/// wakers (`None`: the writer wakes them itself).
pub fn spawn(
    mut store: Box<dyn Store>,
    opts: WriterOptions,
    metrics: Arc<Metrics>,
    hook: Option<Box<dyn Hook>>,
    wakeup: Option<Wakeup>,
) -> Result<Writer, StoreError> {
    let mut dedup = Dedup::new(opts.dedup);
    store.recent(opts.dedup, &mut |l| dedup.insert(record_key(l)))?;
    let (tx, rx) = mpsc::channel(opts.queue.max(1));
    let join = std::thread::Builder::new()
        .name("collect-writer".into())
        .spawn(move || run(store, rx, opts, metrics, hook, dedup, wakeup))
        .map_err(StoreError::Io)?;
    Ok(Writer { tx, join })
}

struct Assembly {
    /// Each node's assembler, by the node's index in `nodes`.
    by_node: HashMap<Vec<u8>, usize>,
    nodes: Vec<(Vec<u8>, Assembler)>,
    timeout: u64,
    max_nodes: usize,
    hook: Option<Box<dyn Hook>>,
    metrics: Arc<Metrics>,
    types: TypeCache,
}

impl Assembly {
    fn push(&mut self, lines: &[Vec<u8>]) {
        // The batch's lines per node, each node's in order, as one chunk.
        let mut per: HashMap<&[u8], Vec<u8>> = HashMap::new();
        for l in lines {
            let node = parse_header_cached(l, &mut self.types)
                .ok()
                .and_then(|h| h.node)
                .map_or(&b""[..], |(s, e)| &l[s as usize..e as usize]);
            let d = per
                .entry(node)
                .or_insert_with(|| Vec::with_capacity(l.len() + 1));
            d.extend_from_slice(l);
            d.push(b'\n');
        }
        let mut events = 0;
        for (node, data) in per {
            let i = match self.by_node.get(node) {
                Some(&i) => i,
                None if self.nodes.len() >= self.max_nodes => continue,
                None => {
                    self.by_node.insert(node.to_vec(), self.nodes.len());
                    self.nodes
                        .push((node.to_vec(), Assembler::new(self.timeout)));
                    self.nodes.len() - 1
                }
            };
            let Some((_, asm)) = self.nodes.get_mut(i) else {
                continue;
            };
            let pc = auditkit_event::chunk::parse_chunk(Chunk {
                data,
                source: 0,
                first_line: 0,
            });
            let hook = &mut self.hook;
            let name = (!node.is_empty()).then_some(node);
            asm.push_parsed(pc, None, &mut Stats::default(), &mut |it| {
                if let Item::Event(e) = it {
                    events += 1;
                    if let Some(h) = hook.as_mut() {
                        h.event(name, &e);
                    }
                }
            });
        }
        self.metrics.events.fetch_add(events, Relaxed);
    }

    fn finish(&mut self) {
        for (node, asm) in &mut self.nodes {
            let (hook, m) = (&mut self.hook, &self.metrics);
            let name = (!node.is_empty()).then_some(&node[..]);
            asm.finish(&mut |e| {
                m.events.fetch_add(1, Relaxed);
                if let Some(h) = hook.as_mut() {
                    h.event(name, &e);
                }
            });
        }
    }
}

fn run(
    mut store: Box<dyn Store>,
    mut rx: mpsc::Receiver<Job>,
    opts: WriterOptions,
    m: Arc<Metrics>,
    hook: Option<Box<dyn Hook>>,
    mut dedup: Dedup,
    mut wakeup: Option<Wakeup>,
) -> Result<(), StoreError> {
    // The ordered stage runs on a thread of its own, fed the committed
    // lines of each batch through a bounded channel: the next batch can
    // gather and sync while this one is assembled (when it falls behind,
    // the writer waits: memory stays bounded).
    let events = (opts.assemble || hook.is_some()).then(|| {
        let mut a = Assembly {
            by_node: HashMap::new(),
            nodes: Vec::new(),
            timeout: opts.eoe_timeout,
            max_nodes: opts.max_nodes,
            hook,
            metrics: m.clone(),
            types: TypeCache::default(),
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(8);
        let join = std::thread::Builder::new()
            .name("collect-events".into())
            .spawn(move || {
                for batch in rx {
                    a.push(&batch);
                }
                a.finish();
            });
        (tx, join)
    });
    let (events_tx, events_join) = match events {
        Some((tx, Ok(j))) => (Some(tx), Some(j)),
        Some((_, Err(e))) => return Err(StoreError::Io(e)),
        None => (None, None),
    };
    let mut batch: Vec<Job> = Vec::with_capacity(opts.max_batch);
    let mut lines: Vec<Vec<u8>> = Vec::with_capacity(opts.max_batch);
    let mut replies = Vec::with_capacity(opts.max_batch);
    let mut last_space = Space::Ok;
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < opts.max_batch {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let space = store.space();
        if std::mem::discriminant(&space) != std::mem::discriminant(&last_space) {
            match space {
                Space::Ok => log(format_args!("store: disk space is fine again")),
                Space::Low(f) => log(format_args!(
                    "store: disk low ({f} bytes free): records are stored and answered with DISKLOW"
                )),
                Space::Full(f) => log(format_args!(
                    "store: disk full ({f} bytes free, under the reserve): records are refused with DISKFULL"
                )),
            }
            last_space = space;
        }
        let n = batch.len();
        // The buffered-bytes budget is the queue's: the records now sit
        // in the writer, which holds at most one batch. Their permits go
        // back together (one lock of the semaphore instead of one each).
        let mut held: Option<OwnedSemaphorePermit> = None;
        for j in batch.drain(..) {
            lines.push(j.line);
            replies.push(j.reply);
            match (&mut held, j.permit) {
                (Some(h), Some(p)) if Arc::ptr_eq(h.semaphore(), p.semaphore()) => h.merge(p),
                (h @ None, p) => *h = p,
                (_, p) => drop(p),
            }
        }
        drop(held);
        // Resends (of stored records, or twice in this batch) are acked
        // with the batch and not written again.
        let mut keys = Vec::with_capacity(n);
        let mut keep = Vec::with_capacity(n);
        let mut fresh: Vec<&[u8]> = Vec::with_capacity(n);
        let mut in_batch: HashSet<u128, KeyHasher> =
            HashSet::with_capacity_and_hasher(n, KeyHasher::default());
        for l in &lines {
            let k = record_key(l);
            let new = !dedup.contains(k) && in_batch.insert(k);
            keep.push(new);
            if !new {
                m.duplicates.fetch_add(1, Relaxed);
                continue;
            }
            keys.push(k);
            fresh.push(l);
        }
        let t = Instant::now();
        let result = match space {
            Space::Full(f) => Err(StoreError::Full(format!("{f} bytes free"))),
            _ => store.write_batch(&fresh),
        };
        m.fsync(t.elapsed());
        m.batches.fetch_add(1, Relaxed);
        let reply = match &result {
            Ok(()) if matches!(space, Space::Low(_)) => Reply::DiskLow,
            Ok(()) => Reply::Ack,
            Err(StoreError::Full(why)) => {
                if !matches!(space, Space::Full(_)) {
                    log(format_args!(
                        "store: disk full ({why}): {n} records refused with DISKFULL"
                    ));
                    last_space = Space::Full(0);
                }
                Reply::DiskFull
            }
            Err(e) => {
                log(format_args!(
                    "store: {e}: {n} records refused with DISKERROR"
                ));
                Reply::DiskError
            }
        };
        let stored = fresh.len();
        drop(fresh);
        let counter = if result.is_ok() {
            m.stored.fetch_add(stored as u64, Relaxed);
            for k in keys {
                dedup.insert(k);
            }
            &m.acked
        } else {
            &m.refused
        };
        let mut answered = 0;
        let mut wakers = Vec::new();
        for t in replies.drain(..).flatten() {
            answered += 1;
            if let Some(w) = t.send(reply) {
                wakers.push(w);
            }
        }
        counter.fetch_add(answered, Relaxed);
        match &mut wakeup {
            Some(f) if !wakers.is_empty() => f(wakers),
            Some(_) => {}
            None => wakers.into_iter().for_each(Waker::wake),
        }
        match (&events_tx, result.is_ok()) {
            (Some(tx), true) => {
                let committed: Vec<Vec<u8>> = lines
                    .drain(..)
                    .zip(keep)
                    .filter_map(|(l, k)| k.then_some(l))
                    .collect();
                if tx.send(committed).is_err() {
                    log(format_args!("event assembly stopped"));
                }
            }
            _ => lines.clear(),
        }
    }
    drop(events_tx);
    if let Some(j) = events_join {
        if j.join().is_err() {
            log(format_args!("event assembly failed"));
        }
    }
    store.close()
}
