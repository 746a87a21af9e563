//! The options of `auditkit search`, grouped by the question they answer.
//! Parsed by [`crate::search_args`], which keeps ausearch's spelling
//! rules and messages.

use super::input::{ENGINE, INPUT, INPUT_ABOUT, TIME};
use super::{sw, val as long_val, Command, Flag, Group, Id, Value, HELP_FLAG, VERSION_FLAG};

/// An option with a value and a short spelling.
const fn val(
    id: Id,
    short: &'static str,
    long: &'static str,
    placeholder: &'static str,
    help: &'static str,
) -> Flag {
    Flag {
        short: Some(short),
        value: Value::Required(placeholder),
        ..Flag::new(id, long, help)
    }
}

const FOLLOW: &[Flag] = &[sw(
    Id::Follow,
    "-F",
    "--follow",
    "keep reading the log as it grows, across rotation",
)];

/// ausearch's criteria (after `-ts`/`-te`).
const CRITERIA: &[Flag] = &[
    val(Id::Key, "-k", "--key", "KEY", "a rule key contains KEY"),
    val(
        Id::Message,
        "-m",
        "--message",
        "TYPE[,TYPE]",
        "a record of one of these types (names, numbers, or ALL)",
    ),
    val(
        Id::Executable,
        "-x",
        "--executable",
        "EXE",
        "the executable contains EXE: exe= is the program file that ran \
         (/usr/bin/python3.11)",
    ),
    val(
        Id::Comm,
        "-c",
        "--comm",
        "COMM",
        "the command name contains COMM: comm= is the name the process gave \
         itself, at most 15 bytes (a script such as semanage runs with \
         exe=python3 and comm=semanage). Use -x for what binary, -c for what \
         command.",
    ),
    val(
        Id::Syscall,
        "-sc",
        "--syscall",
        "NAME|NR",
        "the system call (a name implies this machine's architecture unless \
         --arch came first)",
    ),
    long_val(Id::Arch, "--arch", "ARCH", "b64, b32, x86_64, aarch64, ..."),
    Flag {
        short: Some("-e"),
        value: Value::Dash("ERRNO|N"),
        ..Flag::new(
            Id::Exit,
            "--exit",
            "the syscall exit value (-e -EACCES is -13; as in ausearch, -e \
             EACCES means +13)",
        )
    },
    val(
        Id::Success,
        "-sv",
        "--success",
        "yes|no",
        "the syscall or operation succeeded or failed",
    ),
    val(
        Id::File,
        "-f",
        "--file",
        "NAME",
        "a file name or cwd contains NAME",
    ),
    val(Id::Pid, "-p", "--pid", "PID", "the process id"),
    val(Id::Ppid, "-pp", "--ppid", "PID", "the parent process id"),
    val(
        Id::Uid,
        "-ui",
        "--uid",
        "ID",
        "the user id (a name or a number; names from this host or --passwd)",
    ),
    val(
        Id::UidEffective,
        "-ue",
        "--uid-effective",
        "ID",
        "the effective user id",
    ),
    Flag {
        short: Some("-ul"),
        value: Value::Dash("ID"),
        ..Flag::new(Id::LoginUid, "--loginuid", "the login user id (-1: unset)")
    },
    val(
        Id::UidAll,
        "-ua",
        "--uid-all",
        "ID",
        "uid, euid or login uid (names or numbers)",
    ),
    val(
        Id::Gid,
        "-gi",
        "--gid",
        "ID",
        "the group id (a name or a number; names from this host or --group)",
    ),
    val(
        Id::GidEffective,
        "-ge",
        "--gid-effective",
        "ID",
        "the effective group id",
    ),
    val(Id::GidAll, "-ga", "--gid-all", "ID", "gid or egid"),
    Flag {
        value: Value::Dash("ID"),
        ..Flag::new(Id::Session, "--session", "login session id")
    },
    val(Id::Terminal, "-tm", "--terminal", "TERM", "the terminal"),
    val(
        Id::HostName,
        "-hn",
        "--host",
        "HOST",
        "the remote host name a user record names (hostname=)",
    ),
    val(
        Id::Node,
        "-n",
        "--node",
        "NODE",
        "the node name of the header (repeatable: any of them)",
    ),
    val(
        Id::Subject,
        "-su",
        "--subject",
        "CTX",
        "the SELinux context of the subject",
    ),
    val(
        Id::Object,
        "-o",
        "--object",
        "CTX",
        "the SELinux context of the object",
    ),
    val(
        Id::Context,
        "-se",
        "--context",
        "CTX",
        "the SELinux context of the subject or the object",
    ),
    val(
        Id::VmName,
        "-vm",
        "--vm-name",
        "NAME",
        "events of the virtual machine with this name",
    ),
    val(
        Id::Uuid,
        "-uu",
        "--uuid",
        "UUID",
        "events of the virtual machine with this UUID",
    ),
    val(
        Id::Event,
        "-a",
        "--event",
        "SERIAL",
        "the event's serial number",
    ),
    sw(
        Id::Word,
        "-w",
        "--word",
        "string options match whole values, not substrings",
    ),
];

/// auditkit's own questions.
const QUESTIONS: &[Flag] = &[
    Flag::new(
        Id::People,
        "--people",
        "done by a person who logged in (login uid >= 1000, not unset, with a \
         real session)",
    ),
    Flag::new(
        Id::Daemons,
        "--daemons",
        "done by a process no one logged in for (login uid unset: services, \
         cron before login, the kernel)",
    ),
    Flag::new(
        Id::AsRootViaSudo,
        "--as-root-via-sudo",
        "root powers used by someone logged in as another user (uid or euid \
         0, real non-root login uid)",
    ),
    Flag {
        value: Value::Dash("EXPR"),
        help: "any condition on any field, see docs/query.md; several are \
               ANDed:\n\
               \x20 auid >= 1000 and exe ~ \"^/tmp/\"\n\
               \x20 SYSCALL.syscall = execve   (names work, numbers too)\n\
               \x20 EXECVE.a0 in [\"curl\", \"wget\"]\n\
               \x20 has key and not key = \"noise\"\n\
               \x20 raw(proctitle) ~ \"^2F\"   interp(uid) = root",
        ..Flag::new(Id::Where, "--where", "")
    },
    Flag::new(
        Id::Count,
        "--count",
        "print only the number of matching events",
    ),
    long_val(
        Id::CountBy,
        "--count-by",
        "FIELD",
        "tally of FIELD's values over matching events",
    ),
    Flag::new(
        Id::AllEvents,
        "--all-events",
        "also print events ausearch 3.0.9 cannot parse (by default they are \
         hidden, as ausearch does, and counted on stderr)",
    ),
];

const OUTPUT: &[Flag] = &[
    long_val(
        Id::Format,
        "--format",
        "raw|default|interpret|csv|text|json",
        "the output format; json: one object per event (docs/json.md)",
    ),
    Flag::new(
        Id::JsonWithLines,
        "--json-with-lines",
        "json: each record also carries its logged line",
    ),
    sw(Id::Raw, "-r", "--raw", "the lines as logged (--format raw)"),
    sw(
        Id::Interpret,
        "-i",
        "--interpret",
        "numbers as names: uids, syscalls, hex strings (--format interpret)",
    ),
    long_val(
        Id::Escape,
        "--escape",
        "raw|tty|shell|shell_quote",
        "how interpreted values escape special characters (default tty)",
    ),
    Flag::new(Id::ExtraKeys, "--extra-keys", "csv: a column with the key"),
    Flag::new(
        Id::ExtraLabels,
        "--extra-labels",
        "csv: columns with the subject's and object's labels",
    ),
    Flag::new(
        Id::ExtraObj2,
        "--extra-obj2",
        "csv: columns with a second object",
    ),
    Flag::new(
        Id::ExtraTime,
        "--extra-time",
        "csv: columns with the broken-down time",
    ),
    long_val(
        Id::Passwd,
        "--passwd",
        "FILE",
        "user names from this file (logs of other hosts), for output and for \
         -ua/-ue/-ui/-ul NAME",
    ),
    long_val(
        Id::Group,
        "--group",
        "FILE",
        "group names from this file, for output and for -ga/-ge/-gi NAME",
    ),
    Flag::new(
        Id::JustOne,
        "--just-one",
        "stop after the first matching event",
    ),
    sw(
        Id::LineBuffered,
        "-l",
        "--line-buffered",
        "flush after each event",
    ),
    Flag::new(
        Id::KeepUnparsed,
        "--keep-unparsed",
        "also print lines that are not audit records",
    ),
];

const OPERATION: &[Flag] = &[long_val(
    Id::Checkpoint,
    "--checkpoint",
    "FILE",
    "print only events after the last run's checkpoint and save a new one \
     (exit 10: bad checkpoint, 11: cannot save it, 12: checkpoint corrupted)",
)];

const DIAGNOSTICS: &[Flag] = &[
    Flag::new(Id::Debug, "--debug", "report skipped lines on stderr"),
    Flag::new(
        Id::Stats,
        "--stats",
        "a line of counters on stderr at the end: bytes and files read",
    ),
    Flag::new(
        Id::NoProgress,
        "--no-progress",
        "no progress line on stderr (shown on a terminal when a scan takes \
         more than half a second)",
    ),
    HELP_FLAG,
    VERSION_FLAG,
];

/// `auditkit search`.
pub static SEARCH: Command = Command {
    name: "search",
    about: "find events in audit logs (every ausearch option, and more)",
    usage: "[OPTIONS]",
    examples: "\
auditkit search -k identity -i                  # events of rules keyed 'identity', readable
auditkit search -m USER_LOGIN -sv no -ts today  # failed logins since midnight
auditkit search -x /usr/bin/sudo --people       # sudo runs by people who logged in
auditkit search -c python3                      # anything whose command name is python3
auditkit search --where 'EXECVE.a0 = \"curl\" and auid != unset'
auditkit search --where 'exe ~ \"^/tmp/\"' --count-by exe
auditkit search -if /var/log/audit -ts recent --follow  # watch new events
auditkit search -r -k exec | aureport -x        # raw lines for other tools
",
    description: "With --clickhouse URL the criteria become SQL over the collector's \
events table and the engine searches the records of the events it selects: a criterion \
with no column (-ue, -gi, -ge, -ga, -ua, user names, --session, -e, -f, -hn, -tm, -vm, \
-uu, -su, -o, -se, --where, --people, --daemons, --as-root-via-sudo, --checkpoint, \
--follow) is refused by name, and -sv, whose column is not ausearch's rule, is applied \
to what the others fetched (docs/clickhouse.md).",
    groups: &[
        Group {
            title: "Input (like ausearch)",
            about: INPUT_ABOUT,
            flags: &[INPUT, FOLLOW],
        },
        Group {
            title: "Who, what, when (ausearch's options; all given must match)",
            about: "",
            flags: &[TIME, CRITERIA],
        },
        Group {
            title: "Plain questions (auditkit)",
            about: "",
            flags: &[QUESTIONS],
        },
        Group {
            title: "Output",
            about: "",
            flags: &[OUTPUT],
        },
        Group {
            title: "Operation",
            about: "",
            flags: &[OPERATION, ENGINE, DIAGNOSTICS],
        },
    ],
    footer: concat!(
        "\
Environment: AUDITKIT_NOW=EPOCH_SECONDS pins \"now\" for the time keywords
(tests, reproducible reports). Dates are read in the local time zone (TZ).

",
        crate::exit::exit_help!()
    ),
};
