//! `auditkit search --clickhouse URL`: the search's criteria as a
//! condition on the events table that `collect --clickhouse` fills
//! ([`crate::clickhouse_input`] fetches the records of the matching
//! events; the usual engine then searches them with the same criteria).
//! The SQL only narrows what is fetched; the engine's exact rules
//! (ausearch's) decide what is printed, so the output is what `auditkit
//! search` prints for those records.
//!
//! A criterion with no column (`-ue`, `-gi`, `-f`, `--where`, ...) is not
//! guessed at: the search stops with an error that names each one. `-sv`
//! has a column whose rule is not ausearch's (see
//! `auditkit_collect::clickhouse::query`): it narrows nothing, and the
//! engine applies it to what the other criteria fetched.

use anyhow::Result;
use auditkit_collect::clickhouse::query::{Num, Text, Types};

use crate::clickhouse_input::{self, Query};
use crate::search_args::SearchArgs;

/// The condition over the events table for `a`, with the options that
/// have no translation refused.
pub fn query(a: &SearchArgs, db: &str) -> Query {
    let c = &a.criteria;
    let mut q = Query::of_input(&a.input, db);
    let w = &mut q.cond;
    if c.event_id != u32::MAX {
        w.num(Num::Serial, c.event_id.into());
    }
    w.nodes(&c.nodes);
    if !c.ua {
        if c.uid != u32::MAX {
            w.num(Num::Uid, c.uid.into());
        }
        if c.loginuid != u32::MAX - 1 {
            w.num(Num::Auid, c.loginuid.into());
        }
    }
    if c.pid != -1 {
        w.num(Num::Pid, c.pid.into());
    }
    if c.ppid != -1 {
        w.num(Num::Ppid, c.ppid.into());
    }
    if c.syscall != -1 {
        w.num(Num::Syscall, c.syscall.into());
    }
    for (v, col) in [
        (&c.key, Text::Key),
        (&c.exe, Text::Exe),
        (&c.comm, Text::Comm),
    ] {
        if let Some(v) = v {
            w.text(col, v, c.exact);
        }
    }
    if let Some(t) = &c.types {
        let v: Vec<Types> = t.iter().map(|t| Types::One(t.0)).collect();
        w.record_types(&v);
    }
    for (set, name) in [
        (c.ua, "-ua"),
        (!c.ua && c.euid != u32::MAX, "-ue"),
        (
            c.tuid.is_some() || c.teuid.is_some() || c.tauid.is_some(),
            "user names for -ui/-ue/-ul (give the number)",
        ),
        (
            c.gid != u32::MAX || c.egid != u32::MAX || c.ga,
            "-gi/-ge/-ga",
        ),
        (c.session != u32::MAX - 1, "--session"),
        (c.exit.is_some(), "-e"),
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
    ] {
        q.refuse(set, name);
    }
    q
}

/// Fetch the records `a`'s criteria select from `url` into `a`'s input.
pub fn fetch(a: &SearchArgs, url: &str) -> Result<()> {
    let f = clickhouse_input::fetch(
        url,
        "search the collector's store (--store DIR) for them",
        a.debug,
        |db| query(a, db),
    )?;
    a.input.set_fetched(f);
    Ok(())
}
