//! Detection on a live stream of records: `auditkit plugin` (auditd's
//! string format on stdin) and `auditkit detect --live` (the kernel's
//! multicast group). Both are the same engine run as `auditkit detect`
//! over files ([`crate::detect`]'s sink and ordered stage), fed by a
//! chunk source that never ends by itself:
//!
//! * a reader thread turns the input into lines, each cut at `--max-line`
//!   bytes, and hands them over a bounded channel (when detection falls
//!   behind, the reader waits; auditd then queues, as for any slow
//!   plugin, and the kernel drops multicast records, which are counted);
//! * the chunk iterator gathers the lines that are there into one chunk
//!   and, when none came for a while, hands the engine an empty chunk: a
//!   clock tick with which the assembler completes events that waited
//!   `end_of_event_timeout` seconds (records without EOE), since no newer
//!   record may come to time them out. Events with an EOE or a last-record
//!   type complete at once;
//! * the ordered stage flushes the alerts after each batch and saves the
//!   process tree's state every few seconds, atomically (a temporary file,
//!   fsync, rename), and once more at the end.
//!
//! The process tree starts from the state file, then from `/proc`
//! (processes running now replace what the file said about their pids).
//! SIGTERM (auditd stopping its plugins) and SIGINT end the run cleanly.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use auditkit_detect::process::{Image, Limits, Origin, Process, Tree};
use auditkit_detect::{Correlator, Engine, Level, LoadOptions, RuleSet};
use auditkit_event::pipeline::{self, Config};
use auditkit_event::{Chunk, Event};
use auditkit_host::{Accounts, HostPaths};
use auditkit_output::json::JsonWriter;

use crate::detect::{Alerts, DetectSink, Format};
use crate::exit::Exit;
use crate::flags::plugin::PLUGIN;
use crate::flags::{Id, Value};

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
/// How long the chunk iterator waits for a line before it ticks.
const TICK: Duration = Duration::from_millis(500);
/// Lines in flight between the reader and the engine.
const QUEUE: usize = 8192;
/// Bytes gathered into one chunk at most.
const CHUNK: usize = 256 * 1024;
/// The state file is read up to this size (a full tree of the default
/// limits is far below it).
const MAX_STATE: u64 = 256 * 1024 * 1024;
/// Cut lines longer than this.
const MAX_LINE: usize = 1 << 20;

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// SIGTERM and SIGINT set [`STOP`] instead of killing the process, so the
/// state is saved and the alerts flushed.
fn catch_signals() {
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe; `signal` is given a valid function pointer.
    let handler: extern "C" fn(libc::c_int) = on_signal;
    unsafe {
        libc::signal(libc::SIGTERM, handler as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, handler as *const () as libc::sighandler_t);
    }
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

/// Lines from the reader thread, gathered into chunks, with ticks.
struct StreamChunks {
    rx: Receiver<Vec<u8>>,
    done: bool,
}

impl Iterator for StreamChunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        if self.done || STOP.load(Ordering::Relaxed) {
            return None;
        }
        let mut data = match self.rx.recv_timeout(TICK) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => Vec::new(),
            Err(RecvTimeoutError::Disconnected) => {
                self.done = true;
                return None;
            }
        };
        // Whatever else is already there goes into the same chunk.
        while data.len() < CHUNK {
            match self.rx.try_recv() {
                Ok(line) => data.extend_from_slice(&line),
                Err(_) => break,
            }
        }
        Some(Chunk {
            data,
            source: 0,
            first_line: 0,
        })
    }
}

/// Read lines from `r`, each ending in `\n` and cut at [`MAX_LINE`].
fn read_lines(r: impl Read, tx: SyncSender<Vec<u8>>, cut: Arc<AtomicU64>) {
    let mut r = io::BufReader::with_capacity(64 * 1024, r);
    let mut line = Vec::new();
    let mut cut_this = false;
    loop {
        let buf = match r.fill_buf() {
            Ok([]) => break,
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let (take, end) = match memchr_nl(buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_LINE.saturating_sub(line.len());
        if take > room && !cut_this {
            cut_this = true;
            cut.fetch_add(1, Ordering::Relaxed);
        }
        line.extend_from_slice(&buf[..take.min(room)]);
        r.consume(take);
        if end {
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            cut_this = false;
            if tx.send(std::mem::take(&mut line)).is_err() {
                return;
            }
        }
    }
    if !line.is_empty() {
        line.push(b'\n');
        let _ = tx.send(line);
    }
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Records of the kernel's multicast group, as log lines.
fn read_netlink(
    mut live: auditkit_kernel::multicast::Live,
    tx: SyncSender<Vec<u8>>,
    lost: Arc<AtomicU64>,
) -> io::Result<()> {
    use auditkit_kernel::multicast::Received;
    loop {
        if STOP.load(Ordering::Relaxed) {
            return Ok(());
        }
        match live.next(TICK)? {
            Received::Line(l) => {
                if tx.send(l).is_err() {
                    return Ok(());
                }
            }
            Received::Idle => {}
            Received::Lost => {
                lost.fetch_add(1, Ordering::Relaxed);
            }
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
    catch_signals();
    auditkit_output::time::init();
    let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
    let cut = Arc::new(AtomicU64::new(0));
    let lost = Arc::new(AtomicU64::new(0));
    // A netlink socket that cannot be opened is an error now, not later.
    let reader = match input {
        Input::Stdin => {
            let cut = cut.clone();
            std::thread::Builder::new()
                .name("ak-stdin".into())
                .spawn(move || read_lines(io::stdin().lock(), tx, cut))?
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
    let cfg = Config {
        threads: o.threads.max(1),
        eoe_timeout: o.eoe_timeout,
        batch: 64,
        group_by_id: true,
        live: true,
        ..Config::default()
    };
    let all = |_: &Event| true;
    let chunks = StreamChunks { rx, done: false };
    pipeline::run(&cfg, chunks, &all, &sink, &mut alerts)?;
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

    fn sample(id: Id) -> &'static str {
        match id {
            Id::Rules => "rules/",
            Id::Output => "/tmp/x.json",
            Id::State => "/tmp/x.state",
            Id::Format => "text",
            Id::MinLevel => "high",
            Id::MaxProcesses | Id::EoeTimeout | Id::Threads => "3",
            Id::MaxLine => "4096",
            other => panic!("no sample value for {other:?}: add one"),
        }
    }

    /// Every flag of the table parses, inline and as the next word, and
    /// changes what was asked (MaxLine is checked only).
    #[test]
    fn every_plugin_flag_parses() {
        let base = format!("{:?}", parse(&[]).unwrap());
        for f in PLUGIN.flags() {
            for n in f.names() {
                let mut forms: Vec<Vec<String>> = Vec::new();
                if f.value == Value::None {
                    forms.push(vec![n.to_string()]);
                } else {
                    let v = sample(f.id);
                    forms.push(vec![n.to_string(), v.to_string()]);
                    if n.starts_with("--") {
                        forms.push(vec![format!("{n}={v}")]);
                    }
                }
                for form in forms {
                    let refs: Vec<&str> = form.iter().map(String::as_str).collect();
                    let a = parse(&words(&refs)).unwrap_or_else(|e| panic!("{form:?}: {e}"));
                    if f.id != Id::MaxLine {
                        assert_ne!(format!("{a:?}"), base, "{form:?} changed nothing");
                    }
                }
            }
        }
        assert!(parse(&words(&["--nosuch"])).is_err());
        assert!(parse(&words(&["--max-processes", "0"])).is_err());
        assert!(parse(&words(&["--no-builtin=yes"])).is_err());
    }

    #[test]
    fn lines_are_cut_and_ended() {
        let (tx, rx) = sync_channel(16);
        let cut = Arc::new(AtomicU64::new(0));
        let long = vec![b'x'; MAX_LINE + 10];
        let mut input = b"a\nb".to_vec();
        input.splice(2..2, long.iter().copied().chain(*b"\n"));
        read_lines(&input[..], tx, cut.clone());
        let lines: Vec<Vec<u8>> = rx.iter().collect();
        assert_eq!(lines[0], b"a\n");
        assert_eq!(lines[1].len(), MAX_LINE + 1);
        assert_eq!(lines[2], b"b\n");
        assert_eq!(cut.load(Ordering::Relaxed), 1);
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
