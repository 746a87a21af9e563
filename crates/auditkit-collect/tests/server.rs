//! The receiver in process, over loopback: what a connection does when
//! a client pipelines more records than `max_in_flight` (replies in
//! order, heartbeats answered in their place, the socket read again as
//! replies go out) and when a client stops reading its replies (dropped
//! after `write_timeout`, the others served on).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auditkit_collect::codec::{self, Decoder, Frame, Kind, Side};
use auditkit_collect::config::Config;
use auditkit_collect::metrics::Metrics;
use auditkit_collect::server;
use auditkit_testsupport::fs::TempDir;

/// A collector on its own runtime thread; dropping `stop` stops it.
struct Running {
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    fn start(mut cfg: Config) -> Running {
        cfg.listen = "127.0.0.1:0".into();
        cfg.stats_interval = 0;
        let metrics = Metrics::new();
        let m = metrics.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (atx, arx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let l = server::bind("127.0.0.1:0".parse().unwrap(), 128).unwrap();
                atx.send(l.local_addr().unwrap()).unwrap();
                server::run(cfg, l, None, m, async { drop(stopped.await) }, |_| {})
                    .await
                    .unwrap();
            });
        });
        let addr = arx.recv_timeout(Duration::from_secs(30)).unwrap();
        Running {
            addr,
            metrics,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn line(seq: u32) -> Vec<u8> {
    format!(
        "node=pipe type=USER msg=audit(1700000000.{:03}:{seq}): n={seq}",
        seq % 1000
    )
    .into_bytes()
}

/// Read replies until `want` of them came: (kind, seq, payload).
fn replies(s: &mut TcpStream, want: usize) -> Vec<(Kind, u32, Vec<u8>)> {
    let mut dec = Decoder::new(Side::Client, codec::MAX_PAYLOAD);
    let (mut buf, mut have) = (vec![0u8; 1 << 16], 0);
    let mut got = Vec::new();
    while got.len() < want {
        let n = s.read(&mut buf[have..]).expect("read replies");
        assert!(n > 0, "closed after {} replies", got.len());
        have += n;
        let mut used = 0;
        while let Some((f, k)) = dec.decode(&buf[used..have]).unwrap() {
            match f {
                Frame::Managed { header, payload } => {
                    got.push((header.kind, header.seq, payload.to_vec()))
                }
                Frame::Line(_) => panic!("ascii reply"),
            }
            used += k;
        }
        buf.copy_within(used..have, 0);
        have -= used;
    }
    got
}

#[test]
fn pipelined_records_past_max_in_flight_are_answered_in_order() {
    let t = TempDir::new("collect-pipeline");
    let cfg = Config {
        store: t.join("store"),
        max_in_flight: 16,
        max_batch: 50,
        ..Config::default()
    };
    let c = Running::start(cfg);
    let mut s = TcpStream::connect(c.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // 3,000 frames in one go: records, a heartbeat every 100th, and
    // every record of the first 100 sent twice (a resend).
    let mut all = Vec::new();
    let mut want = Vec::new();
    for seq in 1..=3000u32 {
        if seq % 100 == 0 {
            codec::encode(Kind::Heartbeat, seq, b"", &mut all);
        } else {
            codec::encode(Kind::Message, seq, &line(seq), &mut all);
        }
        want.push((Kind::Ack, seq));
    }
    for seq in 1..100u32 {
        codec::encode(Kind::Message, 5000 + seq, &line(seq), &mut all);
        want.push((Kind::Ack, 5000 + seq));
    }
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || w.write_all(&all).unwrap());
    let got = replies(&mut s, want.len());
    writer.join().unwrap();
    let kinds: Vec<(Kind, u32)> = got.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(kinds, want, "every frame answered once, in order");
    for (k, seq, payload) in &got {
        if *k == Kind::Ack && seq % 100 == 0 && *seq <= 3000 {
            assert_eq!(codec::hello_window(payload), Some(16), "heartbeat {seq}");
        }
    }
    assert_eq!(c.metrics.stored.load(Relaxed), 2970);
    assert_eq!(c.metrics.duplicates.load(Relaxed), 99);
    assert_eq!(c.metrics.heartbeats.load(Relaxed), 30);
}

#[test]
fn a_peer_that_does_not_read_its_replies_is_dropped_alone() {
    let t = TempDir::new("collect-noread");
    let cfg = Config {
        store: t.join("store"),
        write_timeout: 1,
        ..Config::default()
    };
    let c = Running::start(cfg);
    let mut deaf = TcpStream::connect(c.addr).unwrap();
    // A small receive buffer, so that the replies back up soon.
    let small: libc::c_int = 4096;
    // SAFETY: a valid socket and an int option of the right size.
    unsafe {
        libc::setsockopt(
            deaf.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&small as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
    deaf.set_write_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let sender = std::thread::spawn(move || {
        // Records until the collector stops reading them (the socket
        // stays open, unread, until the end of the test).
        let mut frame = Vec::new();
        for seq in 1..=2_000_000u32 {
            frame.clear();
            codec::encode(Kind::Message, seq, &line(seq), &mut frame);
            if deaf.write_all(&frame).is_err() {
                return (seq, deaf);
            }
        }
        (0, deaf)
    });
    let t0 = Instant::now();
    while c.metrics.timeouts.load(Relaxed) == 0 && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        c.metrics.timeouts.load(Relaxed),
        1,
        "dropped for write_timeout"
    );
    let (sent, _deaf) = sender.join().unwrap();
    assert!(sent > 0, "the collector never stopped reading");
    // Another client is served as before.
    let mut ok = TcpStream::connect(c.addr).unwrap();
    ok.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    ok.write_all(&codec::frame(Kind::Message, 7, &line(7_000_001)))
        .unwrap();
    let r = replies(&mut ok, 1);
    assert_eq!((r[0].0, r[0].1), (Kind::Ack, 7));
}
