//! The HTML report (`auditkit report --html FILE`): one self-contained
//! page of charts, for people who read a summary before the details.
//!
//! Two halves, as every report of this crate:
//!
//! * [`Tally`] is the engine sink's per-worker part ([`HtmlSink`]): each
//!   worker counts the events it sees into its own tally, with no lock,
//!   and [`Tally::merged`] joins the parts at the end. Every table in it
//!   is bounded ([`bounded`]): time series in a fixed number of buckets
//!   whose width follows the span of the log, top-N with a bounded
//!   counter, capped keys with an "other" bucket. Memory is flat and the
//!   page is as large for a 1 GB log as for a small one.
//! * [`render`] writes the page: inline SVG drawn here ([`svg`]), a style
//!   sheet inline, no script, no font, nothing fetched, so it opens from a
//!   mail attachment on a machine with no network.
//!
//! Every chart carries the `auditkit search` command that lists the
//! events behind it ([`cmd`]), and everything taken from the log is
//! HTML-escaped ([`text`]): a `comm=` of `<script>` shows as text.
//!
//! ```
//! use auditkit_report::html::{render, Options, Tally};
//! let log = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 comm=\"<script>\" exe=\"/usr/bin/ls\" key=\"exec\"\n";
//! let mut t = Tally::new();
//! for ev in auditkit_event::assemble::assemble_all(log, 2) {
//!     t.add(&ev);
//! }
//! let page = render(&t, &Options::default());
//! assert!(page.contains("auditkit search --all-events --where 'key = &quot;exec&quot;'"));
//! assert!(!page.contains("<script>"));
//! ```

pub mod bounded;
pub mod cmd;
mod page;
pub mod svg;
mod tables;
pub mod tally;
pub mod text;

pub use cmd::Search;
pub use page::{duration, render, NoiseRow, Options, SERIES_SHOWN, TOP_ROWS};
pub use tally::{
    is_anom, is_config, HtmlSink, NodeStats, Row, RowKey, Tally, NODE_CAP, RECENT_CAP, ROW_TEXT,
    SERIES_CAP, TOP_CAP,
};

#[cfg(test)]
mod tests;
