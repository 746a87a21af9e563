//! One connection, as one task: frames in, records queued to the writer,
//! replies out.
//!
//! The task waits in one place per turn ([`Conn::poll_event`]) for
//! whichever comes first: its [`Outbox`] (replies from the writer, or the
//! listener's stop), the socket becoming readable or writable, or its one
//! timer. That wait is a plain `poll` over these, not a `select!` that
//! builds and drops a future per branch per record, and the timer is one
//! `Sleep` per connection that is only re-armed when a deadline comes
//! *earlier* than the armed one (an idle deadline that moves later with
//! every record is checked when the timer fires, not re-armed per read).
//! For a stop-and-wait client each record then costs one `recv`, one
//! `send` and two polls of this task.
//!
//! Bounds, as the listener's doc lists them: the read buffer grows to one
//! frame plus one read at most, `max_in_flight` records (and heartbeats)
//! wait for replies at most (beyond it the socket is not read, which
//! pushes back through TCP), a started frame must complete within
//! `frame_timeout`, nothing may come for `max_idle`, and replies that
//! cannot be written for `write_timeout` end the connection.

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, TryAcquireError};
use tokio::time::{Instant, Sleep};

use super::Shared;
use crate::codec::{self, DecodeError, Decoder, Frame, Kind, Mode, Side};
use crate::config::Limits;
use crate::writer::{log, Job, Outbox, Reply};

/// A record or heartbeat waiting for its reply, in arrival order.
#[derive(Clone, Copy)]
enum Pending {
    Record(u32),
    Heartbeat(u32),
}

/// Why a connection stopped reading (for the log line and the counters).
enum End {
    Closed,
    Stopping,
    Replaced,
    Idle,
    Slow,
    Bad(DecodeError),
    Io(std::io::Error),
    Writer,
}

/// What one wait saw.
enum Ev {
    /// Replies came (moved into `got`); `true`: stop reading.
    Mail(bool),
    /// Bytes read (0: the peer closed).
    Read(usize),
    ReadErr(std::io::Error),
    /// Some of the replies were written.
    Wrote,
    WriteErr(std::io::Error),
    /// The timer fired: a deadline may have passed.
    Timer,
}

/// The first read buffer; it doubles up to its cap when a read fills it.
const FIRST_BUF: usize = 4096;
/// Replies gathered for one write at most.
const MAX_OUT: usize = 64 * 1024;

struct Conn<'a, S> {
    sh: &'a Shared,
    io: S,
    peer: SocketAddr,
    outbox: Arc<Outbox>,
    tx: mpsc::Sender<Job>,
    dec: Decoder,
    /// Bytes `buf[lo..hi]` are read and not decoded yet.
    buf: Vec<u8>,
    lo: usize,
    hi: usize,
    /// One frame and one read at most.
    cap: usize,
    pending: VecDeque<Pending>,
    /// Replies taken from the outbox, for the front of `pending`.
    got: VecDeque<Reply>,
    /// Encoded replies; `out[sent..]` is still to be written.
    out: Vec<u8>,
    sent: usize,
    flush: bool,
    hello: Vec<u8>,
    /// Still reading from the socket.
    open: bool,
    /// A reply refused a record (DISKFULL, DISKERROR): no ENDING then.
    fatal: bool,
    limits: Arc<Limits>,
    limits_gen: u64,
    /// When the last bytes came (kept only with `max_idle`).
    last_rx: Instant,
    /// When the partial frame at `buf[lo..hi]` started.
    frame_since: Option<Instant>,
    /// Since when a write has been waiting for the peer to read.
    stalled_since: Option<Instant>,
    sleep: Pin<Box<Sleep>>,
    armed: Option<Instant>,
}

/// Serve one connection until it ends: reading stops (one log line says
/// why), every record already read is answered, managed clients get
/// ENDING on shutdown, and the socket is shut down.
pub(super) async fn serve<S>(
    sh: &Shared,
    tx: mpsc::Sender<Job>,
    io: S,
    peer: SocketAddr,
    outbox: Arc<Outbox>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limits = sh.limits();
    let now = Instant::now();
    let mut c = Conn {
        sh,
        io,
        peer,
        outbox,
        tx,
        dec: Decoder::new(Side::Server, limits.max_frame),
        buf: vec![0; FIRST_BUF],
        lo: 0,
        hi: 0,
        cap: codec::HEADER_LEN + limits.max_frame + 8192,
        pending: VecDeque::new(),
        got: VecDeque::new(),
        out: Vec::new(),
        sent: 0,
        flush: false,
        hello: codec::hello(sh.max_in_flight),
        open: true,
        fatal: false,
        limits_gen: sh.limits_gen.load(Relaxed),
        limits,
        last_rx: now,
        frame_since: None,
        stalled_since: None,
        sleep: Box::pin(tokio::time::sleep_until(now)),
        armed: None,
    };
    if !c.run().await {
        return;
    }
    let d = c.limits.write_timeout;
    if c.dec.mode() == Mode::Managed && c.sh.stopping.load(Relaxed) && !c.fatal {
        let f = codec::frame(Kind::Ending, 0, b"");
        let _ = tokio::time::timeout(d, async {
            c.io.write_all(&f).await?;
            c.io.flush().await
        })
        .await;
    }
    let _ = tokio::time::timeout(d, c.io.shutdown()).await;
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<'_, S> {
    /// The connection's turns; `false` when replies can no longer be
    /// written (nothing more to send then).
    async fn run(&mut self) -> bool {
        loop {
            self.refresh_limits();
            if let Err(e) = self.take_frames().await {
                self.finish(e);
            }
            self.fill_out();
            if !self.open && self.pending.is_empty() && self.sent == self.out.len() && !self.flush {
                return true;
            }
            self.arm();
            match poll_fn(|cx| self.poll_event(cx)).await {
                Ev::Mail(false) | Ev::Wrote => {}
                Ev::Mail(true) => {
                    let why = if self.sh.stopping.load(Relaxed) {
                        End::Stopping
                    } else {
                        End::Replaced
                    };
                    self.finish(why);
                }
                Ev::Read(0) => self.finish(End::Closed),
                Ev::Read(_) => {
                    if self.limits.max_idle.is_some() {
                        self.last_rx = Instant::now();
                    }
                }
                Ev::ReadErr(e) => self.finish(End::Io(e)),
                Ev::WriteErr(e) => {
                    self.finish(End::Io(e));
                    return false;
                }
                Ev::Timer => {
                    let now = Instant::now();
                    if self
                        .stalled_since
                        .is_some_and(|t| now >= t + self.limits.write_timeout)
                    {
                        self.sh.metrics.timeouts.fetch_add(1, Relaxed);
                        log(format_args!(
                            "dropped {}: replies not read in time (write_timeout)",
                            self.peer
                        ));
                        self.open = false;
                        return false;
                    }
                    if self.reading() {
                        if self.lo < self.hi {
                            if self
                                .frame_since
                                .is_some_and(|t| now >= t + self.limits.frame_timeout)
                            {
                                self.finish(End::Slow);
                            }
                        } else if self
                            .limits
                            .max_idle
                            .is_some_and(|d| now >= self.last_rx + d)
                        {
                            self.finish(End::Idle);
                        }
                    }
                }
            }
        }
    }

    /// New limits (SIGHUP) apply to the timeouts of this connection.
    fn refresh_limits(&mut self) {
        let g = self.sh.limits_gen.load(Relaxed);
        if g != self.limits_gen {
            self.limits_gen = g;
            self.limits = self.sh.limits();
            // An idle limit that was just set counts from now.
            self.last_rx = Instant::now();
            self.armed = None;
        }
    }

    /// Whether the socket is read now: open, and room for replies.
    fn reading(&self) -> bool {
        self.open && self.pending.len() < self.sh.max_in_flight
    }

    /// Stop reading, with one log line for why.
    fn finish(&mut self, end: End) {
        if !self.open {
            return;
        }
        self.open = false;
        let (m, peer) = (&self.sh.metrics, self.peer);
        match end {
            End::Closed | End::Stopping | End::Replaced => {}
            End::Idle => {
                m.timeouts.fetch_add(1, Relaxed);
                log(format_args!("dropped {peer}: idle (max_idle)"));
            }
            End::Slow => {
                m.timeouts.fetch_add(1, Relaxed);
                log(format_args!(
                    "dropped {peer}: a frame did not complete in time (frame_timeout)"
                ));
            }
            End::Bad(e) => {
                m.bad_frames.fetch_add(1, Relaxed);
                log(format_args!("dropped {peer}: {e}"));
                (self.lo, self.hi) = (0, 0);
            }
            End::Io(e) => log(format_args!("dropped {peer}: {e}")),
            End::Writer => {
                log(format_args!("dropped {peer}: the store is closing"));
                (self.lo, self.hi) = (0, 0);
            }
        }
    }

    /// Queue every complete frame in the buffer (while replies may be
    /// outstanding): records to the writer, heartbeats to `pending`.
    async fn take_frames(&mut self) -> Result<(), End> {
        let mut done = false;
        while self.pending.len() < self.sh.max_in_flight {
            let (seq, heartbeat, line) = match self.dec.decode(&self.buf[self.lo..self.hi]) {
                Ok(None) => break,
                Err(e) => return Err(End::Bad(e)),
                Ok(Some((frame, n))) => {
                    self.lo += n;
                    done = true;
                    match frame {
                        Frame::Managed { header, .. } if header.kind == Kind::Heartbeat => {
                            (Some(header.seq), true, Vec::new())
                        }
                        Frame::Managed { header, payload } => {
                            (Some(header.seq), false, clean(payload))
                        }
                        Frame::Line(l) => (None, false, clean(l)),
                    }
                }
            };
            let m = &self.sh.metrics;
            if heartbeat {
                m.heartbeats.fetch_add(1, Relaxed);
                self.pending.push_back(Pending::Heartbeat(seq.unwrap_or(0)));
                continue;
            }
            m.received.fetch_add(1, Relaxed);
            let n = line.len().max(1) as u32;
            let permit = match self.sh.budget.clone().try_acquire_many_owned(n) {
                Ok(p) => p,
                Err(TryAcquireError::NoPermits) => self
                    .sh
                    .budget
                    .clone()
                    .acquire_many_owned(n)
                    .await
                    .map_err(|_| End::Writer)?,
                Err(TryAcquireError::Closed) => return Err(End::Writer),
            };
            // The reply is pending before the job goes: a job the writer
            // never takes answers DISKERROR through its ticket, in place.
            if let Some(seq) = seq {
                self.pending.push_back(Pending::Record(seq));
            }
            let job = Job {
                line,
                reply: seq.map(|_| self.outbox.ticket()),
                permit: Some(permit),
            };
            match self.tx.try_send(job) {
                Ok(()) => {}
                Err(TrySendError::Full(job)) => {
                    self.tx.send(job).await.map_err(|_| End::Writer)?;
                }
                Err(TrySendError::Closed(_)) => return Err(End::Writer),
            }
        }
        if self.lo == self.hi {
            (self.lo, self.hi) = (0, 0);
            self.frame_since = None;
        } else if done || self.frame_since.is_none() {
            self.frame_since = Some(Instant::now());
        }
        Ok(())
    }

    /// Encode the replies that are due, in order.
    fn fill_out(&mut self) {
        while self.out.len() < MAX_OUT {
            let Some(&p) = self.pending.front() else {
                break;
            };
            match p {
                Pending::Heartbeat(seq) => {
                    codec::encode(Kind::Ack, seq, &self.hello, &mut self.out)
                }
                Pending::Record(seq) => {
                    let Some(r) = self.got.pop_front() else {
                        break;
                    };
                    codec::encode(r.kind(), seq, r.text(), &mut self.out);
                    if r != Reply::Ack && r != Reply::DiskLow {
                        self.fatal = true;
                    }
                }
            }
            self.pending.pop_front();
        }
    }

    /// Arm the timer for the earliest deadline if it comes before the
    /// armed one.
    fn arm(&mut self) {
        let l = &self.limits;
        let mut due: Option<Instant> = self.stalled_since.map(|t| t + l.write_timeout);
        if self.reading() {
            let read_due = if self.lo < self.hi {
                self.frame_since.map(|t| t + l.frame_timeout)
            } else {
                l.max_idle.map(|d| self.last_rx + d)
            };
            due = match (due, read_due) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        if let Some(d) = due {
            if self.armed.is_none_or(|a| d < a) {
                self.sleep.as_mut().reset(d);
                self.armed = Some(d);
            }
        }
    }

    /// Make room at the end of the buffer: move the undecoded bytes to
    /// the front, or grow (up to the cap) when they fill it.
    fn make_room(&mut self) {
        if self.hi < self.buf.len() {
            return;
        }
        if self.lo > 0 {
            self.buf.copy_within(self.lo..self.hi, 0);
            (self.lo, self.hi) = (0, self.hi - self.lo);
        } else if self.buf.len() < self.cap {
            let n = (self.buf.len() * 2).min(self.cap);
            self.buf.resize(n, 0);
        }
    }

    /// The replies cannot be written now. The write timeout counts from
    /// the first time, and its deadline is armed here at once: the turn's
    /// [`Conn::arm`] ran before this wait, and a peer that sends nothing
    /// more (and reads nothing) would give the task no other turn, so a
    /// deadline left for the next turn would never come.
    fn stalled(&mut self) {
        if self.stalled_since.is_none() {
            self.stalled_since = Some(Instant::now());
            self.arm();
        }
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Ev> {
        if let Poll::Ready(stop) = self.outbox.poll_mail(cx, &mut self.got) {
            return Poll::Ready(Ev::Mail(stop));
        }
        if self.sent < self.out.len() {
            match Pin::new(&mut self.io).poll_write(cx, &self.out[self.sent..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Ev::WriteErr(std::io::ErrorKind::WriteZero.into()))
                }
                Poll::Ready(Ok(n)) => {
                    self.sent += n;
                    self.stalled_since = None;
                    if self.sent == self.out.len() {
                        self.out.clear();
                        self.sent = 0;
                        self.flush = true;
                    }
                    return Poll::Ready(Ev::Wrote);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Ev::WriteErr(e)),
                Poll::Pending => self.stalled(),
            }
        } else if self.flush {
            // TLS keeps what it could not send yet: flushed before the
            // connection waits (for plain TCP a no-op).
            match Pin::new(&mut self.io).poll_flush(cx) {
                Poll::Ready(Ok(())) => {
                    self.flush = false;
                    self.stalled_since = None;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Ev::WriteErr(e)),
                Poll::Pending => self.stalled(),
            }
        }
        if self.reading() {
            self.make_room();
            if self.hi < self.buf.len() {
                let mut rb = ReadBuf::new(&mut self.buf[self.hi..]);
                match Pin::new(&mut self.io).poll_read(cx, &mut rb) {
                    Poll::Ready(Ok(())) => {
                        let n = rb.filled().len();
                        self.hi += n;
                        return Poll::Ready(Ev::Read(n));
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Ev::ReadErr(e)),
                    Poll::Pending => {}
                }
            }
        }
        if self.armed.is_some() && self.sleep.as_mut().poll(cx).is_ready() {
            self.armed = None;
            return Poll::Ready(Ev::Timer);
        }
        Poll::Pending
    }
}

/// The record as it is stored: without a trailing `\r`/`\n`, and with
/// a newline inside turned into a space (a line is a record in the store).
fn clean(line: &[u8]) -> Vec<u8> {
    let mut l = line;
    while let Some(s) = l.strip_suffix(b"\n").or_else(|| l.strip_suffix(b"\r")) {
        l = s;
    }
    let mut v = l.to_vec();
    for b in &mut v {
        if *b == b'\n' {
            *b = b' ';
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::AsyncWriteExt;
    use tokio::sync::{mpsc, oneshot};

    use super::*;
    use crate::config::Config;
    use crate::metrics::Metrics;

    /// The default listener's state, with no idle limit (so that only the
    /// write timeout can drop a silent peer) and the given write timeout.
    fn shared(write_timeout: Duration) -> Shared {
        let cfg = Config::default();
        let mut limits = cfg.limits().unwrap();
        limits.max_idle = None;
        limits.write_timeout = write_timeout;
        Shared::new(limits, Metrics::new(), cfg.max_buffered, cfg.max_in_flight)
    }

    /// The order of events that once left a connection open forever, made
    /// to happen every time: the peer sends one record and then neither
    /// sends nor reads, and its socket takes only part of the ACK. The
    /// write stalls in the connection's last wait, with no read, reply or
    /// other deadline to come, so only the write timeout armed by that
    /// stall can end it. (A TCP socket would need megabytes of unread
    /// replies first; a duplex pipe of 8 bytes stalls on the first ACK.)
    #[test]
    fn a_write_that_stalls_in_the_last_wait_still_times_out() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let timeout = Duration::from_millis(200);
            let sh = shared(timeout);
            let (mut peer, server_io) = tokio::io::duplex(8);
            let (tx, mut rx) = mpsc::channel::<Job>(16);
            // The store: every record is durable at once.
            let store = tokio::spawn(async move {
                let mut n = 0;
                while let Some(job) = rx.recv().await {
                    n += 1;
                    if let Some(w) = job.reply.and_then(|t| t.send(Reply::Ack)) {
                        w.wake();
                    }
                }
                n
            });
            // The peer: one record, then silence, never reading.
            let (done_tx, done_rx) = oneshot::channel::<()>();
            let client = tokio::spawn(async move {
                let f = codec::frame(
                    Kind::Message,
                    1,
                    b"type=USER msg=audit(1700000000.000:1): pid=1 msg='x'",
                );
                peer.write_all(&f).await.unwrap();
                let _ = done_rx.await;
                drop(peer);
            });
            let start = Instant::now();
            let addr: SocketAddr = "127.0.0.1:60".parse().unwrap();
            let served = tokio::time::timeout(
                Duration::from_secs(10),
                serve(&sh, tx, server_io, addr, Outbox::new()),
            )
            .await;
            let took = start.elapsed();
            let _ = done_tx.send(());
            client.await.unwrap();
            assert!(
                served.is_ok(),
                "the connection was not dropped within 10 s (write_timeout is {timeout:?})"
            );
            assert!(
                took >= timeout,
                "dropped after {took:?}, before write_timeout"
            );
            assert_eq!(sh.metrics.timeouts.load(Relaxed), 1);
            assert_eq!(store.await.unwrap(), 1, "the record reached the store");
        });
    }
}
