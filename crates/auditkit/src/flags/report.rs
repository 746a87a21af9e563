//! The options of `auditkit report`: aureport's, with its spellings
//! (`-x` is the executable report here, `-h` the host report: `--help`
//! has no short form, as in aureport), plus the shared input slice and
//! auditkit's own output options. Parsed by [`crate::report_args`].

use super::input::{ENGINE, INPUT, INPUT_ABOUT, TIME};
use super::{Command, Flag, Group, Id, Value};

/// A switch with a short spelling.
const fn sw(id: Id, short: &'static str, long: &'static str, help: &'static str) -> Flag {
    Flag {
        short: Some(short),
        ..Flag::new(id, long, help)
    }
}

/// The reports (one may be given; none is the summary report).
pub const REPORTS: &[Flag] = &[];

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
    sw(Id::Version, "-v", "--version", "the version"),
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
auditkit report --html week.html -ts week-ago  # a page of charts of the week
auditkit report --noise --rules /etc/audit/rules.d   # which rule makes the volume
",
    description: "With no report option, the summary report. The output is \
aureport 3.0.9's, byte for byte under LC_ALL=C (docs/report.md; the \
differences are in docs/differences.md).",
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
