//! Arguments of `auditkit search`. ausearch spells many options as a dash
//! and several letters (`-if`, `-ts`, `-ua`), which no common argument
//! library accepts, so they are parsed here by table: each option has its
//! ausearch names and says whether it takes a value.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};
use auditkit_output::Escape;

/// `--help` text. It teaches the common cases first.
pub const HELP: &str = "\
auditkit search: find events in audit logs (ausearch-compatible)

Usage: auditkit search [OPTIONS] [-if FILE|DIR]...

Input (like ausearch): standard input when it is a pipe, else the files
given with -if, else auditd.conf's log_file and its rotations, oldest
first. A directory means DIR/audit.log and its rotations. Compressed
rotations (.gz, .zst) are read too. '-if -' reads standard input.

Examples:
  auditkit search -if /var/log/audit -k identity        events with key 'identity'
  auditkit search -m EXECVE,USER_CMD -i                 execs and sudo, interpreted
  ausearch-like raw output for a pipeline:  auditkit search -r -k exec | aureport -x

Output:
  --format raw|default|interpret|csv|text|json
                      raw: lines as logged; default: ausearch's grouped form;
                      interpret (-i): numbers turned into names;
                      json: one object per event (see docs/json.md)
  -r, --raw           same as --format raw
  -i, --interpret     same as --format interpret
  --escape raw|tty|shell|shell_quote
                      how control characters are shown (default tty)
  --just-one          stop after the first matching event
  -l, --line-buffered flush after each event
  --keep-unparsed     also print lines that are not audit records
  --passwd FILE, --group FILE
                      resolve user and group names from these files
                      instead of this host's (for logs from other hosts)

Filters (all given filters must match; values are ORed within -m):
  -k, --key KEY       any key of the event contains KEY
  -m, --message TYPE[,TYPE]
                      a record of one of these types (names or numbers, ALL)
  -a, --event ID      the event's serial number

Tuning:
  --eoe-timeout SECS  end-of-event timeout (default 2, as auditd.conf)
  --threads N         worker threads per stage (default: all cores)
  --debug             report lines that are not audit records

Exit status: 0 when something matched, 1 when nothing did (ausearch prints
'<no matches>' on stderr except in raw format), 1 on errors.
";

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
    pub inputs: Vec<PathBuf>,
    pub input_logs: bool,
    pub format: Format,
    pub escape: Escape,
    pub just_one: bool,
    pub line_buffered: bool,
    pub keep_unparsed: bool,
    pub debug: bool,
    pub passwd: Option<PathBuf>,
    pub group: Option<PathBuf>,
    pub eoe_timeout: Option<u64>,
    pub threads: usize,
    pub keys: Vec<String>,
    pub message_types: Vec<i32>,
    pub all_types: bool,
    pub event_serial: Option<u64>,
    pub help: bool,
}

impl Default for SearchArgs {
    fn default() -> Self {
        SearchArgs {
            inputs: Vec::new(),
            input_logs: false,
            format: Format::Default,
            escape: Escape::Tty,
            just_one: false,
            line_buffered: false,
            keep_unparsed: false,
            debug: false,
            passwd: None,
            group: None,
            eoe_timeout: None,
            threads: 0,
            keys: Vec::new(),
            message_types: Vec::new(),
            all_types: false,
            event_serial: None,
            help: false,
        }
    }
}

fn parse_format(s: &str) -> Result<Format> {
    Ok(match s {
        "raw" => Format::Raw,
        "default" => Format::Default,
        "interpret" => Format::Interpret,
        "csv" => Format::Csv,
        "text" => Format::Text,
        "json" => Format::Json,
        _ => bail!("--format: expected raw, default, interpret, csv, text or json, found '{s}'"),
    })
}

/// Parse a `-m` list: names or numbers, comma separated, or ALL.
fn parse_types(s: &str, out: &mut SearchArgs) -> Result<()> {
    for t in s.split(',') {
        if t.eq_ignore_ascii_case("all") {
            out.all_types = true;
            continue;
        }
        let n = if let Ok(n) = t.parse::<u32>() {
            n
        } else {
            auditkit_interp::msgtype::from_name(t).ok_or_else(|| {
                anyhow!("-m: '{t}' is not an audit message type (try EXECVE, SYSCALL, USER_LOGIN, ... or a number)")
            })?
        };
        out.message_types.push(n as i32);
    }
    Ok(())
}

/// Parse the arguments after `search`.
pub fn parse(args: &[OsString]) -> Result<SearchArgs> {
    let mut out = SearchArgs::default();
    let mut i = 0;
    let strs: Vec<String> = args
        .iter()
        .map(|a| {
            a.to_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("argument is not valid UTF-8: {a:?}"))
        })
        .collect::<Result<_>>()?;
    while i < strs.len() {
        let arg = strs[i].as_str();
        // --name=value form
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = |what: &str| -> Result<String> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            i += 1;
            strs.get(i)
                .cloned()
                .ok_or_else(|| anyhow!("{name} needs {what}"))
        };
        match name {
            "-h" | "--help" => out.help = true,
            "-if" | "--input" => out
                .inputs
                .push(PathBuf::from(value("a file or directory")?)),
            "--input-logs" => out.input_logs = true,
            "--format" => out.format = parse_format(&value("a format")?)?,
            "-r" | "--raw" => out.format = Format::Raw,
            "-i" | "--interpret" => out.format = Format::Interpret,
            "--escape" => {
                let v = value("raw, tty, shell or shell_quote")?;
                out.escape = Escape::from_name(&v).ok_or_else(|| {
                    anyhow!("--escape: expected raw, tty, shell or shell_quote, found '{v}'")
                })?;
            }
            "--just-one" => out.just_one = true,
            "-l" | "--line-buffered" => out.line_buffered = true,
            "--keep-unparsed" => out.keep_unparsed = true,
            "--debug" => out.debug = true,
            "--passwd" => out.passwd = Some(PathBuf::from(value("a passwd file")?)),
            "--group" => out.group = Some(PathBuf::from(value("a group file")?)),
            "--eoe-timeout" => {
                let v = value("seconds")?;
                out.eoe_timeout = Some(
                    v.parse()
                        .map_err(|_| anyhow!("--eoe-timeout: expected seconds, found '{v}'"))?,
                );
            }
            "--threads" => {
                let v = value("a number")?;
                out.threads = v
                    .parse()
                    .map_err(|_| anyhow!("--threads: expected a number, found '{v}'"))?;
            }
            "-k" | "--key" => out.keys.push(value("a key")?),
            "-m" | "--message" => {
                let v = value("a message type")?;
                parse_types(&v, &mut out)?;
            }
            "-a" | "--event" => {
                let v = value("an event serial number")?;
                out.event_serial =
                    Some(v.parse().map_err(|_| {
                        anyhow!("-a: expected an event serial number, found '{v}'")
                    })?);
            }
            _ => bail!("unknown option '{arg}' (see 'auditkit search --help')"),
        }
        i += 1;
    }
    Ok(out)
}
