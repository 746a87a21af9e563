//! Shell completion scripts for bash, zsh and fish, rendered from the
//! flag tables (`auditkit help --completion SHELL`), so that a shell
//! offers exactly the options the parsers accept.
//!
//! All three complete the same things: the commands (and `auditkit`'s
//! own flags) after `auditkit`, the subcommands after `auditkit rules`,
//! a command's flags after it, and file names after a flag that takes a
//! value and where no flag is being typed. zsh and fish also show each
//! word's one-line help. The scripts are tested in the real shells (`-n`
//! syntax checks, then the words each offers), see the tests below.

use std::fmt::Write as _;

use super::{rules, Command, Flag};

/// The words after `auditkit`, with their help: every command with a
/// table of its own, then `rules` (whose subcommands have the tables)
/// and the two words without one.
fn top_words(commands: &[&Command]) -> Vec<(&'static str, &'static str)> {
    let mut top: Vec<(&'static str, &'static str)> = commands
        .iter()
        .filter(|c| !c.name.is_empty() && !c.name.contains(' '))
        .map(|c| (c.name, c.about))
        .collect();
    top.extend([
        ("rules", rules::ABOUT),
        ("help", "help for a command (auditkit help rules lint)"),
        ("version", "print the version"),
    ]);
    top
}

/// The subcommands of `auditkit rules`, with their help.
fn rules_words(commands: &[&Command]) -> Vec<(&'static str, &'static str)> {
    commands
        .iter()
        .filter_map(|c| c.name.strip_prefix("rules ").map(|s| (s, c.about)))
        .collect()
}

/// The words of `c` that take a value (after which a shell completes
/// file names instead of options).
fn value_words(c: &Command) -> Vec<&'static str> {
    c.flags()
        .filter(|f| f.value.placeholder().is_some())
        .flat_map(Flag::names)
        .collect()
}

/// A help text as one line for a completion menu: its first paragraph,
/// white space collapsed.
fn one_line(help: &str) -> String {
    let first = help.split('\n').next().unwrap_or("");
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A bash completion script for `auditkit` and every command.
pub fn bash(commands: &[&Command]) -> String {
    let mut top: Vec<&str> = top_words(commands).iter().map(|(w, _)| *w).collect();
    let subs: Vec<&str> = rules_words(commands).iter().map(|(w, _)| *w).collect();
    let mut cases = String::new();
    let mut rules_cases = String::new();
    for c in commands {
        let opts = c.completions().join(" ");
        let values = value_words(c).join(" ");
        match c.name.split_once(' ') {
            _ if c.name.is_empty() => top.extend(c.completions()),
            Some((_, sub)) => {
                let _ = writeln!(
                    rules_cases,
                    "                    {sub}) opts=\"{opts}\"; values=\"{values}\" ;;"
                );
            }
            None => {
                let _ = writeln!(
                    cases,
                    "            {}) opts=\"{opts}\"; values=\"{values}\" ;;",
                    c.name
                );
            }
        }
    }
    format!(
        "\
# bash completion for auditkit, generated from its flag tables
# (auditkit help --completion bash).
_auditkit() {{
    local cur=\"${{COMP_WORDS[COMP_CWORD]}}\" prev=\"${{COMP_WORDS[COMP_CWORD-1]}}\"
    local opts=\"\" values=\"\"
    if [ \"$COMP_CWORD\" -eq 1 ]; then
        opts=\"{top}\"
    elif [ \"${{COMP_WORDS[1]}}\" = rules ] && [ \"$COMP_CWORD\" -eq 2 ]; then
        opts=\"{subs}\"
    else
        case \"${{COMP_WORDS[1]}}\" in
{cases}            rules)
                case \"${{COMP_WORDS[2]}}\" in
{rules_cases}                esac ;;
        esac
    fi
    case \" $values \" in
        *\" $prev \"*) COMPREPLY=(); return ;;
    esac
    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))
}}
complete -o default -F _auditkit auditkit
",
        top = top.join(" "),
        subs = subs.join(" "),
    )
}

/// `s` inside single quotes for a POSIX-like shell (zsh).
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// One `_describe` item: `word:help` (a colon in the word escaped).
fn zsh_item(word: &str, help: &str) -> String {
    sh_quote(&format!("{}:{}", word.replace(':', "\\:"), one_line(help)))
}

/// A zsh array assignment, one item a line.
fn zsh_array(out: &mut String, name: &str, items: &[String], indent: &str) {
    let _ = writeln!(out, "{indent}{name}=(");
    for i in items {
        let _ = writeln!(out, "{indent}    {i}");
    }
    let _ = writeln!(out, "{indent})");
}

/// A zsh completion function (`_auditkit`, for the `fpath`, e.g.
/// /usr/share/zsh/vendor-completions). When the file is sourced instead
/// of autoloaded, it registers itself with `compdef`.
pub fn zsh(commands: &[&Command]) -> String {
    let mut cases = String::new();
    let ind = "            ";
    let mut top: Vec<String> = top_words(commands)
        .iter()
        .map(|(w, h)| zsh_item(w, h))
        .collect();
    for c in commands.iter().filter(|c| c.name.is_empty()) {
        top.extend(
            c.flags()
                .flat_map(|f| f.names().map(move |n| zsh_item(n, f.help))),
        );
    }
    cases.push_str("        '')\n");
    zsh_array(&mut cases, "opts", &top, ind);
    cases.push_str("            ;;\n");
    let subs: Vec<String> = rules_words(commands)
        .iter()
        .map(|(w, h)| zsh_item(w, h))
        .collect();
    cases.push_str("        rules)\n");
    zsh_array(&mut cases, "opts", &subs, ind);
    cases.push_str("            ;;\n");
    for c in commands.iter().filter(|c| !c.name.is_empty()) {
        let _ = writeln!(cases, "        {})", sh_quote(c.name));
        let opts: Vec<String> = c
            .flags()
            .flat_map(|f| f.names().map(move |n| zsh_item(n, f.help)))
            .collect();
        zsh_array(&mut cases, "opts", &opts, ind);
        let values: Vec<String> = value_words(c).iter().map(|w| sh_quote(w)).collect();
        let _ = writeln!(cases, "{ind}values=({})", values.join(" "));
        cases.push_str("            ;;\n");
    }
    format!(
        "\
#compdef auditkit
# zsh completion for auditkit, generated from its flag tables
# (auditkit help --completion zsh).

_auditkit() {{
    local cmd=''
    local -a opts values
    if (( CURRENT > 2 )); then
        cmd=$words[2]
        if [[ $cmd == rules ]] && (( CURRENT > 3 )); then
            cmd=\"rules $words[3]\"
        fi
    fi
    case $cmd in
{cases}        *)
            _files
            return
            ;;
    esac
    # After an option that takes a value: file names (or anything).
    if (( ${{values[(Ie)$words[CURRENT-1]]}} )); then
        _files
        return
    fi
    if [[ -z $cmd || $cmd == rules || $PREFIX == -* ]]; then
        _describe -t options auditkit opts
    else
        _files
    fi
}}

if [[ $funcstack[1] == _auditkit ]]; then
    _auditkit \"$@\"
else
    compdef _auditkit auditkit
fi
"
    )
}

/// `s` inside single quotes for fish (which escapes `\\` and `'` there).
fn fish_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// fish's spelling of an option: `-s k` (one letter), `-l key` (two
/// dashes) or `-o if` (one dash and a word, as ausearch's `-if`).
fn fish_option(name: &str) -> String {
    if let Some(long) = name.strip_prefix("--") {
        format!("-l {}", fish_quote(long))
    } else {
        let short = name.trim_start_matches('-');
        if short.chars().count() == 1 {
            format!("-s {}", fish_quote(short))
        } else {
            format!("-o {}", fish_quote(short))
        }
    }
}

/// One `complete` line per flag of `c`, under the condition `cond`.
fn fish_flags(out: &mut String, c: &Command, cond: &str, files: bool) {
    for f in c.flags() {
        let spellings: Vec<String> = f.names().map(fish_option).collect();
        let _ = writeln!(
            out,
            "complete -c auditkit{} -n {} {}{} -d {}",
            if files { "" } else { " -f" },
            fish_quote(cond),
            spellings.join(" "),
            if f.value.placeholder().is_some() {
                " -r"
            } else {
                ""
            },
            fish_quote(&one_line(f.help)),
        );
    }
}

/// A fish completion script (for vendor_completions.d).
pub fn fish(commands: &[&Command]) -> String {
    let mut out = String::from(
        "\
# fish completion for auditkit, generated from its flag tables
# (auditkit help --completion fish).

# Whether the command being completed is the words given: nothing
# (right after auditkit), search, rules, rules lint, ...
function __auditkit_is
    set -l words (commandline -opc)
    set -e words[1]
    set -l cmd ''
    if set -q words[1]
        set cmd $words[1]
        if test \"$cmd\" = rules; and set -q words[2]
            set cmd \"rules $words[2]\"
        end
    end
    test \"$cmd\" = \"$argv\"
end

",
    );
    for (w, h) in top_words(commands) {
        let _ = writeln!(
            out,
            "complete -c auditkit -f -n '__auditkit_is' -a {} -d {}",
            fish_quote(w),
            fish_quote(&one_line(h))
        );
    }
    for (w, h) in rules_words(commands) {
        let _ = writeln!(
            out,
            "complete -c auditkit -f -n '__auditkit_is rules' -a {} -d {}",
            fish_quote(w),
            fish_quote(&one_line(h))
        );
    }
    for c in commands {
        let cond = format!("__auditkit_is {}", c.name);
        fish_flags(&mut out, c, cond.trim_end(), !c.name.is_empty());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::commands;
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::process::Command as Cmd;

    /// The words a command's table says a shell should offer after it.
    fn want(c: &Command) -> BTreeSet<String> {
        let mut w: BTreeSet<String> = c.completions().into_iter().map(str::to_string).collect();
        if c.name.is_empty() {
            w.extend(top_words(&commands()).iter().map(|(n, _)| n.to_string()));
        }
        w
    }

    fn lines(out: &std::process::Output) -> Vec<String> {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// `shell -n` (no execution) accepts the script, and a script with a
    /// syntax error is refused (the check can fail).
    fn syntax_ok(shell: &Path, args: &[&str], script: &str) {
        let t = auditkit_testsupport::fs::TempDir::new("completion-syntax");
        let check = |text: &str| {
            let p = t.join("script");
            std::fs::write(&p, text).unwrap();
            Cmd::new(shell)
                .args(args)
                .arg(&p)
                .env("HOME", t.path())
                .env("XDG_CONFIG_HOME", t.path())
                .env("XDG_DATA_HOME", t.path())
                .output()
                .expect("run the shell")
        };
        let good = check(script);
        assert!(
            good.status.success() && good.stderr.is_empty(),
            "{}: {}",
            shell.display(),
            String::from_utf8_lossy(&good.stderr)
        );
        let bad = check(&format!("{script}\nif true; then\n"));
        assert!(!bad.status.success(), "{}: broken script", shell.display());
    }

    /// What bash completes with the generated script, after `words`.
    fn bash_complete(shell: &Path, words: &[&str]) -> Vec<String> {
        let script = bash(&commands());
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let run = format!(
            "{script}\nCOMP_WORDS=({}); COMP_CWORD={}; _auditkit; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            quoted.join(" "),
            words.len() - 1
        );
        lines(
            &Cmd::new(shell)
                .args(["--norc", "--noprofile", "-c", &run])
                .output()
                .expect("run bash"),
        )
    }

    /// The bash script is valid, completes every flag of every command,
    /// the subcommands of rules, and nothing (file names) after a flag
    /// that takes a value.
    #[test]
    fn bash_completes_from_the_tables() {
        let sh = auditkit_testsupport::require!(tool "bash");
        syntax_ok(&sh, &["--norc", "-n"], &bash(&commands()));
        assert_eq!(bash_complete(&sh, &["auditkit", "sea"]), ["search"]);
        assert_eq!(bash_complete(&sh, &["auditkit", "rules", "ch"]), ["check"]);
        assert_eq!(
            bash_complete(&sh, &["auditkit", "search", "--execu"]),
            ["--executable"]
        );
        assert_eq!(
            bash_complete(&sh, &["auditkit", "search", "--key", ""]),
            Vec::<String>::new()
        );
        for c in commands() {
            let mut words = vec!["auditkit"];
            words.extend(c.name.split(' ').filter(|w| !w.is_empty()));
            words.push("-");
            let got: BTreeSet<String> = bash_complete(&sh, &words).into_iter().collect();
            let flags: BTreeSet<String> = c.completions().into_iter().map(str::to_string).collect();
            assert_eq!(got, flags, "{}", c.name);
        }
    }

    /// What the zsh function offers after `words` (the last one being
    /// typed): `_describe`'s words, or `<files>` for `_files`. zsh's
    /// completion widgets only run inside the line editor, so the two
    /// functions the script calls are stand-ins that print what they
    /// were given; the rest is the script as zsh runs it.
    fn zsh_complete(shell: &Path, words: &[&str]) -> Vec<String> {
        let script = zsh(&commands());
        let quoted: Vec<String> = words.iter().map(|w| sh_quote(w)).collect();
        let run = format!(
            "compdef() {{ : }}\n\
             _describe() {{ local a=${{@[-1]}}; print -rl -- ${{${{(P)a}}%%:*}} }}\n\
             _files() {{ print -r -- '<files>' }}\n\
             {script}\n\
             words=({}); CURRENT={}; PREFIX={}\n\
             _auditkit",
            quoted.join(" "),
            words.len(),
            sh_quote(words.last().copied().unwrap_or("")),
        );
        lines(
            &Cmd::new(shell)
                .args(["-f", "-c", &run])
                .output()
                .expect("run zsh"),
        )
    }

    /// The zsh script is valid and offers the commands, the rules
    /// subcommands and every flag of every command (with its help), and
    /// file names after a flag that takes a value or without a dash.
    #[test]
    fn zsh_completes_from_the_tables() {
        let sh = auditkit_testsupport::require!(tool "zsh");
        let script = zsh(&commands());
        syntax_ok(&sh, &["-f", "-n"], &script);
        assert!(script.starts_with("#compdef auditkit\n"));
        assert!(script.contains("'--key:a rule key contains KEY'"));
        for c in commands() {
            let mut words = vec!["auditkit"];
            words.extend(c.name.split(' ').filter(|w| !w.is_empty()));
            words.push("-");
            let got: BTreeSet<String> = zsh_complete(&sh, &words).into_iter().collect();
            assert_eq!(got, want(c), "{}", c.name);
        }
        let rules: BTreeSet<String> = zsh_complete(&sh, &["auditkit", "rules", ""])
            .into_iter()
            .collect();
        let subs: BTreeSet<String> = rules_words(&commands())
            .iter()
            .map(|(w, _)| w.to_string())
            .collect();
        assert_eq!(rules, subs);
        assert!(rules.contains("apply"));
        for after in [
            &["auditkit", "search", "--key", ""][..],
            &["auditkit", "search", "-if", ""],
            &["auditkit", "rules", "lint", ""],
            &["auditkit", "help", ""],
        ] {
            assert_eq!(zsh_complete(&sh, after), ["<files>"], "{after:?}");
        }
    }

    /// What fish's own completion engine offers for the command line
    /// `line` with the script loaded (`complete -C`), without the help
    /// after the tab, in `dir`.
    fn fish_complete(shell: &Path, dir: &Path, line: &str) -> Vec<String> {
        let script = fish(&commands());
        let p = dir.join("auditkit.fish");
        std::fs::write(&p, script).unwrap();
        let run = format!("source {}; complete -C {}", p.display(), fish_quote(line));
        lines(
            &Cmd::new(shell)
                .args(["--no-config", "-c", &run])
                .current_dir(dir)
                .env("HOME", dir)
                .env("XDG_CONFIG_HOME", dir)
                .env("XDG_DATA_HOME", dir)
                .output()
                .expect("run fish"),
        )
        .into_iter()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect()
    }

    /// The fish script is valid, and fish completes from it the commands,
    /// the rules subcommands, every flag of every command (ausearch's
    /// one-dash words included), and file names after a flag that takes
    /// a value.
    #[test]
    fn fish_completes_from_the_tables() {
        let sh = auditkit_testsupport::require!(tool "fish");
        syntax_ok(&sh, &["--no-config", "-n"], &fish(&commands()));
        let t = auditkit_testsupport::fs::TempDir::new("completion-fish");
        let dir = t.path();
        std::fs::create_dir(dir.join("logs")).unwrap();
        assert_eq!(fish_complete(&sh, dir, "auditkit sea"), ["search"]);
        assert_eq!(fish_complete(&sh, dir, "auditkit rules ch"), ["check"]);
        assert_eq!(
            fish_complete(&sh, dir, "auditkit search --execu"),
            ["--executable"]
        );
        let after_value = fish_complete(&sh, dir, "auditkit search -if ");
        assert!(after_value.iter().any(|w| w == "logs/"), "{after_value:?}");
        assert!(!after_value.iter().any(|w| w.starts_with('-')));
        let top = fish_complete(&sh, dir, "auditkit ");
        assert!(!top.iter().any(|w| w == "logs/"), "{top:?}");
        for c in commands() {
            let line = format!("auditkit {} -", c.name).replace("  ", " ");
            let got: BTreeSet<String> = fish_complete(&sh, dir, &line).into_iter().collect();
            let flags: BTreeSet<String> = c.completions().into_iter().map(str::to_string).collect();
            assert_eq!(got, flags, "{}", c.name);
        }
    }
}
