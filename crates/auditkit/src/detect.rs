//! `auditkit detect`: Sigma rules over audit logs, one alert per match,
//! as one more user of the engine (`auditkit_source::engine::run`).
//!
//! * [`DetectSink`], on the workers: matches each event against every
//!   rule that needs no process tree, and renders the event's JSON (the
//!   costly part of an alert) for the events that matched, into the
//!   batch's [`Out`].
//! * [`Alerts`], the ordered stage, in log order: the rules that read
//!   parent fields (with the process tree), the correlations (their
//!   windows follow the log's order), and the writing of the alerts.
//!
//! The ordered stage keeps the process tree built from the log
//! ([`auditkit_detect::process::Tree`]): every event goes through it in
//! log order, the rules that read parent fields ask it, and every alert
//! carries the ancestor chain it knows. The built-in rules
//! ([`auditkit_detect::builtin`]) run when no `--rules` is given, or with
//! `--builtin`.
//! `--live` reads the kernel's multicast stream instead of logs
//! ([`crate::live`]).

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use auditkit_detect::{
    process::{Observed, Tree},
    CorrelationHit, Correlator, Engine, Hit, Level, LoadOptions, Meta, RuleSet, Scope,
};
use auditkit_event::pipeline::{self, Flow, Item, Ordered, Sink};
use auditkit_event::value::{decode_str, execve_args};
use auditkit_event::{Event, RecordType};
use auditkit_host::{Accounts, HostPaths};
use auditkit_output::json::{json_str, JsonWriter};
use auditkit_query::time::Clock;
use auditkit_source::{engine, plan, Report};

use crate::exit::Exit;
use crate::flags::detect::DETECT;
use crate::flags::{Id, Value};
use crate::input_args::{InputArgs, Word};

/// How alerts are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Text,
}

/// The parsed command line.
#[derive(Debug, Default)]
struct DetectArgs {
    rules: Vec<PathBuf>,
    builtin: bool,
    live: bool,
    state: Option<PathBuf>,
    all_status: bool,
    check_rules: bool,
    list_rules: bool,
    format: Option<Format>,
    min_level: Option<Level>,
    passwd: Option<PathBuf>,
    group: Option<PathBuf>,
    learn_baseline: Option<PathBuf>,
    baseline: Option<PathBuf>,
    input: InputArgs,
    help: bool,
}

fn parse(args: &[OsString]) -> Result<DetectArgs> {
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let clock = Clock::from_env();
    let mut a = DetectArgs::default();
    let mut i = 0;
    while i < words.len() {
        let s = &words[i];
        i += 1;
        if s == "--" {
            a.input.inputs.extend(words[i..].iter().map(PathBuf::from));
            break;
        }
        if s.len() < 2 || !s.starts_with('-') {
            a.input.inputs.push(PathBuf::from(s));
            continue;
        }
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (s.as_str(), None),
        };
        let Some(flag) = DETECT.lookup(name) else {
            bail!("unknown option {name} (see auditkit detect --help; put paths starting with - after --)");
        };
        if flag.value == Value::None && inline.is_some() {
            bail!("{name} takes no value");
        }
        let optarg = inline.or_else(|| {
            (flag.value != Value::None)
                .then(|| words.get(i).map(String::as_str))
                .flatten()
        });
        let w = Word {
            name,
            optarg,
            inline: inline.is_some(),
            after: words.get(i + 1).map(String::as_str),
        };
        if let Some(used) = a
            .input
            .parse_option(flag.id, &w, &clock)
            .map_err(|e| anyhow::anyhow!("{}", e.0))?
        {
            i += used;
            continue;
        }
        let need = || -> Result<String> {
            optarg
                .map(str::to_string)
                .with_context(|| format!("{name} needs a value"))
        };
        let used = usize::from(flag.value != Value::None && inline.is_none());
        match flag.id {
            Id::Rules => a.rules.push(PathBuf::from(need()?)),
            Id::Builtin => a.builtin = true,
            Id::Live => a.live = true,
            Id::State => a.state = Some(PathBuf::from(need()?)),
            Id::AllStatus => a.all_status = true,
            Id::CheckRules => a.check_rules = true,
            Id::ListRules => a.list_rules = true,
            Id::Format => {
                a.format = Some(match need()?.as_str() {
                    "json" => Format::Json,
                    "text" => Format::Text,
                    o => bail!("--format: json or text, not '{o}'"),
                })
            }
            Id::MinLevel => {
                let v = need()?;
                a.min_level = Some(Level::from_name(&v).with_context(|| {
                    format!("--min-level: informational, low, medium, high or critical, not '{v}'")
                })?);
            }
            Id::Passwd => a.passwd = Some(PathBuf::from(need()?)),
            Id::Group => a.group = Some(PathBuf::from(need()?)),
            Id::LearnBaseline => a.learn_baseline = Some(PathBuf::from(need()?)),
            Id::Baseline => a.baseline = Some(PathBuf::from(need()?)),
            Id::Help => a.help = true,
            other => bail!("{name}: not handled ({other:?})"),
        }
        i += used;
    }
    Ok(a)
}

/// What a worker found in one event of a batch.
pub(crate) struct Found {
    /// The item's place in the batch.
    at: usize,
    hits: Vec<Hit>,
    /// The event as `search --format json` prints it, without the
    /// newline; empty when no hit alerts.
    json: Vec<u8>,
}

/// A batch's findings.
#[derive(Default)]
pub(crate) struct Out {
    items: usize,
    found: Vec<Found>,
    /// What the process tree needs of each event of the batch, in order,
    /// read here so that the ordered stage only updates the tree.
    read: Vec<Observed>,
}

/// The workers' side.
pub(crate) struct DetectSink<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) json: JsonWriter<'a>,
}

impl Sink<bool> for DetectSink<'_> {
    type Part = ();
    type Out = Out;

    fn part(&self) {}

    fn event(&self, _: &mut (), ev: &Event, _: bool, out: &mut Out) {
        let at = out.items;
        out.items += 1;
        let mut hits = Vec::new();
        let first = self.engine.matches_no_tree(ev, &mut hits);
        out.read.push(first.observed);
        let tree = first.tree_candidate;
        // The ordered stage looks only at the events found here: those
        // that matched, and those the rules that read parent fields may
        // match (it decides them with the process tree).
        if hits.is_empty() && !tree {
            return;
        }
        // The JSON of the event is the costly part of an alert: written
        // here, in parallel, when an alert will be (else the ordered stage
        // writes it if a tree rule or a correlation fires).
        let mut json = Vec::new();
        if hits.iter().any(|h| self.engine.alerts(h.rule)) {
            self.json.write(ev, &mut json);
            if json.last() == Some(&b'\n') {
                json.pop();
            }
        }
        out.found.push(Found { at, hits, json });
    }

    fn unparsed(
        &self,
        _: &mut (),
        _: &auditkit_event::ParsedChunk,
        _: &auditkit_event::chunk::Unparsed,
        out: &mut Out,
    ) {
        out.items += 1;
    }

    fn clear(&self, out: &mut Out) {
        out.items = 0;
        out.found.clear();
        out.read.clear();
    }
}

/// The ordered stage: the process tree, tree rules, correlations, output.
pub(crate) struct Alerts<'a, W: Write> {
    pub(crate) engine: &'a Engine,
    pub(crate) json: JsonWriter<'a>,
    /// The process tree of the stream, fed every event in log order.
    pub(crate) tree: Tree,
    pub(crate) correlator: Correlator,
    pub(crate) format: Format,
    pub(crate) min_level: Level,
    pub(crate) w: W,
    pub(crate) fired: u64,
    pub(crate) err: Option<io::Error>,
    /// A live stream: flush the alerts after every batch, and save the
    /// tree's state now and then.
    pub(crate) live: Option<crate::live::LiveState>,
}

impl<W: Write> Alerts<'_, W> {
    fn event(&mut self, ev: &Event, found: Option<&mut Found>) -> io::Result<()> {
        let mut hits = found.as_ref().map_or_else(Vec::new, |f| f.hits.clone());
        if self.engine.needs_tree() {
            self.engine
                .matches(ev, &self.tree, Scope::TreeOnly, &mut hits);
        }
        if hits.is_empty() {
            return Ok(());
        }
        let corr = self.engine.correlate(&mut self.correlator, ev, &hits);
        let mut json = found
            .map(|f| std::mem::take(&mut f.json))
            .filter(|j| !j.is_empty());
        let anc = self.ancestors(ev);
        for h in &hits {
            if !self.engine.alerts(h.rule) {
                continue;
            }
            let meta = &self.engine.rule(h.rule).meta;
            if meta.effective_level() < self.min_level {
                continue;
            }
            let j = json.get_or_insert_with(|| self.render(ev));
            self.alert(meta, ev, j, h.record, &anc, None)?;
        }
        for c in &corr {
            let meta = &self.engine.correlations()[c.correlation.0 as usize]
                .src
                .meta;
            if meta.effective_level() < self.min_level {
                continue;
            }
            let j = json.get_or_insert_with(|| self.render(ev));
            self.alert(meta, ev, j, None, &anc, Some(c))?;
        }
        Ok(())
    }

    /// The ancestor chain of the event's process, nearest first, as the
    /// tree knows it (images a pid exec'd through included).
    fn ancestors(&self, ev: &Event) -> Vec<auditkit_detect::Process> {
        let Some((pid, ppid)) = auditkit_detect::process::event_pid(ev) else {
            return Vec::new();
        };
        let max = self.tree.limits().max_depth;
        self.tree
            .ancestors(ev.node(), pid, ppid, max)
            .into_iter()
            .map(|a| auditkit_detect::Process {
                pid: a.pid,
                ppid: (a.ppid != 0).then_some(a.ppid),
                exe: Some(a.exe),
                cmdline: Some(a.command_line),
                uid: a.uid,
            })
            .collect()
    }

    fn render(&self, ev: &Event) -> Vec<u8> {
        let mut j = Vec::new();
        self.json.write(ev, &mut j);
        if j.last() == Some(&b'\n') {
            j.pop();
        }
        j
    }

    fn alert(
        &mut self,
        meta: &Meta,
        ev: &Event,
        event_json: &[u8],
        record: Option<usize>,
        anc: &[auditkit_detect::Process],
        corr: Option<&CorrelationHit>,
    ) -> io::Result<()> {
        self.fired += 1;
        let mut o = Vec::with_capacity(event_json.len() + 512);
        match self.format {
            Format::Json => {
                json_alert(&mut o, meta, event_json, record, anc, corr, self.engine);
            }
            Format::Text => text_alert(&mut o, meta, ev, record, anc, corr, self.engine),
        }
        self.w.write_all(&o)
    }
}

fn opt_str(o: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => json_str(o, s.as_bytes()),
        None => o.extend_from_slice(b"null"),
    }
}

fn rule_json(o: &mut Vec<u8>, m: &Meta) {
    o.extend_from_slice(b"{\"id\":");
    opt_str(o, m.id.as_deref());
    o.extend_from_slice(b",\"title\":");
    json_str(o, m.title.as_bytes());
    o.extend_from_slice(b",\"level\":");
    json_str(o, m.effective_level().name().as_bytes());
    o.extend_from_slice(b",\"tags\":[");
    for (i, t) in m.tags.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        json_str(o, t.as_bytes());
    }
    o.extend_from_slice(b"],\"author\":");
    opt_str(o, m.author.as_deref());
    o.extend_from_slice(b",\"link\":");
    opt_str(o, m.link.as_deref());
    o.extend_from_slice(b",\"source\":");
    json_str(o, m.source.as_bytes());
    o.push(b'}');
}

fn json_alert(
    o: &mut Vec<u8>,
    meta: &Meta,
    event_json: &[u8],
    record: Option<usize>,
    anc: &[auditkit_detect::Process],
    corr: Option<&CorrelationHit>,
    engine: &Engine,
) {
    o.extend_from_slice(b"{\"rule\":");
    rule_json(o, meta);
    if let Some(r) = record {
        o.extend_from_slice(b",\"record\":");
        o.extend_from_slice(r.to_string().as_bytes());
    }
    if let Some(c) = corr {
        let src = &engine.correlations()[c.correlation.0 as usize].src;
        o.extend_from_slice(b",\"correlation\":{\"group\":{");
        for (i, (f, v)) in src.group_by.iter().zip(&c.fired.group).enumerate() {
            if i > 0 {
                o.push(b',');
            }
            json_str(o, f.as_bytes());
            o.push(b':');
            json_str(o, v);
        }
        o.extend_from_slice(
            format!(
                "}},\"count\":{},\"first_ms\":{},\"last_ms\":{}}}",
                c.fired.count, c.fired.first_ms, c.fired.last_ms
            )
            .as_bytes(),
        );
    }
    o.extend_from_slice(b",\"event\":");
    o.extend_from_slice(event_json);
    o.extend_from_slice(b",\"context\":{\"ancestors\":[");
    for (i, p) in anc.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        o.extend_from_slice(format!("{{\"pid\":{}", p.pid).as_bytes());
        if let Some(pp) = p.ppid {
            o.extend_from_slice(format!(",\"ppid\":{pp}").as_bytes());
        }
        if let Some(e) = &p.exe {
            o.extend_from_slice(b",\"exe\":");
            json_str(o, e);
        }
        if let Some(c) = &p.cmdline {
            o.extend_from_slice(b",\"cmdline\":");
            json_str(o, c);
        }
        if let Some(u) = p.uid {
            o.extend_from_slice(format!(",\"uid\":{u}").as_bytes());
        }
        o.push(b'}');
    }
    o.extend_from_slice(b"]}}\n");
}

fn text_alert(
    o: &mut Vec<u8>,
    meta: &Meta,
    ev: &Event,
    record: Option<usize>,
    anc: &[auditkit_detect::Process],
    corr: Option<&CorrelationHit>,
    engine: &Engine,
) {
    let id = ev.id();
    o.extend_from_slice(format!("[{}] {}", meta.effective_level(), meta.title).as_bytes());
    if let Some(i) = &meta.id {
        o.extend_from_slice(format!(" ({i})").as_bytes());
    }
    o.extend_from_slice(b"\n  at ");
    auditkit_output::time::ctime(o, id.sec as i64);
    if o.last() == Some(&b'\n') {
        o.pop();
    }
    o.extend_from_slice(format!(", event {id}").as_bytes());
    if let Some(n) = ev.node() {
        o.extend_from_slice(b" on ");
        o.extend_from_slice(n);
    }
    if let Some(r) = record.and_then(|r| ev.record(r)) {
        o.extend_from_slice(b", record ");
        o.extend_from_slice(r.type_name());
    }
    o.push(b'\n');
    let sys = ev.records().find(|r| r.rtype() == RecordType::SYSCALL);
    if let Some(s) = sys {
        o.extend_from_slice(b"  by");
        for f in ["exe", "pid", "ppid", "auid", "uid"] {
            if let Some(v) = s.field(f.as_bytes()) {
                o.extend_from_slice(format!(" {f}=").as_bytes());
                // Only exe is a string (quoted or hex); the rest are numbers.
                if f == "exe" {
                    o.extend_from_slice(&decode_str(&v));
                } else {
                    o.extend_from_slice(&v);
                }
            }
        }
        o.push(b'\n');
    }
    let ex: Vec<(&[u8], std::borrow::Cow<'_, [u8]>)> = ev
        .records()
        .filter(|r| r.rtype() == RecordType::EXECVE)
        .flat_map(|r| r.fields().map(|f| (f.name, f.value)).collect::<Vec<_>>())
        .collect();
    if !ex.is_empty() {
        let args = execve_args(ex.iter().map(|(n, v)| (*n, v.as_ref())));
        o.extend_from_slice(b"  command: ");
        o.extend_from_slice(&args.join(&b' '));
        o.push(b'\n');
    }
    if let Some(c) = corr {
        let src = &engine.correlations()[c.correlation.0 as usize].src;
        o.extend_from_slice(format!("  {} matches of", c.fired.count).as_bytes());
        for r in &src.rules {
            o.extend_from_slice(format!(" {r}").as_bytes());
        }
        o.extend_from_slice(b" for");
        for (f, v) in src.group_by.iter().zip(&c.fired.group) {
            o.extend_from_slice(format!(" {f}=").as_bytes());
            o.extend_from_slice(v);
        }
        o.extend_from_slice(
            format!(
                " within {} s\n",
                (c.fired.last_ms - c.fired.first_ms) / 1000
            )
            .as_bytes(),
        );
    }
    for p in anc {
        o.extend_from_slice(format!("  parent pid {}", p.pid).as_bytes());
        if let Some(e) = &p.exe {
            o.extend_from_slice(b" ");
            o.extend_from_slice(e);
        }
        o.push(b'\n');
    }
    if !meta.tags.is_empty() {
        o.extend_from_slice(format!("  tags: {}\n", meta.tags.join(", ")).as_bytes());
    }
    o.extend_from_slice(b"  rule by ");
    o.extend_from_slice(meta.author.as_deref().unwrap_or("unknown").as_bytes());
    o.extend_from_slice(b": ");
    o.extend_from_slice(meta.link.as_deref().unwrap_or(&meta.source).as_bytes());
    o.extend_from_slice(b"\n\n");
}

impl<W: Write> Ordered<Out> for Alerts<'_, W> {
    fn wants_items(&self) -> bool {
        true
    }

    fn batch(&mut self, out: &mut Out, items: &[Item]) -> Flow {
        let mut found = out.found.iter_mut().peekable();
        let mut read = out.read.iter();
        for (at, it) in items.iter().enumerate() {
            let Item::Event(ev) = it else { continue };
            match read.next() {
                Some(r) => self.tree.observe_read(ev, r),
                None => self.tree.observe(ev),
            }
            let f = match found.peek() {
                Some(f) if f.at == at => found.next(),
                _ => None,
            };
            // Only the events the workers found need a look: those that
            // matched, and those tree rules may match
            // (`FirstPass::tree_candidate`). Correlations count matches.
            if f.is_none() {
                continue;
            }
            if let Err(e) = self.event(ev, f) {
                self.err = Some(e);
                return Flow::Stop;
            }
        }
        if let Some(live) = &mut self.live {
            if let Err(e) = self.w.flush() {
                self.err = Some(e);
                return Flow::Stop;
            }
            live.batch_done(&self.tree);
            if live.stopping() {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }
}

/// `--check-rules`: counts per log source and the reasons for the rest.
fn check_rules(engine: &Engine, list: bool, w: &mut impl Write) -> io::Result<()> {
    let s = engine.summary();
    if list {
        for r in engine.rules() {
            writeln!(
                w,
                "{:<13} {:<18} {}  ({})",
                r.meta.effective_level().name(),
                r.target.name(),
                r.meta.title,
                r.meta.source
            )?;
            // What the log must hold for the rule to fire (often the audit
            // rule it needs, which default configurations lack).
            if let Some(d) = &r.definition {
                for (i, l) in d
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .enumerate()
                {
                    let head = if i == 0 { "needs:" } else { "" };
                    writeln!(w, "{:32}{head:<7}{l}", "")?;
                }
            }
        }
        for c in engine.correlations() {
            writeln!(
                w,
                "{:<13} {:<18} {}  ({})",
                c.src.meta.effective_level().name(),
                "correlation",
                c.src.meta.title,
                c.src.meta.source
            )?;
        }
        return Ok(());
    }
    writeln!(w, "Rules that run:")?;
    let total: usize = s.running.iter().map(|(_, n)| n).sum();
    for (t, n) in &s.running {
        writeln!(w, "  {n:>5}  {t}")?;
    }
    if s.correlations > 0 {
        writeln!(w, "  {:>5}  correlation", s.correlations)?;
    }
    writeln!(w, "  {total:>5}  in all")?;
    if !engine.rejected().is_empty() {
        writeln!(w, "Rules that do not run ({}):", engine.rejected().len())?;
        for (src, why, n) in &s.rejected {
            writeln!(w, "  {n:>5}  {src}: {why}")?;
        }
        writeln!(w, "Each of them:")?;
        for r in engine.rejected() {
            writeln!(w, "  {}", r.describe())?;
        }
    }
    Ok(())
}

/// Entry point; returns the exit status.
pub fn main(args: &[OsString]) -> Result<Exit> {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("auditkit detect: {e:#}");
            return Ok(Exit::Usage);
        }
    };
    if a.help {
        print!("{}", crate::flags::render::help(&DETECT));
        return Ok(Exit::Ok);
    }
    let accounts: Accounts = HostPaths::this_host()
        .with_passwd(a.passwd.clone())
        .with_group(a.group.clone())
        .accounts()?;
    if let Some(out) = &a.learn_baseline {
        return crate::baseline::learn(&a.input, &accounts, out);
    }
    let mut set = RuleSet::new(LoadOptions {
        all_status: a.all_status,
    });
    if let Some(b) = &a.baseline {
        crate::baseline::add_builtins(&mut set, b, a.rules.is_empty() || a.builtin)?;
    } else if a.rules.is_empty() || a.builtin {
        auditkit_detect::builtin::add_to(&mut set);
    }
    for p in &a.rules {
        set.add_path(p)?;
    }
    let engine = Engine::new(set, accounts.clone());
    let stdout = io::stdout();
    if a.check_rules || a.list_rules {
        let mut w = io::BufWriter::new(stdout.lock());
        check_rules(&engine, a.list_rules, &mut w)?;
        w.flush()?;
        return Ok(Exit::Ok);
    }
    if !engine.rejected().is_empty() {
        eprintln!(
            "auditkit detect: {} rule(s) do not run (--check-rules says which and why)",
            engine.rejected().len()
        );
    }
    let format = a.format.unwrap_or(if stdout.is_terminal() {
        Format::Text
    } else {
        Format::Json
    });
    if a.live {
        let live = crate::live::Options {
            format,
            min_level: a.min_level.unwrap_or(Level::Informational),
            output: None,
            state: a.state.clone(),
            eoe_timeout: a.input.config().eoe_timeout,
            threads: 1,
        };
        return crate::live::run(&engine, &accounts, crate::live::Input::Netlink, &live);
    }
    let sources = a.input.sources()?;
    auditkit_output::time::init();
    let plan = plan::plan(sources, a.input.start_time);
    let report = Arc::new(Report::default());
    let cfg = pipeline::Config {
        group_by_id: true,
        ..a.input.config()
    };
    let json = || JsonWriter {
        names: &accounts,
        with_lines: false,
    };
    let sink = DetectSink {
        engine: &engine,
        json: json(),
    };
    let mut alerts = Alerts {
        engine: &engine,
        json: json(),
        tree: Tree::default(),
        correlator: Correlator::default(),
        format,
        min_level: a.min_level.unwrap_or(Level::Informational),
        w: io::BufWriter::with_capacity(256 * 1024, stdout.lock()),
        fired: 0,
        err: None,
        live: None,
    };
    let all = |_: &Event| true;
    engine::run(
        &plan,
        a.input.read_options(),
        false,
        report.clone(),
        &cfg,
        &all,
        &sink,
        &mut alerts,
    )?;
    if let Some(e) = alerts.err.take() {
        return Err(e.into());
    }
    alerts.w.flush()?;
    let errs = report.take_errors();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    Ok(if alerts.fired > 0 || !errs.is_empty() {
        Exit::FIRED
    } else {
        Exit::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    /// Every flag of the table parses in every spelling, with its value
    /// inline and as the next word, and changes what was asked; a value
    /// is taken, not left as a log path.
    #[test]
    fn every_detect_flag_parses() {
        use crate::flags::test_support::FlagCheck;
        FlagCheck {
            table: &DETECT,
            parse: &|w| parse(w).map_err(|e| e.to_string()),
            sample: &|id| match id {
                Id::Format => Some("text"),
                Id::LearnBaseline | Id::Baseline => Some("learned.yml"),
                _ => None,
            },
            context: &|_| &[],
            ausearch_words: false,
            unseen: &[],
            check: &|f, w, a: &DetectArgs| {
                if f.id != Id::Input {
                    assert!(a.input.inputs.is_empty(), "{w:?}");
                }
            },
        }
        .every_flag_parses();
    }

    #[test]
    fn paths_and_refusals() {
        let a = parse(&words(&["--rules", "r", "a.log", "--", "-odd.log"])).unwrap();
        assert_eq!(a.rules, vec![PathBuf::from("r")]);
        assert_eq!(
            a.input.inputs,
            vec![PathBuf::from("a.log"), PathBuf::from("-odd.log")]
        );
        assert!(parse(&words(&["--nosuch"])).is_err());
        assert!(parse(&words(&["--check-rules=yes"])).is_err());
        assert!(parse(&words(&["--format", "xml"])).is_err());
        assert!(parse(&words(&["--min-level", "severe"])).is_err());
        assert!(parse(&words(&["--rules"])).is_err());
    }
}
