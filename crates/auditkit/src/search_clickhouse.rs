//! `auditkit search --clickhouse URL`: the search's criteria become SQL
//! over the events table that `collect --clickhouse` fills, the records
//! of the matching events are fetched in store order into a temporary
//! log, and the usual engine runs on it with the same criteria. The SQL
//! only narrows what is fetched; the engine's exact rules (ausearch's)
//! decide what is printed, so the output is what `auditkit search` prints
//! for those records.
//!
//! A criterion with no column (`-ue`, `-gi`, `-f`, `--where`, ...) is not
//! guessed at: the search stops with an error that names each one.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use auditkit_collect::clickhouse::http::{post, Url};
use auditkit_source::{input, Source};

use crate::search_args::SearchArgs;

/// The fetched records, in a temporary file removed on drop.
pub struct Fetched {
    path: PathBuf,
}

impl Fetched {
    /// The file as the engine's source.
    pub fn sources(&self) -> Result<Vec<Source>> {
        Ok(input::expand_inputs(std::slice::from_ref(&self.path))?)
    }
}

impl Drop for Fetched {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn quote(s: &[u8]) -> String {
    let mut o = String::from("'");
    for ch in String::from_utf8_lossy(s).chars() {
        match ch {
            '\'' => o.push_str("\\'"),
            '\\' => o.push_str("\\\\"),
            c => o.push(c),
        }
    }
    o.push('\'');
    o
}

/// A text criterion: ausearch's substring match, or whole-string with -w.
fn text(col: &str, v: &[u8], exact: bool) -> String {
    if exact {
        format!("{col} = {}", quote(v))
    } else {
        format!("position({col}, {}) > 0", quote(v))
    }
}

/// The WHERE clause over the events table for `a`, or the options that
/// have no translation.
pub fn where_clause(a: &SearchArgs, db: &str) -> Result<String, Vec<&'static str>> {
    let c = &a.criteria;
    let mut w: Vec<String> = Vec::new();
    let mut no: Vec<&'static str> = Vec::new();
    if a.input.start_time != 0 {
        w.push(format!("toUnixTimestamp(time) >= {}", a.input.start_time));
    }
    if a.input.end_time != 0 {
        w.push(format!("toUnixTimestamp(time) <= {}", a.input.end_time));
    }
    if c.event_id != u32::MAX {
        w.push(format!("serial = {}", c.event_id));
    }
    if !c.nodes.is_empty() {
        let v: Vec<String> = c.nodes.iter().map(|n| quote(n)).collect();
        w.push(format!("node IN ({})", v.join(", ")));
    }
    if c.ua {
        no.push("-ua");
    } else {
        if c.uid != u32::MAX {
            w.push(format!("uid = {}", c.uid));
        }
        if c.loginuid != u32::MAX - 1 {
            w.push(format!("auid = {}", c.loginuid));
        }
        if c.euid != u32::MAX {
            no.push("-ue");
        }
    }
    if c.tuid.is_some() || c.teuid.is_some() || c.tauid.is_some() {
        no.push("user names for -ui/-ue/-ul (give the number)");
    }
    if c.gid != u32::MAX || c.egid != u32::MAX || c.ga {
        no.push("-gi/-ge/-ga");
    }
    if c.pid != -1 {
        w.push(format!("pid = {}", c.pid));
    }
    if c.ppid != -1 {
        w.push(format!("ppid = {}", c.ppid));
    }
    if c.syscall != -1 {
        w.push(format!("syscall = {}", c.syscall));
    }
    if c.session != u32::MAX - 1 {
        no.push("--session");
    }
    if c.exit.is_some() {
        no.push("-e");
    }
    match c.success {
        0 => w.push("success = 0".into()),
        1 => w.push("success = 1".into()),
        _ => {}
    }
    if let Some(k) = &c.key {
        w.push(text("key", k, c.exact));
    }
    if let Some(x) = &c.exe {
        w.push(text("exe", x, c.exact));
    }
    if let Some(x) = &c.comm {
        w.push(text("comm", x, c.exact));
    }
    if let Some(t) = &c.types {
        let v: Vec<String> = t.iter().map(|t| t.0.to_string()).collect();
        w.push(format!(
            "(node, time, serial) IN (SELECT node, time, serial FROM {db}.records WHERE rtype IN ({}))",
            v.join(", ")
        ));
    }
    for (set, name) in [
        (c.filename.is_some(), "-f"),
        (c.hostname.is_some(), "-hn"),
        (c.terminal.is_some(), "-tm"),
        (c.vmname.is_some(), "-vm"),
        (c.uuid.is_some(), "-uu"),
        (
            c.subject.is_some() || c.object.is_some() || c.se,
            "-su/-o/-se",
        ),
        (!a.wheres.is_empty(), "--where"),
        (
            a.people || a.daemons || a.as_root_via_sudo,
            "--people/--daemons/--as-root-via-sudo",
        ),
        (a.checkpoint.is_some(), "--checkpoint"),
        (a.follow, "--follow"),
        (
            !a.input.inputs.is_empty() || !a.input.stores.is_empty(),
            "-if/--store",
        ),
    ] {
        if set {
            no.push(name);
        }
    }
    if !no.is_empty() {
        return Err(no);
    }
    Ok(if w.is_empty() {
        "1".into()
    } else {
        w.join(" AND ")
    })
}

/// Run the query of `a` against `url` and keep the records in a
/// temporary file.
pub fn fetch(a: &SearchArgs, url: &str) -> Result<Fetched> {
    let url = Url::parse(url).map_err(|m| anyhow::anyhow!("--clickhouse {url}: {m}"))?;
    let cond = match where_clause(a, &url.database) {
        Ok(c) => c,
        Err(no) => bail!(
            "--clickhouse: these options have no SQL translation: {}; search the \
             collector's store (--store DIR) for them",
            no.join(", ")
        ),
    };
    let body = post(
        &url,
        "",
        &[],
        auditkit_collect::clickhouse::schema::select_records(&url.database, &cond).as_bytes(),
        Duration::from_secs(300),
    )
    .context("--clickhouse")?;
    let path = std::env::temp_dir().join(format!("auditkit-clickhouse-{}.log", std::process::id()));
    let f = Fetched { path };
    let mut file = std::fs::File::create(&f.path)
        .with_context(|| format!("--clickhouse: {}", f.path.display()))?;
    file.write_all(&body)
        .with_context(|| format!("--clickhouse: {}", f.path.display()))?;
    Ok(f)
}
