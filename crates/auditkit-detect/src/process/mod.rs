//! Process state built from the audit events themselves: who started
//! whom, with which program and arguments, so that a detection can ask
//! for a process's parent (Sigma's `ParentImage`, `ParentCommandLine`)
//! and every alert can carry its ancestor chain.
//!
//! # What the log gives
//! Every SYSCALL record names its process (`pid`, `ppid`, `exe`, `comm`,
//! `uid`, `auid`), and an `execve` event adds the new image's arguments
//! (EXECVE, reassembled and decoded as `auditkit-event` does) and working
//! directory (CWD). Where the rules audit them, `clone`/`fork`/`vfork`
//! name a child (their exit value) and `exit_group` says a process is
//! gone. So the tree is built from whatever the log holds:
//!
//! * an `execve` that succeeded gives its pid a new image (exe, argv, cwd,
//!   uid, auid) under the parent `ppid`; the pid's previous image, when it
//!   was itself an exec (`bash -c 'exec sh'`), is kept as the first
//!   ancestor so the chain shows both;
//! * a fork gives the child the parent's image until it execs (a subshell
//!   that opens `/dev/tcp` is still "bash, child of bash");
//! * any other syscall event makes its process known (exe and PROCTITLE's
//!   argv) when it was not, so the chain reaches processes that started
//!   before the log did, and `ppid` links it to its parent;
//! * `exit_group` marks a process exited; it stays known (its children
//!   still name it) until the table is full.
//!
//! Threads are not processes: a `clone` with `CLONE_THREAD` is ignored,
//! and `clone3` (whose flags are in memory the log does not show) creates
//! nothing; the child appears when it is first seen.
//!
//! # Order and memory
//! The tree must see events in log order: it runs in the engine's ordered
//! stage ([`auditkit_event::pipeline::Ordered`]), after assembly, so a
//! parent's exec comes before its child's. Memory is bounded by
//! [`Limits`]: at most `max_processes` entries, each with its strings cut
//! to `max_bytes`; when full, the process that exited longest ago goes
//! first, then the one seen longest ago.
//!
//! # Live
//! [`Tree::seed`] fills the tree from a snapshot of `/proc` (read by
//! `auditkit-host`, since this crate does no I/O), and [`state`] turns the
//! tree into a bounded text file and back, so a restarted `auditkit
//! plugin` knows the processes it saw before.
//!
//! # Fields for rules
//! [`Tree::extra_field`] answers the documented extra fields
//! ([`EXTRA_FIELDS`]) for the process of an event; plain Sigma rules never
//! ask for them and are not changed.

pub mod state;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use auditkit_event::value::{decode_str, execve_args_with, proctitle_args, unescape_tty};
use auditkit_event::{EventFields, RecordFields, RecordType};
use auditkit_interp::{syscall_name, Machine};

use crate::sysrec::{Slot, SysRec};

/// How big the tree may grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Processes tracked at once (exited ones included).
    pub max_processes: usize,
    /// Bytes kept of an exe, a cwd, and of all arguments together.
    pub max_bytes: usize,
    /// Ancestors walked for a chain (and for `ParentImage` lookups).
    pub max_depth: usize,
}

impl Default for Limits {
    /// 16384 processes of at most about 12 KiB each: under 200 MB in the
    /// worst case, a few MB on a normal host where arguments are short.
    fn default() -> Self {
        Limits {
            max_processes: 16384,
            max_bytes: 4096,
            max_depth: 16,
        }
    }
}

/// How the tree learned of a process's current image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A successful execve: exe, argv and cwd are the image's.
    Exec,
    /// A fork of a known parent: the image is the parent's.
    Fork,
    /// Some other syscall of it: exe from SYSCALL, argv from PROCTITLE.
    Seen,
    /// A `/proc` snapshot taken when the tree started.
    Proc,
}

impl Origin {
    /// The name used in alerts and the state file.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Exec => "exec",
            Origin::Fork => "fork",
            Origin::Seen => "seen",
            Origin::Proc => "proc",
        }
    }

    fn from_str(s: &str) -> Option<Origin> {
        Some(match s {
            "exec" => Origin::Exec,
            "fork" => Origin::Fork,
            "seen" => Origin::Seen,
            "proc" => Origin::Proc,
            _ => return None,
        })
    }
}

/// A program image: what a process runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    /// The executable (`exe=`), decoded.
    pub exe: Vec<u8>,
    /// The arguments, decoded; cut to [`Limits::max_bytes`] in all.
    pub argv: Vec<Vec<u8>>,
    /// The working directory of the exec, when known.
    pub cwd: Vec<u8>,
    /// When the image started (event time, seconds and milliseconds).
    pub since: (u64, u32),
}

impl Image {
    /// The arguments joined with spaces, as Sigma's `CommandLine`.
    pub fn command_line(&self) -> Vec<u8> {
        self.argv.join(&b' ')
    }
}

/// One process as the tree knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// Its pid.
    pub pid: u32,
    /// Its parent's pid (0 when unknown).
    pub ppid: u32,
    /// The current image.
    pub image: Image,
    /// Where the image came from.
    pub origin: Origin,
    /// The images this pid ran before its last exec, most recent first,
    /// when they were execs too (`bash -c 'sh -c id'`: bash execs sh
    /// without forking). At most [`MAX_PRIOR`].
    pub prior: Vec<Image>,
    /// `uid=` of the last event that set it.
    pub uid: Option<u32>,
    /// `auid=` (the login uid), `None` when unset.
    pub auid: Option<u32>,
    /// When it exited, if it did (event time).
    pub exited: Option<(u64, u32)>,
}

/// One step of an ancestor chain, for an alert's `context`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ancestor {
    /// The pid.
    pub pid: u32,
    /// Its parent's pid.
    pub ppid: u32,
    /// The image.
    pub exe: Vec<u8>,
    /// The command line (arguments joined).
    pub command_line: Vec<u8>,
    /// The working directory, when known.
    pub cwd: Vec<u8>,
    /// The uid, when known.
    pub uid: Option<u32>,
    /// The login uid, when set.
    pub auid: Option<u32>,
    /// How the tree knows it: `exec`, `fork`, `seen`, `proc`, or
    /// `replaced` for the image this same pid ran before an exec.
    pub how: &'static str,
    /// Whether it has exited.
    pub exited: bool,
}

/// The fields [`Tree::extra_field`] answers, with what they hold.
/// Documented for rule writers in docs/detect.md.
pub const EXTRA_FIELDS: &[(&str, &str)] = &[
    ("ParentImage", "exe of the parent process"),
    ("ParentCommandLine", "arguments of the parent, joined with spaces"),
    ("ParentProcessId", "pid of the parent"),
    ("ParentUser", "uid of the parent (a number)"),
    ("GrandparentImage", "exe of the parent's parent"),
    (
        "GrandparentCommandLine",
        "arguments of the parent's parent, joined with spaces",
    ),
    (
        "AncestorImages",
        "exe of every step of the ancestor chain (nearest first, earlier images of the same pid included, up to the depth limit); a value matches if any does",
    ),
    (
        "AncestorCommandLines",
        "command line of every ancestor; a value matches if any ancestor's does",
    ),
];

/// Images kept per pid from before its last exec.
pub const MAX_PRIOR: usize = 4;

/// Node names get a small number; beyond this many the rest share one
/// (their pids may then collide, which costs context, never memory).
const MAX_NODES: usize = 4096;

type Key = (u32, u32);

/// The tree. See the module documentation.
#[derive(Debug)]
pub struct Tree {
    limits: Limits,
    procs: HashMap<Key, Entry>,
    /// Eviction order: (still alive, sequence) -> key. Exited processes
    /// sort first (false < true), each group oldest first.
    order: BTreeMap<(bool, u64), Key>,
    seq: u64,
    nodes: HashMap<Vec<u8>, u32>,
    node_names: Vec<Vec<u8>>,
    evicted: u64,
    /// The node of the last event observed: the engine's hook
    /// ([`crate::context::ProcessTree`]) has no node, and asks about the
    /// event just observed.
    current: u32,
}

#[derive(Debug, Clone)]
struct Entry {
    p: Process,
    /// Its place in `order`.
    slot: (bool, u64),
}

/// What an event's SYSCALL records say about its process: what
/// [`Tree::observe`] reads of every event. [`crate::Engine::matches_no_tree`]
/// reads it where the event is (the parallel workers of `auditkit
/// detect`), with the same walk of the SYSCALL record the rules use, so the
/// ordered stage, which sees every event in turn, only updates the tree
/// ([`Tree::observe_read`]). The EXECVE, CWD and PROCTITLE records are
/// read there only when the tree takes a new image from them, which most
/// events (a known process's syscalls) do not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    pid: Option<u32>,
    ppid: Option<u32>,
    syscall: Option<Cow<'static, str>>,
    success: Option<bool>,
    exit: Option<i64>,
    /// `a0` says the clone makes a thread.
    thread: bool,
    /// `exe=`, decoded.
    exe: Option<Vec<u8>>,
    uid: Option<u32>,
    auid: Option<u32>,
    time: (u64, u32),
}

/// A number of a field as logged: decimal, or the interpreted forms
/// ausearch prints (`unset`, a user name: not a number, so `None`).
fn number(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// A uid: `4294967295` and `unset` mean none.
fn uid_of(v: &[u8]) -> Option<u32> {
    number(v)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n != u32::MAX)
}

fn cut(mut v: Vec<u8>, max: usize) -> Vec<u8> {
    v.truncate(max);
    v
}

fn cut_args(args: Vec<Vec<u8>>, max: usize) -> Vec<Vec<u8>> {
    let mut left = max;
    let mut out = Vec::new();
    for mut a in args {
        if left == 0 {
            break;
        }
        a.truncate(left);
        left = left.saturating_sub(a.len() + 1);
        out.push(a);
    }
    out
}

/// Read what the tree needs from an event's SYSCALL records (a later
/// one overrides what an earlier one said).
fn facts<E: EventFields + ?Sized>(ev: &E) -> Observed {
    facts_with(ev, SysRec::of(ev).as_ref())
}

/// [`facts`], from the event's first SYSCALL record already read.
pub(crate) fn facts_with<E: EventFields + ?Sized>(ev: &E, first: Option<&SysRec<'_>>) -> Observed {
    let id = ev.id();
    let mut f = Observed {
        time: (id.sec, id.msec),
        ..Observed::default()
    };
    let Some(first) = first else {
        return f;
    };
    apply(&mut f, first);
    if first.more {
        for (i, r) in ev.records().enumerate().skip(first.index + 1) {
            if r.rtype() == RecordType::SYSCALL {
                apply(&mut f, &SysRec::read(&r, i));
            }
        }
    }
    f
}

/// What one SYSCALL record says, over what earlier ones said.
fn apply(f: &mut Observed, s: &SysRec<'_>) {
    let arch = s.get(Slot::Arch).and_then(|v| {
        if s.interpreted {
            std::str::from_utf8(v).ok().and_then(Machine::from_name)
        } else {
            std::str::from_utf8(v)
                .ok()
                .and_then(|v| u32::from_str_radix(v, 16).ok())
                .and_then(Machine::from_elf)
        }
    });
    if let Some(v) = s.get(Slot::Success) {
        f.success = Some(v == b"yes");
    }
    if let Some(v) = s.get(Slot::Exit) {
        f.exit = std::str::from_utf8(v).ok().and_then(|s| s.parse().ok());
    }
    if let Some(v) = s.get(Slot::Pid) {
        f.pid = number(v).and_then(|n| u32::try_from(n).ok());
    }
    if let Some(v) = s.get(Slot::Ppid) {
        f.ppid = number(v).and_then(|n| u32::try_from(n).ok());
    }
    if let Some(v) = s.get(Slot::Uid) {
        f.uid = uid_of(v);
    }
    if let Some(v) = s.get(Slot::Auid) {
        f.auid = uid_of(v);
    }
    if let Some(a0) = s.get(Slot::A0) {
        f.thread = is_thread(a0);
    }
    if let Some(e) = s.get(Slot::Exe) {
        f.exe = Some(if s.interpreted {
            unescape_tty(e).into_owned()
        } else {
            decode_str(e).into_owned()
        });
    }
    f.syscall = s.get(Slot::Syscall).and_then(|n| match number(n) {
        Some(k) => u32::try_from(k)
            .ok()
            .and_then(|k| syscall_name(arch.unwrap_or(Machine::X86_64), k))
            .map(Cow::Borrowed),
        None => std::str::from_utf8(n)
            .ok()
            .map(|s| Cow::Owned(s.to_string())),
    });
}

/// The arguments of the event's EXECVE records, decoded, if it has any.
/// They are decoded as ausearch `-i` output when the last SYSCALL record
/// is, or an EXECVE record after it.
fn argv<E: EventFields + ?Sized>(ev: &E) -> Option<Vec<Vec<u8>>> {
    let mut execve: Vec<(&[u8], Cow<'_, [u8]>)> = Vec::new();
    let mut interpreted = false;
    for r in ev.records() {
        let t = r.rtype();
        if t == RecordType::SYSCALL {
            interpreted = r.is_interpreted();
        } else if t == RecordType::EXECVE {
            execve.extend(r.fields().map(|fl| (fl.name, fl.value)));
            interpreted |= r.is_interpreted();
        }
    }
    if execve.is_empty() {
        return None;
    }
    let pairs = execve.iter().map(|(n, v)| (*n, v.as_ref()));
    Some(if interpreted {
        execve_args_with(pairs, |v| unescape_tty(v))
    } else {
        execve_args_with(pairs, decode_str)
    })
}

/// The last CWD record's `cwd`, decoded.
fn cwd<E: EventFields + ?Sized>(ev: &E) -> Option<Vec<u8>> {
    let mut out = None;
    for r in ev.records() {
        if r.rtype() == RecordType::CWD {
            if let Some(v) = r.field(b"cwd") {
                out = Some(if r.is_interpreted() {
                    unescape_tty(&v).into_owned()
                } else {
                    decode_str(&v).into_owned()
                });
            }
        }
    }
    out
}

/// The last PROCTITLE record's arguments.
fn title<E: EventFields + ?Sized>(ev: &E) -> Option<Vec<Vec<u8>>> {
    let mut out = None;
    for r in ev.records() {
        if r.rtype() == RecordType::PROCTITLE {
            if let Some(v) = r.field(b"proctitle") {
                out = Some(if r.is_interpreted() {
                    vec![unescape_tty(&v).into_owned()]
                } else {
                    proctitle_args(&v)
                });
            }
        }
    }
    out
}

/// Whether a clone's flags (`a0`, raw hex or interpreted names) make a
/// thread rather than a process.
fn is_thread(a0: &[u8]) -> bool {
    const CLONE_THREAD: u64 = 0x0001_0000;
    match std::str::from_utf8(a0) {
        Ok(s) if s.contains("CLONE_THREAD") => true,
        Ok(s) => u64::from_str_radix(s, 16).is_ok_and(|n| n & CLONE_THREAD != 0),
        Err(_) => false,
    }
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new(Limits::default())
    }
}

impl Tree {
    /// An empty tree.
    pub fn new(limits: Limits) -> Tree {
        Tree {
            limits: Limits {
                max_processes: limits.max_processes.max(1),
                ..limits
            },
            procs: HashMap::new(),
            order: BTreeMap::new(),
            seq: 0,
            nodes: HashMap::new(),
            node_names: Vec::new(),
            evicted: 0,
            current: 0,
        }
    }

    /// The limits it was made with.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Processes tracked now.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    /// Whether no process is tracked.
    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// Processes dropped to stay within [`Limits::max_processes`].
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// A node's name as the tree keys it: cut to `max_bytes`, as every
    /// string the tree keeps (and as the state file reads it back), and
    /// an empty `node=` is no node (the state file writes both as `-`).
    fn node_key<'a>(&self, node: Option<&'a [u8]>) -> Option<&'a [u8]> {
        node.filter(|n| !n.is_empty())
            .map(|n| &n[..n.len().min(self.limits.max_bytes)])
    }

    /// The number of a node.
    fn node_id(&mut self, node: Option<&[u8]>) -> u32 {
        let Some(n) = self.node_key(node) else {
            return 0;
        };
        if let Some(&id) = self.nodes.get(n) {
            return id;
        }
        if self.node_names.len() >= MAX_NODES {
            return u32::MAX;
        }
        self.node_names.push(n.to_vec());
        let id = self.node_names.len() as u32;
        self.nodes.insert(n.to_vec(), id);
        id
    }

    fn lookup_node(&self, node: Option<&[u8]>) -> u32 {
        match self.node_key(node) {
            None => 0,
            Some(n) => self.nodes.get(n).copied().unwrap_or(u32::MAX),
        }
    }

    /// The process `pid` of `node` (`None` for logs without `node=`).
    pub fn process(&self, node: Option<&[u8]>, pid: u32) -> Option<&Process> {
        self.procs.get(&(self.lookup_node(node), pid)).map(|e| &e.p)
    }

    /// Insert or replace an entry, evicting when full.
    fn put(&mut self, key: Key, p: Process) {
        self.seq += 1;
        let slot = (p.exited.is_none(), self.seq);
        if let Some(old) = self.procs.remove(&key) {
            self.order.remove(&old.slot);
        }
        while self.procs.len() >= self.limits.max_processes {
            let Some((_, k)) = self.order.pop_first() else {
                break;
            };
            self.procs.remove(&k);
            self.evicted += 1;
        }
        self.order.insert(slot, key);
        self.procs.insert(key, Entry { p, slot });
    }

    /// Take an entry out to change it (put it back with [`Self::put`]).
    fn take(&mut self, key: Key) -> Option<Process> {
        let e = self.procs.remove(&key)?;
        self.order.remove(&e.slot);
        Some(e.p)
    }

    /// Learn from one event, in log order.
    pub fn observe<E: EventFields>(&mut self, ev: &E) {
        let f = facts(ev);
        self.observe_read(ev, &f);
    }

    /// [`Tree::observe`], with what
    /// [`crate::Engine::matches_no_tree`] read of `ev` (in log
    /// order, as `observe`).
    pub fn observe_read<E: EventFields + ?Sized>(&mut self, ev: &E, f: &Observed) {
        self.current = self.node_id(ev.node());
        let Some(pid) = f.pid else { return };
        let Some(syscall) = f.syscall.as_deref() else {
            return;
        };
        let node = self.current;
        let key = (node, pid);
        let max = self.limits.max_bytes;
        let ok = f.success != Some(false);
        match syscall {
            "execve" | "execveat" if ok => {
                let old = self.take(key);
                let image = Image {
                    exe: cut(f.exe.clone().unwrap_or_default(), max),
                    argv: cut_args(argv(ev).or_else(|| title(ev)).unwrap_or_default(), max),
                    cwd: cut(cwd(ev).unwrap_or_default(), max),
                    since: f.time,
                };
                let prior = match old {
                    Some(o) if o.origin == Origin::Exec && o.exited.is_none() => {
                        let mut v = Vec::with_capacity(MAX_PRIOR);
                        v.push(o.image);
                        v.extend(o.prior.into_iter().take(MAX_PRIOR - 1));
                        v
                    }
                    _ => Vec::new(),
                };
                self.put(
                    key,
                    Process {
                        pid,
                        ppid: f.ppid.unwrap_or(0),
                        image,
                        origin: Origin::Exec,
                        prior,
                        uid: f.uid,
                        auid: f.auid,
                        exited: None,
                    },
                );
            }
            "clone" | "fork" | "vfork" if ok => {
                self.seen(key, f, ev);
                if syscall == "clone" && f.thread {
                    return;
                }
                let Some(child) = f.exit.and_then(|c| u32::try_from(c).ok()) else {
                    return;
                };
                if child == 0 {
                    return;
                }
                // vfork's parent returns after the child has exec'd (and
                // maybe exited): its record comes after the child's. A
                // child already known from this fork's time on is newer
                // than what the fork could say.
                if let Some(c) = self.process_by_key((node, child)) {
                    if c.exited.is_none_or(|t| t >= f.time) && c.image.since >= f.time {
                        return;
                    }
                }
                let parent = self.process_by_key(key).cloned();
                let image = parent.as_ref().map(|p| p.image.clone()).unwrap_or_default();
                self.put(
                    (node, child),
                    Process {
                        pid: child,
                        ppid: pid,
                        image: Image {
                            since: f.time,
                            ..image
                        },
                        origin: Origin::Fork,
                        prior: Vec::new(),
                        uid: f.uid,
                        auid: f.auid,
                        exited: None,
                    },
                );
            }
            "exit_group" => {
                self.seen(key, f, ev);
                if let Some(mut p) = self.take(key) {
                    p.exited = Some(f.time);
                    self.put(key, p);
                }
            }
            _ => self.seen(key, f, ev),
        }
    }

    fn process_by_key(&self, key: Key) -> Option<&Process> {
        self.procs.get(&key).map(|e| &e.p)
    }

    /// A syscall of `key` that is not an exec: make the process known,
    /// or notice that its pid now belongs to another program.
    fn seen<E: EventFields + ?Sized>(&mut self, key: Key, f: &Observed, ev: &E) {
        let max = self.limits.max_bytes;
        let exe = f.exe.as_deref().map(|e| &e[..e.len().min(max)]);
        let newest = self.seq;
        if let Some(p) = self.procs.get_mut(&key) {
            let same = exe.is_none_or(|e| e == p.p.image.exe);
            if same && p.p.exited.is_none() {
                // Still the process we know. Its parent may have died and
                // left it to init or a subreaper; the original parent is the
                // better context, so ppid stays.
                if p.p.uid.is_none() {
                    p.p.uid = f.uid;
                }
                // Touch: it is alive and recent. When it is the newest
                // already (a process's syscalls come in runs), moving it
                // to the end changes no order.
                if p.slot == (true, newest) {
                    return;
                }
                let key_slot = p.slot;
                self.order.remove(&key_slot);
                self.seq += 1;
                let slot = (true, self.seq);
                self.order.insert(slot, key);
                if let Some(e) = self.procs.get_mut(&key) {
                    e.slot = slot;
                }
                return;
            }
        }
        // Unknown, exited (its pid was reused) or another program.
        let image = Image {
            exe: exe.map(<[u8]>::to_vec).unwrap_or_default(),
            argv: cut_args(title(ev).unwrap_or_default(), max),
            cwd: Vec::new(),
            since: f.time,
        };
        self.put(
            key,
            Process {
                pid: key.1,
                ppid: f.ppid.unwrap_or(0),
                image,
                origin: Origin::Seen,
                prior: Vec::new(),
                uid: f.uid,
                auid: f.auid,
                exited: None,
            },
        );
    }

    /// Add processes from a `/proc` snapshot (or any other list), for a
    /// live run that starts after they did. Known pids are replaced.
    pub fn seed<I>(&mut self, node: Option<&[u8]>, procs: I)
    where
        I: IntoIterator<Item = Process>,
    {
        let n = self.node_id(node);
        let max = self.limits.max_bytes;
        for mut p in procs {
            p.image.exe = cut(std::mem::take(&mut p.image.exe), max);
            p.image.argv = cut_args(std::mem::take(&mut p.image.argv), max);
            p.image.cwd = cut(std::mem::take(&mut p.image.cwd), max);
            self.put((n, p.pid), p);
        }
    }

    /// Every tracked process with its node, oldest first in eviction
    /// order (for the state file). Processes of the nodes past
    /// `MAX_NODES` share one unnamed key and are left out: written as
    /// node-less they would come back as another host's processes.
    pub fn iter(&self) -> impl Iterator<Item = (Option<&[u8]>, &Process)> {
        self.order.values().filter_map(|k| {
            let e = self.procs.get(k)?;
            let node = match k.0 {
                0 => None,
                u32::MAX => return None,
                i => self.node_names.get(i as usize - 1).map(Vec::as_slice),
            };
            Some((node, &e.p))
        })
    }

    /// The ancestors of `pid`, nearest first: the images this pid ran
    /// before its exec (when they were execs too, marked `replaced`), then
    /// the parent and its earlier images, its parent, ... up to `max`
    /// steps. When `pid` itself is unknown, `ppid` (from the event) starts
    /// the walk.
    pub fn ancestors(
        &self,
        node: Option<&[u8]>,
        pid: u32,
        ppid: Option<u32>,
        max: usize,
    ) -> Vec<Ancestor> {
        let n = self.lookup_node(node);
        let mut out = Vec::new();
        let mut next = match self.procs.get(&(n, pid)) {
            Some(e) => {
                for prior in &e.p.prior {
                    out.push(ancestor(&e.p, prior, "replaced"));
                }
                e.p.ppid
            }
            None => ppid.unwrap_or(0),
        };
        let mut visited = vec![pid];
        while out.len() < max && next != 0 && !visited.contains(&next) {
            visited.push(next);
            let Some(e) = self.procs.get(&(n, next)) else {
                break;
            };
            out.push(ancestor(&e.p, &e.p.image, e.p.origin.as_str()));
            for prior in &e.p.prior {
                out.push(ancestor(&e.p, prior, "replaced"));
            }
            next = e.p.ppid;
        }
        out.truncate(max);
        out
    }

    /// The process an event is about and its ancestors: `pid` and `ppid`
    /// of its SYSCALL record, or `pid` of a user-space record.
    pub fn context<E: EventFields>(&self, ev: &E) -> Option<Context> {
        let (pid, ppid) = event_pid(ev)?;
        let node = ev.node();
        let process = self
            .procs
            .get(&(self.lookup_node(node), pid))
            .map(|e| ancestor(&e.p, &e.p.image, e.p.origin.as_str()));
        let ancestors = self.ancestors(node, pid, ppid, self.limits.max_depth);
        Some(Context {
            pid,
            process,
            ancestors,
        })
    }

    /// One of the [`EXTRA_FIELDS`] for the process `pid` (with `ppid`
    /// from the event when the tree does not know `pid`): the values, one
    /// per ancestor for the `Ancestor*` fields; empty when unknown.
    pub fn extra_field(
        &self,
        node: Option<&[u8]>,
        pid: u32,
        ppid: Option<u32>,
        name: &str,
    ) -> Vec<Vec<u8>> {
        let depth = match name {
            "ParentImage" | "ParentCommandLine" | "ParentProcessId" | "ParentUser" => 1,
            "GrandparentImage" | "GrandparentCommandLine" => 2,
            "AncestorImages" | "AncestorCommandLines" => self.limits.max_depth,
            _ => return Vec::new(),
        };
        // Parent fields are about the parent process, not the image this
        // pid ran before an exec.
        let n = self.lookup_node(node);
        let parent = self.procs.get(&(n, pid)).map_or(ppid, |e| Some(e.p.ppid));
        let Some(parent) = parent.filter(|&p| p != 0) else {
            return Vec::new();
        };
        let chain = self.walk(n, parent, depth);
        let pick = |a: &Process, name: &str| -> Option<Vec<u8>> {
            Some(match name {
                "ParentImage" | "GrandparentImage" | "AncestorImages" => a.image.exe.clone(),
                "ParentCommandLine" | "GrandparentCommandLine" | "AncestorCommandLines" => {
                    a.image.command_line()
                }
                "ParentProcessId" => a.pid.to_string().into_bytes(),
                "ParentUser" => a.uid?.to_string().into_bytes(),
                _ => return None,
            })
        };
        match name {
            // Every step of the alert's chain, earlier images of a pid
            // included (`sudo` that exec'd `sh` is still an ancestor).
            "AncestorImages" => self
                .ancestors(node, pid, ppid, depth)
                .into_iter()
                .map(|a| a.exe)
                .collect(),
            "AncestorCommandLines" => self
                .ancestors(node, pid, ppid, depth)
                .into_iter()
                .map(|a| a.command_line)
                .collect(),
            "ParentProcessId" if chain.is_empty() => vec![parent.to_string().into_bytes()],
            _ => chain
                .get(depth - 1)
                .and_then(|a| pick(a, name))
                .into_iter()
                .collect(),
        }
    }

    /// The known processes from `pid` up, at most `max`.
    fn walk(&self, n: u32, pid: u32, max: usize) -> Vec<&Process> {
        let mut out: Vec<&Process> = Vec::new();
        let mut next = pid;
        while out.len() < max && next != 0 && !out.iter().any(|p| p.pid == next) {
            let Some(e) = self.procs.get(&(n, next)) else {
                break;
            };
            out.push(&e.p);
            next = e.p.ppid;
        }
        out
    }
}

/// `pid` and `ppid` of an event: its SYSCALL record's, or the `pid` of
/// the first record that has one (user-space records have no `ppid`).
pub fn event_pid<E: EventFields>(ev: &E) -> Option<(u32, Option<u32>)> {
    let mut first: Option<u32> = None;
    for r in ev.records() {
        let pid = r
            .field(b"pid")
            .and_then(|v| number(&v))
            .and_then(|n| u32::try_from(n).ok());
        if r.rtype() == RecordType::SYSCALL {
            if let Some(pid) = pid {
                let ppid = r
                    .field(b"ppid")
                    .and_then(|v| number(&v))
                    .and_then(|n| u32::try_from(n).ok());
                return Some((pid, ppid));
            }
        }
        if first.is_none() {
            first = pid;
        }
    }
    first.map(|p| (p, None))
}

fn ancestor(p: &Process, image: &Image, how: &'static str) -> Ancestor {
    Ancestor {
        pid: p.pid,
        ppid: p.ppid,
        exe: image.exe.clone(),
        command_line: image.command_line(),
        cwd: image.cwd.clone(),
        uid: p.uid,
        auid: p.auid,
        how,
        exited: p.exited.is_some(),
    }
}

/// What an alert carries about its process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The event's pid.
    pub pid: u32,
    /// The process itself, when known.
    pub process: Option<Ancestor>,
    /// Its ancestors, nearest first.
    pub ancestors: Vec<Ancestor>,
}

impl Context {
    /// As JSON (an object: `pid`, `process`, `ancestors`), bytes that are
    /// not UTF-8 written as `\u00XX` escapes of each byte, like the rest of
    /// auditkit's JSON.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"pid\":");
        out.extend_from_slice(self.pid.to_string().as_bytes());
        out.extend_from_slice(b",\"process\":");
        match &self.process {
            Some(p) => p.write_json(out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"ancestors\":[");
        for (i, a) in self.ancestors.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            a.write_json(out);
        }
        out.extend_from_slice(b"]}");
    }
}

impl Ancestor {
    /// As a JSON object.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"pid\":");
        out.extend_from_slice(self.pid.to_string().as_bytes());
        out.extend_from_slice(b",\"ppid\":");
        out.extend_from_slice(self.ppid.to_string().as_bytes());
        out.extend_from_slice(b",\"exe\":");
        json_str(out, &self.exe);
        out.extend_from_slice(b",\"cmdline\":");
        json_str(out, &self.command_line);
        if !self.cwd.is_empty() {
            out.extend_from_slice(b",\"cwd\":");
            json_str(out, &self.cwd);
        }
        if let Some(u) = self.uid {
            out.extend_from_slice(b",\"uid\":");
            out.extend_from_slice(u.to_string().as_bytes());
        }
        if let Some(u) = self.auid {
            out.extend_from_slice(b",\"auid\":");
            out.extend_from_slice(u.to_string().as_bytes());
        }
        out.extend_from_slice(b",\"how\":\"");
        out.extend_from_slice(self.how.as_bytes());
        out.extend_from_slice(b"\"");
        if self.exited {
            out.extend_from_slice(b",\"exited\":true");
        }
        out.push(b'}');
    }
}

/// A JSON string of bytes: valid UTF-8 as is (escaped), other bytes as
/// `\u00XX`.
fn json_str(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'"');
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\r' => out.extend_from_slice(b"\\r"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
                }
                c => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        for &x in chunk.invalid() {
            out.extend_from_slice(format!("\\u{:04x}", x).as_bytes());
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests;

/// The engine's view of the tree ([`crate::context::ProcessTree`]): the
/// process by pid, on the node of the event observed last (the hook has no
/// node; the engine asks about the event the ordered stage just gave to
/// [`Tree::observe`]).
impl crate::context::ProcessTree for Tree {
    fn process(&self, pid: u32) -> Option<crate::context::Process> {
        let p = self.procs.get(&(self.current, pid)).map(|e| &e.p)?;
        Some(crate::context::Process {
            pid: p.pid,
            ppid: (p.ppid != 0).then_some(p.ppid),
            exe: Some(p.image.exe.clone()),
            cmdline: Some(p.image.command_line()),
            uid: p.uid,
        })
    }
}
