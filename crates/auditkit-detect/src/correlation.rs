//! Sigma correlation rules (`correlation:` documents), type
//! `event_count`: "at least N matches of these rules within T, per value
//! of these fields". SSH brute force is the case that needs it: many
//! failed logins from one `addr` within five minutes.
//!
//! ```yaml
//! title: SSH brute force
//! correlation:
//!   type: event_count
//!   rules: [failed_login]      # ids or names of detection rules
//!   group-by: [addr]
//!   timespan: 5m
//!   condition: {gte: 10}
//! ```
//!
//! The window slides with the events' own timestamps (not the wall clock,
//! and not fixed buckets): when a match of a referenced rule arrives, the
//! group's matches older than `timespan` are dropped, and the correlation
//! fires when the count reaches the threshold; the group then starts over,
//! so a long attack alerts once per threshold of matches, not once per
//! match. State is bounded: a group keeps at most `threshold` times, and
//! at most [`MAX_GROUPS`] groups are kept per correlation (when full, the
//! groups whose window has passed go, then the one used least recently).
//!
//! Only `gt`/`gte` conditions are run: `lt`, `lte`, `eq` and `neq` can
//! only be decided when a window closes with few matches, which a stream
//! of events that may stop at any time cannot tell; such rules, and the
//! other correlation types, are reported as unsupported.

use std::collections::{HashMap, VecDeque};

use crate::rule::{Meta, Unsupported};
use crate::yaml::Node;

/// Groups kept per correlation.
pub const MAX_GROUPS: usize = 65_536;

/// A correlation rule as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrelationSrc {
    /// Its metadata.
    pub meta: Meta,
    /// `rules:`: ids or names.
    pub rules: Vec<String>,
    /// `group-by:` fields.
    pub group_by: Vec<String>,
    /// `timespan:` in milliseconds.
    pub timespan_ms: u64,
    /// Fires when the count reaches this (`gte: N`, or `gt: N-1`).
    pub threshold: u64,
    /// `generate:`: whether the referenced rules also alert on their own.
    pub generate: bool,
}

/// Parse `timespan` (`30s`, `5m`, `2h`, `1d`) into milliseconds.
pub fn parse_timespan(s: &str) -> Option<u64> {
    let s = s.trim();
    let unit = s.chars().last()?;
    let n: u64 = s[..s.len() - unit.len_utf8()].parse().ok()?;
    let mul = match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        _ => return None,
    };
    n.checked_mul(mul).filter(|&ms| ms > 0)
}

fn strs(n: Option<&Node>) -> Vec<String> {
    match n {
        Some(Node::Seq(v, _)) => v
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(n @ Node::Scalar { text, .. }) if !n.is_null() => vec![text.clone()],
        _ => Vec::new(),
    }
}

/// Parse a correlation document.
pub(crate) fn parse(doc: &Node, meta: Meta) -> Result<CorrelationSrc, Unsupported> {
    let bad = |m: String| Unsupported::Correlation(m);
    let Some(c) = doc.get("correlation") else {
        return Err(bad("no 'correlation' mapping".into()));
    };
    let ty = c.get("type").and_then(Node::as_str).unwrap_or("");
    if ty != "event_count" {
        return Err(bad(format!(
            "type '{ty}' is not supported (only event_count)"
        )));
    }
    let rules = strs(c.get("rules"));
    if rules.is_empty() {
        return Err(bad("no 'rules'".into()));
    }
    let group_by = strs(c.get("group-by"));
    let ts = c.get("timespan").and_then(Node::as_str).unwrap_or("");
    let timespan_ms = parse_timespan(ts)
        .ok_or_else(|| bad(format!("timespan '{ts}' is not N followed by s, m, h or d")))?;
    let Some(Node::Map(cond, _)) = c.get("condition") else {
        return Err(bad("no 'condition' mapping".into()));
    };
    let [(op, n)] = cond.as_slice() else {
        return Err(bad("the condition must have exactly one criterion".into()));
    };
    let n: u64 = n
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("condition {op}: not a number")))?;
    let threshold = match op.as_str() {
        "gte" => n.max(1),
        "gt" => n.saturating_add(1),
        other => {
            return Err(bad(format!(
                "condition '{other}' needs the window to close; only gt and gte are run on a stream"
            )))
        }
    };
    let generate = matches!(
        doc.get("generate")
            .or_else(|| c.get("generate"))
            .and_then(Node::as_str),
        Some("true")
    );
    Ok(CorrelationSrc {
        meta,
        rules,
        group_by,
        timespan_ms,
        threshold,
        generate,
    })
}

/// The state of one correlation: match times per group, bounded.
#[derive(Debug, Default)]
pub struct Window {
    groups: HashMap<Vec<Vec<u8>>, (VecDeque<u64>, u64)>,
    /// A counter that orders groups by last use, for eviction.
    tick: u64,
}

/// What a correlation reports when it fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fired {
    /// The group's values, in `group-by` order.
    pub group: Vec<Vec<u8>>,
    /// How many matches were in the window.
    pub count: u64,
    /// Time of the first match in the window (ms since the epoch).
    pub first_ms: u64,
    /// Time of the match that fired it.
    pub last_ms: u64,
}

impl Window {
    /// One match of a referenced rule at `t_ms` in `group`.
    pub fn observe(&mut self, c: &CorrelationSrc, group: Vec<Vec<u8>>, t_ms: u64) -> Option<Fired> {
        self.tick += 1;
        let tick = self.tick;
        if !self.groups.contains_key(&group) && self.groups.len() >= MAX_GROUPS {
            // Full: first forget the groups whose window has passed (they
            // can no longer fire), which frees many slots at once, so the
            // scan is paid rarely; only when all are live does the group
            // used least recently go.
            let span = c.timespan_ms;
            self.groups.retain(|_, (times, _)| {
                times
                    .back()
                    .is_some_and(|&b| t_ms.saturating_sub(b) <= span)
            });
        }
        if !self.groups.contains_key(&group) && self.groups.len() >= MAX_GROUPS {
            if let Some(old) = self
                .groups
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            {
                self.groups.remove(&old);
            }
        }
        let (times, used) = self.groups.entry(group.clone()).or_default();
        *used = tick;
        while times
            .front()
            .is_some_and(|&f| t_ms.saturating_sub(f) > c.timespan_ms)
        {
            times.pop_front();
        }
        times.push_back(t_ms);
        while times.len() as u64 > c.threshold {
            times.pop_front();
        }
        if times.len() as u64 >= c.threshold {
            let first_ms = times.front().copied().unwrap_or(t_ms);
            let count = times.len() as u64;
            times.clear();
            return Some(Fired {
                group,
                count,
                first_ms,
                last_ms: t_ms,
            });
        }
        None
    }

    /// Groups held (for tests of the bound).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether no group is held.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corr(src: &str) -> Result<CorrelationSrc, Unsupported> {
        let d = crate::yaml::parse(src).unwrap();
        let meta = crate::rule::meta(&d[0], "x").unwrap();
        parse(&d[0], meta)
    }

    const BRUTE: &str = "title: brute\ncorrelation:\n  type: event_count\n  rules: [failed]\n  \
                         group-by: [addr]\n  timespan: 5m\n  condition: {gte: 3}\n";

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("5m"), Some(300_000));
        assert_eq!(parse_timespan("90s"), Some(90_000));
        assert_eq!(parse_timespan("1d"), Some(86_400_000));
        assert_eq!(parse_timespan("5"), None);
        assert_eq!(parse_timespan("0m"), None);
        assert_eq!(parse_timespan("m"), None);
    }

    #[test]
    fn event_count_fires_at_the_threshold_within_the_window() {
        let c = corr(BRUTE).unwrap();
        assert_eq!(c.threshold, 3);
        let mut w = Window::default();
        let a = || vec![b"10.0.0.1".to_vec()];
        let b = || vec![b"10.0.0.2".to_vec()];
        assert_eq!(w.observe(&c, a(), 0), None);
        assert_eq!(w.observe(&c, b(), 1_000), None);
        assert_eq!(w.observe(&c, a(), 2_000), None);
        let f = w.observe(&c, a(), 3_000).unwrap();
        assert_eq!((f.count, f.first_ms, f.last_ms), (3, 0, 3_000));
        // Starts over after firing.
        assert_eq!(w.observe(&c, a(), 4_000), None);
        // Outside the window: old matches do not count.
        assert_eq!(w.observe(&c, b(), 400_000), None);
        assert_eq!(w.observe(&c, b(), 400_001), None);
        assert!(w.observe(&c, b(), 400_002).is_some());
    }

    #[test]
    fn groups_are_bounded() {
        let c = corr(BRUTE).unwrap();
        let mut w = Window::default();
        for i in 0..(MAX_GROUPS as u64 + 10) {
            w.observe(&c, vec![i.to_string().into_bytes()], i);
        }
        assert_eq!(w.len(), MAX_GROUPS);
        // Much later, the full table's expired groups all go at once.
        w.observe(&c, vec![b"late".to_vec()], 10_000_000);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn unsupported_forms_are_named() {
        for (src, why) in [
            (
                BRUTE.replace("event_count", "value_count"),
                "only event_count",
            ),
            (BRUTE.replace("gte: 3", "lt: 3"), "needs the window"),
            (BRUTE.replace("5m", "5 minutes"), "timespan"),
            (BRUTE.replace("  rules: [failed]\n", ""), "no 'rules'"),
        ] {
            let e = corr(&src).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        assert_eq!(
            corr(&BRUTE.replace("gte: 3", "gt: 3")).unwrap().threshold,
            4
        );
    }
}
