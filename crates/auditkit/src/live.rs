//! Detection on a live stream of records: `auditkit plugin` (auditd's
//! string format on stdin) and `auditkit detect --live` (the kernel's
//! multicast group). Both are the same engine run as `auditkit detect`
//! over files ([`crate::detect`]'s sink and ordered stage), fed by a
//! chunk source that never ends by itself:
//!
//! * a reader thread turns the input into whole lines, each cut at
//!   [`MAX_LINE`] bytes, and hands over the lines of each read as one
//!   buffer, on a queue bounded in bytes ([`queue`]; when detection falls
//!   behind, the reader waits; auditd then queues, as for any slow
//!   plugin, and the kernel drops multicast records, which are counted);
//! * the chunk iterator makes a chunk of the buffers that are there and,
//!   when none came for a while, hands the engine an empty chunk: a clock
//!   tick with which the assembler completes the events that waited
//!   `end_of_event_timeout` seconds, since no newer record may come to
//!   time them out. It ticks only while the assembler holds events
//!   ([`pipeline::LiveSource`]): an idle run waits without a timeout and
//!   costs nothing; a signal wakes it through a pipe, and the engine
//!   when the run stops. With one thread per stage (the plugin's
//!   default), the engine reads, parses and assembles these chunks on one
//!   thread, two fewer thread hand-offs per chunk;
//! * the ordered stage flushes the alerts after each batch and saves the
//!   process tree's state every few seconds, atomically (a temporary file,
//!   fsync, rename), and once more at the end.
//!
//! The process tree starts from the state file, then from `/proc`
//! (processes running now replace what the file said about their pids).
//! SIGTERM (auditd stopping its plugins) and SIGINT end the run cleanly.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use auditkit_detect::process::{Image, Limits, Origin, Process, Tree};
use auditkit_detect::{Correlator, Engine, Level, LoadOptions, RuleSet};
use auditkit_event::pipeline::{self, Config, LiveSource};
use auditkit_event::{Chunk, Event};
use auditkit_host::{Accounts, HostPaths};
use auditkit_output::json::JsonWriter;

use crate::detect::{Alerts, DetectSink, Format};
use crate::exit::Exit;
use crate::flags::plugin::PLUGIN;
use crate::flags::{Id, Value};

mod queue;
use queue::Recv;

/// Where the records come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// auditd's string format on standard input.
    Stdin,
    /// The kernel's audit multicast group.
    Netlink,
}

/// How a live run is set up.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) format: Format,
    pub(crate) min_level: Level,
    /// Where alerts go (`None`: standard output).
    pub(crate) output: Option<PathBuf>,
    /// The state file of the process tree.
    pub(crate) state: Option<PathBuf>,
    pub(crate) eoe_timeout: u64,
    pub(crate) threads: usize,
}

/// How often the state is saved, at most.
const SAVE_EVERY: Duration = Duration::from_secs(5);
/// How long the chunk iterator waits for input before it ticks (while the
/// assembler holds events).
const TICK: Duration = Duration::from_millis(500);
/// Bytes in flight between the reader and the engine (see [`queue`]):
/// a quarter of a second of 20,000 events/s, enough to ride out a state
/// save; beyond it auditd queues (or the kernel drops multicast records).
const QUEUE_BYTES: usize = 4 << 20;
/// Bytes gathered into one chunk at most (more when one read's lines are
/// more).
const CHUNK: usize = 256 * 1024;
/// Bytes asked of one read of standard input.
const READ: usize = 256 * 1024;
/// A read of fewer bytes than this that did not wait for them is a
/// trickle: the reader then waits [`LINGER`] before the next one.
const LINGER_BELOW: usize = 16 * 1024;
/// auditd writes each record to its plugins with a write of its own:
/// read as they come, a busy host would hand the engine a chunk per
/// record or two, each a handful of thread wake-ups down the pipeline.
/// After a short read that found its bytes waiting (or waited less than
/// this for them), the reader waits this long, so that the next read
/// takes what came meanwhile. A read that waited longer needs no such
/// pause: input comes in batches or seldom. Alerts wait for the
/// end-of-event timeout (seconds) anyway.
const LINGER: Duration = Duration::from_millis(10);
/// The netlink reader's longest wait for a record: it has nothing to do
/// between records (ticks and signals reach the chunk iterator without
/// it).
const NETLINK_WAIT: Duration = Duration::from_secs(60);
/// The state file is read up to this size (a full tree of the default
/// limits is far below it).
const MAX_STATE: u64 = 256 * 1024 * 1024;
/// Cut lines longer than this.
const MAX_LINE: usize = 1 << 20;

// The tail of a read is kept for the next one, unchecked against MAX_LINE.
const _: () = assert!(READ <= MAX_LINE);

static STOP: AtomicBool = AtomicBool::new(false);
/// The write end of the signal pipe ([`SignalPipe`]), -1 before it exists.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
    let fd = WAKE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: write(2) is async-signal-safe; the buffer is a live
        // byte. The pipe is never closed, and its write end does not
        // block (a full pipe already holds a wake-up).
        unsafe {
            libc::write(fd, b"!".as_ptr().cast(), 1);
        }
    }
}

/// A pipe the signal handler writes a byte to, so that a thread blocked
/// on it learns of the signal at once: an idle run waits without a
/// timeout, and the flag alone would be seen only at the next input.
/// Made once per process and never closed (a handler may run at any
/// time).
struct SignalPipe {
    read: libc::c_int,
    write: libc::c_int,
}

fn signal_pipe() -> io::Result<&'static SignalPipe> {
    static PIPE: std::sync::OnceLock<SignalPipe> = std::sync::OnceLock::new();
    if let Some(p) = PIPE.get() {
        return Ok(p);
    }
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: fds is a live array of two ints for pipe2 to fill; fcntl is
    // given the fd pipe2 just made.
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            return Err(io::Error::last_os_error());
        }
        libc::fcntl(fds[1], libc::F_SETFL, libc::O_NONBLOCK);
    }
    let p = SignalPipe {
        read: fds[0],
        write: fds[1],
    };
    if PIPE.set(p).is_err() {
        // Another thread made one first: this one is not needed.
        // SAFETY: both fds were just made here and are not shared.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }
    let p = PIPE.get().expect("set above");
    WAKE_FD.store(p.write, Ordering::Relaxed);
    Ok(p)
}

impl SignalPipe {
    /// Block until a byte comes (a signal, or [`SignalPipe::poke`]).
    fn wait(&self) {
        let mut b = [0u8; 1];
        loop {
            // SAFETY: b is a live one-byte buffer.
            let r = unsafe { libc::read(self.read, b.as_mut_ptr().cast(), 1) };
            if r < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
    }

    /// Write a byte, as the signal handler does.
    fn poke(&self) {
        // SAFETY: as in the handler.
        unsafe {
            libc::write(self.write, b"!".as_ptr().cast(), 1);
        }
    }
}

/// SIGTERM and SIGINT set [`STOP`] instead of killing the process, so the
/// state is saved and the alerts flushed; they also wake the chunk
/// iterator through the signal pipe.
fn catch_signals() -> io::Result<&'static SignalPipe> {
    let pipe = signal_pipe()?;
    // SAFETY: the handler only stores to an atomic and calls write(2),
    // both async-signal-safe; `signal` is given a valid function pointer.
    let handler: extern "C" fn(libc::c_int) = on_signal;
    unsafe {
        libc::signal(libc::SIGTERM, handler as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, handler as *const () as libc::sighandler_t);
    }
    Ok(pipe)
}

/// The ordered stage's live duties: when to save, where.
pub(crate) struct LiveState {
    path: Option<PathBuf>,
    last: Instant,
    /// A save failed: said once on stderr, then retried quietly.
    warned: bool,
}

impl LiveState {
    /// After a batch: save the tree if it is time.
    pub(crate) fn batch_done(&mut self, tree: &Tree) {
        if self.last.elapsed() >= SAVE_EVERY {
            self.save(tree);
        }
    }

    /// Whether a signal asked the run to end.
    pub(crate) fn stopping(&self) -> bool {
        STOP.load(Ordering::Relaxed)
    }

    fn save(&mut self, tree: &Tree) {
        self.last = Instant::now();
        let Some(p) = &self.path else { return };
        if let Err(e) = write_atomic(p, tree.save().as_bytes()) {
            if !self.warned {
                eprintln!(
                    "auditkit: cannot save the process state to {}: {e}",
                    p.display()
                );
                self.warned = true;
            }
        }
    }
}

/// Write `bytes` to `path` so that a reader sees the old file or the new
/// one, never a part: a temporary file beside it, fsync, rename, fsync of
/// the directory.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    let tmp = dir.join(name);
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The tree a live run starts from: the state file, then /proc.
fn starting_tree(state: Option<&Path>, limits: Limits) -> Tree {
    let mut tree = Tree::new(limits);
    if let Some(p) = state {
        if let Ok(f) = File::open(p) {
            let mut text = String::new();
            match f.take(MAX_STATE).read_to_string(&mut text) {
                Ok(_) => match Tree::load(&text, limits) {
                    Ok((t, bad)) => {
                        if bad > 0 {
                            eprintln!(
                                "auditkit: {}: {bad} damaged line(s) of the process state skipped",
                                p.display()
                            );
                        }
                        tree = t;
                    }
                    Err(e) => eprintln!("auditkit: {}: {e}; starting without it", p.display()),
                },
                Err(e) => eprintln!("auditkit: {}: {e}; starting without it", p.display()),
            }
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let procs =
        auditkit_host::procs::snapshot(Path::new("/proc"), limits.max_processes, limits.max_bytes);
    tree.seed(
        None,
        procs.into_iter().map(|p| Process {
            pid: p.pid,
            ppid: p.ppid,
            image: Image {
                exe: p.exe,
                argv: p.argv,
                cwd: p.cwd,
                since: (now, 0),
            },
            origin: Origin::Proc,
            prior: Vec::new(),
            uid: p.uid,
            auid: p.auid,
            exited: None,
        }),
    );
    tree
}

/// The reader thread's buffers as chunks, with ticks.
struct StreamChunks {
    rx: queue::Receiver,
    /// What the engine says (see [`LiveSource`]).
    link: Arc<LiveSource>,
    /// Non-empty chunks handed out.
    sent: u64,
    done: bool,
}

impl Iterator for StreamChunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        let mut data = loop {
            if self.done || STOP.load(Ordering::Relaxed) || self.link.stopped() {
                return None;
            }
            // A tick can complete something only while the assembler
            // holds events, or has not yet seen every chunk.
            let wait = (self.link.settled() != Some(self.sent)).then_some(TICK);
            match self.rx.recv(wait) {
                Recv::Data(b) => break b,
                Recv::Timeout => break Vec::new(),
                // A signal (STOP is set) or the engine stopping.
                Recv::Woken => continue,
                Recv::Closed => {
                    self.done = true;
                    return None;
                }
            }
        };
        // Whatever else is already there goes into the same chunk.
        while !data.is_empty() && data.len() < CHUNK {
            match self.rx.try_recv() {
                Some(b) => data.extend_from_slice(&b),
                None => break,
            }
        }
        if !data.is_empty() {
            self.sent += 1;
        }
        Some(Chunk {
            data,
            source: 0,
            first_line: 0,
        })
    }
}

/// Append `bytes` to the line being read, up to [`MAX_LINE`] bytes; a
/// line that had more is counted in `cut` once.
fn push_capped(line: &mut Vec<u8>, bytes: &[u8], cut_this: &mut bool, cut: &AtomicU64) {
    let room = MAX_LINE.saturating_sub(line.len());
    if bytes.len() > room && !*cut_this {
        *cut_this = true;
        cut.fetch_add(1, Ordering::Relaxed);
    }
    line.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Read lines from `r`, each ending in `\n` and cut at [`MAX_LINE`]
/// bytes (its newline included), and send the whole lines of each read as
/// one buffer; the start of a line that a read cuts waits for its end.
/// After a short read that did not wait long, wait `linger` ([`LINGER`]).
fn read_lines(mut r: impl Read, tx: queue::Sender, cut: Arc<AtomicU64>, linger: Duration) {
    let mut buf = vec![0u8; READ];
    // The start of the line the last read ended in.
    let mut line: Vec<u8> = Vec::new();
    let mut cut_this = false;
    loop {
        let asked = Instant::now();
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let trickle = n < LINGER_BELOW && asked.elapsed() < linger;
        let got = &buf[..n];
        let Some(last) = got.iter().rposition(|&c| c == b'\n') else {
            push_capped(&mut line, got, &mut cut_this, &cut);
            continue;
        };
        let whole = &got[..=last];
        let out = if line.is_empty() {
            whole.to_vec()
        } else {
            // The line from before ends here; the rest are whole.
            let first = whole.iter().position(|&c| c == b'\n').unwrap_or(last);
            push_capped(&mut line, &whole[..=first], &mut cut_this, &cut);
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            let mut out = std::mem::take(&mut line);
            out.extend_from_slice(&whole[first + 1..]);
            out
        };
        cut_this = false;
        if tx.send(out).is_err() {
            return;
        }
        line.extend_from_slice(&got[last + 1..]);
        if trickle {
            std::thread::sleep(linger);
        }
    }
    if !line.is_empty() {
        line.push(b'\n');
        let _ = tx.send(line);
    }
}

/// Records of the kernel's multicast group, as log lines: the records
/// that are there when one comes go out as one buffer.
fn read_netlink(
    mut live: auditkit_kernel::multicast::Live,
    tx: queue::Sender,
    lost: Arc<AtomicU64>,
) -> io::Result<()> {
    use auditkit_kernel::multicast::Received;
    let mut batch: Vec<u8> = Vec::new();
    loop {
        if STOP.load(Ordering::Relaxed) {
            return Ok(());
        }
        // Once a record came, take the others without waiting.
        let wait = if batch.is_empty() {
            NETLINK_WAIT
        } else {
            Duration::ZERO
        };
        let r = live.next(wait)?;
        if let Received::Line(l) = r {
            if batch.is_empty() {
                batch = l;
            } else {
                batch.extend_from_slice(&l);
            }
            if batch.len() < CHUNK {
                continue;
            }
        } else if r == Received::Lost {
            lost.fetch_add(1, Ordering::Relaxed);
        }
        if !batch.is_empty() && tx.send(std::mem::take(&mut batch)).is_err() {
            return Ok(());
        }
    }
}

/// Run the engine over a live input until it ends or a signal comes.
pub(crate) fn run(engine: &Engine, accounts: &Accounts, input: Input, o: &Options) -> Result<Exit> {
    run_with_limits(engine, accounts, input, o, Limits::default())
}

fn run_with_limits(
    engine: &Engine,
    accounts: &Accounts,
    input: Input,
    o: &Options,
    limits: Limits,
) -> Result<Exit> {
    let signals = catch_signals().context("cannot make the signal pipe")?;
    auditkit_output::time::init();
    let (tx, rx) = queue::bounded(QUEUE_BYTES);
    let cut = Arc::new(AtomicU64::new(0));
    let lost = Arc::new(AtomicU64::new(0));
    // A netlink socket that cannot be opened is an error now, not later.
    let reader = match input {
        Input::Stdin => {
            let cut = cut.clone();
            std::thread::Builder::new()
                .name("ak-stdin".into())
                .spawn(move || read_lines(io::stdin().lock(), tx, cut, LINGER))?
        }
        Input::Netlink => {
            let (ok_tx, ok_rx) = sync_channel::<io::Result<()>>(1);
            let lost = lost.clone();
            let h = std::thread::Builder::new()
                .name("ak-netlink".into())
                .spawn(move || match auditkit_kernel::multicast::Live::open() {
                    Ok(l) => {
                        let _ = ok_tx.send(Ok(()));
                        if let Err(e) = read_netlink(l, tx, lost) {
                            eprintln!("auditkit: reading the audit multicast group: {e}");
                        }
                    }
                    Err(e) => {
                        let _ = ok_tx.send(Err(e));
                    }
                })?;
            match ok_rx.recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    bail!("cannot read the kernel's audit multicast group (needs CAP_AUDIT_READ): {e}")
                }
                Err(_) => bail!("the netlink reader ended at once"),
            }
            h
        }
    };
    let tree = starting_tree(o.state.as_deref(), limits);
    let w: Box<dyn Write> = match &o.output {
        None => Box::new(io::stdout().lock()),
        Some(p) => {
            if let Some(d) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = fs::create_dir_all(d);
            }
            Box::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .with_context(|| format!("cannot open {}", p.display()))?,
            )
        }
    };
    let json = || JsonWriter {
        names: accounts,
        with_lines: false,
    };
    let sink = DetectSink {
        engine,
        json: json(),
    };
    let mut alerts = Alerts {
        engine,
        json: json(),
        tree,
        correlator: Correlator::default(),
        format: o.format,
        min_level: o.min_level,
        w: io::BufWriter::with_capacity(64 * 1024, w),
        fired: 0,
        err: None,
        live: Some(LiveState {
            path: o.state.clone(),
            last: Instant::now(),
            warned: false,
        }),
    };
    let waker = rx.waker();
    let link = Arc::new(LiveSource::new(move || waker.wake()));
    let cfg = Config {
        threads: o.threads.max(1),
        eoe_timeout: o.eoe_timeout,
        batch: 64,
        group_by_id: true,
        live: true,
        live_source: Some(link.clone()),
        ..Config::default()
    };
    let all = |_: &Event| true;
    let waker = rx.waker();
    let woken = std::thread::Builder::new()
        .name("ak-signal".into())
        .spawn(move || {
            signals.wait();
            waker.wake();
        })?;
    let chunks = StreamChunks {
        rx,
        link,
        sent: 0,
        done: false,
    };
    let done = pipeline::run(&cfg, chunks, &all, &sink, &mut alerts);
    // End the signal thread (after a signal, it has ended already).
    signals.poke();
    let _ = woken.join();
    done?;
    if let Some(mut l) = alerts.live.take() {
        l.save(&alerts.tree);
    }
    alerts.w.flush()?;
    if let Some(e) = alerts.err.take() {
        return Err(e.into());
    }
    drop(reader);
    let cut = cut.load(Ordering::Relaxed);
    if cut > 0 {
        eprintln!("auditkit: {cut} line(s) longer than {MAX_LINE} bytes were cut");
    }
    let lost = lost.load(Ordering::Relaxed);
    if lost > 0 {
        eprintln!("auditkit: the kernel dropped records {lost} time(s): the reader was too slow");
    }
    Ok(if alerts.fired > 0 {
        Exit::FIRED
    } else {
        Exit::Ok
    })
}

/// The parsed command line of `auditkit plugin`.
#[derive(Debug, Default)]
struct PluginArgs {
    rules: Vec<PathBuf>,
    no_builtin: bool,
    output: Option<String>,
    state: Option<PathBuf>,
    format: Option<Format>,
    min_level: Option<Level>,
    max_processes: Option<usize>,
    eoe_timeout: Option<u64>,
    threads: Option<usize>,
    help: bool,
}

fn parse(args: &[OsString]) -> Result<PluginArgs> {
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut a = PluginArgs::default();
    let mut i = 0;
    while i < words.len() {
        let s = &words[i];
        i += 1;
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (s.as_str(), None),
        };
        let Some(flag) = PLUGIN.lookup(name) else {
            bail!("unknown option {s} (see auditkit plugin --help)");
        };
        if flag.value == Value::None && inline.is_some() {
            bail!("{name} takes no value");
        }
        let value = if flag.value == Value::None {
            None
        } else if let Some(v) = inline {
            Some(v)
        } else {
            let v = words.get(i).cloned();
            i += 1;
            Some(v.with_context(|| format!("{name} needs a value"))?)
        };
        let v = || value.clone().unwrap_or_default();
        let num = |what: &str| -> Result<u64> {
            v().parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .with_context(|| format!("{what}: a positive number, not '{}'", v()))
        };
        match flag.id {
            Id::Rules => a.rules.push(PathBuf::from(v())),
            Id::NoBuiltin => a.no_builtin = true,
            Id::Output => a.output = Some(v()),
            Id::State => a.state = Some(PathBuf::from(v())),
            Id::Format => {
                a.format = Some(match v().as_str() {
                    "json" => Format::Json,
                    "text" => Format::Text,
                    o => bail!("--format: json or text, not '{o}'"),
                })
            }
            Id::MinLevel => {
                a.min_level = Some(Level::from_name(&v()).with_context(|| {
                    format!(
                        "--min-level: informational, low, medium, high or critical, not '{}'",
                        v()
                    )
                })?)
            }
            Id::MaxProcesses => a.max_processes = Some(num("--max-processes")? as usize),
            Id::EoeTimeout => a.eoe_timeout = Some(num("--eoe-timeout")?),
            Id::Threads => a.threads = Some(num("--threads")? as usize),
            // Lines are cut at MAX_LINE whatever is asked: accepted for
            // the shared engine options, checked as a number.
            Id::MaxLine => {
                num("--max-line")?;
            }
            Id::Help => a.help = true,
            other => bail!("{name}: not handled ({other:?})"),
        }
    }
    Ok(a)
}

/// `auditkit plugin`.
pub fn plugin_main(args: &[OsString]) -> Result<Exit> {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("auditkit plugin: {e:#}");
            return Ok(Exit::Usage);
        }
    };
    if a.help {
        print!("{}", crate::flags::render::help(&PLUGIN));
        return Ok(Exit::Ok);
    }
    if a.rules.is_empty() && a.no_builtin {
        eprintln!("auditkit plugin: no rules: give --rules or leave out --no-builtin");
        return Ok(Exit::Usage);
    }
    let accounts = HostPaths::this_host().accounts()?;
    let mut set = RuleSet::new(LoadOptions::default());
    if !a.no_builtin {
        auditkit_detect::builtin::add_to(&mut set);
    }
    for p in &a.rules {
        set.add_path(p)?;
    }
    let engine = Engine::new(set, accounts.clone());
    for r in engine.rejected() {
        eprintln!("auditkit plugin: rule not run: {}", r.describe());
    }
    let output = match a.output.as_deref() {
        Some("-") => None,
        Some(p) => Some(PathBuf::from(p)),
        None => Some(PathBuf::from("/var/log/auditkit/alerts.json")),
    };
    let state = a.state.clone().or_else(|| {
        Some(match &output {
            Some(p) => {
                let mut s = p.as_os_str().to_os_string();
                s.push(".state");
                PathBuf::from(s)
            }
            None => PathBuf::from("/var/lib/auditkit/proctree.state"),
        })
    });
    let o = Options {
        format: a.format.unwrap_or(Format::Json),
        min_level: a.min_level.unwrap_or(Level::Informational),
        output,
        state,
        eoe_timeout: a.eoe_timeout.unwrap_or(2),
        threads: a.threads.unwrap_or(1),
    };
    let limits = Limits {
        max_processes: a.max_processes.unwrap_or(Limits::default().max_processes),
        ..Limits::default()
    };
    run_with_limits(&engine, &accounts, Input::Stdin, &o, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    /// Every flag of the table parses, inline and as the next word, and
    /// changes what was asked (MaxLine is checked only).
    #[test]
    fn every_plugin_flag_parses() {
        use crate::flags::test_support::FlagCheck;
        FlagCheck {
            table: &PLUGIN,
            parse: &|w| parse(w).map_err(|e| e.to_string()),
            sample: &|id| match id {
                Id::Output => Some("/tmp/x.json"),
                Id::Format => Some("text"),
                Id::MaxProcesses => Some("3"),
                _ => None,
            },
            context: &|_| &[],
            ausearch_words: false,
            unseen: &[Id::MaxLine],
            check: &|_, _, _: &PluginArgs| {},
        }
        .every_flag_parses();
        assert!(parse(&words(&["--nosuch"])).is_err());
        assert!(parse(&words(&["--max-processes", "0"])).is_err());
        assert!(parse(&words(&["--no-builtin=yes"])).is_err());
    }

    /// Everything `read_lines` sends for `input` read through `r`, as
    /// buffers, with the lines it cut.
    fn buffers(r: impl Read + Send + 'static) -> (Vec<Vec<u8>>, u64) {
        let (tx, rx) = queue::bounded(QUEUE_BYTES);
        let cut = Arc::new(AtomicU64::new(0));
        let c = cut.clone();
        let t = std::thread::spawn(move || read_lines(r, tx, c, Duration::ZERO));
        let mut got = Vec::new();
        while let Recv::Data(b) = rx.recv(None) {
            got.push(b);
        }
        t.join().unwrap();
        (got, cut.load(Ordering::Relaxed))
    }

    fn lines(bufs: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let all: Vec<u8> = bufs.concat();
        all.split_inclusive(|&c| c == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    }

    #[test]
    fn lines_are_cut_and_ended() {
        let long = vec![b'x'; MAX_LINE + 10];
        let mut input = b"a\nb".to_vec();
        input.splice(2..2, long.iter().copied().chain(*b"\n"));
        let (bufs, cut) = buffers(io::Cursor::new(input));
        let lines = lines(&bufs);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], b"a\n");
        assert_eq!(lines[1].len(), MAX_LINE + 1);
        assert_eq!(lines[2], b"b\n");
        assert_eq!(cut, 1);
        assert!(bufs.iter().all(|b| b.ends_with(b"\n")));
    }

    /// Reads of a few bytes each, the sizes cycling through `sizes`.
    struct Dribble {
        data: Vec<u8>,
        at: usize,
        sizes: Vec<usize>,
        n: usize,
    }

    impl Read for Dribble {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let k = self.sizes[self.n % self.sizes.len()];
            self.n += 1;
            let k = k.min(out.len()).min(self.data.len() - self.at);
            out[..k].copy_from_slice(&self.data[self.at..self.at + k]);
            self.at += k;
            Ok(k)
        }
    }

    /// Lines cut anywhere by the reads come out whole, in order, each
    /// buffer ending on a line's end; a long line spread over many reads
    /// is cut once; a last line without newline gets one.
    #[test]
    fn lines_split_across_reads() {
        let log = fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../auditkit-detect/tests/data/pos-revshell.log"),
        )
        .unwrap();
        let mut input = log.clone();
        input.extend(std::iter::repeat_n(b'y', MAX_LINE + 3000));
        input.push(b'\n');
        input.extend_from_slice(&log);
        input.extend_from_slice(b"type=EOE msg=audit(1.000:1):");
        let mut want = log.clone();
        want.extend(std::iter::repeat_n(b'y', MAX_LINE));
        want.push(b'\n');
        want.extend_from_slice(&log);
        want.extend_from_slice(b"type=EOE msg=audit(1.000:1):\n");
        for sizes in [
            vec![1, 2, 1, 65536],
            vec![7, 1, 300, 2],
            vec![READ, 5000, 13],
        ] {
            let r = Dribble {
                data: input.clone(),
                at: 0,
                sizes: sizes.clone(),
                n: 0,
            };
            let (bufs, cut) = buffers(r);
            assert_eq!(bufs.concat(), want, "reads of {sizes:?}");
            assert_eq!(cut, 1, "reads of {sizes:?}");
            assert!(bufs.iter().all(|b| b.ends_with(b"\n")));
            // Reads of several lines hand them over together.
            if sizes[0] == READ {
                assert!(
                    bufs.len() < lines(&bufs).len() / 10,
                    "{} buffers",
                    bufs.len()
                );
            }
        }
    }

    /// Lines without end, counting what was read of them.
    struct Endless {
        line: Vec<u8>,
        at: usize,
        read: Arc<AtomicU64>,
    }

    impl Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            for b in out.iter_mut() {
                *b = self.line[self.at];
                self.at = (self.at + 1) % self.line.len();
            }
            self.read.fetch_add(out.len() as u64, Ordering::Relaxed);
            Ok(out.len())
        }
    }

    /// A consumer that does not keep up: the reader stops reading once
    /// the queue holds its bound in bytes, and goes on only as the
    /// consumer takes buffers, so what was read and not taken stays under
    /// the bound plus what the reader holds (one read, one line).
    #[test]
    fn queue_bounds_memory_when_the_consumer_is_slow() {
        const BOUND: usize = 1 << 20;
        let read = Arc::new(AtomicU64::new(0));
        let r = Endless {
            line: b"type=EOE msg=audit(1700000000.000:1):\n".to_vec(),
            at: 0,
            read: read.clone(),
        };
        let (tx, rx) = queue::bounded(BOUND);
        let t = std::thread::spawn(move || {
            read_lines(r, tx, Arc::new(AtomicU64::new(0)), Duration::ZERO)
        });
        let mut taken = 0u64;
        for _ in 0..20 {
            while !rx.sender_waiting() {
                std::thread::yield_now();
            }
            let queued = rx.bytes();
            assert!(queued <= BOUND, "{queued} bytes queued");
            assert!(
                queued > BOUND - READ - 100,
                "the queue filled: {queued} bytes"
            );
            let ahead = read.load(Ordering::Relaxed) - taken;
            assert!(
                ahead <= (BOUND + 2 * READ) as u64,
                "{ahead} bytes read and not taken"
            );
            let Some(b) = rx.try_recv() else {
                panic!("a waiting sender means a full queue")
            };
            assert!(b.ends_with(b"\n"));
            taken += b.len() as u64;
        }
        // The consumer leaves: the reader ends.
        drop(rx);
        t.join().unwrap();
    }

    #[test]
    fn atomic_state_write() {
        let d = std::env::temp_dir().join(format!("ak-live-{}", std::process::id()));
        fs::create_dir_all(&d).unwrap();
        let p = d.join("s");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1, "no temporary left");
        fs::remove_dir_all(&d).unwrap();
    }
}
