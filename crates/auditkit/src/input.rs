//! Where audit records come from: files (plain, `.gz`, `.zst`), log
//! directories with their rotations, and standard input; and how they are
//! cut into newline-aligned chunks for the parallel pipeline.
//!
//! Files are read with plain `read` into 1 MiB blocks rather than mapped:
//! a mapping of a multi-GB log counts against resident memory as it is
//! touched, while a handful of blocks in flight keeps the footprint flat.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use auditkit_event::chunk::split_at_last_newline;
use auditkit_event::Chunk;

/// Size of one read block (1 MiB). Big enough that per-chunk overhead vanishes,
/// small enough that the few blocks in flight stay well under 100 MB.
pub const BLOCK_SIZE: usize = 1 << 20;

/// One input.
#[derive(Clone, Debug)]
pub enum Source {
    /// A file (decompressed when its name ends in .gz or .zst, or its
    /// first bytes say so).
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl Source {
    /// Name used in messages.
    pub fn display(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Stdin => "<stdin>".to_string(),
        }
    }
}

/// The log file auditd writes, from auditd.conf (`log_file`), or the
/// built-in default.
pub fn configured_log_file() -> PathBuf {
    let default = PathBuf::from("/var/log/audit/audit.log");
    let Ok(text) = std::fs::read_to_string("/etc/audit/auditd.conf") else {
        return default;
    };
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("log_file") {
            if let Some(v) = rest.trim_start().strip_prefix('=') {
                let v = v.trim();
                if !v.is_empty() {
                    return PathBuf::from(v);
                }
            }
        }
    }
    default
}

/// A log file and its rotations, oldest first: `base.N` ... `base.1`,
/// `base`, each also found as `.gz`/`.zst`. Like ausearch, the numbered
/// files are followed while they exist.
pub fn rotated_set(base: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut n = 1;
    loop {
        let numbered = PathBuf::from(format!("{}.{n}", base.display()));
        let found = [
            numbered.clone(),
            PathBuf::from(format!("{}.gz", numbered.display())),
            PathBuf::from(format!("{}.zst", numbered.display())),
        ]
        .into_iter()
        .find(|p| p.exists());
        match found {
            Some(p) => out.push(p),
            None => break,
        }
        n += 1;
    }
    out.reverse();
    if base.exists() {
        out.push(base.to_path_buf());
    }
    out
}

/// Expand `-if` arguments: a directory means `DIR/audit.log` and its
/// rotations; `-` means standard input.
pub fn expand_inputs(args: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for a in args {
        if a.as_os_str() == "-" {
            out.push(Source::Stdin);
            continue;
        }
        let md = std::fs::metadata(a).with_context(|| format!("cannot read {}", a.display()))?;
        if md.is_dir() {
            let set = rotated_set(&a.join("audit.log"));
            if set.is_empty() {
                bail!("{}: no audit.log in this directory", a.display());
            }
            out.extend(set.into_iter().map(Source::File));
        } else {
            out.push(Source::File(a.clone()));
        }
    }
    Ok(out)
}

/// Whether standard input is a pipe (ausearch reads stdin only then).
pub fn stdin_is_pipe() -> bool {
    // SAFETY: fstat on fd 0 with a zeroed stat buffer we own.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::fstat(0, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFIFO
    }
}

fn open(src: &Source) -> io::Result<Box<dyn Read + Send>> {
    match src {
        Source::Stdin => Ok(Box::new(io::stdin())),
        Source::File(p) => {
            let mut f = File::open(p)?;
            let mut magic = [0u8; 4];
            let n = read_full(&mut f, &mut magic)?;
            let head = io::Cursor::new(magic[..n].to_vec());
            let chained = head.chain(f);
            let name = p.to_string_lossy();
            if magic[..n].starts_with(&[0x1f, 0x8b]) || name.ends_with(".gz") {
                Ok(Box::new(flate2::read::MultiGzDecoder::new(chained)))
            } else if magic[..n] == [0x28, 0xb5, 0x2f, 0xfd] || name.ends_with(".zst") {
                let d = ruzstd::decoding::StreamingDecoder::new(chained)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                Ok(Box::new(d))
            } else {
                Ok(Box::new(chained))
            }
        }
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads the sources one after the other and yields newline-aligned
/// chunks. I/O errors are recorded in `errors` (the run goes on with the
/// next source) so the caller can report them and set the exit status.
pub struct Blocks {
    sources: Vec<Source>,
    next_source: usize,
    cur: Option<(Box<dyn Read + Send>, u32)>,
    carry: Vec<u8>,
    /// Errors met while reading: (source name, error).
    pub errors: Arc<Mutex<Vec<String>>>,
    /// Total bytes read (after decompression).
    pub bytes: Arc<std::sync::atomic::AtomicU64>,
}

impl Blocks {
    /// Read these sources in order.
    pub fn new(sources: Vec<Source>) -> Blocks {
        Blocks {
            sources,
            next_source: 0,
            cur: None,
            carry: Vec::new(),
            errors: Arc::new(Mutex::new(Vec::new())),
            bytes: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        }
    }

    fn record_error(&self, src: u32, e: &io::Error) {
        let name = self
            .sources
            .get(src as usize)
            .map_or_else(String::new, Source::display);
        if let Ok(mut v) = self.errors.lock() {
            v.push(format!("{name}: {e}"));
        }
    }
}

impl Iterator for Blocks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        loop {
            if self.cur.is_none() {
                if self.next_source >= self.sources.len() {
                    return None;
                }
                let idx = self.next_source as u32;
                self.next_source += 1;
                match open(&self.sources[idx as usize]) {
                    Ok(r) => {
                        self.cur = Some((r, idx));
                        self.carry.clear();
                    }
                    Err(e) => {
                        self.record_error(idx, &e);
                        continue;
                    }
                }
            }
            let (reader, src) = self.cur.as_mut()?;
            let src = *src;
            let mut buf = std::mem::take(&mut self.carry);
            let start = buf.len();
            buf.reserve(BLOCK_SIZE);
            // read_to_end on a Take reads into the spare capacity without
            // zeroing it first.
            let n = match reader
                .by_ref()
                .take(BLOCK_SIZE as u64)
                .read_to_end(&mut buf)
            {
                Ok(n) => n,
                Err(e) => {
                    self.record_error(src, &e);
                    0
                }
            };
            buf.truncate(start + n);
            self.bytes
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            if n == 0 {
                // End of this source: whatever is carried is its last line.
                self.cur = None;
                if buf.is_empty() {
                    continue;
                }
                return Some(Chunk {
                    data: buf,
                    source: src,
                    first_line: 0,
                });
            }
            let cut = split_at_last_newline(&buf);
            if cut == 0 {
                // A single line longer than the block: keep reading.
                self.carry = buf;
                continue;
            }
            self.carry = buf[cut..].to_vec();
            buf.truncate(cut);
            // Lines are numbered by the assembler (first_line 0), from
            // the parse workers' counts: no second pass over the bytes here.
            return Some(Chunk {
                data: buf,
                source: src,
                first_line: 0,
            });
        }
    }
}
