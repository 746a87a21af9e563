//! The options of `auditkit detect`. Parsed by [`crate::detect`]:
//! `--name VALUE`, `--name=VALUE`, log paths, and `--` before paths that
//! start with `-`; the shared input, time and engine options are those of
//! `search` ([`super::input`]).

use super::input::{ENGINE, INPUT, INPUT_ABOUT, TIME};
use super::{val, Command, Flag, Group, Id, HELP};

/// `--min-level`, also `plugin`'s.
pub(super) const MIN_LEVEL: Flag = val(
    Id::MinLevel,
    "--min-level",
    "LEVEL",
    "only alerts of this level or above: informational low medium high critical",
);

const RULES: &[Flag] = &[
    Flag {
        long_help: "Every .yml and .yaml file under a directory is read, in name \
                    order. Sigma detection rules of logsource service auditd run on \
                    each audit record; rules of the categories process_creation, \
                    file_event and network_connection run on whole events through \
                    the field mapping of docs/detect.md; correlation rules \
                    (type event_count) count the matches of the rules they name.",
        ..val(
            Id::Rules,
            "--rules",
            "FILE|DIR",
            "Sigma rules to run (repeatable)",
        )
    },
    Flag {
        long_help: "The built-in detections are Sigma rules in the auditkit source \
                    (crates/auditkit-detect/rules), embedded in the program; \
                    --list-rules shows them. They run when no --rules is given; \
                    --builtin runs them beside the rules given.",
        ..Flag::new(
            Id::Builtin,
            "--builtin",
            "also run the built-in detections (reverse shells, log tampering, ...) with --rules",
        )
    },
    Flag {
        long_help: "The built-in rule ak_daemon_account_exec.yml fires when a system \
                    account runs a program outside the list in the rule. This runs that \
                    rule over the logs (of a time the host was known to be in order) and \
                    writes FILE: the same rule with one more filter per account, of the \
                    programs it fired on. Plain Sigma: read it, edit it, then run with \
                    --baseline FILE. No alerts are written.",
        ..val(
            Id::LearnBaseline,
            "--learn-baseline",
            "FILE",
            "learn the daemon accounts' usual programs from the logs into FILE (a Sigma rule)",
        )
    },
    Flag {
        long_help: "FILE is what --learn-baseline wrote (or any rule): it runs instead \
                    of the built-in ak_daemon_account_exec.yml, beside the other \
                    built-in rules.",
        ..val(
            Id::Baseline,
            "--baseline",
            "FILE",
            "run the learned daemon-account rule of FILE in place of the built-in one",
        )
    },
    Flag::new(
        Id::AllStatus,
        "--all-status",
        "also load rules whose status is deprecated or unsupported",
    ),
    Flag::new(
        Id::CheckRules,
        "--check-rules",
        "read no log: say how many rules run per log source, and why the others do not",
    ),
    Flag::new(
        Id::ListRules,
        "--list-rules",
        "read no log: list the rules that run, with their level and log source",
    ),
];

const LIVE: &[Flag] = &[
    Flag {
        long_help: "Joins the kernel's audit multicast group (AUDIT_NLGRP_READLOG), \
                    which carries a copy of every record auditd receives; auditd keeps \
                    running and nothing in the audit configuration changes. Needs \
                    CAP_AUDIT_READ. The process tree starts from /proc. Stops on \
                    SIGINT or SIGTERM.",
        ..Flag::new(
            Id::Live,
            "--live",
            "read the kernel's live records beside auditd instead of logs",
        )
    },
    Flag {
        long_help: "Read when the run starts (if it exists) and written atomically \
                    every few seconds and at the end, so that a restarted run knows \
                    the processes it saw before. Bounded by the tree's limits.",
        ..val(
            Id::State,
            "--state",
            "FILE",
            "--live: keep the process tree in FILE across restarts",
        )
    },
];

const OUTPUT: &[Flag] = &[
    val(
        Id::Format,
        "--format",
        "json|text",
        "alerts as JSON lines, or as readable text (default: text on a terminal, else json)",
    ),
    MIN_LEVEL,
    val(
        Id::Passwd,
        "--passwd",
        "FILE",
        "user names from FILE instead of /etc/passwd (User, and the events' names)",
    ),
    val(
        Id::Group,
        "--group",
        "FILE",
        "group names from FILE instead of /etc/group",
    ),
];

/// `auditkit detect`.
pub static DETECT: Command = Command {
    name: "detect",
    about: "run Sigma rules over audit logs and print an alert per match",
    usage: "[--rules FILE|DIR]... [OPTIONS] [FILE|DIR]... | --live",
    examples: "\
auditkit detect --rules sigma/rules/linux /var/log/audit     # SigmaHQ's Linux rules on the logs
auditkit detect --rules my.yml --min-level high audit.log    # only high and critical alerts
auditkit detect --rules sigma/rules/linux --check-rules      # what runs, and why the rest does not
auditkit detect /var/log/audit                               # the built-in detections on the logs
auditkit detect --learn-baseline daemons.yml audit.log.1     # learn the daemon accounts' programs
auditkit detect --live --state /var/lib/auditkit/tree        # live, beside auditd
",
    description: "Reads the logs as search does (in parallel; raw, enriched and \
ausearch output alike), matches every event against the rules, and prints one alert \
per match in log order: {\"rule\": {id, title, level, tags, author, link}, \"event\": \
<the event as search --format json prints it>, \"context\": {\"ancestors\": [...]}}. \
The author and link are SigmaHQ's Detection Rule License attribution. FILE|DIR \
arguments are logs (a directory means its audit.log and rotations). With --clickhouse \
URL the rules run over the events of -ts/-te fetched from the collector's tables, in \
store order.",
    groups: &[
        Group {
            title: "Rules",
            about: "",
            flags: &[RULES],
        },
        Group {
            title: "Input",
            about: INPUT_ABOUT,
            flags: &[INPUT, TIME, LIVE],
        },
        Group {
            title: "Output",
            about: "",
            flags: &[OUTPUT],
        },
        Group {
            title: "Engine",
            about: "",
            flags: &[ENGINE, HELP],
        },
    ],
    footer: "\
Exit status:
  0   nothing fired (or --check-rules/--list-rules)
  1   an alert was printed, or an input error
  2   the command line is wrong
  70  internal error (a bug): reported on stderr
",
};
