//! `auditkit report --noise`: wiring only. The rules come from files
//! (`--rules`, read here) or from the kernel (`--loaded`, over netlink);
//! the events go through the engine into `auditkit_report::noise`'s sink,
//! whose per-worker tallies are merged here; the suggestions are checked
//! against a profile when asked; the report is printed as text or JSON.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use auditkit_event::Event;
use auditkit_host::HostPaths;
use auditkit_report::noise::{self, Analysis, Caps, NoiseSink, RuleTable, Tally};
use auditkit_rules::{path_kind_of, AccountsHost, Layout, Machine, RuleSet};
use auditkit_source::{engine, plan, Report as ReadReport};

use crate::exit::Exit;
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
    Ok(Prepared {
        table,
        set,
        from,
        profile,
    })
}

/// The suggestions for a merged tally, checked against the profile.
pub fn advise(p: &Prepared, tally: &Tally, n: &NoiseArgs) -> noise::Advice {
    let opts = noise::Options {
        min_share: n.min_share.unwrap_or(0.01),
        ..noise::Options::default()
    };
    let mut advice = noise::suggest(&p.table, tally, &opts);
    if let Some(prof) = &p.profile {
        noise::guard(&mut advice, prof, &p.set, tally, Machine::native());
    }
    advice
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
    let read_report = Arc::new(ReadReport::default());
    let cfg = a.input.config();
    let caps = Caps::default();
    let sink = NoiseSink {
        table: &p.table,
        caps,
    };
    let all = |_: &Event| true;
    let done = engine::run(
        &plan,
        a.input.read_options(),
        false,
        read_report.clone(),
        &cfg,
        &all,
        &sink,
        &mut auditkit_event::pipeline::NoOrder,
    )?;
    let errs = read_report.take_errors();
    for e in &errs {
        eprintln!("auditkit: error: {e}");
    }
    if !errs.is_empty() {
        return Ok(Exit::NotFound);
    }
    let mut tally = Tally::new(p.table.rules.len(), caps);
    for part in done.parts {
        tally.merge(part);
    }
    let advice = advise(&p, &tally, n);
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
