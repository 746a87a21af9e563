//! `collect --clickhouse` and `search --clickhouse` against Debian's real
//! ClickHouse server (18.16), started by the test as its own user on
//! 127.0.0.1 with a private data directory and ports.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auditkit_testsupport::fs::TempDir;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A private clickhouse-server; killed on drop.
struct Server {
    child: Child,
    http: u16,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let (http, tcp) = (free_port(), free_port());
        let data = dir.join("data");
        std::fs::create_dir_all(data.join("tmp")).unwrap();
        let users = dir.join("users.xml");
        std::fs::write(
            &users,
            "<yandex><profiles><default></default></profiles>\
             <users><default><password></password><networks><ip>127.0.0.1</ip></networks>\
             <profile>default</profile><quota>default</quota></default></users>\
             <quotas><default></default></quotas></yandex>\n",
        )
        .unwrap();
        let cfg = dir.join("config.xml");
        std::fs::write(
            &cfg,
            format!(
                "<yandex><logger><level>warning</level><console>1</console></logger>\
                 <http_port>{http}</http_port><tcp_port>{tcp}</tcp_port>\
                 <listen_host>127.0.0.1</listen_host>\
                 <path>{d}/</path><tmp_path>{d}/tmp/</tmp_path>\
                 <users_config>{u}</users_config>\
                 <default_profile>default</default_profile><default_database>default</default_database>\
                 <mark_cache_size>536870912</mark_cache_size></yandex>\n",
                d = data.display(),
                u = users.display()
            ),
        )
        .unwrap();
        let st = Command::new("chown")
            .args(["-R", "clickhouse:clickhouse"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(st.success());
        let child = Command::new("setpriv")
            .args([
                "--reuid=clickhouse",
                "--regid=clickhouse",
                "--clear-groups",
                "clickhouse-server",
            ])
            .arg(format!("--config-file={}", cfg.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start clickhouse-server");
        let s = Server { child, http };
        let t = Instant::now();
        while s.query("SELECT 1").as_deref() != Some("1") {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "clickhouse-server did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        s
    }

    fn url(&self, db: &str) -> String {
        format!("http://127.0.0.1:{}/?database={db}", self.http)
    }

    fn query(&self, q: &str) -> Option<String> {
        let url = auditkit_collect::clickhouse::Url::parse(&self.url("default")).unwrap();
        auditkit_collect::clickhouse::http::post(
            &url,
            "",
            &[],
            q.as_bytes(),
            Duration::from_secs(30),
        )
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A collector with --clickhouse; its address and log.
fn collector(
    store: &Path,
    url: &str,
) -> (
    Child,
    std::net::SocketAddr,
    std::sync::mpsc::Receiver<String>,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditkit"))
        .args(["collect", "--listen", "127.0.0.1:0", "--store"])
        .arg(store)
        .args(["--stats-interval", "0", "--clickhouse", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let addr = loop {
        let l = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("collector log");
        if let Some(a) = l
            .strip_prefix("auditkit collect: listening on ")
            .and_then(|r| r.split(',').next())
        {
            break a.parse().unwrap();
        }
    };
    (child, addr, rx)
}

fn stop(mut c: Child, rx: &std::sync::mpsc::Receiver<String>) -> Vec<String> {
    // SAFETY: kill(2) of our own child.
    unsafe {
        libc::kill(c.id() as i32, libc::SIGTERM);
    }
    assert_eq!(c.wait().unwrap().code(), Some(0));
    std::thread::sleep(Duration::from_millis(100));
    rx.try_iter().collect()
}

/// The events of a search's output, sorted: `search --clickhouse`
/// prints the matching events in store order, where a search of the whole
/// store prints them as they complete among all the others (an event
/// whose records interleave with another's can come out before or after
/// it), so the comparison is of the events, not of their order.
fn events(out: &str) -> Vec<String> {
    let mut v: Vec<String> = if out.starts_with("----") {
        out.split("----\n").map(str::to_string).collect()
    } else {
        out.lines().map(str::to_string).collect()
    };
    v.sort();
    v
}

/// The example logs made by real auditd, without EOE, distinct lines.
fn input() -> Vec<u8> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for f in auditkit_testsupport::paths::example_logs() {
        for l in std::fs::read(&f).unwrap().split(|&b| b == b'\n') {
            if !l.is_empty() && !l.windows(9).any(|w| w == b"type=EOE ") && seen.insert(l.to_vec())
            {
                out.extend_from_slice(l);
                out.push(b'\n');
            }
        }
    }
    out
}

/// Records from three real logs (plain, enriched, node=) go through the
/// forwarder into the collector and on into ClickHouse 18.16: the counts
/// match the store, a sink that starts again from zero (its checkpoint
/// lost) inserts nothing twice, and `search --clickhouse` prints for each
/// criterion what `search` prints on the store's segments (which other
/// tests hold to ausearch).
#[test]
fn collect_and_search_with_clickhouse_18_16() {
    require!(tool "clickhouse-server");
    require!(tool "setpriv");
    require!(root);
    let t = TempDir::new("clickhouse");
    let srv = Server::start(&t.join("ch"));
    let version = srv.query("SELECT version()").unwrap();
    let url = srv.url("akt");
    let store = t.join("store");
    let (c, addr, rx) = collector(&store, &url);
    let data = input();
    let n = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    let mut fwd = Command::new(env!("CARGO_BIN_EXE_auditkit"))
        .arg("forward")
        .arg("--to")
        .arg(addr.to_string())
        .arg("--queue")
        .arg(t.join("q"))
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    fwd.stdin.take().unwrap().write_all(&data).unwrap();
    assert!(fwd.wait().unwrap().success());
    let count = |tbl: &str| srv.query(&format!("SELECT count() FROM akt.{tbl} FINAL"));
    let t0 = Instant::now();
    while count("records").as_deref() != Some(&n.to_string()) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "records not inserted: {:?}",
            count("records")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let log = stop(c, &rx);
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("server {version}, 18.16-compatible dialect"))),
        "{log:?}"
    );
    let n_events = count("events").unwrap();
    assert!(n_events.parse::<usize>().unwrap() > 100, "{n_events}");
    // A sink whose checkpoint is lost inserts every batch again, with the
    // same ids: the tables still hold one copy of each.
    std::fs::remove_file(store.join("clickhouse.pos")).unwrap();
    let (c, _, rx) = collector(&store, &url);
    let raw = || srv.query("SELECT count() FROM akt.records").unwrap();
    let t0 = Instant::now();
    while raw().parse::<usize>().unwrap() < 2 * n {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no re-insert: {}",
            raw()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    stop(c, &rx);
    assert_eq!(count("records").unwrap(), n.to_string());
    assert_eq!(count("events").unwrap(), n_events);
    // search --clickhouse against search on the segments.
    let segs: Vec<_> = auditkit_collect::store::index::segments(&store)
        .unwrap()
        .into_iter()
        .map(|(s, _)| store.join(auditkit_collect::store::index::segment_name(s)))
        .collect();
    let cases: &[&[&str]] = &[
        &[],
        &["-m", "SYSCALL"],
        &["-m", "USER_LOGIN,USER_AUTH"],
        &["-ui", "0"],
        &["-ul", "0", "-sv", "yes"],
        &["-sv", "no"],
        &["-sc", "59"],
        &["-x", "sudo"],
        &["-c", "runuser"],
        &["-k", "akgen-exec"],
        &["-k", "akgen", "-w"],
        &["-k", "akgen-net", "-w"],
        &["-n", "akgen-node"],
        &["-p", "25567"],
        &["-i", "-m", "USER_CMD"],
        &["--format", "csv", "-sv", "yes"],
    ];
    let mut nonempty = 0;
    for case in cases {
        let mut local = auditkit!("search");
        for s in &segs {
            local = local.arg("-if").arg(s);
        }
        let (rc1, out1, _) = local.args(*case).env("TZ", "UTC").text();
        let (rc2, out2, err2) = auditkit!("search", "--clickhouse", &url)
            .args(*case)
            .env("TZ", "UTC")
            .text();
        assert_eq!(
            (rc2, events(&out2)),
            (rc1, events(&out1)),
            "{case:?}: {err2}"
        );
        nonempty += usize::from(!out1.is_empty());
    }
    assert!(nonempty >= 14, "too few cases matched anything: {nonempty}");
    // A criterion with no translation is an error naming it.
    let (rc, _, err) = auditkit!(
        "search",
        "--clickhouse",
        &url,
        "-ue",
        "0",
        "--where",
        "uid = 0"
    )
    .text();
    assert_ne!(rc, 0);
    assert!(err.contains("-ue") && err.contains("--where"), "{err}");
}
