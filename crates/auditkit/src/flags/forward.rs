//! The options of `auditkit forward` (parsed by [`crate::forward`],
//! `--name VALUE` and `--name=VALUE`).

use super::{val, Command, Flag, Group, Id, HELP};

const WHERE: &[Flag] = &[
    val(
        Id::ForwardTo,
        "--to",
        "HOST:PORT",
        "the collector: auditkit collect (records pipelined) or auditd's \
         tcp_listen_port (stop-and-wait, as audisp-remote)",
    ),
    val(
        Id::ForwardQueue,
        "--queue",
        "DIR",
        "the queue on disk: every record is fsynced here before it is sent, \
         and kept until acked (default /var/spool/auditkit/forward)",
    ),
    val(
        Id::QueueSize,
        "--queue-size",
        "BYTES",
        "bytes of unacked records at most; when full, stdin is not read \
         until acks make room (default 268435456)",
    ),
];

const FLOW: &[Flag] = &[
    val(
        Id::Window,
        "--window",
        "N",
        "records in flight at most against auditkit collect (default 256; \
         1: stop-and-wait everywhere)",
    ),
    val(
        Id::Heartbeat,
        "--heartbeat",
        "SECS",
        "send a HEARTBEAT after this long idle (default 30; 0: never)",
    ),
    val(
        Id::Retry,
        "--retry",
        "MILLIS",
        "first reconnect delay; it doubles up to 30 s (default 200)",
    ),
    val(
        Id::Timeout,
        "--timeout",
        "SECS",
        "a connect or a reply that takes longer breaks the connection \
         (default 10)",
    ),
    val(
        Id::Drain,
        "--drain",
        "SECS",
        "after stdin closes, keep sending this long; the rest stays queued \
         for the next start (default 5)",
    ),
];

const TLS: &[Flag] = &[
    val(
        Id::TlsCa,
        "--tls-ca",
        "FILE",
        "connect with TLS, checking the collector's certificate against \
         these CA certificates (PEM); needs --tls-cert and --tls-key",
    ),
    val(
        Id::TlsCert,
        "--tls-cert",
        "FILE",
        "this host's certificate chain (PEM), checked by the collector",
    ),
    val(Id::TlsKey, "--tls-key", "FILE", "its private key (PEM)"),
    val(
        Id::TlsName,
        "--tls-name",
        "NAME",
        "the name the collector's certificate must have (default: the host \
         of --to)",
    ),
];

/// `auditkit forward`.
pub static FORWARD: Command = Command {
    name: "forward",
    about: "send auditd's records to a collector through a queue on disk",
    usage: "--to HOST:PORT [OPTIONS] < records",
    examples: "\
auditkit forward --to collector:60 --queue /var/spool/auditkit/forward
auditkit forward --to collector:6514 --tls-ca ca.pem --tls-cert host.pem --tls-key host.key
",
    description: "An auditd plugin (contrib/plugins.d/auditkit-forward.conf) in \
place of audisp-remote, with the same protocol: it reads the records auditd \
gives plugins on stdin (the string format), drops EOE records as audisp-remote \
does, and writes them to a queue on disk, fsynced, before sending them; a \
record leaves the queue only when the collector acked it. So a collector \
outage or a restart of the forwarder loses nothing (audisp-remote's queue is \
in memory). Against auditkit collect it keeps up to --window records in \
flight; against auditd's listener it waits for each ack. After a broken \
connection it sends the unacked records again; the collector drops the \
duplicates.",
    groups: &[
        Group {
            title: "Where",
            about: "",
            flags: &[WHERE],
        },
        Group {
            title: "Flow",
            about: "",
            flags: &[FLOW],
        },
        Group {
            title: "TLS (to auditkit collect --tls-listen)",
            about: "",
            flags: &[TLS],
        },
        Group {
            title: "Help",
            about: "",
            flags: &[HELP],
        },
    ],
    footer: crate::exit::exit_help!(),
};
