//! The integration tests of the `auditkit` binary, in one test binary
//! (ripgrep's habit: one link instead of one per file, and helpers shared
//! through `auditkit-testsupport` rather than copied between files). Each
//! module runs the built executable, most of them against the real tool it
//! replaces (ausearch, auditctl) on real logs and rules.
//!
//! Tests that need a reference tool, root or the kernel's audit subsystem
//! say `SKIP name: reason` when it is missing; `AUDITKIT_REQUIRE_ORACLES=1`
//! (set by `.ci/run`) makes that a failure.

#[macro_use]
extern crate auditkit_testsupport;

mod aureport_parity;
mod ausearch_filters;
mod ausearch_input;
mod baseline;
mod clickhouse;
mod collect;
mod common;
mod csv_text;
mod detect;
mod engine;
mod formats;
mod forward;
mod golden;
mod help_man;
mod names;
mod noise;
mod noise_detect;
mod plugin;
mod progress;
mod report_formats;
mod report_golden;
mod report_html;
mod rules_cli;
mod rules_kernel;
mod search_parity;
mod unparsed;
