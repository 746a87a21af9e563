//! The receiver's counters: lock-free atomics that the connections and
//! the writer bump, rendered as one log line ([`Metrics::summary`]) and
//! as Prometheus's text exposition format ([`Metrics::prometheus`]),
//! served by [`serve`] on a local port.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Upper bounds of the fsync latency histogram, in microseconds.
const BUCKETS_US: [u64; 12] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
];

/// Every counter. Counters only grow; `peers` goes up and down.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Records received (MESSAGE frames and ascii lines).
    pub received: AtomicU64,
    /// Records acknowledged (ACK or DISKLOW after the fsync).
    pub acked: AtomicU64,
    /// Records refused (DISKFULL, DISKERROR).
    pub refused: AtomicU64,
    /// Resends recognised and not stored again.
    pub duplicates: AtomicU64,
    /// Records stored.
    pub stored: AtomicU64,
    /// Heartbeats answered.
    pub heartbeats: AtomicU64,
    /// Connections accepted.
    pub accepted: AtomicU64,
    /// Peers refused at accept (allow-list, source port, caps).
    pub rejected: AtomicU64,
    /// Connections closed for a broken stream (garbage, oversized frame).
    pub bad_frames: AtomicU64,
    /// Connections dropped as idle or slow.
    pub timeouts: AtomicU64,
    /// Connections closed because a newer one from the address came.
    pub replaced: AtomicU64,
    /// Peers connected now.
    pub peers: AtomicU64,
    /// Events assembled from the stream (the ordered-stage hook's input).
    pub events: AtomicU64,
    /// Batches written.
    pub batches: AtomicU64,
    fsync_buckets: [AtomicU64; BUCKETS_US.len()],
    fsync_count: AtomicU64,
    fsync_sum_us: AtomicU64,
}

impl Metrics {
    /// A shared, zeroed set.
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    /// Record one batch write+fsync.
    pub fn fsync(&self, d: Duration) {
        let us = d.as_micros().min(u128::from(u64::MAX)) as u64;
        for (b, &le) in self.fsync_buckets.iter().zip(&BUCKETS_US) {
            if us <= le {
                b.fetch_add(1, Relaxed);
            }
        }
        self.fsync_count.fetch_add(1, Relaxed);
        self.fsync_sum_us.fetch_add(us, Relaxed);
    }

    /// The one-line summary logged periodically.
    pub fn summary(&self) -> String {
        let n = self.fsync_count.load(Relaxed);
        let avg = self.fsync_sum_us.load(Relaxed).checked_div(n).unwrap_or(0);
        format!(
            "received={} acked={} refused={} stored={} duplicates={} peers={} rejected={} \
             bad_frames={} timeouts={} replaced={} events={} batches={} fsync_avg_us={avg}",
            self.received.load(Relaxed),
            self.acked.load(Relaxed),
            self.refused.load(Relaxed),
            self.stored.load(Relaxed),
            self.duplicates.load(Relaxed),
            self.peers.load(Relaxed),
            self.rejected.load(Relaxed),
            self.bad_frames.load(Relaxed),
            self.timeouts.load(Relaxed),
            self.replaced.load(Relaxed),
            self.events.load(Relaxed),
            self.batches.load(Relaxed),
        )
    }

    /// Prometheus text format (version 0.0.4).
    pub fn prometheus(&self) -> String {
        let mut s = String::new();
        let counters: [(&str, &str, &AtomicU64); 13] = [
            ("records_received_total", "records received", &self.received),
            (
                "records_acked_total",
                "records acknowledged after fsync",
                &self.acked,
            ),
            (
                "records_refused_total",
                "records refused (disk full or error)",
                &self.refused,
            ),
            (
                "records_stored_total",
                "records written to the store",
                &self.stored,
            ),
            (
                "records_duplicate_total",
                "resends not stored again",
                &self.duplicates,
            ),
            ("heartbeats_total", "heartbeats answered", &self.heartbeats),
            (
                "connections_accepted_total",
                "connections accepted",
                &self.accepted,
            ),
            (
                "peers_rejected_total",
                "peers refused at accept",
                &self.rejected,
            ),
            (
                "connections_bad_frame_total",
                "connections closed for a broken stream",
                &self.bad_frames,
            ),
            (
                "connections_timeout_total",
                "connections dropped as idle or slow",
                &self.timeouts,
            ),
            (
                "connections_replaced_total",
                "connections replaced by a newer one",
                &self.replaced,
            ),
            (
                "events_assembled_total",
                "events assembled from the stream",
                &self.events,
            ),
            ("batches_total", "group commits", &self.batches),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                s,
                "# HELP auditkit_collect_{name} {help}\n# TYPE auditkit_collect_{name} counter\nauditkit_collect_{name} {}",
                v.load(Relaxed)
            );
        }
        let _ = writeln!(
            s,
            "# HELP auditkit_collect_peers peers connected\n# TYPE auditkit_collect_peers gauge\nauditkit_collect_peers {}",
            self.peers.load(Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP auditkit_collect_fsync_seconds write and fsync of one batch\n# TYPE auditkit_collect_fsync_seconds histogram"
        );
        for (b, &le) in self.fsync_buckets.iter().zip(&BUCKETS_US) {
            let _ = writeln!(
                s,
                "auditkit_collect_fsync_seconds_bucket{{le=\"{}\"}} {}",
                le as f64 / 1e6,
                b.load(Relaxed)
            );
        }
        let n = self.fsync_count.load(Relaxed);
        let _ = writeln!(
            s,
            "auditkit_collect_fsync_seconds_bucket{{le=\"+Inf\"}} {n}"
        );
        let _ = writeln!(
            s,
            "auditkit_collect_fsync_seconds_sum {}",
            self.fsync_sum_us.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(s, "auditkit_collect_fsync_seconds_count {n}");
        s
    }
}

/// Serve the counters over HTTP on `listener` until the task is dropped:
/// any request gets the Prometheus text (one request per connection, a
/// 2 s read timeout, requests over 8 KiB cut).
pub async fn serve(listener: TcpListener, m: Arc<Metrics>) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let m = m.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut n = 0;
            let read = tokio::time::timeout(Duration::from_secs(2), async {
                while n < buf.len() {
                    match sock.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(k) => n += k,
                    }
                    if memchr::memmem::find(&buf[..n], b"\r\n\r\n").is_some() {
                        break;
                    }
                }
            })
            .await;
            if read.is_err() {
                return;
            }
            let body = m.prometheus();
            let resp = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}
