//! Rule generators: the hardened rule set (the seed's, as rules.d files
//! shipped as data) and rules for privileged (setuid/setgid) programs.
//!
//! The hardened set lives in `profiles/harden/*.rules`. Each file is cut
//! into **groups** by marker comments:
//!
//! ```text
//! #@group NAME on|off DESCRIPTION
//! ```
//!
//! A group's lines are kept when the group is on (its default, or
//! `--with NAME`, or not `--without NAME`). Lines before the first marker
//! are the file's header and are always kept. `{uid_min}` is filled in.
//! The groups that are off by default are the seed's exceptions: perm_mod
//! and delete (too noisy), ntp-exception and listen.

use thiserror::Error;

use crate::host::{Host, PathKind};
use crate::profile::fill;

/// The files of the hardened set, as (name, text).
pub const HARDEN_FILES: &[(&str, &str)] = &[
    (
        "10-base-config.rules",
        include_str!("../profiles/harden/10-base-config.rules"),
    ),
    (
        "11-loginuid.rules",
        include_str!("../profiles/harden/11-loginuid.rules"),
    ),
    (
        "12-ignore-error.rules",
        include_str!("../profiles/harden/12-ignore-error.rules"),
    ),
    (
        "20-dont-audit.rules",
        include_str!("../profiles/harden/20-dont-audit.rules"),
    ),
    (
        "30-cis.rules",
        include_str!("../profiles/harden/30-cis.rules"),
    ),
    (
        "40-local.rules",
        include_str!("../profiles/harden/40-local.rules"),
    ),
    (
        "41-more.rules",
        include_str!("../profiles/harden/41-more.rules"),
    ),
    (
        "99-finalize.rules",
        include_str!("../profiles/harden/99-finalize.rules"),
    ),
];

/// The name of the generated privileged-commands file.
pub const PRIVILEGED_FILE: &str = "31-privileged.rules";

/// A group of the hardened set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Name used with `--with`/`--without`.
    pub name: String,
    /// On unless asked otherwise.
    pub default_on: bool,
    /// The file it is in.
    pub file: &'static str,
    /// What it audits.
    pub about: String,
}

/// A generated rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name for rules.d.
    pub name: String,
    /// Contents.
    pub text: String,
}

/// Why a generation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GenerateError {
    /// `--with`/`--without` named no group.
    #[error("unknown group {0:?} (see `auditkit rules generate --list-groups`)")]
    UnknownGroup(String),
}

/// What to generate.
#[derive(Debug, Clone, Default)]
pub struct HardenOptions {
    /// Groups to turn on.
    pub with: Vec<String>,
    /// Groups to turn off.
    pub without: Vec<String>,
    /// Comment out rules whose path the host says is missing.
    pub skip_missing: bool,
    /// The setuid/setgid files for 31-privileged.rules (none: no file).
    pub privileged: Option<Vec<String>>,
    /// The first uid of people (`UID_MIN`).
    pub uid_min: u32,
    /// Home directories of people (uid >= `UID_MIN`), for the rules that
    /// are written once per person (`#@each-home` lines: their
    /// `~/.ssh/authorized_keys`). The caller reads them from passwd.
    pub homes: Vec<String>,
}

fn marker(line: &str) -> Option<(String, bool, String)> {
    let rest = line.strip_prefix("#@group ")?;
    let mut w = rest.splitn(3, ' ');
    let name = w.next()?.to_string();
    let on = w.next()? == "on";
    Some((name, on, w.next().unwrap_or("").to_string()))
}

/// Every group of the hardened set, in file order.
pub fn harden_groups() -> Vec<Group> {
    HARDEN_FILES
        .iter()
        .flat_map(|(file, text)| {
            text.lines().filter_map(move |l| {
                marker(l).map(|(name, default_on, about)| Group {
                    name,
                    default_on,
                    file,
                    about,
                })
            })
        })
        .collect()
}

/// The paths a rule line names (`-w P`, `-F path=P`, `-F dir=P`).
fn paths_of(line: &str) -> Vec<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if *w == "-w" {
            out.extend(words.get(i + 1).copied());
        }
        if let Some(p) = w.strip_prefix("path=").or_else(|| w.strip_prefix("dir=")) {
            out.push(p);
        }
    }
    out
}

/// Append a rule line, or, with `skip_missing`, a comment when a path it
/// names does not exist on the host.
fn add_line(body: &mut String, line: &str, opts: &HardenOptions, host: &dyn Host) {
    let missing = if opts.skip_missing && !line.starts_with('#') {
        paths_of(line)
            .into_iter()
            .find(|p| host.path_kind(p.trim_end_matches('/')) == PathKind::Missing)
    } else {
        None
    };
    match missing {
        Some(p) => *body += &format!("# skipped, {p} does not exist: {line}\n"),
        None => {
            *body += line;
            body.push('\n');
        }
    }
}

/// The hardened set as rules.d files.
pub fn harden(opts: &HardenOptions, host: &dyn Host) -> Result<Vec<GeneratedFile>, GenerateError> {
    let groups = harden_groups();
    for n in opts.with.iter().chain(&opts.without) {
        if !groups.iter().any(|g| &g.name == n) {
            return Err(GenerateError::UnknownGroup(n.clone()));
        }
    }
    let on = |g: &Group| {
        (g.default_on || opts.with.contains(&g.name)) && !opts.without.contains(&g.name)
    };
    let uid = opts.uid_min.to_string();
    let mut out = Vec::new();
    for (name, text) in HARDEN_FILES {
        let mut body = String::new();
        let mut keep = true;
        let mut any = false;
        for line in text.lines() {
            if let Some((g, _, _)) = marker(line) {
                let group = groups.iter().find(|x| x.name == g);
                keep = group.is_some_and(on);
                if keep {
                    any = true;
                    body += &format!(
                        "## group {g}: {}\n",
                        group.map(|x| x.about.as_str()).unwrap_or("")
                    );
                }
                continue;
            }
            if !keep {
                continue;
            }
            // One rule per person's home (root has its own line).
            if let Some(tpl) = line.strip_prefix("#@each-home ") {
                for h in opts.homes.iter().filter(|h| *h != "/root" && !h.is_empty()) {
                    let h = h.trim_end_matches('/');
                    if h.contains(char::is_whitespace) {
                        body += &format!("# cannot be written in a rule (space): {h}\n");
                        continue;
                    }
                    let rule = tpl.replace("{home}", h);
                    add_line(&mut body, &rule, opts, host);
                }
                continue;
            }
            let line = fill(line, &|n| (n == "uid_min").then(|| uid.clone()))
                .unwrap_or_else(|_| line.to_string());
            add_line(&mut body, &line, opts, host);
        }
        if any {
            out.push(GeneratedFile {
                name: name.to_string(),
                text: body,
            });
        }
    }
    if let Some(files) = &opts.privileged {
        out.push(GeneratedFile {
            name: PRIVILEGED_FILE.to_string(),
            text: privileged_rules(files, opts.uid_min, "privileged"),
        });
        out.sort_by(|a, b| crate::version_cmp(&a.name, &b.name));
    }
    Ok(out)
}

/// One `-F perm=x` rule per privileged program, for people's logins
/// (`auid>=uid_min`, not unset), as CIS 6.2.3.6 asks. Paths are sorted and
/// deduplicated; a path with a space cannot be written in a rule (auditctl
/// splits words on spaces) and is listed as a comment instead.
pub fn privileged_rules(files: &[String], uid_min: u32, key: &str) -> String {
    let mut files: Vec<&String> = files.iter().collect();
    files.sort();
    files.dedup();
    let mut out = format!(
        "## auditkit: privileged programs on local file systems ({} found)\n",
        files.len()
    );
    for f in files {
        if f.contains(char::is_whitespace) || f.len() >= 4096 {
            out += &format!("# cannot be written in a rule (space or too long): {f}\n");
        } else {
            out += &format!(
                "-a always,exit -F path={f} -F perm=x -F auid>={uid_min} -F auid!=unset -F key={key}\n"
            );
        }
    }
    out
}
