//! Compliance profiles as data: a small line format whose requirement
//! lines are audit rules themselves, so a profile reads like the benchmark
//! and the fix for a failed item is the item's own rules.
//!
//! ```text
//! # comment
//! profile cis-debian12
//! title CIS Debian Linux 12 Benchmark v1.1.0, section 6.2 (auditd)
//! source ansible-lockdown/DEBIAN12-CIS templates/audit/99_auditd.rules.j2
//! param uid_min 1000                 # default of a {uid_min} placeholder
//! alias /var/run /run                # these prefixes name the same place
//!
//! item 6.2.3.4
//! title Ensure events that modify date and time information are collected
//! key time-change                    # the key fixes use (and that --require-keys wants)
//! maps cis-debian8:8.1.4 nsa-rhel:2.6.2.4.1
//! -a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change
//! -w /etc/localtime -p wa -k time-change
//! ```
//!
//! Requirement rules may use `{name}` placeholders filled from `param`
//! defaults or from the host (`uid_min` from login.defs, `sudo_logfile` from
//! sudoers, `log_dir` and `log_group` from auditd.conf, `path` for each
//! setuid file). A watch path written with a trailing `/` is a directory
//! (recursive); without it, a file.
//!
//! Items that are not (only) rules say how they are checked:
//! - `check privileged`: the rule is a template instantiated once per
//!   setuid/setgid file of the host;
//! - `check immutable`: `-e 2` is the last thing loaded;
//! - `check loaded`: the kernel's rules equal the files';
//! - `conf NAME = A|B`, `conf NAME set`, `conf NAME >= N`: auditd.conf;
//!   `conf NAME = A|B default D` when a missing setting means auditd's
//!   default D (and the benchmark's audit accepts that);
//! - `cmdline NAME = V`, `cmdline NAME >= N`: the boot command line;
//! - `file GLOB mode<=0640 owner=root group=root|adm`: file modes.

use thiserror::Error;

/// A profile file that does not follow the format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{profile}:{line}: {message}")]
pub struct ProfileError {
    /// Profile name or file name.
    pub profile: String,
    /// 1-based line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// One compliance profile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    /// Short name (`cis-debian12`).
    pub name: String,
    /// Full title.
    pub title: String,
    /// Where the requirements come from.
    pub sources: Vec<String>,
    /// Placeholder defaults.
    pub params: Vec<(String, String)>,
    /// Path prefixes that name the same place.
    pub aliases: Vec<(String, String)>,
    /// Keys are part of every requirement.
    pub require_keys: bool,
    /// The items in benchmark order.
    pub items: Vec<ProfileItem>,
}

/// How an item is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// The rules given.
    Rules,
    /// The rule template for every setuid/setgid file.
    Privileged,
    /// `-e 2` last.
    Immutable,
    /// Loaded rules equal the files.
    Loaded,
    /// auditd.conf, command line or file modes only.
    System,
}

/// One benchmark item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileItem {
    /// Benchmark number (`6.2.3.4`).
    pub id: String,
    /// Benchmark title.
    pub title: String,
    /// The key used in fixes.
    pub key: Option<String>,
    /// The same item in other profiles: (profile, id).
    pub maps: Vec<(String, String)>,
    /// How it is checked.
    pub kind: CheckKind,
    /// Requirement rules (with placeholders), with their line in the profile.
    pub rules: Vec<(u32, String)>,
    /// auditd.conf conditions.
    pub conf: Vec<Cond>,
    /// Kernel command line conditions.
    pub cmdline: Vec<Cond>,
    /// File mode conditions.
    pub files: Vec<FileCond>,
    /// Free text shown with the result.
    pub note: Option<String>,
}

/// A condition on a `name = value` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond {
    /// The setting.
    pub name: String,
    /// What it must be.
    pub test: Test,
    /// The value a missing setting stands for (auditd's own default), when
    /// the benchmark accepts a missing line; `None`: missing fails.
    pub default: Option<String>,
}

/// What a setting must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// Present with any value.
    Set,
    /// One of these values (case-insensitive).
    OneOf(Vec<String>),
    /// A number at least this.
    AtLeast(u64),
}

/// Conditions on files matching a glob (`DIR/*`, `DIR/*.rules` or a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCond {
    /// The path or `DIR/PATTERN` with one `*`.
    pub glob: String,
    /// The mode may have no bit outside this one.
    pub max_mode: Option<u32>,
    /// Allowed owners.
    pub owners: Vec<String>,
    /// Allowed groups.
    pub groups: Vec<String>,
}

/// The profiles shipped with auditkit, as (name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "cis-debian12",
        include_str!("../profiles/cis-debian12.profile"),
    ),
    (
        "cis-debian8",
        include_str!("../profiles/cis-debian8.profile"),
    ),
    ("nsa-rhel", include_str!("../profiles/nsa-rhel.profile")),
];

/// A shipped profile by name.
pub fn builtin(name: &str) -> Option<Result<Profile, ProfileError>> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| parse_profile(n, text))
}

fn cond(words: &[&str]) -> Option<Cond> {
    let name = words.first()?.to_string();
    let (words, default) = match words {
        [w @ .., "default", d] => (w, Some(d.to_string())),
        w => (w, None),
    };
    let test = match words.get(1..)? {
        ["set"] => Test::Set,
        ["=", v] => Test::OneOf(v.split('|').map(|s| s.to_ascii_lowercase()).collect()),
        [">=", n] => Test::AtLeast(n.parse().ok()?),
        _ => return None,
    };
    Some(Cond {
        name,
        test,
        default,
    })
}

fn file_cond(words: &[&str]) -> Option<FileCond> {
    let mut fc = FileCond {
        glob: words.first()?.to_string(),
        max_mode: None,
        owners: Vec::new(),
        groups: Vec::new(),
    };
    for w in &words[1..] {
        if let Some(m) = w.strip_prefix("mode<=") {
            fc.max_mode = Some(u32::from_str_radix(m, 8).ok()?);
        } else if let Some(o) = w.strip_prefix("owner=") {
            fc.owners = o.split('|').map(String::from).collect();
        } else if let Some(g) = w.strip_prefix("group=") {
            fc.groups = g.split('|').map(String::from).collect();
        } else {
            return None;
        }
    }
    Some(fc)
}

/// Parse a profile text (`name` is used in errors and as the default name).
pub fn parse_profile(name: &str, text: &str) -> Result<Profile, ProfileError> {
    let mut p = Profile {
        name: name.to_string(),
        ..Profile::default()
    };
    let err = |line: usize, message: String| ProfileError {
        profile: name.to_string(),
        line: line as u32 + 1,
        message,
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('-') {
            match p.items.last_mut() {
                Some(item) => {
                    item.rules.push((i as u32 + 1, line.to_string()));
                    if item.kind == CheckKind::System {
                        item.kind = CheckKind::Rules;
                    }
                }
                None => return Err(err(i, "a rule before the first item".into())),
            }
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        let words: Vec<&str> = rest.split_whitespace().collect();
        let item = p.items.last_mut();
        match (word, item) {
            ("profile", None) => p.name = rest.to_string(),
            ("title", None) => p.title = rest.to_string(),
            ("source", None) => p.sources.push(rest.to_string()),
            ("require-keys", None) => p.require_keys = true,
            ("param", None) if words.len() == 2 => {
                p.params.push((words[0].to_string(), words[1].to_string()))
            }
            ("alias", None) if words.len() == 2 => {
                p.aliases.push((words[0].to_string(), words[1].to_string()))
            }
            ("item", _) if words.len() == 1 => p.items.push(ProfileItem {
                id: rest.to_string(),
                title: String::new(),
                key: None,
                maps: Vec::new(),
                kind: CheckKind::System,
                rules: Vec::new(),
                conf: Vec::new(),
                cmdline: Vec::new(),
                files: Vec::new(),
                note: None,
            }),
            ("title", Some(it)) => it.title = rest.to_string(),
            ("key", Some(it)) => it.key = Some(rest.to_string()),
            ("note", Some(it)) => it.note = Some(rest.to_string()),
            ("maps", Some(it)) => {
                for w in &words {
                    let (prof, id) = w
                        .split_once(':')
                        .ok_or_else(|| err(i, format!("expected PROFILE:ID, found {w:?}")))?;
                    it.maps.push((prof.to_string(), id.to_string()));
                }
            }
            ("check", Some(it)) => {
                it.kind = match rest {
                    "privileged" => CheckKind::Privileged,
                    "immutable" => CheckKind::Immutable,
                    "loaded" => CheckKind::Loaded,
                    other => return Err(err(i, format!("unknown check {other:?}"))),
                }
            }
            ("conf", Some(it)) => {
                it.conf.push(cond(&words).ok_or_else(|| {
                    err(i, "expected conf NAME set|= A|B|>= N [default D]".into())
                })?)
            }
            ("cmdline", Some(it)) => it
                .cmdline
                .push(cond(&words).ok_or_else(|| err(i, "expected cmdline NAME = V|>= N".into()))?),
            ("file", Some(it)) => it.files.push(file_cond(&words).ok_or_else(|| {
                err(
                    i,
                    "expected file GLOB [mode<=OCTAL] [owner=A|B] [group=A|B]".into(),
                )
            })?),
            (w, _) => return Err(err(i, format!("unexpected {w:?} here"))),
        }
    }
    for it in &p.items {
        if it.title.is_empty() {
            return Err(ProfileError {
                profile: name.to_string(),
                line: 0,
                message: format!("item {} has no title", it.id),
            });
        }
    }
    Ok(p)
}

/// Fill `{name}` placeholders; `None` names the first one without a value.
pub fn fill(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &rest[start + 1..start + end];
        match lookup(name) {
            Some(v) => out.push_str(&v),
            None => return Err(name.to_string()),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
