//! `auditkit forward` against `auditkit collect` and against real
//! auditd's listener: every record arrives once, through a collector
//! outage, through a hundred `kill -9`s of the forwarder, over TLS with
//! certificates checked on both sides.

use std::collections::HashSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use auditkit_collect::forward::queue;
use auditkit_testsupport::fs::TempDir;

use crate::common::Collector;

/// The complete lines of a directory's files named `prefix*`, in order
/// (a line still being written has no `\n` yet and is left out).
fn lines_of(dir: &Path, prefix: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".log"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let data = std::fs::read(&f).unwrap_or_default();
        let end = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        out.extend(
            data[..end]
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec),
        );
    }
    out
}

fn stored(dir: &Path) -> Vec<Vec<u8>> {
    lines_of(dir, "seg-")
}

/// The corpus's record lines, distinct, without EOE (which forwarders
/// drop), in corpus order.
fn corpus_records() -> Vec<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let files = auditkit_testsupport::paths::corpus_logs()
        .into_iter()
        .chain(auditkit_testsupport::paths::example_logs());
    for f in files {
        let Ok(data) = std::fs::read(&f) else {
            continue;
        };
        for l in data.split(|&b| b == b'\n') {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            if (l.starts_with(b"type=") || l.starts_with(b"node="))
                && !l.windows(9).any(|w| w == b"type=EOE ")
                && !l.contains(&b'\r')
                && l.len() <= 8970
                && seen.insert(l.to_vec())
            {
                out.push(l.to_vec());
            }
        }
    }
    out
}

fn joined(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for l in lines {
        v.extend_from_slice(l);
        v.push(b'\n');
    }
    v
}

fn forward(to: SocketAddr, queue: &Path, extra: &[&std::ffi::OsStr]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_auditkit"));
    c.arg("forward")
        .arg("--to")
        .arg(to.to_string())
        .arg("--queue")
        .arg(queue)
        .args(["--retry", "50", "--timeout", "5"])
        .args(extra);
    c
}

fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < Duration::from_secs(secs), "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Run a forwarder over `input` on stdin to the end; its stderr.
fn forward_all(to: SocketAddr, queue: &Path, input: &[u8], extra: &[&std::ffi::OsStr]) -> String {
    let mut child = forward(to, queue, extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start auditkit forward");
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let o = child.wait_with_output().expect("wait");
    w.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    err
}

/// The corpus through the forwarder into the collector: every record
/// once, in order, on one connection; the queue is empty afterwards; and
/// the forwarder pipelined (the collector saw batches of more than one
/// record from the one client).
#[test]
fn forward_delivers_the_corpus_to_collect() {
    require!(corpus);
    let t = TempDir::new("forward-basic");
    let dir = t.join("store");
    let q = t.join("queue");
    let c = Collector::start_plain(&dir, "127.0.0.1:0");
    let want = corpus_records();
    assert!(want.len() > 1000, "corpus too small: {}", want.len());
    let err = forward_all(c.addr, &q, &joined(&want), &[]);
    assert!(
        err.contains(&format!("queued {}", want.len())) && err.contains("0 bytes left"),
        "{err}"
    );
    assert!(err.contains("connections 1,"), "{err}");
    assert!(
        err.contains("auditkit collect, 256 records in flight"),
        "{err}"
    );
    let addr = c.addr;
    c.stop_ok();
    let got = stored(&dir);
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the store differs from the input");
    assert!(queue::pending(&q).unwrap().is_empty());
    // The same input again (a forwarder whose head file was lost, say):
    // every record is a resend, and the store stays as it is.
    let c = Collector::start_plain(&dir, &addr.to_string());
    forward_all(c.addr, &t.join("queue2"), &joined(&want[..500]), &[]);
    c.stop_ok();
    assert_eq!(stored(&dir).len(), want.len(), "resends were stored twice");
}

/// The collector goes away in the middle of the stream: the forwarder
/// keeps reading auditd into its queue, reconnects when the collector is
/// back, and every record arrives once.
#[test]
fn collector_outage_loses_nothing() {
    require!(corpus);
    let t = TempDir::new("forward-outage");
    let dir = t.join("store");
    let q = t.join("queue");
    let want = corpus_records();
    let half = want.len() / 2;
    let c = Collector::start_plain(&dir, "127.0.0.1:0");
    let addr = c.addr;
    let mut child = forward(addr, &q, &["--drain".as_ref(), "30".as_ref()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&joined(&want[..half])).unwrap();
    wait_for("the first half stored", 60, || stored(&dir).len() == half);
    c.stop_ok();
    // The outage: the rest goes into the queue on disk.
    stdin.write_all(&joined(&want[half..])).unwrap();
    wait_for("the second half queued", 60, || {
        queue::pending(&q).unwrap().len() == want.len() - half
    });
    assert_eq!(stored(&dir).len(), half);
    let c = Collector::start_plain(&dir, &addr.to_string());
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("ENDING"), "{err}");
    assert!(err.contains("connections 2,"), "{err}");
    c.stop_ok();
    let got = stored(&dir);
    assert!(got == want, "{} of {} records", got.len(), want.len());
}

/// `kill -9` of the forwarder a hundred times while it reads and sends:
/// every record the queue had accepted (fsynced: a complete line in a
/// queue segment) reaches the collector, once.
#[test]
fn kill_dash_nine_of_the_forwarder_loses_no_queued_record() {
    require!(corpus);
    let t = TempDir::new("forward-kill");
    let dir = t.join("store");
    let q = t.join("queue");
    let all = corpus_records();
    let c = Collector::start_plain(&dir, "127.0.0.1:0");
    let mut accepted: HashSet<Vec<u8>> = HashSet::new();
    let written: HashSet<Vec<u8>> = all.iter().cloned().collect();
    let chunk = (all.len() / 100).max(1);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..100 {
        let part = &all[(i * chunk).min(all.len())..((i + 1) * chunk).min(all.len())];
        let mut child = forward(c.addr, &q, &["--window".as_ref(), "16".as_ref()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Part of the chunk, a pause, the rest: the kill lands in reading,
        // queueing or sending.
        let data = joined(part);
        let cut = data.len() / 2;
        let _ = stdin.write_all(&data[..cut]);
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(rng % 25));
        let _ = stdin.write_all(&data[cut..]);
        std::thread::sleep(Duration::from_millis(rng % 7));
        let _ = child.kill();
        let _ = child.wait();
        drop(stdin);
        // What the queue holds (from its saved head) plus what the store
        // holds is what was accepted so far.
        accepted.extend(queue::pending(&q).unwrap());
        accepted.extend(stored(&dir));
    }
    assert!(
        accepted.len() > all.len() / 4,
        "too little was accepted to test anything: {}",
        accepted.len()
    );
    // A last forwarder with nothing new sends what is left.
    let o = forward(c.addr, &q, &[])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    c.stop_ok();
    let got = stored(&dir);
    let got_set: HashSet<Vec<u8>> = got.iter().cloned().collect();
    assert_eq!(got.len(), got_set.len(), "a record stored twice");
    assert!(got_set.is_subset(&written), "a record nobody sent");
    let lost: Vec<_> = accepted.difference(&got_set).collect();
    assert!(lost.is_empty(), "{} accepted records lost", lost.len());
    assert!(queue::pending(&q).unwrap().is_empty());
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A CA and a certificate it signs for `name` (`name.pem`, `name.key`).
fn make_ca(dir: &Path, ca: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
            "-days",
            "2",
            "-subj",
            &format!("/CN={ca}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

fn make_cert(dir: &Path, ca: &str, name: &str, server: bool) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    let ext = if server {
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n"
    } else {
        "subjectAltName=DNS:forwarder.test\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n"
    };
    std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
}

/// TLS between forward and collect: with certificates from the right
/// CAs the records arrive; a forwarder with a certificate from another
/// CA is refused by the collector, and a forwarder that does not trust
/// the collector's CA refuses it; the plain port still serves.
#[test]
fn tls_with_certificates_checked_on_both_sides() {
    require!(tool "openssl");
    require!(corpus);
    let t = TempDir::new("forward-tls");
    let p = t.path();
    make_ca(p, "ca");
    make_ca(p, "other");
    make_cert(p, "ca", "collector", true);
    make_cert(p, "ca", "host1", false);
    make_cert(p, "other", "intruder", false);
    let dir = t.join("store");
    let f = |n: &str| p.join(n).into_os_string();
    let c = Collector::start::<&std::ffi::OsStr>(
        &dir,
        "127.0.0.1:0",
        &[
            "--tls-listen".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--tls-cert".as_ref(),
            &f("collector.pem"),
            "--tls-key".as_ref(),
            &f("collector.key"),
            "--tls-client-ca".as_ref(),
            &f("ca.pem"),
        ],
    );
    let tls = c.tls.expect("the TLS listener");
    let want = corpus_records();
    let tls_args = |cert: &str, ca: &str| -> Vec<std::ffi::OsString> {
        vec![
            "--tls-ca".into(),
            f(&format!("{ca}.pem")),
            "--tls-cert".into(),
            f(&format!("{cert}.pem")),
            "--tls-key".into(),
            f(&format!("{cert}.key")),
            "--drain".into(),
            "2".into(),
        ]
    };
    let a = tls_args("host1", "ca");
    let a: Vec<&std::ffi::OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    let err = forward_all(tls, &t.join("q1"), &joined(&want), &a);
    assert!(err.contains("0 bytes left"), "{err}");
    assert!(
        stored(&dir) == want,
        "TLS: the store differs from the input"
    );
    // A client certificate from another CA: the collector refuses it.
    let a = tls_args("intruder", "ca");
    let a: Vec<&std::ffi::OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    let extra = b"node=intruder type=USER msg=audit(1700000000.000:1): x\n";
    let err = forward_all(tls, &t.join("q2"), extra, &a);
    assert!(!err.contains(" 0 bytes left"), "{err}");
    wait_for("the refusal logged", 10, || {
        c.log().iter().any(|l| l.contains("TLS handshake"))
    });
    // A forwarder that does not trust the collector's CA refuses it.
    let a = tls_args("host1", "other");
    let a: Vec<&std::ffi::OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    let err = forward_all(tls, &t.join("q3"), extra, &a);
    assert!(err.contains("TLS handshake"), "{err}");
    assert!(err.contains("certificate"), "{err}");
    // Plain forwarders (and audisp-remote) still use the plain port.
    let err = forward_all(c.addr, &t.join("q4"), extra, &[]);
    assert!(err.contains("0 bytes left"), "{err}");
    c.stop_ok();
    let got = stored(&dir);
    assert_eq!(got.len(), want.len() + 1);
    assert_eq!(
        got.last().map(Vec::as_slice),
        Some(&extra[..extra.len() - 1])
    );
}

/// A free TCP port on 127.0.0.1 (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Real auditd's listener (`tcp_listen_port` in a private auditd.conf,
/// `auditd -n -c DIR`), fed by `auditkit forward`: it answers the first
/// HEARTBEAT with an empty ACK, so the forwarder works stop-and-wait, and
/// auditd's log holds every record.
#[test]
fn forward_to_real_auditd_listener() {
    require!(tool "auditd");
    require!(corpus);
    let Some(session) = auditkit_testsupport::kernel::Session::start("forward-auditd") else {
        return;
    };
    // Only one auditd may own the kernel's audit socket: stop the
    // system's (if any) and start it again afterwards.
    let running = std::fs::read_to_string("/var/run/auditd.pid")
        .ok()
        .and_then(|s| s.trim().parse::<i32>().ok())
        .filter(|&p| Path::new(&format!("/proc/{p}")).exists());
    if let Some(pid) = running {
        // SAFETY: kill(2).
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        wait_for("the system auditd to stop", 20, || {
            !Path::new(&format!("/proc/{pid}")).exists()
        });
    }
    let t = TempDir::new("forward-auditd");
    let port = free_port();
    let log = t.join("audit.log");
    let conf = format!(
        "local_events = yes\nwrite_logs = yes\nlog_file = {}\nlog_format = RAW\nflush = INCREMENTAL_ASYNC\n\
         freq = 50\nmax_log_file = 100\nmax_log_file_action = IGNORE\nnum_logs = 1\npriority_boost = 0\n\
         name_format = NONE\nspace_left = 2\nspace_left_action = IGNORE\nadmin_space_left = 1\n\
         admin_space_left_action = IGNORE\ndisk_full_action = IGNORE\ndisk_error_action = IGNORE\n\
         tcp_listen_port = {port}\ntcp_listen_queue = 5\ntcp_max_per_addr = 1\nuse_libwrap = no\n\
         tcp_client_max_idle = 0\ndistribute_network = no\nq_depth = 20000\noverflow_action = IGNORE\n\
         plugin_dir = {}\nend_of_event_timeout = 2\n",
        log.display(),
        t.join("plugins").display()
    );
    std::fs::create_dir_all(t.join("plugins")).unwrap();
    let cf = t.join("auditd.conf");
    std::fs::write(&cf, conf).unwrap();
    std::fs::set_permissions(&cf, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let mut auditd = Command::new("auditd")
        .args(["-n", "-c"])
        .arg(t.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start auditd");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_for("auditd's listener", 20, || {
        std::net::TcpStream::connect(addr).is_ok()
    });
    // auditd counts that probe against tcp_max_per_addr until it sees it
    // closed.
    std::thread::sleep(Duration::from_millis(300));
    let want: Vec<Vec<u8>> = corpus_records().into_iter().take(300).collect();
    let err = forward_all(addr, &t.join("q"), &joined(&want), &[]);
    // SAFETY: kill(2) of our own child.
    unsafe {
        libc::kill(auditd.id() as i32, libc::SIGTERM);
    }
    let _ = auditd.wait();
    if let Some(_pid) = running {
        let _ = Command::new("auditd").status();
    }
    drop(session);
    assert!(err.contains("0 bytes left"), "{err}");
    assert!(err.contains("stop-and-wait"), "{err}");
    assert!(!err.contains("in flight"), "{err}");
    let got: HashSet<Vec<u8>> = std::fs::read(&log)
        .unwrap()
        .split(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let missing: Vec<_> = want.iter().filter(|l| !got.contains(*l)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} records not in auditd's log, first: {}",
        missing.len(),
        want.len(),
        String::from_utf8_lossy(missing[0])
    );
}

/// The queue is bounded: with the collector down, the forwarder stops
/// reading stdin once `--queue-size` bytes are queued (one read of
/// stdin, 256 KiB, may go over it into an empty queue), instead of
/// growing or dropping; when the collector is back, everything arrives.
#[test]
fn a_full_queue_pushes_back_on_stdin() {
    require!(corpus);
    let t = TempDir::new("forward-bound");
    let dir = t.join("store");
    let q = t.join("queue");
    let mut want = corpus_records();
    // Enough distinct records to be several times the bound.
    let base = want.clone();
    for round in 1..4u64 {
        want.extend(base.iter().map(|l| {
            let mut v = format!("node=round{round} ").into_bytes();
            v.extend_from_slice(l.strip_prefix(b"node=").map_or(&l[..], |r| {
                let i = r.iter().position(|&b| b == b' ').map_or(0, |i| i + 1);
                &r[i..]
            }));
            v
        }));
    }
    // Records that differed only in their node are one record now.
    let mut seen = HashSet::new();
    want.retain(|l| seen.insert(l.clone()));
    let data = joined(&want);
    let bound = 100_000u64;
    assert!(
        data.len() as u64 > 4 * bound + (256 << 10),
        "{}",
        data.len()
    );
    let c = Collector::start_plain(&dir, "127.0.0.1:0");
    let addr = c.addr;
    c.stop_ok();
    let mut child = forward(
        addr,
        &q,
        &[
            "--queue-size".as_ref(),
            "100000".as_ref(),
            "--drain".as_ref(),
            "60".as_ref(),
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    std::thread::sleep(Duration::from_millis(1500));
    let queued: u64 = queue::pending(&q)
        .unwrap()
        .iter()
        .map(|l| l.len() as u64 + 1)
        .sum();
    assert!(queued > 0, "nothing queued");
    assert!(queued <= bound + (256 << 10), "{queued} bytes queued");
    assert!(
        !w.is_finished(),
        "stdin was read whole into a bounded queue"
    );
    let c = Collector::start_plain(&dir, &addr.to_string());
    w.join().unwrap();
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("queue full"), "{err}");
    c.stop_ok();
    let got = stored(&dir);
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the store differs from the input");
}
