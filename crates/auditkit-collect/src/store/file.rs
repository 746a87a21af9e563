//! The embedded store: append-only segments in auditd's raw format
//! (`DIR/seg-NNNNNNNNNN.log`, lines as the clients sent them, `node=`
//! included), so `ausearch -if DIR/seg-....log` reads them as they are,
//! plus the block index of [`super::index`].
//!
//! - A batch is one `write` of all its lines and one `fdatasync`; only
//!   then does the caller ack. A failed write or sync truncates the
//!   segment back to where the batch started, so a batch is all or
//!   nothing.
//! - A segment rotates when it passes `rotate_bytes` or is older than
//!   `rotate_secs`; the directory is fsynced after a segment is created.
//! - At open, the last segment's torn tail (bytes after its last `\n`,
//!   left by a crash in the middle of a write that was never acked) is
//!   cut off, and bytes no index entry covers are indexed again.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use auditkit_event::header::{parse_header_cached, TypeCache};

use super::index::{self, Entry};
use super::{Space, Store, StoreError};

/// How the store rotates, indexes and judges free space.
#[derive(Clone, Debug)]
pub struct FileOptions {
    /// A segment past this size is closed and a new one started.
    pub rotate_bytes: u64,
    /// A segment open longer than this (seconds) is rotated at the next
    /// write (0: never by time).
    pub rotate_secs: u64,
    /// An index entry is written per this many bytes of records.
    pub block_bytes: u64,
    /// Free bytes under which replies are DISKLOW.
    pub low_bytes: u64,
    /// Free bytes under which nothing is written (DISKFULL).
    pub reserve_bytes: u64,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            rotate_bytes: 64 << 20,
            rotate_secs: 86_400,
            block_bytes: 1 << 20,
            low_bytes: 256 << 20,
            reserve_bytes: 1 << 20,
        }
    }
}

/// What the open block has seen (becomes an [`Entry`]).
#[derive(Debug, Default)]
struct Block {
    offset: u64,
    len: u64,
    min_sec: u64,
    max_sec: u64,
    records: u64,
    nodes: BTreeSet<String>,
    too_many: bool,
    /// Type names seen (the header parser's cache: a lookup per line
    /// otherwise).
    types: TypeCache,
}

impl Block {
    fn at(offset: u64) -> Block {
        Block {
            offset,
            ..Block::default()
        }
    }

    fn add(&mut self, line: &[u8]) {
        self.len += line.len() as u64 + 1;
        self.records += 1;
        let Ok(h) = parse_header_cached(line, &mut self.types) else {
            return;
        };
        if h.id.sec != 0 {
            if self.min_sec == 0 || h.id.sec < self.min_sec {
                self.min_sec = h.id.sec;
            }
            self.max_sec = self.max_sec.max(h.id.sec);
        }
        if let Some((s, e)) = h.node {
            if !self.too_many {
                let raw = &line[s as usize..e as usize];
                // A node seen in this block costs a lookup, no copy.
                let plain = std::str::from_utf8(raw)
                    .ok()
                    .filter(|n| !n.contains(|c: char| c == ',' || c.is_whitespace()));
                if plain.is_some_and(|n| self.nodes.contains(n)) {
                    return;
                }
                let n = String::from_utf8_lossy(raw);
                // Index words are space- and comma-separated.
                let n: String = n
                    .chars()
                    .map(|c| {
                        if c == ',' || c.is_whitespace() {
                            '_'
                        } else {
                            c
                        }
                    })
                    .collect();
                if !self.nodes.contains(&n) {
                    if self.nodes.len() >= index::MAX_NODES {
                        self.too_many = true;
                        self.nodes.clear();
                    } else {
                        self.nodes.insert(n);
                    }
                }
            }
        }
    }

    fn entry(&self, segment: u64) -> Entry {
        Entry {
            segment,
            offset: self.offset,
            len: self.len,
            min_sec: self.min_sec,
            max_sec: self.max_sec,
            records: self.records,
            nodes: (!self.too_many).then(|| self.nodes.iter().cloned().collect()),
        }
    }
}

/// The embedded store. See the module comment.
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    opts: FileOptions,
    seg: u64,
    file: File,
    size: u64,
    opened: Instant,
    block: Block,
    index: File,
    buf: Vec<u8>,
    /// What [`FileStore::open`] found and repaired, for the log.
    pub repaired: Option<u64>,
}

fn io_at(what: &str, path: &Path, e: io::Error) -> StoreError {
    StoreError::from_io(&format!("{what} {}", path.display()), e)
}

/// Lines of `data` (each without its `\n`).
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n')
        .take(data.iter().filter(|&&b| b == b'\n').count())
}

impl FileStore {
    /// Open (or create) the store in `dir`: repair the torn tail, index
    /// what is not indexed, and continue the last segment.
    pub fn open(dir: &Path, opts: FileOptions) -> Result<FileStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| io_at("create", dir, e))?;
        let segs = index::segments(dir).map_err(|e| io_at("list", dir, e))?;
        let mut entries = index::read_entries(dir).map_err(|e| io_at("read index in", dir, e))?;
        let idx_path = dir.join(index::INDEX_FILE);
        let mut idx = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&idx_path)
            .map_err(|e| io_at("open", &idx_path, e))?;
        // A torn last index line gets a newline, so the next entry starts
        // on a line of its own (the torn one is skipped by readers).
        let ilen = idx
            .metadata()
            .map_err(|e| io_at("stat", &idx_path, e))?
            .len();
        if ilen > 0 {
            let mut f = File::open(&idx_path).map_err(|e| io_at("open", &idx_path, e))?;
            f.seek(SeekFrom::Start(ilen - 1))
                .map_err(|e| io_at("seek", &idx_path, e))?;
            let mut b = [0u8];
            f.read_exact(&mut b)
                .map_err(|e| io_at("read", &idx_path, e))?;
            if b[0] != b'\n' {
                idx.write_all(b"\n")
                    .map_err(|e| io_at("write", &idx_path, e))?;
            }
        }
        let last = segs.last().map_or(1, |s| s.0);
        let mut repaired = None;
        let mut open_block = Block::at(0);
        for &(seg, size) in &segs {
            let path = dir.join(index::segment_name(seg));
            let mut size = size;
            if seg == last {
                let cut = torn_tail(&path, size).map_err(|e| io_at("repair", &path, e))?;
                if cut > 0 {
                    size -= cut;
                    repaired = Some(cut);
                    entries.retain(|e| e.segment != seg || e.offset + e.len <= size);
                }
            }
            let mine: Vec<&Entry> = entries.iter().filter(|e| e.segment == seg).collect();
            let from = index::covered_prefix(&mine).min(size);
            if from < size {
                let data = read_range(&path, from, size).map_err(|e| io_at("read", &path, e))?;
                let mut b = Block::at(from);
                for l in lines(&data) {
                    b.add(l);
                    if b.len >= opts.block_bytes {
                        let off = b.offset + b.len;
                        idx.write_all(b.entry(seg).to_line().as_bytes())
                            .map_err(|e| io_at("write", &idx_path, e))?;
                        b = Block::at(off);
                    }
                }
                if seg == last {
                    open_block = b;
                } else if b.records > 0 {
                    idx.write_all(b.entry(seg).to_line().as_bytes())
                        .map_err(|e| io_at("write", &idx_path, e))?;
                }
            } else if seg == last {
                open_block = Block::at(size);
            }
        }
        let path = dir.join(index::segment_name(last));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_at("open", &path, e))?;
        let size = file.metadata().map_err(|e| io_at("stat", &path, e))?.len();
        if segs.is_empty() {
            sync_dir(dir).map_err(|e| io_at("sync", dir, e))?;
        }
        Ok(FileStore {
            dir: dir.to_path_buf(),
            opts,
            seg: last,
            file,
            size,
            opened: Instant::now(),
            block: open_block,
            index: idx,
            buf: Vec::with_capacity(1 << 20),
            repaired,
        })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current segment's path.
    pub fn current(&self) -> PathBuf {
        self.dir.join(index::segment_name(self.seg))
    }

    fn close_block(&mut self) -> Result<(), StoreError> {
        if self.block.records > 0 {
            let line = self.block.entry(self.seg).to_line();
            self.index
                .write_all(line.as_bytes())
                .map_err(|e| StoreError::from_io("write index", e))?;
        }
        self.block = Block::at(self.size);
        Ok(())
    }

    fn rotate_if_due(&mut self) -> Result<(), StoreError> {
        let by_size = self.size >= self.opts.rotate_bytes;
        let by_time =
            self.opts.rotate_secs > 0 && self.opened.elapsed().as_secs() >= self.opts.rotate_secs;
        if self.size == 0 || !(by_size || by_time) {
            return Ok(());
        }
        self.close_block()?;
        let next = self.seg + 1;
        let path = self.dir.join(index::segment_name(next));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_at("create", &path, e))?;
        sync_dir(&self.dir).map_err(|e| io_at("sync", &self.dir, e))?;
        self.file = file;
        self.seg = next;
        self.size = 0;
        self.opened = Instant::now();
        self.block = Block::at(0);
        Ok(())
    }
}

impl Store for FileStore {
    fn write_batch(&mut self, batch: &[&[u8]]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.rotate_if_due()?;
        self.buf.clear();
        for l in batch {
            self.buf.extend_from_slice(l);
            self.buf.push(b'\n');
        }
        let start = self.size;
        let path = self.current();
        let r = self
            .file
            .write_all(&self.buf)
            .map_err(|e| io_at("write", &path, e))
            .and_then(|()| self.file.sync_data().map_err(|e| io_at("fsync", &path, e)));
        if let Err(e) = r {
            // All or nothing: what reached the file is cut off again (the
            // records are not acked and come again).
            let _ = self.file.set_len(start);
            let _ = self.file.sync_data();
            return Err(e);
        }
        self.size += self.buf.len() as u64;
        for l in batch {
            self.block.add(l);
        }
        if self.block.len >= self.opts.block_bytes {
            self.close_block()?;
        }
        Ok(())
    }

    fn space(&mut self) -> Space {
        match free_bytes(&self.dir) {
            Some(f) if f < self.opts.reserve_bytes => Space::Full(f),
            Some(f) if f < self.opts.low_bytes => Space::Low(f),
            _ => Space::Ok,
        }
    }

    fn recent(&mut self, n: usize, f: &mut dyn FnMut(&[u8])) -> Result<(), StoreError> {
        let segs = index::segments(&self.dir).map_err(|e| io_at("list", &self.dir, e))?;
        let mut left = n;
        for &(seg, size) in segs.iter().rev() {
            if left == 0 {
                break;
            }
            let path = self.dir.join(index::segment_name(seg));
            let data = read_range(&path, 0, size).map_err(|e| io_at("read", &path, e))?;
            let all: Vec<&[u8]> = lines(&data).collect();
            for l in all.iter().rev().take(left) {
                f(l);
            }
            left = left.saturating_sub(all.len());
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), StoreError> {
        self.file
            .sync_all()
            .map_err(|e| StoreError::from_io("fsync", e))?;
        self.close_block()?;
        self.index
            .sync_all()
            .map_err(|e| StoreError::from_io("fsync index", e))
    }
}

/// Cut what follows the last `\n` of the file (a record whose write was
/// interrupted); returns the bytes cut.
fn torn_tail(path: &Path, size: u64) -> io::Result<u64> {
    if size == 0 {
        return Ok(0);
    }
    let mut f = OpenOptions::new().read(true).write(true).open(path)?;
    let mut end = size;
    let mut buf = vec![0u8; 64 << 10];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let n = (end - start) as usize;
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut buf[..n])?;
        if let Some(i) = memchr::memrchr(b'\n', &buf[..n]) {
            let keep = start + i as u64 + 1;
            if keep < size {
                f.set_len(keep)?;
                f.sync_all()?;
            }
            return Ok(size - keep);
        }
        end = start;
    }
    f.set_len(0)?;
    f.sync_all()?;
    Ok(size)
}

fn read_range(path: &Path, from: u64, to: u64) -> io::Result<Vec<u8>> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(from))?;
    let mut v = Vec::with_capacity(to.saturating_sub(from) as usize);
    f.take(to.saturating_sub(from)).read_to_end(&mut v)?;
    Ok(v)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Bytes available to this user on the file system of `dir`.
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a NUL-terminated path and `st` a valid out-pointer.
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    (r == 0).then(|| (st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("auditkit-collect-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    const A: &[u8] = b"node=a type=USER msg=audit(1700000000.000:1): x";
    const B: &[u8] = b"node=b type=USER msg=audit(1700000100.000:2): y";

    #[test]
    fn torn_tail_is_cut_and_index_rebuilt() {
        let d = tmp("torn");
        let mut s = FileStore::open(&d, FileOptions::default()).unwrap();
        s.write_batch(&[A, B]).unwrap();
        drop(s);
        let seg = d.join(index::segment_name(1));
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(b"node=c type=USER msg=aud").unwrap();
        let mut s = FileStore::open(&d, FileOptions::default()).unwrap();
        assert_eq!(s.repaired, Some(24));
        let want = [A, b"\n", B, b"\n"].concat();
        assert_eq!(std::fs::read(&seg).unwrap(), want);
        s.close().unwrap();
        let e = index::read_entries(&d).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].min_sec, e[0].max_sec, e[0].records),
            (1700000000, 1700000100, 2)
        );
        assert_eq!(e[0].nodes, Some(vec!["a".to_string(), "b".to_string()]));
        let mut seen = Vec::new();
        s.recent(10, &mut |l| seen.push(l.to_vec())).unwrap();
        assert_eq!(seen, [B.to_vec(), A.to_vec()]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn rotation_by_age() {
        let d = tmp("age");
        let o = FileOptions {
            rotate_secs: 1,
            ..FileOptions::default()
        };
        let mut s = FileStore::open(&d, o).unwrap();
        s.write_batch(&[A]).unwrap();
        s.write_batch(&[B]).unwrap();
        assert_eq!(index::segments(&d).unwrap().len(), 1);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        s.write_batch(&[A]).unwrap();
        s.close().unwrap();
        let segs = index::segments(&d).unwrap();
        assert_eq!(segs.len(), 2);
        assert_eq!(
            std::fs::read(d.join(index::segment_name(2))).unwrap(),
            [A, b"\n"].concat()
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn rotation_and_skipping_by_time() {
        let d = tmp("rotate");
        let o = FileOptions {
            rotate_bytes: 10,
            block_bytes: 10,
            ..FileOptions::default()
        };
        let mut s = FileStore::open(&d, o.clone()).unwrap();
        s.write_batch(&[A]).unwrap();
        s.write_batch(&[B]).unwrap();
        s.close().unwrap();
        let all = index::files_for(&d, None).unwrap();
        assert_eq!(all.len(), 2);
        let late = index::files_for(&d, Some((1700000050, u64::MAX))).unwrap();
        assert_eq!(late, vec![d.join(index::segment_name(2))]);
        // Losing the index reads everything again, never less.
        std::fs::remove_file(d.join(index::INDEX_FILE)).unwrap();
        assert_eq!(
            index::files_for(&d, Some((1700000050, u64::MAX)))
                .unwrap()
                .len(),
            2
        );
        // And a reopen indexes it again.
        let mut s = FileStore::open(&d, o).unwrap();
        s.close().unwrap();
        assert_eq!(
            index::files_for(&d, Some((1700000050, u64::MAX)))
                .unwrap()
                .len(),
            1
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
