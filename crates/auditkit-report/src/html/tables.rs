//! The panels that are tables: configuration changes and anomalies (a
//! chart by type and the latest records), nodes, and the noise
//! suggestions.

use std::fmt::Write;

use super::bounded::{Buckets, Keyed, Recent};
use super::cmd::Search;
use super::page::Page;
use super::tally::{NodeStats, Row, RowKey};
use super::text::{bytes, ellipsis, esc, esc_bytes, shown, thousands, Utc};

/// Longest command of a noise row.
const NOISE_CMD_CHARS: usize = 512;
/// Noise rows shown.
const NOISE_ROWS: usize = 20;

impl Page<'_> {
    /// A noise row's command: the module builds it, so its length is
    /// capped here (a cut command has no count, since it cannot be run).
    fn noise_cmd(&self, s: Option<&Search>, n: u64) -> String {
        let Some(s) = s else {
            return "–".into();
        };
        let line = s.line_with(&self.base);
        if line.chars().count() <= NOISE_CMD_CHARS {
            self.cmd_code(s, n, "events")
        } else {
            format!(
                "<code class=\"cmd\">{}</code>",
                esc(&ellipsis(&line, NOISE_CMD_CHARS))
            )
        }
    }

    pub(super) fn kinds(
        &mut self,
        title: &str,
        what: &str,
        k: &Keyed,
        recent: &Recent<RowKey, Row>,
    ) {
        self.open(title, what);
        let mut other = Buckets::new();
        let series = Self::keyed(k, &mut other, &|key| {
            std::str::from_utf8(key)
                .ok()
                .map(|s| Search::all().types(&[s]))
        });
        let (sorted, _) = k.sorted();
        let types: Vec<String> = sorted.iter().map(|(key, _)| shown(key)).collect();
        let mut total = Buckets::new();
        for s in &series {
            total.merge(s.buckets);
        }
        if types.is_empty() {
            self.out
                .push_str("<p class=\"empty\">None in this log.</p>");
            self.close();
            return;
        }
        self.time_chart(
            &series,
            &total,
            "records",
            &Search::all().types(&types),
            "None in this log.",
        );
        let _ = write!(
            self.out,
            "<h3>The latest {} of {}</h3><table><tr><th>time (UTC)</th><th>node</th><th>type</th><th>record</th></tr>",
            recent.len(),
            thousands(recent.seen)
        );
        for (_, r) in recent.newest_first() {
            let mut q = Search::all();
            if let Some(n) = &r.node {
                q = q.node(n);
            }
            let q = q.serial(r.id.serial).during(r.id.sec, r.id.sec);
            let _ = write!(
                self.out,
                "<tr title=\"$ {}\"><td class=\"t\">{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                self.cmd(&q),
                Utc::of(r.id.sec).iso(),
                r.node.as_deref().map(|n| esc(&ellipsis(&shown(n), 40))).unwrap_or_default(),
                esc(&ellipsis(&r.rtype, 40)),
                esc_bytes(&r.text)
            );
        }
        self.out.push_str(
            "</table><p class=\"note\">Hover a row for the command that shows its event.</p>",
        );
        self.close();
    }

    pub(super) fn nodes(&mut self) {
        let t = self.t;
        self.open(
            "Per node",
            "node= of the records (name_format in auditd.conf): one row per machine of a fleet.",
        );
        if t.nodes.is_empty() {
            self.out.push_str(
                "<p class=\"empty\">No record names its node (auditd's name_format is NONE).</p>",
            );
            self.close();
            return;
        }
        let mut other = Buckets::new();
        let series = Self::keyed(&t.by_node, &mut other, &|n| Some(Search::all().node(n)));
        let mut total = Buckets::new();
        for s in &series {
            total.merge(s.buckets);
        }
        self.time_chart(
            &series,
            &total,
            "events",
            &Search::filter("has node"),
            "No events.",
        );
        let mut rows: Vec<(&[u8], &NodeStats)> = t.nodes.iter().map(|(k, s)| (&k[..], s)).collect();
        rows.sort_by(|a, b| b.1.events.cmp(&a.1.events).then(a.0.cmp(b.0)));
        self.out.push_str(
            "<table><tr><th>node</th><th class=\"num\">events</th><th class=\"num\">records</th>\
             <th class=\"num\">failed</th><th>first (UTC)</th><th>last (UTC)</th><th>command</th></tr>",
        );
        let row = |p: &Page, name: String, s: &NodeStats, q: Option<Search>| {
            let (a, b) = s
                .span
                .map(|(a, b)| (Utc::of(a).iso(), Utc::of(b).iso()))
                .unwrap_or_default();
            format!(
                "<tr><td>{name}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"t\">{a}</td><td class=\"t\">{b}</td><td>{}</td></tr>",
                thousands(s.events),
                thousands(s.records),
                thousands(s.failed),
                q.map(|q| p.cmd_code(&q, s.events, "events"))
                    .unwrap_or_default()
            )
        };
        let mut html = String::new();
        for (n, s) in rows {
            html.push_str(&row(
                self,
                esc(&ellipsis(&shown(n), 60)),
                s,
                Some(Search::all().node(n)),
            ));
        }
        if t.other_nodes.events > 0 {
            html.push_str(&row(self, "other nodes".into(), &t.other_nodes, None));
        }
        if t.no_node.events > 0 {
            html.push_str(&row(
                self,
                "(no node)".into(),
                &t.no_node,
                Some(Search::filter("not has node")),
            ));
        }
        self.out.push_str(&html);
        self.out.push_str("</table>");
        self.close();
    }

    pub(super) fn noise(&mut self) {
        self.open(
            "Noise: rule changes that would remove the most volume",
            "From the noise analysis (auditkit report --noise): what each change saves in this log, and its risk.",
        );
        match self.o.noise {
            None => self.out.push_str(
                "<p class=\"empty\">Not analysed in this report: add --noise (with --rules FILE or --loaded) to get suggestions.</p>",
            ),
            Some([]) => self
                .out
                .push_str("<p class=\"empty\">No suggestion: no rule makes noise worth removing.</p>"),
            Some(rows) => {
                let total = self.t.events.max(1);
                // The column of commands only when the analysis gave some.
                let searched = rows.iter().take(NOISE_ROWS).any(|r| r.search.is_some());
                let _ = write!(
                    self.out,
                    "<table class=\"noise\"><tr><th>what</th><th>rule change</th><th class=\"num\">events saved</th>\
                     <th class=\"num\">bytes saved</th><th class=\"num\">share</th><th>risk</th>{}</tr>",
                    if searched { "<th>the events it removes</th>" } else { "" }
                );
                let mut html = String::new();
                for r in rows.iter().take(NOISE_ROWS) {
                    let _ = write!(
                        html,
                        "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                         <td class=\"num\">{:.1}%</td><td>{}</td>{}</tr>",
                        esc(&ellipsis(&r.talker, 120)),
                        esc(&ellipsis(&r.rule, 300)),
                        thousands(r.events),
                        bytes(r.bytes),
                        r.events as f64 * 100.0 / total as f64,
                        esc(&ellipsis(&r.risk, 300)),
                        if searched {
                            format!("<td>{}</td>", self.noise_cmd(r.search.as_ref(), r.events))
                        } else {
                            String::new()
                        }
                    );
                }
                self.out.push_str(&html);
                self.out.push_str("</table><h3>As an audit.rules fragment</h3><pre class=\"rules\">");
                let mut frag = String::new();
                for r in rows.iter().take(NOISE_ROWS) {
                    let _ = writeln!(frag, "# {}", ellipsis(&r.talker, 120).replace('\n', " "));
                    let _ = writeln!(frag, "{}", ellipsis(&r.rule, 300));
                }
                self.out.push_str(&esc(&frag));
                self.out.push_str("</pre>");
            }
        }
        self.close();
    }
}
