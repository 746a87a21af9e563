//! Arguments of `auditkit report`, parsed with aureport's rules
//! (`aureport-options.c`): one-dash words, a value is the next word
//! unless it starts with `-`, one report at most, and its messages.
//! auditkit's own long options also take `--name=value`.
//!
//! Which words exist is the table [`crate::flags::report::REPORT`]; the
//! shared input and time options go to [`InputArgs::parse_option`] first,
//! so they behave exactly as in `search`.

use std::ffi::OsString;

use auditkit_output::Escape;
use auditkit_query::time::Clock;
use auditkit_report::aureport::format::Format;
use auditkit_report::aureport::{ConfAct, Detail, Options, Outcome, Report};

use crate::flags::report::REPORT;
use crate::flags::Id;
use crate::input_args::{words, InputArgs, Word};
use crate::search_args::ArgError;

/// Everything `auditkit report` was asked.
#[derive(Debug, Default)]
pub struct ReportArgs {
    /// Where to read and which time range (shared with search).
    pub input: InputArgs,
    /// The report given (none: the summary report).
    pub report: Option<Report>,
    /// `--summary`.
    pub summary: bool,
    /// `--failed` / `--success`.
    pub outcome: Outcome,
    /// `--add` / `--delete`.
    pub conf_act: ConfAct,
    /// `-nc`.
    pub no_config: bool,
    /// `--node`.
    pub nodes: Vec<Vec<u8>>,
    /// `-i`.
    pub interpret: bool,
    /// `--escape`.
    pub escape: Option<Escape>,
    /// `--format`.
    pub format: Format,
    /// `--by-node`.
    pub by_node: bool,
    /// `--debug`.
    pub debug: bool,
    /// `--html FILE`: the page of charts instead of a text report.
    pub html: Option<std::path::PathBuf>,
    /// `--help`.
    pub help: bool,
    /// `--version`.
    pub version: bool,
    /// `--noise` and its options.
    pub noise: crate::report_noise::NoiseArgs,
}

impl ReportArgs {
    /// `--node`: whether `ev` comes from one of the nodes asked for (every
    /// event when none was). The filter of the engine runs of `--noise`,
    /// its detection replay and `--html`; aureport's reports apply it in
    /// their own options.
    pub fn node_selected(&self, ev: &auditkit_event::Event) -> bool {
        self.nodes.is_empty() || ev.node().is_some_and(|n| self.nodes.iter().any(|x| x == n))
    }
    /// The report's options for the library.
    pub fn options(&self) -> Options {
        let report = self.report.unwrap_or(Report::Summary);
        let detail = if self.summary || report == Report::Summary {
            Detail::Summary
        } else {
            Detail::Detailed
        };
        let mut o = Options::new(report, detail);
        o.outcome = self.outcome;
        o.conf_act = self.conf_act;
        o.no_config = self.no_config;
        o.nodes = self.nodes.clone();
        o.escape = self.escape.unwrap_or(Escape::Tty);
        o.start_time = self.input.start_time;
        o.end_time = self.input.end_time;
        o.format = self.format;
        o.by_node = self.by_node;
        o.set_interpret(self.interpret);
        o
    }
}

/// The report a flag asks for, and whether aureport refuses a value
/// after it ("Unimplemented option").
fn report_of(id: Id) -> Option<(Report, bool)> {
    use Report::*;
    Some(match id {
        Id::RptAuth => (Auth, false),
        Id::RptAvc => (Avc, false),
        Id::RptComm => (Comm, true),
        Id::RptConfig => (Config, false),
        Id::RptCrypto => (Crypto, false),
        Id::RptEvent => (Event, false),
        Id::RptFile => (File, true),
        Id::RptHost => (Host, true),
        Id::RptIntegrity => (Integ, false),
        Id::RptKey => (Key, true),
        Id::RptLogin => (Login, false),
        Id::RptMods => (AcctMod, false),
        Id::RptMac => (Mac, false),
        Id::RptAnomaly => (Anomaly, true),
        Id::RptPid => (Pid, true),
        Id::RptResponse => (Response, true),
        Id::RptSyscall => (Syscall, true),
        Id::RptLog => (Time, false),
        Id::RptTerminal => (Term, true),
        Id::RptTty => (Tty, false),
        Id::RptUser => (User, true),
        Id::RptVirt => (Virt, false),
        Id::RptExe => (Exe, true),
        _ => return None,
    })
}

/// Parse the arguments after `report`.
pub fn parse(args: &[OsString]) -> Result<ReportArgs, ArgError> {
    let v = words(args);
    let clock = Clock::from_env();
    let mut a = ReportArgs::default();
    let mut c = 0usize;
    let err = |m: String| Err(ArgError(m));
    while c < v.len() {
        let raw = v[c].as_str();
        let (word, _) = Word::ausearch(&v, c);
        let (name, optarg, used) = (word.name, word.optarg, word.used());
        let Some(flag) = REPORT.lookup(name) else {
            return err(format!("{raw} is an unsupported option"));
        };
        if let Some(n) = a.input.parse_option(flag.id, &word, &clock)? {
            c += n + 1;
            continue;
        }
        if let Some((r, takes_no_value)) = report_of(flag.id) {
            if a.report.is_some() {
                return err("Error - only one report can be specified".into());
            }
            a.report = Some(r);
            // These reports once meant to take a value ("a specific
            // file"); aureport still stops when one follows.
            if takes_no_value && optarg.is_some() {
                return err("Unimplemented option".into());
            }
            c += 1;
            continue;
        }
        match flag.id {
            Id::ReportSummary => a.summary = true,
            Id::Failed => a.outcome = Outcome::Failed,
            Id::ReportSuccess => a.outcome = Outcome::Success,
            Id::Add => a.conf_act = ConfAct::Add,
            Id::Delete => a.conf_act = ConfAct::Delete,
            Id::NoConfig => a.no_config = true,
            Id::Node => {
                a.nodes.push(word.need()?.into_bytes());
                c += used;
            }
            Id::Interpret => {
                a.interpret = true;
                word.no_arg()?;
            }
            Id::Escape => {
                let o = word.need()?;
                a.escape = Some(
                    Escape::from_name(&o)
                        .ok_or_else(|| ArgError(format!("Unknown option ({o})")))?,
                );
                c += used;
            }
            Id::Format => {
                let o = word.need()?;
                a.format = match o.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    _ => return err(format!("--format: text, json or csv (not {o})")),
                };
                c += used;
            }
            Id::ByNode => a.by_node = true,
            Id::Html => {
                a.html = Some(word.need()?.into());
                c += used;
            }
            id if crate::report_noise::NoiseArgs::handles(id) => {
                c += a.noise.parse(id, name, optarg, used)?;
            }
            Id::Debug => a.debug = true,
            Id::Help => a.help = true,
            Id::Version => a.version = true,
            other => return err(format!("internal error: {raw} ({other:?}) is not handled")),
        }
        c += 1;
    }
    Ok(a)
}
