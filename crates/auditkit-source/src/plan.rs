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

use auditkit_event::header::parse_header;

use crate::input::{lines_before, Source};

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

impl Planned {
    /// Read all of a source.
    pub fn whole(source: Source) -> Planned {
        Planned { source, offset: 0 }
    }

    /// Number of lines before [`offset`](Self::offset), so that line
    /// numbers counted from the seek point can be told as the file's own
    /// (`--debug`, messages). Counting reads the part the seek skipped, so
    /// it is done only when a message needs it, not for every search.
    /// `None` when the source cannot be read again.
    pub fn lines_before_offset(&self) -> Option<u64> {
        if self.offset == 0 {
            return Some(0);
        }
        lines_before(&self.source, self.offset)
    }
}

impl Plan {
    /// Read every source whole, in order.
    pub fn whole(sources: Vec<Source>) -> Plan {
        Plan {
            read: sources.into_iter().map(Planned::whole).collect(),
            skipped: Vec::new(),
        }
    }

    /// The names of the sources to read, by source index.
    pub fn names(&self) -> Vec<String> {
        self.read.iter().map(|p| p.source.display()).collect()
    }

    /// Bytes still to read when every planned source is a plain file of
    /// known size (for a progress line); `None` for pipes and compressed
    /// files, whose decompressed size is not known up front.
    pub fn total_bytes(&self) -> Option<u64> {
        let mut total = 0u64;
        for p in &self.read {
            let path = p.source.plain_file()?;
            let len = std::fs::metadata(path).ok()?.len();
            total += len.saturating_sub(p.offset);
        }
        Some(total)
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
        return Plan::whole(sources);
    }
    let starts: Vec<Option<u64>> = sources
        .iter()
        .map(|s| s.plain_file().and_then(first_time))
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
            s.plain_file()
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
