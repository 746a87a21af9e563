//! The SQL that `search`, `report` and `detect --clickhouse` run over the
//! tables the collector fills: a condition on the events table built from
//! typed parts ([`Cond`]), the query that fetches the records of the
//! matching events in store order ([`Cond::select_records`]), and the one that
//! finds the summary report's first record ([`first_record`]).
//!
//! A condition only narrows what is fetched: the commands run their own
//! engine over the fetched records with their exact rules, so a part
//! must never leave out an event the command would keep. That is why
//! there is no part for `success`: the column is the `success=`/`res=` of
//! the first record that has one, where ausearch and aureport take the
//! last record that sets it, each record type read its own way (`res=`
//! read as a number by some, an AVC's `denied`, a LOGIN without `res=`),
//! so `success = 0` can miss an event they call failed.
//!
//! Both dialects have the same columns: `toUnixTimestamp(time)` is the
//! record's second on `DateTime` (18.16) and `DateTime64(3)` (22.2+).

/// A number column of the events table (`NULL` when no record had the
/// field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    /// The event serial.
    Serial,
    /// `uid=` of the first record with one.
    Uid,
    /// `auid=`.
    Auid,
    /// `pid=`.
    Pid,
    /// `ppid=`.
    Ppid,
    /// The SYSCALL record's `syscall=`.
    Syscall,
}

impl Num {
    fn column(self) -> &'static str {
        match self {
            Num::Serial => "serial",
            Num::Uid => "uid",
            Num::Auid => "auid",
            Num::Pid => "pid",
            Num::Ppid => "ppid",
            Num::Syscall => "syscall",
        }
    }
}

/// A text column of the events table (empty when no record had it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    /// The first `key=` that is not `(null)`.
    Key,
    /// `exe=`.
    Exe,
    /// `comm=`.
    Comm,
}

impl Text {
    fn column(self) -> &'static str {
        match self {
            Text::Key => "key",
            Text::Exe => "exe",
            Text::Comm => "comm",
        }
    }
}

/// Record types, as numbers: one, or an inclusive range. A range whose
/// end is not above its start matches nothing, as aureport's
/// `list_find_msg_range` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Types {
    /// One type.
    One(i32),
    /// `lo..=hi`.
    Range(i32, i32),
}

/// A string literal: single quotes, with `'` and `\` escaped. The bytes
/// are read as UTF-8 with invalid sequences replaced, as the collector
/// writes the columns (JSON strings).
pub fn quote(s: &[u8]) -> String {
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

/// A condition on the events table of database `db`: the parts, ANDed.
#[derive(Clone, Debug)]
pub struct Cond {
    db: String,
    parts: Vec<String>,
}

impl Cond {
    /// No condition yet (every event).
    pub fn new(db: &str) -> Cond {
        Cond {
            db: db.to_string(),
            parts: Vec::new(),
        }
    }

    /// `-ts`/`-te` in epoch seconds, 0 for none: the event's second
    /// (the same as each of its records').
    pub fn time(&mut self, start: i64, end: i64) -> &mut Cond {
        if start != 0 {
            self.parts
                .push(format!("toUnixTimestamp(time) >= {}", start.max(0)));
        }
        if end != 0 {
            self.parts
                .push(format!("toUnixTimestamp(time) <= {}", end.max(0)));
        }
        self
    }

    /// Events of these nodes (`node=`; none: no condition). An event
    /// without `node=` has the empty node.
    pub fn nodes(&mut self, nodes: &[Vec<u8>]) -> &mut Cond {
        if !nodes.is_empty() {
            let v: Vec<String> = nodes.iter().map(|n| quote(n)).collect();
            self.parts.push(format!("node IN ({})", v.join(", ")));
        }
        self
    }

    /// `col = v`.
    pub fn num(&mut self, col: Num, v: i64) -> &mut Cond {
        self.parts.push(format!("{} = {v}", col.column()));
        self
    }

    /// ausearch's text match: `v` anywhere in the column, or the whole
    /// column with `exact` (`-w`).
    pub fn text(&mut self, col: Text, v: &[u8], exact: bool) -> &mut Cond {
        let c = col.column();
        self.parts.push(if exact {
            format!("{c} = {}", quote(v))
        } else {
            format!("position({c}, {}) > 0", quote(v))
        });
        self
    }

    /// Events with at least one record of one of these types (from the
    /// records table; an empty list: no event).
    pub fn record_types(&mut self, types: &[Types]) -> &mut Cond {
        let mut any = Vec::new();
        let mut ones = Vec::new();
        for t in types {
            match *t {
                Types::One(t) => ones.push(t.to_string()),
                Types::Range(lo, hi) if hi > lo => any.push(format!("rtype BETWEEN {lo} AND {hi}")),
                Types::Range(..) => {}
            }
        }
        if !ones.is_empty() {
            any.insert(0, format!("rtype IN ({})", ones.join(", ")));
        }
        let cond = if any.is_empty() {
            "0".to_string()
        } else {
            any.join(" OR ")
        };
        self.parts.push(format!(
            "(node, time, serial) IN (SELECT node, time, serial FROM {}.records WHERE {cond})",
            self.db
        ));
        self
    }

    /// Whether no part was added (every event matches).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The condition as SQL (`1` for none).
    pub fn sql(&self) -> String {
        if self.parts.is_empty() {
            "1".into()
        } else {
            self.parts.join(" AND ")
        }
    }

    /// The query that fetches the records of the matching events.
    pub fn select_records(&self) -> String {
        super::schema::select_records(&self.db, &self.sql())
    }
}

/// The record aureport's summary starts "Range of time in logs" at, with
/// `-ts`/`-te` (epoch seconds, 0 for none): the first record of the store
/// outside the range, or with no `-ts` the first record at all. Answers
/// `SECONDS\tMILLISECONDS`, or nothing when there is none.
pub fn first_record(db: &str, start: i64, end: i64) -> String {
    let mut out = Vec::new();
    if start != 0 {
        out.push(format!("toUnixTimestamp(time) < {}", start.max(0)));
        if end != 0 {
            out.push(format!("toUnixTimestamp(time) > {}", end.max(0)));
        }
    }
    let cond = if out.is_empty() {
        "1".to_string()
    } else {
        out.join(" OR ")
    };
    format!(
        "SELECT toUnixTimestamp(time), msec FROM {db}.records FINAL WHERE {cond} \
         ORDER BY pos LIMIT 1 FORMAT TabSeparated"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let mut c = Cond::new("fleet");
        assert_eq!(c.sql(), "1");
        c.time(100, 0)
            .nodes(&[b"a".to_vec(), b"b'c".to_vec()])
            .num(Num::Uid, 0)
            .text(Text::Key, b"x\\y", false)
            .text(Text::Exe, b"/bin/sh", true);
        assert_eq!(
            c.sql(),
            "toUnixTimestamp(time) >= 100 AND node IN ('a', 'b\\'c') AND uid = 0 AND \
             position(key, 'x\\\\y') > 0 AND exe = '/bin/sh'"
        );
        let mut t = Cond::new("db");
        t.record_types(&[
            Types::One(1100),
            Types::Range(2100, 2199),
            Types::Range(5, 5),
        ]);
        assert_eq!(
            t.sql(),
            "(node, time, serial) IN (SELECT node, time, serial FROM db.records WHERE \
             rtype IN (1100) OR rtype BETWEEN 2100 AND 2199)"
        );
        let mut none = Cond::new("db");
        none.record_types(&[Types::Range(5, 5)]);
        assert!(none.sql().contains("WHERE 0)"), "{}", none.sql());
    }

    #[test]
    fn first_records() {
        assert!(first_record("d", 0, 0).contains("WHERE 1 ORDER BY pos LIMIT 1"));
        assert!(first_record("d", 0, 50).contains("WHERE 1 "));
        assert!(first_record("d", 10, 50)
            .contains("toUnixTimestamp(time) < 10 OR toUnixTimestamp(time) > 50"));
    }
}
