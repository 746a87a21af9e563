//! Which inputs to read: files (plain, `.gz`, `.zst`), log directories
//! with their rotations, standard input, and the log file auditd.conf
//! names; and how one input is opened (decompressed when needed).
//!
//! Files are read with plain `read` into blocks rather than mapped: a
//! mapping of a multi-GB log counts against resident memory as it is
//! touched, while a handful of blocks in flight keeps the footprint flat.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One input.
#[derive(Clone, Debug, PartialEq, Eq)]
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

    /// The path of a file that can be read at any offset: not standard
    /// input, and not compressed (by name: the seek and the progress line
    /// go by what `ls` shows).
    pub fn plain_file(&self) -> Option<&Path> {
        match self {
            Source::File(p) => {
                let n = p.to_string_lossy();
                (!n.ends_with(".gz") && !n.ends_with(".zst")).then_some(p.as_path())
            }
            Source::Stdin => None,
        }
    }
}

/// The log file auditd writes: `log_file` of `/etc/audit/auditd.conf` as
/// auditd applied it, or auditd's default when the file or the setting is
/// missing. auditd.conf is parsed in one place, `auditkit-host`.
pub fn configured_log_file() -> PathBuf {
    auditkit_host::HostPaths::this_host().log_file()
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
        let md = std::fs::metadata(a).map_err(|source| Error::Stat {
            path: a.clone(),
            error: source,
        })?;
        if md.is_dir() {
            let set = rotated_set(&a.join("audit.log"));
            if set.is_empty() {
                return Err(Error::NoAuditLog { dir: a.clone() });
            }
            out.extend(set.into_iter().map(Source::File));
        } else {
            out.push(Source::File(a.clone()));
        }
    }
    Ok(out)
}

/// The inputs of a search without `-if`, as ausearch chooses them:
/// standard input when it is a pipe (unless `force_logs`, ausearch's
/// `--input-logs`), else the configured log file and its rotations.
pub fn default_inputs(force_logs: bool) -> Result<Vec<Source>> {
    if !force_logs && stdin_is_pipe() {
        return Ok(vec![Source::Stdin]);
    }
    let base = configured_log_file();
    let set = rotated_set(&base);
    if set.is_empty() {
        return Err(Error::NoLogFile { path: base });
    }
    Ok(set.into_iter().map(Source::File).collect())
}

/// Whether standard input is a pipe (ausearch reads stdin only then).
pub fn stdin_is_pipe() -> bool {
    // SAFETY: fstat on fd 0 with a zeroed stat buffer we own.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::fstat(0, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFIFO
    }
}

/// Open a source for reading from its start, decompressing `.gz` (several
/// members, as `zcat`) and `.zst` by name or by magic bytes.
pub fn open(src: &Source) -> io::Result<Box<dyn Read + Send>> {
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

/// Number of lines that end before byte `offset` of a source (decompressed
/// bytes for compressed files), by reading it again from its start; `None`
/// for standard input, which cannot be read twice. Used only to turn an
/// offset into a line number for a message, so its cost is paid only when
/// such a message is printed.
pub fn lines_before(src: &Source, offset: u64) -> Option<u64> {
    if matches!(src, Source::Stdin) {
        return None;
    }
    let mut r = open(src).ok()?.take(offset);
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Some(lines),
            Ok(n) => lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}
