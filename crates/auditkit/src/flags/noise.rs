//! The options of `auditkit report --noise` (noise analysis), a group of
//! the report table of their own so that the aureport options and these
//! can grow apart. Parsed by [`crate::report_noise`].

use super::{Flag, Id, Value};

/// `--noise` and what it reads.
pub const NOISE: &[Flag] = &[
    Flag {
        long_help: "Each event is tied to the rule that made it: by its key, or \
                    by the rule's fields when keys are missing or shared. Events \
                    no rule made (user-space messages, auditd's records, \
                    configuration changes) get lines of their own. Then the \
                    top talkers per key, record type, exe, comm, auid, syscall \
                    and path, and rule changes that remove the noise, with what \
                    each saves in this log and its risk, as a rules.d fragment.",
        ..Flag::new(
            Id::Noise,
            "--noise",
            "noise analysis: events and bytes per rule and per talker, and \
             suggested rules that remove the noise",
        )
    },
    Flag {
        value: Value::Required("FILE|DIR"),
        ..Flag::new(
            Id::NoiseRules,
            "--rules",
            "the rules that made the log: an audit.rules file, or a rules.d \
             directory (merged as augenrules does)",
        )
    },
    Flag::new(
        Id::Loaded,
        "--loaded",
        "the rules loaded in the running kernel (netlink; needs root)",
    ),
    Flag {
        value: Value::Required("NAME"),
        ..Flag::new(
            Id::Profile,
            "--profile",
            "never suggest what this compliance profile needs (cis-debian12, \
             cis-debian8, nsa-rhel): every item that passes still passes",
        )
    },
    Flag {
        value: Value::Required("N"),
        ..Flag::new(Id::NoiseTop, "--top", "rows per talker table (default 10)")
    },
    Flag {
        value: Value::Required("PCT"),
        ..Flag::new(
            Id::NoiseMinShare,
            "--min-share",
            "suggest only changes that save at least PCT percent of the \
             log's bytes (default 1)",
        )
    },
    Flag {
        long_help: "The log is read again and replayed through the detections \
                    (in log order, with the process tree, as auditkit detect \
                    runs them), once with each suggestion applied and once \
                    with those that remain together; a suggestion whose \
                    removal loses or adds an alert, or keeps a correlation \
                    from its threshold, is withheld, naming the detections. \
                    Needs the log in files (-if), not on standard input.",
        ..Flag::new(
            Id::NoiseDetect,
            "--detect",
            "never suggest dropping what the built-in detections (auditkit \
             detect --builtin) alert on: replay the log with and without \
             each suggestion and require the same alerts",
        )
    },
    Flag {
        value: Value::Required("FILE|DIR"),
        ..Flag::new(
            Id::NoiseDetectRules,
            "--detect-rules",
            "the same guard for these Sigma rules (as auditkit detect \
             --rules; repeatable, with or without --detect)",
        )
    },
];
