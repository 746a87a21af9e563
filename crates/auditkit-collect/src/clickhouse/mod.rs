//! ClickHouse for fleets: the records the collector stored are also
//! inserted into ClickHouse over HTTP, in batches, behind the embedded
//! store (docs/clickhouse.md has the schema).
//!
//! Acks to clients still follow the local fsync only: the [`Sink`] is a
//! thread that reads the store's segments from a checkpoint
//! (`DIR/clickhouse.pos`, `SEGMENT OFFSET`), so ClickHouse being down or
//! slow never holds back a client, and nothing is lost while it is down:
//! the sink retries the same batch (with a growing delay) until it is
//! in. A batch's id is its place in the store (`SEGMENT:START-END`), the
//! same on every retry, and:
//! - every table is a `ReplacingMergeTree` ordered by the record's
//!   identity (records: node, time, serial and a hash of the line;
//!   events: node, time, serial), so a batch inserted twice (the insert
//!   went in but the answer was lost) collapses to one copy at merge time
//!   and `FINAL` reads one copy at once; this works on 18.16;
//! - where the server has them (22.2 and later), the insert also carries
//!   `insert_deduplication_token = ID` on tables with
//!   `non_replicated_deduplication_window`, so the retry is not inserted
//!   at all.
//!
//! The events table holds one row per event (records of one node with one
//! time and serial) with typed columns, built from the records of one
//! batch. The last event of each node in a batch is held back until the
//! next batch (or until the store is quiet for a second), so an event is
//! not cut in two by a batch boundary; if one still is (its records were
//! far apart in the stream), the row with more records wins the merge.

pub mod http;
pub mod query;
pub mod schema;

pub use http::Url;

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use schema::{Dialect, Schema};

use crate::store::index;

/// A batch's rows, ready to insert.
#[derive(Debug, Default, PartialEq)]
pub struct Rows {
    /// JSONEachRow lines for the records table.
    pub records: Vec<u8>,
    /// JSONEachRow lines for the events table.
    pub events: Vec<u8>,
    /// Records in it.
    pub n_records: usize,
    /// Events in it.
    pub n_events: usize,
}

fn json_str(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for ch in String::from_utf8_lossy(s).chars() {
        match ch {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// The value of field `name` in a record line (the first occurrence
/// after the header), as auparse reads an untrusted string: quoted text
/// without its quotes, an unquoted even-length hex string decoded, else
/// the raw token.
pub fn field<'a>(line: &'a [u8], name: &[u8]) -> Option<std::borrow::Cow<'a, [u8]>> {
    let body_start = memchr::memmem::find(line, b"): ").map_or(0, |i| i + 3);
    let body = &line[body_start..];
    let mut i = 0;
    while i < body.len() {
        // A token starts at the body's start or after a space (or a
        // quote of msg='...').
        let at_start = i == 0 || body[i - 1] == b' ' || body[i - 1] == b'\'';
        if at_start && body[i..].starts_with(name) && body.get(i + name.len()) == Some(&b'=') {
            let v = &body[i + name.len() + 1..];
            if let Some(rest) = v.strip_prefix(b"\"") {
                let end = memchr::memchr(b'"', rest).unwrap_or(rest.len());
                return Some(rest[..end].into());
            }
            let end = v
                .iter()
                .position(|&b| b == b' ' || b == b'\'' || b == 0x1d)
                .unwrap_or(v.len());
            let v = &v[..end];
            let is_hex = !v.is_empty()
                && v.len().is_multiple_of(2)
                && v.iter()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b));
            if is_hex && (name == b"exe" || name == b"comm" || name == b"key") {
                let d: Vec<u8> = v
                    .chunks(2)
                    .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
                    .collect();
                return Some(d.into());
            }
            return Some(v.into());
        }
        i += 1;
    }
    None
}

/// The typed columns of one event, from its records in order.
#[derive(Debug, Default, Clone, PartialEq)]
struct EventRow {
    node: Vec<u8>,
    sec: u64,
    msec: u32,
    serial: u64,
    typ: Vec<u8>,
    key: Vec<u8>,
    auid: Option<u64>,
    uid: Option<u64>,
    exe: Vec<u8>,
    comm: Vec<u8>,
    syscall: Option<i64>,
    success: Option<u8>,
    pid: Option<u64>,
    ppid: Option<u64>,
    records: u32,
    main: bool,
}

impl EventRow {
    fn add(&mut self, line: &[u8], typ: &[u8]) {
        self.records += 1;
        // The event's type is its SYSCALL record's when it has one (the
        // record that carries the rule's key), else its first record's.
        let is_syscall = typ == b"SYSCALL";
        if self.typ.is_empty() || (is_syscall && !self.main) {
            self.typ = typ.to_vec();
            self.main = is_syscall;
        }
        let num = |n: &[u8]| {
            field(line, n).and_then(|v| std::str::from_utf8(&v).ok()?.parse::<u64>().ok())
        };
        if self.key.is_empty() {
            if let Some(k) = field(line, b"key").filter(|k| &k[..] != b"(null)") {
                self.key = k.into_owned();
            }
        }
        for (slot, name) in [
            (&mut self.auid, &b"auid"[..]),
            (&mut self.uid, b"uid"),
            (&mut self.pid, b"pid"),
            (&mut self.ppid, b"ppid"),
        ] {
            if slot.is_none() {
                *slot = num(name);
            }
        }
        for (slot, name) in [(&mut self.exe, &b"exe"[..]), (&mut self.comm, b"comm")] {
            if slot.is_empty() {
                if let Some(v) = field(line, name) {
                    *slot = v.into_owned();
                }
            }
        }
        if self.syscall.is_none() && is_syscall {
            self.syscall = field(line, b"syscall")
                .and_then(|v| std::str::from_utf8(&v).ok()?.parse::<i64>().ok());
        }
        if self.success.is_none() {
            self.success = match field(line, b"success").as_deref() {
                Some(b"yes") => Some(1),
                Some(b"no") => Some(0),
                _ => match field(line, b"res").as_deref() {
                    Some(b"success") | Some(b"1") => Some(1),
                    Some(b"failed") | Some(b"0") => Some(0),
                    _ => None,
                },
            };
        }
    }
}

fn push_time(d: Dialect, sec: u64, msec: u32, out: &mut Vec<u8>) {
    match d {
        Dialect::Old => out.extend_from_slice(format!("\"time\":{sec},\"msec\":{msec}").as_bytes()),
        Dialect::New => out
            .extend_from_slice(format!("\"time\":\"{sec}.{msec:03}\",\"msec\":{msec}").as_bytes()),
    }
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or("null".into(), |v| v.to_string())
}

/// A record's place in the store as one orderable number: the segment
/// number times 2^40 plus the byte offset of the line (a segment stays
/// far below a terabyte), so `ORDER BY pos` gives the store's order.
pub fn store_pos(seg: u64, off: u64) -> u64 {
    (seg << 40) | (off & ((1 << 40) - 1))
}

/// Build the rows of `lines` (record lines of the store, each with its
/// [`store_pos`]), all of them; `batch` is the batch's id.
pub fn rows(d: Dialect, lines: &[(&[u8], u64)], batch: &str) -> Rows {
    let mut r = Rows::default();
    let mut events: Vec<EventRow> = Vec::new();
    let mut by_key: HashMap<(Vec<u8>, u64, u32, u64), usize> = HashMap::new();
    for &(l, pos) in lines {
        let Ok(h) = auditkit_event::header::parse_header(l) else {
            continue;
        };
        let node = h.node.map_or(&b""[..], |(s, e)| &l[s as usize..e as usize]);
        let typ = &l[h.type_tok.0 as usize..h.type_tok.1 as usize];
        let out = &mut r.records;
        out.extend_from_slice(b"{\"node\":");
        json_str(node, out);
        out.push(b',');
        push_time(d, h.id.sec, h.id.msec, out);
        out.extend_from_slice(format!(",\"serial\":{},\"type\":", h.id.serial).as_bytes());
        json_str(typ, out);
        let rid = (crate::store::record_key(l) >> 64) as u64;
        out.extend_from_slice(
            format!(
                ",\"rtype\":{},\"rid\":{rid},\"pos\":{pos},\"line\":",
                h.rtype.0
            )
            .as_bytes(),
        );
        json_str(l, out);
        out.extend_from_slice(b",\"batch\":");
        json_str(batch.as_bytes(), out);
        out.extend_from_slice(b"}\n");
        r.n_records += 1;
        let k = (node.to_vec(), h.id.sec, h.id.msec, h.id.serial);
        let i = *by_key.entry(k).or_insert_with(|| {
            events.push(EventRow {
                node: node.to_vec(),
                sec: h.id.sec,
                msec: h.id.msec,
                serial: h.id.serial,
                ..EventRow::default()
            });
            events.len() - 1
        });
        events[i].add(l, typ);
    }
    for e in &events {
        let out = &mut r.events;
        out.extend_from_slice(b"{\"node\":");
        json_str(&e.node, out);
        out.push(b',');
        push_time(d, e.sec, e.msec, out);
        out.extend_from_slice(format!(",\"serial\":{},\"type\":", e.serial).as_bytes());
        json_str(&e.typ, out);
        out.extend_from_slice(b",\"key\":");
        json_str(&e.key, out);
        // Values outside a column's range (a damaged record) are stored
        // as unknown rather than refused with the whole batch.
        let u32v = |v: Option<u64>| v.filter(|&x| x <= u64::from(u32::MAX));
        out.extend_from_slice(
            format!(
                ",\"auid\":{},\"uid\":{},\"exe\":",
                opt(&u32v(e.auid)),
                opt(&u32v(e.uid))
            )
            .as_bytes(),
        );
        json_str(&e.exe, out);
        out.extend_from_slice(b",\"comm\":");
        json_str(&e.comm, out);
        let sc = e.syscall.filter(|&s| i32::try_from(s).is_ok());
        out.extend_from_slice(
            format!(
                ",\"syscall\":{},\"success\":{},\"pid\":{},\"ppid\":{},\"records\":{},\"batch\":",
                opt(&sc),
                opt(&e.success),
                opt(&u32v(e.pid)),
                opt(&u32v(e.ppid)),
                e.records.min(u32::from(u16::MAX))
            )
            .as_bytes(),
        );
        json_str(batch.as_bytes(), out);
        out.extend_from_slice(b"}\n");
        r.n_events += 1;
    }
    r
}

/// How far in the store the sink is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Pos {
    seg: u64,
    off: u64,
}

const POS_FILE: &str = "clickhouse.pos";

fn read_pos(dir: &Path) -> Pos {
    std::fs::read_to_string(dir.join(POS_FILE))
        .ok()
        .and_then(|t| {
            let mut it = t.split_ascii_whitespace().map(str::parse::<u64>);
            match (it.next(), it.next()) {
                (Some(Ok(seg)), Some(Ok(off))) => Some(Pos { seg, off }),
                _ => None,
            }
        })
        .unwrap_or_default()
}

fn save_pos(dir: &Path, p: Pos) -> std::io::Result<()> {
    let tmp = dir.join("clickhouse.pos.tmp");
    let mut f = File::create(&tmp)?;
    f.write_all(format!("{} {}\n", p.seg, p.off).as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(POS_FILE))
}

/// Counters of the sink (also in the collector's log).
#[derive(Debug, Default)]
pub struct SinkStats {
    /// Records inserted.
    pub records: AtomicU64,
    /// Events inserted.
    pub events: AtomicU64,
    /// Inserts (batches) done.
    pub batches: AtomicU64,
    /// Failed attempts (retried).
    pub failures: AtomicU64,
}

/// The running sink: set `stop`, then join (it inserts what the store
/// holds first, trying for a few seconds).
pub struct Sink {
    /// Asks the thread to finish.
    pub stop: Arc<AtomicBool>,
    /// The thread.
    pub join: std::thread::JoinHandle<()>,
    /// Its counters.
    pub stats: Arc<SinkStats>,
}

fn log(msg: std::fmt::Arguments) {
    crate::writer::log(format_args!("clickhouse: {msg}"));
}

/// Start the sink over the store in `dir`. The schema is created first
/// (in the retry loop, so a ClickHouse that is not up yet is waited for).
pub fn spawn(url: Url, dir: PathBuf, batch: usize) -> std::io::Result<Sink> {
    let stop = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(SinkStats::default());
    let (s2, st2) = (stop.clone(), stats.clone());
    let join = std::thread::Builder::new()
        .name("collect-clickhouse".into())
        .spawn(move || run(&url, &dir, batch.max(1), &s2, &st2))?;
    Ok(Sink { stop, join, stats })
}

fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let t = Instant::now();
    while t.elapsed() < d && !stop.load(Relaxed) {
        std::thread::sleep(Duration::from_millis(20).min(d));
    }
}

/// Read up to `max` complete lines of the store from `p` (following
/// segments); the lines and the position after each.
fn read_lines(dir: &Path, p: Pos, max: usize) -> (Vec<Vec<u8>>, Vec<Pos>) {
    let mut lines = Vec::new();
    let mut ends = Vec::new();
    let segs = index::segments(dir).unwrap_or_default();
    let mut pos = p;
    for (n, size) in segs {
        if n < pos.seg {
            continue;
        }
        if n > pos.seg {
            pos = Pos { seg: n, off: 0 };
        }
        if size <= pos.off {
            continue;
        }
        let Ok(mut f) = File::open(dir.join(index::segment_name(n))) else {
            break;
        };
        let want = (size - pos.off).min(8 << 20);
        let mut buf = vec![0u8; want as usize];
        if f.seek(SeekFrom::Start(pos.off)).is_err() || f.read_exact(&mut buf).is_err() {
            break;
        }
        let mut start = 0;
        while let Some(i) = memchr::memchr(b'\n', &buf[start..]) {
            let l = &buf[start..start + i];
            start += i + 1;
            if !l.is_empty() {
                lines.push(l.to_vec());
                ends.push(Pos {
                    seg: n,
                    off: pos.off + start as u64,
                });
            } else if let Some(e) = ends.last_mut() {
                e.off = pos.off + start as u64;
            }
            if lines.len() >= max {
                return (lines, ends);
            }
        }
        if start as u64 + pos.off < size {
            // A batch still being written, or the read cap: stop here.
            break;
        }
        pos.off = size;
    }
    (lines, ends)
}

/// Where to cut a batch so the last event of each node waits for the
/// next one: the index of the first line of those events (all lines when
/// `flush`).
fn cut(lines: &[Vec<u8>], flush: bool) -> usize {
    if flush {
        return lines.len();
    }
    let mut last: HashMap<&[u8], (u64, u32, u64)> = HashMap::new();
    let mut keys = Vec::with_capacity(lines.len());
    for l in lines {
        let k = auditkit_event::header::parse_header(l).ok().map(|h| {
            let node = h.node.map_or(&b""[..], |(s, e)| &l[s as usize..e as usize]);
            (node, (h.id.sec, h.id.msec, h.id.serial))
        });
        if let Some((node, id)) = k {
            last.insert(node, id);
        }
        keys.push(k);
    }
    keys.iter()
        .position(|k| k.is_some_and(|(node, id)| last.get(node) == Some(&id)))
        .unwrap_or(lines.len())
}

fn run(url: &Url, dir: &Path, batch: usize, stop: &AtomicBool, stats: &SinkStats) {
    let mut delay = Duration::from_millis(200);
    let mut last_error = String::new();
    // The schema, once the server answers.
    let schema = loop {
        match Schema::detect(url).and_then(|s| s.create(url).map(|()| s)) {
            Ok(s) => {
                log(format_args!(
                    "server {}, {} dialect, database {}",
                    s.version,
                    s.dialect.name(),
                    url.database
                ));
                break s;
            }
            Err(e) => {
                let m = e.to_string();
                if m != last_error {
                    log(format_args!("{m}; retrying"));
                    last_error = m;
                }
                stats.failures.fetch_add(1, Relaxed);
                if stop.load(Relaxed) {
                    return;
                }
                sleep_unless(stop, delay);
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    };
    let mut pos = read_pos(dir);
    let mut quiet_since = Instant::now();
    let mut last_len = 0usize;
    let mut stop_deadline: Option<Instant> = None;
    loop {
        let stopping = stop.load(Relaxed);
        if stopping && stop_deadline.is_none() {
            stop_deadline = Some(Instant::now() + Duration::from_secs(5));
        }
        let (lines, ends) = read_lines(dir, pos, batch);
        if lines.len() != last_len {
            quiet_since = Instant::now();
            last_len = lines.len();
        }
        let flush = stopping || quiet_since.elapsed() >= Duration::from_secs(1);
        let n = if lines.len() >= batch {
            match cut(&lines, false) {
                0 => lines.len(),
                n => n,
            }
        } else {
            cut(&lines, flush)
        };
        if n == 0 {
            if stopping {
                return;
            }
            sleep_unless(stop, Duration::from_millis(100));
            continue;
        }
        let end = ends[n - 1];
        let id = format!("{}:{}-{}:{}", pos.seg, pos.off, end.seg, end.off);
        let refs: Vec<(&[u8], u64)> = lines[..n]
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let start = if i == 0 { pos } else { ends[i - 1] };
                // A line that opens a segment starts at its offset 0.
                let start = if start.seg != ends[i].seg {
                    Pos {
                        seg: ends[i].seg,
                        off: 0,
                    }
                } else {
                    start
                };
                (l.as_slice(), store_pos(start.seg, start.off))
            })
            .collect();
        let r = rows(schema.dialect, &refs, &id);
        match schema.insert(url, &r, &id) {
            Ok(()) => {
                stats.records.fetch_add(r.n_records as u64, Relaxed);
                stats.events.fetch_add(r.n_events as u64, Relaxed);
                stats.batches.fetch_add(1, Relaxed);
                if let Err(e) = save_pos(dir, end) {
                    log(format_args!("saving {POS_FILE}: {e}"));
                }
                pos = end;
                last_len = 0;
                delay = Duration::from_millis(200);
                if !last_error.is_empty() {
                    log(format_args!("inserting again"));
                    last_error.clear();
                }
            }
            Err(e) => {
                stats.failures.fetch_add(1, Relaxed);
                let m = e.to_string();
                if m != last_error {
                    log(format_args!(
                        "insert of batch {id} failed: {m}; retrying (the records are in the store)"
                    ));
                    last_error = m;
                }
                if stop_deadline.is_some_and(|d| Instant::now() >= d) {
                    log(format_args!(
                        "stopping with records not inserted yet; they go in at the next start"
                    ));
                    return;
                }
                sleep_unless(stop, delay);
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_rows() {
        let l: &[u8] = b"node=h1 type=SYSCALL msg=audit(1700000000.123:45): arch=c000003e syscall=59 success=yes exit=0 a0=1 ppid=10 pid=11 auid=1000 uid=0 gid=0 comm=\"ls\" exe=2F62696E2F6C73 key=\"exec\"";
        assert_eq!(field(l, b"comm").as_deref(), Some(&b"ls"[..]));
        assert_eq!(field(l, b"exe").as_deref(), Some(&b"/bin/ls"[..]));
        assert_eq!(field(l, b"pid").as_deref(), Some(&b"11"[..]));
        assert_eq!(field(l, b"uid").as_deref(), Some(&b"0"[..]));
        let p: &[u8] = b"node=h1 type=PATH msg=audit(1700000000.123:45): item=0 name=\"/bin/ls\"";
        let u: &[u8] = b"type=USER_LOGIN msg=audit(1700000001.000:46): pid=5 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=\"x\" exe=\"/usr/sbin/sshd\" res=failed'";
        let r = rows(Dialect::Old, &[(p, 1), (l, 2), (u, 3)], "0:0-1:2");
        assert_eq!((r.n_records, r.n_events), (3, 2));
        let ev = String::from_utf8(r.events).unwrap();
        let first = ev.lines().next().unwrap();
        assert!(first.contains("\"type\":\"SYSCALL\""), "{first}");
        assert!(first.contains("\"key\":\"exec\""), "{first}");
        assert!(
            first.contains("\"exe\":\"/bin/ls\",\"comm\":\"ls\""),
            "{first}"
        );
        assert!(
            first.contains("\"syscall\":59,\"success\":1,\"pid\":11,\"ppid\":10,\"records\":2"),
            "{first}"
        );
        let second = ev.lines().nth(1).unwrap();
        assert!(second.contains("\"node\":\"\""), "{second}");
        assert!(second.contains("\"success\":0"), "{second}");
        assert!(second.contains("\"exe\":\"/usr/sbin/sshd\""), "{second}");
        assert!(second.contains("\"auid\":4294967295"), "{second}");
    }

    #[test]
    fn the_last_event_of_each_node_waits() {
        let ls: Vec<Vec<u8>> = [
            &b"node=a type=SYSCALL msg=audit(1.000:1): x"[..],
            b"node=b type=SYSCALL msg=audit(1.000:7): x",
            b"node=a type=PATH msg=audit(1.000:1): x",
            b"node=a type=SYSCALL msg=audit(1.000:2): x",
            b"node=b type=PATH msg=audit(1.000:7): x",
        ]
        .iter()
        .map(|l| l.to_vec())
        .collect();
        // b's event 7 started at index 1: everything from there waits.
        assert_eq!(cut(&ls, false), 1);
        assert_eq!(cut(&ls, true), 5);
    }
}
