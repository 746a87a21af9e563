//! The forwarder's queue on disk: what it read from auditd and the
//! collector has not acked yet, so a collector outage or a restart of the
//! forwarder loses nothing (audisp-remote keeps its queue in memory by
//! default and drops it when it exits).
//!
//! Layout of the directory:
//! - `q-NNNNNNNNNNNNNNNNNNNN.log`: segments of record lines, one per line
//!   (`\n` ends each), appended in batches, each batch `fdatasync`ed
//!   before it counts as accepted;
//! - `head`: `SEGMENT OFFSET\n`, the position before the oldest record
//!   not yet acked, replaced atomically (write, fsync, rename, fsync of
//!   the directory). It is saved now and then, not per ack: after a crash
//!   the records between the saved head and the real one are sent again,
//!   and the collector drops them as resends.
//!
//! A crash in the middle of an append leaves a torn tail after the last
//! `\n` of the last segment; [`Queue::open`] cuts it (that batch was never
//! accepted: its fsync had not returned). The queue is bounded by bytes:
//! [`Queue::append`] refuses a batch that does not fit, and the caller
//! waits for acks to make room (back pressure on auditd's dispatcher).

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// A place in the queue: a segment and a byte offset in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    /// The segment's number.
    pub seg: u64,
    /// Bytes into it.
    pub off: u64,
}

/// Why the queue failed.
#[derive(Debug, Error)]
pub enum QueueError {
    /// A file operation failed.
    #[error("{what} {path}: {err}")]
    Io {
        /// What was done.
        what: &'static str,
        /// On which file.
        path: PathBuf,
        /// The error.
        err: io::Error,
    },
    /// The batch does not fit under the bound now.
    #[error("queue full ({used} of {max} bytes)")]
    Full {
        /// Bytes held.
        used: u64,
        /// The bound.
        max: u64,
    },
    /// The `head` file is not `SEGMENT OFFSET`.
    #[error("{0}: not a queue head (SEGMENT OFFSET)")]
    BadHead(PathBuf),
}

fn io_err<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> QueueError + 'a {
    move |err| QueueError::Io {
        what,
        path: path.to_path_buf(),
        err,
    }
}

/// The name of segment `n`.
pub fn segment_name(n: u64) -> String {
    format!("q-{n:020}.log")
}

fn segment_number(name: &str) -> Option<u64> {
    name.strip_prefix("q-")?.strip_suffix(".log")?.parse().ok()
}

/// The segments in a queue directory with their sizes, in order.
pub fn segments(dir: &Path) -> Result<Vec<(u64, u64)>, QueueError> {
    let mut v = Vec::new();
    for e in fs::read_dir(dir).map_err(io_err("read", dir))? {
        let e = e.map_err(io_err("read", dir))?;
        let Some(n) = e.file_name().to_str().and_then(segment_number) else {
            continue;
        };
        let len = e.metadata().map_err(io_err("stat", &e.path()))?.len();
        v.push((n, len));
    }
    v.sort_unstable();
    Ok(v)
}

/// Read the saved head of a queue directory (`None`: none saved yet).
pub fn read_head(dir: &Path) -> Result<Option<Pos>, QueueError> {
    let p = dir.join("head");
    let text = match fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err("read", &p)(e)),
    };
    let mut it = text.split_ascii_whitespace().map(str::parse::<u64>);
    match (it.next(), it.next(), it.next()) {
        (Some(Ok(seg)), Some(Ok(off)), None) => Ok(Some(Pos { seg, off })),
        _ => Err(QueueError::BadHead(p)),
    }
}

/// How big the queue may grow.
#[derive(Clone, Copy, Debug)]
pub struct QueueOptions {
    /// Bytes of unacked records at most.
    pub max_bytes: u64,
    /// A segment past this size is closed and a new one started (acked
    /// segments are deleted whole).
    pub segment_bytes: u64,
}

impl Default for QueueOptions {
    fn default() -> Self {
        QueueOptions {
            max_bytes: 256 << 20,
            segment_bytes: 4 << 20,
        }
    }
}

/// The writing end and the bookkeeping. One owner (behind a mutex in
/// the forwarder); readers are separate [`Reader`]s over the files.
#[derive(Debug)]
pub struct Queue {
    dir: PathBuf,
    opts: QueueOptions,
    file: File,
    /// Sizes of the segments at or after the head's.
    sizes: BTreeMap<u64, u64>,
    tail: Pos,
    head: Pos,
    saved: Pos,
    /// Bytes cut from a torn tail at open (for the log).
    pub repaired: Option<u64>,
}

impl Queue {
    /// Open (or create) the queue in `dir`: cut a torn tail, read the
    /// head, delete segments wholly before it.
    pub fn open(dir: &Path, opts: QueueOptions) -> Result<Queue, QueueError> {
        fs::create_dir_all(dir).map_err(io_err("create", dir))?;
        let segs = segments(dir)?;
        let head = read_head(dir)?;
        let mut repaired = None;
        let last = segs.last().copied();
        let (tail_seg, tail_off) = match last {
            Some((n, len)) => {
                let p = dir.join(segment_name(n));
                let keep = complete_prefix(&p, len)?;
                if keep < len {
                    let f = OpenOptions::new()
                        .write(true)
                        .open(&p)
                        .map_err(io_err("open", &p))?;
                    f.set_len(keep).map_err(io_err("truncate", &p))?;
                    f.sync_all().map_err(io_err("sync", &p))?;
                    repaired = Some(len - keep);
                }
                (n, keep)
            }
            None => (head.map_or(0, |h| h.seg), 0),
        };
        let tail = Pos {
            seg: tail_seg,
            off: tail_off,
        };
        // A head past the tail (its segment was lost, or the tail was cut
        // under it) means nothing is pending.
        let head = head.filter(|h| *h <= tail).unwrap_or(match segs.first() {
            Some(&(n, _)) if last.is_some() => Pos { seg: n, off: 0 },
            _ => tail,
        });
        let mut sizes = BTreeMap::new();
        for &(n, len) in &segs {
            if n < head.seg {
                let p = dir.join(segment_name(n));
                fs::remove_file(&p).map_err(io_err("remove", &p))?;
            } else {
                sizes.insert(n, if n == tail.seg { tail.off } else { len });
            }
        }
        sizes.entry(tail.seg).or_insert(0);
        let p = dir.join(segment_name(tail.seg));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .map_err(io_err("open", &p))?;
        sync_dir(dir)?;
        Ok(Queue {
            dir: dir.to_path_buf(),
            opts,
            file,
            sizes,
            tail,
            head,
            saved: head,
            repaired,
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the next append goes (everything before it is accepted).
    pub fn tail(&self) -> Pos {
        self.tail
    }

    /// The oldest unacked record's position.
    pub fn head(&self) -> Pos {
        self.head
    }

    /// Bytes of unacked records.
    pub fn used(&self) -> u64 {
        let total: u64 = self.sizes.range(self.head.seg..).map(|(_, &n)| n).sum();
        total.saturating_sub(self.head.off)
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.head == self.tail
    }

    /// Append lines (each without `\n`; a `\n` inside becomes a space,
    /// since a line is a record here) and fsync them: when this returns
    /// `Ok`, the records survive a crash. A batch over the free room is
    /// refused whole with [`QueueError::Full`] (one batch bigger than the
    /// whole bound is taken when the queue is empty, so no batch is stuck).
    pub fn append(&mut self, lines: &[&[u8]]) -> Result<Pos, QueueError> {
        let bytes: u64 = lines.iter().map(|l| l.len() as u64 + 1).sum();
        let used = self.used();
        if used > 0 && used + bytes > self.opts.max_bytes {
            return Err(QueueError::Full {
                used,
                max: self.opts.max_bytes,
            });
        }
        if self.tail.off > 0 && self.tail.off + bytes > self.opts.segment_bytes {
            self.rotate()?;
        }
        let mut buf = Vec::with_capacity(bytes as usize);
        for l in lines {
            let start = buf.len();
            buf.extend_from_slice(l);
            for b in &mut buf[start..] {
                if *b == b'\n' {
                    *b = b' ';
                }
            }
            buf.push(b'\n');
        }
        let p = self.dir.join(segment_name(self.tail.seg));
        let r = self
            .file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = r {
            // All or nothing: cut what part of the batch got written.
            let _ = self.file.set_len(self.tail.off);
            return Err(io_err("append to", &p)(e));
        }
        self.tail.off += bytes;
        self.sizes.insert(self.tail.seg, self.tail.off);
        Ok(self.tail)
    }

    fn rotate(&mut self) -> Result<(), QueueError> {
        let n = self.tail.seg + 1;
        let p = self.dir.join(segment_name(n));
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .map_err(io_err("create", &p))?;
        sync_dir(&self.dir)?;
        self.tail = Pos { seg: n, off: 0 };
        self.sizes.insert(n, 0);
        Ok(())
    }

    /// Everything before `pos` is acked: move the head (in memory; see
    /// [`Queue::save_head`]) and delete the segments wholly before it.
    pub fn ack(&mut self, pos: Pos) -> Result<(), QueueError> {
        if pos <= self.head || pos > self.tail {
            return Ok(());
        }
        self.head = pos;
        Ok(())
    }

    /// Whether the head moved since it was last saved.
    pub fn head_dirty(&self) -> bool {
        self.head != self.saved
    }

    /// Save the head durably, then delete the segments before it.
    pub fn save_head(&mut self) -> Result<(), QueueError> {
        if !self.head_dirty() {
            return Ok(());
        }
        let tmp = self.dir.join("head.tmp");
        let dst = self.dir.join("head");
        let text = format!("{} {}\n", self.head.seg, self.head.off);
        let mut f = File::create(&tmp).map_err(io_err("create", &tmp))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io_err("write", &tmp))?;
        fs::rename(&tmp, &dst).map_err(io_err("rename", &dst))?;
        sync_dir(&self.dir)?;
        self.saved = self.head;
        let old: Vec<u64> = self.sizes.range(..self.head.seg).map(|(&n, _)| n).collect();
        for n in old {
            let p = self.dir.join(segment_name(n));
            match fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err("remove", &p)(e)),
            }
            self.sizes.remove(&n);
        }
        Ok(())
    }
}

/// The length of the prefix of a segment that ends with `\n`.
fn complete_prefix(p: &Path, len: u64) -> Result<u64, QueueError> {
    let mut f = File::open(p).map_err(io_err("open", p))?;
    let mut end = len;
    let mut buf = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let n = (end - start) as usize;
        f.seek(SeekFrom::Start(start)).map_err(io_err("seek", p))?;
        f.read_exact(&mut buf[..n]).map_err(io_err("read", p))?;
        if let Some(i) = memchr::memrchr(b'\n', &buf[..n]) {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

fn sync_dir(dir: &Path) -> Result<(), QueueError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("sync", dir))
}

/// Reads records from a position on, never past a limit the caller
/// takes from [`Queue::tail`] (so it sees only accepted batches).
#[derive(Debug)]
pub struct Reader {
    dir: PathBuf,
    pos: Pos,
    file: Option<BufReader<File>>,
}

impl Reader {
    /// A reader at `pos`.
    pub fn new(dir: &Path, pos: Pos) -> Reader {
        Reader {
            dir: dir.to_path_buf(),
            pos,
            file: None,
        }
    }

    /// Where the next record starts.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// The next record (without `\n`) into `line`, and the position after
    /// it; `None` at `limit`.
    pub fn next(&mut self, limit: Pos, line: &mut Vec<u8>) -> Result<Option<Pos>, QueueError> {
        loop {
            if self.pos >= limit {
                return Ok(None);
            }
            if self.file.is_none() {
                let p = self.dir.join(segment_name(self.pos.seg));
                let mut f = match File::open(&p) {
                    Ok(f) => f,
                    // A segment not there (deleted as acked, or never
                    // created after a rotation): go on to the next one.
                    Err(e) if e.kind() == io::ErrorKind::NotFound && self.pos.seg < limit.seg => {
                        self.pos = Pos {
                            seg: self.pos.seg + 1,
                            off: 0,
                        };
                        continue;
                    }
                    Err(e) => return Err(io_err("open", &p)(e)),
                };
                f.seek(SeekFrom::Start(self.pos.off))
                    .map_err(io_err("seek", &p))?;
                self.file = Some(BufReader::with_capacity(64 * 1024, f));
            }
            let Some(f) = self.file.as_mut() else {
                continue;
            };
            line.clear();
            let n = f.read_until(b'\n', line).map_err(|err| QueueError::Io {
                what: "read",
                path: self.dir.join(segment_name(self.pos.seg)),
                err,
            })?;
            if n == 0 || line.last() != Some(&b'\n') {
                // End of a closed segment: the next one. (In the tail
                // segment the limit stops us before this.)
                if self.pos.seg < limit.seg {
                    self.pos = Pos {
                        seg: self.pos.seg + 1,
                        off: 0,
                    };
                    self.file = None;
                    continue;
                }
                return Ok(None);
            }
            line.pop();
            self.pos.off += n as u64;
            return Ok(Some(self.pos));
        }
    }
}

/// Every accepted record still in a queue directory, from its saved
/// head on (what a restarted forwarder would send). For tests and
/// `--status`-like inspection; reads only complete lines.
pub fn pending(dir: &Path) -> Result<Vec<Vec<u8>>, QueueError> {
    let segs = segments(dir)?;
    let Some(&(last, len)) = segs.last() else {
        return Ok(Vec::new());
    };
    let tail = Pos {
        seg: last,
        off: complete_prefix(&dir.join(segment_name(last)), len)?,
    };
    let head = read_head(dir)?.filter(|h| *h <= tail).unwrap_or(Pos {
        seg: segs[0].0,
        off: 0,
    });
    let mut r = Reader::new(dir, head);
    let mut out = Vec::new();
    let mut line = Vec::new();
    while r.next(tail, &mut line)?.is_some() {
        out.push(line.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("akq-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn append_read_ack_rotate_reopen() {
        let d = tmp("basic");
        let opts = QueueOptions {
            max_bytes: 1000,
            segment_bytes: 40,
        };
        let mut q = Queue::open(&d, opts).unwrap();
        let lines: Vec<Vec<u8>> = (0..20)
            .map(|i| format!("rec {i:02}").into_bytes())
            .collect();
        for l in &lines {
            q.append(&[l]).unwrap();
        }
        assert!(segments(&d).unwrap().len() > 3);
        let mut r = Reader::new(&d, q.head());
        let mut got = Vec::new();
        let mut line = Vec::new();
        let mut at5 = Pos::default();
        while let Some(p) = r.next(q.tail(), &mut line).unwrap() {
            got.push(line.clone());
            if got.len() == 5 {
                at5 = p;
            }
        }
        assert_eq!(got, lines);
        q.ack(at5).unwrap();
        q.save_head().unwrap();
        drop(q);
        // A torn tail: half a line after the last newline.
        let (last, _) = *segments(&d).unwrap().last().unwrap();
        let mut f = OpenOptions::new()
            .append(true)
            .open(d.join(segment_name(last)))
            .unwrap();
        f.write_all(b"torn rec").unwrap();
        drop(f);
        assert_eq!(pending(&d).unwrap(), lines[5..].to_vec());
        let q = Queue::open(&d, opts).unwrap();
        assert_eq!(q.repaired, Some(8));
        let mut r = Reader::new(&d, q.head());
        let mut got = Vec::new();
        while r.next(q.tail(), &mut line).unwrap().is_some() {
            got.push(line.clone());
        }
        assert_eq!(got, lines[5..].to_vec());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn bounded() {
        let d = tmp("bound");
        let opts = QueueOptions {
            max_bytes: 30,
            segment_bytes: 1000,
        };
        let mut q = Queue::open(&d, opts).unwrap();
        q.append(&[b"0123456789"]).unwrap();
        q.append(&[b"0123456789"]).unwrap();
        assert!(matches!(
            q.append(&[b"0123456789"]),
            Err(QueueError::Full { used: 22, max: 30 })
        ));
        q.ack(Pos { seg: 0, off: 11 }).unwrap();
        q.append(&[b"0123456789"]).unwrap();
        assert_eq!(q.used(), 22);
        // A batch larger than the bound still goes into an empty queue.
        let mut q2 = Queue::open(&tmp("bound2"), opts).unwrap();
        q2.append(&[&[b'x'; 100][..]]).unwrap();
        let _ = fs::remove_dir_all(&d);
        let _ = fs::remove_dir_all(tmp("bound2"));
    }
}
