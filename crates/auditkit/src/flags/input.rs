//! The options of every command that reads events: `search`, `report`,
//! `detect` (aureport has the same `-if --input-logs -ts -te` as ausearch).
//! Parsed by [`crate::input_args::InputArgs::parse_option`].

use super::{Flag, Id, Value};

/// What is read, in the order of the help's input section.
pub const INPUT: &[Flag] = &[
    Flag {
        short: Some("-if"),
        value: Value::Required("FILE|DIR"),
        ..Flag::new(
            Id::Input,
            "--input",
            "read this (repeatable; '-' is standard input)",
        )
    },
    Flag {
        value: Value::Required("DIR"),
        ..Flag::new(
            Id::Store,
            "--store",
            "read the store of auditkit collect in DIR (repeatable); with \
             -ts/-te, only the segments whose index blocks can match",
        )
    },
    Flag {
        value: Value::Required("URL"),
        ..Flag::new(
            Id::ClickHouse,
            "--clickhouse",
            "read what collect --clickhouse inserted there \
             (http://HOST:PORT[/?database=DB]) instead of logs: the events \
             the options select in SQL, in store order (which options: \
             above, and docs/clickhouse.md)",
        )
    },
    Flag::new(
        Id::InputLogs,
        "--input-logs",
        "read the logs even when stdin is a pipe",
    ),
];

/// The paragraph that explains which input is read by default.
pub const INPUT_ABOUT: &str = "Standard input when it is a pipe, else the files \
given with -if, else auditd.conf's log_file and its rotations, oldest \
first. A directory means DIR/audit.log and its rotations; .gz and .zst \
rotations are read too. With -ts, rotated files that end before the start \
are skipped unread and the first file needed is entered by binary search.";

/// `-ts`, `-te`.
pub const TIME: &[Flag] = &[
    Flag {
        short: Some("-ts"),
        value: Value::Required("[DATE] [TIME]"),
        ..Flag::new(
            Id::Start,
            "--start",
            "from: DATE is MM/DD/YY (or MM/DD/YYYY), TIME HH:MM[:SS], or a \
             keyword: now recent (10 minutes ago) boot today yesterday \
             this-week week-ago this-month this-year, or 'checkpoint'",
        )
    },
    Flag {
        short: Some("-te"),
        value: Value::Required("[DATE] [TIME]"),
        ..Flag::new(
            Id::End,
            "--end",
            "until (same forms; a date alone means that day at the current \
             time of day, as in ausearch)",
        )
    },
];

/// How the engine reads: timeouts, threads, the line cap.
pub const ENGINE: &[Flag] = &[
    Flag {
        value: Value::Required("SECS"),
        ..Flag::new(
            Id::EoeTimeout,
            "--eoe-timeout",
            "end-of-event timeout (default 2, as auditd.conf)",
        )
    },
    Flag {
        value: Value::Required("N"),
        ..Flag::new(
            Id::Threads,
            "--threads",
            "worker threads per stage (default: all cores)",
        )
    },
    Flag {
        value: Value::Required("BYTES"),
        long_help: "A line longer than this is cut at the limit, counted and \
                    reported on stderr with its file and line number, so that a \
                    damaged log without newlines cannot take all memory.",
        ..Flag::new(
            Id::MaxLine,
            "--max-line",
            "cut longer lines, and say where (default 1048576; no audit record \
             comes near it)",
        )
    },
];
