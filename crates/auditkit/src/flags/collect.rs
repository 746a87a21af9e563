//! The options of `auditkit collect`. Every option but `--config` and
//! `--help` sets the configuration key of the same name (dashes for
//! underscores, see [`KEYS`]), so a flag and a line of the TOML file are
//! one setting; flags win over the file. Parsed by [`crate::collect`]
//! (`--name VALUE` and `--name=VALUE`).

use super::{val, Command, Flag, Group, Id, HELP};

/// Each flag's configuration key (what `Config::set` takes).
pub const KEYS: &[(Id, &str)] = &[
    (Id::Listen, "listen"),
    (Id::StoreDir, "store"),
    (Id::Metrics, "metrics"),
    (Id::StatsInterval, "stats_interval"),
    (Id::Backlog, "backlog"),
    (Id::ClientPorts, "client_ports"),
    (Id::MaxPerAddr, "max_per_addr"),
    (Id::MaxIdle, "max_idle"),
    (Id::Allow, "allow"),
    (Id::MaxConnections, "max_connections"),
    (Id::MaxFrame, "max_frame"),
    (Id::MaxBuffered, "max_buffered"),
    (Id::MaxInFlight, "max_in_flight"),
    (Id::FrameTimeout, "frame_timeout"),
    (Id::WriteTimeout, "write_timeout"),
    (Id::RotateSize, "rotate_size"),
    (Id::RotateTime, "rotate_time"),
    (Id::DiskLow, "disk_low"),
    (Id::DiskReserve, "disk_reserve"),
    (Id::DedupWindow, "dedup_window"),
    (Id::TlsListen, "tls_listen"),
    (Id::TlsCert, "tls_cert"),
    (Id::TlsKey, "tls_key"),
    (Id::TlsClientCa, "tls_client_ca"),
    (Id::ClickHouse, "clickhouse"),
    (Id::ClickHouseBatch, "clickhouse_batch"),
];

const WHERE: &[Flag] = &[
    val(
        Id::CollectConfig,
        "--config",
        "FILE",
        "read settings from this TOML file (keys as the long options, with \
         underscores: max_idle = 120); flags override it; SIGHUP reads it again",
    ),
    val(
        Id::Listen,
        "--listen",
        "ADDR:PORT",
        "where audisp-remote clients connect (default 0.0.0.0:60, \
         audisp-remote's default port)",
    ),
    val(
        Id::StoreDir,
        "--store",
        "DIR",
        "the store: segments in auditd's raw format plus an index (default \
         /var/lib/auditkit/collect)",
    ),
    val(
        Id::Metrics,
        "--metrics",
        "ADDR:PORT",
        "serve the counters in Prometheus text format here (default: off)",
    ),
    val(
        Id::StatsInterval,
        "--stats-interval",
        "SECS",
        "log the counters this often (default 300; 0: never)",
    ),
];

const WHO: &[Flag] = &[
    val(
        Id::Allow,
        "--allow",
        "NET",
        "accept peers from this network only, ADDR or ADDR/PREFIX \
         (repeatable; default: any)",
    ),
    val(
        Id::ClientPorts,
        "--client-ports",
        "N|N-M",
        "accept these client source ports only (auditd's tcp_client_ports; \
         1-1023 asks for privileged ports)",
    ),
    val(
        Id::MaxPerAddr,
        "--max-per-addr",
        "N",
        "connections per address (auditd's tcp_max_per_addr, default 1); \
         one more replaces the address's oldest, where auditd refuses it",
    ),
    val(
        Id::MaxIdle,
        "--max-idle",
        "SECS",
        "drop a client that sends nothing this long (auditd's \
         tcp_client_max_idle; default 0: never)",
    ),
    val(
        Id::Backlog,
        "--backlog",
        "N",
        "the listen backlog (auditd's tcp_listen_queue; default 1024)",
    ),
    val(
        Id::MaxConnections,
        "--max-connections",
        "N",
        "connections at most; more are refused (default 4096)",
    ),
];

const CAPS: &[Flag] = &[
    val(
        Id::MaxFrame,
        "--max-frame",
        "BYTES",
        "largest record accepted; a bigger frame closes that connection \
         (default 8970, audisp-remote's own limit)",
    ),
    val(
        Id::MaxBuffered,
        "--max-buffered",
        "BYTES",
        "records queued for the disk at most, over all connections; readers \
         wait beyond it (default 67108864)",
    ),
    val(
        Id::MaxInFlight,
        "--max-in-flight",
        "N",
        "records a connection may have waiting for their ack (default 1024)",
    ),
    val(
        Id::FrameTimeout,
        "--frame-timeout",
        "SECS",
        "drop a peer whose started frame does not complete in time (default 30)",
    ),
    val(
        Id::WriteTimeout,
        "--write-timeout",
        "SECS",
        "drop a peer that does not read its acks in time (default 30)",
    ),
];

const STORE: &[Flag] = &[
    val(
        Id::RotateSize,
        "--rotate-size",
        "BYTES",
        "start a new segment past this size (default 67108864)",
    ),
    val(
        Id::RotateTime,
        "--rotate-time",
        "SECS",
        "start a new segment after this long (default 86400; 0: never)",
    ),
    val(
        Id::DiskLow,
        "--disk-low",
        "BYTES",
        "under this much free space, acks become DISKLOW (default 268435456)",
    ),
    val(
        Id::DiskReserve,
        "--disk-reserve",
        "BYTES",
        "under this much free space, records are refused with DISKFULL \
         (default 1048576)",
    ),
    val(
        Id::DedupWindow,
        "--dedup-window",
        "N",
        "records remembered to recognise resends (default 1048576)",
    ),
];

const TLS: &[Flag] = &[
    val(
        Id::TlsListen,
        "--tls-listen",
        "ADDR:PORT",
        "also listen here with TLS, for auditkit forward --tls-* (the plain \
         --listen stays for audisp-remote); needs the three files below",
    ),
    val(
        Id::TlsCert,
        "--tls-cert",
        "FILE",
        "the collector's certificate chain (PEM)",
    ),
    val(Id::TlsKey, "--tls-key", "FILE", "its private key (PEM)"),
    val(
        Id::TlsClientCa,
        "--tls-client-ca",
        "FILE",
        "CA certificates (PEM): a forwarder must present a certificate they \
         signed",
    ),
];

const CLICKHOUSE: &[Flag] = &[
    val(
        Id::ClickHouse,
        "--clickhouse",
        "URL",
        "also insert the stored records into ClickHouse, \
         http://HOST:PORT[/?database=DB] (default database auditkit; tables \
         created; see docs/clickhouse.md); acks still follow the local fsync",
    ),
    val(
        Id::ClickHouseBatch,
        "--clickhouse-batch",
        "N",
        "records per insert at most (default 10000)",
    ),
];

/// `auditkit collect`.
pub static COLLECT: Command = Command {
    name: "collect",
    about: "receive audisp-remote's records, acked once on disk",
    usage: "[OPTIONS]",
    examples: "\
auditkit collect --listen 0.0.0.0:60 --store /var/lib/auditkit/collect
auditkit collect --config /etc/auditkit/collect.toml
auditkit search --store /var/lib/auditkit/collect -ts today -k identity
",
    description: "A receiver for the remote logging protocol of auditd's \
audisp-remote plugin (and of auditd's own listener): records are written to \
the store, fsynced in batches shared by all connections, and only then \
acknowledged, so a crash loses no acknowledged record. A client that \
reconnects and sends a record again does not store it twice. The store's \
segments are auditd logs (ausearch -if reads them); auditkit search --store \
DIR reads only the segments its -ts/-te can match. SIGTERM and SIGINT stop \
cleanly (every client is sent ENDING), SIGHUP reloads --config.",
    groups: &[
        Group {
            title: "Where",
            about: "",
            flags: &[WHERE],
        },
        Group {
            title: "Who may connect",
            about: "",
            flags: &[WHO],
        },
        Group {
            title: "Caps and timeouts",
            about: "",
            flags: &[CAPS],
        },
        Group {
            title: "Store",
            about: "",
            flags: &[STORE],
        },
        Group {
            title: "TLS",
            about: "",
            flags: &[TLS],
        },
        Group {
            title: "ClickHouse",
            about: "",
            flags: &[CLICKHOUSE],
        },
        Group {
            title: "Help",
            about: "",
            flags: &[HELP],
        },
    ],
    footer: crate::exit::exit_help!(),
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every flag but --config and --help is a configuration key, spelled
    /// as the flag, that the configuration accepts.
    #[test]
    fn every_flag_is_a_setting() {
        for f in COLLECT.flags() {
            if matches!(f.id, Id::CollectConfig | Id::Help) {
                continue;
            }
            let Some((_, key)) = KEYS.iter().find(|(id, _)| *id == f.id) else {
                panic!("{}: no key", f.long);
            };
            assert_eq!(f.long, format!("--{}", key.replace('_', "-")));
            let sample = match f.id {
                Id::Listen | Id::Metrics | Id::TlsListen => "127.0.0.1:1",
                Id::ClickHouse => "http://127.0.0.1:1",
                Id::TlsCert | Id::TlsKey | Id::TlsClientCa => "/tmp/x.pem",
                Id::StoreDir => "/tmp/x",
                Id::Allow => "10.0.0.0/8",
                Id::ClientPorts => "1-1023",
                _ => "7",
            };
            let mut c = auditkit_collect::config::Config::default();
            let before = c.clone();
            c.set(key, sample).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_ne!(c, before, "{key} changed nothing");
        }
        assert_eq!(KEYS.len(), COLLECT.flags().count() - 2);
    }
}
