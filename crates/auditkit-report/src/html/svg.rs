//! The charts, drawn as inline SVG by hand: stacked bars over time and
//! horizontal bars for the top values. No script and no external file:
//! tooltips are SVG `<title>` elements, hover highlights are CSS.
//!
//! Every string that reaches a chart is escaped by the caller's helpers
//! ([`super::text::esc`]); the charts add only numbers and the palette.
//! The output is well-formed XML (the page test parses it as such).

use std::fmt::Write;

use super::bounded::Grid;
use super::text::{esc, short, thousands, Utc};

/// Series colours (Tableau 10), then grey for "other".
pub const PALETTE: [&str; 9] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f",
];
/// The colour of "other" and of series without a name.
pub const OTHER: &str = "#bab0ac";
/// Successes.
pub const GOOD: &str = "#59a14f";
/// Failures.
pub const BAD: &str = "#e15759";

/// One stacked series of a time chart.
pub struct Series {
    /// Its name (already escaped).
    pub label: String,
    /// Its name for tooltips, shorter (already escaped).
    pub tip: String,
    /// Fill colour.
    pub color: &'static str,
    /// Counts on the chart's grid.
    pub counts: Vec<u64>,
}

/// Series named in a bucket's tooltip.
const TIP_SERIES: usize = 4;

/// A stacked bar chart over time.
pub struct TimeChart<'a> {
    /// The time axis.
    pub grid: Grid,
    /// Series, bottom first.
    pub series: &'a [Series],
    /// The total per bucket (events are counted once even when they are
    /// in several series).
    pub total: &'a [u64],
    /// "events" or "records".
    pub unit: &'a str,
    /// The command of one bucket (`lo..=hi` seconds), already escaped.
    pub bucket_cmd: &'a dyn Fn(u64, u64) -> String,
}

const W: f64 = 960.0;
const H: f64 = 230.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 40.0;

/// A step of 1, 2 or 5 times a power of ten giving about `n` ticks to `max`.
fn nice_step(max: u64, n: u64) -> u64 {
    let raw = (max / n.max(1)).max(1);
    let mut p = 1u64;
    while p.saturating_mul(10) <= raw {
        p *= 10;
    }
    for m in [1, 2, 5, 10] {
        if p.saturating_mul(m) >= raw {
            return p.saturating_mul(m);
        }
    }
    p.saturating_mul(10)
}

/// Tick intervals of the time axis, seconds.
const TICKS: [u64; 19] = [
    1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 172_800,
    604_800, 2_419_200, 31_536_000,
];

/// Bucket text for tooltips: `2026-12-01 10:00–10:15 UTC`.
pub fn bucket_label(lo: u64, width: u64) -> String {
    let a = Utc::of(lo);
    let b = Utc::of(lo.saturating_add(width));
    if width >= 86_400 {
        if width == 86_400 {
            format!("{} (UTC)", a.date())
        } else {
            format!("{} – {} (UTC)", a.date(), b.date())
        }
    } else if a.date() == b.date() || (b.h == 0 && b.mi == 0 && b.s == 0) {
        format!("{} {}–{} UTC", a.date(), a.hm(), b.hm())
    } else {
        format!("{} {} – {} {} UTC", a.date(), a.hm(), b.date(), b.hm())
    }
}

impl TimeChart<'_> {
    /// The SVG element.
    pub fn render(&self) -> String {
        let g = self.grid;
        let n = g.len.max(1);
        let mut stack = vec![0u64; n];
        for s in self.series {
            for (i, c) in s.counts.iter().enumerate().take(n) {
                stack[i] += c;
            }
        }
        let ymax = stack.iter().copied().max().unwrap_or(0).max(1);
        let step = nice_step(ymax, 4);
        let top = ymax.div_ceil(step).saturating_mul(step);
        let ph = H - TOP - BOTTOM;
        let pw = W - LEFT - RIGHT;
        let y = |v: u64| TOP + ph - (v as f64 / top as f64) * ph;
        let bw = pw / n as f64;
        let mut o = String::with_capacity(16 * 1024);
        let _ = write!(
            o,
            "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
        );
        // Horizontal grid lines and the count axis.
        let mut v = 0;
        while v <= top {
            let yy = y(v);
            let _ = write!(
                o,
                "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>\
                 <text class=\"ylab\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                W - RIGHT,
                LEFT - 6.0,
                yy + 4.0,
                short(v)
            );
            v += step;
        }
        // The time axis: ticks at round times.
        let (t0, t1) = (g.time(0), g.time(n).saturating_sub(1));
        let span = t1.saturating_sub(t0).max(1);
        let tick = TICKS
            .iter()
            .copied()
            .find(|&t| span / t <= 7 && t >= g.width())
            .unwrap_or_else(|| (span / 6).max(g.width()));
        let mut t = t0.div_ceil(tick).saturating_mul(tick);
        let x_of = |t: u64| LEFT + (t.saturating_sub(t0)) as f64 / (span + 1) as f64 * pw;
        let mut last_date = String::new();
        let mut count = 0;
        while t <= t1 && count < 12 {
            let xx = x_of(t);
            let u = Utc::of(t);
            let (l1, l2) = if tick >= 86_400 {
                if span > 366 * 86_400 {
                    (u.date(), String::new())
                } else {
                    (format!("{:02}-{:02}", u.mo, u.d), String::new())
                }
            } else {
                let d = u.date();
                let l2 = if d != last_date {
                    d.clone()
                } else {
                    String::new()
                };
                last_date = d;
                (u.hm(), l2)
            };
            let _ = write!(
                o,
                "<line class=\"tick\" x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
                 <text class=\"xlab\" x=\"{xx:.1}\" y=\"{:.1}\">{}</text>",
                TOP + ph,
                TOP + ph + 4.0,
                TOP + ph + 16.0,
                esc(&l1)
            );
            if !l2.is_empty() {
                let _ = write!(
                    o,
                    "<text class=\"xlab date\" x=\"{xx:.1}\" y=\"{:.1}\">{}</text>",
                    TOP + ph + 30.0,
                    esc(&l2)
                );
            }
            t = t.saturating_add(tick);
            count += 1;
            if t == u64::MAX {
                break;
            }
        }
        let _ = write!(
            o,
            "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
            W - RIGHT,
            TOP + ph,
            TOP + ph
        );
        // Bars, stacked bottom up.
        let gap = if bw > 4.0 { 1.0 } else { 0.0 };
        for i in 0..n {
            let x = LEFT + i as f64 * bw;
            let mut base = 0u64;
            for s in self.series {
                let c = s.counts.get(i).copied().unwrap_or(0);
                if c == 0 {
                    continue;
                }
                let (ya, yb) = (y(base + c), y(base));
                let _ = write!(
                    o,
                    "<rect x=\"{:.1}\" y=\"{ya:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
                    x + gap / 2.0,
                    (bw - gap).max(0.5),
                    (yb - ya).max(1.5),
                    s.color
                );
                base += c;
            }
        }
        // One hover target per bucket with something in it: the tooltip
        // gives the counts and the command that lists those events.
        for i in 0..n {
            let total = self.total.get(i).copied().unwrap_or(0);
            if total == 0 {
                continue;
            }
            let lo = g.time(i);
            let hi = lo.saturating_add(g.width()).saturating_sub(1);
            let x = LEFT + i as f64 * bw;
            let _ = write!(
                o,
                "<rect class=\"hover\" x=\"{x:.1}\" y=\"{TOP}\" width=\"{bw:.1}\" height=\"{ph:.1}\"><title>{}",
                esc(&bucket_label(lo, g.width()))
            );
            // The largest few series of the bucket (the legend has them
            // all), so a tooltip stays short.
            let mut here: Vec<(u64, &str)> = self
                .series
                .iter()
                .map(|s| (s.counts.get(i).copied().unwrap_or(0), s.tip.as_str()))
                .filter(|(c, _)| *c > 0)
                .collect();
            here.sort_by_key(|h| std::cmp::Reverse(h.0));
            for (c, l) in here.iter().take(TIP_SERIES) {
                let _ = write!(o, "\n{l}: {}", thousands(*c));
            }
            if here.len() > TIP_SERIES {
                let _ = write!(o, "\n({} more)", here.len() - TIP_SERIES);
            }
            let _ = write!(
                o,
                "\ntotal: {} {}\n$ {}</title></rect>",
                thousands(total),
                self.unit,
                (self.bucket_cmd)(lo, hi)
            );
        }
        o.push_str("</svg>");
        o
    }
}

/// One bar of a top chart.
pub struct Bar {
    /// The label (already escaped), short enough to read.
    pub label: String,
    /// The count.
    pub n: u64,
    /// The tooltip (already escaped).
    pub title: String,
}

/// Horizontal bars, the label over each bar, the count at its end.
pub fn bars(rows: &[Bar], color: &str) -> String {
    const BW: f64 = 460.0;
    const ROW: f64 = 24.0;
    let h = (rows.len().max(1) as f64) * ROW + 4.0;
    let max = rows.iter().map(|r| r.n).max().unwrap_or(1).max(1);
    let mut o = String::with_capacity(4096);
    let _ = write!(
        o,
        "<svg class=\"bars\" viewBox=\"0 0 {BW} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let track = BW - 70.0;
    for (i, r) in rows.iter().enumerate() {
        let y = 2.0 + i as f64 * ROW;
        let w = (r.n as f64 / max as f64 * track).max(2.0);
        let _ = write!(
            o,
            "<g class=\"bar\"><title>{}</title>\
             <rect class=\"track\" x=\"0\" y=\"{y:.1}\" width=\"{track:.1}\" height=\"{:.1}\" rx=\"3\"/>\
             <rect x=\"0\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{color}\" fill-opacity=\"0.35\"/>\
             <text class=\"blab\" x=\"6\" y=\"{:.1}\">{}</text>\
             <text class=\"bnum\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            r.title,
            ROW - 4.0,
            ROW - 4.0,
            y + 14.5,
            r.label,
            BW - 4.0,
            y + 14.5,
            thousands(r.n)
        );
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(nice_step(1, 4), 1);
        assert_eq!(nice_step(9, 4), 2);
        assert_eq!(nice_step(100, 4), 50);
        assert_eq!(nice_step(1234, 4), 500);
        assert_eq!(nice_step(u64::MAX, 4), 5_000_000_000_000_000_000);
    }

    #[test]
    fn labels() {
        assert_eq!(
            bucket_label(1_700_000_100, 300),
            "2023-11-14 22:15–22:20 UTC"
        );
        assert_eq!(bucket_label(1_699_920_000, 86_400), "2023-11-14 (UTC)");
    }
}
