//! Real log lines damaged near their headers, deterministically: the
//! inputs on which the header parser once panicked, and on which every
//! output format must still read as ausearch reads them. One generator,
//! so that the tests of each format see the same damaged files.
//!
//! Each file holds 1 to 20 consecutive record lines of the given lines
//! (every other file with `node=h ` put before lines that have no node),
//! and each line gets up to three of these, at a place before the end of
//! its `msg=audit(...):` (or in its first 60 bytes): a byte removed, a
//! byte from ` =:().0123456789nt` inserted or written over one, one of
//! the first three tokens cut short, the space before ` msg=` removed,
//! the first token doubled. The randomness is a fixed-seed xorshift.

use std::path::PathBuf;

/// The record lines of `logs` (lines with `msg=audit(` that are not `#`
/// comments), in order.
pub fn record_lines(logs: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for p in logs {
        let data = std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
        lines.extend(
            data.split(|&b| b == b'\n')
                .filter(|l| !l.starts_with(b"#") && l.windows(10).any(|w| w == b"msg=audit("))
                .map(<[u8]>::to_vec),
        );
    }
    lines
}

/// `files` logs made of `lines` damaged near their headers (see the
/// module comment); the same lines give the same logs.
pub fn header_damaged_logs(lines: &[Vec<u8>], files: usize) -> Vec<Vec<u8>> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    const BYTES: &[u8] = b" =:().0123456789nt";
    let mut out = Vec::new();
    if lines.is_empty() {
        return out;
    }
    for f in 0..files {
        let start = rnd(lines.len());
        let mut log = Vec::new();
        for i in 0..1 + rnd(20) {
            let mut l = lines[(start + i) % lines.len()].clone();
            if f % 2 == 0 && !l.starts_with(b"node=") {
                l.splice(0..0, b"node=h ".iter().copied());
            }
            for _ in 0..rnd(4) {
                let head = l.windows(2).position(|w| w == b"):").map_or(60, |p| p + 2);
                let at = rnd(head.min(l.len()));
                match rnd(6) {
                    0 => {
                        l.remove(at);
                    }
                    1 => l.insert(at, BYTES[rnd(BYTES.len())]),
                    2 => l[at] = BYTES[rnd(BYTES.len())],
                    3 => {
                        // Cut one of the first three tokens short.
                        let toks: Vec<&[u8]> = l.split(|&b| b == b' ').collect();
                        let t = rnd(3);
                        if t < toks.len() {
                            let mut v = toks.iter().map(|t| t.to_vec()).collect::<Vec<_>>();
                            v[t].truncate(rnd(6));
                            l = v.join(&b' ');
                        }
                    }
                    4 => {
                        if let Some(p) = l.windows(5).position(|w| w == b" msg=") {
                            l.remove(p);
                        }
                    }
                    _ => {
                        let end = l.iter().position(|&b| b == b' ').map_or(l.len(), |p| p + 1);
                        let tok = l[..end].to_vec();
                        l.splice(0..0, tok);
                    }
                }
                if l.is_empty() {
                    break;
                }
            }
            l.retain(|&b| b != b'\n' && b != 0);
            log.extend_from_slice(&l);
            log.push(b'\n');
        }
        out.push(log);
    }
    out
}
