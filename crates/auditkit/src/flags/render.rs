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
    see_also(&mut o, c.name);
    o
}

/// A man page's name as a reference: `\fBauditkit\-search\fR(1)`.
fn page_ref(page: &str, section: u8) -> String {
    format!("\\fB{}\\fR({section})", roff(page))
}

/// The SEE ALSO section of the page of the command `name`: the pages of
/// auditkit's commands from `auditkit(1)`, `auditkit(1)` (and
/// `auditkit-rules(1)`) from theirs, and the audit tools each one
/// stands beside.
fn see_also(o: &mut String, name: &str) {
    let mut refs: Vec<String> = Vec::new();
    if name.is_empty() {
        let mut pages: Vec<&str> = super::commands()
            .iter()
            .filter(|c| !c.name.is_empty() && !c.name.contains(' '))
            .map(|c| c.name)
            .collect();
        pages.push("rules");
        refs.extend(pages.iter().map(|n| page_ref(&format!("auditkit-{n}"), 1)));
    } else {
        refs.push(page_ref("auditkit", 1));
        if name.starts_with("rules ") {
            refs.push(page_ref("auditkit-rules", 1));
        }
    }
    let tools: &[(&str, u8)] = match name.split(' ').next().unwrap_or("") {
        "" => &[
            ("auditd", 8),
            ("ausearch", 8),
            ("aureport", 8),
            ("auditctl", 8),
        ],
        "search" => &[("ausearch", 8)],
        "report" => &[("aureport", 8)],
        "rules" => &[("auditctl", 8), ("audit.rules", 7), ("augenrules", 8)],
        "plugin" => &[("auditd-plugins", 5)],
        "collect" => &[("audisp-remote", 8), ("auditd.conf", 5)],
        "forward" => &[("audisp-remote", 8), ("auditd-plugins", 5)],
        _ => &[],
    };
    refs.extend(tools.iter().map(|(p, s)| page_ref(p, *s)));
    let _ = writeln!(o, ".SH SEE ALSO\n{}", refs.join(",\n"));
}

/// The man page of a command made of subcommands (`auditkit rules`):
/// each subcommand's usage and summary, with its own page named (where
/// its options are), then the examples and the footer.
pub fn man_of_subcommands(
    name: &str,
    about: &str,
    example_text: &str,
    subs: &[Command],
    footer: &str,
) -> String {
    let page = format!("auditkit-{name}");
    let mut o = String::new();
    let _ = writeln!(
        o,
        ".TH {} 1 \"\" \"auditkit {}\"",
        roff(&page.to_uppercase()),
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(o, ".SH NAME\n{} \\- {}", roff(&page), roff(about));
    o.push_str(".SH SYNOPSIS\n");
    for (i, c) in subs.iter().enumerate() {
        if i > 0 {
            o.push_str(".br\n");
        }
        let _ = writeln!(o, "\\fBauditkit {}\\fR {}", roff(c.name), roff(c.usage));
    }
    o.push_str(".SH COMMANDS\n");
    for c in subs {
        let _ = writeln!(
            o,
            ".TP\n\\fBauditkit {}\\fR\n{}; its options: {}.",
            roff(c.name),
            roff(c.about),
            page_ref(&prog(c).replace(' ', "-"), 1)
        );
    }
    let _ = writeln!(o, ".SH EXAMPLES\n.nf\n{}.fi", roff(example_text));
    if !footer.is_empty() {
        let _ = writeln!(o, ".SH NOTES\n.nf\n{}.fi", roff(footer));
    }
    let mut refs = vec![page_ref("auditkit", 1)];
    refs.extend(subs.iter().map(|c| page_ref(&prog(c).replace(' ', "-"), 1)));
    refs.extend([page_ref("auditctl", 8), page_ref("audit.rules", 7)]);
    let _ = writeln!(o, ".SH SEE ALSO\n{}", refs.join(",\n"));
    o
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

    /// Every man page: one per command, and the page of `auditkit rules`.
    fn pages() -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = commands()
            .into_iter()
            .map(|c| (c.name.to_string(), man(c)))
            .collect();
        v.push(("rules".to_string(), crate::rules_cmd::man()));
        v
    }

    /// The page of `auditkit rules` names every subcommand and its page,
    /// and every page refers to the others as `man` finds them.
    #[test]
    fn rules_page_and_see_also() {
        let page = crate::rules_cmd::man();
        assert!(page.starts_with(".TH AUDITKIT\\-RULES 1 "), "{page}");
        for c in super::super::rules::SUBCOMMANDS.iter() {
            let name = c.name;
            assert!(
                page.contains(&format!(".TP\n\\fBauditkit {name}\\fR\n")),
                "{name}"
            );
            let dashed = name.replace(' ', "\\-");
            assert!(
                page.contains(&format!("\\fBauditkit\\-{dashed}\\fR(1)")),
                "{name}"
            );
        }
        let top = man(&super::super::TOP);
        for n in [
            "search", "report", "rules", "detect", "plugin", "collect", "forward",
        ] {
            assert!(top.contains(&format!("\\fBauditkit\\-{n}\\fR(1)")), "{n}");
        }
        for (name, page) in pages() {
            let see = page.split(".SH SEE ALSO\n").nth(1).unwrap_or("");
            assert!(!see.is_empty(), "{name}: no SEE ALSO");
            if !name.is_empty() {
                assert!(see.starts_with("\\fBauditkit\\fR(1)"), "{name}: {see}");
            }
        }
    }

    /// The man page is roff a formatter accepts: every line that starts
    /// with `.` is a known request, and no text line starts with `.` or `'`.
    #[test]
    fn man_pages_use_known_requests_only() {
        for (name, page) in pages() {
            for l in page.lines() {
                if let Some(req) = l.strip_prefix('.') {
                    let r = req.split(' ').next().unwrap_or("");
                    assert!(
                        ["TH", "SH", "SS", "TP", "IP", "PP", "nf", "fi", "br"].contains(&r),
                        "{name}: {l}"
                    );
                }
                assert!(!l.starts_with('\''), "{name}: {l}");
            }
        }
    }

    /// groff formats every man page without a warning.
    #[test]
    fn groff_accepts_the_man_pages() {
        use std::io::Write as _;
        let groff = auditkit_testsupport::require!(tool "groff");
        for (name, page) in pages() {
            let mut child = std::process::Command::new(&groff)
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run groff");
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(page.as_bytes()).expect("write to groff");
            }
            let out = child.wait_with_output().expect("groff");
            assert!(out.status.success(), "{name}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.is_empty(), "{name}: {err}");
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
