//! Reading a [`Plan`]: its sources one after the other, each from its
//! planned offset, through the bounded [`chunker`](crate::chunker), as an
//! iterator of [`Chunk`]s for the pipeline.
//!
//! A read error does not stop the run: what was read before it is used,
//! the error is kept in the shared [`Report`] (naming the source), and
//! reading goes on with the next source, as ausearch does with a file it
//! cannot open. The caller reports the errors and sets the exit status.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use auditkit_event::Chunk;

use crate::chunker::{Cutter, LongLine, DEFAULT_MAX_LINE};
use crate::error::Error;
use crate::follow::Follow;
use crate::input::{open, Source};
use crate::plan::{Plan, Planned};

/// What reading met, shared between the reader thread and the caller:
/// bytes read, errors, cut lines. Errors and cut lines are rare, so a lock
/// around them costs nothing; the byte count is read by progress lines
/// while the run goes on.
#[derive(Debug, Default)]
pub struct Report {
    bytes: AtomicU64,
    errors: Mutex<Vec<Error>>,
    long_lines: Mutex<Vec<LongLine>>,
    long_count: AtomicU64,
}

/// How many cut lines a [`Report`] keeps (all are counted): a file of
/// nothing but long lines must not grow the report without bound.
pub const LONG_LINES_KEPT: usize = 20;

impl Report {
    /// Bytes read so far (after decompression).
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub(crate) fn add_bytes(&self, n: usize) {
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn error(&self, e: Error) {
        if let Ok(mut v) = self.errors.lock() {
            v.push(e);
        }
    }

    pub(crate) fn long_line(&self, l: LongLine) {
        self.long_count.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut v) = self.long_lines.lock() {
            if v.len() < LONG_LINES_KEPT {
                v.push(l);
            }
        }
    }

    /// How many lines were cut in all.
    pub fn long_line_count(&self) -> u64 {
        self.long_count.load(Ordering::Relaxed)
    }

    /// The errors met since the last call, oldest first.
    pub fn take_errors(&self) -> Vec<Error> {
        self.errors
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }

    /// The first [`LONG_LINES_KEPT`] lines cut (since the last call), in
    /// the order they were read.
    pub fn take_long_lines(&self) -> Vec<LongLine> {
        self.long_lines
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// How to read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Lines longer than this are cut (see [`crate::chunker`]).
    pub max_line: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_line: DEFAULT_MAX_LINE,
        }
    }
}

/// Chunks of the planned sources, in order; a chunk's `source` is the
/// position of its source in `plan.read`.
pub struct Chunks {
    plan: Vec<Planned>,
    next: usize,
    cur: Option<(Box<dyn Read + Send>, Cutter, u32)>,
    opts: ReadOptions,
    report: Arc<Report>,
    /// Follow the last source when it is a plain file.
    follow: bool,
    following: Option<Follow>,
}

impl Chunks {
    /// Read `plan`, recording what happens in `report`.
    pub fn new(plan: &Plan, opts: ReadOptions, report: Arc<Report>) -> Chunks {
        Chunks {
            plan: plan.read.clone(),
            next: 0,
            cur: None,
            opts,
            report,
            follow: false,
            following: None,
        }
    }

    /// Do not end at the end of the last source when it is a plain file:
    /// follow it as [`Follow`] does (`--follow`), from exactly where
    /// reading stopped, with its partial last line still open. After a
    /// rotation the new file is source `plan.read.len()`.
    pub fn follow_last(mut self) -> Chunks {
        self.follow = true;
        self
    }

    fn open_next(&mut self) -> Option<()> {
        loop {
            let idx = self.next;
            let p = self.plan.get(idx)?;
            self.next += 1;
            let name = || p.source.display();
            let opened = if p.offset == 0 {
                open(&p.source)
            } else {
                match &p.source {
                    Source::File(path) => File::open(path).and_then(|mut f| {
                        f.seek(SeekFrom::Start(p.offset))?;
                        Ok(Box::new(f) as Box<dyn Read + Send>)
                    }),
                    Source::Stdin => open(&p.source),
                }
            };
            match opened {
                Ok(r) => {
                    let cutter = Cutter::new(idx as u32, self.opts.max_line, p.offset);
                    self.cur = Some((r, cutter, idx as u32));
                    return Some(());
                }
                Err(error) => self.report.error(Error::Open {
                    name: name(),
                    error,
                }),
            }
        }
    }
}

impl Iterator for Chunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        if let Some(f) = self.following.as_mut() {
            return f.next();
        }
        loop {
            if self.cur.is_none() {
                self.open_next()?;
            }
            let (reader, cutter, src) = self.cur.as_mut()?;
            let src = *src;
            let mut buf = cutter.buffer();
            let start = buf.len();
            // read_to_end on a Take reads into the spare capacity without
            // zeroing it first.
            let (n, failed) = match reader
                .by_ref()
                .take(cutter.block_size() as u64)
                .read_to_end(&mut buf)
            {
                Ok(n) => (n, false),
                Err(source) => {
                    let name = self
                        .plan
                        .get(src as usize)
                        .map_or_else(String::new, |p| p.source.display());
                    self.report.error(Error::Read {
                        name,
                        error: source,
                    });
                    // What read_to_end got before the error is in `buf`;
                    // the source ends there (reading again could fail for
                    // ever).
                    (buf.len() - start, true)
                }
            };
            buf.truncate(start + n);
            self.report.add_bytes(n);
            let report = &self.report;
            let mut long = |l| report.long_line(l);
            let data = if n == 0 && self.follow && self.next == self.plan.len() {
                // The last source: follow it if it is a plain file.
                cutter.restore(buf);
                let (_, cutter, src) = self.cur.take()?;
                let planned = self.plan.get(src as usize);
                if let Some(path) = planned.and_then(|p| p.source.plain_file()) {
                    let rotated = self.plan.len() as u32;
                    let max = self.opts.max_line;
                    let report = self.report.clone();
                    let f = Follow::resume(path.to_path_buf(), cutter, src, rotated, max, report);
                    return self.following.insert(f).next();
                }
                let mut cutter = cutter;
                cutter.finish(&mut |l| report.long_line(l))
            } else if n == 0 {
                // End of this source: whatever is carried is its last line.
                cutter.restore(buf);
                let rest = cutter.finish(&mut long);
                self.cur = None;
                rest
            } else if failed {
                let mut data = cutter.cut(buf, start, &mut long).unwrap_or_default();
                data.extend(cutter.finish(&mut long).unwrap_or_default());
                self.cur = None;
                (!data.is_empty()).then_some(data)
            } else {
                cutter.cut(buf, start, &mut long)
            };
            if let Some(data) = data {
                // Lines are numbered by the assembler (first_line 0), from
                // the parse workers' counts: no second pass over the bytes.
                return Some(Chunk {
                    data,
                    source: src,
                    first_line: 0,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str, data: &[u8]) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("ak-read-{tag}-{}", std::process::id()));
        std::fs::write(&p, data).unwrap();
        p
    }

    fn read_all(plan: &Plan, max_line: usize) -> (Vec<Chunk>, Arc<Report>) {
        let report = Arc::new(Report::default());
        let chunks = Chunks::new(plan, ReadOptions { max_line }, report.clone()).collect();
        (chunks, report)
    }

    #[test]
    fn last_line_without_newline_is_kept() {
        let p = tmp("nonl", b"type=EOE msg=audit(1.000:1): ");
        let (chunks, report) = read_all(&Plan::whole(vec![Source::File(p.clone())]), 1 << 20);
        let data: Vec<u8> = chunks.into_iter().flat_map(|c| c.data).collect();
        assert_eq!(data, b"type=EOE msg=audit(1.000:1): ");
        assert_eq!(report.bytes(), 29);
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn sources_in_order_with_errors_named() {
        let a = tmp("a", b"1\n2\n");
        let missing = std::env::temp_dir().join("ak-read-does-not-exist");
        let plan = Plan::whole(vec![
            Source::File(a.clone()),
            Source::File(missing.clone()),
            Source::File(a.clone()),
        ]);
        let (chunks, report) = read_all(&plan, 1 << 20);
        let got: Vec<(u32, Vec<u8>)> = chunks.into_iter().map(|c| (c.source, c.data)).collect();
        assert_eq!(got, vec![(0, b"1\n2\n".to_vec()), (2, b"1\n2\n".to_vec())]);
        let errs = report.take_errors();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().contains("ak-read-does-not-exist"));
        let _ = std::fs::remove_file(a);
    }

    #[test]
    fn long_lines_are_cut_and_reported_per_source() {
        let mut data = b"short\n".to_vec();
        data.extend(vec![b'x'; 5000]);
        data.extend_from_slice(b"\nafter\n");
        let p = tmp("long", &data);
        let (chunks, report) = read_all(&Plan::whole(vec![Source::File(p.clone())]), 100);
        let out: Vec<u8> = chunks.into_iter().flat_map(|c| c.data).collect();
        assert_eq!(out.len(), 6 + 101 + 6);
        let longs = report.take_long_lines();
        assert_eq!(longs.len(), 1);
        assert_eq!((longs[0].offset, longs[0].len), (6, 5000));
        // The offset names line 2 of the file.
        assert_eq!(
            crate::input::lines_before(&Source::File(p.clone()), longs[0].offset),
            Some(1)
        );
        let _ = std::fs::remove_file(p);
    }

    /// Following goes on from the exact byte where reading stopped, with
    /// the partial last line still open: before, the follow started at the
    /// file's length taken before the search (bytes written during the
    /// search were read twice), and the partial line was passed on as a
    /// line of its own and its end as another.
    #[test]
    fn follow_last_resumes_where_reading_stopped() {
        let p = tmp("follow", b"a\nb");
        let plan = Plan::whole(vec![Source::File(p.clone())]);
        let report = Arc::new(Report::default());
        let mut c = Chunks::new(&plan, ReadOptions::default(), report.clone()).follow_last();
        assert_eq!(c.next().unwrap().data, b"a\n");
        assert!(c.next().unwrap().data.is_empty(), "a tick while idle");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .and_then(|mut w| std::io::Write::write_all(&mut w, b"c\nd\n"))
            .unwrap();
        let next = c.next().unwrap();
        assert_eq!((next.data.as_slice(), next.source), (&b"bc\nd\n"[..], 0));
        assert!(report.take_errors().is_empty());
        let _ = std::fs::remove_file(p);
    }
}
