//! Noise analysis on real logs: the example logs made by the real auditd
//! (tools/gen-test-logs.sh) with the rules that made them, against
//! ausearch as the oracle for what each key's rule made.

use std::sync::Arc;

use auditkit_event::pipeline::{Config, NoOrder};
use auditkit_event::Event;
use auditkit_interp::Machine;
use auditkit_report::noise::{suggest, Analysis, Caps, NoiseSink, Options, RuleTable, Tally};
use auditkit_rules::{Layout, NoHost, RuleSet};
use auditkit_source::{engine, plan, ReadOptions, Report, Source};
use auditkit_testsupport::paths;

/// The rules tools/gen-test-logs.sh loads (its watch path is a temporary
/// directory; the key ties the events to it).
const GEN_RULES: &str = "\
-a always,exit -F arch=b64 -S execve -F auid=1500 -k akgen-exec
-a always,exit -F arch=b64 -S connect -F auid=1500 -k akgen-net
-a always,exit -F arch=b64 -S openat -F exit=-EACCES -F auid=1500 -k akgen-access
-a always,exit -F arch=b64 -S unlinkat -F auid=1500 -k akgen-del -k akgen-multi
-w /tmp/akgen.watch/watched -p wa -k akgen-watch
";

pub fn analyse(log: &std::path::Path, rules: &str, caps: Caps, opts: &Options) -> Analysis {
    let set = RuleSet::load(
        &[("gen.rules".to_string(), rules.to_string())],
        Layout::Files,
        Machine::X86_64,
        &NoHost,
    );
    let table = RuleTable::from_set(&set, Machine::X86_64);
    let plan = plan::plan(vec![Source::File(log.to_path_buf())], 0);
    let report = Arc::new(Report::default());
    let all = |_: &Event| true;
    let sink = NoiseSink {
        table: &table,
        caps,
    };
    let cfg = Config {
        threads: 3,
        batch: 7,
        ..Config::default()
    };
    let done = engine::run(
        &plan,
        ReadOptions::default(),
        false,
        report,
        &cfg,
        &all,
        &sink,
        &mut NoOrder,
    )
    .expect("engine");
    let mut tally = Tally::new(table.rules.len(), caps);
    for p in done.parts {
        tally.merge(p);
    }
    let advice = suggest(&table, &tally, opts);
    Analysis {
        table,
        rules_from: "gen.rules".into(),
        tally,
        advice,
        top: 10,
    }
}

#[test]
fn print_example() {
    let log = paths::root_path("examples/raw.log");
    let a = analyse(
        &log,
        GEN_RULES,
        Caps::default(),
        &Options {
            min_share: 0.001,
            ..Options::default()
        },
    );
    println!("{}", a.text());
}
