//! The default report (`do_summary_total` and `do_summary_output`).
//!
//! Counters and distinct-value sets per worker, merged at the end. What
//! each line counts is aureport's, quirks included: a login or an
//! authentication counts as neither good nor bad when its outcome is
//! unknown, "users" are distinct login uids (unset ones left out), a key
//! `(null)` is no key, and an event with a CONFIG_CHANGE and a
//! MAC_POLICY_LOAD record is two changes.

use std::io::{self, Write};

use auditkit_event::Event;
use auditkit_interp::fxhash::FxMap;
use auditkit_query::items::{S_FAILED, S_SUCCESS};
use auditkit_query::SearchItems;

use super::distinct::Distinct;
use super::types::*;
use super::{has, has_range, Options, Outcome};

/// The counters of the summary report (`summary_data`).
#[derive(Debug, Default)]
pub struct SummaryTally {
    /// Number of changes in configuration.
    pub changes: u64,
    /// Number of changes to accounts, groups, or roles.
    pub acct_changes: u64,
    /// Number of logins.
    pub good_logins: u64,
    /// Number of failed logins.
    pub bad_logins: u64,
    /// Number of authentications.
    pub good_auth: u64,
    /// Number of failed authentications.
    pub bad_auth: u64,
    /// Number of AVC's.
    pub avcs: u64,
    /// Number of MAC events.
    pub mac: u64,
    /// Number of failed syscalls.
    pub failed_syscalls: u64,
    /// Number of anomaly events.
    pub anomalies: u64,
    /// Number of responses to anomaly events.
    pub responses: u64,
    /// Number of crypto events.
    pub crypto: u64,
    /// Number of integrity events.
    pub integ: u64,
    /// Number of virt events.
    pub virt: u64,
    /// Number of events.
    pub events: u64,
    /// Distinct login uids.
    pub users: FxMap<u32, ()>,
    /// Distinct terminals.
    pub terms: Distinct,
    /// Distinct host names.
    pub hosts: Distinct,
    /// Distinct executables.
    pub exes: Distinct,
    /// Distinct commands.
    pub comms: Distinct,
    /// Distinct file names.
    pub files: Distinct,
    /// Distinct keys.
    pub keys: Distinct,
    /// Distinct process ids.
    pub pids: FxMap<i32, ()>,
}

impl SummaryTally {
    /// Count one event that [`Options::scan`] kept.
    pub fn add(&mut self, ev: &Event, s: &SearchItems) {
        self.events += 1;
        for t in [
            CONFIG_CHANGE,
            DAEMON_CONFIG,
            USYS_CONFIG,
            NETFILTER_CFG,
            FEATURE_CHANGE,
            USER_MAC_CONFIG_CHANGE,
        ] {
            self.changes += u64::from(has(ev, t));
        }
        self.changes += u64::from(has_range(ev, MAC_POLICY_LOAD, MAC_UNLBL_STCDEL));

        self.acct_changes += u64::from(has(ev, USER_CHAUTHTOK));
        self.acct_changes += u64::from(has_range(ev, ADD_USER, DEL_GROUP));
        self.acct_changes += u64::from(has(ev, USER_MGMT));
        self.acct_changes += u64::from(has(ev, GRP_MGMT));
        self.acct_changes += u64::from(has_range(ev, ROLE_ASSIGN, ROLE_REMOVE));

        self.crypto += u64::from(has_range(ev, FIRST_KERN_CRYPTO_MSG, LAST_KERN_CRYPTO_MSG));
        self.crypto += u64::from(has_range(ev, FIRST_CRYPTO_MSG, LAST_CRYPTO_MSG));

        if has(ev, USER_LOGIN) {
            match s.success {
                S_SUCCESS => self.good_logins += 1,
                S_FAILED => self.bad_logins += 1,
                _ => {}
            }
        }
        // USER_MGMT counts only its failures, and hides a GRP_AUTH.
        let auth = if has(ev, USER_AUTH) {
            true
        } else if has(ev, USER_MGMT) {
            if s.success == S_FAILED {
                self.bad_auth += 1;
            }
            false
        } else {
            has(ev, GRP_AUTH)
        };
        if auth {
            match s.success {
                S_SUCCESS => self.good_auth += 1,
                S_FAILED => self.bad_auth += 1,
                _ => {}
            }
        }

        if s.loginuid != u32::MAX - 1 {
            self.users.insert(s.loginuid, ());
        }
        if let Some(t) = &s.terminal {
            self.terms.insert(t);
        }
        if let Some(h) = &s.hostname {
            self.hosts.insert(h);
        }
        if let Some(x) = &s.exe {
            self.exes.insert(x);
        }
        if let Some(c) = &s.comm {
            self.comms.insert(c);
        }
        for f in s.filename.iter().flatten() {
            self.files.insert(f);
        }

        self.avcs += u64::from(has(ev, AVC) || has(ev, USER_AVC));
        self.mac += u64::from(has_range(ev, MAC_POLICY_LOAD, MAC_UNLBL_STCDEL));
        self.mac += u64::from(has_range(ev, FIRST_USER_LSPP_MSG, LAST_USER_LSPP_MSG));
        self.virt += u64::from(has_range(ev, FIRST_VIRT_MSG, LAST_VIRT_MSG));
        self.integ += u64::from(has_range(ev, INTEGRITY_FIRST_MSG, INTEGRITY_LAST_MSG));
        if s.success == S_FAILED && s.syscall > 0 {
            self.failed_syscalls += 1;
        }
        if s.pid != -1 {
            self.pids.insert(s.pid, ());
        }
        self.anomalies += u64::from(has_range(ev, FIRST_ANOM_MSG, LAST_ANOM_MSG));
        self.anomalies += u64::from(has_range(ev, FIRST_KERN_ANOM_MSG, LAST_KERN_ANOM_MSG));
        self.responses += u64::from(has_range(ev, FIRST_ANOM_RESP, LAST_ANOM_RESP));
        for k in s.key.iter().flatten() {
            if k.as_slice() != b"(null)" {
                self.keys.insert(k);
            }
        }
    }

    /// Whether a count of distinct values is an estimate (more than a
    /// million distinct values of one kind: see [`Distinct`]).
    pub fn estimated(&self) -> bool {
        [
            &self.terms,
            &self.hosts,
            &self.exes,
            &self.comms,
            &self.files,
            &self.keys,
        ]
        .iter()
        .any(|d| d.is_estimate())
    }

    /// Add another worker's counts.
    pub fn merge(&mut self, o: SummaryTally) {
        self.changes += o.changes;
        self.acct_changes += o.acct_changes;
        self.good_logins += o.good_logins;
        self.bad_logins += o.bad_logins;
        self.good_auth += o.good_auth;
        self.bad_auth += o.bad_auth;
        self.avcs += o.avcs;
        self.mac += o.mac;
        self.failed_syscalls += o.failed_syscalls;
        self.anomalies += o.anomalies;
        self.responses += o.responses;
        self.crypto += o.crypto;
        self.integ += o.integ;
        self.virt += o.virt;
        self.events += o.events;
        self.users.extend(o.users);
        self.terms.merge(o.terms);
        self.hosts.merge(o.hosts);
        self.exes.merge(o.exes);
        self.comms.merge(o.comms);
        self.files.merge(o.files);
        self.keys.merge(o.keys);
        self.pids.extend(o.pids);
    }

    /// The report's lines as (label, value), in aureport's order, for
    /// the text, JSON and CSV renderings.
    pub fn rows(&self) -> [(&'static str, u64); 23] {
        let n = |x: usize| x as u64;
        [
            ("changes in configuration", self.changes),
            ("changes to accounts, groups, or roles", self.acct_changes),
            ("logins", self.good_logins),
            ("failed logins", self.bad_logins),
            ("authentications", self.good_auth),
            ("failed authentications", self.bad_auth),
            ("users", n(self.users.len())),
            ("terminals", n(self.terms.len())),
            ("host names", n(self.hosts.len())),
            ("executables", n(self.exes.len())),
            ("commands", n(self.comms.len())),
            ("files", n(self.files.len())),
            ("AVC's", self.avcs),
            ("MAC events", self.mac),
            ("failed syscalls", self.failed_syscalls),
            ("anomaly events", self.anomalies),
            ("responses to anomaly events", self.responses),
            ("crypto events", self.crypto),
            ("integrity events", self.integ),
            ("virt events", self.virt),
            ("keys", n(self.keys.len())),
            ("process IDs", n(self.pids.len())),
            ("events", self.events),
        ]
    }
}

/// An event's time as aureport keeps it (`event.sec`, `event.milli`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    /// Seconds since the epoch.
    pub sec: i64,
    /// Milliseconds.
    pub milli: u32,
}

/// `strftime("%x %T")` of `localtime(sec)`, `?` where it fails.
pub fn date_time(out: &mut Vec<u8>, sec: i64) {
    match auditkit_output::time::try_localtime(sec) {
        Some(tm) => {
            auditkit_output::time::date_x(out, &tm);
            out.push(b' ');
            auditkit_output::time::time_t(out, &tm);
        }
        None => out.push(b'?'),
    }
}

/// The title of a summary-form report: a blank line, `Failed `/`Success `
/// for `--failed`/`--success`, then the report's own title.
pub fn failed_prefix(o: &Options) -> &'static str {
    match o.outcome {
        Outcome::Failed => "Failed ",
        Outcome::Success => "Success ",
        Outcome::Both => "",
    }
}

/// Print the default report as aureport does after its title: the range of
/// time (`first`: the first record read, or with `-ts` the first outside
/// the range; `last`: the last event read), then the counters.
pub fn write_text(
    w: &mut dyn Write,
    o: &Options,
    t: &SummaryTally,
    first: Stamp,
    last: Stamp,
) -> io::Result<()> {
    let mut b = Vec::with_capacity(2048);
    b.extend_from_slice(b"Range of time in logs: ");
    date_time(&mut b, first.sec);
    let _ = write!(b, ".{:03} - ", first.milli);
    date_time(&mut b, last.sec);
    let _ = writeln!(b, ".{:03}", last.milli);
    b.extend_from_slice(b"Selected time for report: ");
    date_time(
        &mut b,
        if o.start_time != 0 {
            o.start_time
        } else {
            first.sec
        },
    );
    b.extend_from_slice(b" - ");
    if o.end_time != 0 {
        date_time(&mut b, o.end_time);
        b.push(b'\n');
    } else {
        date_time(&mut b, last.sec);
        let _ = writeln!(b, ".{:03}", last.milli);
    }
    for (label, v) in t.rows() {
        let _ = writeln!(b, "Number of {label}: {v}");
    }
    b.push(b'\n');
    w.write_all(&b)
}

/// Whether `line` is the record aureport's "Range of time in logs"
/// starts at (`very_first_event`, set in `ausearch-lol.c` as lines are
/// read), and its time: the first record of the input, or with `-ts` the
/// first record *outside* `-ts`/`-te` (a record inside the range never
/// sets it then, so a log wholly inside the range starts at the epoch).
/// Feed the lines in input order until it answers.
pub fn first_record(line: &[u8], o: &Options) -> Option<Stamp> {
    let h = auditkit_event::header::parse_header(line).ok()?;
    let sec = h.id.sec as i64;
    let out = (o.start_time != 0 && sec < o.start_time) || (o.end_time != 0 && sec > o.end_time);
    (out || o.start_time == 0).then_some(Stamp {
        sec,
        milli: h.id.msec,
    })
}

/// The names of the counters in JSON and CSV, in the order of
/// [`SummaryTally::rows`].
pub const KEYS: [&str; 23] = [
    "config_changes",
    "account_changes",
    "logins",
    "failed_logins",
    "authentications",
    "failed_authentications",
    "users",
    "terminals",
    "hosts",
    "executables",
    "commands",
    "files",
    "avcs",
    "mac_events",
    "failed_syscalls",
    "anomalies",
    "anomaly_responses",
    "crypto_events",
    "integrity_events",
    "virt_events",
    "keys",
    "pids",
    "events",
];

/// `MM/DD/YY HH:MM:SS.mmm` (the range's form).
fn stamp_text(b: &mut Vec<u8>, s: Stamp) {
    date_time(b, s.sec);
    let _ = write!(b, ".{:03}", s.milli);
}

/// The summary as one JSON object (`node` with `--by-node`): the range
/// of time as in the text (`range_start`, `range_end`, `selected_start`,
/// `selected_end`), then every counter of [`KEYS`].
pub fn write_json(
    b: &mut Vec<u8>,
    o: &Options,
    t: &SummaryTally,
    first: Stamp,
    last: Stamp,
    node: Option<&[u8]>,
) {
    b.push(b'{');
    if let Some(n) = node {
        b.extend_from_slice(b"\"node\":");
        auditkit_output::json::json_str(b, n);
        b.push(b',');
    }
    for (i, v) in range_texts(o, first, last).iter().enumerate() {
        let k = ["range_start", "range_end", "selected_start", "selected_end"][i];
        let _ = write!(b, "\"{k}\":");
        auditkit_output::json::json_str(b, v);
        b.push(b',');
    }
    for (i, ((_, v), k)) in t.rows().iter().zip(KEYS).enumerate() {
        if i > 0 {
            b.push(b',');
        }
        let _ = write!(b, "\"{k}\":{v}");
    }
    b.extend_from_slice(b"}\n");
}

/// The CSV header of the summary.
pub fn csv_header(by_node: bool) -> Vec<u8> {
    let mut b = Vec::new();
    if by_node {
        b.extend_from_slice(b"node,");
    }
    b.extend_from_slice(b"range_start,range_end,selected_start,selected_end");
    for k in KEYS {
        b.push(b',');
        b.extend_from_slice(k.as_bytes());
    }
    b.push(b'\n');
    b
}

/// The summary as one CSV row.
pub fn write_csv(
    b: &mut Vec<u8>,
    o: &Options,
    t: &SummaryTally,
    first: Stamp,
    last: Stamp,
    node: Option<&[u8]>,
) {
    if let Some(n) = node {
        super::format::csv_field(b, n);
        b.push(b',');
    }
    for (i, v) in range_texts(o, first, last).iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        b.extend_from_slice(v);
    }
    for (_, v) in t.rows() {
        let _ = write!(b, ",{v}");
    }
    b.push(b'\n');
}

/// The four times of the summary's range lines.
fn range_texts(o: &Options, first: Stamp, last: Stamp) -> [Vec<u8>; 4] {
    let mut a = Vec::new();
    stamp_text(&mut a, first);
    let mut z = Vec::new();
    stamp_text(&mut z, last);
    let mut s = Vec::new();
    date_time(
        &mut s,
        if o.start_time != 0 {
            o.start_time
        } else {
            first.sec
        },
    );
    let mut e = Vec::new();
    if o.end_time != 0 {
        date_time(&mut e, o.end_time);
    } else {
        stamp_text(&mut e, last);
    }
    [a, z, s, e]
}
