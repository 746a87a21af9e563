//! `auditkit collect`: a receiver for audisp-remote's protocol that
//! acknowledges a record only once it is on disk, and the embedded store
//! it writes.
//!
//! auditd's own listener (`src/auditd-listen.c`) acks a record after an
//! `fprintf` into a stdio buffer and fsyncs later, so an acked record can
//! be lost in a crash; it refuses a restarted client as a duplicate until
//! the old socket times out; and it has no cap on what a peer may make it
//! buffer. This crate keeps the wire protocol and changes the rest:
//!
//! - [`codec`]: the frames, as a pure decoder and encoder (no runtime),
//!   shared by the receiver, the fuzz target and the coming forwarder.
//! - [`store`]: the [`store::Store`] trait (a batch is durable when
//!   `write_batch` returns), the embedded [`store::FileStore`] (segments
//!   in auditd's raw format that ausearch reads as they are, a block index
//!   of times and nodes, torn-tail repair) and the resend filter.
//! - [`writer`]: group commit. One thread takes the records every
//!   connection queued while the last fsync ran, drops resends, writes
//!   and syncs them as one batch, then releases the acks; then it feeds
//!   the records, per node, to event assembly for an ordered-stage hook.
//! - [`server`]: the tokio listener: auditd's controls
//!   (`tcp_client_ports`, `tcp_max_per_addr`, `tcp_client_max_idle`, the
//!   backlog) plus an allow-list, caps on frames, buffered bytes and
//!   connections, read and write timeouts, a log line per rejected peer,
//!   a new connection from an address replacing the stale one, ENDING to
//!   every client on shutdown, ascii clients.
//! - [`metrics`]: counters, logged periodically and served in
//!   Prometheus's text format.
//!
//! Only `codec` and `store::index` exist without the `server` feature
//! (no tokio): the fuzz targets and `search --store` need nothing more.

#![deny(missing_docs)]

pub mod codec;
pub mod store;

#[cfg(feature = "server")]
pub mod clickhouse;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod forward;
#[cfg(feature = "server")]
pub mod metrics;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod tls;
#[cfg(feature = "server")]
pub mod writer;
