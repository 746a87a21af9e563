//! The alert set pinned: every built-in and every corpus Sigma rule over
//! every corpus log and every log of tests/data, counted per rule and
//! log, against `tests/pinned-alerts.txt`.
//!
//! The file was written by the engine as it was before its matching was
//! made faster (prefilters, routing), so a speed-up that changes which
//! alerts fire fails here. After a deliberate change of semantics,
//! rewrite it with `AUDITKIT_BLESS=1 cargo nextest run -p auditkit-detect
//! --test pinned` and review the diff.

use std::collections::BTreeMap;
use std::path::PathBuf;

use auditkit_detect::{
    builtin, process::Tree, Correlator, Engine, Hit, LoadOptions, RuleSet, Scope,
};
use auditkit_testsupport::{paths, require};

/// The corpus rule directories `auditkit detect` is benchmarked with.
const DIRS: &[&str] = &[
    "sigma/rules/linux",
    "sigma/rules-emerging-threats",
    "sigma/rules-threat-hunting/linux",
];

fn engine() -> Engine {
    let mut set = RuleSet::new(LoadOptions::default());
    builtin::add_to(&mut set);
    for d in DIRS {
        set.add_path(&paths::corpus_path(d)).unwrap();
    }
    Engine::new(set, auditkit_host::Accounts::new())
}

fn logs() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = paths::corpus_logs()
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(paths::corpus_path("logs")).ok()?;
            Some((format!("corpus/{}", rel.display()), p.clone()))
        })
        .collect();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut local: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    local.sort();
    for p in local {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        out.push((format!("data/{name}"), p));
    }
    out
}

/// `log<TAB>rule source<TAB>title<TAB>count` lines, sorted: rule matches
/// (with their record) and correlations, tree rules included.
fn counts(e: &Engine) -> String {
    let mut all: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for (name, path) in logs() {
        let bytes = std::fs::read(&path).unwrap();
        let events = auditkit_event::assemble::assemble_all(&bytes, 2);
        let mut tree = Tree::default();
        let mut corr = Correlator::default();
        for ev in &events {
            tree.observe(ev);
            let mut hits: Vec<Hit> = Vec::new();
            e.matches(ev, &tree, Scope::All, &mut hits);
            for h in &hits {
                let m = &e.rule(h.rule).meta;
                let rec = h.record.map_or("-".to_string(), |r| r.to_string());
                *all.entry((
                    name.clone(),
                    m.source.clone(),
                    format!("{} @{rec}", m.title),
                ))
                .or_default() += 1;
            }
            for c in e.correlate(&mut corr, ev, &hits) {
                let m = &e.correlations()[c.correlation.0 as usize].src.meta;
                *all.entry((name.clone(), m.source.clone(), m.title.clone()))
                    .or_default() += 1;
            }
        }
    }
    let mut s = String::new();
    for ((log, src, title), n) in all {
        let src = src
            .rsplit_once("/corpus/")
            .map_or(src.clone(), |(_, r)| r.to_string());
        s.push_str(&format!("{log}\t{src}\t{title}\t{n}\n"));
    }
    s
}

#[test]
fn the_alert_set_is_the_pinned_one() {
    require!(corpus);
    let e = engine();
    let got = counts(&e);
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pinned-alerts.txt");
    if std::env::var_os("AUDITKIT_BLESS").is_some() {
        std::fs::write(&file, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&file).unwrap();
    assert!(got.lines().count() > 100, "too few alerts to pin anything");
    if got != want {
        let g: Vec<&str> = got.lines().collect();
        let w: Vec<&str> = want.lines().collect();
        let extra: Vec<&&str> = g.iter().filter(|l| !w.contains(l)).collect();
        let missing: Vec<&&str> = w.iter().filter(|l| !g.contains(l)).collect();
        panic!("alert set changed\nnew: {extra:#?}\ngone: {missing:#?}");
    }
}
