//! The listener and its connections (tokio).
//!
//! Layers as in mini-redis: socket -> frames ([`crate::codec`]) ->
//! records queued to the [`crate::writer`] -> replies. Each connection is
//! two halves: the reader decodes frames, queues each record with a
//! oneshot for its reply, and puts the oneshot in the connection's
//! in-flight queue; the replier awaits those in order and writes the
//! ACKs. A stop-and-wait client (audisp-remote) has one record in flight;
//! a pipelining client (the coming forwarder) up to `max_in_flight`.
//!
//! Bounds on everything a peer controls:
//! - at accept: the allow-list, the source port range, the connection
//!   cap, and `max_per_addr` (a connection beyond it *replaces* the
//!   address's oldest, the one a restarted client left behind, where
//!   auditd refuses the new one until the old one times out);
//! - per connection: a read buffer of one frame plus one read, frames
//!   over the cap, bytes that are not frames, a started frame that does
//!   not complete in `frame_timeout`, no bytes for `max_idle`, replies
//!   not read for `write_timeout`: each closes that connection only, with
//!   one log line;
//! - over all connections: `max_buffered` bytes of records queued for the
//!   store (a semaphore; a reader waits for room, which pushes back on
//!   its peer through TCP).
//!
//! Shutdown (the future passed to [`run`]): the listener closes, readers
//! stop, every record already read is written and acked, then each
//! managed client gets ENDING, and the writer fsyncs and closes the store.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot, watch, Notify, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::codec::{self, Decoder, Frame, Kind, Mode, Side};
use crate::config::{Config, ConfigError, Limits};
use crate::metrics::Metrics;
use crate::store::{FileStore, Store, StoreError};
use crate::writer::{self, log, Hook, Job, Reply};

/// Why the collector could not start or stopped.
#[derive(Debug, Error)]
pub enum ServerError {
    /// A bad setting.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The store could not be opened or closed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Binding or listening failed.
    #[error("{what} {addr}: {err}")]
    Listen {
        /// What was being done.
        what: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The error.
        err: std::io::Error,
    },
    /// The writer thread panicked.
    #[error("the store writer thread failed")]
    Writer,
    /// The TLS listener's certificates or key.
    #[error("tls: {0}")]
    Tls(String),
}

/// Who is connected, by address, for `max_per_addr` and replacement.
#[derive(Default)]
struct Registry {
    next: u64,
    total: usize,
    by_addr: HashMap<IpAddr, Vec<(u64, Arc<Notify>)>>,
}

/// What the accept loop and the connections share.
struct Shared {
    limits: RwLock<Arc<Limits>>,
    registry: Mutex<Registry>,
    metrics: Arc<Metrics>,
    budget: Arc<Semaphore>,
    max_in_flight: usize,
    /// Flips to true on shutdown.
    stopping: watch::Receiver<bool>,
}

impl Shared {
    fn limits(&self) -> Arc<Limits> {
        match self.limits.read() {
            Ok(l) => l.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

/// A handle to change the limits of a running collector (SIGHUP).
#[derive(Clone)]
pub struct Reload(Arc<Shared>);

impl Reload {
    /// Apply new limits to new connections and to the timeouts of the
    /// current ones.
    pub fn apply(&self, l: Limits) {
        match self.0.limits.write() {
            Ok(mut g) => *g = Arc::new(l),
            Err(p) => *p.into_inner() = Arc::new(l),
        }
    }
}

/// Bind the listener with the configured backlog (`SO_REUSEADDR`, so a
/// restart does not wait for TIME_WAIT).
pub fn bind(addr: SocketAddr, backlog: u32) -> Result<TcpListener, ServerError> {
    let err = |what, err| ServerError::Listen { what, addr, err };
    let s = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(|e| err("socket for", e))?;
    s.set_reuseaddr(true)
        .map_err(|e| err("SO_REUSEADDR on", e))?;
    s.bind(addr).map_err(|e| err("bind", e))?;
    s.listen(backlog).map_err(|e| err("listen on", e))
}

/// Start the collector's store writer and serve `listener` until
/// `shutdown` completes; `ready` gets the reload handle once serving.
/// Returns when every connection has finished and the store is closed.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    hook: Option<Box<dyn Hook>>,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
    ready: impl FnOnce(Reload),
) -> Result<(), ServerError> {
    cfg.check()?;
    let limits = cfg.limits()?;
    let mut store = FileStore::open(&cfg.store, cfg.file_options())?;
    if let Some(n) = store.repaired.take() {
        log(format_args!(
            "store: cut a torn tail of {n} bytes from {} (a write interrupted by a crash; never acked)",
            store.current().display()
        ));
    }
    let w = writer::spawn(
        Box::new(store) as Box<dyn Store>,
        cfg.writer_options(),
        metrics.clone(),
        hook,
    )?;
    // ClickHouse behind the store: a thread that reads what the writer
    // made durable (so acks never wait for it).
    let sink = match cfg.clickhouse.as_str() {
        "" => None,
        u => {
            let url = crate::clickhouse::Url::parse(u).map_err(|msg| ConfigError::Value {
                key: "clickhouse".into(),
                value: u.into(),
                msg,
            })?;
            Some(
                crate::clickhouse::spawn(url, cfg.store.clone(), cfg.clickhouse_batch)
                    .map_err(|e| ServerError::Store(StoreError::Io(e)))?,
            )
        }
    };
    // The TLS listener (forwarders with certificates), beside the plain
    // one that audisp-remote uses.
    let tls = match cfg.tls()? {
        Some((addr, t)) => {
            let acc = t.acceptor().map_err(ServerError::Tls)?;
            let l = bind(addr, cfg.backlog)?;
            log(format_args!(
                "TLS listening on {}",
                l.local_addr().unwrap_or(addr)
            ));
            Some((l, acc))
        }
        None => None,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        limits: RwLock::new(Arc::new(limits)),
        registry: Mutex::new(Registry::default()),
        metrics: metrics.clone(),
        budget: Arc::new(Semaphore::new(cfg.max_buffered)),
        max_in_flight: cfg.max_in_flight,
        stopping: stop_rx,
    });
    ready(Reload(shared.clone()));
    let stats = (cfg.stats_interval > 0).then(|| {
        let m = metrics.clone();
        let every = Duration::from_secs(cfg.stats_interval);
        tokio::spawn(async move {
            let mut t = tokio::time::interval(every);
            t.tick().await;
            loop {
                t.tick().await;
                log(format_args!("{}", m.summary()));
            }
        })
    });
    let mut conns = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok((sock, peer)) => {
                    if let Some(c) = admit(&shared, &sock, peer) {
                        let (sh, tx) = (shared.clone(), w.tx.clone());
                        conns.spawn(connection(sh, tx, sock, peer, c, None));
                    }
                }
                Err(e) => {
                    // EMFILE and the like: wait instead of spinning.
                    log(format_args!("accept: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            r = accept_tls(&tls) => match r {
                Ok((sock, peer)) => {
                    if let Some(c) = admit(&shared, &sock, peer) {
                        let (sh, tx) = (shared.clone(), w.tx.clone());
                        let acc = tls.as_ref().map(|t| t.1.clone());
                        conns.spawn(connection(sh, tx, sock, peer, c, acc));
                    }
                }
                Err(e) => {
                    log(format_args!("accept (TLS): {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    drop(tls);
    let _ = stop_tx.send(true);
    let wait = Duration::from_secs(cfg.shutdown_timeout.max(1));
    let drained =
        tokio::time::timeout(wait, async { while conns.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        log(format_args!(
            "shutdown: {} connections did not finish in {}s, closed",
            conns.len(),
            wait.as_secs()
        ));
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    }
    if let Some(s) = stats {
        s.abort();
    }
    let writer::Writer { tx, join } = w;
    drop(tx);
    let r = tokio::task::spawn_blocking(move || join.join())
        .await
        .map_err(|_| ServerError::Writer)?
        .map_err(|_| ServerError::Writer)?;
    r?;
    if let Some(s) = sink {
        s.stop.store(true, Relaxed);
        let st = s.stats.clone();
        let _ = tokio::task::spawn_blocking(move || s.join.join()).await;
        log(format_args!(
            "clickhouse: {} records, {} events inserted in {} batches, {} failed attempts",
            st.records.load(Relaxed),
            st.events.load(Relaxed),
            st.batches.load(Relaxed),
            st.failures.load(Relaxed)
        ));
    }
    log(format_args!("stopped: {}", metrics.summary()));
    Ok(())
}

async fn accept_tls(
    t: &Option<(TcpListener, TlsAcceptor)>,
) -> std::io::Result<(TcpStream, SocketAddr)> {
    match t {
        Some((l, _)) => l.accept().await,
        None => std::future::pending().await,
    }
}

/// One admitted connection's identity in the registry.
struct Admitted {
    id: u64,
    kill: Arc<Notify>,
}

/// The accept-time checks; `None` (and one log line) for a refused peer.
fn admit(sh: &Shared, sock: &TcpStream, peer: SocketAddr) -> Option<Admitted> {
    let l = sh.limits();
    let ip = match peer.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer.ip(), IpAddr::V4),
        v4 => v4,
    };
    let refuse = |why: String| {
        sh.metrics.rejected.fetch_add(1, Relaxed);
        log(format_args!("refused {peer}: {why}"));
        None
    };
    if !l.allow.is_empty() && !l.allow.iter().any(|n| n.contains(ip)) {
        return refuse("address not in the allow list".into());
    }
    if let Some((lo, hi)) = l.client_ports {
        if !(lo..=hi).contains(&peer.port()) {
            return refuse(format!(
                "source port {} outside client_ports {lo}-{hi}",
                peer.port()
            ));
        }
    }
    let mut reg = match sh.registry.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let same = reg.by_addr.get(&ip).map_or(0, Vec::len);
    if reg.total >= l.max_connections && same < l.max_per_addr {
        drop(reg);
        return refuse(format!(
            "{} connections open, the cap (max_connections)",
            l.max_connections
        ));
    }
    if same >= l.max_per_addr {
        // The address's oldest connection is the one a restarted client
        // left behind: it goes now, not after a timeout.
        if let Some(v) = reg.by_addr.get_mut(&ip) {
            let (old, kill) = v.remove(0);
            kill.notify_one();
            sh.metrics.replaced.fetch_add(1, Relaxed);
            log(format_args!(
                "{peer}: replaces connection #{old} from the same address (max_per_addr {})",
                l.max_per_addr
            ));
            reg.total -= 1;
        }
    }
    reg.next += 1;
    let id = reg.next;
    let kill = Arc::new(Notify::new());
    reg.by_addr.entry(ip).or_default().push((id, kill.clone()));
    reg.total += 1;
    drop(reg);
    let _ = sock.set_nodelay(true);
    set_keepalive(sock);
    sh.metrics.accepted.fetch_add(1, Relaxed);
    sh.metrics.peers.fetch_add(1, Relaxed);
    Some(Admitted { id, kill })
}

fn set_keepalive(sock: &TcpStream) {
    let on: libc::c_int = 1;
    // SAFETY: a valid socket fd and a c_int option value of the right size.
    unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_KEEPALIVE,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// A record or heartbeat waiting for its reply, in arrival order.
enum Pending {
    Record(u32, oneshot::Receiver<Reply>),
    Heartbeat(u32),
}

/// Why a connection ended (for the log line and the counters).
enum End {
    Closed,
    Stopping,
    Replaced,
    Idle,
    Slow,
    Bad(codec::DecodeError),
    Io(std::io::Error),
    Writer,
}

async fn connection(
    sh: Arc<Shared>,
    tx: mpsc::Sender<Job>,
    sock: TcpStream,
    peer: SocketAddr,
    me: Admitted,
    tls: Option<TlsAcceptor>,
) {
    match tls {
        None => {
            let (rd, wr) = sock.into_split();
            serve(&sh, tx, rd, wr, peer, &me).await;
        }
        Some(acc) => {
            let d = sh.limits().frame_timeout;
            match tokio::time::timeout(d, acc.accept(sock)).await {
                Ok(Ok(t)) => {
                    let (rd, wr) = tokio::io::split(t);
                    serve(&sh, tx, rd, wr, peer, &me).await;
                }
                Ok(Err(e)) => {
                    sh.metrics.rejected.fetch_add(1, Relaxed);
                    log(format_args!("refused {peer}: TLS handshake: {e}"));
                }
                Err(_) => {
                    sh.metrics.timeouts.fetch_add(1, Relaxed);
                    log(format_args!(
                        "dropped {peer}: TLS handshake not done in time (frame_timeout)"
                    ));
                }
            }
        }
    }
    unregister(&sh, peer, &me);
}

/// Serve one connection's frames until it ends (one log line for why).
async fn serve<R, W>(
    sh: &Arc<Shared>,
    tx: mpsc::Sender<Job>,
    rd: R,
    wr: W,
    peer: SocketAddr,
    me: &Admitted,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (ptx, prx) = mpsc::channel(sh.max_in_flight);
    let (mode_tx, mode_rx) = oneshot::channel();
    let replier = tokio::spawn(replies(sh.clone(), wr, prx, mode_rx, peer));
    let end = read_loop(sh, tx, rd, ptx, mode_tx, me).await;
    match &end {
        End::Closed | End::Stopping | End::Replaced => {}
        End::Idle => {
            sh.metrics.timeouts.fetch_add(1, Relaxed);
            log(format_args!("dropped {peer}: idle (max_idle)"));
        }
        End::Slow => {
            sh.metrics.timeouts.fetch_add(1, Relaxed);
            log(format_args!(
                "dropped {peer}: a frame did not complete in time (frame_timeout)"
            ));
        }
        End::Bad(e) => {
            sh.metrics.bad_frames.fetch_add(1, Relaxed);
            log(format_args!("dropped {peer}: {e}"));
        }
        End::Io(e) => log(format_args!("dropped {peer}: {e}")),
        End::Writer => log(format_args!("dropped {peer}: the store is closing")),
    }
    let _ = replier.await;
}

/// Take a finished connection out of the registry.
fn unregister(sh: &Shared, peer: SocketAddr, me: &Admitted) {
    let mut reg = match sh.registry.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let ip = match peer.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer.ip(), IpAddr::V4),
        v4 => v4,
    };
    let reg = &mut *reg;
    if let Some(v) = reg.by_addr.get_mut(&ip) {
        if let Some(i) = v.iter().position(|(id, _)| *id == me.id) {
            v.remove(i);
            reg.total -= 1;
        }
        if v.is_empty() {
            reg.by_addr.remove(&ip);
        }
    }
    sh.metrics.peers.fetch_sub(1, Relaxed);
}

async fn read_loop(
    sh: &Shared,
    tx: mpsc::Sender<Job>,
    mut rd: impl AsyncRead + Unpin,
    ptx: mpsc::Sender<Pending>,
    mode_tx: oneshot::Sender<Mode>,
    me: &Admitted,
) -> End {
    let limits = sh.limits();
    let mut dec = Decoder::new(Side::Server, limits.max_frame);
    let mut mode_tx = Some(mode_tx);
    // One frame and one read at most.
    let cap = codec::HEADER_LEN + limits.max_frame + 8192;
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let mut stopping = sh.stopping.clone();
    loop {
        // Every complete frame in the buffer first.
        let mut used = 0;
        loop {
            let r = dec.decode(&buf[used..]);
            if dec.mode() != Mode::Unknown {
                if let Some(t) = mode_tx.take() {
                    let _ = t.send(dec.mode());
                }
            }
            let (frame, n) = match r {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(e) => return End::Bad(e),
            };
            used += n;
            let (line, seq, heartbeat) = match frame {
                Frame::Managed { header, payload } => {
                    (payload, Some(header.seq), header.kind == Kind::Heartbeat)
                }
                Frame::Line(l) => (l, None, false),
            };
            if heartbeat {
                sh.metrics.heartbeats.fetch_add(1, Relaxed);
                if ptx
                    .send(Pending::Heartbeat(seq.unwrap_or(0)))
                    .await
                    .is_err()
                {
                    return End::Closed;
                }
                continue;
            }
            let line = clean(line);
            sh.metrics.received.fetch_add(1, Relaxed);
            let permit = match sh
                .budget
                .clone()
                .acquire_many_owned(line.len().max(1) as u32)
                .await
            {
                Ok(p) => p,
                Err(_) => return End::Writer,
            };
            let (rtx, rrx) = match seq {
                Some(_) => {
                    let (a, b) = oneshot::channel();
                    (Some(a), Some(b))
                }
                None => (None, None),
            };
            let job = Job {
                line,
                reply: rtx,
                permit: Some(permit),
            };
            if tx.send(job).await.is_err() {
                return End::Writer;
            }
            if let (Some(seq), Some(rrx)) = (seq, rrx) {
                if ptx.send(Pending::Record(seq, rrx)).await.is_err() {
                    return End::Closed;
                }
            }
        }
        buf.drain(..used);
        if *stopping.borrow() {
            return End::Stopping;
        }
        let l = sh.limits();
        let deadline = if buf.is_empty() {
            l.max_idle
        } else {
            Some(l.frame_timeout)
        };
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(cap.saturating_sub(buf.len()).max(4096));
        }
        let read = async {
            match deadline {
                Some(d) => tokio::time::timeout(d, rd.read_buf(&mut buf)).await.ok(),
                None => Some(rd.read_buf(&mut buf).await),
            }
        };
        tokio::select! {
            r = read => match r {
                None if buf.is_empty() => return End::Idle,
                None => return End::Slow,
                Some(Ok(0)) => return End::Closed,
                Some(Ok(_)) => {}
                Some(Err(e)) => return End::Io(e),
            },
            () = me.kill.notified() => return End::Replaced,
            _ = stopping.changed() => return End::Stopping,
        }
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

async fn replies(
    sh: Arc<Shared>,
    mut wr: impl AsyncWrite + Unpin,
    mut prx: mpsc::Receiver<Pending>,
    mode: oneshot::Receiver<Mode>,
    peer: SocketAddr,
) {
    let mut out = Vec::with_capacity(64);
    let mut fatal = false;
    let hello = codec::hello(sh.max_in_flight);
    while let Some(p) = prx.recv().await {
        out.clear();
        let reply = match p {
            Pending::Heartbeat(seq) => {
                codec::encode(Kind::Ack, seq, &hello, &mut out);
                Reply::Ack
            }
            Pending::Record(seq, rx) => match rx.await {
                Ok(r) => {
                    codec::encode(r.kind(), seq, r.text(), &mut out);
                    r
                }
                Err(_) => return,
            },
        };
        // Replies waiting behind this one go in the same write.
        while out.len() < 64 * 1024 {
            match prx.try_recv() {
                Ok(Pending::Heartbeat(s)) => codec::encode(Kind::Ack, s, &hello, &mut out),
                Ok(Pending::Record(s, mut rx)) => match rx.try_recv() {
                    Ok(r) => codec::encode(r.kind(), s, r.text(), &mut out),
                    Err(_) => {
                        if !write(&sh, &mut wr, &out, peer).await {
                            return;
                        }
                        out.clear();
                        match rx.await {
                            Ok(r) => codec::encode(r.kind(), s, r.text(), &mut out),
                            Err(_) => return,
                        }
                    }
                },
                Err(_) => break,
            }
        }
        if !write(&sh, &mut wr, &out, peer).await {
            return;
        }
        if reply != Reply::Ack && reply != Reply::DiskLow {
            fatal = true;
        }
    }
    // The reader is done: on shutdown a managed client is told so.
    let managed = matches!(mode.await, Ok(Mode::Managed));
    if managed && *sh.stopping.borrow() && !fatal {
        let f = codec::frame(Kind::Ending, 0, b"");
        let _ = write(&sh, &mut wr, &f, peer).await;
    }
    let _ = wr.shutdown().await;
}

async fn write(
    sh: &Shared,
    wr: &mut (impl AsyncWrite + Unpin),
    bytes: &[u8],
    peer: SocketAddr,
) -> bool {
    let d = sh.limits().write_timeout;
    match tokio::time::timeout(d, wr.write_all(bytes)).await {
        Ok(Ok(())) => true,
        Ok(Err(_)) => false,
        Err(_) => {
            sh.metrics.timeouts.fetch_add(1, Relaxed);
            log(format_args!(
                "dropped {peer}: replies not read in time (write_timeout)"
            ));
            false
        }
    }
}

/// Run the collector as a daemon on a runtime of its own: bind, serve
/// the counters if asked, and stop on SIGTERM or SIGINT (ENDING to the
/// clients, the last batch fsynced, the store closed). On SIGHUP,
/// `reload` reads the configuration again: the limits apply at once, a
/// change that needs a restart is logged and ignored.
pub fn daemon(
    cfg: Config,
    reload: Box<dyn Fn() -> Result<Config, String> + Send + Sync>,
) -> Result<(), ServerError> {
    cfg.check()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .thread_name("collect")
        .build()
        .map_err(|err| ServerError::Listen {
            what: "start the runtime for",
            addr: cfg
                .listen_addr()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))),
            err,
        })?;
    rt.block_on(async move {
        let addr = cfg.listen_addr()?;
        let listener = bind(addr, cfg.backlog)?;
        let local = listener.local_addr().unwrap_or(addr);
        let metrics = Metrics::new();
        if !cfg.metrics.is_empty() {
            let maddr: SocketAddr = cfg.metrics.parse().map_err(|_| ConfigError::Value {
                key: "metrics".into(),
                value: cfg.metrics.clone(),
                msg: "expected ADDR:PORT",
            })?;
            let ml = bind(maddr, 64)?;
            log(format_args!(
                "metrics on http://{}/metrics",
                ml.local_addr().unwrap_or(maddr)
            ));
            tokio::spawn(crate::metrics::serve(ml, metrics.clone()));
        }
        let sig = |k| {
            tokio::signal::unix::signal(k).map_err(|err| ServerError::Listen {
                what: "install a signal handler for",
                addr: local,
                err,
            })
        };
        use tokio::signal::unix::SignalKind;
        let mut term = sig(SignalKind::terminate())?;
        let mut int = sig(SignalKind::interrupt())?;
        let mut hup = sig(SignalKind::hangup())?;
        let shutdown = async move {
            tokio::select! {
                _ = term.recv() => log(format_args!("SIGTERM: shutting down")),
                _ = int.recv() => log(format_args!("SIGINT: shutting down")),
            }
        };
        let current = cfg.clone();
        let (htx, hrx) = oneshot::channel::<Reload>();
        tokio::spawn(async move {
            let Ok(handle) = hrx.await else { return };
            let mut current = current;
            while hup.recv().await.is_some() {
                match reload() {
                    Err(e) => log(format_args!("SIGHUP: configuration not reloaded: {e}")),
                    Ok(new) => match new.limits() {
                        Err(e) => log(format_args!("SIGHUP: configuration not reloaded: {e}")),
                        Ok(l) => {
                            let skipped = current.needs_restart(&new);
                            handle.apply(l);
                            if skipped.is_empty() {
                                log(format_args!("SIGHUP: configuration reloaded"));
                            } else {
                                log(format_args!(
                                    "SIGHUP: limits reloaded; needs a restart, ignored: {}",
                                    skipped.join(", ")
                                ));
                            }
                            current = new;
                        }
                    },
                }
            }
        });
        log(format_args!(
            "listening on {local}, store {}",
            cfg.store.display()
        ));
        run(cfg, listener, None, metrics, shutdown, move |r| {
            let _ = htx.send(r);
        })
        .await
    })
}
