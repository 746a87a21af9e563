//! What the HTML report counts, per worker: [`Tally`] is the engine
//! [`Sink`]'s part, [`HtmlSink`] the sink.
//!
//! Every count is defined so that one `auditkit search` command lists
//! exactly the events behind it (the page prints those commands, and a
//! test runs them): a field counts once per event for each distinct value
//! any record of the event gives it, which is what `--where 'F = "v"'`
//! (existential over the records) selects; records by type count records,
//! which `-m TYPE` lists with the events that hold them; times are the
//! event's second, which `-ts`/`-te` select.

use auditkit_event::pipeline::Sink;
use auditkit_event::value::{decode_str, is_sentinel, split_keys};
use auditkit_event::{Event, EventId, RecordType};
use auditkit_interp::fxhash::FxMap;

use super::bounded::{clip, Buckets, Keyed, Recent, TopN};

/// Values kept per top-N table (the page shows the first
/// [`super::page::TOP_ROWS`]; the counter holds up to twice this).
pub const TOP_CAP: usize = 200;
/// Series kept per chart by key (keys, types, nodes); the rest is "other".
pub const SERIES_CAP: usize = 48;
/// Nodes with their own row.
pub const NODE_CAP: usize = 64;
/// Rows of the configuration-change and anomaly tables.
pub const RECENT_CAP: usize = 30;
/// Bytes of a record kept for those tables.
pub const ROW_TEXT: usize = 300;

/// A record of a configuration change or an anomaly, for the tables.
#[derive(Clone, Debug)]
pub struct Row {
    /// The event's time and serial.
    pub id: EventId,
    /// Its node, cut with [`clip`].
    pub node: Option<Box<[u8]>>,
    /// The record type name.
    pub rtype: String,
    /// The record's body (after the header), cut to [`ROW_TEXT`] bytes.
    pub text: Box<[u8]>,
}

/// Order of rows: time, serial, then the record's place in the event.
pub type RowKey = (u64, u32, u64, u32);

/// Per node.
#[derive(Clone, Debug, Default)]
pub struct NodeStats {
    /// Events.
    pub events: u64,
    /// Records.
    pub records: u64,
    /// Events with a failure (see [`Tally::failed`]).
    pub failed: u64,
    /// First and last event second.
    pub span: Option<(u64, u64)>,
}

impl NodeStats {
    fn merge(&mut self, o: &NodeStats) {
        self.events += o.events;
        self.records += o.records;
        self.failed += o.failed;
        self.span = match (self.span, o.span) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
    }
}

/// One worker's counts; [`Tally::merge`] joins them. Memory is bounded by
/// the caps above, whatever the log.
#[derive(Clone, Debug)]
pub struct Tally {
    /// Events counted.
    pub events: u64,
    /// Their records.
    pub records: u64,
    /// Bytes of those records' lines (with their newlines).
    pub bytes: u64,
    /// Lines that were not records.
    pub unparsed: u64,
    /// First and last event second.
    pub span: Option<(u64, u64)>,
    /// Events over time.
    pub all: Buckets,
    /// Records over time.
    pub all_records: Buckets,
    /// Events by rule key (an event once per distinct key).
    pub by_key: Keyed,
    /// Events with no key.
    pub no_key: Buckets,
    /// Records by type.
    pub by_type: Keyed,
    /// Events with `success=yes` or `res=success`.
    pub success: Buckets,
    /// Events with `success=no` or `res=failed`.
    pub failed: Buckets,
    /// Events with either.
    pub outcome: Buckets,
    /// Top `exe=`.
    pub exe: TopN,
    /// Top `auid=`.
    pub users: TopN,
    /// Top keys.
    pub keys: TopN,
    /// Top `hostname=`.
    pub hosts: TopN,
    /// Top `PATH` `name=`.
    pub files: TopN,
    /// Events with a failed `USER_LOGIN`.
    pub login_failed: Buckets,
    /// Events with a failed `USER_AUTH`.
    pub auth_failed: Buckets,
    /// Events with either.
    pub login_or_auth_failed: Buckets,
    /// `addr=` of the failed logins and authentications.
    pub failed_addr: TopN,
    /// Failed syscalls by `exit=` (an errno, negated).
    pub errno: TopN,
    /// `CONFIG_CHANGE` and `DAEMON_*` records by type.
    pub config: Keyed,
    /// The latest of them.
    pub config_recent: Recent<RowKey, Row>,
    /// `ANOM_*` records by type.
    pub anom: Keyed,
    /// The latest of them.
    pub anom_recent: Recent<RowKey, Row>,
    /// Events by node over time (`(none)` has no series of its own).
    pub by_node: Keyed,
    /// Per node, at most [`NODE_CAP`].
    pub nodes: FxMap<Box<[u8]>, NodeStats>,
    /// Nodes beyond the cap.
    pub other_nodes: NodeStats,
    /// Events without `node=`.
    pub no_node: NodeStats,
}

impl Default for Tally {
    fn default() -> Self {
        Tally::new()
    }
}

/// What one event gives, collected before counting (distinct values).
#[derive(Default)]
struct Seen {
    keys: Vec<Vec<u8>>,
    exe: Vec<Vec<u8>>,
    auid: Vec<Vec<u8>>,
    hosts: Vec<Vec<u8>>,
    files: Vec<Vec<u8>>,
    addr: Vec<Vec<u8>>,
    errno: Vec<Vec<u8>>,
    success: bool,
    failed: bool,
    login_failed: bool,
    auth_failed: bool,
}

fn push_distinct(v: &mut Vec<Vec<u8>>, x: &[u8]) {
    let (x, _) = clip(x);
    if !v.iter().any(|y| y == x) {
        v.push(x.to_vec());
    }
}

/// A string value, decoded; `None` for sentinels and empty values.
fn text(v: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    if v.is_empty() || is_sentinel(v) {
        return None;
    }
    let d = decode_str(v);
    (!d.is_empty()).then_some(d)
}

/// `res=` as a success (`Some(true)`), a failure, or neither.
fn res_outcome(v: &[u8]) -> Option<bool> {
    match v {
        b"success" | b"1" | b"yes" => Some(true),
        b"failed" | b"0" | b"no" => Some(false),
        _ => None,
    }
}

/// The configuration-change types of the report.
pub fn is_config(name: &str) -> bool {
    name == "CONFIG_CHANGE" || name.starts_with("DAEMON_")
}

/// The anomaly types of the report.
pub fn is_anom(name: &str) -> bool {
    name.starts_with("ANOM_")
}

impl Tally {
    /// Nothing counted.
    pub fn new() -> Tally {
        Tally {
            events: 0,
            records: 0,
            bytes: 0,
            unparsed: 0,
            span: None,
            all: Buckets::new(),
            all_records: Buckets::new(),
            by_key: Keyed::new(SERIES_CAP),
            no_key: Buckets::new(),
            by_type: Keyed::new(SERIES_CAP),
            success: Buckets::new(),
            failed: Buckets::new(),
            outcome: Buckets::new(),
            exe: TopN::new(TOP_CAP),
            users: TopN::new(TOP_CAP),
            keys: TopN::new(TOP_CAP),
            hosts: TopN::new(TOP_CAP),
            files: TopN::new(TOP_CAP),
            login_failed: Buckets::new(),
            auth_failed: Buckets::new(),
            login_or_auth_failed: Buckets::new(),
            failed_addr: TopN::new(TOP_CAP),
            errno: TopN::new(TOP_CAP),
            config: Keyed::new(SERIES_CAP),
            config_recent: Recent::new(RECENT_CAP),
            anom: Keyed::new(SERIES_CAP),
            anom_recent: Recent::new(RECENT_CAP),
            by_node: Keyed::new(SERIES_CAP),
            nodes: FxMap::default(),
            other_nodes: NodeStats::default(),
            no_node: NodeStats::default(),
        }
    }

    /// Count one event.
    pub fn add(&mut self, ev: &Event) {
        let id = ev.id();
        let sec = id.sec;
        self.events += 1;
        self.span = Some(match self.span {
            Some((a, b)) => (a.min(sec), b.max(sec)),
            None => (sec, sec),
        });
        self.all.add(sec, 1);
        let mut seen = Seen::default();
        let mut nrec = 0u64;
        for (ri, r) in ev.records().enumerate() {
            nrec += 1;
            self.bytes += r.line.len() as u64 + 1;
            let rtype = r.rtype();
            let tname: std::borrow::Cow<'_, str> = match rtype.name() {
                Some(n) => n.into(),
                None => String::from_utf8_lossy(r.type_name()),
            };
            self.by_type.add(tname.as_bytes(), sec, 1);
            self.all_records.add(sec, 1);
            let row = || Row {
                id,
                node: r.node().map(|n| clip(n).0.into()),
                rtype: tname.to_string(),
                text: clip_to(r.body(), ROW_TEXT).into(),
            };
            let key: RowKey = (sec, id.msec, id.serial, ri as u32);
            // Only types of the table: their names are short and few, so
            // the `-m` list of these charts stays short.
            let known = rtype.name().is_some();
            if known && is_config(&tname) {
                self.config.add(tname.as_bytes(), sec, 1);
                self.config_recent.offer(key, row);
            } else if known && is_anom(&tname) {
                self.anom.add(tname.as_bytes(), sec, 1);
                self.anom_recent.offer(key, row);
            }
            let login = rtype == RecordType::USER_LOGIN;
            let auth = rtype == RecordType::USER_AUTH;
            let mut rec_failed = false;
            let mut addr: Option<Vec<u8>> = None;
            let is_syscall = rtype == RecordType::SYSCALL;
            let mut sys_failed = false;
            let mut exit: Option<Vec<u8>> = None;
            for f in r.fields() {
                let v = &f.value[..];
                match f.name {
                    b"key" => {
                        for k in split_keys(v) {
                            push_distinct(&mut seen.keys, &k);
                        }
                    }
                    b"exe" => {
                        if let Some(t) = text(v) {
                            push_distinct(&mut seen.exe, &t);
                        }
                    }
                    b"auid" if !v.is_empty() => push_distinct(&mut seen.auid, v),
                    b"hostname" => {
                        if let Some(t) = text(v) {
                            push_distinct(&mut seen.hosts, &t);
                        }
                    }
                    b"name" if rtype == RecordType::PATH => {
                        if let Some(t) = text(v) {
                            push_distinct(&mut seen.files, &t);
                        }
                    }
                    b"addr" => {
                        if let Some(t) = text(v) {
                            addr = Some(t.into_owned());
                        }
                    }
                    b"success" => match v {
                        b"yes" => seen.success = true,
                        b"no" => {
                            seen.failed = true;
                            sys_failed |= is_syscall;
                        }
                        _ => {}
                    },
                    b"res" => match res_outcome(v) {
                        Some(true) => seen.success = true,
                        Some(false) => {
                            seen.failed = true;
                            rec_failed = true;
                        }
                        None => {}
                    },
                    b"exit" if is_syscall => exit = Some(v.to_vec()),
                    _ => {}
                }
            }
            if sys_failed {
                if let Some(e) = exit {
                    push_distinct(&mut seen.errno, &e);
                }
            }
            if rec_failed && (login || auth) {
                seen.login_failed |= login;
                seen.auth_failed |= auth;
                if let Some(a) = addr {
                    push_distinct(&mut seen.addr, &a);
                }
            }
        }
        self.records += nrec;
        if seen.keys.is_empty() {
            self.no_key.add(sec, 1);
        }
        for k in &seen.keys {
            self.by_key.add(k, sec, 1);
            self.keys.add(k, 1);
        }
        for v in &seen.exe {
            self.exe.add(v, 1);
        }
        for v in &seen.auid {
            self.users.add(v, 1);
        }
        for v in &seen.hosts {
            self.hosts.add(v, 1);
        }
        for v in &seen.files {
            self.files.add(v, 1);
        }
        for v in &seen.addr {
            self.failed_addr.add(v, 1);
        }
        for v in &seen.errno {
            self.errno.add(v, 1);
        }
        if seen.success {
            self.success.add(sec, 1);
        }
        if seen.failed {
            self.failed.add(sec, 1);
        }
        if seen.success || seen.failed {
            self.outcome.add(sec, 1);
        }
        if seen.login_failed {
            self.login_failed.add(sec, 1);
        }
        if seen.auth_failed {
            self.auth_failed.add(sec, 1);
        }
        if seen.login_failed || seen.auth_failed {
            self.login_or_auth_failed.add(sec, 1);
        }
        let stats = NodeStats {
            events: 1,
            records: nrec,
            failed: u64::from(seen.failed),
            span: Some((sec, sec)),
        };
        match ev.node() {
            None => self.no_node.merge(&stats),
            Some(n) => {
                let (n, _) = clip(n);
                self.by_node.add(n, sec, 1);
                if let Some(s) = self.nodes.get_mut(n) {
                    s.merge(&stats);
                } else if self.nodes.len() < NODE_CAP {
                    self.nodes.insert(n.into(), stats);
                } else {
                    self.other_nodes.merge(&stats);
                }
            }
        }
    }

    /// Add another worker's counts into these.
    pub fn merge(&mut self, o: Tally) {
        self.events += o.events;
        self.records += o.records;
        self.bytes += o.bytes;
        self.unparsed += o.unparsed;
        self.span = match (self.span, o.span) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
        self.all.merge(&o.all);
        self.all_records.merge(&o.all_records);
        self.by_key.merge(o.by_key);
        self.no_key.merge(&o.no_key);
        self.by_type.merge(o.by_type);
        self.success.merge(&o.success);
        self.failed.merge(&o.failed);
        self.outcome.merge(&o.outcome);
        self.exe.merge(o.exe);
        self.users.merge(o.users);
        self.keys.merge(o.keys);
        self.hosts.merge(o.hosts);
        self.files.merge(o.files);
        self.login_failed.merge(&o.login_failed);
        self.auth_failed.merge(&o.auth_failed);
        self.login_or_auth_failed.merge(&o.login_or_auth_failed);
        self.failed_addr.merge(o.failed_addr);
        self.errno.merge(o.errno);
        self.config.merge(o.config);
        self.config_recent.merge(o.config_recent);
        self.anom.merge(o.anom);
        self.anom_recent.merge(o.anom_recent);
        self.by_node.merge(o.by_node);
        for (k, s) in o.nodes {
            if let Some(m) = self.nodes.get_mut(&k) {
                m.merge(&s);
            } else {
                self.nodes.insert(k, s);
            }
        }
        if self.nodes.len() > NODE_CAP {
            let mut all: Vec<(Box<[u8]>, NodeStats)> = self.nodes.drain().collect();
            all.sort_by(|a, b| b.1.events.cmp(&a.1.events).then(a.0.cmp(&b.0)));
            for (i, (k, s)) in all.into_iter().enumerate() {
                if i < NODE_CAP {
                    self.nodes.insert(k, s);
                } else {
                    self.other_nodes.merge(&s);
                }
            }
        }
        self.other_nodes.merge(&o.other_nodes);
        self.no_node.merge(&o.no_node);
    }

    /// Merge the parts of a run into one tally.
    pub fn merged(parts: impl IntoIterator<Item = Tally>) -> Tally {
        let mut t = Tally::new();
        for p in parts {
            t.merge(p);
        }
        t
    }
}

/// The first `n` bytes of `v`, not cutting a UTF-8 sequence in two.
fn clip_to(v: &[u8], n: usize) -> &[u8] {
    if v.len() <= n {
        return v;
    }
    let mut end = n;
    while end > 0 && (v[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    &v[..end]
}

/// The engine sink of the HTML report: one [`Tally`] per worker, merged
/// with [`Tally::merged`] at the end; no lock, no ordered stage. It counts
/// the events its filter keeps (`true`).
#[derive(Clone, Copy, Debug, Default)]
pub struct HtmlSink;

impl Sink<bool> for HtmlSink {
    type Part = Tally;
    type Out = ();

    fn part(&self) -> Tally {
        Tally::new()
    }

    fn event(&self, part: &mut Tally, ev: &Event, keep: bool, _: &mut ()) {
        if keep {
            part.add(ev);
        }
    }

    fn unparsed(
        &self,
        part: &mut Tally,
        _: &auditkit_event::ParsedChunk,
        _: &auditkit_event::chunk::Unparsed,
        _: &mut (),
    ) {
        part.unparsed += 1;
    }

    fn clear(&self, _: &mut ()) {}
}
