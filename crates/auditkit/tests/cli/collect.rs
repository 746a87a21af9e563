//! `auditkit collect` as a process (issue 11): the real audisp-remote as
//! its client, kill -9 in the middle of a stream, broken and hostile
//! peers, a thousand connections, a disk that fills up, and
//! `search --store` against ausearch on the same segments.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use auditkit_collect::codec::{self, Decoder, Frame, Kind, Side};
use auditkit_testsupport::fs::TempDir;

use crate::common::Collector;

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_nodelay(true).unwrap();
    s
}

fn send(s: &mut TcpStream, seq: u32, line: &[u8]) -> std::io::Result<()> {
    s.write_all(&codec::frame(Kind::Message, seq, line))
}

/// Read one reply (kind, seq, payload); `None` when the peer closed.
fn reply(s: &mut TcpStream) -> Option<(Kind, u32, Vec<u8>)> {
    let mut h = [0u8; codec::HEADER_LEN];
    s.read_exact(&mut h).ok()?;
    let mut d = Decoder::new(Side::Client, codec::MAX_PAYLOAD);
    let len = u16::from_le_bytes([h[10], h[11]]) as usize;
    let mut all = h.to_vec();
    all.resize(codec::HEADER_LEN + len, 0);
    s.read_exact(&mut all[codec::HEADER_LEN..]).ok()?;
    match d.decode(&all) {
        Ok(Some((Frame::Managed { header, payload }, _))) => {
            Some((header.kind, header.seq, payload.to_vec()))
        }
        other => panic!("not a reply: {other:?}"),
    }
}

/// Whether the server closed the connection (EOF or reset) in time.
fn closed(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 64];
    loop {
        match s.read(&mut b) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
}

/// The store's lines, segments in order.
fn stored(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (n, _) in auditkit_collect::store::index::segments(dir).unwrap() {
        let data =
            std::fs::read(dir.join(auditkit_collect::store::index::segment_name(n))).unwrap();
        out.extend(
            data.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec),
        );
    }
    out
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    auditkit_collect::store::index::segments(dir)
        .unwrap()
        .into_iter()
        .map(|(n, _)| dir.join(auditkit_collect::store::index::segment_name(n)))
        .collect()
}

/// The corpus's audit logs as one input of distinct record lines: a
/// line seen twice (the corpus repeats some files) is, to any receiver,
/// a resend, and the store keeps it once.
fn corpus_input() -> Vec<u8> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in auditkit_testsupport::paths::corpus_logs() {
        if f.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let data = std::fs::read(&f).unwrap();
        for l in data.split(|&b| b == b'\n') {
            if l.starts_with(b"type=") || l.starts_with(b"node=") {
                if l.windows(8).any(|w| w == b"type=EOE") {
                    continue;
                }
                if seen.insert(l.to_vec()) {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                }
            }
        }
    }
    out
}

fn ausearch(files: &[PathBuf]) -> (i32, String) {
    let mut c = Command::new("ausearch");
    for f in files {
        c.arg("-if").arg(f);
    }
    // ausearch reads only the last -if: one file, then.
    assert_eq!(files.len(), 1, "ausearch reads one -if");
    let o = c
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .expect("ausearch");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// Holds /etc/audit/audisp-remote.conf for the test and puts it back.
struct RemoteConf {
    orig: Vec<u8>,
    _lock: std::fs::File,
}

const REMOTE_CONF: &str = "/etc/audit/audisp-remote.conf";

impl RemoteConf {
    fn set(port: u16) -> RemoteConf {
        let lock = std::fs::File::create("/tmp/auditkit-audisp-remote.lock").unwrap();
        lock.lock().unwrap();
        let orig = std::fs::read(REMOTE_CONF).expect("read audisp-remote.conf");
        let text = format!(
            "remote_server = 127.0.0.1\nport = {port}\ntransport = tcp\nmode = immediate\n\
             queue_depth = 10240\nformat = managed\nnetwork_retry_time = 1\n\
             max_tries_per_record = 3\nmax_time_per_record = 5\nheartbeat_timeout = 0\n\
             network_failure_action = syslog\ndisk_low_action = ignore\n\
             disk_full_action = warn_once\ndisk_error_action = warn_once\n\
             remote_ending_action = reconnect\ngeneric_error_action = syslog\n\
             generic_warning_action = syslog\nqueue_error_action = stop\n\
             overflow_action = syslog\nstartup_failure_action = warn_once_continue\n"
        );
        std::fs::write(REMOTE_CONF, text).expect("write audisp-remote.conf");
        RemoteConf { orig, _lock: lock }
    }
}

impl Drop for RemoteConf {
    fn drop(&mut self) {
        let _ = std::fs::write(REMOTE_CONF, &self.orig);
    }
}

/// Debian's audisp-remote, fed the corpus on stdin, sends it to the
/// collector: every record arrives in order, once; after a restart of the
/// collector (ENDING) the client reconnects and goes on; ausearch reads the
/// segment as it reads the input; `auditkit search --store` prints what
/// ausearch prints.
#[test]
fn real_audisp_remote_delivers_every_record() {
    require!(tool "audisp-remote");
    require!(tool "ausearch");
    require!(corpus);
    require!(root);
    let store = TempDir::new("collect-interop");
    let dir = store.join("store");
    let c = Collector::start_plain(&dir, "127.0.0.1:0");
    let input = corpus_input();
    let want: Vec<Vec<u8>> = input
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    assert!(want.len() > 100, "corpus too small: {}", want.len());
    let conf = RemoteConf::set(c.addr.port());
    let mut remote = Command::new("audisp-remote")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start audisp-remote");
    let mut stdin = remote.stdin.take().unwrap();
    stdin.write_all(&input).unwrap();
    stdin.flush().unwrap();
    // Keep stdin open until everything is stored: audisp-remote drops its
    // queue when stdin closes.
    let wait_for = |n: usize| {
        let t = Instant::now();
        while stored(&dir).len() < n && t.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for(want.len());
    // A restart: the client gets ENDING, reconnects (its
    // remote_ending_action) to the new collector, and goes on.
    let listen = c.addr.to_string();
    assert_eq!(c.stop(), Some(0));
    let c = Collector::start_plain(&dir, &listen);
    let extra = b"node=after-ending type=USER_CMD msg=audit(1700000000.000:424242): pid=1 uid=0 auid=0 ses=1 msg='cwd=\"/\" cmd=6964 terminal=pts/0 res=success'".to_vec();
    stdin
        .write_all(&[extra.as_slice(), b"\n"].concat())
        .unwrap();
    stdin.flush().unwrap();
    wait_for(want.len() + 1);
    drop(stdin);
    let _ = remote.kill();
    let _ = remote.wait();
    drop(conf);
    assert_eq!(c.stop(), Some(0));
    let mut want = want;
    want.push(extra.clone());
    let got = stored(&dir);
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the store differs from the input");

    let mut input = input;
    input.extend_from_slice(&extra);
    input.push(b'\n');
    let in_file = store.join("input.log");
    std::fs::write(&in_file, &input).unwrap();
    let segs = segment_files(&dir);
    assert_eq!(segs.len(), 1);
    let (rc_in, out_in) = ausearch(std::slice::from_ref(&in_file));
    let (rc_st, out_st) = ausearch(&segs);
    assert_eq!(rc_in, 0);
    assert_eq!(
        (rc_st, &out_st),
        (rc_in, &out_in),
        "ausearch -if on the store"
    );
    let (rc, out, err) = auditkit!("search", "--store", &dir).text();
    assert_eq!(rc, 0, "{err}");
    assert_eq!(out, out_in, "auditkit search --store");
}

/// What the kill loop's client knows: records sent, acked ones.
struct KillClient {
    acked: Arc<Mutex<HashSet<u64>>>,
    stop: Arc<AtomicBool>,
    sent: Arc<Mutex<u64>>,
}

fn kill_line(n: u64) -> Vec<u8> {
    format!(
        "node=killtest type=USER_CMD msg=audit({}.{:03}:{n}): pid=1 uid=0 auid=0 ses=1 msg='cmd=6C73 n={n} res=success'",
        1_700_000_000 + n / 1000,
        n % 1000
    )
    .into_bytes()
}

/// A client that keeps 16 records in flight, and after a lost connection
/// reconnects and sends every unacked record again (as a forwarder with a
/// queue does), until told to stop and all it sent is acked.
fn kill_client(addr: Arc<Mutex<SocketAddr>>, k: &KillClient) {
    let mut next = 0u64;
    let mut unacked: std::collections::VecDeque<u64> = Default::default();
    loop {
        if k.stop.load(Ordering::Relaxed) && unacked.is_empty() {
            return;
        }
        let a = *addr.lock().unwrap();
        let Ok(mut s) = TcpStream::connect_timeout(&a, Duration::from_millis(200)) else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.set_nodelay(true);
        // Resend what was in flight, then new records, 16 at a time.
        let mut inflight: std::collections::VecDeque<u64> = Default::default();
        let mut resend: std::collections::VecDeque<u64> = std::mem::take(&mut unacked);
        let broken = 'conn: loop {
            while inflight.len() < 16 {
                let n = if let Some(n) = resend.pop_front() {
                    n
                } else if !k.stop.load(Ordering::Relaxed) {
                    next += 1;
                    *k.sent.lock().unwrap() = next;
                    next
                } else {
                    break;
                };
                if send(&mut s, (n & 0xffff_ffff) as u32, &kill_line(n)).is_err() {
                    inflight.push_back(n);
                    break 'conn true;
                }
                inflight.push_back(n);
            }
            if inflight.is_empty() {
                break false;
            }
            match reply(&mut s) {
                Some((Kind::Ack, seq, _)) => {
                    let n = inflight.pop_front().unwrap();
                    assert_eq!(seq, (n & 0xffff_ffff) as u32, "acks in order");
                    k.acked.lock().unwrap().insert(n);
                }
                Some((Kind::Ending, _, _)) | None => break true,
                Some(other) => panic!("unexpected reply {other:?}"),
            }
        };
        unacked = resend;
        let mut v: Vec<u64> = inflight.into_iter().chain(unacked.drain(..)).collect();
        v.sort_unstable();
        unacked = v.into();
        if !broken && unacked.is_empty() && k.stop.load(Ordering::Relaxed) {
            return;
        }
    }
}

/// kill -9 of the collector in the middle of a stream, 100 times: no
/// acked record is lost, and after the resends no record is stored twice.
#[test]
fn kill_dash_nine_loses_no_acked_record() {
    let store = TempDir::new("collect-kill");
    let dir = store.join("store");
    let mut c = Collector::start(&dir, "127.0.0.1:0", &["--max-per-addr", "4"]);
    let addr = Arc::new(Mutex::new(c.addr));
    let listen = c.addr.to_string();
    let k = Arc::new(KillClient {
        acked: Default::default(),
        stop: Arc::new(AtomicBool::new(false)),
        sent: Default::default(),
    });
    let (a2, k2) = (addr.clone(), k.clone());
    let client = std::thread::spawn(move || kill_client(a2, &k2));
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut kills = 0;
    let mut repaired = 0;
    for _ in 0..100 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let before = k.acked.lock().unwrap().len();
        // Let some records through, then kill at a random moment.
        let t = Instant::now();
        while k.acked.lock().unwrap().len() < before + 20 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_micros(rng % 20_000));
        c.kill();
        kills += 1;
        c = Collector::start(&dir, &listen, &["--max-per-addr", "4"]);
        repaired += c.log().iter().filter(|l| l.contains("torn tail")).count();
    }
    k.stop.store(true, Ordering::Relaxed);
    client.join().expect("client");
    // A kill between two syscalls leaves whole lines (one write per
    // batch); a torn line needs a crash of the machine. Make one: it is
    // cut at the next start.
    c.kill();
    let last = segment_files(&dir).pop().unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&last)
        .unwrap()
        .write_all(b"node=killtest type=USER_CMD msg=aud")
        .unwrap();
    let c = Collector::start_plain(&dir, &listen);
    assert!(c.wait_log("cut a torn tail of 35 bytes"), "{:?}", c.log());
    assert_eq!(c.stop(), Some(0));
    let acked = k.acked.lock().unwrap().clone();
    let sent = *k.sent.lock().unwrap();
    let lines = stored(&dir);
    let set: HashSet<&Vec<u8>> = lines.iter().collect();
    assert_eq!(set.len(), lines.len(), "a record stored twice");
    for n in 1..=sent {
        assert!(acked.contains(&n), "record {n} was never acked");
        assert!(set.contains(&kill_line(n)), "acked record {n} lost");
    }
    assert_eq!(lines.len() as u64, sent);
    assert!(kills >= 100);
    eprintln!(
        "kill loop: {kills} kills, {sent} records, {repaired} torn tails repaired in the loop"
    );
}

/// Garbage, an oversized frame, a wrong version, a reply sent by a
/// client and a truncated frame each close their own connection, with a
/// log line; a good client beside them is served throughout, an ascii
/// client's lines are stored, and on SIGTERM the good client gets ENDING.
#[test]
fn broken_frames_close_only_their_connection() {
    let store = TempDir::new("collect-frames");
    let dir = store.join("store");
    let c = Collector::start(
        &dir,
        "127.0.0.1:0",
        &["--max-per-addr", "100", "--frame-timeout", "1"],
    );
    let mut good = connect(c.addr);
    let line = |n: u32| format!("node=good type=USER msg=audit(1700000000.{n:03}:{n}): x={n}");
    send(&mut good, 1, line(1).as_bytes()).unwrap();
    assert_eq!(reply(&mut good).map(|r| (r.0, r.1)), Some((Kind::Ack, 1)));

    let mut oversized = codec::frame(Kind::Message, 1, b"");
    oversized[10..12].copy_from_slice(&9000u16.to_le_bytes());
    let mut version = codec::frame(Kind::Message, 1, b"x");
    version[4] = 1;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("garbage", b"\xfe\x01\x02\x03garbage".to_vec(), "bad magic"),
        ("oversized", oversized, "over the cap"),
        ("version", version, "unknown header version"),
        (
            "reply type",
            codec::frame(Kind::Ack, 1, b""),
            "unexpected frame type",
        ),
        (
            "long ascii line",
            vec![b'a'; 20_000],
            "over the cap of 8970",
        ),
    ];
    for (what, bytes, msg) in &cases {
        let mut s = connect(c.addr);
        let _ = s.write_all(bytes);
        assert!(closed(&mut s), "{what}: not closed");
        assert!(
            c.wait_log(msg),
            "{what}: no log line with '{msg}': {:?}",
            c.log()
        );
    }
    // A truncated frame: a header that promises more than comes.
    let mut s = connect(c.addr);
    let f = codec::frame(Kind::Message, 7, b"type=USER msg=audit(1.000:1): x");
    s.write_all(&f[..20]).unwrap();
    assert!(closed(&mut s), "truncated: not closed");
    assert!(c.wait_log("did not complete in time"));

    // ascii mode: lines, no replies.
    let mut a = connect(c.addr);
    a.write_all(b"node=ascii type=USER msg=audit(1700000001.000:9): x=1\nnode=ascii type=USER msg=audit(1700000001.000:10): x=2\n")
        .unwrap();
    // The good client is still served, and its records are durable.
    for n in 2..=5 {
        send(&mut good, n, line(n).as_bytes()).unwrap();
        assert_eq!(reply(&mut good).map(|r| (r.0, r.1)), Some((Kind::Ack, n)));
    }
    // A heartbeat is acked with its sequence.
    good.write_all(&codec::frame(Kind::Heartbeat, 77, b""))
        .unwrap();
    assert_eq!(reply(&mut good).map(|r| (r.0, r.1)), Some((Kind::Ack, 77)));
    let t = Instant::now();
    while stored(&dir).len() < 7 && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    c.signal(libc::SIGTERM);
    assert_eq!(
        reply(&mut good).map(|r| (r.0, r.1)),
        Some((Kind::Ending, 0)),
        "ENDING on shutdown"
    );
    assert!(c.wait_log("stopped:"));
    let got = stored(&dir);
    assert_eq!(got.len(), 7, "{got:?}");
    assert!(got.iter().any(|l| l.starts_with(b"node=ascii")));
}

/// auditd's listener controls and what it lacks: an idle peer and a slow
/// one are dropped, a peer outside the allow list or from a source port
/// outside client_ports is refused with one log line, a second connection
/// from an address replaces the first at once, and SIGHUP applies a new
/// allow list from the config file.
#[test]
fn listener_controls() {
    let store = TempDir::new("collect-controls");
    let dir = store.join("store");
    let conf = store.join("collect.toml");
    std::fs::write(&conf, "allow = [\"127.0.0.0/8\"]\nmax_idle = 1\n").unwrap();
    let c = Collector::start(
        &dir,
        "127.0.0.1:0",
        &["--config", conf.to_str().unwrap(), "--frame-timeout", "1"],
    );
    // Idle: nothing sent.
    let mut idle = connect(c.addr);
    let t = Instant::now();
    assert!(closed(&mut idle), "idle peer kept");
    assert!(t.elapsed() >= Duration::from_millis(900));
    assert!(c.wait_log("idle (max_idle)"));
    // Slow: half a header, never the rest.
    let mut slow = connect(c.addr);
    slow.write_all(&codec::frame(Kind::Message, 1, b"x")[..6])
        .unwrap();
    assert!(closed(&mut slow), "slow peer kept");
    assert!(c.wait_log("did not complete in time"));
    // Replacement (max_per_addr 1): the newer connection wins at once.
    let mut first = connect(c.addr);
    send(
        &mut first,
        1,
        b"node=r type=USER msg=audit(1700000000.000:1): a",
    )
    .unwrap();
    assert_eq!(reply(&mut first).map(|r| r.0), Some(Kind::Ack));
    let mut second = connect(c.addr);
    assert!(closed(&mut first), "old connection kept");
    send(
        &mut second,
        2,
        b"node=r type=USER msg=audit(1700000000.000:2): b",
    )
    .unwrap();
    assert_eq!(reply(&mut second).map(|r| r.0), Some(Kind::Ack));
    assert!(c.wait_log("replaces connection"));
    drop(second);

    // SIGHUP with an allow list that excludes loopback.
    std::fs::write(&conf, "allow = [\"10.0.0.0/8\"]\nmax_idle = 1\n").unwrap();
    c.signal(libc::SIGHUP);
    assert!(c.wait_log("SIGHUP: configuration reloaded"));
    let mut refused = connect(c.addr);
    assert!(closed(&mut refused), "peer outside the allow list kept");
    assert!(c.wait_log("address not in the allow list"));
    assert_eq!(c.stop(), Some(0));

    // Source ports: an unprivileged one is refused under 1-1023.
    let c = Collector::start(&dir, "127.0.0.1:0", &["--client-ports", "1-1023"]);
    let mut s = connect(c.addr);
    assert!(closed(&mut s), "unprivileged source port kept");
    assert!(c.wait_log("outside client_ports 1-1023"));
    assert_eq!(c.stop(), Some(0));
    // The connection cap: the third of two is refused, the two are served.
    let c = Collector::start(
        &dir,
        "127.0.0.1:0",
        &["--max-connections", "2", "--max-per-addr", "10"],
    );
    let mut kept: Vec<TcpStream> = (0..2).map(|_| connect(c.addr)).collect();
    for (i, s) in kept.iter_mut().enumerate() {
        send(
            s,
            1,
            format!("node=cap type=USER msg=audit(1700000000.000:{i}): c").as_bytes(),
        )
        .unwrap();
        assert_eq!(reply(s).map(|r| r.0), Some(Kind::Ack));
    }
    let mut third = connect(c.addr);
    assert!(closed(&mut third), "a connection over the cap kept");
    assert!(c.wait_log("2 connections open, the cap (max_connections)"));
    drop(kept);
    // A bad config file is refused at start with a clear message.
    std::fs::write(&conf, "max_idel = 1\n").unwrap();
    let (rc, _, err) = auditkit!("collect", "--config", &conf, "--store", &dir).text();
    assert_eq!(rc, 2);
    assert!(err.contains("max_idel"), "{err}");
}

fn raise_nofile(n: u64) {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut r);
        if r.rlim_cur < n {
            r.rlim_cur = n.min(r.rlim_max.max(n));
            r.rlim_max = r.rlim_max.max(n);
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
    }
}

/// A thousand connections open at once, each with a record acked.
#[test]
fn a_thousand_concurrent_connections() {
    raise_nofile(8192);
    let store = TempDir::new("collect-1000");
    let dir = store.join("store");
    let c = Collector::start(
        &dir,
        "127.0.0.1:0",
        &["--max-per-addr", "2000", "--metrics", "127.0.0.1:0"],
    );
    let mut socks: Vec<TcpStream> = (0..1000).map(|_| connect(c.addr)).collect();
    for (i, s) in socks.iter_mut().enumerate() {
        let l = format!("node=n{i} type=USER msg=audit(1700000000.000:{i}): c={i}");
        send(s, i as u32 + 1, l.as_bytes()).unwrap();
    }
    for (i, s) in socks.iter_mut().enumerate() {
        assert_eq!(
            reply(s).map(|r| (r.0, r.1)),
            Some((Kind::Ack, i as u32 + 1)),
            "connection {i}"
        );
    }
    // The counters, as Prometheus reads them.
    let m = c
        .log()
        .iter()
        .find_map(|l| {
            l.strip_prefix("auditkit collect: metrics on http://")
                .map(|r| r.trim_end_matches("/metrics").to_string())
        })
        .expect("metrics address");
    let mut h = TcpStream::connect(m.as_str()).unwrap();
    h.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").unwrap();
    let mut body = String::new();
    h.read_to_string(&mut body).unwrap();
    assert!(body.contains("\nauditkit_collect_peers 1000\n"), "{body}");
    assert!(body.contains("\nauditkit_collect_records_acked_total 1000\n"));
    assert!(body.contains("auditkit_collect_fsync_seconds_count"));
    drop(socks);
    assert_eq!(c.stop(), Some(0));
    assert_eq!(stored(&dir).len(), 1000);
}

/// Unmounts on drop.
struct Tmpfs(PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A 2 MiB tmpfs fills up: acks turn into DISKLOW, then DISKFULL, each
/// with a log line; every acked record is in the store.
#[test]
fn a_disk_that_fills_up() {
    require!(root);
    let t = TempDir::new("collect-full");
    let mnt = t.join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    require!(if ok {
        Ok(())
    } else {
        Err("cannot mount a tmpfs".to_string())
    });
    let guard = Tmpfs(mnt.clone());
    let dir = mnt.join("store");
    let c = Collector::start(
        &dir,
        "127.0.0.1:0",
        &["--disk-low", "1048576", "--disk-reserve", "65536"],
    );
    let mut s = connect(c.addr);
    let pad = "x".repeat(4000);
    let mut acked = Vec::new();
    let (mut low, mut full) = (0, 0);
    for n in 1..2000u32 {
        let l = format!("node=full type=USER msg=audit(1700000000.000:{n}): pad={pad}");
        send(&mut s, n, l.as_bytes()).unwrap();
        match reply(&mut s) {
            Some((Kind::Ack, _, _)) => acked.push(l.into_bytes()),
            Some((Kind::DiskLow, _, p)) => {
                assert_eq!(p, b"disk low");
                low += 1;
                acked.push(l.into_bytes());
            }
            Some((Kind::DiskFull, seq, p)) => {
                assert_eq!((seq, p.as_slice()), (n, &b"disk full"[..]));
                full += 1;
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(low > 0 && full == 1, "low {low} full {full}");
    assert!(c.wait_log("disk low"));
    assert!(c.wait_log("disk full"));
    drop(s);
    assert_eq!(c.stop(), Some(0));
    assert_eq!(stored(&dir), acked);
    drop(guard);
}

/// `search --store -ts` reads only the segments the index says can match:
/// a segment outside the range is overwritten with garbage, and the
/// output still equals ausearch's on the segments that matter.
#[test]
fn search_store_skips_segments_by_index() {
    require!(tool "ausearch");
    let store = TempDir::new("collect-search");
    let dir = store.join("store");
    let c = Collector::start(
        &dir,
        "127.0.0.1:0",
        &["--rotate-size", "1", "--max-per-addr", "10"],
    );
    // Three batches far apart in time, one segment each.
    let mut s = connect(c.addr);
    let mut seq = 0;
    for day in [0u64, 10, 20] {
        for i in 0..5u64 {
            seq += 1;
            let t = 1_700_000_000 + day * 86_400 + i;
            let l = format!(
                "node=h{day} type=SYSCALL msg=audit({t}.000:{seq}): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=0 ppid=1 pid={seq} auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"id\" exe=\"/usr/bin/id\" key=\"k{day}\""
            );
            send(&mut s, seq, l.as_bytes()).unwrap();
            assert_eq!(reply(&mut s).map(|r| r.0), Some(Kind::Ack));
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    drop(s);
    assert_eq!(c.stop(), Some(0));
    let segs = segment_files(&dir);
    assert!(segs.len() >= 3, "{segs:?}");
    // The last segment of day 0 (the engine's own -ts plan, made for
    // rotated logs, already passes over a file when the next one starts
    // before the range; this one is followed by day 10).
    let day0: Vec<&PathBuf> = segs
        .iter()
        .filter(|f| std::fs::read(f).unwrap().starts_with(b"node=h0 "))
        .collect();
    assert_eq!(day0.len(), 5);
    let first = day0[4].clone();
    let text = std::fs::read(&first).unwrap();
    // The store without it, for ausearch.
    let later = store.join("later.log");
    let mut all = Vec::new();
    for f in segs.iter().filter(|f| **f != first) {
        all.extend(std::fs::read(f).unwrap());
    }
    std::fs::write(&later, &all).unwrap();
    // The first segment gets a record inside the range, of the same
    // size (the index still covers it): read, it would show.
    let planted = String::from_utf8(text.clone())
        .unwrap()
        .replacen("node=h0 ", "node=XX ", 1)
        .replacen("audit(170000000", "audit(170086410", 1);
    assert_eq!(planted.len(), text.len());
    std::fs::write(&first, &planted).unwrap();
    let ts = "11/20/23"; // after day 0 (2023-11-14), before day 10
    let (rc, out, err) = auditkit!("search", "--store", &dir, "-ts", ts, "00:00:00").text();
    let o = Command::new("ausearch")
        .args(["-if"])
        .arg(&later)
        .args(["-ts", ts, "00:00:00"])
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(rc, 0, "{err}");
    assert_eq!(out, String::from_utf8_lossy(&o.stdout), "{err}");
    assert!(!out.contains("node=h0"));
    assert!(out.contains("node=h10") && out.contains("node=h20"));
    assert!(!out.contains("node=XX"), "the skipped segment was read");
    assert!(err.is_empty(), "{err}");
    // Without the index nothing is skipped, and the planted record shows:
    // the check above can fail.
    std::fs::remove_file(dir.join("index")).unwrap();
    let (_, out, _) = auditkit!("search", "--store", &dir, "-ts", ts, "00:00:00").text();
    assert!(out.contains("node=XX"));
}

/// The systemd unit in contrib/ passes `systemd-analyze verify` with no
/// complaint (it exits 0 on unknown keys and bad values, so its stderr
/// must be empty too; a broken unit shows the check can fail).
#[test]
fn systemd_unit_verifies() {
    require!(tool "systemd-analyze");
    let unit = auditkit_testsupport::paths::root_path("contrib/systemd/auditkit-collect.service");
    let text = std::fs::read_to_string(&unit).expect("the unit file");
    assert!(text.contains("ExecStart=/usr/bin/auditkit collect "));
    for key in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
    ] {
        assert!(text.contains(key), "{key}");
    }
    let t = TempDir::new("collect-unit");
    let verify = |body: &str| {
        // verify checks that ExecStart's program exists: the built one.
        let p = t.join("auditkit-collect.service");
        std::fs::write(
            &p,
            body.replace("/usr/bin/auditkit", env!("CARGO_BIN_EXE_auditkit")),
        )
        .unwrap();
        // The man page of Documentation= is installed by the package
        // only (packaging/test-deb.sh verifies the unit with it).
        let o = Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(&p)
            .stdin(Stdio::null())
            .output()
            .expect("systemd-analyze");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (rc, err) = verify(&text);
    assert_eq!((rc, err.as_str()), (Some(0), ""));
    let (_, err) = verify(&text.replace("ProtectSystem=strict", "ProtectSystem=stric"));
    assert!(
        err.contains("ProtectSystem") || err.contains("protect system"),
        "{err}"
    );
}
