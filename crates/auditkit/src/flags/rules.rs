//! The options of the `auditkit rules` subcommands. Parsed by
//! [`crate::rules_cmd`] (lint, fmt, check, generate) and
//! [`crate::rules_kernel`] (loaded, diff, apply): `--name`, `--name=value`,
//! paths, and `--` before paths that start with `-`.

use super::{val, Command, Flag, Group, Id, HELP};

/// A switch.
const fn sw(id: Id, long: &'static str, help: &'static str) -> Flag {
    Flag::new(id, long, help)
}

/// Accepted by every rules subcommand.
pub const COMMON: &[Flag] = HELP;

const MACHINE: Flag = val(
    Id::Machine,
    "--machine",
    "M",
    "the machine b64/b32 refer to (default: this one), e.g. aarch64",
);
const NO_HOST: Flag = sw(
    Id::NoHost,
    "--no-host",
    "do not look at this host's users and paths (rules for another machine)",
);

const LINT: &[Flag] = &[
    NO_HOST,
    MACHINE,
    sw(
        Id::Codes,
        "--codes",
        "list every code with its severity and meaning",
    ),
];

const FMT: &[Flag] = &[
    val(
        Id::AugenrulesDir,
        "--augenrules",
        "DIR",
        "print what augenrules would write from DIR (sort -V order, last \
         -e/-D/-f/-b kept, -e last)",
    ),
    sw(
        Id::KeepControl,
        "--keep-control",
        "keep -D, -b, -f, -e, ... lines in place",
    ),
    NO_HOST,
    MACHINE,
];

const CHECK: &[Flag] = &[
    val(
        Id::Profile,
        "--profile",
        "NAME",
        "the benchmark: cis-debian12 (CIS Debian 12 v1.1.0 6.2.1-6.2.4), \
         cis-debian8 (8.1.4-8.1.18), nsa-rhel (2.6.2.4.1-14)",
    ),
    sw(Id::ListProfiles, "--list-profiles", "list the profiles"),
    val(
        Id::ShowProfile,
        "--show-profile",
        "NAME",
        "print a profile's definition",
    ),
    val(
        Id::CheckFormat,
        "--format",
        "text|json",
        "json: an array of objects (id, title, status, satisfied_by, missing, \
         fix, maps, note, warnings)",
    ),
    sw(
        Id::HostCheck,
        "--host",
        "compare with this host (the default; kept for scripts)",
    ),
    sw(
        Id::Offline,
        "--offline",
        "read nothing of this host: not its setuid files, sudoers, login.defs, \
         auditd.conf, boot command line, file modes, users' paths",
    ),
    val(
        Id::Config,
        "--config",
        "DIR",
        "compare with a copy of /etc/audit in DIR instead (auditd.conf and \
         file modes below DIR; nothing else of the host)",
    ),
    sw(
        Id::Loaded,
        "--loaded",
        "read the rules loaded in the running kernel (netlink, as root): \
         \"running equals on disk\" (6.2.3.21) compares them with the files, \
         and the profile's rules items are checked against them too (a second \
         report; in json, objects with \"source\": \"loaded\")",
    ),
    val(
        Id::LoadedListing,
        "--loaded-listing",
        "FILE",
        "the same comparison from a saved `auditctl -l` output (without \
         either, 6.2.3.21 compares the rules with what /etc/audit/audit.rules \
         loads, as `augenrules --check` does)",
    ),
    sw(
        Id::RequireKeys,
        "--require-keys",
        "a rule must carry the item's key to count",
    ),
    sw(
        Id::Strict,
        "--strict",
        "a never rule that drops part of an item's events fails it",
    ),
    val(
        Id::Param,
        "--param",
        "NAME=VALUE",
        "fill a profile placeholder (uid_min, sudo_logfile, log_dir, ...)",
    ),
    NO_HOST,
    MACHINE,
];

const GENERATE: &[Flag] = &[
    val(
        Id::Profile,
        "--profile",
        "harden",
        "the hardened set (CIS items plus log tampering, private keys, execs \
         from /tmp, 32-bit ABI, ptrace, firewall, cron, ...) as rules.d files",
    ),
    sw(
        Id::ListGroups,
        "--list-groups",
        "list the groups of the harden profile",
    ),
    val(
        Id::With,
        "--with",
        "G,G",
        "harden: turn on groups that are off by default (perm_mod, delete, \
         listen, ntp-exception: the seed leaves them off as too noisy)",
    ),
    val(
        Id::Without,
        "--without",
        "G,G",
        "harden: turn groups off (e.g. immutable: no -e 2)",
    ),
    sw(
        Id::SkipMissing,
        "--skip-missing",
        "harden: comment out rules on paths that do not exist on this host",
    ),
    sw(
        Id::NoPrivileged,
        "--no-privileged",
        "harden: do not scan for setuid/setgid files (31-privileged.rules)",
    ),
    val(
        Id::Out,
        "--out",
        "DIR",
        "harden: write the files into DIR instead of printing them",
    ),
    sw(
        Id::Privileged,
        "--privileged",
        "one rule per setuid/setgid file on all local file systems (mounts \
         from /proc/self/mounts without nodev, remote, noexec or nosuid ones: \
         /var/lib/docker, /snap and /usr/games included)",
    ),
    val(
        Id::UidMin,
        "--uid-min",
        "N",
        "first uid of people (default: UID_MIN of /etc/login.defs, else 1000)",
    ),
    val(
        Id::RuleKey,
        "--key",
        "K",
        "key of --privileged rules (default privileged)",
    ),
];

const LOADED: &[Flag] = &[
    sw(
        Id::Status,
        "--status",
        "add the kernel's audit status (the lines of `auditctl -s`)",
    ),
    val(
        Id::LoadedFormat,
        "--format",
        "text|json",
        "the output format",
    ),
];

const AUGENRULES: Flag = sw(
    Id::Augenrules,
    "--augenrules",
    "DIR is a rules.d directory, merged as augenrules does",
);

const DIFF: &[Flag] = &[
    AUGENRULES,
    sw(
        Id::Settings,
        "--settings",
        "also compare -b, -f, -r, -e and --backlog_wait_time",
    ),
];

const APPLY: &[Flag] = &[
    AUGENRULES,
    Flag {
        short: Some("-n"),
        ..sw(
            Id::DryRun,
            "--dry-run",
            "print what would change, change nothing",
        )
    },
    sw(
        Id::AllowImmutable,
        "--allow-immutable",
        "allow -e 2 (locks the configuration until reboot)",
    ),
    sw(
        Id::AllowPanic,
        "--allow-panic",
        "allow -f 2 (panics on lost records)",
    ),
];

/// One rules subcommand: name, summary, usage, description, flag slices,
/// footer. (A macro, since a `const fn` cannot build the `&[Group]`.)
macro_rules! sub {
    ($name:expr, $about:expr, $usage:expr, $description:expr, $flags:expr, $footer:expr,) => {
        Command {
            name: $name,
            about: $about,
            usage: $usage,
            examples: "",
            description: $description,
            groups: &[Group {
                title: "Options",
                about: "",
                flags: $flags,
            }],
            footer: $footer,
        }
    };
}

/// Every rules subcommand, in help order.
pub static SUBCOMMANDS: [Command; 7] = [
    sub!(
        "rules lint",
        "report errors and pitfalls in audit rules",
        "[OPTIONS] FILE|DIR ...",
        "Reports syntax errors, rules the kernel or auditctl would refuse, and \
         pitfalls (missing arch, shadowed rules, -e 2 not last, ...), each \
         with a code, the place and a fix. A DIR means its *.rules files. \
         Exit 1 when there are errors.",
        &[LINT, COMMON],
        "",
    ),
    sub!(
        "rules fmt",
        "print rules as auditctl -l lists them once loaded",
        "[OPTIONS] FILE|DIR ...",
        "Prints rules exactly as `auditctl -l` lists them once loaded into an \
         empty kernel, so a file can be compared with the running kernel line \
         by line (`No rules` when nothing would be loaded, as auditctl says).",
        &[FMT, COMMON],
        "",
    ),
    sub!(
        "rules check",
        "check a rule set against a benchmark",
        "--profile NAME [OPTIONS] [FILE|DIR ...]",
        "Checks a rule set against a benchmark by what it audits, not by its \
         text: a watch equals a path+perm rule, several syscalls in one rule \
         equal several rules, -k equals -F key=, unset equals -1 and \
         4294967295, a wider rule satisfies, a narrower one (stricter auid, \
         extra filter, one arch only) does not, and a `never` rule earlier in \
         the list that drops the events defeats it. Each item: pass, fail or \
         not-applicable, the rules that satisfy it (file:line), what is \
         missing and the rules that would fix it. A single DIR is loaded like \
         augenrules; files are loaded in the order given. Without FILE, \
         /etc/audit/rules.d is read (DIR/rules.d with --config DIR). By \
         default the check compares with THIS HOST, as CIS's audit procedure \
         does: its setuid/setgid files (6.2.3.6), sudo's log file from \
         sudoers (6.2.3.3), UID_MIN of /etc/login.defs, auditd.conf, \
         /etc/audit/audit.rules (6.2.3.21), the boot command line (the linux \
         lines of grub.cfg, else /etc/default/grub; /proc/cmdline) and file \
         modes; the text report says so on its first line. For rules meant \
         for another machine use --offline: the items that need a host are \
         then not applicable, each with the reason.",
        &[CHECK, COMMON],
        "Exit 0 when no item fails, 1 otherwise.",
    ),
    sub!(
        "rules generate",
        "generate a hardened rule set or privileged rules",
        "--profile harden | --privileged [OPTIONS]",
        "",
        &[GENERATE, COMMON],
        "",
    ),
    sub!(
        "rules loaded",
        "the rules in the running kernel",
        "[--status] [--format text|json]",
        "The rules in the running kernel, as `auditctl -l` prints them.",
        &[LOADED, COMMON],
        "",
    ),
    sub!(
        "rules diff",
        "loaded rules vs a rules file",
        "[--augenrules] [--settings] FILE|DIR",
        "Loaded rules vs what FILE (or the rules.d DIR, merged like \
         augenrules) loads into an empty kernel, line for line. Exit 1 when \
         they differ.",
        &[DIFF, COMMON],
        "",
    ),
    sub!(
        "rules apply",
        "make the kernel hold exactly a rules file",
        "[OPTIONS] FILE|DIR",
        "Make the kernel hold exactly FILE's rules and settings: delete and \
         add only what differs, verify, and restore the previous rules on \
         failure. -e 2 (locks the configuration until reboot) and -f 2 \
         (panics on lost records) are refused unless --allow-immutable / \
         --allow-panic is given.",
        &[APPLY, COMMON],
        "",
    ),
];

/// The subcommand `auditkit rules NAME`.
pub fn subcommand(name: &str) -> Option<&'static Command> {
    SUBCOMMANDS
        .iter()
        .find(|c| c.name.strip_prefix("rules ") == Some(name))
}

/// What `auditkit rules` does, in one line (its help, man page and
/// completion menus).
pub const ABOUT: &str =
    "lint, format, check and generate audit rules; compare and apply them to the kernel";

/// Examples of `auditkit rules --help`, shown first.
pub const EXAMPLES: &str = "\
auditkit rules lint /etc/audit/rules.d              # every pitfall, with a fix; exit 1 on errors
auditkit rules fmt /etc/audit/rules.d/30-stig.rules # what `auditctl -l` will list after loading it
auditkit rules fmt --augenrules /etc/audit/rules.d  # what augenrules writes to audit.rules
auditkit rules check --profile cis-debian12         # this host's /etc/audit/rules.d, setuid files, ...
auditkit rules check --profile cis-debian12 --format json /etc/audit/rules.d
auditkit rules check --profile cis-debian12 --offline ./from-another-host.rules
auditkit rules check --profile nsa-rhel --config ./etc-audit-copy
auditkit rules generate --profile harden --out /etc/audit/rules.d
auditkit rules generate --profile harden --with perm_mod,delete --skip-missing
auditkit rules generate --privileged > 31-privileged.rules
auditkit rules diff /etc/audit/rules.d --augenrules # loaded rules vs the files
auditkit rules apply --dry-run --augenrules /etc/audit/rules.d
";
