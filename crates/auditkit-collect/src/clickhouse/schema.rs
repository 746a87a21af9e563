//! The tables, in two dialects: what Debian's ClickHouse 18.16 has, and
//! the better types of newer servers (LowCardinality, DateTime64,
//! compression codecs, TTL, insert deduplication tokens), chosen from the
//! server's `version()`. Both have the same columns under the same
//! names, so queries (`auditkit search|report|detect --clickhouse`) work
//! on either.

use std::time::Duration;

use super::http::{post, HttpError, Url};
use super::Rows;

/// Which DDL and insert settings a server gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// 18.16 and other servers before 22.2: `DateTime` plus a `msec`
    /// column, plain `String`s, dedup at merge time only.
    Old,
    /// 22.2 and later: `DateTime64(3, 'UTC')`, `LowCardinality`, ZSTD
    /// codecs on the raw line, optional TTL, and
    /// `insert_deduplication_token` on tables with a
    /// `non_replicated_deduplication_window`.
    New,
}

impl Dialect {
    /// The dialect of a `version()` string (`18.16.1`, `24.3.2.23`).
    pub fn of_version(v: &str) -> Dialect {
        let mut it = v.trim().split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let (maj, min) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
        if (maj, min) >= (22, 2) {
            Dialect::New
        } else {
            Dialect::Old
        }
    }

    /// Its name for the log.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Old => "18.16-compatible",
            Dialect::New => "22.2+",
        }
    }
}

/// The statements that create the database and both tables.
pub fn ddl(d: Dialect, db: &str, ttl_days: Option<u32>) -> Vec<String> {
    let (lc, time, line, small) = match d {
        Dialect::Old => ("String", "DateTime", "String", "String"),
        Dialect::New => (
            "LowCardinality(String)",
            "DateTime64(3, 'UTC')",
            "String CODEC(ZSTD(3))",
            "String CODEC(ZSTD(1))",
        ),
    };
    let tail = match d {
        Dialect::Old => String::new(),
        Dialect::New => {
            let ttl = ttl_days.map_or(String::new(), |n| {
                format!(" TTL toDateTime(time) + INTERVAL {n} DAY")
            });
            format!("{ttl} SETTINGS non_replicated_deduplication_window = 10000")
        }
    };
    vec![
        format!("CREATE DATABASE IF NOT EXISTS {db}"),
        format!(
            "CREATE TABLE IF NOT EXISTS {db}.records (\
             node {lc}, time {time}, msec UInt16, serial UInt64, type {lc}, \
             rtype Int32, rid UInt64, pos UInt64, line {line}, batch {small}) \
             ENGINE = ReplacingMergeTree \
             PARTITION BY toYYYYMMDD(time) ORDER BY (node, time, serial, rid){tail}"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {db}.events (\
             node {lc}, time {time}, msec UInt16, serial UInt64, type {lc}, \
             key {small}, auid Nullable(UInt32), uid Nullable(UInt32), \
             exe {small}, comm {small}, syscall Nullable(Int32), \
             success Nullable(UInt8), pid Nullable(UInt32), ppid Nullable(UInt32), \
             records UInt16, batch {small}) \
             ENGINE = ReplacingMergeTree(records) \
             PARTITION BY toYYYYMMDD(time) ORDER BY (node, time, serial){tail}"
        ),
    ]
}

/// The INSERT statement of a table (the rows follow in the body).
pub fn insert_sql(db: &str, table: &str) -> String {
    format!("INSERT INTO {db}.{table} FORMAT JSONEachRow")
}

/// The query `search`, `report` and `detect --clickhouse` run: the
/// records of the events that match `cond` (a condition on the events
/// table's columns, [`super::query::Cond`]), one copy each, in store
/// order, as raw lines.
pub fn select_records(db: &str, cond: &str) -> String {
    format!(
        "SELECT line FROM {db}.records FINAL WHERE (node, time, serial) IN \
         (SELECT node, time, serial FROM {db}.events FINAL WHERE {cond}) \
         ORDER BY pos FORMAT TabSeparatedRaw"
    )
}

/// A server's schema: its version and dialect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    /// `version()`.
    pub version: String,
    /// What it gets.
    pub dialect: Dialect,
}

const TIMEOUT: Duration = Duration::from_secs(30);

impl Schema {
    /// Ask the server its version.
    pub fn detect(url: &Url) -> Result<Schema, HttpError> {
        let mut u = url.clone();
        u.database = "default".into();
        let v = post(&u, "SELECT version()", &[], b"", TIMEOUT)?;
        let version = String::from_utf8_lossy(&v).trim().to_string();
        Ok(Schema {
            dialect: Dialect::of_version(&version),
            version,
        })
    }

    /// Create the database and the tables if they are not there.
    pub fn create(&self, url: &Url) -> Result<(), HttpError> {
        let mut u = url.clone();
        for (i, q) in ddl(self.dialect, &url.database, url.ttl_days)
            .iter()
            .enumerate()
        {
            // The database does not exist before the first statement.
            u.database = if i == 0 {
                "default".into()
            } else {
                url.database.clone()
            };
            post(&u, "", &[], q.as_bytes(), TIMEOUT)?;
        }
        Ok(())
    }

    /// Insert one batch's rows: records, then events. `id` is the
    /// batch's deterministic id (a dedup token where the server has them;
    /// the tables' ReplacingMergeTree collapses a repeat everywhere).
    pub fn insert(&self, url: &Url, rows: &Rows, id: &str) -> Result<(), HttpError> {
        for (table, body) in [("records", &rows.records), ("events", &rows.events)] {
            if body.is_empty() {
                continue;
            }
            let token = format!("{id}/{table}");
            let params: Vec<(&str, &str)> = match self.dialect {
                Dialect::Old => vec![],
                Dialect::New => vec![("insert_deduplication_token", token.as_str())],
            };
            post(
                url,
                &insert_sql(&url.database, table),
                &params,
                body,
                TIMEOUT,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_by_version() {
        assert_eq!(Dialect::of_version("18.16.1"), Dialect::Old);
        assert_eq!(Dialect::of_version("21.8.15.7"), Dialect::Old);
        assert_eq!(Dialect::of_version("22.2.1"), Dialect::New);
        assert_eq!(Dialect::of_version("26.9.2.1"), Dialect::New);
        assert_eq!(Dialect::of_version("garbage"), Dialect::Old);
        let old = ddl(Dialect::Old, "a", Some(3)).join("\n");
        assert!(!old.contains("LowCardinality") && !old.contains("TTL"));
        let new = ddl(Dialect::New, "a", Some(3)).join("\n");
        assert!(new.contains("DateTime64(3, 'UTC')") && new.contains("INTERVAL 3 DAY"));
    }
}
