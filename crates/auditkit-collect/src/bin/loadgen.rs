//! `auditkit-loadgen`: N stop-and-wait clients of the audisp-remote
//! protocol over TCP, as audisp-remote itself behaves (one record in
//! flight, the next sent when the reply came), each sending distinct
//! records for a fixed time. Prints records/s acked and the ack latency
//! percentiles. Used for BENCHMARKS.md.
//!
//! ```text
//! auditkit-loadgen --to 127.0.0.1:6060 --clients 1000 --seconds 10
//! ```
//!
//! Built to cost as little CPU as the exchange allows, since it shares
//! the machine with the collector it measures: each thread (one by
//! default) drives its share of the clients with one `epoll` set, no
//! runtime and no allocation per record: a client's frame is built once
//! and only its timestamp digits, serial, length and sequence id are
//! rewritten for the next record; an ACK is read into the client's own
//! small buffer; latencies go into a fixed histogram. Per record that
//! leaves one `recv`, one `send`, one clock read and a share of an
//! `epoll_wait`.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use auditkit_collect::codec::{self, Decoder, Frame, Kind, Side};

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
    a.threads = a.threads.clamp(1, a.clients.max(1));
    Ok(a)
}

/// Ack latencies in µs, log-linear: exact under 1,024 µs, then 512
/// buckets per power of two (0.2% resolution) up to `u32::MAX` µs, so
/// memory is fixed however long the run.
struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u32,
}

const SUB: u32 = 512;

impl Histogram {
    fn new() -> Histogram {
        Histogram {
            counts: vec![0; (2 * SUB + 23 * SUB) as usize],
            total: 0,
            max: 0,
        }
    }

    fn bucket(v: u32) -> usize {
        if v < 2 * SUB {
            return v as usize;
        }
        // v in [2^e, 2^(e+1)), e >= 10: SUB buckets of 2^(e-9) each.
        let e = 31 - v.leading_zeros();
        let shift = e - 9;
        (2 * SUB + (e - 10) * SUB + ((v >> shift) - SUB)) as usize
    }

    /// The smallest value a bucket holds.
    fn low(b: usize) -> u32 {
        let b = b as u32;
        if b < 2 * SUB {
            return b;
        }
        let e = (b - 2 * SUB) / SUB + 10;
        let sub = (b - 2 * SUB) % SUB + SUB;
        sub << (e - 9)
    }

    fn add(&mut self, v: u32) {
        if let Some(c) = self.counts.get_mut(Self::bucket(v)) {
            *c += 1;
        }
        self.total += 1;
        self.max = self.max.max(v);
    }

    fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.total += o.total;
        self.max = self.max.max(o.max);
    }

    /// The value at quantile `p`, in ms.
    fn pct(&self, p: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = ((self.total as f64 * p).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return f64::from(Self::low(b).min(self.max)) / 1000.0;
            }
        }
        f64::from(self.max) / 1000.0
    }
}

/// One connection and its next record.
struct Client {
    sock: TcpStream,
    /// The frame being sent: header, `prefix`, the variable digits, the
    /// suffix; rebuilt in place for each record.
    frame: Vec<u8>,
    /// Bytes of `frame` up to the variable part.
    fixed: usize,
    /// What follows the variable part.
    suffix: Vec<u8>,
    /// Bytes of `frame` already sent.
    sent: usize,
    /// When the record in flight was sent.
    at: Instant,
    seq: u32,
    /// Bytes read toward the reply.
    buf: [u8; 256],
    have: usize,
    done: bool,
}

/// Append `v` in decimal, at least `width` digits.
fn push_num(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut d = [0u8; 20];
    let mut i = d.len();
    while v > 0 || d.len() - i < width.max(1) {
        i -= 1;
        d[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.extend_from_slice(&d[i..]);
}

impl Client {
    fn new(sock: TcpStream, id: usize, base: u64) -> Client {
        let mut frame = Vec::with_capacity(256);
        codec::encode(Kind::Message, 0, b"", &mut frame);
        frame
            .extend_from_slice(format!("node=load{id} type=USER_CMD msg=audit({base}.").as_bytes());
        let fixed = frame.len();
        let suffix = format!(
            "): pid={id} uid=0 auid=1000 ses=1 msg='cwd=\"/root\" cmd=6C73202D6C terminal=pts/0 res=success'"
        )
        .into_bytes();
        Client {
            sock,
            frame,
            fixed,
            suffix,
            sent: 0,
            at: Instant::now(),
            seq: 0,
            buf: [0; 256],
            have: 0,
            done: false,
        }
    }

    /// The next record, as `msg=audit(BASE.MMM:SEQ)` with its own serial.
    fn next(&mut self) {
        self.seq += 1;
        self.frame.truncate(self.fixed);
        push_num(&mut self.frame, u64::from(self.seq % 1000), 3);
        self.frame.push(b':');
        push_num(&mut self.frame, u64::from(self.seq), 1);
        self.frame.extend_from_slice(&self.suffix);
        let len = (self.frame.len() - codec::HEADER_LEN) as u16;
        self.frame[10..12].copy_from_slice(&len.to_le_bytes());
        self.frame[12..16].copy_from_slice(&self.seq.to_le_bytes());
        self.sent = 0;
    }

    /// Start the next exchange: the next frame, its clock, the send, and
    /// EPOLLOUT armed when the socket took only part of the frame. The
    /// outer error (epoll's) ends the run; the inner one is this client's.
    fn start(&mut self, ep: &Epoll, key: u64, now: Instant) -> Result<Result<(), String>, String> {
        self.next();
        self.at = now;
        match self.send() {
            Ok(true) => Ok(Ok(())),
            Ok(false) => ep
                .ctl(
                    libc::EPOLL_CTL_MOD,
                    self.sock.as_raw_fd(),
                    (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLET) as u32,
                    key,
                )
                .map(Ok),
            Err(e) => Ok(Err(e)),
        }
    }

    /// Send what is left of the frame: `Ok(true)` when all of it went.
    fn send(&mut self) -> Result<bool, String> {
        while self.sent < self.frame.len() {
            match self.sock.write(&self.frame[self.sent..]) {
                Ok(0) => return Err("send: closed".into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("send: {e}")),
            }
        }
        Ok(true)
    }

    /// Read toward the reply: `Ok(Some(()))` once the ACK of the record
    /// in flight is there, `Ok(None)` when more bytes are needed.
    ///
    /// The socket is edge-triggered: everything there is gets read (one
    /// read, unless it filled the buffer, which a stop-and-wait reply
    /// never does).
    fn recv(&mut self, dec: &mut Decoder) -> Result<Option<()>, String> {
        loop {
            match self.sock.read(&mut self.buf[self.have..]) {
                Ok(0) => return Err("closed by the collector".into()),
                Ok(n) => self.have += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(format!("recv: {e}")),
            }
            if self.have == self.buf.len() {
                return Err("reply too long".into());
            }
            break;
        }
        match dec
            .decode(&self.buf[..self.have])
            .map_err(|e| e.to_string())?
        {
            Some((Frame::Managed { header, .. }, n)) => {
                if header.seq != self.seq || !matches!(header.kind, Kind::Ack | Kind::DiskLow) {
                    return Err(format!("reply {:?} seq {}", header.kind, header.seq));
                }
                // Stop-and-wait: nothing can follow the reply.
                self.buf.copy_within(n..self.have, 0);
                self.have -= n;
                Ok(Some(()))
            }
            Some((Frame::Line(_), _)) => Err("ascii reply".into()),
            None => Ok(None),
        }
    }
}

/// The epoll set of one thread.
struct Epoll(libc::c_int);

impl Epoll {
    fn new() -> Result<Epoll, String> {
        // SAFETY: plain syscall, no pointers.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(format!(
                "epoll_create1: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(Epoll(fd))
    }

    fn ctl(&self, op: libc::c_int, fd: libc::c_int, events: u32, key: u64) -> Result<(), String> {
        let mut ev = libc::epoll_event { events, u64: key };
        // SAFETY: `ev` is a valid epoll_event for the duration of the call.
        if unsafe { libc::epoll_ctl(self.0, op, fd, &mut ev) } < 0 {
            return Err(format!("epoll_ctl: {}", std::io::Error::last_os_error()));
        }
        Ok(())
    }

    fn wait(&self, evs: &mut [libc::epoll_event], ms: i32) -> usize {
        // SAFETY: the kernel writes at most `evs.len()` entries into `evs`.
        let n = unsafe { libc::epoll_wait(self.0, evs.as_mut_ptr(), evs.len() as i32, ms) };
        n.max(0) as usize
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(self.0) };
    }
}

/// What one thread measured.
struct Outcome {
    hist: Histogram,
    errors: usize,
    first_errors: Vec<String>,
}

/// Drive `clients` until `until`, then wait (at most `drain`) for the
/// acks of the records in flight.
fn drive(mut clients: Vec<Client>, until: Instant, drain: Duration) -> Result<Outcome, String> {
    let ep = Epoll::new()?;
    let mut out = Outcome {
        hist: Histogram::new(),
        errors: 0,
        first_errors: Vec::new(),
    };
    let mut dec = Decoder::new(Side::Client, codec::MAX_PAYLOAD);
    let mut live = clients.len();
    let fail = |out: &mut Outcome, c: &mut Client, e: String| {
        out.errors += 1;
        if out.first_errors.len() < 3 {
            out.first_errors.push(e);
        }
        c.done = true;
        let _ = c.sock.shutdown(std::net::Shutdown::Both);
    };
    for (i, c) in clients.iter_mut().enumerate() {
        ep.ctl(
            libc::EPOLL_CTL_ADD,
            c.sock.as_raw_fd(),
            (libc::EPOLLIN | libc::EPOLLET) as u32,
            i as u64,
        )?;
        if let Err(e) = c.start(&ep, i as u64, Instant::now())? {
            fail(&mut out, c, e);
            live -= 1;
        }
    }
    let mut evs = vec![libc::epoll_event { events: 0, u64: 0 }; 1024];
    let give_up = until + drain;
    while live > 0 {
        let n = ep.wait(&mut evs, 100);
        if n == 0 && Instant::now() > give_up {
            break;
        }
        for ev in &evs[..n] {
            let (i, events) = (ev.u64 as usize, ev.events);
            let Some(c) = clients.get_mut(i) else {
                continue;
            };
            if c.done {
                continue;
            }
            if events & libc::EPOLLOUT as u32 != 0 && c.sent < c.frame.len() {
                match c.send() {
                    Ok(true) => ep.ctl(
                        libc::EPOLL_CTL_MOD,
                        c.sock.as_raw_fd(),
                        (libc::EPOLLIN | libc::EPOLLET) as u32,
                        i as u64,
                    )?,
                    Ok(false) => {}
                    Err(e) => {
                        fail(&mut out, c, e);
                        live -= 1;
                        continue;
                    }
                }
            }
            if events & (libc::EPOLLIN | libc::EPOLLHUP | libc::EPOLLERR) as u32 == 0 {
                continue;
            }
            match c.recv(&mut dec) {
                Ok(None) => {}
                Ok(Some(())) => {
                    let now = Instant::now();
                    let us = now
                        .duration_since(c.at)
                        .as_micros()
                        .min(u128::from(u32::MAX));
                    out.hist.add(us as u32);
                    if now >= until {
                        c.done = true;
                        live -= 1;
                        continue;
                    }
                    if let Err(e) = c.start(&ep, i as u64, now)? {
                        fail(&mut out, c, e);
                        live -= 1;
                    }
                }
                Err(e) => {
                    fail(&mut out, c, e);
                    live -= 1;
                }
            }
        }
    }
    if live > 0 {
        out.errors += live;
        out.first_errors.push(format!(
            "{live} records not acked {}s after the end",
            drain.as_secs()
        ));
    }
    Ok(out)
}

fn connect(to: SocketAddr, id: usize, base: u64) -> Result<Client, String> {
    let s = TcpStream::connect(to).map_err(|e| format!("connect {to}: {e}"))?;
    s.set_nodelay(true).map_err(|e| e.to_string())?;
    s.set_nonblocking(true).map_err(|e| e.to_string())?;
    Ok(Client::new(s, id, base))
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; RUSAGE_SELF covers every thread.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

fn run(a: &Args) -> Result<(Histogram, usize, f64, f64), String> {
    let base = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut per: Vec<Vec<Client>> = (0..a.threads).map(|_| Vec::new()).collect();
    for id in 0..a.clients {
        per[id % a.threads].push(connect(a.to, id, base)?);
    }
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    let until = start + Duration::from_secs(a.seconds);
    let drain = Duration::from_secs(30);
    let joins: Vec<_> = per
        .into_iter()
        .map(|cs| std::thread::spawn(move || drive(cs, until, drain)))
        .collect();
    let mut hist = Histogram::new();
    let mut errors = 0;
    let mut shown = 0;
    for j in joins {
        let o = j
            .join()
            .map_err(|_| "a client thread panicked".to_string())??;
        hist.merge(&o.hist);
        errors += o.errors;
        for e in o.first_errors {
            if shown < 3 {
                eprintln!("auditkit-loadgen: client: {e}");
                shown += 1;
            }
        }
    }
    Ok((
        hist,
        errors,
        start.elapsed().as_secs_f64(),
        cpu_seconds() - cpu0,
    ))
}

fn main() {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("auditkit-loadgen: {e}");
            std::process::exit(2);
        }
    };
    let (hist, errors, secs, cpu) = match run(&a) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("auditkit-loadgen: {e}");
            std::process::exit(1);
        }
    };
    let acked = hist.total;
    println!(
        "clients={} seconds={secs:.1} acked={acked} records_per_sec={:.0} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} client_errors={errors} loadgen_cpu_us_per_record={:.2}",
        a.clients,
        acked as f64 / secs,
        hist.pct(0.50),
        hist.pct(0.99),
        f64::from(hist.max) / 1000.0,
        if acked > 0 { cpu * 1e6 / acked as f64 } else { 0.0 },
    );
    if errors > 0 {
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_hold_their_values() {
        let mut last = 0;
        for v in (0..2_000_000u32).step_by(7).chain([u32::MAX - 1, u32::MAX]) {
            let b = Histogram::bucket(v);
            assert!(b >= last, "{v}");
            last = b;
            assert!(Histogram::low(b) <= v, "{v} {b}");
            assert!(v - Histogram::low(b) <= v / 256, "{v}");
            assert!(b < Histogram::new().counts.len());
        }
    }

    #[test]
    fn frames_decode_and_change_per_record() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let s = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let mut c = Client::new(s, 7, 1_700_000_000);
        let mut dec = Decoder::new(Side::Server, codec::MAX_PAYLOAD);
        for seq in [1u32, 2, 1000, 1001] {
            while c.seq < seq {
                c.next();
            }
            match dec.decode(&c.frame).unwrap() {
                Some((Frame::Managed { header, payload }, n)) => {
                    assert_eq!(n, c.frame.len());
                    assert_eq!(header.seq, seq);
                    let want = format!(
                        "node=load7 type=USER_CMD msg=audit(1700000000.{:03}:{seq}): pid=7 uid=0 auid=1000 ses=1 msg='cwd=\"/root\" cmd=6C73202D6C terminal=pts/0 res=success'",
                        seq % 1000
                    );
                    assert_eq!(std::str::from_utf8(payload).unwrap(), want);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
