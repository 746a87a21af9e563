//! The listener and its connections (tokio).
//!
//! Layers as in mini-redis: socket -> frames ([`crate::codec`]) ->
//! records queued to the [`crate::writer`] -> replies. Each connection is
//! one task (`conn`): it decodes frames, queues each record with a
//! ticket to the connection's [`Outbox`], keeps the sequence ids in its
//! in-flight queue, and writes the replies in order as the writer puts
//! them in the outbox. A stop-and-wait client (audisp-remote) has one
//! record in flight; a pipelining client (`auditkit forward`) up to
//! `max_in_flight`.
//!
//! The writer thread does not wake the connections itself: it hands each
//! batch's wakers to one task on the runtime, which wakes them from
//! there (one cross-thread wake-up per batch; on the runtime's own
//! thread a wake is a queue push, from another thread it may be a system
//! call each).
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
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};
use std::task::Waker;
use std::time::Duration;

use thiserror::Error;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::config::{Config, ConfigError, Limits};
use crate::metrics::Metrics;
use crate::store::{FileStore, Store, StoreError};
use crate::writer::{self, log, Hook, Job, Outbox};

mod conn;

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
    by_addr: HashMap<IpAddr, Vec<(u64, Arc<Outbox>)>>,
}

/// What the accept loop and the connections share.
struct Shared {
    limits: RwLock<Arc<Limits>>,
    /// Bumped when the limits change, so a connection takes the lock
    /// only then.
    limits_gen: AtomicU64,
    registry: Mutex<Registry>,
    metrics: Arc<Metrics>,
    budget: Arc<Semaphore>,
    max_in_flight: usize,
    /// True from shutdown on (each connection's outbox is signalled too).
    stopping: AtomicBool,
}

impl Shared {
    /// What a listener with these settings starts with: nobody connected,
    /// `max_buffered` bytes of records in the budget, at least one record
    /// in flight per connection.
    fn new(
        limits: Limits,
        metrics: Arc<Metrics>,
        max_buffered: usize,
        max_in_flight: usize,
    ) -> Shared {
        Shared {
            limits: RwLock::new(Arc::new(limits)),
            limits_gen: AtomicU64::new(0),
            registry: Mutex::new(Registry::default()),
            metrics,
            budget: Arc::new(Semaphore::new(max_buffered)),
            max_in_flight: max_in_flight.max(1),
            stopping: AtomicBool::new(false),
        }
    }

    fn limits(&self) -> Arc<Limits> {
        match self.limits.read() {
            Ok(l) => l.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        match self.registry.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
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
        self.0.limits_gen.fetch_add(1, Relaxed);
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
    // The writer's wakers, woken on this runtime (see the module doc).
    let (wake_tx, mut wake_rx) = mpsc::unbounded_channel::<Vec<Waker>>();
    tokio::spawn(async move {
        while let Some(ws) = wake_rx.recv().await {
            ws.into_iter().for_each(Waker::wake);
        }
    });
    let w = writer::spawn(
        Box::new(store) as Box<dyn Store>,
        cfg.writer_options(),
        metrics.clone(),
        hook,
        Some(Box::new(move |ws| {
            // The runtime is gone only once the writer is done.
            if let Err(e) = wake_tx.send(ws) {
                e.0.into_iter().for_each(Waker::wake);
            }
        })),
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
    let shared = Arc::new(Shared::new(
        limits,
        metrics.clone(),
        cfg.max_buffered,
        cfg.max_in_flight,
    ));
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
    shared.stopping.store(true, Relaxed);
    for (_, o) in shared.registry().by_addr.values().flatten() {
        o.stop();
    }
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
    outbox: Arc<Outbox>,
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
    let mut reg = sh.registry();
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
            let (old, outbox) = v.remove(0);
            outbox.stop();
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
    let outbox = Outbox::new();
    if sh.stopping.load(Relaxed) {
        outbox.stop();
    }
    reg.by_addr
        .entry(ip)
        .or_default()
        .push((id, outbox.clone()));
    reg.total += 1;
    drop(reg);
    let _ = sock.set_nodelay(true);
    set_keepalive(sock);
    sh.metrics.accepted.fetch_add(1, Relaxed);
    sh.metrics.peers.fetch_add(1, Relaxed);
    Some(Admitted { id, outbox })
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

async fn connection(
    sh: Arc<Shared>,
    tx: mpsc::Sender<Job>,
    sock: TcpStream,
    peer: SocketAddr,
    me: Admitted,
    tls: Option<TlsAcceptor>,
) {
    match tls {
        None => conn::serve(&sh, tx, sock, peer, me.outbox.clone()).await,
        Some(acc) => {
            let d = sh.limits().frame_timeout;
            match tokio::time::timeout(d, acc.accept(sock)).await {
                Ok(Ok(t)) => conn::serve(&sh, tx, t, peer, me.outbox.clone()).await,
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

/// Take a finished connection out of the registry.
fn unregister(sh: &Shared, peer: SocketAddr, me: &Admitted) {
    let mut reg = sh.registry();
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
