//! The options of `auditkit plugin`. Parsed by [`crate::live`] the way
//! `detect` parses its own (`--name VALUE`, `--name=VALUE`); auditd passes
//! a plugin at most two arguments (`args =` in its plugins.d file), so
//! every option has a default that suits a plugin and `--output FILE`
//! also names the state file (`FILE.state`).

use super::detect::MIN_LEVEL;
use super::input::ENGINE;
use super::{val, Command, Flag, Group, Id, HELP};

const RULES: &[Flag] = &[
    val(
        Id::Rules,
        "--rules",
        "FILE|DIR",
        "Sigma rules to run besides the built-in ones (repeatable)",
    ),
    Flag::new(
        Id::NoBuiltin,
        "--no-builtin",
        "do not run the built-in detections",
    ),
];

const OUTPUT: &[Flag] = &[
    Flag {
        long_help: "Alerts are appended, one JSON line each, and flushed after every \\
                    batch of events. auditd gives a plugin no terminal, so a file is \\
                    the usual place; - is standard output.",
        ..val(
            Id::Output,
            "--output",
            "FILE",
            "append alerts to FILE (default /var/log/auditkit/alerts.json)",
        )
    },
    val(
        Id::State,
        "--state",
        "FILE",
        "the process tree's state file (default: the --output file with .state added, \
         or /var/lib/auditkit/proctree.state with --output -)",
    ),
    val(
        Id::Format,
        "--format",
        "json|text",
        "alerts as JSON lines (the default), or as readable text",
    ),
    MIN_LEVEL,
    val(
        Id::MaxProcesses,
        "--max-processes",
        "N",
        "processes the tree keeps at most (default 16384; the exited go first)",
    ),
];

/// `auditkit plugin`.
pub static PLUGIN: Command = Command {
    name: "plugin",
    about: "run the detections as an auditd plugin (records on stdin)",
    usage: "[--output FILE] [OPTIONS]",
    examples: "\
auditkit plugin --output=/var/log/auditkit/alerts.json   # as contrib/plugins.d/auditkit-detect.conf runs it
auditkit plugin --output=- < /var/log/audit/audit.log    # a log through the plugin path, alerts on stdout
",
    description: "Reads auditd's string format on standard input (raw or enriched \
lines, EOE records included), assembles events as they come (an event ends at its \
EOE or last record, or end_of_event_timeout seconds later), runs the built-in and \
given rules with the process tree in log order, and appends one alert per match. \
The process tree starts from /proc and from the state file, and is saved to the \
state file every few seconds and when auditd stops the plugin (SIGTERM or end of \
input). Memory stays bounded: lines, open events, the tree and the correlation \
windows all have caps.",
    groups: &[
        Group {
            title: "Rules",
            about: "",
            flags: &[RULES],
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
  0   input ended (or SIGTERM) and nothing fired
  1   an alert was written
  2   the command line is wrong
  70  internal error (a bug): reported on stderr
",
};
