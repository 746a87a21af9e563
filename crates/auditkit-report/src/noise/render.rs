//! The noise report as text for people and as one JSON object for
//! programs, and the suggestions as a rules.d fragment.

use std::fmt::Write as _;

use auditkit_interp::{syscall_name, Machine, RecordType};
use serde_json::{json, Value};

use super::rules::{NoRule, RuleTable};
use super::suggest::{arch_word, Advice, Suggestion};
use super::tally::{Bounded, Counts, Tally};

/// A finished analysis: the rules, the merged tally and the advice.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The rules events were attributed to.
    pub table: RuleTable,
    /// Where the rules came from (`--rules FILE`, `the running kernel`).
    pub rules_from: String,
    /// The merged counts.
    pub tally: Tally,
    /// The suggestions.
    pub advice: Advice,
    /// Rows per dimension.
    pub top: usize,
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Bytes for people: `812 B`, `3.4 kB`, `12.0 MB`.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn civil(sec: u64) -> String {
    let days = (sec / 86_400) as i64;
    let rem = sec % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Analysis {
    /// The log's time span in seconds (at least 1, so rates exist).
    pub fn seconds(&self) -> u64 {
        self.tally.span.map_or(1, |(a, b)| (b - a).max(1))
    }

    fn per_hour(&self, events: u64) -> f64 {
        events as f64 * 3600.0 / self.seconds() as f64
    }

    fn rows<K: Eq + std::hash::Hash + Clone + Ord>(
        &self,
        b: &Bounded<K>,
        name: impl Fn(&K) -> String,
    ) -> Vec<(String, Counts)> {
        let mut v: Vec<(String, Counts)> = b
            .top(self.top)
            .into_iter()
            .map(|(k, c)| (name(&k), c))
            .collect();
        if b.capped && b.other.events > 0 {
            v.push(("(other: too many distinct values)".to_string(), b.other));
        }
        v
    }

    fn dimensions(&self) -> Vec<Dimension> {
        let native = self.table.native;
        let t = &self.tally;
        vec![
            ("key", t.keys.capped, self.rows(&t.keys, |k| k.to_string())),
            ("type", t.types.capped, self.rows(&t.types, type_name)),
            ("exe", t.exes.capped, self.rows(&t.exes, |k| k.to_string())),
            (
                "comm",
                t.comms.capped,
                self.rows(&t.comms, |k| k.to_string()),
            ),
            (
                "auid",
                t.auids.capped,
                self.rows(&t.auids, |a| auid_text(*a)),
            ),
            (
                "syscall",
                t.syscalls.capped,
                self.rows(&t.syscalls, |(a, n)| syscall_text(*a, *n, native)),
            ),
            (
                "path",
                t.paths.capped,
                self.rows(&t.paths, |k| k.to_string()),
            ),
        ]
    }

    /// The rule rows: every rule with events (and the rules without, for
    /// completeness, after them), then the reasons events have no rule.
    fn rule_rows(&self) -> Vec<(String, String, Counts)> {
        let mut v: Vec<(String, String, Counts)> = self
            .table
            .rules
            .iter()
            .zip(&self.tally.rules)
            .map(|(r, c)| (r.origin.clone(), r.text.clone(), *c))
            .collect();
        v.sort_by(|a, b| b.2.bytes.cmp(&a.2.bytes).then(b.2.events.cmp(&a.2.events)));
        for n in NoRule::ALL {
            let c = self.tally.none_of(n);
            if c.events > 0 {
                v.push((n.id().to_string(), n.name().to_string(), c));
            }
        }
        v
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let t = &self.tally;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Noise analysis: {} events, {} records, {} ({} bytes)",
            t.total.events,
            t.total.records,
            human_bytes(t.total.bytes),
            t.total.bytes
        );
        if let Some((a, b)) = t.span {
            let _ = writeln!(
                o,
                "Time span: {} to {} UTC ({} s); rates are per hour and per day of that span",
                civil(a),
                civil(b),
                b - a
            );
        }
        let _ = writeln!(
            o,
            "Rules: {} from {}",
            self.table.rules.len(),
            self.rules_from
        );
        let _ = writeln!(o);
        let _ = writeln!(o, "By rule (the rule that made each event)");
        let _ = writeln!(o, "{}", header());
        for (origin, text, c) in self.rule_rows() {
            let _ = writeln!(o, "{}  {origin}  {text}", self.row(c));
        }
        for (name, capped, rows) in self.dimensions() {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "Top {} by {name}{}",
                self.top,
                if capped {
                    " (more distinct values than kept: the rest is under other)"
                } else {
                    ""
                }
            );
            let _ = writeln!(o, "{}", header());
            for (k, c) in rows {
                let _ = writeln!(o, "{}  {k}", self.row(c));
            }
        }
        let _ = writeln!(o);
        o.push_str(&self.suggestions_text());
        o
    }

    fn row(&self, c: Counts) -> String {
        let t = self.tally.total;
        let h = self.per_hour(c.events);
        format!(
            "{:>10} {:>6.1}% {:>12} {:>6.1}% {:>11.1} {:>12.1}",
            c.events,
            pct(c.events, t.events),
            c.bytes,
            pct(c.bytes, t.bytes),
            h,
            h * 24.0
        )
    }

    fn suggestions_text(&self) -> String {
        let a = &self.advice;
        let t = self.tally.total;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Suggestions: {}, together saving {} events ({:.1}%) and {} bytes ({:.1}%) of this log{}",
            a.suggestions.len(),
            a.combined.events,
            pct(a.combined.events, t.events),
            a.combined.bytes,
            pct(a.combined.bytes, t.bytes),
            if a.approximate {
                " (at least: some combinations were not kept)"
            } else {
                ""
            }
        );
        for (i, s) in a.suggestions.iter().enumerate() {
            let _ = writeln!(o, "{:>3}. {}", i + 1, self.saving(s));
            let _ = writeln!(o, "     risk {}: {}", s.risk.name(), s.risk_text);
            for l in &s.lines {
                let _ = writeln!(o, "     {l}");
            }
            if let Some(alt) = &s.alternative {
                let _ = writeln!(o, "     or instead, in {alt}");
            }
        }
        if !a.kept.is_empty() {
            let _ = writeln!(o, "Talkers left alone:");
            for k in &a.kept {
                let _ = writeln!(
                    o,
                    "     {}: {} events, {} bytes ({:.1}%): {}",
                    k.what,
                    k.counts.events,
                    k.counts.bytes,
                    pct(k.counts.bytes, t.bytes),
                    k.why
                );
            }
        }
        if !a.hints.is_empty() {
            let _ = writeln!(o, "Narrower rules to consider (not in the fragment):");
            for h in &a.hints {
                let _ = writeln!(
                    o,
                    "     {}: {}: saves {} events, {} bytes ({:.1}%)",
                    h.origin,
                    h.change,
                    h.saved.events,
                    h.saved.bytes,
                    pct(h.saved.bytes, t.bytes)
                );
            }
        }
        if let Some(p) = &a.profile {
            let _ = writeln!(
                o,
                "Checked against profile {p}: {} suggestion(s) withheld",
                a.withheld.len()
            );
            for w in a.withheld.iter().filter(|w| !w.items.is_empty()) {
                let _ = writeln!(
                    o,
                    "     {}: would fail {}",
                    w.suggestion.what,
                    w.items.join("; ")
                );
            }
        }
        if let Some(d) = &a.detections {
            let by: Vec<_> = a.withheld.iter().filter(|w| !w.alerts.is_empty()).collect();
            let _ = writeln!(
                o,
                "Replayed through {d}: {} suggestion(s) withheld",
                by.len()
            );
            for w in by {
                let _ = writeln!(
                    o,
                    "     {}: would change the alerts: {}",
                    w.suggestion.what,
                    w.alerts.join("; ")
                );
            }
        }
        if !a.suggestions.is_empty() {
            let _ = writeln!(o);
            o.push_str(&self.fragment());
        }
        o
    }

    fn saving(&self, s: &Suggestion) -> String {
        let t = self.tally.total;
        format!(
            "{}: saves {} events ({:.1}%), {} bytes ({:.1}%), {:.1} events/hour",
            s.what,
            s.saved.events,
            pct(s.saved.events, t.events),
            s.saved.bytes,
            pct(s.saved.bytes, t.bytes),
            self.per_hour(s.saved.events)
        )
    }

    /// The suggestions as a rules.d fragment: comments, then the lines.
    pub fn fragment(&self) -> String {
        let a = &self.advice;
        let t = self.tally.total;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "## auditkit report --noise: suggested rules, ready for /etc/audit/rules.d"
        );
        let _ = writeln!(
            o,
            "## Together they save {} of {} events ({:.1}%) and {} of {} bytes ({:.1}%) of the log analysed.",
            a.combined.events,
            t.events,
            pct(a.combined.events, t.events),
            a.combined.bytes,
            t.bytes,
            pct(a.combined.bytes, t.bytes)
        );
        if a.suggestions
            .iter()
            .any(|s| s.lines.iter().any(|l| l.starts_with("-A never,exit")))
        {
            let _ = writeln!(
                o,
                "## never rules are added with -A (head of the exit list), so they come before the rules they shadow."
            );
        }
        if let Some(k) = a.suggestions.iter().find_map(|s| {
            s.lines
                .iter()
                .find_map(|l| l.rsplit_once(" -k ").map(|(_, k)| k.to_string()))
        }) {
            let _ = writeln!(o, "## Remove them again with: auditctl -D -k {k}");
        }
        if let Some(p) = &a.profile {
            let _ = writeln!(
                o,
                "## Checked against profile {p}: every item that passed still passes."
            );
        }
        for (i, s) in a.suggestions.iter().enumerate() {
            let _ = writeln!(o, "# {}. {}", i + 1, self.saving(s));
            let _ = writeln!(o, "#    risk {}: {}", s.risk.name(), s.risk_text);
            if !s.shadows.is_empty() {
                let _ = writeln!(o, "#    shadows: {}", s.shadows.join(", "));
            }
            if let Some(alt) = &s.alternative {
                let _ = writeln!(o, "#    or instead, in {alt}");
            }
            for l in &s.lines {
                let _ = writeln!(o, "{l}");
            }
        }
        o
    }

    /// The report as one JSON object.
    pub fn json(&self) -> Value {
        let t = &self.tally;
        let total = t.total;
        let counts = |c: Counts| {
            let h = self.per_hour(c.events);
            json!({
                "events": c.events,
                "records": c.records,
                "bytes": c.bytes,
                "events_share": pct(c.events, total.events) / 100.0,
                "bytes_share": pct(c.bytes, total.bytes) / 100.0,
                "per_hour": h,
                "per_day": h * 24.0,
            })
        };
        let rules: Vec<Value> = self
            .table
            .rules
            .iter()
            .zip(&t.rules)
            .zip(&t.by)
            .map(|((r, c), by)| {
                json!({
                    "origin": r.origin,
                    "rule": r.text,
                    "key": r.joined_key.as_deref().map(|k| k.split('\u{1}').collect::<Vec<_>>()),
                    "counts": counts(*c),
                    "attributed_by": {"key": by[0], "key_and_fields": by[1], "fields": by[2]},
                })
            })
            .collect();
        let no_rule: Vec<Value> = NoRule::ALL
            .iter()
            .map(|n| json!({"reason": n.id(), "text": n.name(), "counts": counts(t.none_of(*n))}))
            .collect();
        let mut dims = serde_json::Map::new();
        for (name, capped, rows) in self.dimensions() {
            let b_other = match name {
                "key" => t.keys.other,
                "type" => t.types.other,
                "exe" => t.exes.other,
                "comm" => t.comms.other,
                "auid" => t.auids.other,
                "syscall" => t.syscalls.other,
                _ => t.paths.other,
            };
            let top: Vec<Value> = rows
                .into_iter()
                .filter(|(k, _)| !k.starts_with("(other"))
                .map(|(k, c)| json!({"value": k, "counts": counts(c)}))
                .collect();
            dims.insert(
                name.to_string(),
                json!({"capped": capped, "other": counts(b_other), "top": top}),
            );
        }
        let a = &self.advice;
        let sugg = |s: &Suggestion| {
            json!({
                "what": s.what,
                "lines": s.lines,
                "alternative": s.alternative,
                "saved": counts(s.saved),
                "shadows": s.shadows,
                "risk": s.risk.name(),
                "risk_text": s.risk_text,
            })
        };
        json!({
            "total": counts(total),
            "span": t.span.map(|(a, b)| json!({"first": a, "last": b, "seconds": b - a})),
            "rules_from": self.rules_from,
            "rules": rules,
            "no_rule": no_rule,
            "dimensions": dims,
            "suggestions": a.suggestions.iter().map(sugg).collect::<Vec<_>>(),
            "combined": counts(a.combined),
            "approximate": a.approximate,
            "hints": a.hints.iter().map(|h| json!({"origin": h.origin, "change": h.change, "saved": counts(h.saved)})).collect::<Vec<_>>(),
            "kept": a.kept.iter().map(|k| json!({"what": k.what, "counts": counts(k.counts), "why": k.why})).collect::<Vec<_>>(),
            "profile": a.profile,
            "detections": a.detections,
            "withheld": a.withheld.iter().map(|w| json!({"suggestion": sugg(&w.suggestion), "items": w.items, "alerts": w.alerts})).collect::<Vec<_>>(),
            "fragment": self.fragment(),
        })
    }
}

/// A dimension's name, whether it was capped, and its rows.
type Dimension = (&'static str, bool, Vec<(String, Counts)>);

fn header() -> String {
    format!(
        "{:>10} {:>7} {:>12} {:>7} {:>11} {:>12}",
        "events", "share", "bytes", "share", "per hour", "per day"
    )
}

fn type_name(t: &RecordType) -> String {
    t.name()
        .map_or_else(|| format!("UNKNOWN[{}]", t.0), str::to_string)
}

fn auid_text(a: u32) -> String {
    if a == u32::MAX {
        "unset".to_string()
    } else {
        a.to_string()
    }
}

fn syscall_text(arch: u32, nr: u32, native: Machine) -> String {
    match Machine::from_elf(arch) {
        Some(m) => format!(
            "{} ({})",
            syscall_name(m, nr).map_or_else(|| nr.to_string(), str::to_string),
            arch_word(m, native)
        ),
        None => format!("{nr} (arch {arch:x})"),
    }
}
