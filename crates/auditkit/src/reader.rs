//! Reading only what a `-ts` search needs.
//!
//! A rotated log set is oldest first (`audit.log.4` ... `audit.log`). A
//! file whose *successor* starts before the start time ends before it, so
//! it is skipped without being read: only its successor's first line is
//! read, as audit 4.x does. Inside the first file that is needed, the
//! start is found by binary search on line boundaries (records are in
//! time order, give or take a few seconds, so the search aims a minute
//! early) and reading starts there. Records before the start time are
//! dropped before assembly anyway (ausearch's semantics), so the output is
//! the same as reading everything.
//!
//! Compressed files and standard input are read whole.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use auditkit_event::chunk::split_at_last_newline;
use auditkit_event::header::parse_header;
use auditkit_event::Chunk;

use crate::input::{Blocks, Source, BLOCK_SIZE};

/// How far before the start time the in-file search aims, for records
/// slightly out of order.
const SEEK_SLACK: i64 = 60;

/// One source and where to start reading it.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The source.
    pub source: Source,
    /// Byte offset to start at (a line boundary), 0 for all of it.
    pub offset: u64,
}

/// What planning decided, for `--stats`.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Sources to read, in order.
    pub read: Vec<Planned>,
    /// Sources skipped entirely.
    pub skipped: Vec<Source>,
}

fn is_plain_file(s: &Source) -> Option<&Path> {
    match s {
        Source::File(p) => {
            let n = p.to_string_lossy();
            (!n.ends_with(".gz") && !n.ends_with(".zst")).then_some(p.as_path())
        }
        Source::Stdin => None,
    }
}

/// Time of the first record at or after byte `pos` (starting at the next
/// line boundary unless `pos` is 0), and that line's offset.
fn first_time_from(f: &mut File, pos: u64, len: u64) -> io::Result<Option<(u64, u64)>> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut at = pos;
    let mut skip_partial = pos != 0;
    while at < len {
        f.seek(SeekFrom::Start(at))?;
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let data = &buf[..n];
        let mut p = 0usize;
        if skip_partial {
            match memchr::memchr(b'\n', data) {
                Some(i) => p = i + 1,
                None => {
                    at += n as u64;
                    continue;
                }
            }
            skip_partial = false;
        }
        while p < data.len() {
            let Some(e) = memchr::memchr(b'\n', &data[p..]) else {
                break;
            };
            if let Ok(h) = parse_header(&data[p..p + e]) {
                return Ok(Some((h.id.sec, at + p as u64)));
            }
            p += e + 1;
        }
        if p == 0 {
            // A line longer than the buffer: skip it.
            skip_partial = true;
            at += n as u64;
        } else {
            at += p as u64;
        }
    }
    Ok(None)
}

fn first_time(p: &Path) -> Option<u64> {
    let mut f = File::open(p).ok()?;
    let len = f.metadata().ok()?.len();
    first_time_from(&mut f, 0, len).ok().flatten().map(|t| t.0)
}

/// Offset of a line at or before the first record with time >= `start`.
fn seek_offset(p: &Path, start: i64) -> Option<u64> {
    let target = (start - SEEK_SLACK).max(0) as u64;
    let mut f = File::open(p).ok()?;
    let len = f.metadata().ok()?.len();
    let (mut lo, mut hi) = (0u64, len);
    // Invariant: the first record at/after lo is < target (or lo = 0).
    while hi - lo > 256 * 1024 {
        let mid = lo + (hi - lo) / 2;
        match first_time_from(&mut f, mid, len).ok()? {
            Some((t, _)) if t < target => lo = mid,
            _ => hi = mid,
        }
    }
    if lo == 0 {
        return Some(0);
    }
    first_time_from(&mut f, lo, len).ok()?.map(|(_, off)| off)
}

/// Plan the reading of `sources` for a search starting at `start` (epoch
/// seconds, 0 for none).
pub fn plan(sources: Vec<Source>, start: i64) -> Plan {
    let mut out = Plan::default();
    if start <= 0 {
        out.read = sources
            .into_iter()
            .map(|source| Planned { source, offset: 0 })
            .collect();
        return out;
    }
    let starts: Vec<Option<u64>> = sources
        .iter()
        .map(|s| is_plain_file(s).and_then(first_time))
        .collect();
    let mut first_needed = true;
    for (i, s) in sources.iter().enumerate() {
        let next_start = starts.get(i + 1).copied().flatten();
        let same_set = matches!(
            (s, sources.get(i + 1)),
            (Source::File(_), Some(Source::File(_)))
        );
        if first_needed && same_set && next_start.is_some_and(|t| (t as i64) < start) {
            out.skipped.push(s.clone());
            continue;
        }
        let offset = if first_needed {
            is_plain_file(s)
                .and_then(|p| seek_offset(p, start))
                .unwrap_or(0)
        } else {
            0
        };
        first_needed = false;
        out.read.push(Planned {
            source: s.clone(),
            offset,
        });
    }
    out
}

/// Chunks of the planned sources, in order; source indexes are positions
/// in `plan.read`.
pub struct PlannedBlocks {
    plan: Vec<Planned>,
    next: usize,
    cur: Option<Cur>,
    /// I/O errors, as `input::Blocks` records them.
    pub errors: Arc<Mutex<Vec<String>>>,
    /// Bytes read (after decompression).
    pub bytes: Arc<AtomicU64>,
}

fn record_error(
    errors: &Mutex<Vec<String>>,
    plan: &[Planned],
    idx: u32,
    e: impl std::fmt::Display,
) {
    if let Ok(mut v) = errors.lock() {
        let name = plan
            .get(idx as usize)
            .map_or_else(String::new, |p| p.source.display());
        v.push(format!("{name}: {e}"));
    }
}

enum Cur {
    Whole(Blocks, u32),
    At(File, u32, Vec<u8>),
}

impl PlannedBlocks {
    /// Read the planned sources.
    pub fn new(plan: Vec<Planned>) -> PlannedBlocks {
        PlannedBlocks {
            plan,
            next: 0,
            cur: None,
            errors: Arc::new(Mutex::new(Vec::new())),
            bytes: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Bytes still to read when every planned source is a plain file of
    /// known size (for the progress line); `None` for pipes and
    /// compressed files, whose decompressed size is not known up front.
    pub fn total_bytes(&self) -> Option<u64> {
        let mut total = 0u64;
        for p in &self.plan {
            let path = is_plain_file(&p.source)?;
            let len = std::fs::metadata(path).ok()?.len();
            total += len.saturating_sub(p.offset);
        }
        Some(total)
    }

    fn error(&self, idx: u32, e: impl std::fmt::Display) {
        record_error(&self.errors, &self.plan, idx, e);
    }
}

impl Iterator for PlannedBlocks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        loop {
            if self.cur.is_none() {
                let idx = self.next;
                let p = self.plan.get(idx)?.clone();
                self.next += 1;
                let idx = idx as u32;
                if p.offset == 0 {
                    let b = Blocks::new(vec![p.source]);
                    self.cur = Some(Cur::Whole(b, idx));
                } else if let Source::File(path) = &p.source {
                    match File::open(path).and_then(|mut f| {
                        f.seek(SeekFrom::Start(p.offset))?;
                        Ok(f)
                    }) {
                        Ok(f) => self.cur = Some(Cur::At(f, idx, Vec::new())),
                        Err(e) => {
                            self.error(idx, e);
                            continue;
                        }
                    }
                }
            }
            match self.cur.as_mut()? {
                Cur::Whole(b, idx) => {
                    let idx = *idx;
                    match b.next() {
                        Some(mut c) => {
                            self.bytes.fetch_add(c.data.len() as u64, Ordering::Relaxed);
                            c.source = idx;
                            return Some(c);
                        }
                        None => {
                            let errs = b.errors.lock().map(|e| e.clone()).unwrap_or_default();
                            if let Ok(mut v) = self.errors.lock() {
                                v.extend(errs);
                            }
                            self.cur = None;
                        }
                    }
                }
                Cur::At(f, idx, carry) => {
                    let idx = *idx;
                    let mut buf = std::mem::take(carry);
                    let start = buf.len();
                    buf.resize(start + BLOCK_SIZE, 0);
                    let (n, failed) = match f.read(&mut buf[start..]) {
                        Ok(n) => (n, None),
                        Err(e) => (0, Some(e)),
                    };
                    if let Some(e) = failed {
                        record_error(&self.errors, &self.plan, idx, e);
                    }
                    buf.truncate(start + n);
                    self.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    if n == 0 {
                        self.cur = None;
                        if buf.is_empty() {
                            continue;
                        }
                        return Some(Chunk {
                            data: buf,
                            source: idx,
                            first_line: 0,
                        });
                    }
                    let cut = split_at_last_newline(&buf);
                    if cut == 0 {
                        *carry = buf;
                        continue;
                    }
                    *carry = buf[cut..].to_vec();
                    buf.truncate(cut);
                    return Some(Chunk {
                        data: buf,
                        source: idx,
                        first_line: 0,
                    });
                }
            }
        }
    }
}
