//! Parsing, linting, printing and checking never panic, whatever the input:
//! random bytes, and (more useful) random sequences of the words rules are
//! made of, which reach deep into the parser and resolver.

use auditkit_rules::profile::{builtin, parse_profile};
use auditkit_rules::*;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "-a",
    "-A",
    "-d",
    "-w",
    "-W",
    "-p",
    "-k",
    "-S",
    "-F",
    "-C",
    "-e",
    "-f",
    "-b",
    "-D",
    "-r",
    "-i",
    "-c",
    "always,exit",
    "exit,always",
    "never,exit",
    "always,exclude",
    "user,always",
    "task,never",
    "filesystem,never",
    "arch=b64",
    "arch=b32",
    "arch=x",
    "auid>=1000",
    "auid!=unset",
    "auid!=-1",
    "uid=ntp",
    "exit=-EACCES",
    "path=/etc/passwd",
    "dir=/etc",
    "perm=wa",
    "perm=q",
    "exe=/bin/sh",
    "msgtype=EOE",
    "key=k",
    "a0&=4",
    "euid!=uid",
    "uid=euid",
    "success=0",
    "all",
    "open,openat",
    "execve",
    "stime",
    "99999",
    "wa",
    "rwxa",
    "/etc/",
    "/etc/sudoers",
    "2",
    "0",
    "8192",
    "",
    "\\ ",
    "#",
    "=",
    "!=",
    "&",
    "--backlog_wait_time",
    "--loginuid-immutable",
    "\u{1}",
    "é",
    "4294967295",
    "0x",
    "-",
    "--",
];

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" "))
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..8).prop_map(|l| l.join("\n"))
}

fn exercise(t: &str) {
    let (file, _) = parse_file("f.rules", t);
    let _ = lint(&file, Machine::X86_64, &NoHost);
    let _ = fmt(&file, Machine::X86_64, &NoHost, true);
    let _ = fmt(&file, Machine::Aarch64, &NoHost, false);
    let files = [("a.rules".to_string(), t.to_string())];
    let set = RuleSet::load(&files, Layout::Files, Machine::X86_64, &NoHost);
    let p = builtin("cis-debian12").unwrap().unwrap();
    let lines: Vec<String> = t.lines().map(String::from).collect();
    let cx = check::CheckContext {
        native: Machine::X86_64,
        host: &NoHost,
        system: &NoSystem,
        require_keys: true,
        loaded: Some(&lines),
        params: &[],
        strict: true,
    };
    let _ = check(&p, &set, &cx);
    let _ = augenrules(&[("x.rules".into(), t.to_string())]);
    let _ = parse_profile("p", t);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn rule_words_never_panic(t in text()) {
        exercise(&t);
    }

    #[test]
    fn random_text_never_panics(t in "\\PC{0,200}") {
        exercise(&t);
    }
}
