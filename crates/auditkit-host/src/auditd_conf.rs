//! auditd.conf(5) of audit 3.0.9, typed, read the way auditd's own
//! `load_config` (`src/auditd-config.c`) reads it. ausearch and aureport
//! use the same function to find `log_file`, and the CIS checks ask about
//! its values, so this is the one parser of the file.
//!
//! How auditd reads it, and what this parser keeps of it:
//!
//! * The file is read in lines of at most 159 bytes before the newline
//!   (`char buf[160]` and `fgets`). A longer line is skipped, and so is a
//!   last line without a newline (fgets returns it without `\n`, which
//!   auditd takes for "too long"). Both are reported here
//!   ([`ErrorKind::LineTooLong`], [`ErrorKind::NoNewline`]).
//! * A line is split at **spaces only** (`audit_strsplit`; a tab is part of
//!   a word): `keyword = value [option]`. A blank line or one whose first
//!   word starts with `#` is a comment. The `=` must be a word of its own:
//!   `log_file=/x` is one word, so auditd finds no value.
//! * Keywords and enumerated values are case-insensitive (`strcasecmp`).
//!   Only `space_left_action`, `admin_space_left_action`,
//!   `disk_full_action` and `disk_error_action` take an option (the
//!   program of `exec`).
//! * Each keyword has its own check (all digits, a range, a word from a
//!   list); auditd stops at the first line it refuses and does not start,
//!   while ausearch then falls back to what it had read so far. This
//!   parser goes on after an error so that a checker sees every problem:
//!   each is in [`AuditdConf::errors`] with its line, and a refused line
//!   changes no value. [`AuditdConf::applied_until_error`] tells the
//!   values auditd itself had applied before it stopped.
//! * A later line for a keyword replaces an earlier one.
//! * After the last line auditd checks the whole (`sanity_check`):
//!   `space_left` must be larger than `admin_space_left` (unless one is a
//!   percentage), incremental flushing needs a non-zero `freq`, and a
//!   `log_group` other than root must not be applied to a file directly in
//!   `/var/log`.
//!
//! Left out, because they need the file system or the network: whether
//! `log_file`'s directory exists and the file is a root-owned regular file,
//! whether an `exec` program exists with safe modes, resolving a
//! `log_group` name (the caller has [`crate::Accounts`]), and the DNS
//! lookup of `action_mail_acct`'s domain.
//!
//! Unknown keywords are an error for auditd; here they are also kept in
//! [`AuditdConf::unknown`], since newer audit versions add keywords.
//! Defaults are those of `clear_config`, which is what auditd uses for a
//! keyword the file does not set (the man page's "default" sometimes
//! describes the shipped file instead, e.g. `flush`).

use std::fmt;

/// The longest line auditd reads (bytes before the newline).
pub const MAX_LINE: usize = 158;

/// `log_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Records as the kernel sent them.
    Raw,
    /// Records with names appended after a 0x1D byte.
    Enriched,
    /// Deprecated: no log (sets `write_logs = no`).
    Nolog,
}

/// `flush`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// No explicit flush.
    None,
    /// Flush every `freq` records.
    Incremental,
    /// Like incremental, flushing in another thread.
    IncrementalAsync,
    /// Keep the data in sync.
    Data,
    /// Keep data and metadata in sync.
    Sync,
}

/// `name_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameFormat {
    /// No node name.
    None,
    /// `gethostname`.
    Hostname,
    /// The fully qualified domain name.
    Fqd,
    /// The IP address.
    Numeric,
    /// The `name` keyword's value.
    User,
}

/// `max_log_file_action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeAction {
    /// Nothing.
    Ignore,
    /// A syslog warning.
    Syslog,
    /// Stop writing.
    Suspend,
    /// Rotate, keeping `num_logs`.
    Rotate,
    /// Rotate without removing old logs.
    KeepLogs,
}

/// What the disk-space keywords do (`failure_actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureAction {
    /// Nothing.
    Ignore,
    /// A syslog message.
    Syslog,
    /// Rotate the logs.
    Rotate,
    /// Mail `action_mail_acct` (not for `disk_full_action`/`disk_error_action`).
    Email,
    /// Run the program given as option.
    Exec,
    /// Stop writing.
    Suspend,
    /// Go to single user mode.
    Single,
    /// Halt the machine.
    Halt,
}

/// An action with the program of `exec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The action.
    pub action: FailureAction,
    /// The program to run for [`FailureAction::Exec`].
    pub exe: Option<String>,
}

impl Action {
    const fn new(action: FailureAction) -> Action {
        Action { action, exe: None }
    }
}

/// `overflow_action` (the plugin queue is full).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverflowAction {
    /// Drop the event.
    Ignore,
    /// Drop it with a syslog message.
    Syslog,
    /// Stop sending to plugins.
    Suspend,
    /// Single user mode.
    Single,
    /// Halt.
    Halt,
}

/// `transport` of the listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Plain TCP.
    Tcp,
    /// Kerberos 5 (GSSAPI builds, as Debian's).
    Krb5,
}

/// `log_group`: a number, or a name to resolve with
/// [`crate::Accounts::gid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogGroup {
    /// A gid.
    Id(u32),
    /// A group name (auditd asks `getgrnam`).
    Name(String),
}

/// `space_left` and `admin_space_left`: megabytes or a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// Megabytes of free space.
    Megabytes(u64),
    /// Percent of the file system (0-99).
    Percent(u8),
}

/// One `keyword = value [option]` line as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number.
    pub line: usize,
    /// The keyword, lower-cased.
    pub key: String,
    /// The value as written.
    pub value: String,
    /// The option word, if any.
    pub option: Option<String>,
}

/// What is wrong with a line (or, for [`ErrorKind::Sanity`], the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Longer than [`MAX_LINE`] bytes: auditd skips it.
    LineTooLong,
    /// The last line has no newline: auditd skips it.
    NoNewline,
    /// A keyword with no `=` word after it (`log_file=/x`, `flush data`).
    MissingEquals,
    /// `keyword =` with no value.
    MissingValue,
    /// More words than `keyword = value option`.
    TooManyWords,
    /// A keyword auditd 3.0.9 does not know.
    UnknownKeyword,
    /// An option word after a keyword that takes none.
    UnexpectedOption,
    /// `exec` without a program, or a program that is not an absolute path.
    ExecNeedsPath,
    /// Not made of digits (or digits and `%` for the space keywords).
    NotANumber,
    /// A number outside the keyword's range.
    OutOfRange {
        /// Smallest value allowed.
        min: u64,
        /// Largest value allowed.
        max: u64,
    },
    /// Not one of the words the keyword accepts.
    UnknownValue {
        /// The words it accepts.
        expected: &'static [&'static str],
    },
    /// A word the keyword refuses (`email` for `disk_full_action`, ...).
    IllegalValue,
    /// `log_file`'s directory is shorter than `/var`.
    DirectoryTooShort,
    /// `action_mail_acct` is not a plausible address.
    BadEmail,
    /// The file as a whole (auditd's `sanity_check`), with its message.
    Sanity(&'static str),
}

/// A problem auditd would refuse the file for (or skip a line for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfError {
    /// 1-based line number (0 for [`ErrorKind::Sanity`]).
    pub line: usize,
    /// The keyword, when the line had one.
    pub key: Option<String>,
    /// The value concerned, when there is one.
    pub value: Option<String>,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        let key = self.key.as_deref().unwrap_or("");
        let value = self.value.as_deref().unwrap_or("");
        match &self.kind {
            ErrorKind::LineTooLong => write!(f, "longer than {MAX_LINE} bytes, auditd skips it"),
            ErrorKind::NoNewline => write!(f, "no newline at the end, auditd skips the line"),
            ErrorKind::MissingEquals => {
                write!(
                    f,
                    "missing ' = ' after {key} (the equal sign must stand between spaces)"
                )
            }
            ErrorKind::MissingValue => write!(f, "{key} has no value"),
            ErrorKind::TooManyWords => write!(f, "{key}: too many words"),
            ErrorKind::UnknownKeyword => write!(f, "unknown keyword {key}"),
            ErrorKind::UnexpectedOption => write!(f, "{key} takes no option, found {value}"),
            ErrorKind::ExecNeedsPath => write!(f, "{key} = exec needs an absolute program path"),
            ErrorKind::NotANumber => write!(f, "{key} = {value}: not a number"),
            ErrorKind::OutOfRange { min, max } => {
                write!(f, "{key} = {value}: must be from {min} to {max}")
            }
            ErrorKind::UnknownValue { expected } => {
                write!(
                    f,
                    "{key} = {value}: expected one of {}",
                    expected.join(", ")
                )
            }
            ErrorKind::IllegalValue => write!(f, "{key} = {value} is not allowed"),
            ErrorKind::DirectoryTooShort => write!(f, "{key} = {value}: directory name too short"),
            ErrorKind::BadEmail => write!(f, "{key} = {value}: not a valid mail address"),
            ErrorKind::Sanity(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ConfError {}

/// The typed configuration, with every line as written and every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditdConf {
    /// `local_events` (default yes).
    pub local_events: bool,
    /// `write_logs` (default yes; `log_format = nolog` clears it).
    pub write_logs: bool,
    /// `log_file` (default `/var/log/audit/audit.log`).
    pub log_file: String,
    /// `log_format` (default enriched).
    pub log_format: LogFormat,
    /// `log_group` (default 0, root).
    pub log_group: LogGroup,
    /// `priority_boost` (default 4).
    pub priority_boost: u32,
    /// `flush` (default none).
    pub flush: Flush,
    /// `freq` (default 0).
    pub freq: u32,
    /// `num_logs` (default 0, at most 999).
    pub num_logs: u32,
    /// `name_format` (default none).
    pub name_format: NameFormat,
    /// `name`.
    pub name: Option<String>,
    /// `max_log_file` in megabytes (default 0).
    pub max_log_file: u64,
    /// `max_log_file_action` (default ignore).
    pub max_log_file_action: SizeAction,
    /// `space_left` (default 0 MB).
    pub space_left: Space,
    /// `space_left_action` (default ignore).
    pub space_left_action: Action,
    /// `action_mail_acct` (default root).
    pub action_mail_acct: String,
    /// `verify_email` (default yes).
    pub verify_email: bool,
    /// `admin_space_left` (default 0 MB).
    pub admin_space_left: Space,
    /// `admin_space_left_action` (default ignore).
    pub admin_space_left_action: Action,
    /// `disk_full_action` (default ignore).
    pub disk_full_action: Action,
    /// `disk_error_action` (default syslog).
    pub disk_error_action: Action,
    /// `tcp_listen_port` (default none: no listener).
    pub tcp_listen_port: Option<u16>,
    /// `tcp_listen_queue` (default 5).
    pub tcp_listen_queue: u32,
    /// `tcp_max_per_addr` (default 1).
    pub tcp_max_per_addr: u32,
    /// `use_libwrap` (default yes).
    pub use_libwrap: bool,
    /// `tcp_client_ports` as (min, max) (default 0-65535).
    pub tcp_client_ports: (u16, u16),
    /// `tcp_client_max_idle` in seconds (default 0).
    pub tcp_client_max_idle: u32,
    /// `transport` (default tcp; `enable_krb5 = yes` sets krb5).
    pub transport: Transport,
    /// `krb5_principal`.
    pub krb5_principal: Option<String>,
    /// `krb5_key_file`.
    pub krb5_key_file: Option<String>,
    /// `distribute_network` (default no).
    pub distribute_network: bool,
    /// `q_depth` (default 2000, at most 99999).
    pub q_depth: u32,
    /// `overflow_action` (default syslog).
    pub overflow_action: OverflowAction,
    /// `max_restarts` (default 10).
    pub max_restarts: u32,
    /// `plugin_dir`, always ending in `/` (default `/etc/audit/plugins.d`).
    pub plugin_dir: String,
    /// `end_of_event_timeout` in seconds (default 2).
    pub end_of_event_timeout: u64,
    /// Every well-formed `keyword = value` line, in file order (known
    /// keywords, deprecated ones and unknown ones).
    pub entries: Vec<Entry>,
    /// The entries whose keyword auditd 3.0.9 does not know.
    pub unknown: Vec<Entry>,
    /// Every problem, in line order (the sanity checks last).
    pub errors: Vec<ConfError>,
}

impl Default for AuditdConf {
    fn default() -> Self {
        AuditdConf {
            local_events: true,
            write_logs: true,
            log_file: "/var/log/audit/audit.log".into(),
            log_format: LogFormat::Enriched,
            log_group: LogGroup::Id(0),
            priority_boost: 4,
            flush: Flush::None,
            freq: 0,
            num_logs: 0,
            name_format: NameFormat::None,
            name: None,
            max_log_file: 0,
            max_log_file_action: SizeAction::Ignore,
            space_left: Space::Megabytes(0),
            space_left_action: Action::new(FailureAction::Ignore),
            action_mail_acct: "root".into(),
            verify_email: true,
            admin_space_left: Space::Megabytes(0),
            admin_space_left_action: Action::new(FailureAction::Ignore),
            disk_full_action: Action::new(FailureAction::Ignore),
            disk_error_action: Action::new(FailureAction::Syslog),
            tcp_listen_port: None,
            tcp_listen_queue: 5,
            tcp_max_per_addr: 1,
            use_libwrap: true,
            tcp_client_ports: (0, 65535),
            tcp_client_max_idle: 0,
            transport: Transport::Tcp,
            krb5_principal: None,
            krb5_key_file: None,
            distribute_network: false,
            q_depth: 2000,
            overflow_action: OverflowAction::Syslog,
            max_restarts: 10,
            plugin_dir: "/etc/audit/plugins.d".into(),
            end_of_event_timeout: 2,
            entries: Vec::new(),
            unknown: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// Every keyword of auditd 3.0.9 (`keywords[]`), in its order.
pub const KEYWORDS: &[&str] = &[
    "local_events",
    "write_logs",
    "log_file",
    "log_format",
    "log_group",
    "flush",
    "freq",
    "num_logs",
    "dispatcher",
    "name_format",
    "name",
    "disp_qos",
    "max_log_file",
    "max_log_file_action",
    "space_left",
    "space_left_action",
    "action_mail_acct",
    "verify_email",
    "admin_space_left",
    "admin_space_left_action",
    "disk_full_action",
    "disk_error_action",
    "priority_boost",
    "tcp_listen_port",
    "tcp_listen_queue",
    "tcp_max_per_addr",
    "use_libwrap",
    "tcp_client_ports",
    "tcp_client_max_idle",
    "transport",
    "enable_krb5",
    "krb5_principal",
    "krb5_key_file",
    "distribute_network",
    "q_depth",
    "overflow_action",
    "max_restarts",
    "plugin_dir",
    "end_of_event_timeout",
];

/// Keywords that take an option word (the program of `exec`).
const WITH_OPTION: &[&str] = &[
    "space_left_action",
    "admin_space_left_action",
    "disk_full_action",
    "disk_error_action",
];

const YES_NO: &[&str] = &["yes", "no"];
const LOG_FORMATS: &[&str] = &["raw", "nolog", "enriched"];
const FLUSHES: &[&str] = &["none", "incremental", "incremental_async", "data", "sync"];
const FAILURE_ACTIONS: &[&str] = &[
    "ignore", "syslog", "rotate", "email", "exec", "suspend", "single", "halt",
];
const SIZE_ACTIONS: &[&str] = &["ignore", "syslog", "suspend", "rotate", "keep_logs"];
const NAME_FORMATS: &[&str] = &["none", "hostname", "fqd", "numeric", "user"];
const OVERFLOW_ACTIONS: &[&str] = &["ignore", "syslog", "suspend", "single", "halt"];
const TRANSPORTS: &[&str] = &["tcp", "krb5"];

const INT_MAX: u64 = i32::MAX as u64;

/// The outcome of one keyword's parser: `Err` leaves the value unchanged.
type Step = Result<(), ErrorKind>;

impl AuditdConf {
    /// Parse the text of auditd.conf. Never fails: problems are in
    /// [`AuditdConf::errors`], and the values are those of the lines that
    /// were accepted.
    pub fn parse(text: &str) -> AuditdConf {
        let mut c = AuditdConf::default();
        c.parse_into(text, false);
        c
    }

    /// The values auditd (and ausearch, which then falls back to them)
    /// had applied when it stopped at the first refused line, which is
    /// also the result of the whole file when nothing was refused.
    pub fn applied_until_error(text: &str) -> AuditdConf {
        let mut c = AuditdConf::default();
        c.parse_into(text, true);
        c
    }

    /// The value of the last well-formed line for a keyword
    /// (case-insensitive), as written, whether auditd accepted it or not:
    /// what a reader of the file sees.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case(key))
            .map(|e| e.value.as_str())
    }

    /// The value of the last line for a keyword (case-insensitive) that
    /// auditd accepted, as written (`ROTATE`, not the typed value): the
    /// setting in effect, in the file's own words.
    pub fn accepted(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .filter(|e| e.key.eq_ignore_ascii_case(key))
            .find(|e| {
                !self
                    .errors
                    .iter()
                    .any(|x| x.line == e.line && x.kind != ErrorKind::TooManyWords)
            })
            .map(|e| e.value.as_str())
    }

    /// Whether auditd would start with this file (no error that stops it).
    /// Skipped lines ([`ErrorKind::LineTooLong`], [`ErrorKind::NoNewline`])
    /// and [`ErrorKind::TooManyWords`] with an acceptable option only make
    /// auditd log a message.
    pub fn auditd_accepts(&self) -> bool {
        self.errors.iter().all(|e| {
            matches!(
                e.kind,
                ErrorKind::LineTooLong | ErrorKind::NoNewline | ErrorKind::TooManyWords
            )
        })
    }

    fn parse_into(&mut self, text: &str, stop_at_error: bool) {
        let mut any_line = false;
        let mut pieces = text.split('\n').peekable();
        let mut lineno = 0;
        while let Some(raw) = pieces.next() {
            lineno += 1;
            let last = pieces.peek().is_none();
            if last && raw.is_empty() {
                break;
            }
            any_line = true;
            if raw.len() > MAX_LINE || last {
                let kind = if raw.len() > MAX_LINE {
                    ErrorKind::LineTooLong
                } else {
                    ErrorKind::NoNewline
                };
                self.errors.push(ConfError {
                    line: lineno,
                    key: None,
                    value: None,
                    kind,
                });
                continue;
            }
            // A NUL ends the C string.
            let line = raw.split('\0').next().unwrap_or(raw);
            let before = self.errors.len();
            self.line(lineno, line);
            if stop_at_error
                && !self.errors[before..]
                    .iter()
                    .all(|e| e.kind == ErrorKind::TooManyWords)
            {
                return;
            }
        }
        if any_line {
            self.sanity_check();
        }
    }

    fn error(&mut self, line: usize, key: &str, value: Option<&str>, kind: ErrorKind) {
        self.errors.push(ConfError {
            line,
            key: Some(key.to_string()),
            value: value.map(str::to_string),
            kind,
        });
    }

    fn line(&mut self, lineno: usize, line: &str) {
        let mut words = line.split(' ').filter(|w| !w.is_empty());
        let Some(name) = words.next() else { return };
        if name.starts_with('#') {
            return;
        }
        let key = name.to_ascii_lowercase();
        match words.next() {
            None => return self.error(lineno, &key, None, ErrorKind::MissingValue),
            Some("=") => {}
            Some(_) => return self.error(lineno, &key, None, ErrorKind::MissingEquals),
        }
        let Some(value) = words.next() else {
            return self.error(lineno, &key, None, ErrorKind::MissingValue);
        };
        let option = words.next();
        if words.next().is_some() {
            // auditd logs "Wrong number of arguments" and goes on with
            // the first three words.
            self.error(lineno, &key, None, ErrorKind::TooManyWords);
        }
        let entry = Entry {
            line: lineno,
            key: key.clone(),
            value: value.to_string(),
            option: option.map(str::to_string),
        };
        self.entries.push(entry.clone());
        if !KEYWORDS.contains(&key.as_str()) {
            self.unknown.push(entry);
            return self.error(lineno, &key, None, ErrorKind::UnknownKeyword);
        }
        if let Some(o) = option {
            if !WITH_OPTION.contains(&key.as_str()) {
                return self.error(lineno, &key, Some(o), ErrorKind::UnexpectedOption);
            }
        }
        if let Err(kind) = self.apply(&key, value, option) {
            self.error(lineno, &key, Some(value), kind);
        }
    }

    /// One keyword's parser (`*_parser` in auditd-config.c).
    fn apply(&mut self, key: &str, v: &str, option: Option<&str>) -> Step {
        match key {
            "local_events" => self.local_events = yes_no(v)?,
            "write_logs" => self.write_logs = yes_no(v)?,
            "log_file" => {
                let dir = dirname(v);
                if dir.len() < 4 {
                    return Err(ErrorKind::DirectoryTooShort);
                }
                self.log_file = v.to_string();
            }
            "log_format" => {
                self.log_format = match word(v, LOG_FORMATS)? {
                    0 => LogFormat::Raw,
                    1 => {
                        self.write_logs = false;
                        LogFormat::Nolog
                    }
                    _ => LogFormat::Enriched,
                }
            }
            "log_group" => {
                self.log_group = if v.starts_with(|c: char| c.is_ascii_digit()) {
                    // strtoul without an all-digits check: "5x" is 5, and
                    // the value is cut to gid_t.
                    LogGroup::Id(leading_number(v).ok_or(ErrorKind::OutOfRange {
                        min: 0,
                        max: u64::MAX,
                    })? as u32)
                } else {
                    LogGroup::Name(v.to_string())
                }
            }
            "flush" => {
                self.flush = [
                    Flush::None,
                    Flush::Incremental,
                    Flush::IncrementalAsync,
                    Flush::Data,
                    Flush::Sync,
                ][word(v, FLUSHES)?]
            }
            "freq" => self.freq = number(v, 0, INT_MAX)? as u32,
            "num_logs" => self.num_logs = number(v, 0, 999)? as u32,
            "dispatcher" | "disp_qos" => {} // deprecated, ignored
            "name_format" => {
                self.name_format = [
                    NameFormat::None,
                    NameFormat::Hostname,
                    NameFormat::Fqd,
                    NameFormat::Numeric,
                    NameFormat::User,
                ][word(v, NAME_FORMATS)?]
            }
            "name" => self.name = Some(v.to_string()),
            "max_log_file" => self.max_log_file = number(v, 0, u64::MAX)?,
            "max_log_file_action" => {
                self.max_log_file_action = [
                    SizeAction::Ignore,
                    SizeAction::Syslog,
                    SizeAction::Suspend,
                    SizeAction::Rotate,
                    SizeAction::KeepLogs,
                ][word(v, SIZE_ACTIONS)?]
            }
            "space_left" => self.space_left = space(v)?,
            "admin_space_left" => self.admin_space_left = space(v)?,
            "space_left_action" => self.space_left_action = action(v, option, &[])?,
            "admin_space_left_action" => self.admin_space_left_action = action(v, option, &[])?,
            "disk_full_action" => {
                self.disk_full_action = action(v, option, &[FailureAction::Email])?
            }
            "disk_error_action" => {
                self.disk_error_action =
                    action(v, option, &[FailureAction::Email, FailureAction::Rotate])?
            }
            "action_mail_acct" => {
                if self.verify_email && !plausible_email(v) {
                    return Err(ErrorKind::BadEmail);
                }
                self.action_mail_acct = v.to_string();
            }
            "verify_email" => self.verify_email = yes_no(v)?,
            "priority_boost" => self.priority_boost = number(v, 0, INT_MAX)? as u32,
            "tcp_listen_port" => self.tcp_listen_port = Some(number(v, 1, 65535)? as u16),
            "tcp_listen_queue" => self.tcp_listen_queue = number(v, 1, 65535)? as u32,
            "tcp_max_per_addr" => self.tcp_max_per_addr = number(v, 1, 1024)? as u32,
            "use_libwrap" => self.use_libwrap = yes_no(v)?,
            "tcp_client_ports" => self.tcp_client_ports = port_range(v)?,
            "tcp_client_max_idle" => self.tcp_client_max_idle = number(v, 0, INT_MAX)? as u32,
            "transport" => self.transport = [Transport::Tcp, Transport::Krb5][word(v, TRANSPORTS)?],
            "enable_krb5" => {
                if yes_no(v)? {
                    self.transport = Transport::Krb5;
                }
            }
            "krb5_principal" => self.krb5_principal = Some(v.to_string()),
            "krb5_key_file" => self.krb5_key_file = Some(v.to_string()),
            "distribute_network" => self.distribute_network = yes_no(v)?,
            "q_depth" => self.q_depth = number(v, 0, 99999)? as u32,
            "overflow_action" => {
                self.overflow_action = [
                    OverflowAction::Ignore,
                    OverflowAction::Syslog,
                    OverflowAction::Suspend,
                    OverflowAction::Single,
                    OverflowAction::Halt,
                ][word(v, OVERFLOW_ACTIONS)?]
            }
            "max_restarts" => self.max_restarts = number(v, 0, INT_MAX)? as u32,
            "plugin_dir" => {
                let mut d = v.to_string();
                if !d.ends_with('/') {
                    d.push('/');
                }
                self.plugin_dir = d;
            }
            "end_of_event_timeout" => self.end_of_event_timeout = number(v, 0, u64::MAX)?,
            _ => return Err(ErrorKind::UnknownKeyword),
        }
        Ok(())
    }

    /// auditd's `sanity_check` after the last line.
    fn sanity_check(&mut self) {
        let sanity = |m| ConfError {
            line: 0,
            key: None,
            value: None,
            kind: ErrorKind::Sanity(m),
        };
        if let (Space::Megabytes(s), Space::Megabytes(a)) = (self.space_left, self.admin_space_left)
        {
            if s <= a {
                self.errors
                    .push(sanity("space_left must be larger than admin_space_left"));
            }
        }
        if matches!(self.flush, Flush::Incremental | Flush::IncrementalAsync) && self.freq == 0 {
            self.errors.push(sanity(
                "incremental flushing chosen, but 0 selected for freq",
            ));
        }
        let root = matches!(&self.log_group, LogGroup::Id(0))
            || matches!(&self.log_group, LogGroup::Name(n) if n == "root");
        if !root && dirname(&self.log_file) == "/var/log" {
            self.errors.push(sanity(
                "log_file is directly in /var/log and chgrp would alter a system directory's permissions",
            ));
        }
    }
}

/// `dirname(3)` for the cases that matter here.
fn dirname(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { "." } else { "/" };
    }
    match t.rfind('/') {
        None => ".",
        Some(i) => {
            let d = t[..i].trim_end_matches('/');
            if d.is_empty() {
                "/"
            } else {
                d
            }
        }
    }
}

fn yes_no(v: &str) -> Result<bool, ErrorKind> {
    Ok(word(v, YES_NO)? == 0)
}

/// The index of `v` in `words`, case-insensitively.
fn word(v: &str, words: &'static [&'static str]) -> Result<usize, ErrorKind> {
    words
        .iter()
        .position(|w| w.eq_ignore_ascii_case(v))
        .ok_or(ErrorKind::UnknownValue { expected: words })
}

/// All digits, then `strtoul` (ERANGE past u64), then the range.
fn number(v: &str, min: u64, max: u64) -> Result<u64, ErrorKind> {
    if !v.bytes().all(|c| c.is_ascii_digit()) {
        return Err(ErrorKind::NotANumber);
    }
    let n = v
        .parse::<u64>()
        .map_err(|_| ErrorKind::OutOfRange { min, max })?;
    if n < min || n > max {
        return Err(ErrorKind::OutOfRange { min, max });
    }
    Ok(n)
}

/// `strtoul` of the leading digits; `None` on overflow.
fn leading_number(v: &str) -> Option<u64> {
    let d: &str = &v[..v.bytes().take_while(u8::is_ascii_digit).count()];
    if d.is_empty() {
        return Some(0);
    }
    d.parse().ok()
}

/// `space_left`/`admin_space_left`: digits and `%` only; with a `%` it is
/// a percentage below 100 (the first `%` becomes a space for strtoul, so
/// `%5` is 5 percent).
fn space(v: &str) -> Result<Space, ErrorKind> {
    if !v.bytes().all(|c| c.is_ascii_digit() || c == b'%') {
        return Err(ErrorKind::NotANumber);
    }
    match v.find('%') {
        None => Ok(Space::Megabytes(v.parse().map_err(|_| {
            ErrorKind::OutOfRange {
                min: 0,
                max: u64::MAX,
            }
        })?)),
        Some(i) => {
            let rest = v[..i].to_string() + " " + &v[i + 1..];
            let n = leading_number(rest.trim_start())
                .ok_or(ErrorKind::OutOfRange { min: 0, max: 99 })?;
            if n > 99 {
                return Err(ErrorKind::OutOfRange { min: 0, max: 99 });
            }
            Ok(Space::Percent(n as u8))
        }
    }
}

fn action(v: &str, option: Option<&str>, refused: &[FailureAction]) -> Result<Action, ErrorKind> {
    use FailureAction::*;
    let a = [Ignore, Syslog, Rotate, Email, Exec, Suspend, Single, Halt][word(v, FAILURE_ACTIONS)?];
    if refused.contains(&a) {
        return Err(ErrorKind::IllegalValue);
    }
    let exe = if a == Exec {
        match option {
            Some(p) if p.starts_with('/') => Some(p.to_string()),
            _ => return Err(ErrorKind::ExecNeedsPath),
        }
    } else {
        None
    };
    Ok(Action { action: a, exe })
}

/// `tcp_client_ports`: `N` or `MIN-MAX`, both at most 65535, in order.
fn port_range(v: &str) -> Result<(u16, u16), ErrorKind> {
    let (lo, hi) = match v.get(1..).and_then(|r| r.find('-')).map(|i| i + 1) {
        Some(i) if i + 1 < v.len() => (&v[..i], &v[i + 1..]),
        _ => (v, v),
    };
    let lo = number(lo, 0, 65535)?;
    let hi = number(hi, 0, 65535)?;
    if lo > hi {
        return Err(ErrorKind::OutOfRange {
            min: lo,
            max: 65535,
        });
    }
    Ok((lo as u16, hi as u16))
}

/// The offline part of auditd's `validate_email`: at least 2 characters
/// of `[A-Za-z0-9@._-]`, and a dot after an `@`.
fn plausible_email(v: &str) -> bool {
    v.len() >= 2
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"@.-_".contains(&c))
        && match v.find('@') {
            None => true,
            Some(at) => v.rfind('.').is_some_and(|dot| dot > at),
        }
}

#[cfg(test)]
mod tests;
