//! The options of `auditkit report`: aureport's, with its spellings
//! (`-x` is the executable report here, `-h` the host report: `--help`
//! has no short form, as in aureport), plus the shared input slice and
//! auditkit's own output options. Parsed by [`crate::report_args`].

use super::input::{ENGINE, INPUT, INPUT_ABOUT, TIME};
use super::{sw, Command, Flag, Group, Id, Value, VERSION_FLAG};

/// A report with only a long spelling.
const fn long(id: Id, long: &'static str, help: &'static str) -> Flag {
    Flag::new(id, long, help)
}

/// The reports (one may be given; none is the summary report).
pub const REPORTS: &[Flag] = &[
    sw(
        Id::RptAuth,
        "-au",
        "--auth",
        "authentications: account, host, terminal, program, outcome",
    ),
    sw(
        Id::RptAvc,
        "-a",
        "--avc",
        "SELinux AVC decisions: command, subject, syscall, class, permission, object",
    ),
    long(
        Id::RptComm,
        "--comm",
        "commands run (comm=), with terminal, host and login uid",
    ),
    sw(
        Id::RptConfig,
        "-c",
        "--config",
        "configuration changes (audit rules, daemon, netfilter, MAC policy)",
    ),
    sw(Id::RptCrypto, "-cr", "--crypto", "crypto events"),
    sw(
        Id::RptEvent,
        "-e",
        "--event",
        "every event: serial, type of its first record, login uid, outcome",
    ),
    sw(
        Id::RptFile,
        "-f",
        "--file",
        "files: name, syscall, outcome, program, login uid",
    ),
    sw(Id::RptHost, "-h", "--host", "remote hosts of user records"),
    long(Id::RptIntegrity, "--integrity", "integrity (IMA) events"),
    sw(
        Id::RptKey,
        "-k",
        "--key",
        "rule keys: key, outcome, program, login uid",
    ),
    sw(
        Id::RptLogin,
        "-l",
        "--login",
        "logins: login uid (or account when it failed), host, terminal, program",
    ),
    sw(
        Id::RptMods,
        "-m",
        "--mods",
        "changes to accounts, groups and roles",
    ),
    sw(
        Id::RptMac,
        "-ma",
        "--mac",
        "mandatory access control events",
    ),
    sw(
        Id::RptAnomaly,
        "-n",
        "--anomaly",
        "anomalies (ANOM_*, SECCOMP)",
    ),
    sw(
        Id::RptPid,
        "-p",
        "--pid",
        "process ids: pid, program, syscall, login uid",
    ),
    sw(
        Id::RptResponse,
        "-r",
        "--response",
        "responses to anomalies",
    ),
    sw(
        Id::RptSyscall,
        "-s",
        "--syscall",
        "system calls: syscall, pid, command, login uid",
    ),
    sw(Id::RptLog, "-t", "--log", "the time range of each log file"),
    sw(
        Id::RptTerminal,
        "-tm",
        "--terminal",
        "terminals: terminal, host, program, login uid",
    ),
    long(Id::RptTty, "--tty", "keystrokes of TTY records"),
    sw(
        Id::RptUser,
        "-u",
        "--user",
        "users: login uid, terminal, host, program",
    ),
    long(Id::RptVirt, "--virt", "virtualization events"),
    sw(
        Id::RptExe,
        "-x",
        "--executable",
        "executables: program, terminal, host, login uid",
    ),
];

/// What goes into the chosen report.
const SELECTION: &[Flag] = &[
    Flag::new(
        Id::ReportSummary,
        "--summary",
        "totals per value of the report's main column, most frequent first, \
         instead of one line per event",
    ),
    Flag::new(
        Id::Failed,
        "--failed",
        "only failed events (the title says Failed)",
    ),
    Flag::new(
        Id::ReportSuccess,
        "--success",
        "only successful events (the title says Success)",
    ),
    Flag {
        value: Value::Required("NODE"),
        ..Flag::new(
            Id::Node,
            "--node",
            "only events of this node (repeatable: any of them)",
        )
    },
    sw(
        Id::NoConfig,
        "-nc",
        "--no-config",
        "leave out events whose first record is CONFIG_CHANGE",
    ),
    Flag::new(
        Id::Add,
        "--add",
        "leave out deletions (user, group, label ... deleted)",
    ),
    Flag::new(
        Id::Delete,
        "--delete",
        "leave out additions (user, group, label ... added)",
    ),
];

/// How the report is printed.
const OUTPUT: &[Flag] = &[
    sw(
        Id::Interpret,
        "-i",
        "--interpret",
        "numbers as names: login uids, syscalls, record types in summaries",
    ),
    Flag {
        value: Value::Required("text|json|csv"),
        long_help: "text is aureport's layout. json prints one object per line \
                    and csv a header line and one row per line, with the \
                    columns of aureport's header (docs/report.md); missing \
                    values are null in JSON and empty in CSV. With --noise: \
                    text, or one JSON object with the fragment in it.",
        ..Flag::new(
            Id::Format,
            "--format",
            "the output: aureport's text (default), JSON lines, or CSV",
        )
    },
    Flag::new(
        Id::ByNode,
        "--by-node",
        "one report per node (node=) for logs of many hosts; list reports \
         get a node column",
    ),
    Flag {
        value: Value::Required("raw|tty|shell|shell_quote"),
        ..Flag::new(
            Id::Escape,
            "--escape",
            "how values with special characters are escaped (default tty)",
        )
    },
    Flag {
        value: Value::Required("FILE"),
        ..Flag::new(
            Id::Html,
            "--html",
            "write one self-contained HTML page of charts to FILE instead of \
             a text report (docs/report.md)",
        )
    },
];

const OPERATION: &[Flag] = &[
    Flag::new(
        Id::Debug,
        "--debug",
        "report lines that are not audit records on stderr",
    ),
    Flag::new(Id::Help, "--help", "this help"),
    VERSION_FLAG,
];

/// `auditkit report`.
pub static REPORT: Command = Command {
    name: "report",
    about: "summaries and lists of audit events (every aureport report)",
    usage: "[OPTIONS]",
    examples: "\
auditkit report                          # the summary: counts of everything
auditkit report -ts today --failed       # today's failures
auditkit report -if /var/log/audit       # a log directory and its rotations
auditkit report -x --summary             # programs that ran, most frequent first
auditkit report -l --failed -i           # failed logins, with user names
auditkit report -k -ts this-week         # events of keyed rules this week
auditkit report --html week.html -ts week-ago  # a page of charts of the week
auditkit report --noise --rules /etc/audit/rules.d   # which rule makes the volume
",
    description: "With no report option, the summary report. The output is \
aureport 3.0.9's, byte for byte under LC_ALL=C (docs/report.md; the \
differences are in docs/differences.md).

With --clickhouse URL (every report, --noise and --html) the report reads the records \
of the events selected in SQL over the collector's events table, in store order, as one \
log: -ts/-te always, --node and the report's record types (-l: USER_LOGIN, -a: AVC, \
...) where only those events show. --failed, --success, -nc, --add and --delete are \
applied by the report to what was fetched (their rules have no column); -t is refused \
(docs/clickhouse.md).",
    groups: &[
        Group {
            title: "Input (like aureport and search)",
            about: INPUT_ABOUT,
            flags: &[INPUT],
        },
        Group {
            title: "Reports",
            about: "",
            flags: &[REPORTS],
        },
        Group {
            title: "Which events",
            about: "",
            flags: &[TIME, SELECTION],
        },
        Group {
            title: "Output",
            about: "",
            flags: &[OUTPUT],
        },
        Group {
            title: "Noise analysis",
            about: "Which rule makes the volume, and what to change.",
            flags: &[super::noise::NOISE],
        },
        Group {
            title: "Operation",
            about: "",
            flags: &[ENGINE, OPERATION],
        },
    ],
    footer: concat!(
        "\
Environment: AUDITKIT_NOW=EPOCH_SECONDS pins \"now\" for the time keywords.
Dates are read and printed in the local time zone (TZ).

",
        crate::exit::exit_help!()
    ),
};
