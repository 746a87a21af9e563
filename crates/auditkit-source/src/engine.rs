//! The engine over a plan: [`run`] reads a [`Plan`] through the bounded
//! chunker and drives `auditkit_event::pipeline::run` with the caller's
//! filter, sink and ordered stage. This is the whole of "read events" for
//! a command: `search`, and next `report`, `detect` and the collector
//! (which feeds the same pipeline from frames instead of a plan).

use std::sync::Arc;

use auditkit_event::pipeline::{self, Config, Filter, Ordered, Outcome, Panicked, Sink};

use crate::plan::Plan;
use crate::read::{Chunks, ReadOptions, Report};

/// Read `plan` and run the engine over it.
///
/// `report` collects bytes read (a progress line can watch it while the
/// run goes on), read errors and cut lines; look at it afterwards. With
/// `follow`, the last source is followed (see [`Chunks::follow_last`]) and
/// `cfg.live` should be set.
///
/// # Example: events per record type, merged from the workers' tallies
///
/// ```
/// use auditkit_event::RecordType;
/// use std::collections::HashMap;
/// use std::sync::Arc;
/// use auditkit_event::pipeline::{Config, NoOrder, Sink};
/// use auditkit_event::Event;
/// use auditkit_source::{engine, plan, ReadOptions, Report, Source};
///
/// struct ByType;
/// impl Sink<bool> for ByType {
///     type Part = HashMap<RecordType, u64>;
///     type Out = ();
///     fn part(&self) -> Self::Part { HashMap::new() }
///     fn event(&self, part: &mut Self::Part, ev: &Event, keep: bool, _: &mut ()) {
///         if keep {
///             *part.entry(ev.record(0).map_or(RecordType::default(), |r| r.rtype())).or_default() += 1;
///         }
///     }
///     fn clear(&self, _: &mut ()) {}
/// }
///
/// # let dir = std::env::temp_dir().join(format!("ak-engine-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let log = dir.join("audit.log");
/// std::fs::write(&log, "type=USER_LOGIN msg=audit(1700000001.000:43): res=success\n\
///                       type=USER_LOGIN msg=audit(1700000002.000:44): res=failed\n").unwrap();
/// let plan = plan::plan(vec![Source::File(log)], 0);
/// let report = Arc::new(Report::default());
/// let only_failed = |ev: &Event| ev.record(0).and_then(|r| r.field(b"res")).as_deref() == Some(b"failed");
/// let done = engine::run(&plan, ReadOptions::default(), false, report.clone(),
///                        &Config::default(), &only_failed, &ByType, &mut NoOrder).unwrap();
/// let total: u64 = done.parts.iter().flat_map(|p| p.values()).sum();
/// assert_eq!(total, 1);
/// assert!(report.take_errors().is_empty());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[allow(clippy::too_many_arguments)]
pub fn run<F, S, O>(
    plan: &Plan,
    opts: ReadOptions,
    follow: bool,
    report: Arc<Report>,
    cfg: &Config,
    filter: &F,
    sink: &S,
    ordered: &mut O,
) -> Result<Outcome<S::Part>, Panicked>
where
    F: Filter,
    S: Sink<F::Verdict>,
    O: Ordered<S::Out>,
{
    let chunks = Chunks::new(plan, opts, report);
    let chunks = if follow { chunks.follow_last() } else { chunks };
    pipeline::run(cfg, chunks, filter, sink, ordered)
}
