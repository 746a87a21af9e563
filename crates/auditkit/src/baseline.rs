//! `auditkit detect --learn-baseline FILE` and `--baseline FILE`: the
//! daemon accounts' usual programs learned from logs
//! ([`auditkit_detect::baseline`]), written as a Sigma rule that runs in
//! place of the built-in one.
//!
//! Learning is one more consumer of the engine: each worker learns into
//! its own [`Baseline`] (the event order does not matter), and the parts
//! are merged at the end; no ordered stage.

use std::path::Path;

use anyhow::{bail, Context as _, Result};
use auditkit_detect::baseline::{self, Baseline, Learner};
use auditkit_detect::RuleSet;
use auditkit_event::pipeline::{self, NoOrder, Sink};
use auditkit_event::Event;
use auditkit_host::Accounts;
use auditkit_source::plan;

use crate::exit::Exit;
use crate::input_args::InputArgs;

struct LearnSink<'a> {
    learner: &'a Learner,
}

impl Sink<bool> for LearnSink<'_> {
    type Part = Baseline;
    type Out = ();

    fn part(&self) -> Baseline {
        Baseline::default()
    }

    fn event(&self, part: &mut Baseline, ev: &Event, _: bool, _: &mut ()) {
        self.learner.observe(ev, part);
    }

    fn clear(&self, _: &mut ()) {}
}

/// Learn from the logs of `input` and write the learned rule to `out`.
pub(crate) fn learn(input: &InputArgs, accounts: &Accounts, out: &Path) -> Result<Exit> {
    let learner = Learner::new(accounts.clone());
    let sources = input.sources()?;
    let plan = plan::plan(sources, input.start_time);
    let cfg = pipeline::Config {
        group_by_id: true,
        ..input.config()
    };
    let all = |_: &Event| true;
    let (outcome, errs) = input.run_engine(
        &plan,
        &cfg,
        &all,
        &LearnSink { learner: &learner },
        &mut NoOrder,
    )?;
    crate::input_args::print_errors(&errs);
    if !errs.is_empty() {
        bail!(
            "the logs could not all be read: nothing written to {}",
            out.display()
        );
    }
    let mut learned = Baseline::default();
    for p in outcome.parts {
        learned.merge(p);
    }
    let text = learned.rule()?;
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))?;
    let programs: usize = learned.accounts().map(|(_, e)| e.len()).sum();
    eprintln!(
        "auditkit detect: learned {programs} program(s) of {} account(s) into {}{}",
        learned.accounts().count(),
        out.display(),
        if learned.dropped() > 0 {
            format!(
                " ({} more did not fit: at most {} accounts, {} programs each)",
                learned.dropped(),
                baseline::MAX_ACCOUNTS,
                baseline::MAX_EXES
            )
        } else {
            String::new()
        }
    );
    Ok(Exit::Ok)
}

/// The built-in rules with the rule of `file` in place of the built-in
/// daemon-account rule; `builtins` says whether the built-ins run at all
/// (no `--rules`, or `--builtin`), without which a baseline replaces
/// nothing.
pub(crate) fn add_builtins(set: &mut RuleSet, file: &Path, builtins: bool) -> Result<()> {
    if !builtins {
        bail!("--baseline replaces a built-in rule: give it without --rules, or with --builtin");
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    baseline::add_builtins_with_baseline(set, &file.display().to_string(), &text);
    Ok(())
}
