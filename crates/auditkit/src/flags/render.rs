//! `--help` text, man pages (roff) and completion words, all rendered from
//! the flag tables, so that they list the same options as the parsers
//! accept.

use std::fmt::Write as _;

use super::{Command, Flag};

/// The width help text is wrapped to.
const WIDTH: usize = 79;
/// The column where a flag's help starts, counted from the flag's indent.
const HELP_COL: usize = 24;

/// How a flag is written in the help: `-k, --key KEY`.
pub fn spec(f: &Flag) -> String {
    let mut s = String::new();
    if let Some(sh) = f.short {
        s.push_str(sh);
        s.push_str(", ");
    }
    s.push_str(f.long);
    if let Some(p) = f.value.placeholder() {
        s.push(' ');
        s.push_str(p);
    }
    s
}

/// `text` wrapped to `WIDTH`, every line indented by `indent`, the first
/// line by `first` (where it starts on a line already begun). Lines that
/// start with two spaces are kept as they are.
fn wrap(out: &mut String, text: &str, indent: usize, first: usize) {
    let mut col = first;
    let mut line_empty = true;
    let pad = " ".repeat(indent);
    for (i, part) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
            col = indent;
            line_empty = true;
        }
        if part.starts_with("  ") {
            out.push_str(part);
            col += part.len();
            line_empty = false;
            continue;
        }
        for word in part.split_whitespace() {
            if !line_empty && col + 1 + word.len() > WIDTH {
                out.push('\n');
                out.push_str(&pad);
                col = indent;
                line_empty = true;
            }
            if !line_empty {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += word.len();
            line_empty = false;
        }
    }
    out.push('\n');
}

/// The options of `c`'s groups, each group under its title, at `indent`.
fn options(out: &mut String, c: &Command, indent: usize, titles: bool) {
    let pad = " ".repeat(indent);
    for g in c.groups {
        if titles {
            let _ = writeln!(out, "{pad}{}:", g.title);
        }
        if !g.about.is_empty() {
            out.push_str(&pad);
            wrap(out, g.about, indent, indent);
        }
        for f in g.iter() {
            let s = spec(f);
            let _ = write!(out, "{pad}  {s}");
            let col = indent + 2 + s.len();
            let at = indent + HELP_COL;
            if col + 2 > at {
                out.push('\n');
                out.push_str(&" ".repeat(at));
            } else {
                out.push_str(&" ".repeat(at - col));
            }
            wrap(out, f.help, at, at);
        }
        if titles {
            out.push('\n');
        }
    }
}

/// Examples, indented by two.
fn examples(out: &mut String, text: &str) {
    out.push_str("Examples:\n");
    for l in text.lines() {
        let _ = writeln!(out, "  {l}");
    }
    out.push('\n');
}

/// How the command is invoked: `auditkit` or `auditkit NAME`.
fn prog(c: &Command) -> String {
    if c.name.is_empty() {
        "auditkit".to_string()
    } else {
        format!("auditkit {}", c.name)
    }
}

/// `auditkit NAME --help`: examples first, the usage, what it does, then
/// every option by question, then the footer (exit statuses).
pub fn help(c: &Command) -> String {
    let mut out = format!("{}: {}\n\n", prog(c), c.about);
    if !c.examples.is_empty() {
        examples(&mut out, c.examples);
    }
    let _ = writeln!(out, "Usage: {} {}\n", prog(c), c.usage);
    if !c.description.is_empty() {
        wrap(&mut out, c.description, 0, 0);
        out.push('\n');
    }
    options(&mut out, c, 0, true);
    out.push_str(c.footer);
    out
}

/// The help of a command made of subcommands (`auditkit rules`): the
/// examples, then each subcommand's usage, description and options.
/// `headings` puts a heading line before the subcommand at that index.
pub fn help_of_subcommands(
    name: &str,
    about: &str,
    example_text: &str,
    subs: &[Command],
    headings: &[(usize, &str)],
    footer: &str,
) -> String {
    let mut out = format!("auditkit {name}: {about}\n\n");
    examples(&mut out, example_text);
    let names: Vec<&str> = subs
        .iter()
        .filter_map(|c| c.name.rsplit(' ').next())
        .collect();
    let _ = writeln!(
        out,
        "Usage: auditkit {name} <{}> [OPTIONS] [FILE|DIR ...]\n",
        names.join("|")
    );
    for (i, c) in subs.iter().enumerate() {
        if let Some((_, h)) = headings.iter().find(|(at, _)| *at == i) {
            let _ = writeln!(out, "{h}\n");
        }
        let _ = writeln!(out, "auditkit {} {}", c.name, c.usage);
        if !c.description.is_empty() {
            out.push_str("  ");
            wrap(&mut out, c.description, 2, 2);
        }
        options(&mut out, c, 0, false);
        if !c.footer.is_empty() {
            out.push_str("  ");
            wrap(&mut out, c.footer, 2, 2);
        }
        out.push('\n');
    }
    out.push_str(footer);
    out
}

/// Text for roff: backslashes and dashes escaped, a leading `.` or `'`
/// guarded so that it is not read as a request.
fn roff(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for line in s.split('\n') {
        if !o.is_empty() {
            o.push('\n');
        }
        if line.starts_with('.') || line.starts_with('\'') {
            o.push_str("\\&");
        }
        for ch in line.chars() {
            match ch {
                '\\' => o.push_str("\\e"),
                '-' => o.push_str("\\-"),
                c => o.push(c),
            }
        }
    }
    o
}

/// `text` as roff: paragraphs as text lines, lines that start with two
/// spaces kept as they are (`.nf`), an empty line a new paragraph.
fn roff_block(o: &mut String, text: &str) {
    let mut nofill = false;
    for line in text.split('\n') {
        let verbatim = line.starts_with("  ");
        if verbatim && !nofill {
            o.push_str(".nf\n");
        } else if !verbatim && nofill {
            o.push_str(".fi\n");
        }
        nofill = verbatim;
        if line.is_empty() {
            o.push_str(".PP\n");
        } else {
            o.push_str(&roff(line));
            o.push('\n');
        }
    }
    if nofill {
        o.push_str(".fi\n");
    }
}

/// The man page of `c` (section 1), in roff.
pub fn man(c: &Command) -> String {
    let page = prog(c).replace(' ', "-");
    let mut o = String::new();
    let _ = writeln!(
        o,
        ".TH {} 1 \"\" \"auditkit {}\"",
        roff(&page.to_uppercase()),
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(o, ".SH NAME\n{} \\- {}", roff(&page), roff(c.about));
    let _ = writeln!(
        o,
        ".SH SYNOPSIS\n\\fB{}\\fR {}",
        roff(&prog(c)),
        roff(c.usage)
    );
    if !c.description.is_empty() {
        o.push_str(".SH DESCRIPTION\n");
        roff_block(&mut o, c.description);
    }
    if !c.examples.is_empty() {
        let _ = writeln!(o, ".SH EXAMPLES\n.nf\n{}.fi", roff(c.examples));
    }
    o.push_str(".SH OPTIONS\n");
    for g in c.groups {
        let _ = writeln!(o, ".SS {}", roff(g.title));
        if !g.about.is_empty() {
            roff_block(&mut o, g.about);
        }
        for f in g.iter() {
            o.push_str(".TP\n");
            let names: Vec<String> = f
                .short
                .into_iter()
                .chain(std::iter::once(f.long))
                .map(|n| format!("\\fB{}\\fR", roff(n)))
                .collect();
            o.push_str(&names.join(", "));
            if let Some(p) = f.value.placeholder() {
                let _ = write!(o, " \\fI{}\\fR", roff(p));
            }
            o.push('\n');
            roff_block(&mut o, f.help);
            if !f.long_help.is_empty() {
                o.push_str(".IP\n");
                roff_block(&mut o, f.long_help);
            }
        }
    }
    if !c.footer.is_empty() {
        let _ = writeln!(o, ".SH NOTES\n.nf\n{}.fi", roff(c.footer));
    }
    o
}

/// The words of `c` that take a value (after which a shell completes
/// file names instead of options).
fn value_words(c: &Command) -> Vec<&'static str> {
    c.flags()
        .filter(|f| f.value.placeholder().is_some())
        .flat_map(Flag::names)
        .collect()
}

/// A bash completion script for `auditkit` and every command: options
/// after `auditkit CMD`, subcommands after `auditkit rules`, file names
/// after an option that takes a value and where no option fits.
pub fn bash_completion(commands: &[&Command]) -> String {
    let mut top = vec!["search", "report", "rules", "help", "version"];
    let mut subs: Vec<&str> = Vec::new();
    let mut cases = String::new();
    let mut rules_cases = String::new();
    for c in commands {
        let opts = c.completions().join(" ");
        let values = value_words(c).join(" ");
        match c.name.split_once(' ') {
            _ if c.name.is_empty() => top.extend(c.completions()),
            Some((_, sub)) => {
                subs.push(sub);
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

#[cfg(test)]
mod tests {
    use super::super::{commands, Command};
    use super::*;
    use std::collections::BTreeSet;

    /// The option words of the flag lines of a help text: the lines that
    /// start (after `indent` spaces and two more) with `-`, up to the
    /// two spaces before the help.
    fn help_options(text: &str, indent: usize) -> BTreeSet<String> {
        let pad = " ".repeat(indent + 2);
        text.lines()
            .filter_map(|l| l.strip_prefix(&pad))
            .filter(|l| l.starts_with('-'))
            .flat_map(|l| {
                let spec = l.split("  ").next().unwrap_or("");
                spec.split(", ")
                    .filter_map(|p| p.split(' ').next())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The option words of a man page: the bold words of the `.TP` lines.
    fn man_options(text: &str) -> BTreeSet<String> {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = BTreeSet::new();
        for w in lines.windows(2) {
            if w[0] != ".TP" {
                continue;
            }
            for part in w[1].split("\\fB").skip(1) {
                if let Some(name) = part.split("\\fR").next() {
                    out.insert(name.replace("\\-", "-"));
                }
            }
        }
        out
    }

    fn shown(c: &Command) -> BTreeSet<String> {
        c.flags()
            .flat_map(|f| f.short.into_iter().chain(std::iter::once(f.long)))
            .map(str::to_string)
            .collect()
    }

    /// `--help`, the man page and the completions list the same options
    /// as the table, for every command.
    #[test]
    fn help_man_and_completions_agree() {
        for c in commands() {
            let table = shown(c);
            assert!(!table.is_empty(), "{}", c.name);
            assert_eq!(help_options(&help(c), 0), table, "{} --help", c.name);
            assert_eq!(man_options(&man(c)), table, "{} man", c.name);
            let all: BTreeSet<String> = c
                .flags()
                .flat_map(Flag::names)
                .map(str::to_string)
                .collect();
            let comp: BTreeSet<String> = c.completions().into_iter().map(str::to_string).collect();
            assert_eq!(comp, all, "{} completions", c.name);
            assert!(comp.is_superset(&table));
        }
    }

    /// The man page is roff a formatter accepts: every line that starts
    /// with `.` is a known request, and no text line starts with `.` or `'`.
    #[test]
    fn man_pages_use_known_requests_only() {
        for c in commands() {
            for l in man(c).lines() {
                if let Some(req) = l.strip_prefix('.') {
                    let r = req.split(' ').next().unwrap_or("");
                    assert!(
                        ["TH", "SH", "SS", "TP", "IP", "PP", "nf", "fi"].contains(&r),
                        "{}: {l}",
                        c.name
                    );
                }
                assert!(!l.starts_with('\''), "{}: {l}", c.name);
            }
        }
    }

    /// What bash completes with the generated script, after `words`.
    fn bash_complete(bash: &std::path::Path, words: &[&str]) -> Vec<String> {
        let script = bash_completion(&commands());
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let run = format!(
            "{script}\nCOMP_WORDS=({}); COMP_CWORD={}; _auditkit; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            quoted.join(" "),
            words.len() - 1
        );
        let out = std::process::Command::new(bash)
            .args(["--norc", "--noprofile", "-c", &run])
            .output()
            .expect("run bash");
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

    /// The bash script completes every flag of every command, the
    /// subcommands of rules, and nothing (file names) after a flag that
    /// takes a value.
    #[test]
    fn bash_completes_from_the_tables() {
        let bash = auditkit_testsupport::require!(tool "bash");
        assert_eq!(bash_complete(&bash, &["auditkit", "sea"]), ["search"]);
        assert_eq!(
            bash_complete(&bash, &["auditkit", "rules", "ch"]),
            ["check"]
        );
        assert_eq!(
            bash_complete(&bash, &["auditkit", "search", "--execu"]),
            ["--executable"]
        );
        assert_eq!(
            bash_complete(&bash, &["auditkit", "search", "--key", ""]),
            Vec::<String>::new()
        );
        for c in commands() {
            let mut words = vec!["auditkit"];
            words.extend(c.name.split(' ').filter(|w| !w.is_empty()));
            words.push("-");
            let got: BTreeSet<String> = bash_complete(&bash, &words).into_iter().collect();
            let want: BTreeSet<String> = c.completions().into_iter().map(str::to_string).collect();
            assert_eq!(got, want, "{}", c.name);
        }
    }

    /// groff formats every man page without a warning.
    #[test]
    fn groff_accepts_the_man_pages() {
        use std::io::Write as _;
        let groff = auditkit_testsupport::require!(tool "groff");
        for c in commands() {
            let mut child = std::process::Command::new(&groff)
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run groff");
            let page = man(c);
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(page.as_bytes()).expect("write to groff");
            }
            let out = child.wait_with_output().expect("groff");
            assert!(out.status.success(), "{}", c.name);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.is_empty(), "{}: {err}", c.name);
        }
    }

    /// Generated help lines stay within the width (a long flag spec and
    /// the examples may not; the footer is written by hand).
    #[test]
    fn help_is_wrapped() {
        for c in commands() {
            let text = help(c);
            let generated = text.strip_suffix(c.footer).unwrap_or(&text);
            for l in generated.lines() {
                let is_flag = l.trim_start().starts_with('-');
                assert!(
                    l.len() <= WIDTH || is_flag || l.contains(" # ") || l.starts_with("  auditkit"),
                    "{}: {l}",
                    c.name
                );
            }
        }
    }
}
