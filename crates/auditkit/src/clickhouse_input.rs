//! `--clickhouse URL`, the input of `search`, `report` and `detect` that
//! reads what `collect --clickhouse` inserted: each command turns its
//! options into a condition on the events table ([`Query`], built from
//! `auditkit_collect::clickhouse::query`'s parts), the records of the
//! matching events are fetched in store order into a temporary log
//! ([`Fetched`]), and the command's usual engine reads that log as its
//! only input ([`crate::input_args::InputArgs::sources`]).
//!
//! The condition only narrows the fetch: the engine applies the
//! command's options with their exact rules, so a condition may let
//! through events the command then drops, never the reverse. An option
//! that has to narrow the fetch to be of use and has no column is refused
//! with a message naming it (search's `-ue`, `--where`, ...); one whose
//! rules differ from a column's is left to the engine (report's
//! `--failed`, `-nc`). The temporary log is the whole store's order, read
//! as one file: what `report -if` prints for the store's segments
//! concatenated.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use auditkit_collect::clickhouse::http::{post, post_to, Url};
use auditkit_collect::clickhouse::query::Cond;

use crate::input_args::InputArgs;

/// How long one read of the answer may wait. The server computes the
/// whole answer before it sends any of it (`wait_end_of_query`), so this
/// is the query's time.
const TIMEOUT: Duration = Duration::from_secs(3600);

/// The condition a command asks for, and its options that have no
/// translation.
#[derive(Debug)]
pub struct Query {
    /// The condition on the events table.
    pub cond: Cond,
    refused: Vec<&'static str>,
}

impl Query {
    /// The shared input slice's part: `-ts`/`-te`, and files given
    /// together with ClickHouse refused (one input or the other).
    pub fn of_input(input: &InputArgs, db: &str) -> Query {
        let mut cond = Cond::new(db);
        cond.time(input.start_time, input.end_time);
        let mut q = Query {
            cond,
            refused: Vec::new(),
        };
        q.refuse(
            !input.inputs.is_empty() || !input.stores.is_empty(),
            "-if/--store/FILE (read ClickHouse or files, not both)",
        );
        q
    }

    /// Refuse `what` when `set`.
    pub fn refuse(&mut self, set: bool, what: &'static str) {
        if set {
            self.refused.push(what);
        }
    }
}

/// The fetched records: a temporary log, removed on drop, and where it
/// came from.
#[derive(Debug)]
pub struct Fetched {
    path: PathBuf,
    url: Url,
    records: u64,
}

impl Fetched {
    /// The temporary log.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The server.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The server as the user may see it: no credentials.
    pub fn shown(&self) -> String {
        format!(
            "ClickHouse http://{}:{}/?database={}",
            self.url.host, self.url.port, self.url.database
        )
    }

    /// Run another (small) query on the same server.
    pub fn query(&self, sql: &str) -> Result<Vec<u8>> {
        post(&self.url, "", &[], sql.as_bytes(), TIMEOUT).context("--clickhouse")
    }
}

impl Drop for Fetched {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A new file only this user can read (audit records are sensitive) in
/// the temporary directory (`TMPDIR`), under a name nobody else made.
fn create_temp() -> Result<(PathBuf, File)> {
    let dir = std::env::temp_dir();
    for n in 0..100u32 {
        let path = dir.join(format!(
            "auditkit-clickhouse-{}-{n}.log",
            std::process::id()
        ));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("--clickhouse: {}", path.display())),
        }
    }
    bail!(
        "--clickhouse: no free temporary file name in {}",
        dir.display()
    )
}

/// Counts the lines written through it.
struct Lines<W> {
    inner: W,
    lines: u64,
}

impl<W: Write> Write for Lines<W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(b)?;
        self.lines += b[..n].iter().filter(|&&c| c == b'\n').count() as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Fetch the records of the events `build` selects (it gets the
/// database's name) from `url`, or stop with the options it refused
/// (`hint` says what to do instead). With `debug`, the condition and the
/// count go to stderr.
pub fn fetch(
    url: &str,
    hint: &str,
    debug: bool,
    build: impl FnOnce(&str) -> Query,
) -> Result<Fetched> {
    let url = Url::parse(url).map_err(|m| anyhow::anyhow!("--clickhouse {url}: {m}"))?;
    let q = build(&url.database);
    if !q.refused.is_empty() {
        let sep = if hint.is_empty() { "" } else { "; " };
        bail!(
            "--clickhouse: these options have no SQL translation: {}{sep}{hint}",
            q.refused.join(", ")
        );
    }
    let (path, file) = create_temp()?;
    let mut f = Fetched {
        path,
        url,
        records: 0,
    };
    let mut w = Lines {
        inner: BufWriter::with_capacity(1 << 20, file),
        lines: 0,
    };
    post_to(
        &f.url,
        "",
        &[("wait_end_of_query", "1")],
        q.cond.select_records().as_bytes(),
        TIMEOUT,
        &mut w,
    )
    .context("--clickhouse")?;
    w.flush()
        .with_context(|| format!("--clickhouse: {}", f.path.display()))?;
    f.records = w.lines;
    if debug {
        eprintln!(
            "auditkit: --clickhouse: {} record(s) of the events where {}",
            f.records,
            q.cond.sql()
        );
    }
    Ok(f)
}
