//! The store's index: for each block of a segment, its byte range, the
//! range of record times in it and the nodes it holds, so a search with
//! `-ts`/`-te` (or, later, a node) reads only the segments it needs.
//!
//! One text line per closed block, appended to `DIR/index`:
//!
//! ```text
//! v1 SEGMENT OFFSET LEN MIN_SEC MAX_SEC RECORDS NODES
//! ```
//!
//! `NODES` is a comma-separated list, `-` for records without `node=`,
//! `*` when the block had more than [`MAX_NODES`] names. The index is
//! derived data: the segments are the truth. So it is not fsynced with
//! the records, and readers follow one rule that keeps a lost or torn
//! index line harmless: **bytes of a segment that no entry covers are
//! read**. At start the writer rescans those bytes and indexes them again.
//!
//! This module has no runtime and does only plain file reads, so the
//! binary's `search --store` uses it without the receiver.

use std::io;
use std::path::{Path, PathBuf};

/// Above this many nodes in one block, the entry says `*` (any).
pub const MAX_NODES: usize = 32;

/// The index file's name inside the store directory.
pub const INDEX_FILE: &str = "index";

/// One block of one segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The segment's number (`seg-NUMBER.log`).
    pub segment: u64,
    /// Where the block starts in the segment.
    pub offset: u64,
    /// Its length in bytes (whole lines).
    pub len: u64,
    /// Smallest and largest record second in it (0, 0 when it holds no
    /// record with a time).
    pub min_sec: u64,
    /// See `min_sec`.
    pub max_sec: u64,
    /// Number of lines.
    pub records: u64,
    /// The `node=` names, `None` when there were too many to list.
    pub nodes: Option<Vec<String>>,
}

impl Entry {
    /// The line written to the index (with its `\n`).
    pub fn to_line(&self) -> String {
        let nodes = match &self.nodes {
            None => "*".to_string(),
            Some(v) if v.is_empty() => "-".to_string(),
            Some(v) => v.join(","),
        };
        format!(
            "v1 {} {} {} {} {} {} {}\n",
            self.segment, self.offset, self.len, self.min_sec, self.max_sec, self.records, nodes
        )
    }

    /// Parse one index line; `None` for anything else (a torn line).
    pub fn parse(line: &str) -> Option<Entry> {
        let mut w = line.split(' ');
        if w.next()? != "v1" {
            return None;
        }
        let mut n = || w.next()?.parse::<u64>().ok();
        let (segment, offset, len, min_sec, max_sec, records) =
            (n()?, n()?, n()?, n()?, n()?, n()?);
        let nodes = match w.next()? {
            "*" => None,
            "-" => Some(Vec::new()),
            s => Some(s.split(',').map(str::to_string).collect()),
        };
        if w.next().is_some() {
            return None;
        }
        Some(Entry {
            segment,
            offset,
            len,
            min_sec,
            max_sec,
            records,
            nodes,
        })
    }

    /// Whether the block may hold records in the inclusive range.
    pub fn overlaps(&self, lo: u64, hi: u64) -> bool {
        self.records > 0 && self.max_sec >= lo && self.min_sec <= hi
    }
}

/// The name of segment `n`.
pub fn segment_name(n: u64) -> String {
    format!("seg-{n:010}.log")
}

/// The number in a segment's file name.
pub fn segment_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("seg-")?.strip_suffix(".log")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The segments of a store, by number, with their sizes.
pub fn segments(dir: &Path) -> io::Result<Vec<(u64, u64)>> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        if let Some(n) = name.to_str().and_then(segment_number) {
            v.push((n, e.metadata()?.len()));
        }
    }
    v.sort_unstable();
    Ok(v)
}

/// The index entries that parse, in file order (torn or foreign lines
/// are skipped; see the module comment for why that is safe).
pub fn read_entries(dir: &Path) -> io::Result<Vec<Entry>> {
    let text = match std::fs::read(dir.join(INDEX_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .split(|&b| b == b'\n')
        .filter_map(|l| std::str::from_utf8(l).ok())
        .filter_map(Entry::parse)
        .collect())
}

/// The segment files a reader of the inclusive second range `range`
/// (all when `None`) must open, oldest first. A segment is skipped only
/// when index entries cover every byte of it and none overlaps the range.
pub fn files_for(dir: &Path, range: Option<(u64, u64)>) -> io::Result<Vec<PathBuf>> {
    let entries = read_entries(dir)?;
    let mut out = Vec::new();
    for (seg, size) in segments(dir)? {
        if size == 0 {
            continue;
        }
        let needed = match range {
            None => true,
            Some((lo, hi)) => {
                let mine: Vec<&Entry> = entries.iter().filter(|e| e.segment == seg).collect();
                !covers(&mine, size) || mine.iter().any(|e| e.overlaps(lo, hi))
            }
        };
        if needed {
            out.push(dir.join(segment_name(seg)));
        }
    }
    Ok(out)
}

/// Whether `entries` (of one segment) cover `0..size` without a gap.
pub fn covers(entries: &[&Entry], size: u64) -> bool {
    covered_prefix(entries) >= size
}

/// How far from offset 0 the entries cover a segment without a gap.
pub fn covered_prefix(entries: &[&Entry]) -> u64 {
    let mut spans: Vec<(u64, u64)> = entries
        .iter()
        .map(|e| (e.offset, e.offset.saturating_add(e.len)))
        .collect();
    spans.sort_unstable();
    let mut end = 0;
    for (s, e) in spans {
        if s > end {
            break;
        }
        end = end.max(e);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seg: u64, off: u64, len: u64, lo: u64, hi: u64) -> Entry {
        Entry {
            segment: seg,
            offset: off,
            len,
            min_sec: lo,
            max_sec: hi,
            records: 1,
            nodes: Some(vec!["a".into(), "b".into()]),
        }
    }

    #[test]
    fn lines_round_trip_and_torn_lines_are_refused() {
        let e = entry(3, 10, 20, 100, 200);
        let l = e.to_line();
        assert_eq!(l, "v1 3 10 20 100 200 1 a,b\n");
        assert_eq!(Entry::parse(l.trim_end()), Some(e));
        assert_eq!(Entry::parse("v1 3 10 20 100"), None);
        assert_eq!(Entry::parse("v1 3 10 20 100 200 1 a b"), None);
        let any = Entry {
            nodes: None,
            ..entry(1, 0, 1, 0, 0)
        };
        assert_eq!(Entry::parse(any.to_line().trim_end()), Some(any));
    }

    #[test]
    fn gaps_are_not_covered() {
        let a = entry(1, 0, 10, 0, 0);
        let b = entry(1, 10, 5, 0, 0);
        let c = entry(1, 20, 5, 0, 0);
        assert!(covers(&[&b, &a], 15));
        assert!(!covers(&[&a, &c], 25));
        assert_eq!(covered_prefix(&[&a, &c]), 10);
        assert!(!covers(&[], 1));
    }

    #[test]
    fn segment_names() {
        assert_eq!(segment_name(7), "seg-0000000007.log");
        assert_eq!(segment_number("seg-0000000007.log"), Some(7));
        assert_eq!(segment_number("seg-.log"), None);
        assert_eq!(segment_number("seg-1x.log"), None);
    }
}
