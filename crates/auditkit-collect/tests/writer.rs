//! The group-commit writer over the embedded store, in process: records
//! of two nodes (a log made by real auditd with `node=`, and the plain one
//! under another node name), sent in small batches, are stored as sent,
//! once even when sent twice, and the ordered-stage hook sees per node
//! the events that assembling that node's lines alone gives.

use std::sync::{Arc, Mutex};

use auditkit_collect::metrics::Metrics;
use auditkit_collect::store::{FileOptions, FileStore, Store};
use auditkit_collect::writer::{self, Hook, Job, Outbox, Reply, WriterOptions};
use auditkit_event::{assemble::assemble_all, Event};
use auditkit_testsupport::fs::TempDir;
use auditkit_testsupport::paths;

type Seen = Arc<Mutex<Vec<(Option<Vec<u8>>, String, usize)>>>;

struct Collect(Seen);

impl Hook for Collect {
    fn event(&mut self, node: Option<&[u8]>, e: &Event) {
        self.0
            .lock()
            .unwrap()
            .push((node.map(<[u8]>::to_vec), e.id().to_string(), e.len()));
    }
}

fn lines(data: &[u8]) -> Vec<Vec<u8>> {
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn writer_stores_dedups_and_assembles_per_node() {
    let logs = paths::example_logs();
    let node_log = std::fs::read(&logs[2]).expect("examples/node.log");
    let raw = std::fs::read(&logs[0]).expect("examples/raw.log");
    let a = lines(&node_log);
    // The plain log as a second node.
    let b: Vec<Vec<u8>> = lines(&raw)
        .into_iter()
        .map(|l| [b"node=second ".as_slice(), &l].concat())
        .collect();
    assert!(a.iter().all(|l| l.starts_with(b"node=")));
    let node_a = {
        let l = &a[0];
        let end = l.iter().position(|&c| c == b' ').unwrap();
        l[5..end].to_vec()
    };

    let t = TempDir::new("collect-writer");
    let store = FileStore::open(&t.join("s"), FileOptions::default()).unwrap();
    let seen: Seen = Default::default();
    let m = Metrics::new();
    let w = writer::spawn(
        Box::new(store) as Box<dyn Store>,
        WriterOptions::default(),
        m.clone(),
        Some(Box::new(Collect(seen.clone()))),
        None,
    )
    .unwrap();
    // Interleave the nodes, 7 records at a time, and send the first 50 of
    // node a twice (a resend).
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut sent = Vec::new();
    rt.block_on(async {
        let (mut ia, mut ib) = (a.iter(), b.iter());
        loop {
            let mut rxs = Vec::new();
            let mut any = false;
            for it in [&mut ia, &mut ib] {
                for l in it.take(7) {
                    any = true;
                    sent.push(l.clone());
                    let o = Outbox::new();
                    w.tx.send(Job {
                        line: l.clone(),
                        reply: Some(o.ticket()),
                        permit: None,
                    })
                    .await
                    .unwrap();
                    rxs.push(o);
                }
            }
            for o in rxs {
                assert_eq!(o.next_reply().await, Reply::Ack);
            }
            if !any {
                break;
            }
        }
        for l in &a[..50] {
            let o = Outbox::new();
            w.tx.send(Job {
                line: l.clone(),
                reply: Some(o.ticket()),
                permit: None,
            })
            .await
            .unwrap();
            assert_eq!(o.next_reply().await, Reply::Ack);
        }
    });
    let writer::Writer { tx, join } = w;
    drop(tx);
    join.join().unwrap().unwrap();

    let stored = lines(&std::fs::read(t.join("s").join("seg-0000000001.log")).unwrap());
    assert_eq!(stored, sent, "stored as sent, the resends once");
    assert_eq!(m.duplicates.load(std::sync::atomic::Ordering::Relaxed), 50);

    // Per node, the hook's events are those of that node's lines alone.
    let seen = seen.lock().unwrap().clone();
    for (node, data) in [(node_a.clone(), &a), (b"second".to_vec(), &b)] {
        let text: Vec<u8> = data
            .iter()
            .flat_map(|l| [l.as_slice(), b"\n"].concat())
            .collect();
        let mut want: Vec<(String, usize)> = assemble_all(&text, 2)
            .iter()
            .map(|e| (e.id().to_string(), e.len()))
            .collect();
        let mut got: Vec<(String, usize)> = seen
            .iter()
            .filter(|(n, _, _)| n.as_deref() == Some(node.as_slice()))
            .map(|(_, id, n)| (id.clone(), *n))
            .collect();
        assert!(want.len() > 100, "{}", want.len());
        want.sort();
        got.sort();
        assert_eq!(got, want, "node {}", String::from_utf8_lossy(&node));
    }
}
