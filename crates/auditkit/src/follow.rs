//! `--follow`: keep reading a growing log, across rotation.
//!
//! `input::Blocks` reads a file to its end and moves on; following needs
//! a reader that waits at the end instead, notices when auditd rotates
//! the log (the path now names a new file: another inode, or a file
//! shorter than what was read), drains the old file to its end, and then
//! continues with the new file from its start. This is that reader, as a
//! chunk iterator for the sequential driver; it never ends by itself.
//!
//! While nothing new arrives it yields an empty chunk every poll interval
//! so the driver can complete events that have waited long enough.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Duration;

use auditkit_event::chunk::split_at_last_newline;
use auditkit_event::Chunk;

/// How often to look for new data.
pub const POLL: Duration = Duration::from_millis(200);

/// Tails one path.
pub struct Follow {
    path: PathBuf,
    file: Option<(File, u64)>,
    pos: u64,
    carry: Vec<u8>,
    source: u32,
}

impl Follow {
    /// Follow `path` from `offset` (the end of what was already read).
    pub fn new(path: PathBuf, offset: u64, source: u32) -> Follow {
        let file = File::open(&path).ok().and_then(|mut f| {
            let ino = f.metadata().ok()?.ino();
            f.seek(SeekFrom::Start(offset)).ok()?;
            Some((f, ino))
        });
        Follow {
            path,
            file,
            pos: offset,
            carry: Vec::new(),
            source,
        }
    }

    fn read_some(&mut self) -> Option<Vec<u8>> {
        let (f, _) = self.file.as_mut()?;
        let mut buf = vec![0u8; 1 << 20];
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        self.pos += n as u64;
        buf.truncate(n);
        Some(buf)
    }

    /// Whether the path now names another file than the one open.
    fn rotated(&self) -> bool {
        match (std::fs::metadata(&self.path), &self.file) {
            (Ok(md), Some((_, ino))) => md.ino() != *ino || md.len() < self.pos,
            (Ok(_), None) => true,
            _ => false,
        }
    }

    fn chunk(&mut self, mut data: Vec<u8>) -> Option<Chunk> {
        let mut all = std::mem::take(&mut self.carry);
        all.append(&mut data);
        let cut = split_at_last_newline(&all);
        self.carry = all.split_off(cut);
        (!all.is_empty()).then_some(Chunk {
            data: all,
            source: self.source,
            first_line: 0,
        })
    }
}

impl Iterator for Follow {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        loop {
            if let Some(d) = self.read_some() {
                if let Some(c) = self.chunk(d) {
                    return Some(c);
                }
                continue;
            }
            if self.rotated() {
                // The old file is complete: its partial last line too.
                let rest = std::mem::take(&mut self.carry);
                self.file = File::open(&self.path).ok().and_then(|f| {
                    let ino = f.metadata().ok()?.ino();
                    Some((f, ino))
                });
                self.pos = 0;
                if !rest.is_empty() {
                    return Some(Chunk {
                        data: rest,
                        source: self.source,
                        first_line: 0,
                    });
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
