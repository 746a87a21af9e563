//! `auditkit report --noise`: wiring only. The rules come from files
//! (`--rules`, read here) or from the kernel (`--loaded`, over netlink);
//! the events go through the engine into `auditkit_report::noise`'s sink,
//! whose per-worker tallies are merged here; the suggestions are checked
//! against a profile when asked, and replayed through the detections of
//! `--detect`/`--detect-rules` (a second reading of the log, by
//! `auditkit_report::noise::replay`); the report is printed as text or JSON.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use auditkit_detect::{Engine, LoadOptions, RuleSet as DetectRules};
use auditkit_event::Event;
use auditkit_host::HostPaths;
use auditkit_report::noise::{
    self, Analysis, Caps, NoiseSink, Replay, ReplaySink, RuleTable, Tally,
};
use auditkit_rules::{path_kind_of, AccountsHost, Layout, Machine, RuleSet};
use auditkit_source::{plan, Source};

use crate::exit::Exit;
use crate::input_args::print_errors;
use auditkit_report::aureport::format::Format;

use crate::flags::Id;
use crate::report_args::ReportArgs;
use crate::search_args::ArgError;

/// The options of `--noise`.
#[derive(Debug, Default)]
pub struct NoiseArgs {
    /// `--noise`.
    pub noise: bool,
    /// `--rules FILE|DIR`.
    pub rules: Option<PathBuf>,
    /// `--loaded`.
    pub loaded: bool,
    /// `--profile NAME`.
    pub profile: Option<String>,
    /// `--top N`.
    pub top: Option<usize>,
    /// `--min-share PCT`.
    pub min_share: Option<f64>,
    /// `--detect`: replay through the built-in detections.
    pub detect: bool,
    /// `--detect-rules FILE|DIR` (repeatable): replay through these
    /// Sigma rules.
    pub detect_rules: Vec<PathBuf>,
}

impl NoiseArgs {
    /// Whether `id` is one of ours.
    pub fn handles(id: Id) -> bool {
        matches!(
            id,
            Id::Noise
                | Id::NoiseRules
                | Id::Loaded
                | Id::Profile
                | Id::NoiseTop
                | Id::NoiseMinShare
                | Id::NoiseDetect
                | Id::NoiseDetectRules
        )
    }

    /// Take one option; returns how many more words it used.
    pub fn parse(
        &mut self,
        id: Id,
        name: &str,
        optarg: Option<&str>,
        used: usize,
    ) -> Result<usize, ArgError> {
        let need = || optarg.ok_or_else(|| ArgError(format!("Argument is required for {name}")));
        match id {
            Id::Noise => self.noise = true,
            Id::Loaded => self.loaded = true,
            Id::NoiseDetect => self.detect = true,
            Id::NoiseDetectRules => {
                self.detect_rules.push(PathBuf::from(need()?));
                return Ok(used);
            }
            Id::NoiseRules => {
                self.rules = Some(PathBuf::from(need()?));
                return Ok(used);
            }
            Id::Profile => {
                self.profile = Some(need()?.to_string());
                return Ok(used);
            }
            Id::NoiseTop => {
                let v = need()?;
                self.top = Some(
                    v.parse()
                        .map_err(|_| ArgError(format!("{name} takes a number, not {v}")))?,
                );
                return Ok(used);
            }
            Id::NoiseMinShare => {
                let v = need()?;
                let p: f64 = v
                    .parse()
                    .ok()
                    .filter(|p: &f64| (0.0..=100.0).contains(p))
                    .ok_or_else(|| ArgError(format!("{name} takes a percentage, not {v}")))?;
                self.min_share = Some(p / 100.0);
                return Ok(used);
            }
            _ => {}
        }
        Ok(0)
    }
}

/// Read `--rules`: a file as `auditctl -R` loads it, a directory as
/// augenrules merges its `.rules` files.
fn rules_from_files(p: &Path, native: Machine) -> Result<RuleSet> {
    // User names and directories resolve as auditctl would on this host.
    let host = AccountsHost {
        accounts: HostPaths::this_host().accounts().unwrap_or_default(),
        paths: Box::new(|p| path_kind_of(fs::metadata(p))),
    };
    let (files, layout) = if p.is_dir() {
        let mut files = Vec::new();
        for e in fs::read_dir(p).with_context(|| format!("reading {}", p.display()))? {
            let e = e?;
            let path = e.path();
            if path.is_file() {
                let text =
                    fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                files.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&text).into_owned(),
                ));
            }
        }
        (files, Layout::RulesD)
    } else {
        let text = fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        (
            vec![(
                p.display().to_string(),
                String::from_utf8_lossy(&text).into_owned(),
            )],
            Layout::Files,
        )
    };
    Ok(RuleSet::load(&files, layout, native, &host))
}

/// What the analysis needs besides the events: the rules that made the
/// log (from `--rules` or the kernel) and the profile to respect. Shared
/// by the text report ([`run`]) and the HTML page (`report_html`).
pub struct Prepared {
    /// The rules, attributed to.
    pub table: RuleTable,
    /// The same rules as a set (for the profile check).
    pub set: RuleSet,
    /// Where they came from, in words.
    pub from: String,
    /// `--profile`.
    pub profile: Option<auditkit_rules::profile::Profile>,
    /// The detections to replay the log through (`--detect`,
    /// `--detect-rules`), and what they are in words.
    pub detections: Option<(Engine, String)>,
}

/// Read the rules and the profile of `--noise`.
pub fn prepare(a: &ReportArgs) -> Result<Prepared> {
    let n = &a.noise;
    let native = Machine::native();
    let (table, set, from) = match (&n.rules, n.loaded) {
        (Some(_), true) => bail!("--noise: give --rules FILE|DIR or --loaded, not both"),
        (None, false) => {
            bail!("--noise needs the rules that made the log: --rules FILE|DIR or --loaded")
        }
        (Some(p), false) => {
            let set = rules_from_files(p, native)?;
            for o in &set.not_loaded {
                eprintln!("auditkit: warning: {o}: this rule would not load; it is left out");
            }
            (
                RuleTable::from_set(&set, native),
                set,
                format!("{}", p.display()),
            )
        }
        (None, true) => {
            let mut audit = auditkit_kernel::Audit::open(native)?;
            let rules = audit.list_rules().context("listing the loaded rules")?;
            let table = RuleTable::new(
                rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| (r, format!("kernel:{}", i + 1)))
                    .collect(),
                native,
            );
            let set = noise::set_of(&table);
            (table, set, "the running kernel".to_string())
        }
    };
    let profile = match &n.profile {
        None => None,
        Some(name) => match auditkit_rules::profile::builtin(name) {
            Some(p) => Some(p?),
            None => bail!("unknown profile {name} (see auditkit rules check --list-profiles)"),
        },
    };
    let detections = detections(n)?;
    if detections.is_some()
        && a.input
            .sources()?
            .iter()
            .any(|s| matches!(s, Source::Stdin))
    {
        bail!("--detect and --detect-rules read the log twice: give it with -if FILE, not on standard input");
    }
    Ok(Prepared {
        table,
        set,
        from,
        profile,
        detections,
    })
}

/// The detection engine of `--detect` / `--detect-rules`, as `auditkit
/// detect` builds it (user names from this host), or `None`.
fn detections(n: &NoiseArgs) -> Result<Option<(Engine, String)>> {
    if !n.detect && n.detect_rules.is_empty() {
        return Ok(None);
    }
    let mut set = DetectRules::new(LoadOptions::default());
    let mut what = Vec::new();
    if n.detect {
        auditkit_detect::builtin::add_to(&mut set);
        what.push("the built-in detections".to_string());
    }
    for p in &n.detect_rules {
        set.add_path(p)?;
        what.push(p.display().to_string());
    }
    let accounts = HostPaths::this_host().accounts()?;
    let engine = Engine::new(set, accounts);
    if !engine.rejected().is_empty() {
        eprintln!(
            "auditkit: warning: {} detection rule(s) do not run (auditkit detect --check-rules says which and why)",
            engine.rejected().len()
        );
    }
    let words = format!(
        "{} ({} rules, {} correlations)",
        what.join(" and "),
        engine.rules().len(),
        engine.correlations().len()
    );
    Ok(Some((engine, words)))
}

/// Replay the log of `a` through `engine` once, with each world of
/// suggestions applied: the detection guard's pass.
fn replay(
    a: &ReportArgs,
    engine: &Engine,
    table: &RuleTable,
    drops: &noise::Drops,
    worlds: &[Vec<usize>],
    syscall: &[bool],
) -> Result<Vec<Vec<noise::Change>>> {
    let plan = plan::plan(a.input.sources()?, a.input.start_time);
    // Whole events, as detect groups them.
    let cfg = auditkit_event::pipeline::Config {
        group_by_id: true,
        ..a.input.config()
    };
    let sink = ReplaySink {
        engine,
        table,
        drops,
    };
    let mut stage = Replay::new(engine, worlds, syscall);
    let keep = |ev: &Event| a.node_selected(ev);
    let (_, errs) = a.input.run_engine(&plan, &cfg, &keep, &sink, &mut stage)?;
    if let Some(e) = errs.first() {
        bail!("replaying the log for the detection guard: {e}");
    }
    Ok(stage.changes())
}

/// The suggestions for a merged tally, checked against the profile and,
/// with detections enabled, replayed through them (reading the log of
/// `a` again).
pub fn advise(p: &Prepared, tally: &Tally, a: &ReportArgs) -> Result<noise::Advice> {
    let n = &a.noise;
    let opts = noise::Options {
        min_share: n.min_share.unwrap_or(0.01),
        ..noise::Options::default()
    };
    let mut advice = noise::suggest(&p.table, tally, &opts);
    if let Some(prof) = &p.profile {
        noise::guard(&mut advice, prof, &p.set, tally, Machine::native());
    }
    if let Some((engine, what)) = &p.detections {
        noise::guard_alerts(
            &mut advice,
            tally,
            what.clone(),
            |drops, worlds, syscall| replay(a, engine, &p.table, drops, worlds, syscall),
        )?;
    }
    Ok(advice)
}

/// Run the noise analysis; the report goes to stdout.
pub fn run(a: &ReportArgs) -> Result<Exit> {
    let n = &a.noise;
    if a.format == Format::Csv {
        bail!("--noise prints --format text or json, not csv");
    }
    let p = prepare(a)?;
    let sources = a.input.sources()?;
    let plan = plan::plan(sources, a.input.start_time);
    let cfg = a.input.config();
    let caps = Caps::default();
    let sink = NoiseSink {
        table: &p.table,
        caps,
    };
    // The same events as the replay of the detection guard reads.
    let keep = |ev: &Event| a.node_selected(ev);
    let (done, errs) = a.input.run_engine(
        &plan,
        &cfg,
        &keep,
        &sink,
        &mut auditkit_event::pipeline::NoOrder,
    )?;
    print_errors(&errs);
    if !errs.is_empty() {
        return Ok(Exit::NotFound);
    }
    let mut tally = Tally::new(p.table.rules.len(), caps);
    for part in done.parts {
        tally.merge(part);
    }
    let advice = advise(&p, &tally, a)?;
    let analysis = Analysis {
        table: p.table,
        rules_from: p.from,
        tally,
        advice,
        top: n.top.unwrap_or(10),
    };
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    match a.format {
        Format::Json => writeln!(w, "{}", analysis.json())?,
        Format::Text => w.write_all(analysis.text().as_bytes())?,
        // Refused before the run.
        Format::Csv => {}
    }
    w.flush()?;
    if analysis.tally.total.events == 0 {
        eprintln!("<no events of interest were found>");
        return Ok(Exit::NotFound);
    }
    Ok(Exit::Ok)
}
