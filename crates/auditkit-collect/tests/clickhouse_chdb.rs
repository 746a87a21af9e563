//! The newer ClickHouse dialect (DateTime64, LowCardinality, codecs,
//! TTL, insert_deduplication_token), which no server package here has,
//! run in chDB, the in-process ClickHouse engine from PyPI
//! (`chdb-core`), through a small Python driver: the DDL is accepted,
//! rows built from a real log insert, a repeated batch id inserts
//! nothing, `FINAL` collapses a batch sent under another id, the query
//! of `search --clickhouse` returns the records in store order, and the
//! conditions of `report --clickhouse` (time range on `DateTime64`,
//! nodes, record types) and its summary's first record select what they
//! say.

use std::collections::HashSet;
use std::process::Command;

use auditkit_collect::clickhouse::query::{first_record, Cond, Types};
use auditkit_collect::clickhouse::schema::{ddl, select_records, Dialect};
use auditkit_collect::clickhouse::{rows, store_pos};
use auditkit_testsupport::fs::TempDir;

#[macro_use]
extern crate auditkit_testsupport;

fn chdb() -> Result<(), String> {
    let o = Command::new("python3")
        .args(["-c", "import chdb"])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "python3 cannot import chdb (pip install chdb-core): {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

#[test]
fn new_dialect_in_chdb() {
    require!(chdb());
    let log = auditkit_testsupport::paths::example_logs()[2].clone();
    let data = require!(auditkit_testsupport::need::file(&log));
    let lines: Vec<&[u8]> = data
        .as_bytes()
        .split(|&b| b == b'\n')
        .filter(|l| {
            !l.is_empty() && !l.starts_with(b"type=EOE") && !l.windows(9).any(|w| w == b"type=EOE ")
        })
        .collect();
    assert!(lines.len() > 100);
    let with_pos: Vec<(&[u8], u64)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (*l, store_pos(1, i as u64 * 10)))
        .collect();
    let r = rows(Dialect::New, &with_pos, "1:0-1:9");
    let t = TempDir::new("chdb");
    let d = t.path();
    std::fs::write(
        d.join("ddl.sql"),
        ddl(Dialect::New, "akt", Some(3650)).join(";\n"),
    )
    .unwrap();
    std::fs::write(d.join("records.json"), &r.records).unwrap();
    std::fs::write(d.join("events.json"), &r.events).unwrap();
    let cond = "position(key, 'akgen-exec') > 0";
    // report's parts: a time range, a node, record types.
    let heads: Vec<_> = lines
        .iter()
        .map(|l| auditkit_event::header::parse_header(l).unwrap())
        .collect();
    let mut secs: Vec<u64> = heads.iter().map(|h| h.id.sec).collect();
    secs.sort();
    let (lo, hi) = (secs[secs.len() / 3], secs[secs.len() * 2 / 3]);
    let mut ranged = Cond::new("akt");
    ranged
        .time(lo as i64, hi as i64)
        .nodes(&[b"akgen-node".to_vec(), b"other".to_vec()]);
    let mut typed = Cond::new("akt");
    typed.record_types(&[Types::One(1305), Types::Range(1320, 1330)]);
    let mut elsewhere = Cond::new("akt");
    elsewhere.nodes(&[b"other".to_vec()]);
    let no_tail = |q: String| q.replace(" FORMAT TabSeparatedRaw", "");
    let queries = [
        "SELECT count() FROM akt.records".to_string(),
        "SELECT count() FROM akt.records FINAL".to_string(),
        "SELECT count() FROM akt.events FINAL".to_string(),
        "SELECT toTypeName(time), toTypeName(node) FROM akt.records LIMIT 1".to_string(),
        "SELECT toUnixTimestamp(time), msec FROM akt.records ORDER BY pos LIMIT 1".to_string(),
        select_records("akt", "1").replace(" FORMAT TabSeparatedRaw", ""),
        select_records("akt", cond).replace(" FORMAT TabSeparatedRaw", ""),
        no_tail(ranged.select_records()),
        no_tail(typed.select_records()),
        no_tail(elsewhere.select_records()),
        first_record("akt", lo as i64, hi as i64),
        first_record("akt", 0, hi as i64),
    ];
    std::fs::write(d.join("queries.sql"), queries.join("\n")).unwrap();
    let driver = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/chdb_driver.py");
    let o = Command::new("python3").arg(driver).arg(d).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    let ans: Vec<&str> = out.split("--end--\n").collect();
    let n = lines.len();
    // The same token twice: one insert; another token: a second copy,
    // which FINAL collapses.
    assert_eq!(ans[0].trim(), (2 * n).to_string());
    assert_eq!(ans[1].trim(), n.to_string());
    assert_eq!(ans[2].trim(), r.n_events.to_string());
    assert_eq!(
        ans[3].trim(),
        "DateTime64(3, 'UTC')\tLowCardinality(String)"
    );
    let h = auditkit_event::header::parse_header(lines[0]).unwrap();
    assert_eq!(ans[4].trim(), format!("{}\t{}", h.id.sec, h.id.msec));
    let all: Vec<&str> = ans[5].lines().collect();
    let want: Vec<String> = lines
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    assert_eq!(all, want, "store order");
    // Every record returned for the key belongs to an event with it.
    let keyed: HashSet<(u64, u32, u64)> = lines
        .iter()
        .filter(|l| l.windows(16).any(|w| w == b"key=\"akgen-exec\""))
        .map(|l| {
            let h = auditkit_event::header::parse_header(l).unwrap();
            (h.id.sec, h.id.msec, h.id.serial)
        })
        .collect();
    let got: Vec<&str> = ans[6].lines().collect();
    assert!(!got.is_empty());
    for l in &got {
        let h = auditkit_event::header::parse_header(l.as_bytes()).unwrap();
        assert!(keyed.contains(&(h.id.sec, h.id.msec, h.id.serial)), "{l}");
    }
    let events_returned: HashSet<_> = got
        .iter()
        .map(|l| {
            let h = auditkit_event::header::parse_header(l.as_bytes()).unwrap();
            (h.id.sec, h.id.msec, h.id.serial)
        })
        .collect();
    assert_eq!(events_returned, keyed);
    // The records of the events in the range, in store order.
    let of = |keep: &dyn Fn(&auditkit_event::header::Header) -> bool| -> Vec<String> {
        let ids: HashSet<_> = heads
            .iter()
            .filter(|h| keep(h))
            .map(|h| (h.id.sec, h.id.msec, h.id.serial))
            .collect();
        lines
            .iter()
            .zip(&heads)
            .filter(|(_, h)| ids.contains(&(h.id.sec, h.id.msec, h.id.serial)))
            .map(|(l, _)| String::from_utf8_lossy(l).into_owned())
            .collect()
    };
    let want = of(&|h| h.id.sec >= lo && h.id.sec <= hi);
    assert!(!want.is_empty() && want.len() < lines.len());
    assert_eq!(ans[7].lines().collect::<Vec<_>>(), want, "time and node");
    let want = of(&|h| h.rtype.0 == 1305 || (1320..=1330).contains(&h.rtype.0));
    assert!(!want.is_empty() && want.len() < lines.len());
    assert_eq!(ans[8].lines().collect::<Vec<_>>(), want, "record types");
    assert_eq!(ans[9], "", "another node");
    // The summary's first record: the first outside the range, or the
    // first of all with no -ts.
    let stamp = |h: &auditkit_event::header::Header| format!("{}\t{}", h.id.sec, h.id.msec);
    let out_of_range = heads
        .iter()
        .find(|h| h.id.sec < lo || h.id.sec > hi)
        .unwrap();
    assert_eq!(ans[10].trim(), stamp(out_of_range));
    assert_eq!(ans[11].trim(), stamp(&heads[0]));
}
