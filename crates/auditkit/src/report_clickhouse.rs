//! `auditkit report --clickhouse URL`: report's options as a condition on
//! the events table ([`crate::clickhouse_input`] fetches the records of
//! the matching events in store order; the report's engine then runs on
//! them with all its options, as on a log file). What narrows the fetch:
//!
//! * `-ts`/`-te`, always (the engine drops records outside them anyway);
//! * `--node`, unless the output shows events of other nodes too: the
//!   summary report's "Range of time in logs" is over every event read,
//!   `--by-node` with a summary gives every node read its block, and
//!   the `--noise` detection replay (`--detect`, `--detect-rules`) reads
//!   every node's events;
//! * the record types a report needs
//!   (`auditkit_report::aureport::list::record_types`: `-l` fetches the
//!   events with a USER_LOGIN record), under the same conditions.
//!
//! The rest is applied by the engine after the fetch: `--failed` and
//! `--success` (aureport's rule for an event's outcome is not the
//! column's, see `auditkit_collect::clickhouse::query`), `-nc`, `--add`,
//! `--delete`. `-t` (the time range of each log file) is refused: the
//! fetched records are no file of the user's.

use anyhow::Result;
use auditkit_collect::clickhouse::query::{self, Types};
use auditkit_report::aureport::list::{self, Types as ReportTypes};
use auditkit_report::aureport::summary::Stamp;
use auditkit_report::aureport::{Detail, Report};

use crate::clickhouse_input::{self, Fetched, Query};
use crate::report_args::ReportArgs;

/// The condition over the events table for `a`.
pub fn query(a: &ReportArgs, db: &str) -> Query {
    let mut q = Query::of_input(&a.input, db);
    let detections = a.noise.detect || !a.noise.detect_rules.is_empty();
    let (nodes, types) = if a.html.is_some() || a.noise.noise {
        // The page and the noise analysis count only --node's events.
        (!detections, None)
    } else {
        let o = a.options();
        q.refuse(
            o.report == Report::Time,
            "-t (the time range of each log file: ClickHouse has no files)",
        );
        let narrow = o.report != Report::Summary && !(o.by_node && o.detail == Detail::Summary);
        (
            narrow,
            narrow.then(|| list::record_types(o.report)).flatten(),
        )
    };
    if nodes {
        q.cond.nodes(&a.nodes);
    }
    if let Some(t) = types {
        let v: Vec<Types> = t
            .iter()
            .map(|t| match *t {
                ReportTypes::One(x) => Types::One(x),
                ReportTypes::Range(lo, hi) => Types::Range(lo, hi),
            })
            .collect();
        q.cond.record_types(&v);
    }
    q
}

/// Fetch the records `a` selects from `url` into `a`'s input.
pub fn fetch(a: &ReportArgs, url: &str) -> Result<()> {
    let f = clickhouse_input::fetch(url, "", a.debug, |db| query(a, db))?;
    a.input.set_fetched(f);
    Ok(())
}

/// The record the summary's "Range of time in logs" starts at with
/// `-ts`/`-te` (`summary::first_record`), which the fetch left out: the
/// first of the whole store outside the range.
pub fn first_record(f: &Fetched, start: i64, end: i64) -> Result<Option<Stamp>> {
    let ans = f.query(&query::first_record(&f.url().database, start, end))?;
    let text = String::from_utf8_lossy(&ans);
    let mut it = text.split_ascii_whitespace().map(str::parse::<i64>);
    Ok(match (it.next(), it.next()) {
        (Some(Ok(sec)), Some(Ok(milli))) => Some(Stamp {
            sec,
            milli: milli as u32,
        }),
        _ => None,
    })
}
