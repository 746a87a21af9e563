//! `--follow`: keep reading a growing log, across rotation.
//!
//! [`Chunks`](crate::read::Chunks) reads a file to its end and moves on;
//! following needs a reader that waits at the end instead, notices when
//! auditd rotates the log (the path now names a new file: another inode,
//! or a file shorter than what was read), drains the old file to its end,
//! and then continues with the new file from its start. This is that
//! reader, as a chunk iterator; it ends only on an error, which it records
//! in the [`Report`] (a read error is not "no data": before, a failing
//! read was taken for an idle file and the follow went on silently for
//! ever).
//!
//! While nothing new arrives it yields an empty chunk every poll interval
//! so the pipeline can complete events that have waited long enough (see
//! `Config::live` in `auditkit_event::pipeline`).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use auditkit_event::Chunk;

use crate::chunker::Cutter;
use crate::error::Error;
use crate::read::Report;

/// How often to look for new data.
pub const POLL: Duration = Duration::from_millis(200);

/// Tails one path.
pub struct Follow {
    path: PathBuf,
    file: Option<(File, u64)>,
    pos: u64,
    cutter: Cutter,
    max_line: usize,
    source: u32,
    /// Source index for the files that replace the first at rotation.
    rotated_source: u32,
    /// `first_line` of the next chunk (1 after a rotation, else 0: the
    /// assembler numbers on).
    first_line: u64,
    report: Arc<Report>,
    failed: bool,
}

impl Follow {
    /// Follow `path` from `offset` (the end of what was already read), as
    /// source `source`; after a rotation the new file is source
    /// `rotated_source` (its lines are numbered from 1). Lines longer than
    /// `max_line` are cut as [`crate::chunker`] says; errors go to `report`.
    pub fn new(
        path: PathBuf,
        offset: u64,
        source: u32,
        rotated_source: u32,
        max_line: usize,
        report: Arc<Report>,
    ) -> Follow {
        let cutter = Cutter::new(source, max_line, offset);
        Follow::resume(path, cutter, source, rotated_source, max_line, report)
    }

    /// Go on from where a reader's cutter stopped: the partial line it
    /// carries is completed by what auditd writes next, and no byte is read
    /// twice or skipped between the search and the follow.
    pub(crate) fn resume(
        path: PathBuf,
        cutter: Cutter,
        source: u32,
        rotated_source: u32,
        max_line: usize,
        report: Arc<Report>,
    ) -> Follow {
        let offset = cutter.consumed();
        let mut f = Follow {
            file: None,
            pos: offset,
            cutter,
            max_line,
            source,
            rotated_source,
            first_line: 0,
            report,
            failed: false,
            path,
        };
        match File::open(&f.path).and_then(|mut file| {
            let ino = file.metadata()?.ino();
            file.seek(SeekFrom::Start(offset))?;
            Ok((file, ino))
        }) {
            Ok(open) => f.file = Some(open),
            // Rotated away between the search and the follow: the new
            // file is picked up at the next poll.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => f.fail(Error::Open {
                name: f.path.display().to_string(),
                error: e,
            }),
        }
        f
    }

    fn fail(&mut self, e: Error) {
        self.report.error(e);
        self.failed = true;
    }

    /// New bytes, `Ok(None)` at the end of the file for now.
    fn read_some(&mut self) -> io::Result<Option<Vec<u8>>> {
        let Some((f, _)) = self.file.as_mut() else {
            return Ok(None);
        };
        let mut buf = self.cutter.buffer();
        let start = buf.len();
        let n = match f
            .by_ref()
            .take(self.cutter.block_size() as u64)
            .read_to_end(&mut buf)
        {
            Ok(n) => n,
            Err(e) => {
                // Keep what was carried and what came before the error.
                self.cutter.restore(buf);
                return Err(e);
            }
        };
        if n == 0 {
            // Keep the partial line: auditd may be writing it.
            self.cutter.restore(buf);
            return Ok(None);
        }
        self.pos += n as u64;
        let report = &self.report;
        Ok(Some(
            self.cutter
                .cut(buf, start, &mut |l| report.long_line(l))
                .unwrap_or_default(),
        ))
    }

    /// Whether the path now names another file than the one open.
    fn rotated(&self) -> bool {
        match (std::fs::metadata(&self.path), &self.file) {
            (Ok(md), Some((_, ino))) => md.ino() != *ino || md.len() < self.pos,
            (Ok(_), None) => true,
            _ => false,
        }
    }

    fn chunk(&mut self, data: Vec<u8>) -> Chunk {
        Chunk {
            data,
            source: self.source,
            first_line: std::mem::take(&mut self.first_line),
        }
    }
}

impl Iterator for Follow {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        loop {
            if self.failed {
                return None;
            }
            match self.read_some() {
                Ok(Some(d)) if d.is_empty() => continue,
                Ok(Some(d)) => return Some(self.chunk(d)),
                Ok(None) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let name = self.path.display().to_string();
                    self.fail(Error::Read { name, error: e });
                    // The old file's partial last line still counts.
                    let report = &self.report;
                    let rest = self.cutter.finish(&mut |l| report.long_line(l));
                    return rest.map(|d| self.chunk(d));
                }
            }
            if self.rotated() {
                // The old file is complete: its partial last line too.
                let report = &self.report;
                let rest = self.cutter.finish(&mut |l| report.long_line(l));
                let last = rest.map(|d| self.chunk(d));
                match File::open(&self.path).and_then(|f| Ok((f.metadata()?.ino(), f))) {
                    Ok((ino, f)) => self.file = Some((f, ino)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => self.file = None,
                    Err(e) => {
                        let name = self.path.display().to_string();
                        self.fail(Error::Open { name, error: e });
                    }
                }
                self.pos = 0;
                self.source = self.rotated_source;
                self.cutter = Cutter::new(self.source, self.max_line, 0);
                self.first_line = 1;
                if let Some(c) = last {
                    return Some(c);
                }
                continue;
            }
            std::thread::sleep(POLL);
            return Some(Chunk {
                data: Vec::new(),
                source: self.source,
                first_line: 0,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ak-follow-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Issue 8, item 7: a read error used to be taken for "no data yet",
    /// so the follow went on for ever without a word. Here the followed
    /// path is replaced by a directory, whose reads fail (EISDIR): the
    /// error is reported and the follow ends.
    #[test]
    fn read_error_is_reported_not_taken_for_no_data() {
        let d = tmp("err");
        let log = d.join("audit.log");
        std::fs::write(&log, "type=EOE msg=audit(1.000:1): \n").unwrap();
        let report = Arc::new(Report::default());
        let mut f = Follow::new(log.clone(), 0, 0, 1, 1 << 20, report.clone());
        let first = f.next().unwrap();
        assert_eq!(first.data, b"type=EOE msg=audit(1.000:1): \n");
        std::fs::remove_file(&log).unwrap();
        std::fs::create_dir(&log).unwrap();
        let mut ended = false;
        for _ in 0..20 {
            match f.next() {
                None => {
                    ended = true;
                    break;
                }
                Some(c) => assert!(c.data.is_empty()),
            }
        }
        assert!(ended, "the follow went on after a read error");
        let errs = report.take_errors();
        assert_eq!(errs.len(), 1, "{errs:?}");
        let msg = errs[0].to_string();
        assert!(
            msg.contains("audit.log") && msg.contains("directory"),
            "{msg}"
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn follows_growth_and_rotation() {
        let d = tmp("rot");
        let log = d.join("audit.log");
        std::fs::write(&log, "a\nb").unwrap();
        let report = Arc::new(Report::default());
        let mut f = Follow::new(log.clone(), 0, 0, 1, 1 << 20, report.clone());
        assert_eq!(f.next().unwrap().data, b"a\n");
        // The partial line waits for its end.
        assert!(f.next().unwrap().data.is_empty());
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .and_then(|mut w| std::io::Write::write_all(&mut w, b"c\n"))
            .unwrap();
        assert_eq!(f.next().unwrap().data, b"bc\n");
        std::fs::rename(&log, d.join("audit.log.1")).unwrap();
        std::fs::write(&log, "new\n").unwrap();
        let c = f.next().unwrap();
        assert_eq!(
            (c.data.as_slice(), c.source, c.first_line),
            (&b"new\n"[..], 1, 1)
        );
        assert!(report.take_errors().is_empty());
        let _ = std::fs::remove_dir_all(&d);
    }
}
