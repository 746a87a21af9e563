//! Tables whose size does not depend on the size of the log.
//!
//! The HTML report must stay small (at most 2 MB for a 1 GB log) and the
//! tally must stay in bounded memory while it streams, whatever the input:
//! every table here has a fixed capacity, and what does not fit is
//! summed, never kept:
//!
//! * [`Buckets`]: counts over time in at most [`MAX_BUCKETS`] buckets. The
//!   width is not known before the log is read, so it grows: each width
//!   of [`width`]'s ladder is a multiple of the one before and buckets are
//!   aligned on multiples of their width from the epoch, so coarsening (on
//!   a wider span, or to merge two workers' parts) only adds neighbouring
//!   buckets together and is exact.
//! * [`Keyed`]: one [`Buckets`] per key for at most a fixed number of
//!   distinct keys; later keys go to an "other" series.
//! * [`TopN`]: the frequent values of a field with a bounded counter
//!   (Misra-Gries, in its mergeable form: Agarwal et al., "Mergeable
//!   summaries", 2012). Counts are exact until more distinct values come
//!   than it holds; then each count may be low by at most
//!   [`TopN::error`], which the report prints.
//! * [`Recent`]: the latest few rows of a kind (configuration changes,
//!   anomalies), by event time.
//!
//! Every key is cut to [`MAX_KEY`] bytes ([`clip`]), so the bytes held are
//! bounded too.

use auditkit_interp::fxhash::FxMap;

/// Buckets of a time series: enough for a chart a page wide.
pub const MAX_BUCKETS: usize = 120;

/// Longest key kept, in bytes (the kernel's own limit on a rule key is
/// 256; paths are cut, and the report says so).
pub const MAX_KEY: usize = 256;

/// The widths of the ladder, in seconds: each divides the next, and they
/// land on times people read (minutes, hours, days, weeks).
const LADDER: [u64; 13] = [
    1, 5, 15, 60, 300, 900, 3600, 10_800, 21_600, 86_400, 604_800, 2_419_200, 9_676_800,
];

/// Width of the buckets of `level`: the ladder, then four times the one
/// before (saturating), so any span of `u64` seconds fits.
pub fn width(level: u8) -> u64 {
    let l = level as usize;
    if l < LADDER.len() {
        return LADDER[l];
    }
    let mut w = LADDER[LADDER.len() - 1];
    for _ in LADDER.len()..=l {
        w = w.saturating_mul(4);
    }
    w
}

/// The lowest level whose buckets cover `lo..=hi` in [`MAX_BUCKETS`].
pub fn level_for(lo: u64, hi: u64) -> u8 {
    let mut level = 0u8;
    loop {
        let w = width(level);
        if hi / w - lo / w < MAX_BUCKETS as u64 || w == u64::MAX {
            return level;
        }
        level += 1;
    }
}

/// Cut a value to [`MAX_KEY`] bytes; says whether it was cut.
pub fn clip(v: &[u8]) -> (&[u8], bool) {
    if v.len() > MAX_KEY {
        (&v[..MAX_KEY], true)
    } else {
        (v, false)
    }
}

/// Counts over time in at most [`MAX_BUCKETS`] aligned buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buckets {
    level: u8,
    /// Index (time / width) of `counts[0]`.
    start: u64,
    counts: Vec<u64>,
}

impl Buckets {
    /// No counts.
    pub fn new() -> Buckets {
        Buckets::default()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The level of the buckets (see [`width`]).
    pub fn level(&self) -> u8 {
        self.level
    }

    /// Count `n` at time `sec`.
    pub fn add(&mut self, sec: u64, n: u64) {
        if self.counts.is_empty() {
            self.start = sec / width(self.level);
            self.counts.push(n);
            return;
        }
        let w = width(self.level);
        let i = sec / w;
        if i >= self.start && i - self.start < self.counts.len() as u64 {
            self.counts[(i - self.start) as usize] += n;
            return;
        }
        let (lo, hi) = self.span().unwrap_or((sec, sec));
        self.refit(lo.min(sec), hi.max(sec), self.level);
        let w = width(self.level);
        let i = (sec / w - self.start) as usize;
        self.counts[i] += n;
    }

    /// The first and last second the buckets cover.
    pub fn span(&self) -> Option<(u64, u64)> {
        if self.counts.is_empty() {
            return None;
        }
        let w = width(self.level);
        let lo = self.start.saturating_mul(w);
        let hi = (self.start + self.counts.len() as u64)
            .saturating_mul(w)
            .saturating_sub(1);
        Some((lo, hi))
    }

    /// Re-bucket to cover `lo..=hi` at `min_level` or coarser (the lowest
    /// level that fits). The buckets' own span must lie within `lo..=hi`
    /// once aligned, which holds when `lo..=hi` covers it.
    pub fn refit(&mut self, lo: u64, hi: u64, min_level: u8) {
        let (lo, hi) = match self.span() {
            Some((a, b)) => (lo.min(a), hi.max(b)),
            None => (lo, hi),
        };
        let level = level_for(lo, hi).max(min_level).max(self.level);
        let w = width(level);
        let start = lo / w;
        let len = (hi / w - start + 1) as usize;
        let mut counts = vec![0u64; len];
        let ow = width(self.level);
        for (k, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let t = (self.start + k as u64).saturating_mul(ow);
            counts[(t / w - start) as usize] += c;
        }
        self.level = level;
        self.start = start;
        self.counts = counts;
    }

    /// Add another series into this one.
    pub fn merge(&mut self, other: &Buckets) {
        let Some((lo, hi)) = other.span() else {
            return;
        };
        self.refit(lo, hi, other.level);
        let w = width(self.level);
        let ow = width(other.level);
        for (k, &c) in other.counts.iter().enumerate() {
            let t = (other.start + k as u64).saturating_mul(ow);
            self.counts[(t / w - self.start) as usize] += c;
        }
    }

    /// The count of each bucket of a grid (`level`, first index `start`,
    /// `len` buckets) that covers these buckets; the grid's level must be
    /// this one's or coarser.
    pub fn on_grid(&self, grid: &Grid) -> Vec<u64> {
        let mut out = vec![0u64; grid.len];
        let gw = width(grid.level);
        let w = width(self.level);
        for (k, &c) in self.counts.iter().enumerate() {
            let t = (self.start + k as u64).saturating_mul(w);
            let i = (t / gw).saturating_sub(grid.start) as usize;
            if let Some(o) = out.get_mut(i) {
                *o += c;
            }
        }
        out
    }

    /// The sum of all buckets.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// The common time axis of the charts: buckets of one width from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// See [`width`].
    pub level: u8,
    /// Index of the first bucket (its time / width).
    pub start: u64,
    /// Number of buckets.
    pub len: usize,
}

impl Grid {
    /// The grid for events from `lo` to `hi` (seconds), no finer than
    /// `min_level` (the coarsest level any series was kept at).
    pub fn new(lo: u64, hi: u64, min_level: u8) -> Grid {
        let level = level_for(lo, hi).max(min_level);
        let w = width(level);
        Grid {
            level,
            start: lo / w,
            len: (hi / w - lo / w + 1) as usize,
        }
    }

    /// Seconds of one bucket.
    pub fn width(&self) -> u64 {
        width(self.level)
    }

    /// First second of bucket `i`.
    pub fn time(&self, i: usize) -> u64 {
        (self.start + i as u64).saturating_mul(self.width())
    }
}

/// One [`Buckets`] per key for at most `cap` keys, and "other".
#[derive(Clone, Debug)]
pub struct Keyed {
    cap: usize,
    series: FxMap<Box<[u8]>, Buckets>,
    other: Buckets,
    /// Keys that went to `other` (counted once per add, so an upper
    /// bound of distinct keys lost; shown as "other").
    other_adds: u64,
}

impl Keyed {
    /// A table for at most `cap` keys.
    pub fn new(cap: usize) -> Keyed {
        Keyed {
            cap,
            series: FxMap::default(),
            other: Buckets::new(),
            other_adds: 0,
        }
    }

    /// Count `n` for `key` at `sec` (the key is cut with [`clip`]).
    pub fn add(&mut self, key: &[u8], sec: u64, n: u64) {
        let (key, _) = clip(key);
        if let Some(b) = self.series.get_mut(key) {
            b.add(sec, n);
        } else if self.series.len() < self.cap {
            let mut b = Buckets::new();
            b.add(sec, n);
            self.series.insert(key.into(), b);
        } else {
            self.other.add(sec, n);
            self.other_adds += n;
        }
    }

    /// Add another table into this one. Keys beyond the cap keep the
    /// largest series; the rest are added to "other", so no count is lost.
    pub fn merge(&mut self, other: Keyed) {
        for (k, b) in other.series {
            match self.series.get_mut(&k) {
                Some(mine) => mine.merge(&b),
                None => {
                    self.series.insert(k, b);
                }
            }
        }
        self.other.merge(&other.other);
        self.other_adds += other.other_adds;
        if self.series.len() > self.cap {
            let mut all: Vec<(Box<[u8]>, Buckets)> = self.series.drain().collect();
            all.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then(a.0.cmp(&b.0)));
            for (i, (key, buckets)) in all.into_iter().enumerate() {
                if i < self.cap {
                    self.series.insert(key, buckets);
                } else {
                    self.other_adds += buckets.total();
                    self.other.merge(&buckets);
                }
            }
        }
    }

    /// The series, largest total first (ties by key), and "other".
    pub fn sorted(&self) -> (Vec<(&[u8], &Buckets)>, &Buckets) {
        let mut v: Vec<(&[u8], &Buckets)> = self.series.iter().map(|(k, b)| (&k[..], b)).collect();
        v.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then(a.0.cmp(b.0)));
        (v, &self.other)
    }

    /// The coarsest level of any series (the chart's grid is no finer).
    pub fn max_level(&self) -> u8 {
        self.series
            .values()
            .map(Buckets::level)
            .chain(std::iter::once(self.other.level()))
            .max()
            .unwrap_or(0)
    }

    /// Number of keys kept.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Everything counted, in the series and in "other".
    pub fn total_all(&self) -> u64 {
        self.series.values().map(Buckets::total).sum::<u64>() + self.other.total()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty() && self.other.is_empty()
    }
}

/// The frequent values of a field, in bounded memory (Misra-Gries).
///
/// Holds at most `2 * cap` values. When full, the (cap+1)-th largest
/// count is subtracted from every count and the values left at zero are
/// dropped: a value's count is then low by at most [`TopN::error`] (the
/// sum of what was subtracted), and any value more frequent than
/// `total / (cap + 1)` is still held. Merging adds the counts and the
/// errors, then shrinks the same way, which keeps the same guarantee.
#[derive(Clone, Debug)]
pub struct TopN {
    cap: usize,
    counts: FxMap<Box<[u8]>, u64>,
    error: u64,
    total: u64,
    clipped: bool,
}

impl TopN {
    /// A counter that keeps at least the `cap` most frequent values.
    pub fn new(cap: usize) -> TopN {
        TopN {
            cap: cap.max(1),
            counts: FxMap::default(),
            error: 0,
            total: 0,
            clipped: false,
        }
    }

    /// Count `n` occurrences of `key` (cut with [`clip`]).
    pub fn add(&mut self, key: &[u8], n: u64) {
        let (key, cut) = clip(key);
        self.clipped |= cut;
        self.total += n;
        if let Some(c) = self.counts.get_mut(key) {
            *c += n;
            return;
        }
        self.counts.insert(key.into(), n);
        if self.counts.len() > 2 * self.cap {
            self.shrink();
        }
    }

    fn shrink(&mut self) {
        if self.counts.len() <= self.cap {
            return;
        }
        let mut v: Vec<u64> = self.counts.values().copied().collect();
        let (_, nth, _) = v.select_nth_unstable_by(self.cap, |a, b| b.cmp(a));
        let t = *nth;
        self.counts.retain(|_, c| {
            *c -= t.min(*c);
            *c > 0
        });
        self.error += t;
    }

    /// Add another counter into this one.
    pub fn merge(&mut self, other: TopN) {
        self.total += other.total;
        self.error += other.error;
        self.clipped |= other.clipped;
        for (k, n) in other.counts {
            *self.counts.entry(k).or_default() += n;
        }
        self.shrink();
    }

    /// The `n` largest counts, largest first (ties by value).
    pub fn top(&self, n: usize) -> Vec<(&[u8], u64)> {
        let mut v: Vec<(&[u8], u64)> = self.counts.iter().map(|(k, &c)| (&k[..], c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }

    /// How low any count may be (0: every count is exact).
    pub fn error(&self) -> u64 {
        self.error
    }

    /// Sum of everything counted (exact).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Values held now (at most `2 * cap`).
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Whether some value was cut to [`MAX_KEY`] bytes.
    pub fn clipped(&self) -> bool {
        self.clipped
    }
}

/// The latest `cap` rows by an order key (event time and serial).
#[derive(Clone, Debug)]
pub struct Recent<K: Ord, R> {
    cap: usize,
    rows: Vec<(K, R)>,
    /// Rows seen in all (kept or not).
    pub seen: u64,
}

impl<K: Ord + Copy, R> Recent<K, R> {
    /// Keep the latest `cap` rows.
    pub fn new(cap: usize) -> Self {
        Recent {
            cap,
            rows: Vec::new(),
            seen: 0,
        }
    }

    /// Offer a row; `make` builds it only when it is kept.
    pub fn offer(&mut self, key: K, make: impl FnOnce() -> R) {
        self.seen += 1;
        if self.rows.len() >= self.cap {
            // rows is sorted oldest first once full.
            if self.cap == 0 || self.rows[0].0 >= key {
                return;
            }
            self.rows.remove(0);
        }
        let at = self.rows.partition_point(|(k, _)| *k <= key);
        self.rows.insert(at, (key, make()));
    }

    /// Add another list into this one.
    pub fn merge(&mut self, other: Recent<K, R>) {
        let seen = self.seen + other.seen;
        for (k, r) in other.rows {
            self.offer(k, || r);
        }
        self.seen = seen;
    }

    /// The rows, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &(K, R)> {
        self.rows.iter().rev()
    }

    /// Number of rows kept.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row is kept.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_divides() {
        for l in 0..40u8 {
            let (a, b) = (width(l), width(l + 1));
            assert!(b >= a);
            if b != u64::MAX {
                assert_eq!(b % a, 0, "level {l}");
            }
        }
    }

    #[test]
    fn buckets_stay_bounded_and_exact() {
        let mut b = Buckets::new();
        let mut sum = 0;
        // A day of events every 7 s, then one a year later.
        for i in 0..12_345u64 {
            b.add(1_700_000_000 + i * 7, 1);
            sum += 1;
        }
        assert!(b.counts.len() <= MAX_BUCKETS);
        b.add(1_700_000_000 + 365 * 86_400, 2);
        sum += 2;
        assert!(b.counts.len() <= MAX_BUCKETS, "{}", b.counts.len());
        assert_eq!(b.total(), sum);
        // Extreme times do not overflow.
        b.add(0, 1);
        b.add(u64::MAX, 1);
        assert!(b.counts.len() <= MAX_BUCKETS);
        assert_eq!(b.total(), sum + 2);
    }

    #[test]
    fn buckets_merge_like_one_stream() {
        let times: Vec<u64> = (0..5000u64)
            .map(|i| 1_000_000 + (i * 7919) % 200_000)
            .collect();
        let mut one = Buckets::new();
        let (mut a, mut b) = (Buckets::new(), Buckets::new());
        for (i, &t) in times.iter().enumerate() {
            one.add(t, 1);
            if i % 3 == 0 {
                a.add(t, 1);
            } else {
                b.add(t, 1);
            }
        }
        a.merge(&b);
        let g = Grid::new(1_000_000, 1_199_999, a.level().max(one.level()));
        assert_eq!(a.on_grid(&g), one.on_grid(&g));
        assert_eq!(a.total(), 5000);
        // Each bucket on the grid counts the times inside it.
        let counts = a.on_grid(&g);
        for (i, &c) in counts.iter().enumerate() {
            let (lo, hi) = (g.time(i), g.time(i) + g.width());
            let n = times.iter().filter(|&&t| t >= lo && t < hi).count() as u64;
            assert_eq!(c, n, "bucket {i}");
        }
    }

    #[test]
    fn keyed_caps_keys_and_keeps_counts() {
        let mut k = Keyed::new(4);
        for i in 0..100u64 {
            k.add(format!("key{}", i % 10).as_bytes(), 1000 + i, 1);
        }
        assert_eq!(k.len(), 4);
        let (series, other) = k.sorted();
        let total: u64 = series.iter().map(|s| s.1.total()).sum::<u64>() + other.total();
        assert_eq!(total, 100);
        let mut m = Keyed::new(4);
        for i in 0..50u64 {
            m.add(format!("zz{}", i % 5).as_bytes(), 2000 + i, 3);
        }
        k.merge(m);
        assert_eq!(k.len(), 4);
        let (series, other) = k.sorted();
        let total: u64 = series.iter().map(|s| s.1.total()).sum::<u64>() + other.total();
        assert_eq!(total, 250);
        // The largest series are the ones kept: zz0..zz3 have 30 each.
        assert!(series.iter().all(|s| s.1.total() == 30), "{series:?}");
    }

    #[test]
    fn topn_exact_when_small_bounded_when_not() {
        let mut t = TopN::new(8);
        for i in 0..8u64 {
            for _ in 0..=i {
                t.add(format!("v{i}").as_bytes(), 1);
            }
        }
        assert_eq!(t.error(), 0);
        assert_eq!(t.top(2), vec![(&b"v7"[..], 8), (&b"v6"[..], 7)]);
        // A flood of distinct values: memory stays bounded, heavy hitters stay.
        for i in 0..100_000u64 {
            t.add(format!("noise{i}").as_bytes(), 1);
            if i % 10 == 0 {
                t.add(b"heavy", 1);
            }
        }
        assert!(t.len() <= 16);
        assert_eq!(t.top(1)[0].0, b"heavy");
        let (heavy, err) = (t.top(1)[0].1, t.error());
        assert!(heavy <= 10_000 && heavy + err >= 10_000, "{heavy} {err}");
        assert_eq!(t.total(), 100_000 + 10_000 + 36);
    }

    #[test]
    fn topn_merge() {
        let (mut a, mut b) = (TopN::new(3), TopN::new(3));
        for (v, n) in [("x", 5), ("y", 3)] {
            a.add(v.as_bytes(), n);
        }
        for (v, n) in [("x", 1), ("z", 9)] {
            b.add(v.as_bytes(), n);
        }
        a.merge(b);
        assert_eq!(
            a.top(3),
            vec![(&b"z"[..], 9), (&b"x"[..], 6), (&b"y"[..], 3)]
        );
        assert_eq!(a.error(), 0);
    }

    #[test]
    fn topn_clips_long_values() {
        let mut t = TopN::new(2);
        let long = vec![b'a'; 10_000];
        t.add(&long, 1);
        assert!(t.clipped());
        assert_eq!(t.top(1)[0].0.len(), MAX_KEY);
    }

    #[test]
    fn recent_keeps_latest() {
        let mut r: Recent<u64, u64> = Recent::new(3);
        for t in [5, 1, 9, 3, 7, 2] {
            r.offer(t, || t * 10);
        }
        let got: Vec<u64> = r.newest_first().map(|(k, _)| *k).collect();
        assert_eq!(got, vec![9, 7, 5]);
        let mut o: Recent<u64, u64> = Recent::new(3);
        o.offer(8, || 80);
        r.merge(o);
        let got: Vec<u64> = r.newest_first().map(|(k, _)| *k).collect();
        assert_eq!(got, vec![9, 8, 7]);
        assert_eq!(r.seen, 7);
    }
}
