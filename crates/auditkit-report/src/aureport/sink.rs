//! The engine's consumer for aureport's reports.
//!
//! * [`ReportSink`] runs on the workers: it scans each event (the parse
//!   and the options, [`Options::scan`]), counts it into the worker's own
//!   [`Part`] (merged at the end, no lock taken while counting), and
//!   formats list lines into the batch's [`Out`] without their numbers.
//! * [`ReportOrder`] is the ordered stage: it sees each batch's [`Out`]
//!   in log order, numbers and writes the list lines (streaming: nothing
//!   is held), ranks the values of summary forms in the order they were
//!   first seen, and keeps what depends on order (the last event read,
//!   the first and last event of each file for `-t`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use auditkit_event::pipeline::{Flow, Item, Ordered, Sink};
use auditkit_event::Event;
use auditkit_host::Accounts;
use auditkit_interp::fxhash::FxHasher;

use super::format::{Format, Vals};
use super::list::{listed, Names};
use super::summary::{Stamp, SummaryTally};
use super::tally::{NewKeys, Ranks, Tally};
use super::{Detail, Options, Report};

/// The workers' side of a report.
pub struct ReportSink<'a> {
    names: Names<'a>,
    /// The index of the last source read (events completed by the end of
    /// input come out there).
    pub last_source: u32,
}

impl<'a> ReportSink<'a> {
    /// A sink for the report of `opts`; `accounts` are this host's users
    /// (`-i` names, and the user names of ausearch `-i` input).
    pub fn new(opts: &'a Options, accounts: &'a Accounts) -> ReportSink<'a> {
        ReportSink {
            names: Names { opts, accounts },
            last_source: 0,
        }
    }
}

/// The tallies of all events, or of one node's with `--by-node`.
#[derive(Debug, Default)]
pub struct Acc {
    /// The default report's counters.
    pub summary: SummaryTally,
    /// The totals of a summary form.
    pub tally: Tally,
    /// The event with the first record of the input seen by this worker
    /// (its place: source and line), for "Range of time in logs".
    pub first: Option<((u32, u64), Stamp)>,
    /// `--by-node`: the event whose first record is last in the input.
    pub last: Option<((u32, u64), Stamp)>,
}

impl Acc {
    /// Add another worker's tallies.
    pub fn merge(&mut self, o: Acc) {
        self.summary.merge(o.summary);
        self.tally.merge(o.tally);
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, o.last) {
            (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
    }

    fn see(&mut self, origin: (u32, u64), st: Stamp) {
        if self.first.is_none_or(|(o, _)| origin < o) {
            self.first = Some((origin, st));
        }
        if self.last.is_none_or(|(o, _)| origin > o) {
            self.last = Some((origin, st));
        }
    }
}

/// One worker's tallies.
#[derive(Debug, Default)]
pub struct Part {
    /// Every event's (without `--by-node`).
    pub all: Acc,
    /// With `--by-node`: each node's (events without a node under the
    /// empty name).
    pub nodes: FxMap<Box<[u8]>, Acc>,
    /// Scratch for JSON and CSV rows.
    pub vals: Vals,
}

impl Part {
    /// Add another worker's part.
    pub fn merge(&mut self, o: Part) {
        self.all.merge(o.all);
        for (k, a) in o.nodes {
            self.nodes.entry(k).or_default().merge(a);
        }
    }
}

type FxMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// What a worker made of one batch, for the ordered stage.
#[derive(Debug, Default)]
pub struct Out {
    /// The last event of the batch (every event read counts, as
    /// aureport's `last_event`, before any option is applied).
    pub last: Option<Stamp>,
    /// List lines without their numbers, back to back.
    pub buf: Vec<u8>,
    /// Where each line ends in `buf`.
    pub ends: Vec<u32>,
    /// An event of the batch was listed (aureport's `found`).
    pub found: bool,
    /// Values this worker saw first in this batch.
    pub new: NewKeys,
    /// `-t`: the first and last event of each source in the batch.
    pub times: Vec<(u32, Stamp, Stamp)>,
}

fn stamp(ev: &Event) -> Stamp {
    let id = ev.id();
    Stamp {
        sec: id.sec as i64,
        milli: id.msec,
    }
}

impl Sink<()> for ReportSink<'_> {
    type Part = Part;
    type Out = Out;

    fn part(&self) -> Part {
        Part::default()
    }

    fn event(&self, part: &mut Part, ev: &Event, _: (), out: &mut Out) {
        let opts = self.names.opts;
        let st = stamp(ev);
        out.last = Some(st);
        let origin = ev.origin();
        let node = ev.node().unwrap_or(b"");
        let Part { all, nodes, vals } = part;
        let acc = if opts.by_node {
            if !nodes.contains_key(node) {
                nodes.insert(node.into(), Acc::default());
            }
            match nodes.get_mut(node) {
                Some(a) => a,
                None => return,
            }
        } else {
            all
        };
        acc.see(origin, st);
        if matches!(opts.report, Report::Time | Report::Summary) {
            // The file being read when the event came out, as aureport
            // counts it (`-t`, and the summary's last event, which is the
            // last file's).
            let file = if ev.completed_at_end() {
                self.last_source
            } else {
                ev.completed_in()
            };
            match out.times.last_mut() {
                Some((src, _, last)) if *src == file => *last = st,
                _ => out.times.push((file, st, st)),
            }
        }
        if !opts.in_range(ev) {
            return;
        }
        let Some(items) = opts.scan(ev, self.names.accounts) else {
            return;
        };
        match (opts.report, opts.detail) {
            (Report::Summary, _) => acc.summary.add(ev, &items),
            (Report::Time, _) => {}
            (_, Detail::Summary) => {
                if opts.by_node {
                    out.new.set_node(node);
                }
                acc.tally.add(&self.names, ev, &items, &mut out.new)
            }
            (r, Detail::Detailed) => {
                if listed(r, ev, &items) {
                    out.found = true;
                    if opts.format == Format::Text {
                        let (from, n) = (out.buf.len(), out.ends.len());
                        self.names.lines(ev, &items, &mut out.buf, &mut out.ends);
                        if opts.by_node {
                            with_node(&mut out.buf, &mut out.ends, from, n, ev.node());
                        }
                    } else {
                        self.names.rows(
                            opts.format,
                            ev,
                            &items,
                            vals,
                            &mut out.buf,
                            &mut out.ends,
                            opts.by_node,
                        );
                    }
                }
            }
        }
    }

    fn clear(&self, out: &mut Out) {
        out.last = None;
        out.buf.clear();
        out.ends.clear();
        out.found = false;
        out.new.clear();
        out.times.clear();
    }
}

/// `--by-node` in text: the node (`?` for none) as a last column of the
/// lines from `from` (`n`: the index of their first end).
fn with_node(buf: &mut Vec<u8>, ends: &mut [u32], from: usize, n: usize, node: Option<&[u8]>) {
    let lines = buf.split_off(from);
    let mut start = 0usize;
    for e in ends[n..].iter_mut() {
        let line = &lines[start..(*e as usize - from)];
        start = *e as usize - from;
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        buf.extend_from_slice(body);
        buf.push(b' ');
        buf.extend_from_slice(node.unwrap_or(b"?"));
        buf.push(b'\n');
        *e = buf.len() as u32;
    }
}

/// The ordered stage of a report.
pub struct ReportOrder<W: Write> {
    w: W,
    format: Format,
    /// The number of the last list line (`line_item`).
    line: u32,
    /// The last event read (`very_last_event`).
    pub last: Stamp,
    /// An event was listed.
    pub found: bool,
    /// The order of the values of a summary form.
    pub ranks: Ranks,
    /// `-t`: the first and last event of each source.
    pub times: BTreeMap<u32, (Stamp, Stamp)>,
    /// A write failed (the run stops; the caller reports it).
    pub err: Option<io::Error>,
    num: Vec<u8>,
}

impl<W: Write> ReportOrder<W> {
    /// An ordered stage writing list lines to `w` in `format` (text
    /// lines are `N. ...`, JSON `{"n":N,...}`, CSV `N,...`).
    pub fn new(w: W, format: Format) -> Self {
        ReportOrder {
            w,
            format,
            line: 0,
            last: Stamp::default(),
            found: false,
            ranks: Ranks::default(),
            times: BTreeMap::new(),
            err: None,
            num: Vec::new(),
        }
    }

    /// The writer back, to write the end of the report.
    pub fn into_inner(self) -> W {
        self.w
    }

    fn lines(&mut self, out: &Out) -> io::Result<()> {
        let mut start = 0usize;
        for &end in &out.ends {
            self.line = self.line.wrapping_add(1);
            self.num.clear();
            let _ = match self.format {
                Format::Text => write!(self.num, "{}. ", self.line),
                Format::Json => write!(self.num, "{{\"n\":{},", self.line),
                Format::Csv => write!(self.num, "{}", self.line),
            };
            self.w.write_all(&self.num)?;
            self.w.write_all(&out.buf[start..end as usize])?;
            start = end as usize;
        }
        Ok(())
    }
}

impl<W: Write> Ordered<Out> for ReportOrder<W> {
    fn batch(&mut self, out: &mut Out, _: &[Item]) -> Flow {
        if let Some(l) = out.last {
            self.last = l;
        }
        self.found |= out.found;
        self.ranks.note(&out.new);
        for &(src, first, last) in &out.times {
            self.times
                .entry(src)
                .and_modify(|e| e.1 = last)
                .or_insert((first, last));
        }
        if let Err(e) = self.lines(out) {
            self.err = Some(e);
            return Flow::Stop;
        }
        Flow::Continue
    }
}
