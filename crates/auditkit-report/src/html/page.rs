//! The page: panels laid out in one HTML file with its style sheet inline,
//! no script, no font, no image, nothing fetched.
//!
//! Each panel has a title, a short line saying what is counted, its chart,
//! and the `auditkit search` command that lists the events behind it
//! (`<code class="cmd" data-n=N data-unit=U>`: the count the chart shows
//! and whether it counts events or records, so a test can run the command
//! and compare). Per series, per bar and per row the commands are in the
//! tooltips and in a folded list.
//!
//! The page's size is bounded by construction: every table of the
//! [`Tally`] is capped, every label is cut, and each panel draws at most
//! [`TOP_ROWS`] bars, [`SERIES_SHOWN`] series over at most
//! [`super::bounded::MAX_BUCKETS`] buckets and [`super::tally::RECENT_CAP`]
//! rows, so the file is as large for 1 GB of log as for 100 MB.

use std::fmt::Write;

use super::bounded::{Buckets, Grid, Keyed, TopN};
use super::cmd::{eq, shell, Search};
use super::svg::{bars, Bar, Series, TimeChart, BAD, GOOD, OTHER, PALETTE};
use super::tally::Tally;
use super::text::{bytes, ellipsis, esc, shown, thousands, Utc};

/// Bars per top chart.
pub const TOP_ROWS: usize = 10;
/// Named series per time chart (the rest is "other").
pub const SERIES_SHOWN: usize = 8;
/// Characters of a label on a chart (the tooltip has it whole).
const LABEL_CHARS: usize = 64;
/// Characters of a series name in a legend.
const LEGEND_CHARS: usize = 40;
/// Characters of a series name in a tooltip.
const TIP_CHARS: usize = 24;

/// One suggestion of the noise analysis, as the page shows it. The noise
/// module (`auditkit report --noise`) fills these; the page does not
/// compute them.
#[derive(Clone, Debug, Default)]
pub struct NoiseRow {
    /// What makes the noise (`key=cron exe=/usr/sbin/cron`).
    pub talker: String,
    /// The rule line(s) to add, as audit.rules text.
    pub rule: String,
    /// Events the change removes from this log.
    pub events: u64,
    /// Bytes it removes.
    pub bytes: u64,
    /// The risk it carries, in words.
    pub risk: String,
    /// The search that lists the events it removes, when the analysis
    /// can say it as one.
    pub search: Option<Search>,
}

/// What the page needs besides the counts.
pub struct Options<'a> {
    /// The page's title.
    pub title: String,
    /// The inputs, as shown in the header.
    pub sources: Vec<String>,
    /// The input options every command starts with (`-if FILE`).
    pub search_base: Vec<String>,
    /// The report's `-ts`/`-te` (seconds, inclusive), which the commands
    /// of whole charts repeat.
    pub range: Option<(u64, u64)>,
    /// When the report was made (the library has no clock), if known.
    pub generated: Option<String>,
    /// A word about the commands' input, when they cannot read what the
    /// report read (standard input).
    pub input_note: Option<String>,
    /// A login uid's user name, if known (from the host's passwd).
    pub user_name: &'a dyn Fn(u32) -> Option<String>,
    /// The noise suggestions; `None` when the analysis was not run.
    pub noise: Option<&'a [NoiseRow]>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            title: "auditkit report".into(),
            sources: Vec::new(),
            search_base: Vec::new(),
            range: None,
            generated: None,
            input_note: None,
            user_name: &|_| None,
            noise: None,
        }
    }
}

/// The style sheet, inline in every page.
const STYLE: &str = include_str!("style.css");

/// Render the page for a merged tally.
pub fn render(t: &Tally, o: &Options) -> String {
    let words: Vec<String> = o.search_base.iter().map(|w| shell(w)).collect();
    let joined = words.join(" ");
    let (base, input_var) = if joined.len() > BASE_INLINE {
        // Cut at an option: `-if FILE` pairs stay whole.
        let mut kept = Vec::new();
        let mut len = 0;
        for pair in words.chunks(2) {
            let l: usize = pair.iter().map(|w| w.len() + 1).sum();
            if len + l > 4 * 1024 {
                break;
            }
            len += l;
            kept.extend_from_slice(pair);
        }
        (
            "\"${INPUT[@]}\"".to_string(),
            Some(format!("INPUT=({})", kept.join(" "))),
        )
    } else {
        (joined, None)
    };
    let mut p = Page {
        t,
        o,
        out: String::with_capacity(256 * 1024),
        grid: None,
        base,
        input_var,
    };
    if let Some((lo, hi)) = t.span {
        p.grid = Some(Grid::new(lo, hi, max_level(t)));
    }
    p.head();
    p.summary();
    p.time_panels();
    p.tops();
    p.logins();
    p.out.push_str("<div class=\"grid2\">");
    p.addrs();
    p.errnos();
    p.out.push_str("</div>");
    p.kinds(
        "Configuration changes",
        "CONFIG_CHANGE and DAEMON_* records: rule changes, audit settings, auditd starting, stopping and rotating.",
        &t.config,
        &t.config_recent,
    );
    p.kinds(
        "Anomalies",
        "ANOM_* records: crashes (ANOM_ABEND), promiscuous interfaces, link tricks, login failures over the limit.",
        &t.anom,
        &t.anom_recent,
    );
    p.nodes();
    p.noise();
    p.tail();
    p.out
}

fn max_level(t: &Tally) -> u8 {
    [
        t.all.level(),
        t.all_records.level(),
        t.no_key.level(),
        t.success.level(),
        t.failed.level(),
        t.outcome.level(),
        t.login_failed.level(),
        t.auth_failed.level(),
        t.login_or_auth_failed.level(),
        t.by_key.max_level(),
        t.by_type.max_level(),
        t.config.max_level(),
        t.anom.max_level(),
        t.by_node.max_level(),
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
}

pub(super) struct Page<'a> {
    pub(super) t: &'a Tally,
    pub(super) o: &'a Options<'a>,
    pub(super) out: String,
    pub(super) grid: Option<Grid>,
    /// The input options as shell text for every command.
    pub(super) base: String,
    /// Set when they are long: the `INPUT=(...)` line the header shows.
    pub(super) input_var: Option<String>,
}

/// Input options longer than this are defined once in the header as a
/// shell array and the commands say `"${INPUT[@]}"`.
const BASE_INLINE: usize = 240;
/// Inputs listed in the header (the rest are counted).
const SOURCES_SHOWN: usize = 16;

/// A series of a chart, before it is put on the grid.
pub(super) struct Named<'b> {
    pub(super) label: String,
    pub(super) tip: String,
    pub(super) buckets: &'b Buckets,
    pub(super) color: &'static str,
    pub(super) search: Option<Search>,
}

impl Page<'_> {
    pub(super) fn cmd(&self, s: &Search) -> String {
        match self.o.range {
            Some((lo, hi)) if !s.is_timed() => esc(&s.clone().during(lo, hi).line_with(&self.base)),
            _ => esc(&s.line_with(&self.base)),
        }
    }

    /// A visible command with the count it lists.
    pub(super) fn cmd_code(&self, s: &Search, n: u64, unit: &str) -> String {
        format!(
            "<code class=\"cmd\" data-n=\"{n}\" data-unit=\"{unit}\">{}</code>",
            self.cmd(s)
        )
    }

    fn cmdline(&mut self, s: &Search, n: u64, unit: &str) {
        let c = self.cmd_code(s, n, unit);
        let _ = write!(
            self.out,
            "<p class=\"cmdline\"><span class=\"k\">Lists these {unit}:</span> {c}</p>"
        );
    }

    fn head(&mut self) {
        let o = self.o;
        let _ = write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
             <title>{}</title><style>{STYLE}</style></head><body><header><h1>{}</h1>",
            esc(&ellipsis(&o.title, 120)),
            esc(&ellipsis(&o.title, 120))
        );
        if !o.sources.is_empty() {
            let list: Vec<String> = o
                .sources
                .iter()
                .take(SOURCES_SHOWN)
                .map(|s| format!("<code>{}</code>", esc(&ellipsis(s, 128))))
                .collect();
            let more = o.sources.len().saturating_sub(SOURCES_SHOWN);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            if o.sources.len() <= 3 {
                let _ = write!(self.out, "<p>Input: {}</p>", list.join(", "));
            } else {
                let _ = write!(
                    self.out,
                    "<details class=\"inputs\"><summary>Input: {} files</summary><p>{}{more}</p></details>",
                    o.sources.len(),
                    list.join(", ")
                );
            }
        }
        if let Some(v) = &self.input_var {
            let _ = write!(
                self.out,
                "<details class=\"inputs\"><summary>The commands below read the same input as <code>\"${{INPUT[@]}}\"</code>: define it first (bash)</summary><p><code>{}</code></p></details>",
                esc(v)
            );
        }
        if let Some((lo, hi)) = self.t.span {
            let _ = write!(
                self.out,
                "<p>Events from {} to {} UTC</p>",
                Utc::of(lo).iso(),
                Utc::of(hi).iso()
            );
        }
        if let Some(n) = &o.input_note {
            let _ = write!(self.out, "<p>{}</p>", esc(&ellipsis(n, 300)));
        }
        if let Some(g) = &o.generated {
            let _ = write!(self.out, "<p>Made {}</p>", esc(&ellipsis(g, 120)));
        }
        self.out.push_str("</header><main>");
    }

    fn summary(&mut self) {
        let t = self.t;
        let span = t
            .span
            .map(|(lo, hi)| duration(hi - lo))
            .unwrap_or_else(|| "–".into());
        let failed_sys = t.errno.total();
        let cards: Vec<(String, &str, bool)> = vec![
            (thousands(t.events), "events", false),
            (thousands(t.records), "records", false),
            (bytes(t.bytes), "of records", false),
            (span, "time span", false),
            (
                thousands(t.failed.total()),
                "failed events",
                t.failed.total() > 0,
            ),
            (thousands(failed_sys), "failed syscalls", failed_sys > 0),
            (
                thousands(t.login_or_auth_failed.total()),
                "failed logins & auths",
                t.login_or_auth_failed.total() > 0,
            ),
            (thousands(t.config.total_all()), "config changes", false),
            (
                thousands(t.anom.total_all()),
                "anomalies",
                t.anom.total_all() > 0,
            ),
            (
                thousands(t.nodes.len() as u64 + u64::from(t.other_nodes.events > 0)),
                "nodes",
                false,
            ),
            (thousands(t.keys.len() as u64), "rule keys", false),
            (thousands(t.unparsed), "unparsed lines", t.unparsed > 0),
        ];
        self.out.push_str("<section class=\"cards\">");
        for (n, l, bad) in cards {
            let _ = write!(
                self.out,
                "<div class=\"card{}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>",
                if bad { " bad" } else { "" },
                esc(&n),
                esc(l)
            );
        }
        self.out.push_str("</section>");
    }

    /// A stacked chart panel, with legend, commands and empty text.
    pub(super) fn time_chart(
        &mut self,
        series: &[Named],
        total: &Buckets,
        unit: &str,
        search: &Search,
        empty: &str,
    ) {
        let Some(grid) = self.grid else {
            let _ = write!(self.out, "<p class=\"empty\">{}</p>", esc(empty));
            return;
        };
        if total.total() == 0 {
            let _ = write!(self.out, "<p class=\"empty\">{}</p>", esc(empty));
            return;
        }
        let drawn: Vec<Series> = series
            .iter()
            .map(|s| Series {
                label: s.label.clone(),
                tip: s.tip.clone(),
                color: s.color,
                counts: s.buckets.on_grid(&grid),
            })
            .collect();
        let total_g = total.on_grid(&grid);
        let base = &self.base;
        let bucket_cmd = |lo: u64, hi: u64| esc(&search.clone().during(lo, hi).line_with(base));
        let chart = TimeChart {
            grid,
            series: &drawn,
            total: &total_g,
            unit,
            bucket_cmd: &bucket_cmd,
        };
        self.out.push_str(&chart.render());
        self.out.push_str("<ul class=\"legend\">");
        for s in series {
            let title = match &s.search {
                Some(q) => format!(" title=\"$ {}\"", self.cmd(q)),
                None => String::new(),
            };
            let _ = write!(
                self.out,
                "<li{title}><span class=\"sw\" style=\"background:{}\"></span>{} <b>{}</b></li>",
                s.color,
                s.label,
                thousands(s.buckets.total())
            );
        }
        self.out.push_str("</ul>");
        self.cmdline(search, total.total(), unit);
        let with_cmd: Vec<&Named> = series.iter().filter(|s| s.search.is_some()).collect();
        if !with_cmd.is_empty() {
            self.out
                .push_str("<details><summary>The command of each series</summary><ul>");
            for s in with_cmd {
                if let Some(q) = &s.search {
                    let c = self.cmd_code(q, s.buckets.total(), unit);
                    let _ = write!(self.out, "<li>{}: {c}</li>", s.label);
                }
            }
            self.out.push_str("</ul></details>");
        }
        let _ = write!(
            self.out,
            "<p class=\"note\">Buckets of {}. Hover a bar for its counts and the command that lists its {unit}.</p>",
            duration(grid.width())
        );
    }

    pub(super) fn open(&mut self, title: &str, what: &str) {
        let id: String = title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let _ = write!(
            self.out,
            "<section class=\"panel\" id=\"{}\"><h2>{}</h2><p class=\"what\">{}</p>",
            esc(&id),
            esc(title),
            esc(what)
        );
    }

    pub(super) fn close(&mut self) {
        self.out.push_str("</section>");
    }

    /// Series of a [`Keyed`]: the first [`SERIES_SHOWN`] by total, the
    /// rest folded into "other" (a copy; the tally is not changed).
    pub(super) fn keyed<'b>(
        k: &'b Keyed,
        other_store: &'b mut Buckets,
        search: &dyn Fn(&[u8]) -> Option<Search>,
    ) -> Vec<Named<'b>> {
        let (sorted, other) = k.sorted();
        let mut out = Vec::new();
        other_store.merge(other);
        for (i, (key, b)) in sorted.iter().enumerate() {
            if i < SERIES_SHOWN {
                out.push((key, *b));
            } else {
                other_store.merge(b);
            }
        }
        let mut named: Vec<Named> = out
            .into_iter()
            .enumerate()
            .map(|(i, (key, b))| Named {
                label: esc(&ellipsis(&shown(key), LEGEND_CHARS)),
                tip: esc(&ellipsis(&shown(key), TIP_CHARS)),
                buckets: b,
                color: PALETTE[i % PALETTE.len()],
                search: search(key),
            })
            .collect();
        if !other_store.is_empty() {
            named.push(Named {
                label: "other".into(),
                tip: "other".into(),
                buckets: other_store,
                color: OTHER,
                search: None,
            });
        }
        named
    }

    fn time_panels(&mut self) {
        let t = self.t;
        // Events by key.
        self.open(
            "Events over time, by key",
            "Each event counts once for each rule key it carries (-k of the rule that logged it).",
        );
        let mut other = Buckets::new();
        let mut series = Self::keyed(&t.by_key, &mut other, &|k| {
            Some(Search::filter(eq("key", k, false)))
        });
        if !t.no_key.is_empty() {
            series.push(Named {
                label: "(no key)".into(),
                tip: "(no key)".into(),
                buckets: &t.no_key,
                color: "#d4d9de",
                search: Some(Search::filter("not key ~ \"\"")),
            });
        }
        self.time_chart(&series, &t.all, "events", &Search::all(), "No events.");
        self.close();
        // Records by type.
        self.open(
            "Records over time, by type",
            "Each record counts under its type; an event of a syscall has several records (SYSCALL, PATH, CWD, PROCTITLE, ...).",
        );
        let mut other = Buckets::new();
        let series = Self::keyed(&t.by_type, &mut other, &|k| {
            std::str::from_utf8(k)
                .ok()
                .filter(|s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                .map(|s| Search::all().types(&[s]))
        });
        self.time_chart(
            &series,
            &t.all_records,
            "records",
            &Search::all(),
            "No records.",
        );
        self.close();
        // Successes and failures.
        self.open(
            "Successes and failures over time",
            "Events whose syscall succeeded or failed (success=yes/no), or whose user-space record says res=success/failed.",
        );
        let series = [
            Named {
                label: "success".into(),
                tip: "success".into(),
                buckets: &t.success,
                color: GOOD,
                search: Some(Search::filter(SUCCESS)),
            },
            Named {
                label: "failure".into(),
                tip: "failure".into(),
                buckets: &t.failed,
                color: BAD,
                search: Some(Search::filter(FAILURE)),
            },
        ];
        let both = Search::filter(format!("{SUCCESS} or {FAILURE}"));
        self.time_chart(
            &series,
            &t.outcome,
            "events",
            &both,
            "No event says whether it succeeded.",
        );
        self.close();
    }

    #[allow(clippy::too_many_arguments)]
    fn top_panel(
        &mut self,
        title: &str,
        what: &str,
        top: &TopN,
        color: &str,
        label: &dyn Fn(&[u8]) -> String,
        search: &dyn Fn(&[u8], bool) -> Search,
        all: Search,
    ) {
        self.open(title, what);
        let rows = top.top(TOP_ROWS);
        if rows.is_empty() {
            self.out
                .push_str("<p class=\"empty\">None in this log.</p>");
            self.close();
            return;
        }
        let clipped = top.clipped();
        let mut drawn = Vec::new();
        let mut cmds = Vec::new();
        for (v, n) in &rows {
            let cut = clipped && v.len() >= super::bounded::MAX_KEY;
            let q = search(v, cut);
            let full = ellipsis(&label(v), 2 * LABEL_CHARS);
            drawn.push(Bar {
                label: esc(&ellipsis(&full, LABEL_CHARS)),
                n: *n,
                // The commands are in the list below the chart.
                title: format!("{}: {} events", esc(&full), thousands(*n)),
            });
            cmds.push((esc(&ellipsis(&full, LABEL_CHARS)), q, *n));
        }
        self.out.push_str(&bars(&drawn, color));
        if top.error() > 0 {
            let _ = write!(
                self.out,
                "<p class=\"note\">More distinct values than the counter holds: each count may be low by up to {} (of {} counted).</p>",
                thousands(top.error()),
                thousands(top.total())
            );
        }
        // No count here: the chart skips empty values and sentinels
        // (`?`, `(null)`), which `has F` also lists.
        let _ = write!(
            self.out,
            "<p class=\"cmdline\"><span class=\"k\">Lists the events with a value:</span> <code class=\"cmd\">{}</code></p>",
            self.cmd(&all)
        );
        self.out
            .push_str("<details><summary>The command of each bar</summary><ul>");
        for (l, q, n) in cmds {
            let c = if top.error() == 0 {
                self.cmd_code(&q, n, "events")
            } else {
                format!("<code class=\"cmd\">{}</code>", self.cmd(&q))
            };
            let _ = write!(self.out, "<li>{l}: {c}</li>");
        }
        self.out.push_str("</ul></details>");
        self.close();
    }

    fn tops(&mut self) {
        let t = self.t;
        let names = self.o.user_name;
        self.out.push_str("<div class=\"grid2\">");
        let plain = |v: &[u8]| shown(v);
        self.top_panel(
            "Top executables",
            "exe= of the events: the program that made them.",
            &t.exe,
            PALETTE[0],
            &plain,
            &|v, cut| Search::filter(eq("exe", v, cut)),
            Search::filter("has exe"),
        );
        let user = |v: &[u8]| {
            let raw = shown(v);
            match std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<u32>().ok())
            {
                Some(u32::MAX) => format!("unset ({raw})"),
                Some(u) => match names(u) {
                    Some(n) => format!("{n} ({raw})"),
                    None => format!("auid {raw}"),
                },
                None => format!("auid {raw}"),
            }
        };
        self.top_panel(
            "Top users",
            "auid=, the login uid: the person behind the event, whatever su or sudo did after login.",
            &t.users,
            PALETTE[1],
            &user,
            &|v, cut| Search::filter(raw_eq("auid", v, cut)),
            Search::filter("has auid"),
        );
        self.top_panel(
            "Top keys",
            "The rule keys (-k): which rules log the most.",
            &t.keys,
            PALETTE[2],
            &plain,
            &|v, cut| Search::filter(eq("key", v, cut)),
            Search::filter("key ~ \"\""),
        );
        self.top_panel(
            "Top hosts",
            "hostname= of user-space records (logins, sshd, sudo): where people came from.",
            &t.hosts,
            PALETTE[4],
            &plain,
            &|v, cut| Search::filter(eq("hostname", v, cut)),
            Search::filter("hostname !~ \"^\\\\?$\""),
        );
        self.top_panel(
            "Top files",
            "name= of PATH records: the files the syscalls touched.",
            &t.files,
            PALETTE[6],
            &plain,
            &|v, cut| Search::filter(eq("PATH.name", v, cut)),
            Search::filter("has PATH.name"),
        );
        self.out.push_str("</div>");
    }

    fn logins(&mut self) {
        let t = self.t;
        self.open(
            "Failed logins and authentications",
            "USER_LOGIN and USER_AUTH records with res=failed (sshd, login, su, sudo, PAM), and where they came from.",
        );
        let series = [
            Named {
                label: "failed login".into(),
                tip: "failed login".into(),
                buckets: &t.login_failed,
                color: BAD,
                search: Some(Search::filter(LOGIN_FAILED)),
            },
            Named {
                label: "failed authentication".into(),
                tip: "failed authentication".into(),
                buckets: &t.auth_failed,
                color: PALETTE[1],
                search: Some(Search::filter(AUTH_FAILED)),
            },
        ];
        let both = Search::filter(format!("{LOGIN_FAILED} or {AUTH_FAILED}"));
        self.time_chart(
            &series,
            &t.login_or_auth_failed,
            "events",
            &both,
            "No failed login or authentication.",
        );
        self.close();
    }

    fn addrs(&mut self) {
        let t = self.t;
        let failed = format!("({LOGIN_FAILED} or {AUTH_FAILED})");
        self.top_panel(
            "Source addresses of failed logins and authentications",
            "addr= of those records.",
            &t.failed_addr,
            BAD,
            &|v| shown(v),
            &|v, cut| Search::filter(format!("{failed} and {}", eq("addr", v, cut))),
            Search::filter(format!("{failed} and addr !~ \"^\\\\?$\"")),
        );
    }

    fn errnos(&mut self) {
        let label = |v: &[u8]| {
            let s = shown(v);
            match s.parse::<i64>() {
                Ok(n) if n < 0 => {
                    let e = i32::try_from(-n).ok();
                    match e.and_then(auditkit_interp::errno::name) {
                        Some(name) => format!(
                            "{name} ({}), exit={s}",
                            auditkit_interp::errno::strerror(e.unwrap_or(0)).unwrap_or("?")
                        ),
                        None => format!("exit={s}"),
                    }
                }
                _ => format!("exit={s}"),
            }
        };
        self.top_panel(
            "Failed syscalls by errno",
            "SYSCALL records with success=no, by the error the kernel returned.",
            &self.t.errno,
            BAD,
            &label,
            &|v, cut| {
                let e = match std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                {
                    Some(n) if !cut => format!("SYSCALL.exit = {n}"),
                    _ => eq("SYSCALL.exit", v, cut),
                };
                Search::filter(format!("SYSCALL.success = no and {e}"))
            },
            Search::filter("SYSCALL.success = no and has SYSCALL.exit"),
        );
    }

    fn tail(&mut self) {
        self.out.push_str(
            "</main><footer>Made by auditkit report --html. Times are UTC. \
             Each chart has the auditkit search command that lists its events.</footer></body></html>\n",
        );
    }
}

/// Events with a success (see [`super::tally`]).
const SUCCESS: &str = "success = yes or res in [success, yes]";
/// Events with a failure.
const FAILURE: &str = "success = no or res in [failed, no]";
/// Failed logins.
const LOGIN_FAILED: &str = "USER_LOGIN.res in [failed, no]";
/// Failed authentications.
const AUTH_FAILED: &str = "USER_AUTH.res in [failed, no]";

/// `raw(field) = "v"`: the value exactly as logged.
fn raw_eq(field: &str, v: &[u8], cut: bool) -> String {
    let e = eq(field, v, cut);
    format!("raw({field}){}", &e[field.len()..])
}

/// `90 s`, `15 min`, `3 h`, `2 d 4 h`.
pub fn duration(s: u64) -> String {
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else if s < 2 * 86_400 {
        let (h, m) = (s / 3600, s / 60 % 60);
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else if s >= 365 * 86_400 {
        format!("{:.1} years", s as f64 / (365.25 * 86_400.0))
    } else {
        let (d, h) = (s / 86_400, s / 3600 % 24);
        if h == 0 {
            format!("{d} d")
        } else {
            format!("{d} d {h} h")
        }
    }
}
