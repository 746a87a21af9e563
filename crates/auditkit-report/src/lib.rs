//! # auditkit-report: what a log says, summed up
//!
//! `auditkit report` is the engine of `auditkit-source`/`auditkit-event`
//! with aggregating sinks: each worker tallies the events it sees into its
//! own part, and the parts are merged at the end, so no lock is taken while
//! counting. Three consumers share that shape and live here:
//!
//! * [`aureport`]: every report of aureport 3.0.9, byte for byte, plus
//!   JSON and CSV renderings of the same tables;
//! * [`noise`]: which rule made each record, the top talkers, and rule
//!   changes the kernel accepts that remove the noise;
//! * [`html`]: one self-contained HTML page with charts.
//!
//! The design places aggregations in `auditkit-query` and layouts in
//! `auditkit-output`; noise attribution needs the rules crate, which
//! neither may depend on, so reports are a crate of their own, after
//! query, rules and output in the data flow.

pub mod aureport;
pub mod html;
pub mod noise;
