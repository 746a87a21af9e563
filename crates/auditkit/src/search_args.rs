//! Arguments of `auditkit search`.
//!
//! ausearch spells many options as one dash and several letters (`-if`,
//! `-ts`, `-ua`) and decides whether an option has a value by looking at
//! the next word (a value never starts with `-`, except for `--session`,
//! `-e` and `-ul`, which take negative numbers). No argument library does
//! that, so the options are parsed here the same way, with ausearch's
//! messages; auditkit's own options also accept `--name=value`.
//!
//! Which words are options is data: each word is looked up in the table
//! [`crate::flags::search::SEARCH`] (from which `--help`, the man page and
//! the completions are generated), and what it does is the `match` on its
//! [`Id`] below; the shared input and time options go to
//! [`InputArgs::parse_option`] first.

use std::ffi::OsString;
use std::path::PathBuf;

use auditkit_host::{Accounts, HostPaths};
use auditkit_interp::{Machine, RecordType};
use auditkit_output::Escape;
use auditkit_query::time::Clock;
use auditkit_query::Criteria;

use crate::flags::search::SEARCH;
use crate::flags::Id;
use crate::input_args::{words, InputArgs, Word};
pub use crate::search_help::HELP;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Lines as read.
    Raw,
    /// ausearch's default.
    Default,
    /// ausearch -i.
    Interpret,
    /// ausearch --format csv.
    Csv,
    /// ausearch --format text.
    Text,
    /// JSON lines.
    Json,
}

/// Everything `auditkit search` was asked.
#[derive(Debug)]
pub struct SearchArgs {
    /// Where to read and which time range (shared with other commands).
    pub input: InputArgs,
    pub format: Format,
    /// Whether the format was set (ausearch refuses two).
    format_set: bool,
    pub escape: Escape,
    pub extra_keys: bool,
    pub extra_labels: bool,
    pub extra_obj2: bool,
    pub extra_time: bool,
    pub just_one: bool,
    pub line_buffered: bool,
    pub keep_unparsed: bool,
    pub debug: bool,
    pub passwd: Option<PathBuf>,
    pub group: Option<PathBuf>,
    /// The accounts of `passwd`/`group` once read: the id options, the
    /// filter and the writer all ask, and the files are read once.
    accounts: std::sync::OnceLock<Accounts>,
    pub help: bool,
    pub version: bool,
    /// The ausearch criteria.
    pub criteria: Criteria,
    /// `--checkpoint FILE`.
    pub checkpoint: Option<PathBuf>,
    /// `--where EXPR` (several are ANDed).
    pub wheres: Vec<String>,
    pub people: bool,
    pub daemons: bool,
    pub as_root_via_sudo: bool,
    /// `--count`: print the number of matching events only.
    pub count: bool,
    /// `--count-by FIELD`: a tally of FIELD's values over matching events.
    pub count_by: Option<String>,
    /// `--follow`: keep reading.
    pub follow: bool,
    /// `--all-events`: also print events ausearch cannot parse.
    pub all_events: bool,
    /// `--stats`: a line of counters on stderr at the end.
    pub stats: bool,
    /// `--no-progress`: no progress line on stderr even on a terminal.
    pub no_progress: bool,
    /// `--json-with-lines`: JSON records also carry their logged line.
    pub json_with_lines: bool,
    /// `-ua/-ue/-ui/-ul/-ga/-ge/-gi` in the order given, applied once
    /// every option is read (`--passwd`/`--group` may come after
    /// `-ui NAME`); in order, so that a later option still wins.
    id_options: Vec<IdOption>,
}

/// One of `-ua/-ue/-ui/-ul/-ga/-ge/-gi`.
#[derive(Debug, Clone)]
struct IdOption {
    /// Which option (`-ui`, `--loginuid`, ...).
    id: Id,
    /// Its value.
    value: IdArg,
}

/// The value of an id option.
#[derive(Debug, Clone)]
enum IdArg {
    /// A number (already converted, with ausearch's errors).
    Number(u32),
    /// A user or group name, looked up in the accounts.
    Name(String),
}

impl Default for SearchArgs {
    fn default() -> Self {
        SearchArgs {
            input: InputArgs::default(),
            format: Format::Default,
            format_set: false,
            escape: Escape::Tty,
            extra_keys: false,
            extra_labels: false,
            extra_obj2: false,
            extra_time: false,
            just_one: false,
            line_buffered: false,
            keep_unparsed: false,
            debug: false,
            passwd: None,
            group: None,
            accounts: std::sync::OnceLock::new(),
            help: false,
            version: false,
            criteria: Criteria::default(),
            checkpoint: None,
            wheres: Vec::new(),
            people: false,
            daemons: false,
            as_root_via_sudo: false,
            count: false,
            count_by: None,
            follow: false,
            all_events: false,
            stats: false,
            no_progress: false,
            json_with_lines: false,
            id_options: Vec::new(),
        }
    }
}

impl SearchArgs {
    /// Where user and group names come from: this host, or the files of
    /// `--passwd`/`--group`.
    pub fn host_paths(&self) -> HostPaths {
        HostPaths::this_host()
            .with_passwd(self.passwd.clone())
            .with_group(self.group.clone())
    }

    /// User and group names: this host's, or `--passwd`/`--group`, read
    /// the first time something asks.
    pub fn accounts(&self) -> Result<&Accounts, auditkit_host::LoadError> {
        if let Some(a) = self.accounts.get() {
            return Ok(a);
        }
        let loaded = self.host_paths().accounts()?;
        Ok(self.accounts.get_or_init(|| loaded))
    }

    /// Whether an id option was given as a name (so the accounts must be
    /// read).
    fn has_id_names(&self) -> bool {
        self.id_options
            .iter()
            .any(|o| matches!(o.value, IdArg::Name(_)))
    }

    /// Apply `-ua/-ue/-ui/-ul/-ga/-ge/-gi` in order, resolving names with
    /// `accounts` (`getpwnam`/`getgrnam` in ausearch), with ausearch's
    /// messages for unknown names.
    fn resolve_names(&mut self, accounts: &Accounts) -> Result<(), ArgError> {
        for p in std::mem::take(&mut self.id_options) {
            let id = p.id;
            let cr = &mut self.criteria;
            let group = matches!(id, Id::GidAll | Id::GidEffective | Id::Gid);
            let o = match p.value {
                IdArg::Number(n) => {
                    match id {
                        _ if group => set_gid(cr, id, n),
                        Id::LoginUid => cr.loginuid = n,
                        _ => set_uid(cr, id, n, None),
                    }
                    continue;
                }
                IdArg::Name(o) => o,
            };
            match id {
                _ if group => {
                    let g = accounts.gid(&o).ok_or_else(|| {
                        ArgError(if id == Id::GidEffective {
                            format!("Effective group ID is non-numeric and unknown ({o})")
                        } else {
                            format!("Group ID is non-numeric and unknown ({o})")
                        })
                    })?;
                    set_gid(cr, id, g);
                }
                Id::LoginUid => {
                    cr.loginuid = accounts.uid(&o).ok_or_else(|| {
                        ArgError(format!("Login user ID is non-numeric and unknown ({o})"))
                    })?;
                    cr.tauid = Some(o);
                }
                _ => {
                    let u = accounts.uid(&o).ok_or_else(|| {
                        ArgError(if id == Id::Uid {
                            format!("Effective user ID is non-numeric and unknown ({o})")
                        } else {
                            format!("User ID is non-numeric and unknown ({o})")
                        })
                    })?;
                    set_uid(cr, id, u, Some(o));
                }
            }
        }
        Ok(())
    }
}

/// `-ua/-ue/-ui` with uid `u` (and the name it was given as).
fn set_uid(cr: &mut Criteria, id: Id, u: u32, by_name: Option<String>) {
    match id {
        Id::UidAll => {
            cr.uid = u;
            cr.euid = u;
            cr.loginuid = u;
            cr.ua = true;
            if by_name.is_some() {
                cr.tuid = by_name.clone();
                cr.teuid = by_name.clone();
                cr.tauid = by_name;
            }
        }
        Id::UidEffective => {
            cr.euid = u;
            cr.teuid = by_name;
        }
        _ => {
            cr.uid = u;
            cr.tuid = by_name;
        }
    }
}

/// `-ga/-ge/-gi` with gid `g`.
fn set_gid(cr: &mut Criteria, id: Id, g: u32) {
    match id {
        Id::GidAll => {
            cr.gid = g;
            cr.egid = g;
            cr.ga = true;
        }
        Id::GidEffective => cr.egid = g,
        _ => cr.gid = g,
    }
}

/// A refused command line: ausearch's message (already printed form).
#[derive(Debug)]
pub struct ArgError(pub String);

fn is_digit0(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

fn neg_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && b[1].is_ascii_digit()
}

/// `strtoul(s, NULL, 10)` truncated as C would store it.
fn c_ul(s: &str) -> Result<u64, ()> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<u64>().map_err(|_| ())
}

/// `strtol`/`strtoll` with base 0 on a possibly negative number.
fn c_ll0(s: &str) -> Result<i64, ()> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let d: String = h.chars().take_while(char::is_ascii_hexdigit).collect();
        i64::from_str_radix(&d, 16).map_err(|_| ())?
    } else if body.starts_with('0') && body.len() > 1 {
        let d: String = body
            .chars()
            .take_while(|c| ('0'..='7').contains(c))
            .collect();
        i64::from_str_radix(&d, 8).map_err(|_| ())?
    } else {
        let d: String = body.chars().take_while(char::is_ascii_digit).collect();
        if d.is_empty() {
            0
        } else {
            d.parse::<i64>().map_err(|_| ())?
        }
    };
    Ok(if neg { -v } else { v })
}

fn valid_types_message() -> String {
    let mut s = String::from("Valid message types are: ALL ");
    let mut i = RecordType::USER.0;
    while i <= RecordType::LAST_USER_MSG2.0 {
        // 1013 and on, up to the user messages, are netlink commands.
        if i == 1013 {
            i = RecordType::FIRST_USER_MSG.0;
        }
        if let Some(n) = RecordType(i).name() {
            s.push_str(n);
            s.push(' ');
        }
        i += 1;
    }
    s
}

/// Parse the arguments after `search`, then resolve the user and group
/// names of the criteria with this host's accounts or the files of
/// `--passwd`/`--group` (read through `auditkit_host`'s loader only when
/// a name was given).
///
/// The names are resolved after every option is read, so that
/// `-ui alice --passwd FILE` looks alice up in FILE. One consequence: when
/// a command line has both an unknown name and a later error, the later
/// error is reported where ausearch reports the name.
pub fn parse(args: &[OsString]) -> Result<SearchArgs, ArgError> {
    let mut a = parse_words(args)?;
    // Numeric ids need no names; the options are applied in order either way.
    let accounts = if a.has_id_names() {
        a.accounts().map_err(|e| ArgError(e.to_string()))?.clone()
    } else {
        Accounts::new()
    };
    a.resolve_names(&accounts)?;
    Ok(a)
}

/// The arguments as words, without reading any file: names of users and
/// groups are left in `id_options` for [`SearchArgs::resolve_names`].
pub(crate) fn parse_words(args: &[OsString]) -> Result<SearchArgs, ArgError> {
    let v = words(args);
    let clock = Clock::from_env();
    let mut a = SearchArgs::default();
    let mut c = 0usize;
    let err = |m: String| Err(ArgError(m));
    while c < v.len() {
        let raw = v[c].as_str();
        let (word, next) = Word::ausearch(&v, c);
        // How many words the value used (0 when it was inline).
        let (name, optarg, used) = (word.name, word.optarg, word.used());
        // An option missing from the table cannot be parsed.
        let Some(flag) = SEARCH.lookup(name) else {
            return err(format!("{raw} is an unsupported option"));
        };
        if let Some(n) = a.input.parse_option(flag.id, &word, &clock)? {
            c += n + 1;
            continue;
        }
        let cr = &mut a.criteria;
        match flag.id {
            Id::Event => {
                let o = word.need()?;
                if !is_digit0(&o) {
                    return err(format!("Audit event id must be a numeric value, was {o}"));
                }
                cr.event_id = c_ul(&o)
                    .map_err(|_| ArgError("Illegal value for audit event ID".into()))?
                    as u32;
                c += used;
            }
            Id::Arch => {
                let o = word.need()?;
                if cr.machine.is_some() {
                    return err(if cr.syscall != -1 {
                        "Arch needs to be defined before the syscall".into()
                    } else {
                        "Arch is already defined".into()
                    });
                }
                cr.machine = Some(
                    Machine::from_rule_arch(&o, Machine::native())
                        .ok_or_else(|| ArgError(format!("Unknown arch {o}")))?,
                );
                c += used;
            }
            Id::Comm => {
                cr.comm = Some(word.need()?.into_bytes());
                c += used;
            }
            Id::Checkpoint => {
                a.checkpoint = Some(PathBuf::from(word.need()?));
                c += used;
            }
            Id::Debug => a.debug = true,
            Id::Exit => {
                let o = match optarg.or(next) {
                    Some(o) => o.to_string(),
                    None => return err(format!("Argument is required for {name}")),
                };
                if is_digit0(&o) || neg_number(&o) {
                    cr.exit =
                        Some(c_ll0(&o).map_err(|_| ArgError(format!("Error converting {o}")))?);
                } else {
                    // libaudit's audit_name_to_errno: EACCES is +13 (as
                    // ausearch compares it), -EACCES is -13.
                    let (sign, nm) = match o.strip_prefix('-') {
                        Some(r) => (-1, r),
                        None => (1, o.as_str()),
                    };
                    let n = auditkit_interp::errno::number(nm).unwrap_or(0);
                    if n == 0 {
                        return err(format!("Unknown errno, was {o}"));
                    }
                    cr.exit = Some(i64::from(n) * sign);
                }
                c += used;
            }
            Id::Escape => {
                let o = word.need()?;
                a.escape = match o.as_str() {
                    "raw" => Escape::Raw,
                    "tty" => Escape::Tty,
                    "shell" => Escape::Shell,
                    "shell_quote" => Escape::ShellQuote,
                    _ => return err(format!("Unknown option ({o})")),
                };
                c += used;
            }
            Id::ExtraKeys => {
                a.extra_keys = true;
                word.no_arg()?;
            }
            Id::ExtraLabels => {
                a.extra_labels = true;
                word.no_arg()?;
            }
            Id::ExtraObj2 => {
                a.extra_obj2 = true;
                word.no_arg()?;
            }
            Id::ExtraTime => {
                a.extra_time = true;
                word.no_arg()?;
            }
            Id::File => {
                let o = word.need()?;
                if o.len() >= 4096 {
                    return err(format!("File name is too long {o}"));
                }
                cr.filename = Some(o.into_bytes());
                c += used;
            }
            Id::Format => {
                if a.format_set {
                    return err("Multiple output formats, use only 1".into());
                }
                let o = word.need()?;
                a.format = match o.as_str() {
                    "raw" => Format::Raw,
                    "default" => Format::Default,
                    x if x.starts_with("interp") => Format::Interpret,
                    "csv" => Format::Csv,
                    "text" => Format::Text,
                    "json" => Format::Json,
                    _ => return err(format!("Unknown option ({o})")),
                };
                a.format_set = a.format != Format::Default;
                c += used;
            }
            id @ (Id::GidAll | Id::GidEffective | Id::Gid) => {
                let o = word.need()?;
                if is_digit0(&o) {
                    let g = c_ul(&o).map_err(|_| {
                        ArgError(format!(
                            "Numeric group ID conversion error (Numerical result out of range) for {o}"
                        ))
                    })? as u32;
                    a.id_options.push(IdOption {
                        id,
                        value: IdArg::Number(g),
                    });
                } else {
                    a.id_options.push(IdOption {
                        id,
                        value: IdArg::Name(o),
                    });
                }
                c += used;
            }
            Id::Help => a.help = true,
            Id::HostName => {
                cr.hostname = Some(word.need()?.into_bytes());
                c += used;
            }
            Id::Interpret => {
                if a.format_set {
                    return err(format!("Conflicting output format {name}"));
                }
                a.format = Format::Interpret;
                a.format_set = true;
                word.no_arg()?;
            }
            Id::JustOne => a.just_one = true,
            Id::Key => {
                cr.key = Some(word.need()?.into_bytes());
                c += used;
            }
            Id::LineBuffered => a.line_buffered = true,
            Id::Message => {
                let o = word.need()?;
                c += used;
                if !o.eq_ignore_ascii_case("all") {
                    let types = cr.types.get_or_insert_with(Vec::new);
                    for t in o.split(',').filter(|t| !t.is_empty()) {
                        let n = if is_digit0(t) {
                            c_ul(t).ok().map(|n| RecordType(n as i32))
                        } else {
                            auditkit_interp::msgtype::from_name(t)
                        };
                        match n {
                            Some(n) => types.push(n),
                            None => return err(valid_types_message()),
                        }
                    }
                }
            }
            Id::Node => {
                cr.nodes.push(word.need()?.into_bytes());
                c += used;
            }
            Id::Object => {
                cr.object = Some(word.need()?.into_bytes());
                c += used;
            }
            id @ (Id::Pid | Id::Ppid) => {
                let o = word.need()?;
                let parent = id == Id::Ppid;
                if !is_digit0(&o) {
                    return err(if parent {
                        format!("Parent process id must be a numeric value, was {o}")
                    } else {
                        format!("Process id must be a numeric value, was {o}")
                    });
                }
                let n = c_ll0(&o).map_err(|_| ArgError(String::new()))? as i32;
                if parent {
                    cr.ppid = n;
                } else {
                    cr.pid = n;
                }
                c += used;
            }
            Id::Raw => {
                if a.format_set {
                    return err("Conflicting output format --raw".into());
                }
                a.format = Format::Raw;
                a.format_set = true;
                if optarg.is_some() {
                    return err("Argument is NOT required for --raw".into());
                }
            }
            Id::Syscall => {
                let o = word.need()?;
                if is_digit0(&o) {
                    cr.syscall = c_ul(&o).map_err(|_| {
                        ArgError(format!(
                            "Syscall numeric conversion error (Numerical result out of range) for {o}"
                        ))
                    })? as i32;
                } else {
                    let m = *cr.machine.get_or_insert_with(Machine::native);
                    cr.syscall = auditkit_interp::syscall_number(m, &o)
                        .map(|n| n as i32)
                        .ok_or_else(|| ArgError(format!("Syscall {o} not found")))?;
                }
                c += used;
            }
            Id::Context => {
                let o = word.need()?;
                cr.subject = Some(o.clone().into_bytes());
                cr.object = Some(o.into_bytes());
                cr.se = true;
                c += used;
            }
            Id::Session => {
                let o = match optarg.or(next) {
                    Some(o) => o.to_string(),
                    None => return err(format!("Argument is required for {name}")),
                };
                if is_digit0(&o) {
                    cr.session = c_ul(&o).map_err(|_| ArgError(String::new()))? as u32;
                } else if neg_number(&o) {
                    cr.session =
                        c_ll0(&o).map_err(|_| ArgError(format!("Error converting {o}")))? as u32;
                } else {
                    return err(format!("Session id must be a numeric value, was {o}"));
                }
                c += used;
            }
            Id::Subject => {
                cr.subject = Some(word.need()?.into_bytes());
                c += used;
            }
            Id::Success => {
                let o = word.need()?;
                if o.contains("yes") || o.contains("no") {
                    cr.success = i32::from(o == "yes");
                } else {
                    return err("Success must be 'yes' or 'no'.".into());
                }
                c += used;
            }
            Id::Terminal => {
                cr.terminal = Some(word.need()?.into_bytes());
                c += used;
            }
            id @ (Id::UidAll | Id::UidEffective | Id::Uid) => {
                let o = word.need()?;
                if is_digit0(&o) {
                    let u = c_ul(&o).map_err(|_| {
                        ArgError(format!(
                            "Numeric user ID conversion error (Numerical result out of range) for {o}"
                        ))
                    })? as u32;
                    a.id_options.push(IdOption {
                        id,
                        value: IdArg::Number(u),
                    });
                } else {
                    a.id_options.push(IdOption {
                        id,
                        value: IdArg::Name(o),
                    });
                }
                c += used;
            }
            Id::LoginUid => {
                let o = match optarg.or(next) {
                    Some(o) => o.to_string(),
                    None => return err(format!("Argument is required for {name}")),
                };
                let value = if is_digit0(&o) {
                    IdArg::Number(c_ul(&o).map_err(|_| {
                        ArgError(format!(
                            "Numeric user ID conversion error (Numerical result out of range) for {o}"
                        ))
                    })? as u32)
                } else if neg_number(&o) {
                    IdArg::Number(
                        c_ll0(&o).map_err(|_| ArgError(format!("Error converting {o}")))? as u32,
                    )
                } else {
                    IdArg::Name(o)
                };
                a.id_options.push(IdOption {
                    id: Id::LoginUid,
                    value,
                });
                c += used;
            }
            Id::Uuid => {
                cr.uuid = Some(word.need()?.into_bytes());
                c += used;
            }
            Id::Version => a.version = true,
            Id::VmName => {
                cr.vmname = Some(word.need()?.into_bytes());
                c += used;
            }
            Id::Word => cr.exact = true,
            Id::Executable => {
                cr.exe = Some(word.need()?.into_bytes());
                c += used;
            }
            // auditkit's own options.
            Id::KeepUnparsed => a.keep_unparsed = true,
            Id::Passwd => {
                a.passwd = Some(PathBuf::from(word.need()?));
                c += used;
            }
            Id::Group => {
                a.group = Some(PathBuf::from(word.need()?));
                c += used;
            }
            Id::Where => {
                // The expression may start with '-' (a negative number is
                // unlikely, but `not` is not): take the next word as is.
                let o = if word.inline { optarg } else { next }.map(str::to_string);
                a.wheres
                    .push(o.ok_or_else(|| ArgError("Argument is required for --where".into()))?);
                c += used;
            }
            Id::People => a.people = true,
            Id::Daemons => a.daemons = true,
            Id::AsRootViaSudo => a.as_root_via_sudo = true,
            Id::Count => a.count = true,
            Id::CountBy => {
                a.count_by = Some(word.need()?);
                c += used;
            }
            Id::Follow => a.follow = true,
            Id::AllEvents => a.all_events = true,
            Id::Stats => a.stats = true,
            Id::NoProgress => a.no_progress = true,
            Id::JsonWithLines => a.json_with_lines = true,
            // A flag of the table without a handler: the tests parse every
            // flag, so this is never reached.
            other => return err(format!("internal error: {raw} ({other:?}) is not handled")),
        }
        c += 1;
    }
    if (a.extra_time || a.extra_labels || a.extra_keys) && a.format != Format::Csv {
        return err("--extra options requires format to be csv".into());
    }
    a.criteria.start_time = a.input.start_time;
    a.criteria.end_time = a.input.end_time;
    a.criteria.rich_format = matches!(a.format, Format::Interpret | Format::Csv | Format::Text);
    Ok(a)
}
