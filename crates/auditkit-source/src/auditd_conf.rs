//! auditd.conf, as text: one typed parser, no I/O.
//!
//! auditd reads `/etc/audit/auditd.conf` line by line (`auditd-config.c`):
//! `#` starts a comment line, blank lines are skipped, and every other line
//! is `keyword = value` with spaces around `=` allowed. Keywords are
//! matched without regard to case. A keyword given twice keeps its last
//! value (each line overwrites the setting). Lines that are not
//! `keyword = value` are kept as [`Problem`]s with their line number
//! rather than dropped, so a checker can say which line auditd would
//! reject.
//!
//! This module only parses text: reading the file is the caller's job
//! ([`crate::input::configured_log_file`] for the log location, the rules'
//! system checks for their items), so the parser can be tested and fuzzed
//! on strings and shared by every crate that needs auditd's settings.

/// One `keyword = value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The keyword as written (compare with [`AuditdConf::get`], which
    /// ignores case as auditd does).
    pub key: String,
    /// The value, without surrounding blanks.
    pub value: String,
    /// 1-based line number.
    pub line: usize,
}

/// A line auditd would not accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number.
    pub line: usize,
    /// The line, trimmed.
    pub text: String,
}

/// A parsed auditd.conf: every entry in file order, and the lines that are
/// not entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditdConf {
    /// `keyword = value` lines, in order (repeats included).
    pub entries: Vec<Entry>,
    /// Lines that are neither blank, comments nor entries.
    pub problems: Vec<Problem>,
}

/// auditd's default `log_file`.
pub const DEFAULT_LOG_FILE: &str = "/var/log/audit/audit.log";

/// Parse the text of an auditd.conf.
pub fn parse(text: &str) -> AuditdConf {
    let mut conf = AuditdConf::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(char::is_whitespace) => {
                conf.entries.push(Entry {
                    key: k.trim().to_string(),
                    value: v.trim().to_string(),
                    line: i + 1,
                });
            }
            _ => conf.problems.push(Problem {
                line: i + 1,
                text: line.to_string(),
            }),
        }
    }
    conf
}

impl AuditdConf {
    /// The value of a keyword (case ignored; the last one wins, as in
    /// auditd).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case(key))
            .map(|e| e.value.as_str())
    }

    /// `log_file`, when set to something. An empty value is ignored, as
    /// the default then applies.
    pub fn log_file(&self) -> Option<&str> {
        self.get("log_file").filter(|v| !v.is_empty())
    }

    /// `end_of_event_timeout` in seconds, when set to a number.
    pub fn end_of_event_timeout(&self) -> Option<u64> {
        self.get("end_of_event_timeout")?.parse().ok()
    }

    /// `num_logs`: how many log files auditd keeps, when set to a number.
    pub fn num_logs(&self) -> Option<u32> {
        self.get("num_logs")?.parse().ok()
    }

    /// `log_format` (`RAW` or `ENRICHED`), upper-cased.
    pub fn log_format(&self) -> Option<String> {
        self.get("log_format").map(str::to_ascii_uppercase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_default_file() {
        // The head of Debian 12's /etc/audit/auditd.conf.
        let text = "#\n# This file controls the configuration of the audit daemon\n#\n\n\
                    local_events = yes\nwrite_logs = yes\nlog_file = /var/log/audit/audit.log\n\
                    log_group = adm\nlog_format = ENRICHED\nflush = INCREMENTAL_ASYNC\n\
                    num_logs = 5\nend_of_event_timeout = 2\n";
        let c = parse(text);
        assert!(c.problems.is_empty());
        assert_eq!(c.log_file(), Some("/var/log/audit/audit.log"));
        assert_eq!(c.log_format().as_deref(), Some("ENRICHED"));
        assert_eq!(c.num_logs(), Some(5));
        assert_eq!(c.end_of_event_timeout(), Some(2));
        assert_eq!(c.entries[0].line, 5);
    }

    #[test]
    fn spacing_case_and_repeats() {
        let c = parse("LOG_FILE=/a\n  log_file   =   /b  \nlog_file =\n");
        // The last non-empty setting: an empty value means the default.
        assert_eq!(c.get("log_file"), Some(""));
        assert_eq!(c.log_file(), None);
        let c = parse("LOG_FILE=/a\n  log_file   =   /b  \n");
        assert_eq!(c.log_file(), Some("/b"));
    }

    #[test]
    fn bad_lines_are_kept_with_their_number() {
        let c = parse("log_file = /x\nthis is wrong\n= value\nnum logs = 3\n");
        assert_eq!(c.log_file(), Some("/x"));
        let lines: Vec<usize> = c.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 4]);
    }
}
