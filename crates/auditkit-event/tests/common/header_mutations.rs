//! Header-focused damage to real audit lines, for the no-panic tests of
//! this crate and of auditkit-output (which includes this file by path:
//! a dev-dependency of auditkit-event on auditkit-output would be a cycle).
//!
//! Issue 8: lines of real logs with a few bytes changed near their header
//! (`node=x type=PATHmsg=audit(...)`, a first token shorter than `node=`)
//! panicked the parser. Random bytes rarely produce such lines; these
//! mutations aim at the bytes the header grammar is made of: spaces, `=`,
//! `:`, `(`, `)`, `.` and digits, the space before `msg=`, and repeated
//! `node=`/`type=` tokens.
#![allow(dead_code)] // each including test binary uses a part

use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// The shared corpus of real logs (`../shared/corpus` from the project
/// root). Its absence is a failure, not a skip: the test would prove
/// nothing without it.
pub fn corpus_logs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/logs")
}

/// Every line of the corpus whose header window holds `msg=audit(`, from
/// every file, in a fixed order.
pub fn corpus_lines() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut stack = vec![corpus_logs()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("the shared corpus is needed at {}: {e}", d.display()));
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_none_or(|x| x != "md") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for f in files {
        let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        lines.extend(
            data.split(|&b| b == b'\n')
                .filter(|l| memchr::memmem::find(&l[..l.len().min(340)], b"msg=audit(").is_some())
                .map(<[u8]>::to_vec),
        );
    }
    assert!(lines.len() > 500, "only {} corpus lines", lines.len());
    lines
}

/// The bytes the header grammar is made of, and two it must survive.
const HEADER_BYTES: &[u8] = b" =:().0123456789n\t\x1d\0";

/// One change to a line.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Delete the byte at this place in the header.
    Delete(usize),
    /// Delete up to 8 bytes from this place.
    DeleteRun(usize, usize),
    /// Insert a header byte here.
    Insert(usize, u8),
    /// Replace the byte here by a header byte.
    Replace(usize, u8),
    /// `type=T msg=` becomes `type=Tmsg=`.
    DropSpaceBeforeMsg,
    /// Repeat the `node=` token (or add one).
    DupNode,
    /// Repeat the `type=` token.
    DupType,
    /// Cut the n-th space-separated token of the header (node, type or
    /// msg) to a few bytes: `n type=...`, `node=x ty msg=...`.
    TruncateToken(usize, usize),
}

/// Any [`Mutation`]; places are reduced modulo the header's length.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = proptest::sample::select(HEADER_BYTES);
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), 1usize..9).prop_map(|(p, n)| Mutation::DeleteRun(p, n)),
        (any::<usize>(), byte.clone()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), byte).prop_map(|(p, b)| Mutation::Replace(p, b)),
        Just(Mutation::DropSpaceBeforeMsg),
        Just(Mutation::DupNode),
        Just(Mutation::DupType),
        (0usize..3, 0usize..6).prop_map(|(t, n)| Mutation::TruncateToken(t, n)),
    ]
}

/// The header's extent: up to and including `): ` (or 80 bytes).
fn header_len(line: &[u8]) -> usize {
    memchr::memmem::find(line, b"): ")
        .map_or(80, |p| p + 3)
        .min(line.len())
}

/// Apply one mutation.
pub fn apply(line: &mut Vec<u8>, m: &Mutation) {
    let n = header_len(line);
    let at = |p: usize| if n == 0 { 0 } else { p % n };
    match *m {
        Mutation::Delete(p) if n > 0 => {
            line.remove(at(p));
        }
        Mutation::DeleteRun(p, k) if n > 0 => {
            let a = at(p);
            line.drain(a..(a + k).min(line.len()));
        }
        Mutation::Insert(p, b) => line.insert(if n == 0 { 0 } else { p % (n + 1) }, b),
        Mutation::Replace(p, b) if n > 0 => line[at(p)] = b,
        Mutation::DropSpaceBeforeMsg => {
            if let Some(p) = memchr::memmem::find(line, b" msg=") {
                line.remove(p);
            }
        }
        Mutation::DupNode => {
            let tok = if line.starts_with(b"node=") {
                let end = memchr::memchr(b' ', line).map_or(line.len(), |p| p + 1);
                line[..end].to_vec()
            } else {
                b"node=h ".to_vec()
            };
            line.splice(0..0, tok);
        }
        Mutation::DupType => {
            if let Some(p) = memchr::memmem::find(line, b"type=") {
                let end = memchr::memchr(b' ', &line[p..]).map_or(line.len(), |q| p + q + 1);
                let tok = line[p..end].to_vec();
                line.splice(p..p, tok);
            }
        }
        Mutation::TruncateToken(t, k) => {
            let mut start = 0;
            for _ in 0..t {
                match memchr::memchr(b' ', &line[start..]) {
                    Some(p) => start += p + 1,
                    None => return,
                }
            }
            let end = memchr::memchr(b' ', &line[start..]).map_or(line.len(), |p| start + p);
            if start + k < end {
                line.drain(start + k..end);
            }
        }
        _ => {}
    }
}

/// Picks of corpus lines, each with up to four mutations.
pub fn damaged_lines() -> impl Strategy<Value = Vec<(proptest::sample::Index, Vec<Mutation>)>> {
    proptest::collection::vec(
        (
            any::<proptest::sample::Index>(),
            proptest::collection::vec(mutation(), 0..4),
        ),
        1..16,
    )
}

/// A log of the picked lines, mutated, one per line. Consecutive picks
/// come from consecutive corpus lines so that events keep several records.
pub fn build_log(
    corpus: &[Vec<u8>],
    picks: &[(proptest::sample::Index, Vec<Mutation>)],
) -> Vec<u8> {
    let start = picks[0].0.index(corpus.len());
    let mut data = Vec::new();
    for (i, (pick, muts)) in picks.iter().enumerate() {
        // Mostly neighbours, sometimes a line from anywhere.
        let idx = if i % 5 == 4 {
            pick.index(corpus.len())
        } else {
            (start + i) % corpus.len()
        };
        let mut line = corpus[idx].clone();
        for m in muts {
            apply(&mut line, m);
        }
        // A mutation may have put a newline in; keep one line per pick.
        line.retain(|&b| b != b'\n');
        data.extend_from_slice(&line);
        data.push(b'\n');
    }
    data
}
