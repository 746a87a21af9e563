//! Sets of distinct values with a memory bound, for the summary's
//! "Number of files: N" lines.
//!
//! The summary needs only how many distinct values there are, but the
//! values come from the whole log: a log of a build farm can name
//! millions of files. A set keeps the values themselves (exact, fast to
//! compare) until they take [`Distinct::BUDGET`] bytes; then it keeps a
//! 64-bit SipHash of each instead (8 bytes a value; two different values
//! share a hash with probability about n²/2⁶⁵, 3 in a million for ten
//! million values). Past [`Distinct::MAX_HASHES`] hashes it keeps a
//! HyperLogLog sketch instead (16 KiB, whatever the number of values),
//! and the count becomes an estimate (standard error 0.8%, said on
//! stderr by the caller: [`Distinct::is_estimate`]). Per-worker sets are
//! merged at the end, in the least exact form any of them reached.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use auditkit_interp::fxhash::FxHasher;

type FxSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// A set of byte strings that bounds its memory (see the module doc).
#[derive(Debug)]
pub struct Distinct {
    exact: FxSet<Box<[u8]>>,
    bytes: usize,
    hashed: Option<FxSet<u64>>,
    sketch: Option<Box<Hll>>,
    /// [`Distinct::BUDGET`] and [`Distinct::MAX_HASHES`] (smaller in tests).
    limits: (usize, usize),
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct::with_limits(Self::BUDGET, Self::MAX_HASHES)
    }
}

/// A HyperLogLog sketch of 2^14 registers over 64-bit hashes.
#[derive(Debug, Clone)]
struct Hll {
    reg: Vec<u8>,
}

const HLL_P: u32 = 14;

impl Hll {
    fn new() -> Hll {
        Hll {
            reg: vec![0; 1 << HLL_P],
        }
    }

    fn add(&mut self, h: u64) {
        let j = (h >> (64 - HLL_P)) as usize;
        let rho = ((h << HLL_P) | (1 << (HLL_P - 1))).leading_zeros() as u8 + 1;
        if let Some(r) = self.reg.get_mut(j) {
            *r = (*r).max(rho);
        }
    }

    fn merge(&mut self, o: &Hll) {
        for (a, b) in self.reg.iter_mut().zip(&o.reg) {
            *a = (*a).max(*b);
        }
    }

    fn estimate(&self) -> usize {
        let m = self.reg.len() as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.reg.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
        let e = alpha * m * m / sum;
        let zeros = self.reg.iter().filter(|&&r| r == 0).count();
        if e <= 2.5 * m && zeros > 0 {
            (m * (m / zeros as f64).ln()).round() as usize
        } else {
            e.round() as usize
        }
    }
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
    /// Hashes a set keeps before it keeps a sketch instead (8 MiB).
    pub const MAX_HASHES: usize = 1 << 20;

    /// A set that keeps values up to `bytes`, then up to `hashes` hashes.
    pub fn with_limits(bytes: usize, hashes: usize) -> Distinct {
        Distinct {
            exact: FxSet::default(),
            bytes: 0,
            hashed: None,
            sketch: None,
            limits: (bytes, hashes),
        }
    }

    /// Add a value.
    pub fn insert(&mut self, v: &[u8]) {
        if let Some(s) = &mut self.sketch {
            s.add(strong(v));
            return;
        }
        if let Some(h) = &mut self.hashed {
            h.insert(strong(v));
            if h.len() > self.limits.1 {
                self.switch_to_sketch();
            }
            return;
        }
        if self.exact.contains(v) {
            return;
        }
        self.bytes += v.len() + 40;
        self.exact.insert(v.into());
        if self.bytes > self.limits.0 {
            self.switch_to_hashes();
        }
    }

    fn switch_to_hashes(&mut self) {
        let h: FxSet<u64> = self.exact.drain().map(|v| strong(&v)).collect();
        self.exact = FxSet::default();
        self.bytes = 0;
        self.hashed = Some(h);
    }

    fn switch_to_sketch(&mut self) {
        if self.hashed.is_none() {
            self.switch_to_hashes();
        }
        let mut s = Hll::new();
        for &h in self.hashed.iter().flatten() {
            s.add(h);
        }
        self.hashed = None;
        self.sketch = Some(Box::new(s));
    }

    /// Whether [`Self::len`] is an estimate (past [`Self::MAX_HASHES`]).
    pub fn is_estimate(&self) -> bool {
        self.sketch.is_some()
    }

    /// How many distinct values.
    pub fn len(&self) -> usize {
        if let Some(s) = &self.sketch {
            return s.estimate();
        }
        self.hashed.as_ref().map_or(self.exact.len(), HashSet::len)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add the values of `other`.
    pub fn merge(&mut self, mut other: Distinct) {
        if self.sketch.is_some() || other.sketch.is_some() {
            if self.sketch.is_none() {
                self.switch_to_sketch();
            }
            if other.sketch.is_none() {
                other.switch_to_sketch();
            }
            if let (Some(a), Some(b)) = (&mut self.sketch, &other.sketch) {
                a.merge(b);
            }
            return;
        }
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
        if self
            .hashed
            .as_ref()
            .is_some_and(|h| h.len() > Self::MAX_HASHES)
        {
            self.switch_to_sketch();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_exactly_then_by_hash_across_merges() {
        let small = || Distinct::with_limits(64 << 10, 1 << 20);
        let mut a = small();
        let mut b = small();
        for i in 0..1000u32 {
            a.insert(format!("/usr/bin/x{i}").as_bytes());
            b.insert(format!("/usr/bin/x{}", i + 500).as_bytes());
        }
        assert_eq!(a.len(), 1000);
        let mut big = small();
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

    #[test]
    fn a_sketch_past_the_hashes_estimates_within_two_percent() {
        let small = || Distinct::with_limits(64 << 10, 20_000);
        let mut a = small();
        let mut b = small();
        let n = 120_000;
        for i in 0..n {
            let v = format!("/f/{i}");
            if i % 2 == 0 {
                a.insert(v.as_bytes());
            } else {
                b.insert(v.as_bytes());
            }
            // Values seen by both workers count once.
            if i % 7 == 0 {
                b.insert(v.as_bytes());
            }
        }
        let mut big = small();
        for i in 0..n {
            big.insert(format!("/f/{i}").as_bytes());
        }
        assert!(big.is_estimate());
        a.merge(b);
        for s in [&a, &big] {
            let e = s.len() as f64;
            assert!((e - n as f64).abs() / (n as f64) < 0.02, "{e} for {n}");
        }
    }
}
