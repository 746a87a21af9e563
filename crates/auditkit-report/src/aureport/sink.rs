//! The engine's consumer for aureport's reports.
//!
//! * [`ReportSink`] runs on the workers: it scans each event (the parse
//!   and the options, [`Options::scan`]) and counts it into the worker's
//!   own [`Part`], merged at the end with no lock taken while counting.
//! * [`ReportOrder`] is the ordered stage: it sees each batch's [`Out`]
//!   in log order and keeps what depends on order (the last event read).

use auditkit_event::pipeline::{Flow, Item, Ordered, Sink};
use auditkit_event::Event;
use auditkit_host::Accounts;

use super::summary::{Stamp, SummaryTally};
use super::{Options, Report};

/// The workers' side of a report.
pub struct ReportSink<'a> {
    opts: &'a Options,
    accounts: &'a Accounts,
}

impl<'a> ReportSink<'a> {
    /// A sink for the report of `opts`; `accounts` maps the user names of
    /// ausearch `-i` input back to numbers, as the search parser does.
    pub fn new(opts: &'a Options, accounts: &'a Accounts) -> ReportSink<'a> {
        ReportSink { opts, accounts }
    }
}

/// One worker's tallies.
#[derive(Debug, Default)]
pub struct Part {
    /// The default report's counters.
    pub summary: SummaryTally,
    /// The event with the first record of the input seen by this worker
    /// (its place: source and line), for "Range of time in logs".
    pub first: Option<((u32, u64), Stamp)>,
}

impl Part {
    /// Add another worker's part.
    pub fn merge(&mut self, o: Part) {
        self.summary.merge(o.summary);
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
    }
}

/// What a worker made of one batch, for the ordered stage.
#[derive(Debug, Default)]
pub struct Out {
    /// The last event of the batch (every event read counts, as
    /// aureport's `last_event`, before any option is applied).
    pub last: Option<Stamp>,
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
        let st = stamp(ev);
        out.last = Some(st);
        let origin = ev.origin();
        if part.first.is_none_or(|(o, _)| origin < o) {
            part.first = Some((origin, st));
        }
        if !self.opts.in_range(ev) {
            return;
        }
        let Some(items) = self.opts.scan(ev, self.accounts) else {
            return;
        };
        if self.opts.report == Report::Summary {
            part.summary.add(ev, &items);
        }
    }

    fn clear(&self, out: &mut Out) {
        out.last = None;
    }
}

/// The ordered stage of a report.
#[derive(Debug, Default)]
pub struct ReportOrder {
    /// The last event read (`very_last_event`).
    pub last: Stamp,
}

impl Ordered<Out> for ReportOrder {
    fn batch(&mut self, out: &mut Out, _: &[Item]) -> Flow {
        if let Some(l) = out.last {
            self.last = l;
        }
        Flow::Continue
    }
}
