//! Files for tests: temporary directories that are removed when dropped,
//! and copies of logs without their `#` lines.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory under the system's temp dir, named after a tag, the
/// process and a counter (tests of one binary run in parallel threads);
/// removed with its contents on drop. Derefs to its [`Path`].
pub struct TempDir(PathBuf);

impl TempDir {
    /// Make `$TMPDIR/auditkit-TAG-PID-N`, empty.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let d = std::env::temp_dir().join(format!("auditkit-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("cannot make {}: {e}", d.display()));
        TempDir(d)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `data` without the lines that start with `#`. ausearch reads such lines
/// as (bogus) records and auditkit as comments (docs/differences.md);
/// laurel's test files use them, so both tools get the file without them.
pub fn strip_comments(data: &[u8]) -> Vec<u8> {
    data.split_inclusive(|&b| b == b'\n')
        .filter(|l| !l.starts_with(b"#"))
        .flatten()
        .copied()
        .collect()
}

/// Write `src` without its `#` lines to `dir/name`; gives that path.
pub fn without_comments(src: &Path, dir: &Path, name: &str) -> PathBuf {
    let data = std::fs::read(src).unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display()));
    let out = dir.join(name);
    std::fs::write(&out, strip_comments(&data))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    out
}
