//! The `auditkit search` command behind each chart, bar and row.
//!
//! A report is only worth trusting if one can get from a number to the
//! events behind it, so every chart prints the command that lists them.
//! The commands are built from the same definitions the tally counts with
//! (see [`super::tally`]): `--where 'F = "v"'` for a field's value (exact,
//! decoded, any record: `-k`, `-x` and the other ausearch options match
//! substrings), `-m TYPE` for records of a type, `-ts`/`-te` for a bucket
//! of time, in UTC (`TZ=UTC` in front, since ausearch's dates are local).
//!
//! Values that cannot be typed as a plain query string (control bytes,
//! invalid UTF-8, values cut to [`super::bounded::MAX_KEY`] bytes) become
//! an anchored regular expression on bytes instead, and every word is
//! quoted for a POSIX shell.

use std::fmt::Write;

use super::text::Utc;

/// Words after `auditkit search`, without the input options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    words: Vec<String>,
    timed: bool,
}

impl Search {
    /// No criterion: every event.
    pub fn all() -> Search {
        Search::default()
    }

    /// `--where EXPR`.
    pub fn filter(expr: impl Into<String>) -> Search {
        Search::all().and(expr)
    }

    /// Add `--where EXPR` (several are ANDed).
    pub fn and(mut self, expr: impl Into<String>) -> Search {
        self.words.push("--where".into());
        self.words.push(expr.into());
        self
    }

    /// Add `-m A,B` (events holding a record of one of the types).
    pub fn types<S: AsRef<str>>(mut self, types: &[S]) -> Search {
        let list: Vec<&str> = types.iter().map(AsRef::as_ref).collect();
        self.words.push("-m".into());
        self.words.push(list.join(","));
        self
    }

    /// Add `--node NAME` (exact), or a `--where` on `node` when the
    /// name cannot be typed.
    pub fn node(mut self, name: &[u8]) -> Search {
        match plain(name) {
            Some(n) if !n.starts_with('-') => {
                self.words.push("--node".into());
                self.words.push(n.to_string());
                self
            }
            _ => {
                self.words.push("--where".into());
                self.words.push(eq("node", name, false));
                self
            }
        }
    }

    /// Add `-a SERIAL`.
    pub fn serial(mut self, serial: u64) -> Search {
        self.words.push("-a".into());
        self.words.push(serial.to_string());
        self
    }

    /// Add `-ts`/`-te` for the seconds `lo..=hi` (UTC).
    pub fn during(mut self, lo: u64, hi: u64) -> Search {
        let (d0, t0) = Utc::of(lo).ausearch();
        let (d1, t1) = Utc::of(hi).ausearch();
        self.words
            .extend(["-ts".into(), d0, t0, "-te".into(), d1, t1]);
        self.timed = true;
        self
    }

    /// Whether it has `-ts`/`-te`.
    pub fn is_timed(&self) -> bool {
        self.timed
    }

    /// The command line, shell-quoted, with the input options `base`
    /// (`-if FILE`, as the report was run).
    pub fn line(&self, base: &[String]) -> String {
        let base: Vec<String> = base.iter().map(|w| shell(w)).collect();
        self.line_with(&base.join(" "))
    }

    /// The command line with the input options already as shell text
    /// (`"${INPUT[@]}"` when they are too long to repeat).
    pub fn line_with(&self, base: &str) -> String {
        let mut o = String::new();
        if self.timed {
            o.push_str("TZ=UTC ");
        }
        o.push_str("auditkit search");
        if !base.is_empty() {
            o.push(' ');
            o.push_str(base);
        }
        // The report counts every event, also those ausearch 3.0.9 cannot
        // parse (and search hides by default).
        o.push_str(" --all-events");
        for w in &self.words {
            o.push(' ');
            o.push_str(&shell(w));
        }
        o
    }
}

/// The events a set of `never` rules would drop from this log, as one
/// search: each line as a `--where` (`or` between lines). `None` when a
/// line has anything the translation does not know (an operator other
/// than `=`/`!=`, a field other than `arch`, `exe`, the ids and
/// `msgtype`, quoted values), so no command is better than a wrong one.
///
/// On the exit list the fields are the SYSCALL record's; on the exclude
/// list they are any record's (`msgtype` is the record type).
pub fn of_never_rules(lines: &[String], native: auditkit_interp::Machine) -> Option<Search> {
    let mut parts = Vec::new();
    for line in lines {
        parts.push(never_rule(line, native)?);
    }
    match parts.len() {
        0 => None,
        1 => Some(Search::filter(parts.remove(0))),
        _ => Some(Search::filter(
            parts
                .iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join(" or "),
        )),
    }
}

fn never_rule(line: &str, native: auditkit_interp::Machine) -> Option<String> {
    let mut w = line.split_whitespace();
    let mut exit = None;
    let mut terms = Vec::new();
    let mut syscalls: Vec<String> = Vec::new();
    let word = |v: &str| {
        !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    while let Some(t) = w.next() {
        match t {
            "-a" | "-A" => {
                let mut l: Vec<&str> = w.next()?.split(',').collect();
                l.sort_unstable();
                exit = Some(match l.as_slice() {
                    ["exit", "never"] => true,
                    ["exclude", "never"] => false,
                    _ => return None,
                });
            }
            "-S" => {
                for s in w.next()?.split(',') {
                    if !word(s) {
                        return None;
                    }
                    syscalls.push(s.to_string());
                }
            }
            "-k" => {
                w.next()?;
            }
            "-F" => {
                let f = w.next()?;
                let (name, op, v) = if let Some((n, v)) = f.split_once("!=") {
                    (n, "!=", v)
                } else {
                    let (n, v) = f.split_once('=')?;
                    (n, "=", v)
                };
                if v.starts_with('"') || v.is_empty() {
                    return None;
                }
                let on = |field: &str| {
                    if exit == Some(true) {
                        format!("SYSCALL.{field}")
                    } else {
                        field.to_string()
                    }
                };
                let term = match name {
                    "arch" if op == "=" => {
                        let m = auditkit_interp::Machine::from_rule_arch(v, native)?;
                        format!("{} = {}", on("arch"), m.name())
                    }
                    "exe" => format!("{} {op} {}", on("exe"), qstr(v)),
                    "auid" | "uid" | "euid" | "gid" | "egid" | "pid" | "ppid"
                        if v.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        format!("{} {op} {v}", on(name))
                    }
                    "msgtype" if op == "=" && exit == Some(false) && word(v) => {
                        format!("type = {v}")
                    }
                    _ => return None,
                };
                terms.push(term);
            }
            _ => return None,
        }
    }
    let exit = exit?;
    if !syscalls.is_empty() {
        if !exit {
            return None;
        }
        terms.push(format!("SYSCALL.syscall in [{}]", syscalls.join(", ")));
    }
    if terms.is_empty() {
        return None;
    }
    Some(terms.join(" and "))
}

/// The value as a plain string when it has no control bytes and is UTF-8.
fn plain(v: &[u8]) -> Option<&str> {
    std::str::from_utf8(v)
        .ok()
        .filter(|s| !s.chars().any(char::is_control))
}

/// A query string literal: `"..."` with `\` and `"` escaped.
fn qstr(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            o.push('\\');
        }
        o.push(c);
    }
    o.push('"');
    o
}

/// The query expression that selects events where `field` has value `v`
/// (decoded, as the tally counted it). A value cut short (`clipped`) or
/// not typeable is matched by an anchored byte regex instead.
pub fn eq(field: &str, v: &[u8], clipped: bool) -> String {
    match plain(v) {
        Some(s) if !clipped => format!("{field} = {}", qstr(s)),
        _ => {
            let mut re = String::from("(?-u)^");
            for &b in v {
                if b.is_ascii_alphanumeric() || b == b' ' || b == b'/' || b == b'_' || b == b'-' {
                    re.push(b as char);
                } else if b.is_ascii_graphic() {
                    re.push('\\');
                    re.push(b as char);
                } else {
                    let _ = write!(re, "\\x{b:02x}");
                }
            }
            if !clipped {
                re.push('$');
            }
            format!("{field} ~ {}", qstr(&re))
        }
    }
}

/// A word for a POSIX shell: bare when it is made of safe characters,
/// else in single quotes (a `'` inside as `'\''`).
pub fn shell(w: &str) -> String {
    let safe = !w.is_empty()
        && w.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'/' | b':' | b',' | b'@' | b'+' | b'%'
                )
        });
    if safe {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        let base = vec!["-if".to_string(), "/var/log/audit/audit.log".to_string()];
        assert_eq!(
            Search::filter(eq("key", b"it's", false)).line(&base),
            "auditkit search -if /var/log/audit/audit.log --all-events --where 'key = \"it'\\''s\"'"
        );
        assert_eq!(
            Search::all().during(1_700_000_000, 1_700_000_899).line(&[]),
            "TZ=UTC auditkit search --all-events -ts 11/14/2023 22:13:20 -te 11/14/2023 22:28:19"
        );
        assert_eq!(
            Search::all()
                .types(&["CONFIG_CHANGE", "DAEMON_START"])
                .line(&[]),
            "auditkit search --all-events -m CONFIG_CHANGE,DAEMON_START"
        );
        assert_eq!(
            Search::all().node(b"web-1").line(&[]),
            "auditkit search --all-events --node web-1"
        );
    }

    #[test]
    fn never_rules_as_searches() {
        let m = auditkit_interp::Machine::X86_64;
        let l = |s: &str| vec![s.to_string()];
        assert_eq!(
            of_never_rules(&l("-A never,exit -F arch=b64 -S connect,execve -F exe=/usr/bin/id -k auditkit-noise"), m)
                .unwrap()
                .line(&[]),
            "auditkit search --all-events --where 'SYSCALL.arch = x86_64 and SYSCALL.exe = \"/usr/bin/id\" and SYSCALL.syscall in [connect, execve]'"
        );
        assert_eq!(
            of_never_rules(
                &l("-a never,exclude -F msgtype=CRED_ACQ -F exe=/usr/sbin/cron"),
                m
            )
            .unwrap()
            .line(&[]),
            "auditkit search --all-events --where 'type = CRED_ACQ and exe = \"/usr/sbin/cron\"'"
        );
        let two = vec![
            "-A never,exit -F arch=b64 -S execve -F auid!=1000".to_string(),
            "-A never,exit -F arch=b32 -S execve -F auid!=1000".to_string(),
        ];
        assert!(of_never_rules(&two, m)
            .unwrap()
            .line(&[])
            .contains(") or ("));
        // What it cannot say exactly, it does not say.
        assert_eq!(of_never_rules(&l("-A never,exit -F path=/tmp/x"), m), None);
        assert_eq!(of_never_rules(&l("-a always,exit -S execve"), m), None);
        assert_eq!(of_never_rules(&l("-A never,exit -F auid>=1000"), m), None);
    }

    #[test]
    fn untypeable_values_become_regexes() {
        assert_eq!(
            eq("exe", b"/tmp/a\x01b", false),
            r#"exe ~ "(?-u)^/tmp/a\\x01b$""#
        );
        assert_eq!(eq("exe", b"/x.y", true), r#"exe ~ "(?-u)^/x\\.y""#);
        assert_eq!(eq("name", b"a\"b\\c", false), r#"name = "a\"b\\c""#);
    }
}
