//! Tests of the whole: the size bound by construction, parts merged as
//! one stream, escaping on the page.

use super::bounded::{width, MAX_BUCKETS, MAX_KEY};
use super::tally::{Row, NODE_CAP, RECENT_CAP, ROW_TEXT, SERIES_CAP, TOP_CAP};
use super::*;
use auditkit_event::pipeline::{run, Config, NoOrder};
use auditkit_event::{Chunk, Event, EventId};

/// A key of `MAX_KEY` bytes that costs the most on the page: `"` is 6
/// bytes escaped in text and 7 in a query string in a command, escaped.
fn heavy(i: usize) -> Vec<u8> {
    let mut k = format!("{i:04}").into_bytes();
    k.resize(MAX_KEY, b'"');
    k
}

/// Every table of a tally full to its cap with the costliest values and
/// counts, every bucket of every series of every chart non-empty: the
/// largest page any log can give.
fn worst() -> Tally {
    let mut t = Tally::new();
    let w = width(9);
    let lo = 20_000 * w;
    let big = 1u64 << 50;
    for b in 0..MAX_BUCKETS as u64 {
        let sec = lo + b * w;
        for i in 0..SERIES_CAP + 4 {
            let k = heavy(i);
            t.by_key.add(&k, sec, big);
            t.by_type.add(&k, sec, big);
            t.by_node.add(&k, sec, big);
        }
        // Only named types count as changes or anomalies: all of them.
        for n in 0..10_000 {
            if let Some(name) = auditkit_interp::RecordType(n).name() {
                if is_config(name) {
                    t.config.add(name.as_bytes(), sec, big);
                }
                if is_anom(name) {
                    t.anom.add(name.as_bytes(), sec, big);
                }
            }
        }
        for s in [
            &mut t.all,
            &mut t.all_records,
            &mut t.no_key,
            &mut t.success,
            &mut t.failed,
            &mut t.outcome,
            &mut t.login_failed,
            &mut t.auth_failed,
            &mut t.login_or_auth_failed,
        ] {
            s.add(sec, big);
        }
    }
    for i in 0..TOP_CAP * 2 {
        let k = heavy(i);
        for top in [
            &mut t.exe,
            &mut t.users,
            &mut t.keys,
            &mut t.hosts,
            &mut t.files,
            &mut t.failed_addr,
            &mut t.errno,
        ] {
            top.add(&k, big - i as u64);
            top.add(&[b'x'; MAX_KEY * 2], 1);
        }
    }
    for i in 0..RECENT_CAP * 2 {
        let row = || Row {
            id: EventId {
                sec: lo + i as u64,
                msec: 999,
                serial: u64::MAX,
            },
            node: Some(heavy(i).into()),
            rtype: String::from_utf8(heavy(i)).unwrap(),
            text: vec![b'"'; ROW_TEXT].into(),
        };
        t.config_recent.offer((lo + i as u64, 0, 0, 0), row);
        t.anom_recent.offer((lo + i as u64, 0, 0, 0), row);
    }
    for i in 0..NODE_CAP {
        t.nodes.insert(
            heavy(i).into(),
            NodeStats {
                events: big,
                records: big,
                failed: big,
                span: Some((lo, lo + 120 * w)),
            },
        );
    }
    t.other_nodes.events = big;
    t.no_node.events = big;
    t.events = u64::MAX;
    t.records = u64::MAX;
    t.bytes = u64::MAX;
    t.unparsed = u64::MAX;
    t.span = Some((lo, lo + 120 * w - 1));
    t
}

#[test]
fn the_page_is_at_most_2_mb_whatever_the_log() {
    let t = worst();
    let long = "\"".repeat(4096);
    let sources: Vec<String> = (0..1000).map(|_| long.clone()).collect();
    let base: Vec<String> = sources
        .iter()
        .flat_map(|s| ["-if".to_string(), s.clone()])
        .collect();
    let noise: Vec<NoiseRow> = (0..1000)
        .map(|_| NoiseRow {
            talker: long.clone(),
            rule: long.clone(),
            events: u64::MAX,
            bytes: u64::MAX,
            risk: long.clone(),
            search: Some(Search::filter(long.clone())),
        })
        .collect();
    let names = |_: u32| Some("\"".repeat(10_000));
    let o = Options {
        title: long.clone(),
        sources,
        search_base: base,
        range: Some((0, u64::MAX - 1)),
        generated: Some(long.clone()),
        input_note: Some(long.clone()),
        user_name: &names,
        noise: Some(&noise),
    };
    let page = render(&t, &o);
    eprintln!("worst-case page: {} bytes", page.len());
    if let Ok(p) = std::env::var("HTML_WORST_OUT") {
        std::fs::write(p, &page).unwrap();
    }
    assert!(page.len() <= 2 << 20, "{} bytes", page.len());
    // And it is still one page: every chart is there.
    assert!(page.matches("<svg").count() >= 13);
}

/// A real-looking log of many events over a day, as bytes.
fn log(n: u64) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        let t = 1_700_000_000 + i * 37;
        let key = ["cron", "exec", "net", "ident"][(i % 4) as usize];
        let ok = if i % 5 == 0 {
            "no exit=-13"
        } else {
            "yes exit=0"
        };
        s.push_str(&format!(
            "node=n{} type=SYSCALL msg=audit({t}.{:03}:{i}): arch=c000003e syscall=59 success={ok} auid={} exe=\"/usr/bin/p{}\" key=\"{key}\"\n\
             node=n{} type=PATH msg=audit({t}.{:03}:{i}): item=0 name=\"/etc/f{}\"\n",
            i % 3,
            i % 1000,
            1000 + i % 7,
            i % 13,
            i % 3,
            i % 1000,
            i % 17
        ));
        if i % 50 == 0 {
            s.push_str(&format!(
                "type=USER_LOGIN msg=audit({t}.500:{}): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=\"x\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.{} terminal=ssh res=failed'\n",
                i + 1_000_000,
                i % 9
            ));
        }
    }
    s.into_bytes()
}

fn tally_of(data: Vec<u8>, threads: usize) -> Tally {
    // Chunks of ~64 KiB cut at newlines, as the source crate makes them.
    let mut chunks = Vec::new();
    let mut rest = &data[..];
    let mut line = 0u64;
    while !rest.is_empty() {
        let mut end = rest.len().min(64 * 1024);
        while end < rest.len() && rest[end - 1] != b'\n' {
            end += 1;
        }
        let c = &rest[..end];
        chunks.push(Chunk {
            data: c.to_vec(),
            source: 0,
            first_line: line,
        });
        line += c.iter().filter(|&&b| b == b'\n').count() as u64;
        rest = &rest[end..];
    }
    let cfg = Config {
        threads,
        batch: 64,
        ..Config::default()
    };
    let all = |_: &Event| true;
    let done = run(&cfg, chunks.into_iter(), &all, &HtmlSink, &mut NoOrder).unwrap();
    Tally::merged(done.parts)
}

#[test]
fn parts_merged_are_the_tally_of_one_worker() {
    let data = log(20_000);
    let one = tally_of(data.clone(), 1);
    let four = tally_of(data, 4);
    assert_eq!(one.events, 20_400);
    assert_eq!(four.events, one.events);
    assert_eq!(four.records, one.records);
    assert_eq!(four.bytes, one.bytes);
    assert_eq!(four.errno.top(5), one.errno.top(5));
    assert_eq!(four.exe.top(20), one.exe.top(20));
    assert_eq!(four.failed_addr.top(20), one.failed_addr.top(20));
    assert_eq!(four.failed.total(), 4400);
    assert_eq!(four.login_failed.total(), 400);
    // The pages are the same, byte for byte.
    let o = Options::default();
    assert_eq!(render(&four, &o), render(&one, &o));
}

#[test]
fn the_page_grows_with_digits_only() {
    // Ten times the log over the same day: same buckets, same tables,
    // larger numbers.
    let small = render(&tally_of(log(2_000), 2), &Options::default());
    let mut ten = Vec::new();
    for _ in 0..10 {
        ten.extend(log(2_000));
    }
    let large = render(&tally_of(ten, 2), &Options::default());
    assert!(
        large.len() < small.len() + small.len() / 10,
        "{} -> {}",
        small.len(),
        large.len()
    );
}

#[test]
fn markup_in_the_log_is_text_on_the_page() {
    let log = b"type=ANOM_ABEND msg=audit(1700000000.000:1): auid=1000 uid=0 gid=0 ses=1 pid=4 comm=\"<script>alert(1)</script>\" exe=\"/bin/<b>\" sig=11 res=1\n\
type=SYSCALL msg=audit(1700000001.000:2): arch=c000003e syscall=2 success=no exit=-2 auid=1000 comm=\"x\" exe=\"/bin/<b>\" key=\"</svg><script>\"\n\
type=PATH msg=audit(1700000001.000:2): item=0 name=\"/tmp/\"><img src=x>\"\n";
    let mut t = Tally::new();
    for ev in auditkit_event::assemble::assemble_all(log, 2) {
        t.add(&ev);
    }
    let page = render(&t, &Options::default());
    assert!(!page.contains("<script"));
    assert!(!page.contains("<img"));
    assert!(!page.contains("/bin/<b>"));
    assert_eq!(
        page.matches("</svg>").count(),
        page.matches("<svg ").count()
    );
    assert!(page.contains("comm=&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
    assert!(page.contains("&lt;/svg&gt;&lt;script&gt;"));
}

#[test]
fn odd_values_never_panic() {
    // Lines assembled from pieces with damaged values, extreme times and
    // bytes of every kind, through the tally, merging and the page.
    let pieces: [&[u8]; 24] = [
        b"success=no",
        b"success=maybe",
        b"exit=-99999999999999999999",
        b"exit=abc",
        b"exit=-13",
        b"res=0",
        b"res=failed'",
        b"auid=-1",
        b"auid=4294967295",
        b"key=(null)",
        b"key=616201ff",
        b"key=\"\"",
        b"exe=ZZ",
        b"exe=\"",
        b"name=\"/a\x00b\"",
        b"hostname=\xff\xfe",
        b"addr=?",
        b"msg='op=login res=failed addr=1.2.3.4'",
        b"comm=\"<x>\"",
        b"node=",
        b"syscall=59",
        b"a0=",
        b"=",
        b"\x1b[31m",
    ];
    let types = [
        "SYSCALL",
        "PATH",
        "USER_LOGIN",
        "USER_AUTH",
        "CONFIG_CHANGE",
        "DAEMON_START",
        "ANOM_ABEND",
        "UNKNOWN[9999]",
        "1305",
        "ANOM_BOGUS",
        "DAEMON_",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let times = [0u64, 1, 1_700_000_000, 99_999_999_999, u32::MAX as u64];
    let mut log = Vec::new();
    for i in 0..3000u64 {
        let t = times[(next() % times.len() as u64) as usize] + next() % 100;
        let ty = types[(next() % types.len() as u64) as usize];
        if next() % 3 == 0 {
            log.extend_from_slice(format!("node=n{} ", next() % 70).as_bytes());
        }
        log.extend_from_slice(
            format!("type={ty} msg=audit({t}.{:03}:{i}):", next() % 1000).as_bytes(),
        );
        for _ in 0..next() % 8 {
            log.push(b' ');
            log.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
        }
        log.push(b'\n');
        if next() % 50 == 0 {
            log.extend_from_slice(b"garbage line\n");
        }
    }
    let t = tally_of(log, 3);
    assert!(
        t.events > 1000 && t.unparsed > 10,
        "{} {}",
        t.events,
        t.unparsed
    );
    let page = render(&t, &Options::default());
    assert!(page.ends_with("</html>\n"));
    assert!(!page.contains("<x>"));
}
