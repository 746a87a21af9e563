//! Flags as data: one table per command, from which the parsers look
//! options up and `--help`, the man pages and the shell completions are
//! generated, so that none of them can drift from what is parsed.
//!
//! ripgrep's `flags/defs.rs` is the model, in a smaller form: a [`Flag`]
//! is a value (its spellings, whether it takes a value, its section and
//! its help), not a type; what an option *does* stays in the parser, in a
//! `match` on the flag's [`Id`]. A parser first finds the word in the
//! command's table ([`Command::lookup`]), so an option missing from the
//! table cannot be parsed, and the tests parse every flag of every table,
//! so a flag without a handler is a test failure.
//!
//! The spelling rules stay those of each command: `search` keeps
//! ausearch's one-dash words (`-if`, `-ts`) and its way of deciding
//! whether the next word is a value; the rules commands take `--name`
//! and `--name=value`. The tables only say which words exist.
//!
//! Groups shared by several commands (the input and time options of
//! `search` and the coming `report`) are one slice ([`input`]) that each
//! command's table lists among its own.

pub mod collect;
pub mod complete;
pub mod detect;
pub mod forward;
pub mod input;
pub mod noise;
pub mod plugin;
pub mod render;
pub mod report;
#[cfg(test)]
mod report_tests;
pub mod rules;
pub mod search;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
pub(crate) mod test_support;

/// Declares [`Id`] together with the list of all its variants, so that a
/// test can walk every id.
macro_rules! ids {
    ($($(#[$m:meta])* $v:ident,)*) => {
        /// What a flag means; the parsers `match` on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Id {
            $($(#[$m])* $v,)*
        }
        impl Id {
            /// Every id.
            #[cfg(test)]
            pub const ALL: &'static [Id] = &[$(Id::$v,)*];
        }
    };
}

ids! {
    // Shared input options (flags::input).
    Input,
    InputLogs,
    Start,
    End,
    EoeTimeout,
    Threads,
    MaxLine,
    // search: ausearch's criteria.
    Event,
    Arch,
    Comm,
    Exit,
    File,
    GidAll,
    GidEffective,
    Gid,
    HostName,
    Key,
    Message,
    Node,
    Object,
    Pid,
    Ppid,
    Syscall,
    Context,
    Session,
    Subject,
    Success,
    Terminal,
    UidAll,
    UidEffective,
    Uid,
    LoginUid,
    Uuid,
    VmName,
    Word,
    Executable,
    // search: auditkit's questions.
    People,
    Daemons,
    AsRootViaSudo,
    Where,
    Count,
    CountBy,
    AllEvents,
    Follow,
    // search: output.
    Format,
    JsonWithLines,
    Raw,
    Interpret,
    Escape,
    ExtraKeys,
    ExtraLabels,
    ExtraObj2,
    ExtraTime,
    Passwd,
    Group,
    JustOne,
    LineBuffered,
    KeepUnparsed,
    // search: operation.
    Checkpoint,
    Debug,
    Stats,
    NoProgress,
    Help,
    Version,
    // report: aureport's reports and options.
    RptAuth,
    RptAvc,
    RptComm,
    RptConfig,
    RptCrypto,
    RptEvent,
    RptFile,
    RptHost,
    RptIntegrity,
    RptKey,
    RptLogin,
    RptMods,
    RptMac,
    RptAnomaly,
    RptPid,
    RptResponse,
    RptSyscall,
    RptLog,
    RptTerminal,
    RptTty,
    RptUser,
    RptVirt,
    RptExe,
    ByNode,
    ReportSummary,
    Failed,
    ReportSuccess,
    NoConfig,
    Add,
    Delete,
    // report: the HTML page.
    Html,
    // report --noise.
    Noise,
    NoiseRules,
    NoiseTop,
    NoiseMinShare,
    NoiseDetect,
    NoiseDetectRules,
    // rules lint / fmt / check / generate.
    NoHost,
    Machine,
    Codes,
    Augenrules,
    AugenrulesDir,
    KeepControl,
    Profile,
    CheckFormat,
    HostCheck,
    Offline,
    Config,
    Loaded,
    LoadedListing,
    RequireKeys,
    Strict,
    Param,
    ListProfiles,
    ShowProfile,
    Privileged,
    With,
    Without,
    SkipMissing,
    NoPrivileged,
    Out,
    UidMin,
    RuleKey,
    ListGroups,
    // rules loaded / diff / apply.
    Status,
    LoadedFormat,
    Settings,
    DryRun,
    AllowImmutable,
    AllowPanic,
    // search --store, collect.
    Store,
    CollectConfig,
    Listen,
    StoreDir,
    Metrics,
    StatsInterval,
    Backlog,
    ClientPorts,
    MaxPerAddr,
    MaxIdle,
    Allow,
    MaxConnections,
    MaxFrame,
    MaxBuffered,
    MaxInFlight,
    FrameTimeout,
    WriteTimeout,
    RotateSize,
    RotateTime,
    DiskLow,
    DiskReserve,
    DedupWindow,
    // detect.
    Rules,
    AllStatus,
    CheckRules,
    ListRules,
    MinLevel,
    Builtin,
    NoBuiltin,
    Live,
    State,
    LearnBaseline,
    Baseline,
    // plugin.
    Output,
    MaxProcesses,
    // collect: TLS and ClickHouse; forward.
    TlsListen,
    TlsCert,
    TlsKey,
    TlsClientCa,
    ClickHouse,
    ClickHouseBatch,
    ForwardTo,
    ForwardQueue,
    QueueSize,
    Window,
    Heartbeat,
    Retry,
    Timeout,
    Drain,
    TlsCa,
    TlsName,
}

/// Whether a flag takes a value, and how it is written in the help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A switch.
    None,
    /// A value, shown as the placeholder. In `search`, the value is the
    /// next word unless it starts with `-` (ausearch's rule).
    Required(&'static str),
    /// A value that may start with `-` (`-e -EACCES`, `--session -1`,
    /// `--where 'not ...'`): the next word, whatever it is.
    Dash(&'static str),
}

impl Value {
    /// The placeholder, if the flag takes a value.
    pub fn placeholder(self) -> Option<&'static str> {
        match self {
            Value::None => None,
            Value::Required(p) | Value::Dash(p) => Some(p),
        }
    }
}

/// One option of one command.
#[derive(Debug)]
pub struct Flag {
    /// What it means, for the parser's `match`.
    pub id: Id,
    /// The short spelling (`-k`, and ausearch's one-dash words `-if`).
    pub short: Option<&'static str>,
    /// The long spelling (`--key`).
    pub long: &'static str,
    /// Other spellings, accepted but not shown in `--help`.
    pub aliases: &'static [&'static str],
    /// Whether it takes a value.
    pub value: Value,
    /// The help: one paragraph, wrapped when printed. A line that starts
    /// with two spaces is printed as it is (examples).
    pub help: &'static str,
    /// More, for the man page only (empty when the help says it all).
    pub long_help: &'static str,
}

impl Flag {
    /// A flag with no short spelling, no value and no long help; the
    /// table entries fill in the rest with struct update syntax.
    pub const fn new(id: Id, long: &'static str, help: &'static str) -> Flag {
        Flag {
            id,
            short: None,
            long,
            aliases: &[],
            value: Value::None,
            help,
            long_help: "",
        }
    }

    /// Every spelling the parser accepts.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.short
            .into_iter()
            .chain(std::iter::once(self.long))
            .chain(self.aliases.iter().copied())
    }

    /// Whether `word` (without an inline `=value`) names this flag.
    pub fn is(&self, word: &str) -> bool {
        self.names().any(|n| n == word)
    }
}

/// A section of a help text: a title, an optional paragraph, and flags
/// from one or more slices (a command's own and shared ones).
#[derive(Debug)]
pub struct Group {
    /// The heading (`Output:`), without the colon.
    pub title: &'static str,
    /// A paragraph printed before the flags (may be empty).
    pub about: &'static str,
    /// The flags, in the order shown.
    pub flags: &'static [&'static [Flag]],
}

impl Group {
    /// The flags of the group, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'static Flag> {
        self.flags.iter().flat_map(|s| s.iter())
    }
}

/// A command (`search`) or subcommand (`rules lint`): its help is
/// generated from this.
#[derive(Debug)]
pub struct Command {
    /// The words after `auditkit` (`search`, `rules lint`).
    pub name: &'static str,
    /// The one-line summary (also the man page's NAME).
    pub about: &'static str,
    /// The usage line after `auditkit NAME`.
    pub usage: &'static str,
    /// Examples, one a line (`command  # what it does`), shown first.
    pub examples: &'static str,
    /// What the command does, before the options (may be empty).
    pub description: &'static str,
    /// The options, by question.
    pub groups: &'static [Group],
    /// Text after the options (environment, exit statuses).
    pub footer: &'static str,
}

impl Command {
    /// Every flag of the command, in help order.
    pub fn flags(&self) -> impl Iterator<Item = &'static Flag> + '_ {
        self.groups.iter().flat_map(Group::iter)
    }

    /// The flag `word` names (without an inline `=value`), if any.
    pub fn lookup(&self, word: &str) -> Option<&'static Flag> {
        self.flags().find(|f| f.is(word))
    }

    /// Every spelling of every flag, for shell completion.
    pub fn completions(&self) -> Vec<&'static str> {
        self.flags().flat_map(Flag::names).collect()
    }
}

/// An option with a value and only a long spelling (most of auditkit's
/// own options).
pub const fn val(
    id: Id,
    long: &'static str,
    placeholder: &'static str,
    help: &'static str,
) -> Flag {
    Flag {
        value: Value::Required(placeholder),
        ..Flag::new(id, long, help)
    }
}

/// A switch with a short spelling.
pub const fn sw(id: Id, short: &'static str, long: &'static str, help: &'static str) -> Flag {
    Flag {
        short: Some(short),
        ..Flag::new(id, long, help)
    }
}

/// `-h, --help` of every command but `report` (whose `-h` is aureport's
/// host report).
pub const HELP_FLAG: Flag = sw(Id::Help, "-h", "--help", "this help");

/// [`HELP_FLAG`] as a command's last slice.
pub const HELP: &[Flag] = &[HELP_FLAG];

/// `-v, --version` of `search` and `report` (ausearch's and aureport's).
pub const VERSION_FLAG: Flag = sw(Id::Version, "-v", "--version", "the version");

/// `auditkit` itself: what `auditkit --help` and `man auditkit` show.
pub static TOP: Command = Command {
    name: "",
    about: "search, report on, lint and apply Linux audit data, fast",
    usage: "<COMMAND> [OPTIONS]",
    examples: "\
auditkit search -k identity -i -ts today     # today's events of rules keyed identity, readable
auditkit report -ts today                    # today's summary: logins, failures, changes
auditkit rules lint /etc/audit/rules.d       # every pitfall of the rules, with a fix
auditkit rules check --profile cis-debian12  # this host's rules against CIS Debian 12
auditkit help search                         # every option of search
",
    description: "Commands:\n\
\x20 search    Find events in audit logs (ausearch-compatible options, plus more)\n\
\x20 report    Summaries and lists of events (every aureport report, plus more)\n\
\x20 rules     Audit rules: lint, fmt, check, generate; loaded, diff, apply\n\
\x20 collect   Receive audisp-remote's records into a store, acked once on disk\n\
\x20 detect    Run Sigma rules over audit logs: one alert per match\n\
\x20 plugin    Run the detections as an auditd plugin (auditd's records on stdin)\n\
\x20 forward   Send auditd's records to a collector through a queue on disk\n\
\x20 help      Help for a command: auditkit help search, auditkit help rules lint\n\
\n\
Run 'auditkit <COMMAND> --help' for the options of a command.",
    groups: &[Group {
        title: "Options",
        about: "",
        flags: &[TOP_FLAGS],
    }],
    footer: crate::exit::exit_help!(),
};

const TOP_FLAGS: &[Flag] = &[
    Flag {
        short: Some("-h"),
        ..Flag::new(Id::Help, "--help", "this help (also: auditkit help)")
    },
    Flag {
        short: Some("-V"),
        ..Flag::new(
            Id::Version,
            "--version",
            "the version (also: auditkit version)",
        )
    },
];

/// The commands whose help, man page and completions are generated here.
pub fn commands() -> Vec<&'static Command> {
    let mut v = vec![
        &TOP,
        &search::SEARCH,
        &report::REPORT,
        &detect::DETECT,
        &plugin::PLUGIN,
        &collect::COLLECT,
        &forward::FORWARD,
    ];
    v.extend(rules::SUBCOMMANDS.iter());
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// No word names two flags of one command, and no flag is listed
    /// twice (a shared slice included by mistake in two groups).
    #[test]
    fn spellings_are_unique_within_a_command() {
        for c in commands() {
            let mut seen = HashSet::new();
            let mut ids = HashSet::new();
            for f in c.flags() {
                assert!(ids.insert(f.id), "{}: {:?} twice", c.name, f.id);
                for n in f.names() {
                    assert!(seen.insert(n), "{}: {n} names two flags", c.name);
                    assert!(n.starts_with('-'), "{}: {n}", c.name);
                }
                assert!(!f.help.is_empty(), "{}: {} has no help", c.name, f.long);
            }
        }
    }

    /// Every id is used by some table (an id nobody can spell is dead).
    #[test]
    fn every_id_is_in_a_table() {
        let used: HashSet<Id> = commands()
            .iter()
            .flat_map(|c| c.flags())
            .map(|f| f.id)
            .chain(rules::COMMON.iter().map(|f| f.id))
            .collect();
        for id in Id::ALL {
            assert!(used.contains(id), "{id:?} is in no table");
        }
    }
}
