//! `auditkit forward`: an auditd plugin that sends the records it reads
//! on stdin to a collector, over audisp-remote's protocol, through a
//! queue on disk.
//!
//! audisp-remote (`audisp/plugins/remote/audisp-remote.c`) sends one
//! record and waits for its ACK before the next (one round trip per
//! record), and keeps its queue in memory: a collector outage longer
//! than the queue, or a restart of the plugin, drops records. Here:
//!
//! - Every record read from stdin goes into a [`queue::Queue`] on disk,
//!   fsynced, before anything else; the queue is bounded (a full queue
//!   stops reading stdin, which pushes back on auditd's dispatcher).
//! - The sender reads the queue from its head (the oldest unacked
//!   record). On each connection it first sends a HEARTBEAT: `auditkit
//!   collect` answers with [`codec::HELLO`] and the number of records it
//!   takes in flight, and then up to `window` records are sent before
//!   their ACKs come back; any other server (auditd's listener) gets
//!   stop-and-wait, one record per round trip, which is what it expects.
//! - An ACK moves the head. After a lost connection (or a restart) the
//!   sender starts again from the head: records that were in flight are
//!   sent again, and the collector recognises them as resends. The head
//!   is saved at most every `save_every`, so a crash resends a little
//!   more, never less.
//! - ENDING (the collector stops), a DISKFULL or DISKERROR reply, a
//!   sequence mismatch or a broken connection: reconnect after a delay
//!   that doubles up to `retry_max`; the records wait in the queue.
//! - Optional TLS ([`crate::tls`]), with the server's certificate checked
//!   against a CA and a client certificate the collector checks.
//!
//! EOE records are dropped before queueing, as audisp-remote does: the
//! collector assembles events without them.

pub mod queue;

use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, Notify, Semaphore};

use crate::codec::{self, Decoder, Frame, Kind, Side};
use queue::{Pos, Queue, QueueError, QueueOptions, Reader};

/// Why the forwarder stopped.
#[derive(Debug, Error)]
pub enum ForwardError {
    /// The queue failed (its directory, a write, a sync).
    #[error("queue: {0}")]
    Queue(#[from] QueueError),
    /// Reading stdin failed.
    #[error("reading stdin: {0}")]
    Input(std::io::Error),
    /// The runtime or a thread could not start.
    #[error("{0}")]
    Start(std::io::Error),
    /// A bad TLS setting (a file, a key, a name).
    #[error("tls: {0}")]
    Tls(String),
}

/// The forwarder's settings.
#[derive(Clone, Debug)]
pub struct ForwardOptions {
    /// The collector, `HOST:PORT`.
    pub to: String,
    /// The queue's directory.
    pub queue: std::path::PathBuf,
    /// The queue's bounds.
    pub queue_opts: QueueOptions,
    /// Records in flight at most against a pipelining collector.
    pub window: usize,
    /// Send a HEARTBEAT after this long without traffic (`None`: never).
    pub heartbeat: Option<Duration>,
    /// The first reconnect delay; it doubles up to `retry_max`.
    pub retry: Duration,
    /// The longest reconnect delay.
    pub retry_max: Duration,
    /// A connection attempt or a reply that takes longer fails.
    pub timeout: Duration,
    /// After stdin closes, how long to keep sending what is queued
    /// before exiting (what is left stays queued for the next start).
    pub drain: Duration,
    /// Save the head at most this often.
    pub save_every: Duration,
    /// TLS, when set.
    pub tls: Option<crate::tls::ClientTls>,
}

impl Default for ForwardOptions {
    fn default() -> Self {
        ForwardOptions {
            to: String::new(),
            queue: std::path::PathBuf::from("/var/spool/auditkit/forward"),
            queue_opts: QueueOptions::default(),
            window: 256,
            heartbeat: Some(Duration::from_secs(30)),
            retry: Duration::from_millis(200),
            retry_max: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            drain: Duration::from_secs(5),
            save_every: Duration::from_millis(200),
            tls: None,
        }
    }
}

/// Counters of one run, logged at exit.
#[derive(Debug, Default)]
pub struct Counters {
    /// Records read from stdin and queued.
    pub queued: AtomicU64,
    /// EOE records dropped.
    pub eoe: AtomicU64,
    /// Records acked by the collector (resends included).
    pub acked: AtomicU64,
    /// Records sent (resends included).
    pub sent: AtomicU64,
    /// Connections made.
    pub connects: AtomicU64,
}

fn log(msg: std::fmt::Arguments) {
    eprintln!("auditkit forward: {msg}");
}

/// What the input thread and the sender share.
struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when acks made room in the queue.
    room: Condvar,
    /// Signalled when records were appended or stdin closed.
    data: Notify,
    eof: AtomicBool,
    counters: Counters,
}

impl Shared {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        match self.queue.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

/// Run the forwarder: read `input` (auditd's string plugin format: one
/// record line per `\n`) into the queue and send the queue to the
/// collector until `input` ends and the queue is drained (or the drain
/// time passes). Returns the counters.
pub fn run(
    opts: ForwardOptions,
    input: impl Read + Send + 'static,
) -> Result<Arc<CountersView>, ForwardError> {
    let q = Queue::open(&opts.queue, opts.queue_opts)?;
    if let Some(n) = q.repaired {
        log(format_args!(
            "queue: cut a torn tail of {n} bytes (a write interrupted by a crash; never accepted)"
        ));
    }
    let pending = q.used();
    if pending > 0 {
        log(format_args!(
            "queue: {pending} bytes of records from before, sent first"
        ));
    }
    let sh = Arc::new(Shared {
        queue: Mutex::new(q),
        room: Condvar::new(),
        data: Notify::new(),
        eof: AtomicBool::new(false),
        counters: Counters::default(),
    });
    let sh2 = sh.clone();
    let input = std::thread::Builder::new()
        .name("forward-input".into())
        .spawn(move || read_input(&sh2, input))
        .map_err(ForwardError::Start)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(ForwardError::Start)?;
    let connector = match &opts.tls {
        Some(t) => Some(t.connector().map_err(ForwardError::Tls)?),
        None => None,
    };
    rt.block_on(send_loop(&sh, &opts, connector.as_ref()))?;
    sh.queue().save_head()?;
    // The input thread ends at EOF; if the drain timed out it has ended
    // already (the drain starts at EOF).
    match input.join() {
        Ok(r) => r?,
        Err(_) => return Err(ForwardError::Start(std::io::Error::other("input thread"))),
    }
    let c = &sh.counters;
    let view = Arc::new(CountersView {
        queued: c.queued.load(Relaxed),
        eoe: c.eoe.load(Relaxed),
        acked: c.acked.load(Relaxed),
        sent: c.sent.load(Relaxed),
        connects: c.connects.load(Relaxed),
        left: sh.queue().used(),
    });
    log(format_args!(
        "stopped: queued {} (EOE dropped {}), sent {}, acked {}, connections {}, {} bytes left queued",
        view.queued, view.eoe, view.sent, view.acked, view.connects, view.left
    ));
    Ok(view)
}

/// The counters at exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountersView {
    /// See [`Counters::queued`].
    pub queued: u64,
    /// See [`Counters::eoe`].
    pub eoe: u64,
    /// See [`Counters::acked`].
    pub acked: u64,
    /// See [`Counters::sent`].
    pub sent: u64,
    /// See [`Counters::connects`].
    pub connects: u64,
    /// Bytes still queued (not acked) at exit.
    pub left: u64,
}

/// The input thread: lines from stdin into the queue, one append (and
/// one fsync) per read, so a burst costs one fsync, not one per record.
fn read_input(sh: &Shared, input: impl Read) -> Result<(), ForwardError> {
    let mut rd = std::io::BufReader::with_capacity(256 * 1024, input);
    let mut carry: Vec<u8> = Vec::new();
    let r = loop {
        let buf = match rd.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(ForwardError::Input(e)),
        };
        if buf.is_empty() {
            break Ok(());
        }
        let n = buf.len();
        // Complete lines of this read (with what was left of the last).
        let Some(last_nl) = memchr::memrchr(b'\n', buf) else {
            carry.extend_from_slice(buf);
            rd.consume(n);
            if carry.len() > 1 << 20 {
                // A "line" of a megabyte is not auditd's output: cut it
                // into records of the protocol's size rather than grow.
                let l = std::mem::take(&mut carry);
                if let Err(e) = queue_lines(sh, &[&l[..codec::MAX_PAYLOAD]]) {
                    break Err(e);
                }
            }
            continue;
        };
        let mut data = std::mem::take(&mut carry);
        data.extend_from_slice(&buf[..last_nl]);
        carry.extend_from_slice(&buf[last_nl + 1..]);
        rd.consume(n);
        let lines: Vec<&[u8]> = data
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .collect();
        if let Err(e) = queue_lines(sh, &lines) {
            break Err(e);
        }
    };
    if r.is_ok() && !carry.is_empty() {
        let _ = queue_lines(sh, &[&carry]);
    }
    sh.eof.store(true, Relaxed);
    sh.data.notify_one();
    r
}

fn is_eoe(l: &[u8]) -> bool {
    let l = match l.strip_prefix(b"node=") {
        Some(r) => r.splitn(2, |&b| b == b' ').nth(1).unwrap_or(b""),
        None => l,
    };
    l.starts_with(b"type=EOE ")
}

fn queue_lines(sh: &Shared, lines: &[&[u8]]) -> Result<(), ForwardError> {
    let keep: Vec<&[u8]> = lines
        .iter()
        .copied()
        .filter(|l| !is_eoe(l))
        .map(|l| &l[..l.len().min(codec::MAX_PAYLOAD)])
        .collect();
    sh.counters
        .eoe
        .fetch_add((lines.len() - keep.len()) as u64, Relaxed);
    if keep.is_empty() {
        return Ok(());
    }
    let mut q = sh.queue();
    let mut warned = false;
    loop {
        match q.append(&keep) {
            Ok(_) => break,
            Err(QueueError::Full { used, max }) => {
                if !warned {
                    log(format_args!(
                        "queue full ({used} of {max} bytes): waiting for the collector before reading more"
                    ));
                    warned = true;
                }
                q = match sh.room.wait_timeout(q, Duration::from_millis(500)) {
                    Ok((g, _)) => g,
                    Err(p) => p.into_inner().0,
                };
            }
            Err(e) => return Err(e.into()),
        }
    }
    drop(q);
    sh.counters.queued.fetch_add(keep.len() as u64, Relaxed);
    sh.data.notify_one();
    Ok(())
}

/// A connection's byte stream: plain TCP or TLS over it.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How one connection ended.
enum End {
    /// stdin closed and everything queued is acked.
    Done,
    /// Try again after the delay.
    Retry(String),
}

async fn send_loop(
    sh: &Shared,
    opts: &ForwardOptions,
    tls: Option<&crate::tls::Connector>,
) -> Result<(), ForwardError> {
    let mut delay = opts.retry;
    let mut drain_deadline: Option<Instant> = None;
    let mut last_error = String::new();
    loop {
        if sh.eof.load(Relaxed) {
            if sh.queue().is_empty() {
                return Ok(());
            }
            let d = *drain_deadline.get_or_insert_with(|| Instant::now() + opts.drain);
            if Instant::now() >= d {
                log(format_args!(
                    "stdin closed and the collector did not take the rest in time; it stays queued ({} bytes)",
                    sh.queue().used()
                ));
                return Ok(());
            }
        }
        let acked_before = sh.counters.acked.load(Relaxed);
        let end = match tokio::time::timeout(opts.timeout, connect(&opts.to, tls)).await {
            Err(_) => End::Retry(format!("connect to {}: timed out", opts.to)),
            Ok(Err(e)) => End::Retry(e),
            Ok(Ok(stream)) => {
                sh.counters.connects.fetch_add(1, Relaxed);
                let r = session(sh, opts, stream).await;
                sh.queue().save_head()?;
                r?
            }
        };
        match end {
            End::Done => return Ok(()),
            End::Retry(why) => {
                if sh.counters.acked.load(Relaxed) > acked_before {
                    delay = opts.retry;
                }
                if why != last_error {
                    log(format_args!(
                        "{why}; retrying every {}ms or more",
                        delay.as_millis()
                    ));
                    last_error = why;
                }
                let wait = match drain_deadline {
                    Some(d) => delay.min(d.saturating_duration_since(Instant::now())),
                    None => delay,
                };
                tokio::time::sleep(wait).await;
                delay = (delay * 2).min(opts.retry_max);
            }
        }
    }
}

async fn connect(to: &str, tls: Option<&crate::tls::Connector>) -> Result<Box<dyn Io>, String> {
    let s = tokio::net::TcpStream::connect(to)
        .await
        .map_err(|e| format!("connect to {to}: {e}"))?;
    let _ = s.set_nodelay(true);
    match tls {
        None => Ok(Box::new(s)),
        Some(c) => c.connect(to, s).await,
    }
}

/// A record or heartbeat sent and not yet answered.
struct Sent {
    seq: u32,
    /// The queue position after the record (`None`: a heartbeat).
    end: Option<Pos>,
}

/// One connection: the hello, then the writer and the reply reader side
/// by side until an error, or until everything is sent and acked after
/// stdin closed.
async fn session(
    sh: &Shared,
    opts: &ForwardOptions,
    stream: Box<dyn Io>,
) -> Result<End, ForwardError> {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut dec = Decoder::new(Side::Client, codec::MAX_PAYLOAD);
    let mut buf = Vec::with_capacity(16 * 1024);
    // The hello: a HEARTBEAT, whose ACK says whether to pipeline.
    let hb = codec::frame(Kind::Heartbeat, 1, b"");
    if let Err(e) = wr.write_all(&hb).await {
        return Ok(End::Retry(format!("send: {e}")));
    }
    let window =
        match tokio::time::timeout(opts.timeout, read_reply(&mut rd, &mut dec, &mut buf)).await {
            Err(_) => return Ok(End::Retry("no reply to the first heartbeat".into())),
            Ok(Err(e)) => return Ok(End::Retry(e)),
            Ok(Ok((Kind::Ack, 1, payload))) => match codec::hello_window(&payload) {
                Some(w) => opts.window.min(w).max(1),
                None => 1,
            },
            Ok(Ok((k, seq, payload))) => {
                return Ok(End::Retry(format!(
                    "reply {:#010x} (seq {seq}) to the first heartbeat: {}",
                    k.to_u32(),
                    String::from_utf8_lossy(&payload)
                )))
            }
        };
    if window > 1 {
        log(format_args!(
            "connected to {}: auditkit collect, {window} records in flight",
            opts.to
        ));
    } else {
        log(format_args!("connected to {}: stop-and-wait", opts.to));
    }
    let head = sh.queue().head();
    let sem = Semaphore::new(window);
    let (tx, rx) = mpsc::unbounded_channel::<Sent>();
    let writer = write_side(sh, opts, &mut wr, head, &sem, tx);
    let reader = read_side(sh, opts, &mut rd, &mut dec, &mut buf, &sem, rx);
    // The first side to fail ends the connection; the writer finishing
    // (everything sent, stdin closed) lets the reader finish the acks.
    let r = tokio::try_join!(writer, reader);
    let _ = wr.shutdown().await;
    match r {
        Ok(((), ())) => Ok(End::Done),
        Err(Stop::Retry(why)) => Ok(End::Retry(why)),
        Err(Stop::Queue(e)) => Err(e.into()),
    }
}

/// Why a side of a session stopped.
enum Stop {
    Retry(String),
    Queue(QueueError),
}

impl From<QueueError> for Stop {
    fn from(e: QueueError) -> Self {
        Stop::Queue(e)
    }
}

async fn write_side(
    sh: &Shared,
    opts: &ForwardOptions,
    wr: &mut (impl AsyncWrite + Unpin),
    from: Pos,
    sem: &Semaphore,
    tx: mpsc::UnboundedSender<Sent>,
) -> Result<(), Stop> {
    let mut reader = Reader::new(sh.queue().dir(), from);
    let mut seq: u32 = 1;
    let mut out = Vec::with_capacity(64 * 1024);
    let mut line = Vec::with_capacity(1024);
    let mut last_traffic = Instant::now();
    loop {
        let permit = match sem.acquire().await {
            Ok(p) => p,
            Err(_) => return Err(Stop::Retry("closed".into())),
        };
        // Take every record that is queued and fits in the window, then
        // write them in one go.
        permit.forget();
        let mut have_permit = true;
        loop {
            if !have_permit {
                match sem.try_acquire() {
                    Ok(p) => p.forget(),
                    Err(_) => break,
                }
                have_permit = true;
            }
            let tail = sh.queue().tail();
            let Some(end) = reader.next(tail, &mut line)? else {
                break;
            };
            seq = seq.wrapping_add(1).max(1);
            codec::encode(Kind::Message, seq, &line, &mut out);
            let _ = tx.send(Sent {
                seq,
                end: Some(end),
            });
            sh.counters.sent.fetch_add(1, Relaxed);
            have_permit = false;
            if out.len() >= 60 * 1024 {
                break;
            }
        }
        if !out.is_empty() {
            if let Err(e) = wr.write_all(&out).await {
                return Err(Stop::Retry(format!("send: {e}")));
            }
            out.clear();
            last_traffic = Instant::now();
        }
        if have_permit {
            // Nothing to send: give the permit back, then wait for data,
            // the end of stdin, or the heartbeat time.
            sem.add_permits(1);
            let tail = sh.queue().tail();
            if reader.pos() >= tail {
                if sh.eof.load(Relaxed) && sh.queue().tail() <= reader.pos() {
                    // Everything is sent; the reader side waits for the acks.
                    return Ok(());
                }
                let hb = opts
                    .heartbeat
                    .map(|h| h.saturating_sub(last_traffic.elapsed()));
                let wait = hb.unwrap_or(Duration::from_secs(3600));
                let notified = sh.data.notified();
                tokio::pin!(notified);
                // Records appended between the check and here wake us too:
                // notify_one stores a permit when nobody waits.
                if sh.queue().tail() > reader.pos() {
                    continue;
                }
                tokio::select! {
                    () = &mut notified => {}
                    () = tokio::time::sleep(wait) => {
                        let due = opts.heartbeat.is_some_and(|h| last_traffic.elapsed() >= h);
                        if due {
                            if let Ok(p) = sem.try_acquire() {
                                p.forget();
                                seq = seq.wrapping_add(1).max(1);
                                let _ = tx.send(Sent { seq, end: None });
                                if let Err(e) = wr.write_all(&codec::frame(Kind::Heartbeat, seq, b"")).await {
                                    return Err(Stop::Retry(format!("send: {e}")));
                                }
                                last_traffic = Instant::now();
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn read_side(
    sh: &Shared,
    opts: &ForwardOptions,
    rd: &mut (impl AsyncRead + Unpin),
    dec: &mut Decoder,
    buf: &mut Vec<u8>,
    sem: &Semaphore,
    mut rx: mpsc::UnboundedReceiver<Sent>,
) -> Result<(), Stop> {
    let mut inflight = std::collections::VecDeque::new();
    let mut last_save = Instant::now();
    let mut warned_low = false;
    loop {
        while let Ok(s) = rx.try_recv() {
            inflight.push_back(s);
        }
        let (kind, seq, payload) = if inflight.is_empty() {
            // Nothing is due, but the collector may say ENDING (or close)
            // at any time: read while waiting, so the reconnect starts
            // now rather than at the next record.
            tokio::select! {
                biased;
                s = rx.recv() => match s {
                    Some(s) => {
                        inflight.push_back(s);
                        continue;
                    }
                    None => return Ok(()),
                },
                r = read_reply(rd, dec, buf) => match r {
                    Ok(x) => {
                        // The record's entry is queued before its frame is
                        // written, so it is there by now.
                        while let Ok(s) = rx.try_recv() {
                            inflight.push_back(s);
                        }
                        x
                    }
                    Err(e) => return Err(Stop::Retry(e)),
                },
            }
        } else {
            // A reply is due: wait for it no longer than the timeout (a
            // collector that stopped answering).
            match tokio::time::timeout(opts.timeout, read_reply(rd, dec, buf)).await {
                Err(_) => return Err(Stop::Retry("no reply in time".into())),
                Ok(Err(e)) => return Err(Stop::Retry(e)),
                Ok(Ok(x)) => x,
            }
        };
        if kind == Kind::Ending {
            return Err(Stop::Retry(
                "the collector is shutting down (ENDING)".into(),
            ));
        }
        let Some(front) = inflight.pop_front() else {
            return Err(Stop::Retry(format!("a reply (seq {seq}) to nothing sent")));
        };
        if front.seq != seq {
            return Err(Stop::Retry(format!(
                "reply for seq {seq}, expected {} (out of sync)",
                front.seq
            )));
        }
        if kind.is_fatal() {
            return Err(Stop::Retry(format!(
                "the collector refused a record: {} ({:#010x})",
                String::from_utf8_lossy(&payload),
                kind.to_u32()
            )));
        }
        if kind == Kind::DiskLow && !warned_low {
            log(format_args!("the collector's disk is low (DISKLOW)"));
            warned_low = true;
        }
        if let Some(end) = front.end {
            sh.counters.acked.fetch_add(1, Relaxed);
            let mut q = sh.queue();
            q.ack(end)?;
            if last_save.elapsed() >= opts.save_every {
                q.save_head()?;
                last_save = Instant::now();
            }
            drop(q);
            // The input thread may be waiting for room.
            sh.room.notify_all();
        }
        sem.add_permits(1);
    }
}

/// Read one reply frame: its kind, sequence and payload.
async fn read_reply(
    rd: &mut (impl AsyncRead + Unpin),
    dec: &mut Decoder,
    buf: &mut Vec<u8>,
) -> Result<(Kind, u32, Vec<u8>), String> {
    loop {
        match dec.decode(buf) {
            Ok(Some((Frame::Managed { header, payload }, n))) => {
                let r = (header.kind, header.seq, payload.to_vec());
                buf.drain(..n);
                return Ok(r);
            }
            Ok(Some((Frame::Line(_), _))) => return Err("an ascii line from the server".into()),
            Ok(None) => {}
            Err(e) => return Err(format!("bad reply: {e}")),
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(16 * 1024);
        }
        match rd.read_buf(buf).await {
            Ok(0) => return Err("the collector closed the connection".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("receive: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eoe_lines() {
        assert!(is_eoe(b"type=EOE msg=audit(1.000:2): "));
        assert!(is_eoe(b"node=h1 type=EOE msg=audit(1.000:2): "));
        assert!(!is_eoe(b"node=h1 type=SYSCALL msg=audit(1.000:2): "));
        assert!(!is_eoe(b"type=EOEX msg=audit(1.000:2): "));
    }
}
