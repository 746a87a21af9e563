//! Sets of distinct values with a memory bound, for the summary's
//! "Number of files: N" lines.
//!
//! The summary needs only how many distinct values there are, but the
//! values come from the whole log: a log of a build farm can name
//! millions of files. A set keeps the values themselves (exact, fast to
//! compare) until they take [`Distinct::BUDGET`] bytes; then it keeps a
//! 64-bit SipHash of each instead (8 bytes a value; two different values
//! share a hash with probability about n²/2⁶⁵, 3 in a million for ten
//! million values). Per-worker sets are merged at the end; a set that
//! went to hashes turns the merged set into hashes.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use auditkit_interp::fxhash::FxHasher;

type FxSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// A set of byte strings that bounds its memory (see the module doc).
#[derive(Debug, Default)]
pub struct Distinct {
    exact: FxSet<Box<[u8]>>,
    bytes: usize,
    hashed: Option<FxSet<u64>>,
}

/// The hash kept when the values no longer fit: SipHash-1-3 with fixed
/// keys (std's `DefaultHasher::new()`), so every worker agrees.
fn strong(v: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(v);
    h.finish()
}

impl Distinct {
    /// Bytes of values (plus a per-value overhead) a set keeps before it
    /// keeps hashes instead.
    pub const BUDGET: usize = 4 << 20;

    /// Add a value.
    pub fn insert(&mut self, v: &[u8]) {
        if let Some(h) = &mut self.hashed {
            h.insert(strong(v));
            return;
        }
        if self.exact.contains(v) {
            return;
        }
        self.bytes += v.len() + 40;
        self.exact.insert(v.into());
        if self.bytes > Self::BUDGET {
            self.switch_to_hashes();
        }
    }

    fn switch_to_hashes(&mut self) {
        let h: FxSet<u64> = self.exact.drain().map(|v| strong(&v)).collect();
        self.exact = FxSet::default();
        self.bytes = 0;
        self.hashed = Some(h);
    }

    /// How many distinct values.
    pub fn len(&self) -> usize {
        self.hashed.as_ref().map_or(self.exact.len(), HashSet::len)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add the values of `other`.
    pub fn merge(&mut self, mut other: Distinct) {
        if self.hashed.is_none() && other.hashed.is_none() {
            if other.exact.len() > self.exact.len() {
                std::mem::swap(self, &mut other);
            }
            for v in other.exact {
                self.insert(&v);
            }
            return;
        }
        if self.hashed.is_none() {
            self.switch_to_hashes();
        }
        if other.hashed.is_none() {
            other.switch_to_hashes();
        }
        if let (Some(a), Some(b)) = (&mut self.hashed, other.hashed) {
            a.extend(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_exactly_then_by_hash_across_merges() {
        let mut a = Distinct::default();
        let mut b = Distinct::default();
        for i in 0..1000u32 {
            a.insert(format!("/usr/bin/x{i}").as_bytes());
            b.insert(format!("/usr/bin/x{}", i + 500).as_bytes());
        }
        assert_eq!(a.len(), 1000);
        let mut big = Distinct::default();
        let mut n = 0;
        while big.hashed.is_none() {
            big.insert(format!("/usr/bin/x{n}").as_bytes());
            n += 1;
        }
        assert_eq!(big.len(), n);
        a.merge(b);
        assert_eq!(a.len(), 1500);
        a.merge(big);
        assert_eq!(a.len(), n.max(1500));
        assert!(a.hashed.is_some());
    }
}
