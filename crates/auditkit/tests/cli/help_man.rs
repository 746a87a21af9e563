//! `--help`, the man pages and the completion words, as the binary prints
//! them (issue 8: flags as data). The tables themselves are tested in the
//! binary's unit tests; these check the dispatch: every command's man page
//! and completions come out, and they name what `--help` names.

use std::collections::BTreeSet;
use std::process::Output;

fn run(args: &[&str]) -> Output {
    auditkit!().args(args).output()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The commands with a man page, as `auditkit help --man` names them.
const COMMANDS: &[&str] = &[
    "auditkit",
    "search",
    "report",
    "detect",
    "plugin",
    "collect",
    "forward",
    "rules lint",
    "rules fmt",
    "rules check",
    "rules generate",
    "rules loaded",
    "rules diff",
    "rules apply",
];

/// The options at the start of `--help`'s flag lines (two spaces, then
/// `-`), for a command whose flag lines have no further indent.
fn help_options(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| l.starts_with('-'))
        .flat_map(|l| {
            l.split("  ")
                .next()
                .unwrap_or("")
                .split(", ")
                .filter_map(|p| p.split(' ').next())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_command_has_a_man_page_and_completions() {
    for c in COMMANDS {
        let words: Vec<&str> = c.split(' ').collect();
        let mut man_args = vec!["help", "--man"];
        man_args.extend(&words);
        let man = run(&man_args);
        assert_eq!(man.status.code(), Some(0), "{c}");
        let page = stdout(&man);
        assert!(page.starts_with(".TH AUDITKIT"), "{c}: {page}");
        assert!(page.contains(".SH OPTIONS"), "{c}");

        let mut comp_args = vec!["help", "--complete"];
        comp_args.extend(&words);
        let comp = run(&comp_args);
        assert_eq!(comp.status.code(), Some(0), "{c}");
        let comp: BTreeSet<String> = stdout(&comp).lines().map(str::to_string).collect();

        // --help names the same options (no command here has aliases).
        let help = if *c == "auditkit" {
            run(&["--help"])
        } else {
            let mut h = words.clone();
            h.push("--help");
            run(&h)
        };
        assert_eq!(help.status.code(), Some(0), "{c}");
        assert_eq!(help_options(&stdout(&help)), comp, "{c}");
        for w in &comp {
            assert!(
                page.contains(&format!("\\fB{}\\fR", w.replace('-', "\\-"))),
                "{c}: {w} missing from the man page"
            );
        }
    }
    // --man-pages lists these and the page of rules, nothing else.
    let mut listed: Vec<String> = stdout(&run(&["help", "--man-pages"]))
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(listed.pop().as_deref(), Some("rules"));
    assert_eq!(listed, COMMANDS);
    let bad = run(&["help", "--man", "frobnicate"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("frobnicate"));
}

/// `auditkit help rules lint` is `auditkit rules lint --help`; the
/// overview `auditkit rules --help` holds every subcommand's options.
#[test]
fn help_of_a_rules_subcommand() {
    let a = run(&["help", "rules", "lint"]);
    let b = run(&["rules", "lint", "--help"]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(stdout(&a), stdout(&b));
    assert!(stdout(&a).starts_with("auditkit rules lint:"));
    let all = stdout(&run(&["rules", "--help"]));
    for sub in [
        "lint", "fmt", "check", "generate", "loaded", "diff", "apply",
    ] {
        let comp = stdout(&run(&["help", "--complete", "rules", sub]));
        for w in comp.lines() {
            assert!(all.contains(w), "rules --help lacks {sub} {w}");
        }
    }
}

/// `auditkit help --man rules` is the page of the rules command (the
/// subcommands, each with its own page), and the completion scripts of
/// the three shells come out; another shell is a usage error.
#[test]
fn rules_page_and_completion_scripts() {
    let page = run(&["help", "--man", "rules"]);
    assert_eq!(page.status.code(), Some(0));
    let page = stdout(&page);
    assert!(page.starts_with(".TH AUDITKIT\\-RULES 1"), "{page}");
    assert!(page.contains("\\fBauditkit\\-rules\\-apply\\fR(1)"));
    for (shell, first, flag) in [
        ("bash", "# bash completion for auditkit", " --executable "),
        ("zsh", "#compdef auditkit\n", "'--executable:"),
        ("fish", "# fish completion for auditkit", "-l 'executable'"),
    ] {
        let o = run(&["help", "--completion", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        assert!(script.starts_with(first), "{shell}");
        assert!(script.contains(flag), "{shell}");
    }
    let bad = run(&["help", "--completion", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fish"));
}
