//! `auditkit-loadgen`: N stop-and-wait clients of the audisp-remote
//! protocol over TCP, as audisp-remote itself behaves (one record in
//! flight, the next sent when the reply came), each sending distinct
//! records for a fixed time. Prints records/s acked and the ack latency
//! percentiles. Used for BENCHMARKS.md.
//!
//! ```text
//! auditkit-loadgen --to 127.0.0.1:6060 --clients 1000 --seconds 10
//! ```

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use auditkit_collect::codec::{self, Decoder, Frame, Kind, Side};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    to: SocketAddr,
    clients: usize,
    seconds: u64,
    threads: usize,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        to: SocketAddr::from(([127, 0, 0, 1], 60)),
        clients: 100,
        seconds: 10,
        threads: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(w) = it.next() {
        let mut v = || it.next().ok_or(format!("{w} needs a value"));
        match w.as_str() {
            "--to" => a.to = v()?.parse().map_err(|e| format!("--to: {e}"))?,
            "--clients" => a.clients = v()?.parse().map_err(|e| format!("--clients: {e}"))?,
            "--seconds" => a.seconds = v()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--threads" => a.threads = v()?.parse().map_err(|e| format!("--threads: {e}"))?,
            _ => {
                return Err(format!(
                    "unknown option {w}\nusage: auditkit-loadgen --to ADDR:PORT [--clients N] [--seconds S] [--threads T]"
                ))
            }
        }
    }
    Ok(a)
}

/// One client: records sent and acked, and each ack's latency in µs.
async fn client(to: SocketAddr, id: usize, until: Instant) -> Result<Vec<u32>, String> {
    let mut s = TcpStream::connect(to).await.map_err(|e| e.to_string())?;
    s.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut lat = Vec::new();
    let mut out = Vec::with_capacity(512);
    let mut buf = vec![0u8; 4096];
    let mut have = 0usize;
    let mut dec = Decoder::new(Side::Client, codec::MAX_PAYLOAD);
    let base = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut seq = 0u32;
    while Instant::now() < until {
        seq += 1;
        let line = format!(
            "node=load{id} type=USER_CMD msg=audit({base}.{:03}:{seq}): pid={id} uid=0 auid=1000 ses=1 msg='cwd=\"/root\" cmd=6C73202D6C terminal=pts/0 res=success'",
            seq % 1000
        );
        out.clear();
        codec::encode(Kind::Message, seq, line.as_bytes(), &mut out);
        let t = Instant::now();
        s.write_all(&out).await.map_err(|e| e.to_string())?;
        loop {
            match dec.decode(&buf[..have]).map_err(|e| e.to_string())? {
                Some((Frame::Managed { header, .. }, n)) => {
                    if header.seq != seq || header.kind != Kind::Ack {
                        return Err(format!("reply {:?} seq {}", header.kind, header.seq));
                    }
                    buf.copy_within(n..have, 0);
                    have -= n;
                    break;
                }
                Some((Frame::Line(_), _)) => return Err("ascii reply".into()),
                None => {
                    let k = s.read(&mut buf[have..]).await.map_err(|e| e.to_string())?;
                    if k == 0 {
                        return Err("closed".into());
                    }
                    have += k;
                }
            }
        }
        lat.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
    }
    Ok(lat)
}

fn main() {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("auditkit-loadgen: {e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(a.threads.max(1))
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("auditkit-loadgen: {e}");
            std::process::exit(1);
        }
    };
    let (lat, errors, secs) = rt.block_on(async {
        let start = Instant::now();
        let until = start + Duration::from_secs(a.seconds);
        let mut set = tokio::task::JoinSet::new();
        for id in 0..a.clients {
            set.spawn(client(a.to, id, until));
        }
        let mut lat = Vec::new();
        let mut errors = 0;
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Ok(l)) => lat.extend(l),
                Ok(Err(e)) => {
                    errors += 1;
                    if errors <= 3 {
                        eprintln!("auditkit-loadgen: client: {e}");
                    }
                }
                Err(_) => errors += 1,
            }
        }
        (lat, errors, start.elapsed().as_secs_f64())
    });
    let mut lat = lat;
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        f64::from(lat[i]) / 1000.0
    };
    println!(
        "clients={} seconds={secs:.1} acked={} records_per_sec={:.0} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} client_errors={errors}",
        a.clients,
        lat.len(),
        lat.len() as f64 / secs,
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    if errors > 0 {
        std::process::exit(1);
    }
}
