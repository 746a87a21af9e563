//! The evaluator reads events only through `auditkit_event::EventFields`:
//! an event kept in another shape (here: owned strings, as a store or a
//! collector frame would hold it) gives the same answers as the parsed
//! log it came from, query by query, on real logs.

use std::borrow::Cow;
use std::path::Path;

use auditkit_event::assemble::assemble_all;
use auditkit_event::fields::Field;
use auditkit_event::{EventFields, EventId, RecordFields, RecordType};
use auditkit_host::Accounts;
use auditkit_query::lang::{compile, compile_field, EventView, Names};

/// An event as owned data, with no tie to the log's bytes.
struct Stored {
    id: EventId,
    node: Option<Vec<u8>>,
    records: Vec<StoredRecord>,
}

struct StoredRecord {
    rtype: RecordType,
    type_name: Vec<u8>,
    enrichment: Option<Vec<u8>>,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Stored {
    fn of(ev: &impl EventFields) -> Stored {
        Stored {
            id: ev.id(),
            node: ev.node().map(<[u8]>::to_vec),
            records: ev
                .records()
                .map(|r| StoredRecord {
                    rtype: r.rtype(),
                    type_name: r.type_name().to_vec(),
                    enrichment: r.enrichment().map(<[u8]>::to_vec),
                    fields: r
                        .fields()
                        .map(|f| (f.name.to_vec(), f.value.into_owned()))
                        .collect(),
                })
                .collect(),
        }
    }
}

struct RecRef<'a>(&'a StoredRecord);

impl<'a> RecordFields<'a> for RecRef<'a> {
    type Fields = std::iter::Map<
        std::slice::Iter<'a, (Vec<u8>, Vec<u8>)>,
        fn(&'a (Vec<u8>, Vec<u8>)) -> Field<'a>,
    >;
    fn rtype(&self) -> RecordType {
        self.0.rtype
    }
    fn type_name(&self) -> &'a [u8] {
        &self.0.type_name
    }
    fn enrichment(&self) -> Option<&'a [u8]> {
        self.0.enrichment.as_deref()
    }
    fn fields(&self) -> Self::Fields {
        self.0.fields.iter().map(|(n, v)| Field {
            name: n,
            value: Cow::Borrowed(v),
        })
    }
}

impl EventFields for Stored {
    type Record<'a> = RecRef<'a>;
    type Records<'a> =
        std::iter::Map<std::slice::Iter<'a, StoredRecord>, fn(&'a StoredRecord) -> RecRef<'a>>;
    fn id(&self) -> EventId {
        self.id
    }
    fn node(&self) -> Option<&[u8]> {
        self.node.as_deref()
    }
    fn records(&self) -> Self::Records<'_> {
        self.records.iter().map(RecRef)
    }
}

const QUERIES: &[&str] = &[
    "type = SYSCALL",
    "SYSCALL.success = no",
    "auid >= 1000 and uid = 0",
    "exe ~ \"/bin/\"",
    "key = \"delete\" or key ~ \"exec\"",
    "cmdline ~ \"sh\"",
    "serial > 100",
    "time >= 1600000000",
    "node = localhost",
    "has name and not name ~ \"^/usr\"",
    "interp(syscall) = execve",
    "raw(auid) != 4294967295",
];

#[test]
fn stored_events_answer_like_parsed_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let db = Accounts::parse(b"root:x:0:0::/:/bin/sh\n", b"");
    let names = Names { ids: &db };
    let queries: Vec<_> = QUERIES
        .iter()
        .map(|q| compile(q).unwrap_or_else(|e| panic!("{}", e.render(q))))
        .collect();
    let tally = compile_field("SYSCALL.exe").unwrap();
    let mut checked = 0;
    let mut hits = vec![0usize; QUERIES.len()];
    for log in [
        "examples/raw.log",
        "examples/enriched.log",
        "examples/node.log",
    ] {
        let data = std::fs::read(root.join(log)).expect(log);
        for ev in assemble_all(&data, 2) {
            let stored = Stored::of(&ev);
            let (a, b) = (EventView::new(&ev), EventView::new(&stored));
            for (i, q) in queries.iter().enumerate() {
                let m = q.matches(&a, &names);
                assert_eq!(
                    m,
                    q.matches(&b, &names),
                    "{log} {}: {}",
                    ev.id(),
                    QUERIES[i]
                );
                hits[i] += usize::from(m);
            }
            assert_eq!(tally.values(&a, &names), tally.values(&b, &names));
            checked += 1;
        }
    }
    assert!(checked > 10, "{checked} events");
    // Not vacuous: most queries match some events and not others.
    let telling = hits.iter().filter(|&&h| h > 0 && h < checked).count();
    assert!(telling >= QUERIES.len() / 2, "{hits:?} of {checked}");
}
