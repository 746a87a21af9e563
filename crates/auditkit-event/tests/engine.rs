//! The engine (`pipeline::run`): parts merged at the end, an ordered stage
//! that sees every event in log order, early stop, events left open for a
//! checkpoint, and a panicking worker turned into an error value.

use std::path::Path;

use auditkit_event::assemble::assemble_all;
use auditkit_event::pipeline::{run, Config, Flow, Item, NoOrder, Ordered, Panicked, Sink};
use auditkit_event::{Chunk, Event, EventId};

fn log() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut data = Vec::new();
    for f in ["examples/raw.log", "examples/enriched.log"] {
        data.extend(std::fs::read(root.join(f)).expect(f));
    }
    data
}

/// Chunks of about `size` bytes, cut at newlines.
fn chunks(data: &[u8], size: usize) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let mut end = (start + size).min(data.len());
        while end < data.len() && data[end - 1] != b'\n' {
            end += 1;
        }
        out.push(Chunk {
            data: data[start..end].to_vec(),
            source: 0,
            first_line: 0,
        });
        start = end;
    }
    out
}

/// Counts events per worker, and writes their ids for the ordered stage.
struct Ids;

impl Sink<bool> for Ids {
    type Part = u64;
    type Out = Vec<EventId>;
    fn part(&self) -> u64 {
        0
    }
    fn event(&self, n: &mut u64, ev: &Event, keep: bool, out: &mut Vec<EventId>) {
        if keep {
            *n += 1;
            out.push(ev.id());
        }
    }
    fn clear(&self, out: &mut Vec<EventId>) {
        out.clear();
    }
}

#[derive(Default)]
struct Collect {
    ids: Vec<EventId>,
    stop_after: Option<usize>,
    wants: bool,
    items_seen: usize,
}

impl Ordered<Vec<EventId>> for Collect {
    fn wants_items(&self) -> bool {
        self.wants
    }
    fn batch(&mut self, out: &mut Vec<EventId>, items: &[Item]) -> Flow {
        self.ids.extend_from_slice(out);
        self.items_seen += items.len();
        match self.stop_after {
            Some(n) if self.ids.len() >= n => Flow::Stop,
            _ => Flow::Continue,
        }
    }
}

fn cfg(threads: usize) -> Config {
    Config {
        threads,
        batch: 7,
        ..Config::default()
    }
}

#[test]
fn ordered_stage_sees_log_order_and_parts_add_up() {
    let data = log();
    let want: Vec<EventId> = assemble_all(&data, 2).iter().map(Event::id).collect();
    assert!(want.len() > 50);
    let serial_even = |ev: &Event| ev.id().serial & 1 == 0;
    for threads in [1, 2, 4] {
        for size in [300, 4096, 1 << 20] {
            let mut c = Collect::default();
            let done = run(
                &cfg(threads),
                chunks(&data, size).into_iter(),
                &|_: &Event| true,
                &Ids,
                &mut c,
            )
            .unwrap();
            assert_eq!(c.ids, want, "threads {threads} size {size}");
            assert_eq!(done.parts.len(), threads);
            assert_eq!(done.parts.iter().sum::<u64>(), want.len() as u64);
            assert_eq!(done.stats.events, want.len() as u64);
            assert_eq!(c.items_seen, 0, "items kept though not wanted");
            // The filter's verdict reaches the sink.
            let mut c = Collect::default();
            run(
                &cfg(threads),
                chunks(&data, size).into_iter(),
                &serial_even,
                &Ids,
                &mut c,
            )
            .unwrap();
            let even: Vec<EventId> = want.iter().copied().filter(|i| i.serial & 1 == 0).collect();
            assert_eq!(c.ids, even);
        }
    }
}

#[test]
fn stop_ends_the_run_and_items_come_when_wanted() {
    let data = log();
    let mut c = Collect {
        stop_after: Some(1),
        wants: true,
        ..Collect::default()
    };
    let done = run(
        &cfg(2),
        chunks(&data, 300).into_iter(),
        &|_: &Event| true,
        &Ids,
        &mut c,
    )
    .unwrap();
    assert!(c.ids.len() < 14, "{} events after a stop", c.ids.len());
    assert!(c.items_seen >= c.ids.len());
    assert!(done.stats.events <= assemble_all(&data, 2).len() as u64);
}

#[test]
fn events_open_at_the_end_stay_open_when_asked() {
    // A SYSCALL without its PROCTITLE is complete only at the end of input.
    let data = b"type=SYSCALL msg=audit(1700000000.123:42): syscall=59\n".to_vec();
    let all = |_: &Event| true;
    let mut c = Collect::default();
    run(&cfg(1), chunks(&data, 100).into_iter(), &all, &Ids, &mut c).unwrap();
    assert_eq!(c.ids.len(), 1);
    let mut c = Collect::default();
    let keep_open = Config {
        complete_at_end: false,
        ..cfg(1)
    };
    run(
        &keep_open,
        chunks(&data, 100).into_iter(),
        &all,
        &Ids,
        &mut c,
    )
    .unwrap();
    assert!(c.ids.is_empty());
}

struct Boom;

impl Sink<bool> for Boom {
    type Part = ();
    type Out = ();
    fn part(&self) {}
    fn event(&self, _: &mut (), ev: &Event, _: bool, _: &mut ()) {
        if ev.id().serial % 5 == 3 {
            panic!("boom at {}", ev.id());
        }
    }
    fn clear(&self, _: &mut ()) {}
}

/// A panic on a worker is an error value naming the thread, not a hang,
/// not a panic of the caller, and not a normal end.
#[test]
fn a_panicking_worker_is_an_error() {
    let data = log();
    let r = run(
        &cfg(2),
        chunks(&data, 300).into_iter(),
        &|_: &Event| true,
        &Boom,
        &mut NoOrder,
    );
    let e: Panicked = r.unwrap_err();
    assert_eq!(e.thread, "ak-work");
    assert!(e.message.starts_with("boom at "), "{}", e.message);
    assert!(e.to_string().contains("internal error"));
}

/// The prefilter drops only events the filter would skip: with it and
/// without it, the ordered stage sees the same matching events in the
/// same order, whatever the chunk size (events cut across chunks, whose
/// literal is in a record of another chunk than their first) and the
/// number of threads. The filter here needs the literal in one of the
/// event's records, which is what the prefilter's marks promise.
#[test]
fn prefilter_keeps_every_matching_event_in_order() {
    use auditkit_event::prefilter::Prefilter;
    use std::sync::Arc;
    let data = log();
    for lit in [
        &b"akgen-exec"[..],
        b"akgen-watch",
        b"PROCTITLE",
        b"\"/usr/bin/sudo\"",
    ] {
        let holds = |ev: &Event| {
            ev.records()
                .any(|r| memchr::memmem::find(r.line, lit).is_some())
        };
        let all = assemble_all(&data, 2).len();
        for threads in [1, 2, 3] {
            for size in [150, 700, 4096, 1 << 20] {
                let mut plain = Collect::default();
                run(
                    &cfg(threads),
                    chunks(&data, size).into_iter(),
                    &holds,
                    &Ids,
                    &mut plain,
                )
                .unwrap();
                let pre = Config {
                    prefilter: Prefilter::new(&[lit.to_vec()], &[]).map(Arc::new),
                    ..cfg(threads)
                };
                let mut fast = Collect::default();
                let done = run(
                    &pre,
                    chunks(&data, size).into_iter(),
                    &holds,
                    &Ids,
                    &mut fast,
                )
                .unwrap();
                let l = String::from_utf8_lossy(lit);
                assert_eq!(
                    fast.ids, plain.ids,
                    "{l}, {threads} threads, chunks of {size}"
                );
                assert!(!plain.ids.is_empty() && plain.ids.len() < all, "{l}");
                // Every event was assembled; those dropped were counted.
                assert_eq!(done.stats.events as usize, all, "{l}");
                assert_eq!(done.stats.prefiltered as usize, all - plain.ids.len());
            }
        }
    }
}

/// A live run's assembler says, after each chunk, whether a tick could
/// still complete something (`LiveSource::settled`): events pending after
/// a chunk of data, none once a tick completed them, and the count of
/// data chunks taken, so that the source knows the answer is about all
/// it sent. The run's end wakes the source.
#[test]
fn live_run_reports_when_ticks_are_needed() {
    use auditkit_event::pipeline::LiveSource;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Wait for the assembler to change its answer from `from`.
    fn next_answer(s: &LiveSource, from: Option<u64>) -> Option<u64> {
        let t = Instant::now();
        loop {
            let v = s.settled();
            if v != from {
                return v;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "still {from:?}");
            std::thread::yield_now();
        }
    }

    let woken = Arc::new(AtomicBool::new(false));
    let w = woken.clone();
    let settled = Arc::new(LiveSource::new(move || w.store(true, Ordering::SeqCst)));
    assert_eq!(settled.settled(), Some(0), "nothing taken, nothing pending");
    let event = b"type=SYSCALL msg=audit(1700000000.100:7): syscall=59\n\
type=EOE msg=audit(1700000000.100:7): \n"
        .to_vec();
    let s = settled.clone();
    let mut step = 0;
    let mut seen = Vec::new();
    let source = std::iter::from_fn(move || {
        step += 1;
        let data = if step == 1 {
            event.clone()
        } else {
            // The event waits for its timeout: ticks are needed, until
            // one completes it; then none are, until more data.
            let v = if step == 2 {
                next_answer(&s, Some(0))
            } else {
                s.settled()
            };
            if seen.last() != Some(&v) {
                seen.push(v);
            }
            if v.is_some() {
                assert_eq!(seen, [None, Some(1)]);
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
            Vec::new()
        };
        Some(Chunk {
            data,
            source: 0,
            first_line: 0,
        })
    });
    let cfg = Config {
        threads: 1,
        eoe_timeout: 1,
        live: true,
        group_by_id: true,
        live_source: Some(settled.clone()),
        ..Config::default()
    };
    let mut c = Collect::default();
    let all = |_: &Event| true;
    run(&cfg, source, &all, &Ids, &mut c).unwrap();
    assert_eq!(c.ids.len(), 1, "the tick completed the event");
    assert_eq!(settled.settled(), Some(1));
    assert!(settled.stopped() && woken.load(Ordering::SeqCst));
}
