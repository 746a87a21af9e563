//! The process tree as a small text file, so that `auditkit plugin` and
//! `auditkit detect --live` know, after a restart, the processes they saw
//! before it (their parents may never show up again in the log).
//!
//! The format is ours and line based, so a damaged file loses lines, not
//! the whole state:
//!
//! ```text
//! auditkit-proctree 1
//! NODE<TAB>PID<TAB>PPID<TAB>ORIGIN<TAB>UID<TAB>AUID<TAB>EXITED<TAB>SINCE<TAB>EXE<TAB>CWD<TAB>ARGV
//! ```
//!
//! Byte strings (node, exe, cwd, each argument) are hex, arguments joined
//! with `,`; `-` stands for "none"; times are `SEC.MSEC`. Lines are written
//! oldest first in eviction order, so loading them in order rebuilds the
//! same order. Writing the file atomically (temporary file, fsync, rename)
//! is the caller's job: this crate does no I/O. Reading is bounded: a tree
//! loaded from any file holds at most [`Limits::max_processes`] entries
//! with strings cut to [`Limits::max_bytes`].

use super::{Image, Limits, Origin, Process, Tree};

/// The first line of a state file.
pub const MAGIC: &str = "auditkit-proctree 1";

/// Why a state file was not read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StateError {
    /// The first line is not [`MAGIC`] (another program's file, or a
    /// future version).
    #[error("not an auditkit process state file (first line {found:?})")]
    Magic {
        /// The first line, cut to 64 bytes.
        found: String,
    },
}

fn hex(out: &mut String, b: &[u8]) {
    const D: &[u8; 16] = b"0123456789abcdef";
    for &x in b {
        out.push(D[(x >> 4) as usize] as char);
        out.push(D[(x & 15) as usize] as char);
    }
}

fn unhex(s: &str, max: usize) -> Option<Vec<u8>> {
    if s == "-" {
        return Some(Vec::new());
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity((b.len() / 2).min(max));
    for p in b.chunks_exact(2).take(max) {
        let h = (p[0] as char).to_digit(16)?;
        let l = (p[1] as char).to_digit(16)?;
        out.push((h * 16 + l) as u8);
    }
    Some(out)
}

fn opt(out: &mut String, v: Option<u32>) {
    match v {
        Some(n) => out.push_str(&n.to_string()),
        None => out.push('-'),
    }
}

fn time(out: &mut String, t: (u64, u32)) {
    out.push_str(&format!("{}.{:03}", t.0, t.1));
}

fn parse_time(s: &str) -> Option<(u64, u32)> {
    let (a, b) = s.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn parse_opt(s: &str) -> Option<Option<u32>> {
    if s == "-" {
        Some(None)
    } else {
        s.parse().ok().map(Some)
    }
}

impl Tree {
    /// The state file's text.
    pub fn save(&self) -> String {
        let mut out = String::with_capacity(64 + self.len() * 96);
        out.push_str(MAGIC);
        out.push('\n');
        for (node, p) in self.iter() {
            match node {
                Some(n) if !n.is_empty() => hex(&mut out, n),
                _ => out.push('-'),
            }
            out.push('\t');
            out.push_str(&p.pid.to_string());
            out.push('\t');
            out.push_str(&p.ppid.to_string());
            out.push('\t');
            out.push_str(p.origin.as_str());
            out.push('\t');
            opt(&mut out, p.uid);
            out.push('\t');
            opt(&mut out, p.auid);
            out.push('\t');
            match p.exited {
                Some(t) => time(&mut out, t),
                None => out.push('-'),
            }
            out.push('\t');
            time(&mut out, p.image.since);
            for b in [&p.image.exe, &p.image.cwd] {
                out.push('\t');
                if b.is_empty() {
                    out.push('-');
                } else {
                    hex(&mut out, b);
                }
            }
            out.push('\t');
            if p.image.argv.is_empty() {
                out.push('-');
            }
            for (i, a) in p.image.argv.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if a.is_empty() {
                    out.push('-');
                } else {
                    hex(&mut out, a);
                }
            }
            out.push('\n');
        }
        out
    }

    /// A tree from a state file's text. Lines that do not parse are
    /// skipped and counted (the second value); only a wrong first line is
    /// an error.
    pub fn load(text: &str, limits: Limits) -> Result<(Tree, usize), StateError> {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        if first != MAGIC {
            let mut found = first.to_string();
            let mut cut = found.len().min(64);
            while !found.is_char_boundary(cut) {
                cut -= 1;
            }
            found.truncate(cut);
            return Err(StateError::Magic { found });
        }
        let mut tree = Tree::new(limits);
        let mut bad = 0;
        for line in lines {
            match parse_line(line, limits.max_bytes) {
                Some((node, p)) => tree.seed(node.as_deref(), [p]),
                None => bad += 1,
            }
        }
        Ok((tree, bad))
    }
}

fn parse_line(line: &str, max: usize) -> Option<(Option<Vec<u8>>, Process)> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() != 11 {
        return None;
    }
    let node = match f[0] {
        "-" => None,
        s => Some(unhex(s, max)?),
    };
    let argv = if f[10] == "-" {
        Vec::new()
    } else {
        let mut v = Vec::new();
        let mut left = max;
        for a in f[10].split(',') {
            if left == 0 {
                break;
            }
            let a = unhex(a, left)?;
            left = left.saturating_sub(a.len() + 1);
            v.push(a);
        }
        v
    };
    let p = Process {
        pid: f[1].parse().ok()?,
        ppid: f[2].parse().ok()?,
        origin: Origin::from_str(f[3])?,
        uid: parse_opt(f[4])?,
        auid: parse_opt(f[5])?,
        exited: match f[6] {
            "-" => None,
            s => Some(parse_time(s)?),
        },
        image: Image {
            since: parse_time(f[7])?,
            exe: unhex(f[8], max)?,
            cwd: unhex(f[9], max)?,
            argv,
        },
        prior: Vec::new(),
    };
    Some((node, p))
}
